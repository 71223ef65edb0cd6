"""The output guard: an LLM-phrased reply may say only what the machine's own reply could say.

The LLM rewrites a reply the state machine chose. Whatever it writes is checked here before a
customer sees it; a rejected reply is replaced by the template it rewrote. A reply is rejected
when it states a fact the turn's facts do not contain (a price, size, colour, product,
discount, delivery term, date or payment term), says the order is confirmed outside
`confirmed`, asks for something other than what the state and the template ask, switches
language, or is too long for a phone screen.

The checks compare the reply with the facts, never with the shop's whole catalog: "35 000 ₸"
is rejected in a turn about another product even though some product costs that much.
Pure logic over text: no network, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ottenok.catalog import Catalog
from ottenok.colors import ColorLexicon, generic_colors
from ottenok.morphology import is_known_word, is_latin, lemma_set, morph, words
from ottenok.normalize import fold
from ottenok.phrasing.templates import SPLIT
from ottenok.states.order import QUESTIONS, OrderState

#: A rewrite stays about as short as what it rewrites: customers read on a phone.
MIN_LIMIT = 450
LIMIT_SLACK = 150

# A number with what follows it: "35 000 ₸", "37,5", "2–5 дней", "10%".
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+(?:[.,]\d+)?)(?![\d])\s*"
    r"(%|процент\w*|₸|тг\b|тенге|тыс\w*|k\b|к\b|дн\w*|день|дня|недел\w*|час\w*|сут\w*|мин\w*"
    r"|январ\w*|феврал\w*|март\w*|апрел\w*|ма[яй]\b|июн\w*|июл\w*|август\w*|сентябр\w*"
    r"|октябр\w*|ноябр\w*|декабр\w*)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b\d{1,2}[./]\d{2}(?:[./]\d{2,4})?\b")
_SIZE_RANGE = (33.0, 46.0)

# Word stems that state a term of sale. Each stem is allowed when the facts contain it.
_CUES: dict[str, tuple[str, ...]] = {
    "discount": (
        "скидк", "акци", "промокод", "распродаж", "процент", "дешевл", "бонус", "кэшбэк",
        "кешбэк", "кешбек", "подар", "бесплатн", "sale", "discount",
    ),
    "delivery": ("самовывоз", "экспресс", "курьер", "почтой", "казпочт"),
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
    re.compile(
        r"(?:оформил[аи]?|подтвердил[аи]?|принял[аи]?|создал[аи]?|разместил[аи]?)\s+"
        r"(?:\w+\s+){0,2}?заказ",
        re.IGNORECASE,
    ),
    re.compile(r"\border\s+(?:is\s+|has been\s+|was\s+)?(?:confirmed|placed|accepted)", re.I),
]

# What a sentence that asks something asks for.
_ASKS: dict[str, re.Pattern[str]] = {
    "city": re.compile(r"город|из какого|откуда вы|\bcity\b", re.I),
    "product": re.compile(
        r"что (?:вам )?подобрать|что ищете|что вас интересует|как(?:ую|ая|ой) модел"
        r"|что (?:вы )?(?:хотите|выбрали)|что вам (?:нужно|показать)",
        re.I,
    ),
    "size": re.compile(r"размер|\bsize\b", re.I),
    "color": re.compile(r"цвет|\bcolou?r\b", re.I),
    "address": re.compile(r"адрес|улиц|квартир|\baddress\b", re.I),
    "confirmation": re.compile(r"вс[её] верно|вс[её] правильно|оформля|подтвержда|«да»", re.I),
}
_REQUEST = re.compile(
    r"напишите|подскажите|укажите|скажите|уточните|пришлите|отправьте|выберите|сообщите"
    r"|please (?:tell|send|write)",
    re.I,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_LINK = re.compile(r"https?://|www\.|\.(?:kz|ru|com)\b|@\w", re.I)
_QUOTED = re.compile(r"«([^»]{2,60})»|\"([^\"]{2,60})\"")
_KAZAKH = re.compile("[әғқңөұүһі]", re.I)
_CYRILLIC = re.compile("[а-яё]", re.I)
_LATIN = re.compile("[a-z]", re.I)
_NOUN_POS = frozenset({"NOUN", None})
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class ReplyFacts:
    """What a phrased reply may state, and where the dialogue stands.

    `template` is the machine's own reply that the LLM rewrote; `facts` is everything else the
    LLM was shown as true (catalog entries, script paragraphs, the rest of the turn's reply).
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

    def check(self, reply: str, facts: ReplyFacts) -> Verdict:
        """The first rule the reply breaks, or `PASS`."""
        text = reply.strip()
        if not text:
            return Verdict("empty")
        limit = max(self.min_limit, len(facts.template) + LIMIT_SLACK)
        if len(text) > limit:
            return Verdict("length", f"{len(text)} > {limit} characters")
        if SPLIT in text:
            return Verdict("format", "message separator in the reply")
        allowed = fold(facts.all_text)
        for check in (
            self._link,
            self._confirmation,
            self._question,
            self._language,
            self._numbers,
            self._cues,
            self._colors,
            self._products,
            self._names,
        ):
            verdict = check(text, facts, allowed)
            if not verdict.ok:
                return verdict
        return PASS

    # -- the rules, in the order a customer would be hurt most ---------------------------------

    @staticmethod
    def _link(text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        found = _LINK.search(text)
        if found and found.group(0).lower() not in allowed:
            return Verdict("link", found.group(0))
        return PASS

    @staticmethod
    def _confirmation(text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        if facts.state == OrderState.CONFIRMED:
            return PASS
        for pattern in _CONFIRMED:
            found = pattern.search(fold(text))
            if found:
                return Verdict("confirmation", found.group(0))
        return PASS

    @staticmethod
    def _question(text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        permitted = asked_for(facts.template)
        if (slot := QUESTIONS.get(facts.state)) is not None:
            permitted.add(slot)
        extra = asked_for(text) - permitted
        if extra:
            return Verdict("question", ", ".join(sorted(extra)))
        return PASS

    def _language(self, text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        known = set(_letter_words(facts.all_text))  # brand names do not change the language
        own = " ".join(w for w in _letter_words(text) if w not in known)
        reply = language_of(own)
        if reply is None:
            return PASS
        permitted = {language_of(facts.template) or "ru", language_of(facts.customer_text)}
        if reply not in permitted:
            return Verdict("language", reply)
        return PASS

    @staticmethod
    def _numbers(text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        given = {value for value, _ in numbers_in(facts.all_text)}
        for found in _DATE.finditer(text):
            if found.group(0) not in facts.all_text:
                return Verdict("date", found.group(0))
        for value, reason in numbers_in(_DATE.sub(" ", text)):
            if value not in given:
                return Verdict(reason, value)
        return PASS

    @staticmethod
    def _cues(text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        folded = fold(text)
        for reason, pattern in _CUE_WORD.items():
            for found in pattern.finditer(folded):
                cue = found.group(0).lower()
                if reason == "date" and _NOT_A_DATE.match(folded, found.start()):
                    continue
                if cue not in allowed:
                    return Verdict(reason, cue)
        return PASS

    def _named_colors(self, text: str) -> set[str]:
        return set(self.shop_colors.find(text)) | set(self.any_colors.find(text))

    def _colors(self, text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        extra = self._named_colors(text) - self._named_colors(facts.all_text)
        if extra:
            return Verdict("color", ", ".join(sorted(extra)))
        return PASS

    def _products(self, text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        given: set[str] = set()
        for word in words(facts.all_text):
            given |= lemma_set(word)
        for word in words(text):
            forms = lemma_set(word)
            if forms & self.product_words and not forms & given:
                return Verdict("product", word)
        return PASS

    @staticmethod
    def _names(text: str, facts: ReplyFacts, allowed: str) -> Verdict:
        """A quoted name (a shop, a model, a collection) must be one the facts use."""
        for found in _QUOTED.finditer(text):
            name = fold(found.group(1) or found.group(2))
            if name not in allowed:
                return Verdict("name", name)
        return PASS


def asked_for(text: str) -> set[str]:
    """The slots a text asks the customer for: sentences that end in "?" or request something."""
    asked: set[str] = set()
    for sentence in _SENTENCE.findall(text):
        if "?" not in sentence and not _REQUEST.search(sentence):
            continue
        asked |= {slot for slot, pattern in _ASKS.items() if pattern.search(sentence)}
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


def numbers_in(text: str) -> list[tuple[str, str]]:
    """(canonical value, what kind of fact it states) for every number in the text."""
    found = []
    for match in _NUMBER.finditer(text):
        raw, unit = match.group(1), (match.group(2) or "").lower()
        digits = re.sub(r"[ \u00a0\u202f]", "", raw).replace(",", ".")
        number = float(digits)
        if unit.startswith(("тыс", "k", "к")):
            number *= 1000
        value = f"{number:g}" if number < 1e6 else str(int(number))
        found.append((value, _number_reason(number, unit)))
    return found


def _number_reason(number: float, unit: str) -> str:
    if unit.startswith(("%", "процент")):
        return "discount"
    if unit.startswith(("₸", "тг", "тенге", "тыс", "k", "к")) or number >= 1000:
        return "price"
    if unit.startswith(("дн", "день", "дня", "недел", "час", "сут", "мин")):
        return "delivery"
    if unit:
        return "date"
    if _SIZE_RANGE[0] <= number <= _SIZE_RANGE[1]:
        return "size"
    return "number"


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
                if is_latin(word) or not is_known_word(word):
                    found |= lemma_set(word)
                elif morph().parse(word)[0].tag.POS in _NOUN_POS:
                    found |= lemma_set(word, nominal_only=True)
    return frozenset(found)
