"""The output guard: an LLM-phrased reply may say only what the machine's own reply could say.

The LLM rewrites a reply the state machine chose. Whatever it writes is checked here before a
customer sees it; a rejected reply is replaced by the template it rewrote. Two layers:

- **Specific rules** name what went wrong, so rejections can be counted by reason: a price,
  size, colour, product, discount, delivery or returns term, date or payment term the turn's
  facts do not contain; the order said to be confirmed (or a call promised) outside
  `confirmed`; "in stock in every size"; a question the state does not ask, or the template's
  question dropped; another language; too long.
- **A closed vocabulary** catches what no list of lies foresees ("гарантия год", "ждите
  курьера в пятницу"): every content word of the rewrite (nouns, adjectives, verbs, adverbs,
  numerals) must come from the template it rewrites, the facts the LLM was shown, or a small
  conversational vocabulary (`CONVERSATION`: politeness, offers of help, the words for what
  Alina asks). Anything else is "unsupported". The customer's own words are not a source: "а
  кожаные есть?" must not become "Да, кожаные есть!".

Numbers are facts by value and by kind: "1 000 ₸" stated as the delivery price does not make
"стоит 1 000 ₸" true, nor do "14 дней" to return shoes make a delivery term; numbers written in
words ("сорок тысяч", "пару дней") are read as numbers. The checks compare the reply with the
turn's facts, never with the shop's whole catalog: "35 000 ₸" is rejected in a turn about
another product even though some product costs that much.

The guard is stricter than a human would be: a rejected rewrite costs nothing but the rewrite
(the template is the floor of quality), an invented fact costs a customer's trust.
Pure logic over text: no network, no model.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from ottenok.catalog import Catalog
from ottenok.colors import ColorLexicon, generic_colors
from ottenok.morphology import is_known_word, is_latin, lemma, lemma_set, morph, words
from ottenok.normalize import fold, fold_letters
from ottenok.phrasing.templates import SPLIT
from ottenok.states.order import QUESTIONS, OrderState

#: A rewrite stays about as short as what it rewrites: customers read on a phone.
MIN_LIMIT = 450
LIMIT_SLACK = 150

# -- numbers -----------------------------------------------------------------------------------

_AMOUNT = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+(?:[.,]\d+)?"
_UNITS = (
    r"%|процент\w*|₸|тг\b|тенге|₽|руб\w*|тыс\w*\.?|k\b|к\b|дн\w*|день|дня|недел\w*|час\w*"
    r"|сут\w*|мин\w*|месяц\w*|мес\b|январ\w*|феврал\w*|март\w*|апрел\w*|ма[яй]\b|июн\w*"
    r"|июл\w*|август\w*|сентябр\w*|октябр\w*|ноябр\w*|декабр\w*"
)
# A number, or a range ("2–5", "от 2 до 5"), with what follows it: "35 000 ₸", "2–5 дней".
_NUMBER = re.compile(
    rf"(?<![\w.,])({_AMOUNT})(?:\s*(?:[-–—]|до)\s*({_AMOUNT}))?(?!\d)\s*({_UNITS})?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b\d{1,2}[./]\d{2}(?:[./]\d{2,4})?\b")
_SIZE_RANGE = (33.0, 46.0)
# Unit stems → the unit a number is counted in. Thousands are money: "40 тыс.", "25к".
_UNIT_OF = (
    (("%", "процент"), "percent"),
    (("₸", "тг", "тенге", "₽", "руб", "тыс", "k", "к"), "money"),
    (("дн", "день", "дня", "сут"), "day"),
    (("недел",), "week"),
    (("час",), "hour"),
    (("мин",), "minute"),
    (("месяц", "мес"), "month"),
)
# What a number in a clause is about (see `_topic`).
_TOPIC_CUES = {
    "delivery": r"достав|курьер|самовывоз|почт|казпочт|отправ|пвз|экспресс|shipping|deliver",
    "returns": r"возврат|возвращ|верн|обмен|return",
    "payment": r"оплат|рассроч|каспи|kaspi|кредит|предоплат|халык|halyk|плат[её]ж|частями",
    "product": r"цен[аеуы]|стои|стоят|price|cost",
}
_TOPIC_RE = re.compile(
    "|".join(f"(?P<{topic}>(?<![а-яa-z])(?:{cues}))" for topic, cues in _TOPIC_CUES.items()),
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r",(?!\d)|[;:|()\n]|\s[—–-]\s|[.!?](?=\s|$)")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")

# Numerals in words, by lemma: "сорок тысяч" is 40 000, "тридцать восьмой" is 38.
_CARDINALS = dict(
    zip(
        "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать"
        " тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать"
        " двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто сто"
        " двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот".split(),
        [*range(20), *range(20, 100, 10), *range(100, 1000, 100)],
        strict=True,
    )
)
_CARDINALS |= {"полтора": 1.5, "пара": 2, "двое": 2, "трое": 3, "четверо": 4}
_ORDINALS = dict(
    zip(
        "первый второй третий четвертый пятый шестой седьмой восьмой девятый десятый"
        " двадцатый тридцатый сороковой пятидесятый".split(),
        [*range(1, 11), 20, 30, 40, 50],
        strict=True,
    )
)
_MULTIPLIERS = {"тысяча": 1000, "миллион": 1_000_000}
# "пару", "один" and a lone small ordinal are conversation ("покажу пару моделей", "вторые")
# unless a unit follows them ("пару дней").
_NEEDS_UNIT = frozenset({1, 2, 1.5})
_UNIT_AFTER = re.compile(rf"\s*(?:{_UNITS})", re.IGNORECASE)
# A term without a number is a term of one: "через день", "в течение недели", "за час".
_ONE_UNIT = re.compile(
    r"\b(через|за|в течение|на)\s+(день|дня|сутки|суток|неделю|недели|месяц|месяца|час|часа)\b",
    re.IGNORECASE,
)
_CYRILLIC_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)

# -- terms of sale, confirmations, stock claims ------------------------------------------------

# Word stems that state a term of sale. Each stem is allowed when the facts contain it.
_CUES: dict[str, tuple[str, ...]] = {
    "discount": (
        "скид", "акци", "промокод", "распродаж", "процент", "дешевл", "бонус", "кэшбэк",
        "кешбэк", "кешбек", "подар", "бесплатн", "sale", "discount",
    ),
    "delivery": ("самовывоз", "экспресс", "курьер", "почтой", "казпочт", "недел", "сутк"),
    "date": (
        "сегодня", "завтра", "послезавтра", "понедельник", "вторник", "сред", "четверг",
        "пятниц", "суббот", "воскресень", "выходны",
    ),
    "payment": (
        "рассрочк", "каспи", "kaspi", "наложенн", "предоплат", "наличн", "картой", "кредит",
        "перевод", "halyk", "халык",
    ),
}  # fmt: skip
_CUE_WORD = {
    reason: re.compile(r"(?<![а-яa-z])(?:" + "|".join(map(re.escape, stems)) + r")", re.I)
    for reason, stems in _CUES.items()
}
# "среда" is a weekday, "средний" is not: weekday stems must start a word and stay short.
_NOT_A_DATE = re.compile(r"средн|средств|сред[иу]\b|среди", re.IGNORECASE)

_CONFIRMED = [
    re.compile(
        r"заказ\w*\s+(?:\w+\s+){0,2}?(?:оформлен|подтвержд[её]н|принят|создан|готов|размещ[её]н"
        r"|в работе)",
        re.IGNORECASE,
    ),
    re.compile(r"\border\s+(?:is\s+|has been\s+|was\s+)?(?:confirmed|placed|accepted)", re.I),
]
# Done deeds that only a confirmed order makes true ("оформила", "покупка подтверждена",
# "отложила для вас"), in any tense that says they are done.
_DONE_VERBS = frozenset(
    "оформить подтвердить принять создать разместить зарегистрировать отправить передать"
    " забронировать зарезервировать отложить".split()
)
# Promises of what follows an order: a call, waiting for one.
_PROMISE_VERBS = frozenset("связаться позвонить перезвонить".split())
_WAIT_VERBS = frozenset("ждать ожидать".split())
# "в наличии все размеры", "любой цвет": a claim about the whole stock.
_QUANTIFIERS = frozenset({"весь", "все", "любой", "каждый"})
_STOCK_NOUNS = frozenset({"размер", "цвет", "расцветка", "модель", "наличие", "вариант"})
_QUANTIFIER_WINDOW = 3

# -- questions ---------------------------------------------------------------------------------

# What a sentence that asks something asks for.
_ASKS: dict[str, re.Pattern[str]] = {
    "city": re.compile(r"город|из какого|откуда вы|\bcity\b", re.I),
    "product": re.compile(
        r"что (?:вам |бы )?(?:подобрать|показать|посоветовать|нужно)|что (?:вы )?(?:ищете|хотите"
        r"|выбрали)|что вас интересует|как(?:ую|ая|ой|ие) (?:модел|пар|товар|обув|сумк)"
        r"|как(?:ую|ая|ой) из них|\bwhich (?:model|one)\b",
        re.I,
    ),
    "size": re.compile(r"размер|\bsize\b", re.I),
    "color": re.compile(r"цвет|\bcolou?r\b", re.I),
    "address": re.compile(r"адрес|улиц|квартир|куда доставить|\baddress\b", re.I),
    "confirmation": re.compile(r"вс[её] верно|вс[её] правильно|оформля|подтвержда|«да»", re.I),
}
_REQUEST = re.compile(
    r"напишите|подскажите|укажите|скажите|уточните|пришлите|отправьте|выберите|сообщите"
    r"|please (?:tell|send|write|choose)",
    re.I,
)
# Sentences end at punctuation, a line break or an emoji ("Поменяла 👌 Проверьте…").
_EMOJI = "\u2600-\u27bf\u2b50\U0001f300-\U0001faff"
_SENTENCE = re.compile(rf"[^.!?\n{_EMOJI}]+[.!?\n{_EMOJI}]*")

# -- the rest ----------------------------------------------------------------------------------

_LINK = re.compile(r"https?://|www\.|\.(?:kz|ru|com)\b|@\w", re.I)
_QUOTED = re.compile(r"«([^»]{2,60})»|\"([^\"]{2,60})\"")
_KAZAKH = re.compile("[әғқңөұүһі]", re.I)
_CYRILLIC = re.compile("[а-яё]", re.I)
_LATIN = re.compile("[a-z]", re.I)
_NOUN_POS = frozenset({"NOUN", None})
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Words that carry grammar, not facts: pronouns, prepositions, conjunctions, particles,
# interjections, pronominal adjectives ("ваш", "какой", "этот") and small ordinals.
_FUNCTION_POS = frozenset({"NPRO", "PREP", "CONJ", "PRCL", "INTJ"})

#: What Alina may say beyond the template and the facts: politeness, offers of help, her
#: verdicts on a choice and the names of what she asks for. No word here states a fact of the
#: shop; a word that could ("доставить", "наличие", "день", "магазин", "натуральный") is left
#: out on purpose, so it must come from the template or the facts.
CONVERSATION = """
    здравствуйте здравствовать привет спасибо благодарить благодарность пожалуйста извинить
    извинение простить рад рада радость приятно приятный удовольствие интерес интересовать
    сожаление ок окей супер
    помочь помогать помощь подобрать подбирать подбор выбрать выбирать выбор подсказать
    уточнить показать показывать посмотреть смотреть рассказать ответить вопрос ответ написать
    писать прислать сообщить указать назвать проверить решить определиться предложить вариант
    оформить оформлять оформление брать взять
    отличный отлично прекрасный прекрасно замечательный замечательно чудесный хороший хорошо
    красивый удачный
    да нет конечно обязательно давать мочь можно нужно надо нужный хотеть нравиться
    понравиться подойти подходить знать думать понять понимать видеть быть ждать
    очень тоже также еще уже сейчас теперь сразу только просто вот ну так тогда пока например
    кстати ведь именно вообще здесь тут где куда откуда когда как почему зачем сколько
    модель пара заказ фото фотография размер цвет город адрес улица дом квартира цена стоить
    стоимость тенге возможный возможно
"""
#: The same for a reply in English (an English-speaking customer): grammar and politeness.
ENGLISH = frozenset(
    """
    a an the and or but so to of in on at for with from by about as if then than
    is are am be been was were do does did have has had will would can could shall should may
    i me my we us our you your it its this that these those there here what which who how
    when where why please thank thanks hello hi dear sorry yes no not ok okay sure great
    glad happy help choose pick need like want tell let know just also too very
    size colour color city address order model pair photo photos
""".split()
)


@dataclass(frozen=True, slots=True)
class ReplyFacts:
    """What a phrased reply may state, and where the dialogue stands.

    `template` is the machine's own reply that the LLM rewrote; `facts` is everything else the
    LLM was shown as true (catalog entries, script paragraphs, the rest of the turn's reply,
    the order so far). `customer_text` only tells the customer's language: what a customer
    wrote is no fact of the shop.
    """

    state: str
    template: str
    facts: tuple[str, ...] = ()
    customer_text: str = ""

    @property
    def all_text(self) -> str:
        return "\n".join((self.template, *self.facts))


@dataclass(frozen=True, slots=True)
class Verdict:
    """The guard's answer: `reason` is None when the reply may be sent."""

    reason: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None


PASS = Verdict()


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number a text states: its value, what it counts and what it is about.

    `unit`: "money", "percent", "day", "week", "hour", "minute", "month", "date" or "" (a bare
    number); `topic`: "product", "delivery", "returns" or "payment".
    """

    value: str
    unit: str
    topic: str

    @property
    def kind(self) -> str:
        """What kind of fact the number states, by its unit alone."""
        if self.unit == "percent":
            return "discount"
        if self.unit == "money":
            return "price"
        if self.unit in ("day", "week", "hour", "minute", "month"):
            return "delivery"
        if self.unit == "date":
            return "date"
        if _SIZE_RANGE[0] <= float(self.value) <= _SIZE_RANGE[1]:
            return "size"
        return "number"

    @property
    def reason(self) -> str:
        """Why a reply stating it falsely is rejected: the topic for money and terms."""
        if self.kind in ("price", "delivery") and self.topic != "product":
            return self.topic
        return self.kind


class OutputGuard:
    """Checks phrased replies against one shop's vocabulary; build once per shop."""

    def __init__(
        self, catalog: Catalog, colors: ColorLexicon, min_limit: int = MIN_LIMIT
    ) -> None:
        """`colors` is the shop's one lexicon (its `colors.yaml` included), the one customers'
        messages are read with, so the shop's own words for a colour count as that colour."""
        self.shop_colors = colors
        # Every colour known by name as well: a reply naming any colour the facts never gave is
        # caught, whether the shop sells it or not.
        self.any_colors = ColorLexicon([*colors.colors, *generic_colors()])
        self.min_limit = min_limit
        self.product_words = _product_words(catalog)

    def limit(self, facts: ReplyFacts) -> int:
        """How many characters a rewrite of this template may have."""
        return max(self.min_limit, len(facts.template) + LIMIT_SLACK)

    def check(self, reply: str, facts: ReplyFacts) -> Verdict:
        """The first rule the reply breaks, or `PASS`."""
        text = reply.strip()
        if not text:
            return Verdict("empty")
        limit = self.limit(facts)
        if len(text) > limit:
            return Verdict("length", f"{len(text)} > {limit} characters")
        if SPLIT in text:
            return Verdict("format", "message separator in the reply")
        known = _Known(facts.all_text)
        for check in (
            self._link,
            self._confirmation,
            self._language,
            self._numbers,
            self._cues,
            self._colors,
            self._products,
            self._names,
            self._stock,
            self._questions,
            self._vocabulary,
            self._dropped,
        ):
            verdict = check(text, facts, known)
            if not verdict.ok:
                return verdict
        return PASS

    # -- the rules, in the order a customer would be hurt most ---------------------------------

    @staticmethod
    def _link(text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        found = _LINK.search(text)
        if found and found.group(0).lower() not in known.folded:
            return Verdict("link", found.group(0))
        return PASS

    @staticmethod
    def _confirmation(text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        """The order said to be done (or a call promised) before the machine confirmed it."""
        if facts.state == OrderState.CONFIRMED:
            return PASS
        folded = fold(text)
        for pattern in _CONFIRMED:
            found = pattern.search(folded)
            if found and found.group(0) not in known.folded:
                return Verdict("confirmation", found.group(0))
        for word in words(text):
            if word in known.words:
                continue  # the template says it: "Передала ваш вопрос менеджеру"
            for parse in morph().parse(word):
                tag, lemma_ = parse.tag, fold(parse.normal_form)
                done = lemma_ in _DONE_VERBS and "past" in tag and tag.POS in ("VERB", "PRTS")
                waiting = lemma_ in _WAIT_VERBS and "impr" in tag
                if done or waiting or lemma_ in _PROMISE_VERBS:
                    return Verdict("confirmation", word)
        return PASS

    def _language(self, text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        given = set(_letter_words(facts.all_text))  # brand names do not change the language
        own = " ".join(w for w in _letter_words(text) if w not in given)
        reply = language_of(own)
        if reply is None:
            return PASS
        permitted = {language_of(facts.template) or "ru", language_of(facts.customer_text)}
        if reply not in permitted:
            return Verdict("language", reply)
        return PASS

    @staticmethod
    def _numbers(text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        """Numbers the facts state, as the same kind of fact: a bare number by value, a price,
        term or discount by value, unit and topic."""
        for found in _DATE.finditer(text):
            if found.group(0) not in known.text:
                return Verdict("date", found.group(0))
        values = {q.value for q in known.quantities}
        stated = {(q.value, q.unit, q.topic) for q in known.quantities}
        for q in _stated(text):
            supported = (q.value, q.unit, q.topic) in stated if q.unit else q.value in values
            if not supported:
                return Verdict(q.reason, f"{q.value} {q.unit or 'bare'} ({q.topic})")
        return PASS

    @staticmethod
    def _cues(text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        folded = fold(text)
        for reason, pattern in _CUE_WORD.items():
            for found in pattern.finditer(folded):
                cue = found.group(0).lower()
                if reason == "date" and _NOT_A_DATE.match(folded, found.start()):
                    continue
                if cue not in known.folded:
                    return Verdict(reason, cue)
        return PASS

    def _named_colors(self, text: str) -> set[str]:
        return set(self.shop_colors.find(text)) | set(self.any_colors.find(text))

    def _colors(self, text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        extra = self._named_colors(text) - self._named_colors(facts.all_text)
        if extra:
            return Verdict("color", ", ".join(sorted(extra)))
        return PASS

    def _products(self, text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        for word in words(text):
            forms = lemma_set(word)
            if forms & self.product_words and not forms & known.all_lemmas:
                return Verdict("product", word)
        return PASS

    @staticmethod
    def _names(text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        """A quoted name (a shop, a model, a collection) must be one the facts use."""
        for found in _QUOTED.finditer(text):
            name = fold(found.group(1) or found.group(2))
            if name not in known.folded:
                return Verdict("name", name)
        return PASS

    @staticmethod
    def _stock(text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        """ "Есть все размеры", "в наличии любой цвет": only when the facts say so."""
        claims = sorted(_quantified(text) - _quantified(facts.all_text))
        return Verdict("stock", " ".join(claims[0])) if claims else PASS

    @staticmethod
    def _questions(text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        """Ask what the template asks, or what the state asks, and nothing else; and never
        drop the template's question (the dialogue would stall)."""
        asked = asked_for(facts.template)
        permitted = set(asked)
        if (slot := QUESTIONS.get(facts.state)) is not None:
            permitted.add(slot)
        template_questions = _Known(" ".join(_requests(facts.template)))
        for sentence in _requests(text):
            slots = _slots_asked(sentence)
            if slots - permitted:
                return Verdict("question", ", ".join(sorted(slots - permitted)))
            if not slots and (word := _first_unknown(sentence, template_questions)) is not None:
                return Verdict("question", f"{sentence.strip()[:60]} ({word})")
        dropped = asked - asked_for(text)
        if dropped:
            return Verdict("unasked", ", ".join(sorted(dropped)))
        return PASS

    def _dropped(self, text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        """The template's prices, terms and colours are what the customer asked about
        ("сколько стоят?", "когда доставите?", "какие цвета?"): a rewrite that loses one is
        worse than the template."""
        said = {(q.value, q.unit) for q in _stated(text)}
        terms = {(q.value, q.unit) for q in _stated(facts.template) if q.unit} - said
        lost = [f"{value} {unit}" for value, unit in sorted(terms)]
        lost += sorted(self._named_colors(facts.template) - self._named_colors(text))
        return Verdict("dropped", ", ".join(lost)) if lost else PASS

    def _vocabulary(self, text: str, facts: ReplyFacts, known: _Known) -> Verdict:
        """Every word from the facts or the documented vocabulary; the shop's own word for a
        colour the facts give («пломбир» for молочный) counts as that colour."""
        given = self._named_colors(facts.all_text)
        for mention in self.shop_colors.mentions(text):
            if mention.color in given:
                text = text.replace(mention.said, mention.color)
        word = _first_unknown(digitized(text), known)
        return Verdict("unsupported", word) if word is not None else PASS


class _Known:
    """The words and numbers of a text the reply may use, indexed once per check."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        self.words = frozenset(words(text))
        # Each word as written and its most likely dictionary form: "уже" does not give "узкий".
        self.lemmas = frozenset(self.words | {lemma(w) for w in self.words})
        self.all_lemmas = frozenset().union(*(lemma_set(w) for w in self.words))
        self.stems: dict[str, list[str]] = {}
        for known in self.lemmas:
            if len(known) >= _STEM:
                self.stems.setdefault(known[:_STEM], []).append(known)
        self._quantities: list[Quantity] | None = None

    @property
    def quantities(self) -> list[Quantity]:
        if self._quantities is None:
            self._quantities = _stated(self.text)
        return self._quantities

    def has(self, forms: Iterable[str]) -> bool:
        """Whether any form is known, or a word of the same root: "доставим" for "доставка",
        "оплатить" for "оплата" (a shared beginning of all but the last three letters)."""
        for form in forms:
            if form in self.lemmas:
                return True
            for known in self.stems.get(form[:_STEM], ()):
                shared = len(os.path.commonprefix([form, known]))
                if shared >= max(_STEM, min(len(form), len(known)) - _ENDING):
                    return True
        return False


_STEM = 5
_ENDING = 3


@cache
def _conversation() -> frozenset[str]:
    """The conversational vocabulary as the dictionary forms a reply's words are compared by."""
    listed = CONVERSATION.split()
    return frozenset({*listed, *(lemma(w) for w in listed)})


def _first_unknown(text: str, known: _Known) -> str | None:
    """The first content word of the text that neither `known` nor the conversational
    vocabulary has; None when every one is supported."""
    conversation = _conversation()
    for word in words(text):
        if word.isdigit() or len(word) < 2:
            continue
        if is_latin(word):
            if word not in known.words and word not in ENGLISH:
                return word
            continue
        if _is_function_word(word):
            continue
        forms = lemma_set(word)
        if forms & conversation or known.has(forms):
            continue
        return word
    return None


def _is_function_word(word: str) -> bool:
    tag = morph().parse(word)[0].tag
    if tag.POS in _FUNCTION_POS:
        return True
    # Ordinals left after `digitized` are small ones: "вторые", "первый вариант".
    return tag.POS == "ADJF" and ("Apro" in tag or "Anum" in tag)


def _quantified(text: str) -> set[tuple[str, str]]:
    """(quantifier, noun) pairs, the noun a few words after: ("весь", "размер") in "во всех
    размерах", ("весь", "наличие") in "всё есть в наличии"; "всё ещё" is "still"."""
    found = words(text)
    lemmas = [lemma_set(w) for w in found]
    pairs = set()
    for i, forms in enumerate(lemmas):
        if found[i + 1 : i + 2] == ["еще"]:
            continue
        for quantifier in forms & _QUANTIFIERS:
            for near in lemmas[i + 1 : i + 1 + _QUANTIFIER_WINDOW]:
                name = "весь" if quantifier == "все" else quantifier
                pairs |= {(name, noun) for noun in near & _STOCK_NOUNS}
    return pairs


def _requests(text: str) -> Iterator[str]:
    """The sentences of a text that ask or request something."""
    for sentence in _SENTENCE.findall(text):
        if "?" in sentence or _REQUEST.search(sentence) or _imperative(sentence):
            yield sentence


def _imperative(sentence: str) -> bool:
    """A verb in the imperative: "оставьте номер", "ждите звонка", "давайте посмотрим"."""
    for word in _CYRILLIC_WORD.findall(sentence):
        tag = morph().parse(word.lower())[0].tag
        if tag.POS == "VERB" and "impr" in tag:
            return True
    return False


def _slots_asked(sentence: str) -> set[str]:
    return {slot for slot, pattern in _ASKS.items() if pattern.search(sentence)}


def asked_for(text: str) -> set[str]:
    """The slots a text asks the customer for: sentences that end in "?" or request something."""
    asked: set[str] = set()
    for sentence in _requests(text):
        asked |= _slots_asked(sentence)
    return asked


def language_of(text: str) -> str | None:
    """ "kk", "ru" or "en" by the letters used; None for a text without letters."""
    if _KAZAKH.search(text):
        return "kk"
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if not cyrillic and not latin:
        return None
    return "en" if latin > cyrillic else "ru"


def _letter_words(text: str) -> list[str]:
    """Words of letters in any alphabet, apostrophes dropped ("Tod's" → "tods"). Kazakh letters
    are kept (not folded): they are what tells the language."""
    lowered = text.lower().replace("ё", "е")
    return [w.replace("'", "").replace("’", "") for w in _LETTER_WORD.findall(lowered)]


def digitized(text: str) -> str:
    """The text with numbers written in words as digits: "сорок тысяч тенге" → "40000 тенге",
    "пару дней" → "2 дней", "тридцать восьмой размер" → "38 размер", "через день" → "через 1
    день". A lone "один", "пару" or small ordinal stays a word unless a unit follows it
    ("покажу пару моделей")."""
    text = _ONE_UNIT.sub(r"\1 1 \2", text)
    pieces: list[str] = []
    position = 0
    for start, end, value in _numeral_runs(text):
        if value in _NEEDS_UNIT and not _UNIT_AFTER.match(text, end):
            continue
        pieces += [text[position:start], f"{value:g}" if value < 1e6 else str(int(value))]
        position = end
    return "".join(pieces) + text[position:]


def _numeral_runs(text: str) -> Iterator[tuple[int, int, float]]:
    """(start, end, value) of every run of numeral words, separated by spaces only."""
    run: list[tuple[int, int, float, bool]] = []  # start, end, value, multiplier
    for match in [*_CYRILLIC_WORD.finditer(text), None]:
        number = _numeral(match.group(0)) if match else None
        joined = match is not None and bool(run) and not text[run[-1][1] : match.start()].strip()
        if run and (number is None or not joined):
            yield run[0][0], run[-1][1], _run_value(run)
            run = []
        if match is not None and number is not None:
            run.append((match.start(), match.end(), *number))


def _numeral(word: str) -> tuple[float, bool] | None:
    """(value, whether it multiplies) of a numeral word, or None for any other word."""
    forms = lemma_set(word.lower())
    for form in forms:
        if form in _MULTIPLIERS:
            return float(_MULTIPLIERS[form]), True
        if form in _CARDINALS:
            return float(_CARDINALS[form]), False
        if form in _ORDINALS and morph().parse(word.lower())[0].tag.POS == "ADJF":
            return float(_ORDINALS[form]), False
    return None


def _run_value(run: list[tuple[int, int, float, bool]]) -> float:
    total, current = 0.0, 0.0
    for _, _, value, multiplies in run:
        if multiplies:
            total += (current or 1) * value
            current = 0
        else:
            current += value
    return total + current


def _stated(text: str) -> list[Quantity]:
    """The numbers a text states, in digits or in words; dates are checked on their own."""
    return quantities(_DATE.sub(" ", digitized(text)))


def quantities(text: str) -> list[Quantity]:
    """Every number the text writes in digits, with its unit and topic; a range gives two."""
    found = []
    for match in _NUMBER.finditer(text):
        unit_text = (match.group(3) or "").lower()
        topic = _topic(text, match.start(), match.end())
        for raw in filter(None, (match.group(1), match.group(2))):
            digits = re.sub(r"[ \u00a0\u202f]", "", raw).replace(",", ".")
            number = float(digits)
            unit = _unit(unit_text)
            if unit_text.startswith(("тыс", "k", "к")):
                number *= 1000
            elif unit == "" and number >= 1000:
                unit = "money"
            value = f"{number:g}" if number < 1e6 else str(int(number))
            found.append(Quantity(value, unit, topic))
    return found


def numbers_in(text: str) -> list[tuple[str, str]]:
    """(canonical value, what kind of fact it states) for every number the text writes."""
    return [(q.value, q.kind) for q in quantities(text)]


def _unit(unit_text: str) -> str:
    if not unit_text:
        return ""
    for stems, unit in _UNIT_OF:
        if unit_text.startswith(stems):
            return unit
    return "date"  # a month's name


def _topic(text: str, start: int, end: int) -> str:
    """What the number at text[start:end] is about: the nearest topic cue in its clause (a
    price cue only when there is none: "доставка стоит 1 000 ₸" is about delivery), else in its
    sentence, else the product."""
    folded = fold_letters(text)
    for boundary in (_CLAUSE_END, _SENTENCE_END):
        left = max((m.end() for m in boundary.finditer(text, 0, start)), default=0)
        right_end = boundary.search(text, end)
        right = right_end.start() if right_end else len(text)
        cues = [
            (m.lastgroup == "product", m.start() - end if m.start() >= end else start - m.end(),
             m.lastgroup or "product")
            for m in _TOPIC_RE.finditer(folded, left, right)
        ]  # fmt: skip
        if cues:
            return min(cues)[2]
    return "product"


def _product_words(catalog: Catalog) -> frozenset[str]:
    """The words that name the shop's products: brands, model names and kind nouns, in every
    dictionary form; adjectives and colours in names ("классические", "черный") are left out,
    they describe rather than name."""
    found: set[str] = set()
    for product in catalog.products.values():
        for text in (product.name, product.brand or "", *product.aliases):
            for word in words(text):
                if len(word) < 3 or word.isdigit():
                    continue
                if is_latin(word):
                    found |= lemma_set(word)
                elif not is_known_word(word):
                    found |= lemma_set(word)
                elif morph().parse(word)[0].tag.POS in _NOUN_POS:
                    found |= lemma_set(word, nominal_only=True)
    return frozenset(found)
