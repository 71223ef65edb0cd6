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
   prices, in stock first; a brand the shop does not carry gets "Dior у нас нет, есть …";
4. the best-matching sales-script paragraph, by hybrid retrieval (IDF-weighted word stems plus
   the vector store when it answers). The size-advice section is used only for questions about
   choosing a size: "размер" in a question about returns or stock does not bring it in.

Nothing is made up: a question none of these answers gets no answer (the engine then offers a
manager), and a message without a question ("?", "😍") is no question at all.
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

from ottenok.assortment import Assortment
from ottenok.brand_names import brand_key, brands_named
from ottenok.catalog import Catalog
from ottenok.filling.product_words import ProductKinds
from ottenok.morphology import to_latin, tokens
from ottenok.normalize import fold
from ottenok.phrasing.delivery_terms import delivery_line
from ottenok.phrasing.templates import Templates
from ottenok.phrasing.words import join_words, price_text
from ottenok.places import Place, PlaceKind, find_places
from ottenok.sentences import sentences, split_questions
from ottenok.shop_info import TOPIC_WORDS, ShopInfo, Topic, topics_of
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
)
#: Asking about delivery cost or time: answered from the delivery rows.
#: "а если не подойдёт?": what the scripts say about it, else the returns policy.
FIT_WORRY_RE = re.compile(r"не\s+(?:подойд[её]т|подойдут|подошл[аио]?|подходит|подходят|понрав)")
DELIVERY_TERMS_RE = re.compile(
    r"сколько|стоимост|стоит|цен[аыуе]|почем|платн|бесплатн|по\s+деньгам|срок|дн[еяи]|день|"
    r"когда|как\s+быстро|долго|за\s+сколько|идет|ид[её]т|дойд|прид|привез|доставля|доставит"
    r"|отправля|отправит|доставка|тариф"
)
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
MIN_SCRIPT_SCORE = 0.25
LEXICAL_WEIGHT = 0.5
#: A question naming a topic prefers the script sections whose heading names it.
TOPIC_BONUS = 1.0
#: How much more a question word found in a section's heading counts than one in its text.
HEADING_WEIGHT = 0.5
MAX_ANSWER_CHARS = 600
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
    ("в Темиртау доставляете? сколько по деньгам" asks the second about delivery to Темиртау)."""

    text: str
    topics: list[Topic]
    places: list[Place]
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
    ) -> Reply:
        """`answer` with what the reply lists and whether anything was asked. `color`: the
        colour chosen (sizes are given in it unless the question names another); `before`:
        the customer's previous message, so "а в Караганду?" after a delivery question is one."""
        answers: list[str] = []
        listed: list[str] = []
        previous: _Question | None = self._read(before, None) if before else None
        questions = split_questions(message)
        for text in questions:
            question = self._read(text, previous)
            found = await self._answer_one(question, product_id, city, color)
            if found and not any(found in given for given in answers):
                answers = [given for given in answers if given not in found] + [found]
            listed.extend(pid for pid in question.listed if pid not in listed)
            previous = question
        text = " ".join(answers) or None
        return Reply(text, tuple(listed), asked=bool(questions))

    def _read(self, text: str, previous: _Question | None) -> _Question:
        topics = topics_of(text)
        places = find_places(text)
        terms = bool(DELIVERY_TERMS_RE.search(fold(text)))
        if not topics and places and terms:
            topics = [Topic.DELIVERY]  # "в павлодар сколько дней?"
        if previous is not None and not topics and Topic.DELIVERY in previous.topics:
            # "а в Астану?", "сколько по деньгам?" after a delivery question: still delivery.
            if places or terms:
                topics = [Topic.DELIVERY]
                places = places or previous.places
        return _Question(text, topics, places)

    # -- one question ------------------------------------------------------------------

    async def _answer_one(
        self, q: _Question, product_id: str | None, city: str | None, color: str | None = None
    ) -> str | None:
        text = fold(q.text)
        advice = bool(SIZE_ADVICE_RE.search(text))
        if product_id and not q.topics and not advice:
            fact = self.product_fact(q.text, product_id, color)
            if fact is not None:
                return fact
        for topic in q.topics:
            fact = self._shop_fact(topic, q, city)
            if fact is not None:
                return fact
        if not q.topics and not advice:
            listing = self._listing(q)
            if listing is not None:
                return listing
            if not product_id and (SIZES_RE.search(text) or COLORS_RE.search(text)):
                return self.t.get("answer_which_model")
        found = await self._from_scripts(q, advice)
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
        return " ".join(facts) or None

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
            if q.places or DELIVERY_TERMS_RE.search(fold(q.text)):
                return self._delivery(q.places, city)
            return None
        text = {
            Topic.INSTALLMENTS: self.shop.installments,
            Topic.PAYMENT: self.shop.payment,
            Topic.RETURNS: self.shop.returns,
        }[topic]
        return self._best_sentences(text, q.text, topic) if text else None

    def _delivery(self, places: list[Place], city: str | None) -> str | None:
        """The delivery rows for the places asked about, else for the customer's city, else
        every row; None when the shop's files give no row that applies."""
        rows = [row for row in self.shop.delivery if row.has_terms]
        if not rows:
            return None
        lines: list[str] = []
        for place in places:
            if place.kind == PlaceKind.CITY:
                row = self.shop.delivery_for(place.name)
                if row is not None:
                    lines.append(delivery_line(self.t, row, place.name))
                continue
            same = [r for r in rows if any(p.name == place.name for p in r.places)]
            general = [r for r in rows if r.is_country_wide]
            for row in (same or general)[:1]:
                lines.append(delivery_line(self.t, row))
        if not places:
            row = self.shop.delivery_for(city)
            if row is not None:
                lines.append(delivery_line(self.t, row, city))
            else:
                lines.extend(delivery_line(self.t, r) for r in rows)
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

    def _listing(self, q: _Question) -> str | None:
        """The shop's products of the kind or brand asked about, or what it does instead of a
        brand it does not carry; None when the question names neither."""
        text = fold(q.text)
        if not LISTING_RE.search(text):
            return None
        mentions = [m for m in self.kinds.mentions(q.text) if m.sold]
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
            if not any(self.assortment.in_stock(pid) for pid in same):
                return self._product_list(same or family, q, family if same else ())
            return self._product_list(same + family, q)
        by_brand = [
            m.product_id
            for m in self.matcher.find(q.text, limit=len(self.catalog.products))
            if "brand:" in m.reason
        ]
        if by_brand:
            return self._product_list(by_brand, q)
        named: dict[str, str] = {}
        for brand in brands_named(q.text) + self._unknown_latin_words(q.text):
            named.setdefault(brand_key(brand), brand)
        for brand in named.values():
            ids = self.assortment.products_of_brand(brand)
            if ids:
                return self._product_list(ids, q)
        unknown = list(named.values())
        if unknown:
            offer = self.assortment.brands() or self.assortment.kinds()
            return self.t.get("answer_unknown_brand").format(
                brand=join_words(unknown), offer=join_words(offer, limit=5)
            )
        return None

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

    async def _from_scripts(self, q: _Question, advice: bool) -> str | None:
        """The best paragraph of the best-matching script section; None below the bar."""
        ranked = await self.rank_sections(q.text, advice, q.topics)
        if not ranked or ranked[0][0] < MIN_SCRIPT_SCORE:
            return None
        _, topic, text = ranked[0]
        return best_paragraph(text, q.text, self.index, topic, q.topics)

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
    """The most the customer wants to pay, in tenge ("до 100 тысяч" → 100 000)."""
    match = _BUDGET_RE.search(text)
    if match is None:
        return None
    amount = int(re.sub(r"\D", "", match.group(1)))
    if match.group(2) or amount < 1000:
        amount *= 1000
    return amount


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
    paragraphs = [p.strip() for p in section.split("\n") if len(p.strip()) > 20]
    if not paragraphs:
        return section.strip()[:MAX_ANSWER_CHARS]
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


def _whole_sentences(text: str, limit: int) -> str:
    """The text cut after its last whole sentence within `limit` characters."""
    if len(text) <= limit:
        return text
    ends = [s.stop for s in sentenize(text) if s.stop <= limit]
    return text[: ends[-1]] if ends else text[:limit]
