"""Answers to customer questions from the shop's own data: the catalog, live stock, the shop's
facts and its sales scripts.

A message may ask several things ("сколько доставка в Астану и можно в рассрочку?"): it is cut
into its questions (`ottenok.sentences`) and each is answered from the source that holds the
fact asked for, most exact first:

1. the chosen product's price, material, sizes and colours: the catalog and LIVE stock, so a
   sold-out size is never offered;
2. the shop's facts (`ottenok.shop_info`): delivery to the asked city (its own row beats its
   region's, which beats the country's), installments, payment, returns — the sentence that
   holds the fact, with its numbers;
3. the products of a kind or a brand ("какие кроссовки есть?", "что есть от Шанель?") with
   prices, in stock first, within a budget when one is named ("есть что-нибудь до 50
   тысяч?"); a brand the shop does not carry gets "Nike у нас нет" with the shop's brands of
   the same kind; "какие есть?" of nothing named gets the assortment;
4. the best-matching sales-script paragraph, by hybrid retrieval (IDF-weighted word stems plus
   the vector store when it answers). The size-advice section is used only for questions about
   choosing a size: "размер" in a question about returns or stock does not bring it in. When
   a product is discussed, sentences about other products and brands are left out; a line
   announcing a table comes with the table.

A clause that only tells something beside the message's questions ("Астана.", "я из алматы",
"самба белые.") is not answered, and each fact is said once in a reply. Nothing is made up: a
question none of these answers gets no answer (the engine then offers a manager), and a
message without a question ("?", "😍") is no question at all.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from razdel import sentenize

from ottenok.assortment import Assortment, kind_of_product
from ottenok.brand_names import brand_key, brand_kind, brands_named
from ottenok.catalog import Catalog
from ottenok.filling.product_words import ProductKinds
from ottenok.filling.sizes import find_size
from ottenok.morphology import lemma, to_latin, tokens
from ottenok.normalize import fold
from ottenok.phrasing.delivery_terms import delivery_line
from ottenok.phrasing.templates import Templates
from ottenok.phrasing.words import (
    capitalized,
    counted,
    inflect_phrase,
    join_words,
    joined,
    plural,
    price_text,
    size_text,
)
from ottenok.places import Place, PlaceKind, find_places
from ottenok.product_vocabulary import TYPE_PLURALS, kind_words
from ottenok.sentences import pieces, sentences, split_questions
from ottenok.shop_info import TOPIC_WORDS, DeliveryRow, ShopInfo, Topic, topics_of
from ottenok.size_table import parse_size_rows

PRICE_RE = re.compile(
    r"сколько\s+сто|сто[иья]т|цен[аыуео]|стоимост|почем|прайс|по\s+деньгам|\bprice\b"
)
MATERIAL_RE = re.compile(r"материал|из\s+чего|кож[аиу]|замш|натуральн|экокож|текстил")
SIZES_RE = re.compile(
    r"как(?:ие|ой|их)\s+(?:есть\s+|у\s+вас\s+|остал[а-я]*\s+)?размер|размер[а-я]*\s+(?:есть|"
    r"остал|в\s+наличии|какие)|есть\s+(?:ли\s+)?(?:\d\d|размер)|остал[а-я]*\s+размер|размерн[а-я]*"
    r"\s+ряд|какие\s+размеры"
)
COLORS_RE = re.compile(
    r"как(?:ие|ой|ого|их)\s+(?:есть\s+)?цвет|в\s+каких\s+цвет|цвет[а-я]*\s+(?:есть|остал|какие)"
    r"|есть\s+(?:ли\s+)?(?:в\s+)?(?:друг[а-я]*\s+)?цвет|расцветк|оттенк"
)
#: Asking how to choose a size, not which sizes are in stock.
SIZE_ADVICE_RE = re.compile(
    r"подобрать\s+размер|подбор[а-я]*\s+размер|какой\s+(?:мне\s+)?размер\s+(?:брать|взять|"
    r"выбрать|нужен|подойд|мне)|как\s+(?:выбрать|определить|узнать|понять|подобрать)\s+"
    r"(?:свой\s+|мой\s+|нужный\s+)?размер|маломер|большемер|(?<!не\s)в\s+размер(?![а-я])"
    r"|по\s+размеру|размерн[а-я]*\s+сетк|таблиц[а-я]*\s+размер|стоп[аеуы](?![а-я])|ступн"
    r"|стельк|длин[а-я]*\s+(?:стоп|ног|стельк)|\d+[.,]?\d*\s*см(?![а-я])|сантиметр|полнот"
    r"|широк[а-я]*\s+(?:стоп|ног)|между\s+размер|какой\s+размер\s+у\s+меня"
)
#: Asking what there is ("какие кроссовки есть?", "что есть из сумок?", "ремни есть?").
LISTING_RE = re.compile(
    r"как(?:ие|ой|ая|ое|их)|что\s+(?:есть|из|у\s+вас|имеется)|есть|име[ею]тся|бывают|продает"
    r"|продаёт|в\s+наличии|ассортимент|выбор|модел|вариант|посоветуй|предлож|подбер"
    r"|(?<![а-я])бар(?![а-я])"  # Kazakh: "сөмкелер бар ма?"
)
#: "а если не подойдёт?": what the scripts say about it, else the returns policy.
FIT_WORRY_RE = re.compile(r"не\s+(?:подойд[её]т|подойдут|подошл[аио]?|подходит|подходят|понрав)")
#: Asking about delivery cost or time: answered from the delivery rows.
DELIVERY_TERMS_RE = re.compile(
    r"сколько|стоимост|стоит|цен[аыуе]|почем|платн|бесплатн|по\s+деньгам|срок|дн[еяи]|день|"
    r"когда|как\s+быстро|долго|за\s+сколько|идет|ид[её]т|дойд|прид|привез|доставля|доставит"
    r"|отправля|отправит|доставка|тариф"
)
#: Asking how long delivery takes (not what something costs).
DELIVERY_TIME_RE = re.compile(
    r"срок|дн[еяи]|день|когда|как\s+быстро|долго|за\s+сколько|ид[её]т|дойд|прид|привез"
)
#: Asking from what order sum delivery is free ("а от какой суммы бесплатно?").
FREE_DELIVERY_RE = re.compile(r"бесплатн|(?:от|с)\s+какой\s+суммы|free")
#: Words that make a clause a question even without its question mark.
QUESTION_CUE_RE = re.compile(
    r"(?<![а-я])(?:сколько|как(?:ой|ая|ое|ие|их|им|ую)?|где|когда|почему|зачем|куда|откуда"
    r"|можно|есть|ли|бывают|имеется|нужно|надо|подскаж[а-я]*|скаж[а-я]*|интересу[а-я]*"
    r"|цен[аыу]|стоимост[а-я]*|почем|что)(?![а-я])"
)
#: What a place may be said with when the clause only tells where the customer is.
_PLACE_FILLER = frozenset(
    "я мы из в во с со г город городе города а и тоже живу живем нахожусь находимся сама сам"
    " по до".split()
)
#: "какие есть?", "здравствуйте, что у вас есть в наличии?": what there is, of nothing in
#: particular (greetings and politeness around it).
_BARE_LISTING_WORDS = frozenset(
    "какие какой какая какое каких что есть у вас в наличии имеется имеются сейчас а и ещё еще"
    " вообще ассортимент модели модель варианты вариант покажите показать можете предложить"
    " посоветуйте посоветуете бывают продаете продаёте там из ну пожалуйста подскажите скажите"
    " интересно ли вы мне можно глянуть посмотреть другие другой другая другое здравствуйте"
    " здрасьте привет добрый день вечер утро салем салам сәлеметсіз бе девушка hello hi".split()
)
#: Asking for other models than the one chosen ("а какие ещё есть?", "другие есть?").
_OTHERS_RE = re.compile(r"(?<![а-я])(?:ещ[её]|друг[а-я]*)(?![а-я])")
#: Words any question may use: they say nothing about its topic.
QUESTION_WORDS = frozenset(
    "сколько стоить можно если какой какая какие есть быть когда куда откуда почему зачем"
    " нужно надо хотеть мочь другой этот весь свой который очень просто также тоже вообще"
    " подсказать сказать пожалуйста скажите здравствуйте привет добрый день спасибо".split()
)
# A Latin word asked about that is nobody's word in this shop: a brand it does not carry.
_LATIN_ASKED_RE = re.compile(
    r"(?i:есть|продаете|продаёте|бывает|бывают|имеется|у\s+вас)\s+(?i:ли\s+)?(?i:что-?\s?"
    r"(?:нибудь|то)\s+)?(?i:от\s+|из\s+)?([A-Z][A-Za-z&'.-]{2,}(?:\s+[A-Z][A-Za-z&'.-]+)?)"
    r"|^\s*(?i:а\s+)?([A-Z][A-Za-z&'.-]{2,}(?:\s+[A-Z][A-Za-z&'.-]+)?)\s+(?i:есть|бывает"
    r"|продаете)"
)
_WORD_RE = re.compile(r"[a-zа-я]+")
# "до 100 тысяч", "дешевле 50к", "не дороже 80 000": the most the customer wants to pay.
_BUDGET_RE = re.compile(
    r"(?:до|дешевле|не\s+дороже|в\s+пределах|максимум|бюджет[а-я]*)\s+(\d[\d\s]*?)\s*"
    r"(тыс[а-я]*\.?|т\.?(?![а-я])|к(?![а-я])|k(?![a-z])|000)?\s*(?:₸|тг|тенге)?(?![\d])"
)
#: A line of a table in a script: "37 — 24 см", "Астана | 1 день".
_TABLE_ROW_RE = re.compile(r"^(?!.*:$).*(?:\d|\s[—–|-]\s)")
MIN_SCRIPT_SCORE = 0.25
#: What `product_fact` answers about the chosen product.
_PRODUCT_FACT_RES = (PRICE_RE, MATERIAL_RE, SIZES_RE, COLORS_RE)
LEXICAL_WEIGHT = 0.5
#: A question naming a topic prefers the script sections whose heading names it.
TOPIC_BONUS = 1.0
#: How much more a question word found in a section's heading counts than one in its text.
HEADING_WEIGHT = 0.5
MAX_ANSWER_CHARS = 600
#: A line this short standing alone in a section is a table row or a label, not an answer.
MIN_PARAGRAPH_CHARS = 20
#: An answer whose numbers another states and whose words it mostly states is a repeat.
REPEAT_SHARE = 0.6
#: The word a kind's number of products is counted in ("сумки — 7 моделей").
MODEL_WORD = "модель"
#: An assortment line names at most this many kinds of a type, then "и другие".
ASSORTMENT_KINDS = 4
#: A product list names at most this many products, then "…и ещё N".
MAX_LISTED = 8

log = logging.getLogger("ottenok.answers")


class ScriptSearch(Protocol):
    """The knowledge store as answers use it (adapters.chroma_store.KnowledgeStore)."""

    def search_scripts(self, query: str, k: int = 3) -> list[Any]: ...


class ColorFinder(Protocol):
    """The shop's colour words (`ottenok.colors.ColorLexicon`)."""

    def find(self, text: str) -> list[str]: ...


class _Match(Protocol):
    product_id: str
    reason: str


class ProductFinder(Protocol):
    """The shop's product matcher (`ottenok.lookup.ProductMatcher`) and its colour words."""

    @property
    def colors(self) -> ColorFinder: ...

    def find(self, text: str, limit: int = 3) -> Sequence[_Match]: ...


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to a message: `text` (None when the shop's data answer none of its
    questions), the products it lists (a reply need not list them again as options), and
    whether the message asked anything at all ("?" or "😍" asks nothing)."""

    text: str | None
    listed: tuple[str, ...] = ()
    asked: bool = False


@dataclass(slots=True)
class _Question:
    """One question of a message, with what it carries over from the question before it
    ("в Темиртау доставляете? сколько по деньгам" asks the second about delivery to Темиртау;
    "хочу кроссовки. какие есть?" asks the second about sneakers).

    `asked`: False for a clause that only tells something beside the message's questions
    ("Астана.", "я из алматы", "самба белые."); `subject`: the clause naming the goods it is
    about (its own text, or the one before it), and whether that came from this message;
    `goods`: whether the clause itself names a kind, a brand or a product."""

    text: str
    topics: list[Topic]
    places: list[Place]
    asked: bool = True
    goods: bool = False
    subject: str | None = None
    subject_here: bool = False
    listed: list[str] = field(default_factory=list)


class ScriptIndex:
    """Lexical side of script retrieval: IDF-weighted overlap of word stems.

    Word vectors miss short questions whose key word differs in form from the script's
    ("обменять" vs "Обмен и возврат"); stems weighted by how rare they are across the shop's
    sections catch those, while words every section shares ("можно", "размер") count little.
    """

    def __init__(self, sections: Sequence[tuple[str, str]]) -> None:
        self.sections = [(topic, text, stems(f"{topic} {text}")) for topic, text in sections]
        self.headings = {topic: stems(topic) for topic, _ in sections}
        count = len(self.sections)
        document_frequency: dict[str, int] = {}
        for _, _, found in self.sections:
            for stem in found:
                document_frequency[stem] = document_frequency.get(stem, 0) + 1
        self.idf = {
            stem: math.log((count + 1) / (df + 0.5)) for stem, df in document_frequency.items()
        }
        self.unknown = math.log((count + 1) / 0.5)

    def weight(self, variants: frozenset[str]) -> float:
        """How telling a word is: a word the scripts never use weighs as much as the rarest
        one, so a question about something the shop never wrote about cannot match on its one
        common word."""
        return max((self.idf[v] for v in variants if v in self.idf), default=self.unknown)

    def scores(self, question: str) -> dict[str, tuple[float, str]]:
        """Topic → (share of the question's word weight found in it, section text). A word
        of the heading counts more than one of the text: the heading says what the section is
        about ("оригинал?" is about "Оригинальность", not the objection that mentions it)."""
        words = [(variants, self.weight(variants)) for variants in word_stems(question)]
        total = sum(weight for _, weight in words)
        result: dict[str, tuple[float, str]] = {}
        for topic, text, found in self.sections:
            heading = self.headings[topic]
            matched = sum(
                weight * (1 + HEADING_WEIGHT if variants & heading else 1)
                for variants, weight in words
                if variants & found
            )
            share = matched / total if total else 0.0
            if share > result.get(topic, (-1.0, ""))[0]:
                result[topic] = (share, text)
        return result


class Answerer:
    """Answers a customer's questions from the catalog, stock, the shop's facts and scripts."""

    def __init__(
        self,
        catalog: Catalog,
        templates: Templates,
        scripts: ScriptSearch | None = None,
        sections: Sequence[tuple[str, str]] | None = None,
        shop: ShopInfo | None = None,
        matcher: ProductFinder | None = None,
    ) -> None:
        self.catalog = catalog
        self.shop = shop or ShopInfo()
        self.t = templates.with_names(self.shop.name, self.shop.assistant)
        self.scripts = scripts
        self.sections = list(sections or [])
        self.index = ScriptIndex(self.sections)
        self.assortment = Assortment(catalog)
        self.kinds = ProductKinds(catalog)
        if matcher is None:
            from ottenok.lookup import ProductMatcher

            matcher = ProductMatcher(catalog)
        self.matcher = matcher
        self.colors = matcher.colors
        # The size-advice sections: a heading about size, or a size table in the text.
        self.size_sections = {
            topic
            for topic, text in self.sections
            if "размер" in fold(topic) or len(parse_size_rows(text)) >= 3
        }
        # Words the shop itself uses: a Latin word among them ("Kaspi") is no unknown brand.
        self._shop_words = {
            w
            for text in [t for _, t in self.sections] + [p.name for p in catalog.products.values()]
            for w in _WORD_RE.findall(fold(text))
        }

    # -- the message -------------------------------------------------------------------

    def asks_anything(self, message: str) -> bool:
        """Whether the message holds a question with words: "?" or "😍" does not."""
        return bool(split_questions(message))

    async def answer(
        self, question: str, product_id: str | None, city: str | None = None
    ) -> str | None:
        """The answer to every question of the message, or None when the shop's data answer
        none. `city`: the customer's city, for delivery questions that name none."""
        return (await self.reply(question, product_id, city)).text

    async def reply(
        self,
        message: str,
        product_id: str | None,
        city: str | None = None,
        color: str | None = None,
        before: str | None = None,
        offered: Sequence[str] = (),
    ) -> Reply:
        """`answer` with what the reply lists and whether anything was asked. `color`: the
        colour chosen (sizes are given in it unless the question names another); `before`:
        the customer's previous message, so "а в Караганду?" after a delivery question is one;
        `offered`: the products just shown to choose among, which "а черные есть?" asks about
        while none is chosen.

        Each fact is said once: an answer stating nothing the others do not (the same product,
        price and numbers) is left out, and an answer after a list starts on its own line."""
        answers: list[str] = []
        listed: list[str] = []
        previous = self._read(before, None, False, from_before=True) if before else None
        found_pieces = pieces(message)
        marked = any(piece.marked for piece in found_pieces)
        asked = False
        for piece in found_pieces:
            question = self._read(piece.text, previous, marked and not piece.marked)
            previous = question
            if not question.asked:
                continue
            asked = True
            found = await self._answer_one(question, product_id, city, color, offered)
            if found:
                answers = _without_repeats(answers, found)
            listed.extend(pid for pid in question.listed if pid not in listed)
        return Reply(joined(self._named_once(answers)) or None, tuple(listed), asked=asked)

    def _named_once(self, answers: list[str]) -> list[str]:
        """Answers about a product an earlier answer named, without its name: "Рюкзак Mango
        Mini: 14 900 ₸. Есть черный." """
        said: list[str] = []
        for answer in answers:
            names = [p.name for p in self.catalog.products.values() if answer.startswith(p.name)]
            name = max(names, key=len, default=None)
            if name and any(name in earlier for earlier in said):
                answer = capitalized(answer[len(name) :].lstrip(" :"))
            said.append(answer)
        return said

    def remark(self, message: str) -> Reply | None:
        """What a message that asks nothing still needs from the shop's data before a
        product is chosen: a brand the shop does not carry ("хочу сумку фурла": "Furla у нас
        нет, есть …") or a budget ("сумки до 30к": the ones within it). None when it names
        neither."""
        question = self._read(message, None, False)
        if not (self._brands_not_carried(message) or _budget(fold(message))):
            return None
        text = self._listing(question, required=False)
        return Reply(text, tuple(question.listed)) if text else None

    def _read(
        self,
        text: str,
        previous: _Question | None,
        unmarked: bool,
        from_before: bool = False,
    ) -> _Question:
        """One clause as a question: its topics and places, with what it carries over from
        the clause before it; `unmarked`: it lacks the question mark other clauses of its
        message have, so without a question word it only tells something."""
        folded = fold(text)
        topics = topics_of(text)
        places = find_places(text)
        goods = self._names_goods(text)
        terms = bool(DELIVERY_TERMS_RE.search(folded))
        if not topics and places and terms and not goods:
            topics = [Topic.DELIVERY]  # "в павлодар сколько дней?"
        follows_delivery = previous is not None and Topic.DELIVERY in previous.topics
        follows_place = previous is not None and not previous.asked and bool(previous.places)
        if not topics and not goods and (
            (follows_delivery and (places or terms or FREE_DELIVERY_RE.search(folded)))
            or (follows_place and DELIVERY_TIME_RE.search(folded))
        ):
            # "а в Астану?", "сколько по деньгам?" after a delivery question, "сколько дней?"
            # after "Караганда.": still delivery, to the place said before.
            topics = [Topic.DELIVERY]
        if Topic.DELIVERY in topics and not places and previous and (
            follows_delivery or follows_place
        ):
            places = previous.places
        if not topics and FREE_DELIVERY_RE.search(folded) and _asks_threshold(folded):
            topics = [Topic.DELIVERY]  # "а от какой суммы бесплатно?"
        tells_place = _only_places(text, places) and Topic.DELIVERY not in topics
        tells_only = unmarked and not topics and not QUESTION_CUE_RE.search(folded)
        question = _Question(text, topics, places, asked=not (tells_place or tells_only))
        question.goods = goods
        if goods:
            question.subject, question.subject_here = text, not from_before
        elif previous is not None and previous.subject:
            question.subject = previous.subject
            question.subject_here = previous.subject_here and not from_before
        return question

    def _names_goods(self, text: str) -> bool:
        """Whether the text names a kind of product, a brand or a product of the shop."""
        if self.kinds.mentions(text) or brands_named(text):
            return True
        return any(_names_product(match.reason) for match in self.matcher.find(text))

    # -- one question ------------------------------------------------------------------

    async def _answer_one(
        self,
        q: _Question,
        product_id: str | None,
        city: str | None,
        color: str | None = None,
        offered: Sequence[str] = (),
    ) -> str | None:
        text = fold(q.text)
        advice = bool(SIZE_ADVICE_RE.search(text))
        if product_id and not q.topics and not advice:
            fact = self.product_fact(q.text, product_id, color)
            if fact is not None:
                # "сумка джил сандер черная оригинал?": what else it asks, from the scripts.
                rest = self._beyond_the_goods(q.text)
                extra = rest and await self._from_scripts(
                    _Question(rest, [], []), False, product_id
                )
                return f"{fact} {extra}" if extra else fact
        if not product_id and offered and not q.topics and not advice:
            fact = self._among_offered(q, list(offered))
            if fact is not None:
                return fact
        for topic in q.topics:
            fact = self._shop_fact(topic, q, city)
            if fact is not None:
                return fact
        if not q.topics and not advice:
            listing = self._listing(q, product_id=product_id, color=color)
            if listing is not None:
                return listing
            if not product_id and (SIZES_RE.search(text) or COLORS_RE.search(text)):
                return self.t.get("answer_which_model")
        found = await self._from_scripts(q, advice, product_id)
        if FIT_WORRY_RE.search(text):  # "а если не подойдут?": fitting, and the returns policy
            returns = self._shop_fact(Topic.RETURNS, q, city)
            parts = [part for part in (found, returns) if part]
            return " ".join(dict.fromkeys(parts)) or None
        return found

    def product_fact(
        self, question: str, product_id: str | None, color: str | None = None
    ) -> str | None:
        """Price, material, sizes and colours of the chosen product: the catalog and live
        stock (sizes in the colour the question names, else in the colour chosen); None when
        the question asks none of these."""
        product = self.catalog.get(product_id)
        if product is None:
            return None
        text = fold(question)
        values = {"product": product.name}
        facts: list[str] = []
        if PRICE_RE.search(text):
            price = price_text(self.catalog.price(product.id))
            facts.append(self.t.get("answer_price").format(price=price, **values))
        if MATERIAL_RE.search(text) and product.material:
            facts.append(self.t.get("answer_material").format(material=product.material, **values))
        own_colors = self.catalog.colors(product.id)
        colors_named = [c for c in self.colors.find(question) if c in own_colors]
        if SIZES_RE.search(text) or (colors_named and not COLORS_RE.search(text)):
            chosen = color if color in own_colors else None
            facts.append(self._sizes(product.id, colors_named[0] if colors_named else chosen))
        elif COLORS_RE.search(text):
            availability = self.catalog.check_availability(product.id)
            if availability.colors:
                colors = join_words(availability.colors)
                facts.append(self.t.get("answer_colors").format(colors=colors, **values))
            else:
                facts.append(self.t.get("answer_sold_out").format(**values))
        return " ".join(self._named_once(facts)) or None

    def _sizes(self, product_id: str, color: str | None) -> str:
        """The sizes in stock (in the colour asked for), never a sold-out one."""
        product = self.catalog.products[product_id]
        availability = self.catalog.check_availability(product_id, None, color)
        values = {"product": product.name}
        if color is not None and not availability.color_in_stock:
            others = join_words(self.catalog.check_availability(product_id).colors)
            if not others:
                return self.t.get("answer_sold_out").format(**values)
            return self.t.get("answer_no_sizes_in_color").format(
                color=color, colors=others, **values
            )
        if not availability.in_stock and not availability.sizes:
            return self.t.get("answer_sold_out").format(**values)
        if not availability.sizes:  # a product without sizes: its colours say what is there
            colors = join_words(availability.colors)
            return self.t.get("answer_colors").format(colors=colors, **values)
        sizes = join_words(availability.sizes, 12)
        if color is not None:
            return self.t.get("answer_sizes_in_color").format(color=color, sizes=sizes, **values)
        return self.t.get("answer_sizes").format(sizes=sizes, **values)

    # -- the shop's facts ----------------------------------------------------------------

    def _shop_fact(self, topic: Topic, q: _Question, city: str | None) -> str | None:
        if topic == Topic.DELIVERY:
            text = fold(q.text)
            if q.places or DELIVERY_TERMS_RE.search(text) or FREE_DELIVERY_RE.search(text):
                return self._delivery(q.places, city, bool(FREE_DELIVERY_RE.search(text)))
            return None
        text = {
            Topic.INSTALLMENTS: self.shop.installments,
            Topic.PAYMENT: self.shop.payment,
            Topic.RETURNS: self.shop.returns,
        }[topic]
        return self._best_sentences(text, q.text, topic) if text else None

    def _delivery(self, places: list[Place], city: str | None, free: bool = False) -> str | None:
        """The delivery rows for the places asked about, else for the customer's city, else
        every row; None when the shop's files give no row that applies. Asked when delivery is
        free (`free`), the threshold the rows share is the answer, else the rows with one."""
        rows = [row for row in self.shop.delivery if row.has_terms]
        if not rows:
            return None
        found: list[tuple[DeliveryRow, str | None]] = []
        for place in places:
            if place.kind == PlaceKind.CITY:
                row = self.shop.delivery_for(place.name)
                if row is not None:
                    found.append((row, place.name))
                continue
            same = [r for r in rows if any(p.name == place.name for p in r.places)]
            general = [r for r in rows if r.is_country_wide or r.is_general]
            found.extend((row, None) for row in (same or general)[:1])
        if not places:
            row = self.shop.delivery_for(city)
            found = [(row, city)] if row is not None else [(r, None) for r in rows]
        if free:
            threshold = _shared_threshold([row for row, _ in found])
            if threshold is not None:
                return self.t.get("answer_free_delivery_from").format(amount=price_text(threshold))
            found = [(r, p) for r, p in found if r.free_from is not None or r.price == 0] or found
        lines = [delivery_line(self.t, row, place) for row, place in found]
        return " ".join(dict.fromkeys(lines)) or None

    def _best_sentences(self, text: str, question: str, topic: Topic) -> str:
        """The sentences of a shop fact that share a telling word with the question besides
        the topic's own words ("наличными курьеру можно?" → the courier sentence); all of it
        when none does."""
        topic_words = TOPIC_WORDS[topic]
        asked = [
            word_stems(token)[0]
            for token in tokens(question)
            if not topic_words.search(token) and word_stems(token)
        ]
        found = sentences(text)
        kept = [s for s in found if any(v & stems(s) for v in asked)]
        if not kept or len(kept) == len(found):
            return text
        return " ".join(kept)

    # -- products of a kind or a brand -----------------------------------------------------

    def _listing(
        self,
        q: _Question,
        product_id: str | None = None,
        color: str | None = None,
        required: bool = True,
    ) -> str | None:
        """The shop's products of the kind or brand asked about (within the budget named),
        what it has instead of a brand it does not carry, or, asked what there is of nothing
        in particular, what the clause before named, the chosen product's sizes or the
        assortment; None when the question asks none of these. `required`: only for a
        question that asks what there is ("какие", "есть"…) or names a budget."""
        text = fold(q.text)
        if required and not (LISTING_RE.search(text) or _budget(text)):
            return None
        subject = q.text
        if not q.goods and _bare_listing(text):  # "какие есть?", "что у вас есть?"
            chosen = product_id is not None and product_id in self._products_named(q.subject or "")
            if q.subject and not chosen and (q.subject_here or not product_id):
                subject = q.subject
            elif product_id:
                others = self._others_of_kind(product_id) if _OTHERS_RE.search(text) else []
                if others:  # "а какие ещё есть?"
                    return self._product_list(others, q)
                return self._sizes(product_id, color)  # "лоферы гуччи 38. есть?": its stock
            elif _budget(text) is None:
                return self._assortment()
        unknown = self._brands_not_carried(subject)
        if unknown:
            return self._unknown_brand(unknown, subject, q)
        mentions = [m for m in self.kinds.mentions(subject) if m.sold]
        if mentions:
            same: list[str] = []
            family: list[str] = []
            for mention in mentions:
                kind, others = self.assortment.products_of_kind(mention.word)
                same.extend(pid for pid in kind if pid not in same)
                family.extend(pid for pid in others if pid not in family)
            family = [pid for pid in family if pid not in same]
            if not same and not family:
                return None
            branded = self._brand_products(subject)
            if branded and not set(branded) & set(same + family):
                return self._brand_without_kind(branded, mentions[0].word, same + family, q)
            if branded:  # "сумки гуччи": the shop's Gucci bags
                same = [pid for pid in same if pid in branded]
                family = [pid for pid in family if pid in branded]
            if not any(self.assortment.in_stock(pid) for pid in same):
                return self._product_list(same or family, q, family if same else ())
            return self._product_list(same + family, q)
        by_brand = self._brand_products(subject)
        if by_brand:
            return self._product_list(by_brand, q)
        if _budget(text) is not None:  # "есть что-нибудь до 50 тысяч?"
            return self._product_list(list(self.catalog.products), q)
        return None

    def _others_of_kind(self, product_id: str) -> list[str]:
        """The shop's other products of the chosen product's kind (and family)."""
        kind = kind_of_product(self.catalog.products[product_id])
        if kind is None:
            return []
        same, family = self.assortment.products_of_kind(kind.word)
        return [pid for pid in same + family if pid != product_id]

    def _brand_products(self, text: str) -> list[str]:
        """The shop's products of the brands the text names."""
        found = [
            m.product_id
            for m in self.matcher.find(text, limit=len(self.catalog.products))
            if "brand:" in m.reason
        ]
        for brand in brands_named(text):
            found += [pid for pid in self.assortment.products_of_brand(brand) if pid not in found]
        return found

    def _brands_not_carried(self, text: str) -> list[str]:
        """The brands the text names that the shop has no product of."""
        named: dict[str, str] = {}
        for brand in brands_named(text) + self._unknown_latin_words(text):
            named.setdefault(brand_key(brand), brand)
        return [brand for brand in named.values() if not self.assortment.products_of_brand(brand)]

    def _unknown_brand(self, brands: list[str], subject: str, q: _Question) -> str:
        """ "Nike у нас нет 🙏" and what the shop has of the same kind: the products of the
        kind the customer named, else the brands of the kind the brand is known for, else
        the shop's brands (or kinds)."""
        brand = join_words(brands)
        named = [m.word for m in self.kinds.mentions(subject) if m.sold]
        known = [kind for b in brands if (kind := brand_kind(b)) is not None]
        for word in named or known[:1]:
            same, family = self.assortment.products_of_kind(word)
            live = [pid for pid in same + family if self.assortment.in_stock(pid)]
            kind_type = next((k.type for k in kind_words(word) if k.type), None)
            if not live and not named and kind_type:  # no sneakers at all: the shop's shoes
                word = TYPE_PLURALS[kind_type]
                same, family = self.assortment.products_of_kind(word)
                live = [pid for pid in same + family if self.assortment.in_stock(pid)]
            if not live:
                continue
            if named:
                q.listed = live[:MAX_LISTED]
                return self._lines(
                    "answer_unknown_brand_list", live, brand=brand, kind=plural(word)
                )
            offer = self.assortment.brands(live)
            if offer:
                return self.t.get("answer_unknown_brand_kind").format(
                    brand=brand, kind=plural(word), offer=join_words(offer, limit=5)
                )
        offer = self.assortment.brands() or self.assortment.kinds()
        return self.t.get("answer_unknown_brand").format(
            brand=brand, offer=join_words(offer, limit=5)
        )

    def _brand_without_kind(
        self, branded: list[str], kind: str, others: list[str], q: _Question
    ) -> str:
        """ "сумки миу миу есть?" where the shop has Miu Miu, but no Miu Miu bags: said so,
        with the bags it has."""
        live = [pid for pid in others if self.assortment.in_stock(pid)]
        if not live:
            return self._product_list(others, q)
        brands = dict.fromkeys(self.catalog.products[pid].brand or "" for pid in branded)
        what = capitalized(inflect_phrase(plural(kind), "gent", plural=True))
        q.listed = live[:MAX_LISTED]
        return self._lines(
            "answer_unknown_brand_list",
            live,
            brand=f"{what} {join_words(list(brands))}",
            kind=plural(kind),
        )

    def _assortment(self) -> str | None:
        """What the shop has in stock: per type, how many models and of which kinds."""
        lines = []
        for product_type, number, kinds in self.assortment.kinds_by_type():
            count = counted(number, MODEL_WORD)
            if 0 < len(kinds) <= 2:
                line = self.t.get("answer_assortment_kinds").format(
                    kinds=join_words(kinds), count=count
                )
            else:
                shown = join_words(kinds, ASSORTMENT_KINDS)
                if len(kinds) > ASSORTMENT_KINDS:
                    shown = self.t.get("answer_assortment_more").format(
                        kinds=", ".join(kinds[:ASSORTMENT_KINDS])
                    )
                line = self.t.get("answer_assortment_type").format(
                    type=TYPE_PLURALS[product_type], count=count, kinds=shown
                ).rstrip(": ")
            lines.append(line)
        if not lines:
            return None
        return self.t.get("answer_assortment").format(items="\n".join(lines))

    def _unknown_latin_words(self, question: str) -> list[str]:
        """A capitalised Latin name asked about ("Есть Zadig?") that neither the catalog nor
        the scripts use: a brand the shop does not carry."""
        match = _LATIN_ASKED_RE.search(question)
        if match is None:
            return []
        name = (match.group(1) or match.group(2)).strip(".'")
        words = _WORD_RE.findall(fold(name))
        if any(w in self._shop_words or self.colors.find(w) for w in words):
            return []
        return [name]

    def _product_list(self, ids: list[str], q: _Question, similar: Sequence[str] = ()) -> str:
        """In-stock products with prices, one line each; sold-out ones only named. When every
        product asked for is sold out, the `similar` ones in stock are offered instead; with a
        budget ("до 100 тысяч"), the ones within it, cheapest first."""
        budget = _budget(fold(q.text))
        if budget is not None:
            return self._within_budget(ids, budget, q)
        live = [pid for pid in ids if self.assortment.in_stock(pid)]
        names = [self.catalog.products[pid].name for pid in ids if pid not in live]
        if not live:
            gone = self.t.get("answer_kind_none").format(items=join_words(names, limit=5))
            others = [pid for pid in similar if self.assortment.in_stock(pid)]
            if not others:
                return gone
            q.listed = others[:MAX_LISTED]
            return f"{gone}\n{self._lines('answer_kind_similar', others)}"
        q.listed = live[:MAX_LISTED]
        text = self._lines("answer_kind_list", live)
        if names:
            text += "\n" + self.t.get("answer_kind_sold_out").format(items=join_words(names, 5))
        return text

    def _within_budget(self, ids: list[str], budget: int, q: _Question) -> str:
        live = [pid for pid in ids if self.assortment.in_stock(pid)]
        live.sort(key=lambda pid: self.catalog.price(pid) or 0)
        within = [pid for pid in live if (self.catalog.price(pid) or 0) <= budget]
        if within:
            q.listed = within[:MAX_LISTED]
            return self._lines("answer_kind_list", within)
        q.listed = live[:3]
        return self._lines("answer_over_budget", live[:3], budget=price_text(budget))

    def _among_offered(self, q: _Question, offered: list[str]) -> str | None:
        """ "а черные есть?", "38 есть?", "сколько стоят?" about the products just shown: those
        of them in stock in that colour and size, with prices; None when the question names
        no colour, size or price (or another kind or brand: then it is a new listing)."""
        if self.kinds.mentions(q.text) or brands_named(q.text):
            return None
        colors = self.colors.find(q.text)
        size = find_size(q.text, expecting=bool(SIZES_RE.search(fold(q.text))))
        if not colors and size is None:
            priced = PRICE_RE.search(fold(q.text))
            return self._lines("answer_kind_list", offered) if priced else None
        color = colors[0] if colors else None
        fitting = [p for p in offered if self.catalog.check_availability(p, size, color).in_stock]
        parts = [f"в цвете «{color}»"] if color else []
        parts += [f"в {size_text(size)} размере"] if size else []
        what = " ".join(parts)
        if not fitting:
            return self.t.get("answer_offered_none").format(what=what)
        q.listed = fitting[:MAX_LISTED]
        return self._lines("answer_offered_fit", fitting, what=what)

    def _lines(self, template: str, ids: list[str], **values: str) -> str:
        lines = [
            f"• {self.catalog.products[pid].name} — {price_text(self.catalog.price(pid))}"
            for pid in ids[:MAX_LISTED]
        ]
        text = self.t.get(template).format(items="\n".join(lines), **values)
        if len(ids) > MAX_LISTED:
            text += "\n" + self.t.get("answer_kind_more").format(more=len(ids) - MAX_LISTED)
        return text

    # -- the sales scripts -----------------------------------------------------------------

    def _beyond_the_goods(self, text: str) -> str:
        """The words of a question that are not about the goods and their facts (the kind,
        brand, model, colour, size, price, material): "оригинал" of "сумка джил сандер черная
        оригинал?"; empty when nothing else is asked."""
        kept = [
            word
            for word in _WORD_RE.findall(fold(text))
            if len(word) > 2
            and word not in QUESTION_WORDS
            and lemma(word) not in QUESTION_WORDS
            and not kind_words(word)
            and not self.colors.find(word)
            and not self.matcher.find(word, limit=1)
            and not any(rule.search(word) for rule in _PRODUCT_FACT_RES)
        ]
        return " ".join(kept)

    async def _from_scripts(
        self, q: _Question, advice: bool, product_id: str | None = None
    ) -> str | None:
        """The best paragraph of the best-matching script section; None below the bar. When
        the question is about a product (the chosen one, or one it names), sentences about
        other products and brands are no part of its answer ("Модели Casadei маломерят" is no
        answer about a Sergio Rossi)."""
        ranked = await self.rank_sections(q.text, advice, q.topics)
        if not ranked or ranked[0][0] < MIN_SCRIPT_SCORE:
            return None
        _, topic, text = ranked[0]
        discussed = {product_id} if product_id else self._products_named(q.text)
        if not discussed and q.subject:  # "кроссовки даш. а они маломерят?"
            discussed = self._products_named(q.subject)
        asked = q.text
        if discussed:
            text = "\n".join(
                " ".join(s for s in sentences(line) if not self._about_others(s, discussed))
                for line in text.splitlines()
            )
            # the paragraph naming the product's brand holds what is said about it
            brands = {self.catalog.products[pid].brand for pid in discussed}
            asked = " ".join([q.text, *sorted(b for b in brands if b)])
        return best_paragraph(text, asked, self.index, topic, q.topics) or None

    def _products_named(self, text: str) -> set[str]:
        """The shop's products a text names by brand or model: a model named ("Adidas
        Samba") narrows its brand to it; a brand alone names all its products."""
        found = [
            (m.product_id, {r.split(":")[0] for r in m.reason.split(", ")})
            for m in self.matcher.find(text, limit=len(self.catalog.products))
        ]
        models = {pid for pid, roles in found if "model" in roles}
        modelled = {self.catalog.products[pid].brand for pid in models}
        return models | {
            pid
            for pid, roles in found
            if "brand" in roles and self.catalog.products[pid].brand not in modelled
        }

    def _about_others(self, sentence: str, discussed: set[str]) -> bool:
        """Whether a script sentence speaks of products or brands, none of them discussed
        and not of the discussed products' kind ("кроссовки маломерят" is about any
        sneakers)."""
        named = self._products_named(sentence)
        elsewhere = self._brands_not_carried(sentence)
        if not (named or elsewhere) or named & discussed:
            return False
        kinds = {k.kind_number for m in self.kinds.mentions(sentence) for k in kind_words(m.word)}
        return not any(
            (kind := kind_of_product(self.catalog.products[pid])) and kind.kind_number in kinds
            for pid in discussed
        )

    async def rank_sections(
        self, question: str, advice: bool | None = None, topics: Sequence[Topic] | None = None
    ) -> list[tuple[float, str, str]]:
        """Script sections as (score, topic, text), best first, by hybrid retrieval: the
        lexical share and the vector score, with a bonus for a heading naming the question's
        topic. The size-advice section takes part only when the question asks how to choose a
        size (`advice`; read from the question when None)."""
        if advice is None:
            advice = bool(SIZE_ADVICE_RE.search(fold(question)))
        topics = topics_of(question) if topics is None else topics
        vector: dict[str, tuple[float, str]] = {}
        hits = await self._vector_hits(question)
        for hit in hits or ():
            topic = str(hit.metadata.get("topic", hit.id))
            if hit.score > vector.get(topic, (-1.0, ""))[0]:
                vector[topic] = (hit.score, hit.text)
        lexical = self.index.scores(question)
        lexical_weight = LEXICAL_WEIGHT if hits is not None else 1.0
        ranked: list[tuple[float, str, str]] = []
        for topic in vector.keys() | lexical.keys():
            if topic in self.size_sections and not advice:
                continue
            v_score, v_text = vector.get(topic, (0.0, ""))
            l_score, l_text = lexical.get(topic, (0.0, ""))
            score = lexical_weight * l_score + (1 - lexical_weight) * v_score
            if score >= MIN_SCRIPT_SCORE and _names_topic(topic, topics):
                score += TOPIC_BONUS
            ranked.append((score, topic, l_text or v_text))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        return ranked

    async def _vector_hits(self, question: str) -> list[Any] | None:
        """Script hits by meaning; None without a store or when its embedding call fails (an
        embedding API may be down): the lexical side then answers alone."""
        if self.scripts is None:
            return None
        try:
            return await asyncio.to_thread(self.scripts.search_scripts, question, 5)
        except Exception as err:
            log.warning("vector search failed, lexical search only: %s", err)
            return None


def _budget(text: str) -> int | None:
    """The most the customer wants to pay, in tenge ("до 100 тысяч", "до 30к" → 30 000);
    only a sum that says it is money: "до 38" is a size."""
    match = _BUDGET_RE.search(text)
    if match is None:
        return None
    amount = int(re.sub(r"\D", "", match.group(1)))
    if match.group(2):
        return amount * 1000 if amount < 1000 else amount
    return amount if amount >= 1000 else None


def _asks_threshold(text: str) -> bool:
    """ "от какой суммы бесплатно?", "с какой суммы доставка бесплатная": the threshold."""
    return bool(re.search(r"(?:от|с)\s+(?:какой|скольки)|сумм", text))


def _only_places(text: str, places: list[Place]) -> bool:
    """Whether the clause only says where the customer is ("Астана", "я из алматы")."""
    if not places:
        return False
    rest = text
    for place in sorted(places, key=lambda p: -p.start):
        rest = rest[: place.start] + " " + rest[place.end :]
    return all(word in _PLACE_FILLER for word in _WORD_RE.findall(fold(rest)))


def _bare_listing(text: str) -> bool:
    """ "какие есть?", "что у вас есть в наличии?": what there is, of nothing named."""
    found = _WORD_RE.findall(text)
    return bool(found) and all(word in _BARE_LISTING_WORDS for word in found)


def _names_product(reason: str) -> bool:
    """Whether a product match rests on the product's brand or model, not a common word."""
    return any(part.split(":")[0] in ("brand", "model") for part in reason.split(", "))


def _shared_threshold(rows: Sequence[DeliveryRow]) -> int | None:
    """The free-delivery threshold every row of a non-free delivery has, if they share one."""
    paid = [row for row in rows if row.price != 0]
    thresholds = {row.free_from for row in paid}
    return thresholds.pop() if len(thresholds) == 1 and None not in thresholds else None


_NUMBER_RE = re.compile(r"\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,]\d+)?")


def _facts_of(text: str) -> tuple[set[str], set[str]]:
    """The numbers an answer states and its word stems: what two answers compare by."""
    numbers = {re.sub(r"[ \u00a0\u202f]", "", n) for n in _NUMBER_RE.findall(text)}
    return {n.replace(",", ".") for n in numbers}, stems(text)


def _repeats(answer: str, other: str) -> bool:
    """Whether `answer` states nothing `other` does not: its numbers are among the other's
    and so are most of its words ("Рюкзак Mango Mini: 14 900 ₸." after the list line
    "• Рюкзак Mango Mini — 14 900 ₸"); an answer without numbers only when all its words
    are ("…: есть черный" is news after "…: 14 900 ₸")."""
    numbers, words = _facts_of(answer)
    other_numbers, other_words = _facts_of(other)
    if not numbers <= other_numbers or not words:
        return False
    share = len(words & other_words) / len(words)
    return share >= REPEAT_SHARE if numbers else share == 1  # without numbers, every word


def _without_repeats(answers: list[str], found: str) -> list[str]:
    """The answers so far with a new one: left out when it repeats one of them, and taking
    the place of those it states everything of."""
    if any(_repeats(found, given) for given in answers):
        return answers
    return [given for given in answers if not _repeats(given, found)] + [found]



def _names_topic(heading: str, topics: Sequence[Topic]) -> bool:
    """Whether a section heading names one of the question's topics; installments are
    written under payment as often as on their own."""
    named = set(topics_of(heading))
    return any(t in named or (t == Topic.INSTALLMENTS and Topic.PAYMENT in named) for t in topics)


def word_stems(text: str) -> list[frozenset[str]]:
    """Per word, its stems for lexical overlap: the lemma cut to five letters, in Cyrillic and
    Latin spelling; short words and numbers dropped.

    Cutting the lemma makes "обменять" meet "обмен" and "рассрочку" meet "рассрочка", and the
    Latin spelling makes "каспи" meet "Kaspi": word vectors alone miss these in short questions.
    """
    return [
        frozenset({token[:5], to_latin(token)[:5]})
        for token in tokens(text)
        if len(token) >= 4 and not token.isdigit() and token not in QUESTION_WORDS
    ]


def stems(text: str) -> set[str]:
    return set().union(*word_stems(text))


def best_paragraph(
    section: str,
    question: str,
    index: ScriptIndex | None = None,
    heading: str = "",
    topics: Sequence[Topic] = (),
) -> str:
    """The paragraph of a script section sharing the most telling word stems with the
    question (rare words weigh more when the shop's `index` is given; the first on a tie).

    A word naming the question's topic ("вернуть" in a returns question) must match a
    paragraph's word exactly, not by its stem: every paragraph of the section is about the
    topic, and "вернётся" is no answer to "вернуть". A question that only restates the heading
    ("как подобрать размер?") gets the section from its start.
    """
    paragraphs = _paragraphs(section)
    if not paragraphs:  # a short section: all of it
        return _whole_sentences(" ".join(_paragraphs(section, 0)), MAX_ANSWER_CHARS)
    asked: list[tuple[frozenset[str], float, str | None]] = []
    for token in tokens(question):
        for variants in word_stems(token):
            exact = any(TOPIC_WORDS[topic].search(token) for topic in topics)
            asked.append(
                (variants, index.weight(variants) if index else 1.0, token if exact else None)
            )

    def weight(text: str) -> float:
        found, lemmas = stems(text), set(tokens(text))
        return sum(
            w for variants, w, exact in asked if (exact in lemmas if exact else variants & found)
        )

    best = max(paragraphs, key=lambda p: (weight(p), -paragraphs.index(p)))
    if heading and weight(heading) > weight(best):
        return _whole_sentences("\n".join(paragraphs), MAX_ANSWER_CHARS)
    return _whole_sentences(best, MAX_ANSWER_CHARS)


def _paragraphs(section: str, shortest: int = MIN_PARAGRAPH_CHARS) -> list[str]:
    """The paragraphs of a script section, a line announcing a table ("сверьтесь с
    таблицей:") together with the table's lines after it; a line announcing what does not
    follow loses the announcing sentence, and lines up to `shortest` characters standing
    alone are left out."""
    lines = [line.strip() for line in section.split("\n") if line.strip()]
    found: list[str] = []
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if line.endswith(":"):
            rows = []
            while at < len(lines) and _TABLE_ROW_RE.search(lines[at]) and len(lines[at]) <= 60:
                rows.append(lines[at])
                at += 1
            if rows:
                found.append("\n".join([line, *rows]))
                continue
            line = " ".join(sentences(line)[:-1])
        if len(line) > shortest:
            found.append(line)
    return found


def _whole_sentences(text: str, limit: int) -> str:
    """The text cut after its last whole sentence within `limit` characters."""
    if len(text) <= limit:
        return text
    ends = [s.stop for s in sentenize(text) if s.stop <= limit]
    return text[: ends[-1]] if ends else text[:limit]
