"""The offline slot filler: rules and the shop's own vocabulary, no network and no model.

It reads one message in the light of the dialogue state: a bare "38" fills the size only when the
size was asked for, a line with a number is an address only when the address was asked for, and
"да" confirms only an order summary. Values are looked for in a fixed order so that one part of
the message cannot be read twice: the address is cut out first (its "150" is no size, its "Самал"
no product and its "Алтын" no colour), then the values the customer rejects ("не 38, а 39"),
then city, product, size and colour are read from what is left, piece by piece between
correction markers, the last piece naming a value winning ("37, хотя нет, 38").

A product already chosen is changed only on clear evidence: the new one named by its kind or brand
(or its model name, outside the address question), or the customer asking for another one
("хочу другие"). An answer to a clarification ("лоферы или мюли?" → "мюли") is read among the
products offered, so it keeps the brand said before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ottenok.catalog import Catalog
from ottenok.colors import ColorMention
from ottenok.filling.address import AddressMatch, Goods, match_address
from ottenok.filling.cities import CityMatch, find_city
from ottenok.filling.corrections import corrects, pieces, without_rejected
from ottenok.filling.intents import classify, wants_photos
from ottenok.filling.product_words import KindMention, ProductKinds
from ottenok.filling.sizes import find_size
from ottenok.normalize import fold, unglue
from ottenok.size_table import FootSize, SizeTable
from ottenok.slots import FillContext, Intent, SlotUpdate


class _Match(Protocol):
    product_id: str
    score: float


class ProductFinder(Protocol):
    """What the filler needs from `ottenok.lookup.ProductMatcher`."""

    def find(self, text: str, limit: int = 3) -> list[_Match]: ...

    def best(self, text: str) -> _Match | None: ...

    def is_name_word(self, word: str) -> bool: ...


class ColorFinder(Protocol):
    """What the filler needs from `ottenok.colors.ColorLexicon`."""

    def find(self, text: str) -> list[str]: ...

    def mentions(self, text: str) -> list[ColorMention]: ...


@dataclass(frozen=True, slots=True)
class Understanding:
    """Everything the filler read from one message: the `SlotUpdate`, plus what it cannot carry
    yet (the engine may pass these on to the reply):

    - `foot_size`: the size was converted from a foot length ("23,5 см — это 37 размер");
    - `color_mention`: the customer's colour word, `approximate` when the shop's nearest colour
      was taken for a shade it does not sell ("шампань" → "бежевый");
    - `corrected`: slots the customer changed within this message ("37, хотя нет, 38");
    - `wants_other_product`: "хочу другие", "покажите другую модель".
    """

    update: SlotUpdate
    foot_size: FootSize | None = None
    color_mention: ColorMention | None = None
    corrected: tuple[str, ...] = ()
    wants_other_product: bool = False


@dataclass(slots=True)
class _Reading:
    """The values of a message, filled piece by piece (later pieces win)."""

    address: AddressMatch | None = None
    city: CityMatch | None = None
    product: str | None = None
    candidates: list[str] = field(default_factory=list)
    size: str | None = None
    colors: tuple[ColorMention, ...] = ()  # the colours of the last piece naming any
    unsold: KindMention | None = None
    corrected: list[str] = field(default_factory=list)
    rejected: bool = False  # the message rejects a value: "не 38, а 39", "38 не надо"
    # the message takes back the size chosen: "ой нет 38", "ну тогда 38" (size 37 held)
    resized: bool = False

    def take(self, slot: str, value: object) -> None:
        """A later piece's value replaces an earlier one; the slot is then corrected."""
        if not value:
            return
        if getattr(self, slot) not in (None, (), value) and slot not in self.corrected:
            self.corrected.append("color" if slot == "colors" else slot)
        setattr(self, slot, value)


_CANDIDATE_LIMIT = 5
# A candidate must score near the best: "лоферы тодс" lists Tod's loafers, not every loafer
# and every Tod's product.
_CANDIDATE_SHARE = 0.8
_NAMED_BY = re.compile(r"\b(?:kind|brand):")
_NAMED_BY_KIND = re.compile(r"\bkind:")
_NAMED_BY_MODEL = re.compile(r"\b(?:kind|brand|model):")
# "хочу другие", "другую модель": another product, not another colour, size or address.
_ANOTHER_PRODUCT = re.compile(
    r"(?<![а-я])(?:друг(?:ие|ую|ой|ая|ое|их)|ещ[её]\s+вариант[а-я]*|что[- ](?:то|нибудь)\s+друг"
    r"[а-я]*)(?!\s+(?:цвет|размер|адрес|город|ден|врем|дат|номер|карт|способ)[а-я]*)(?![а-я])",
    re.IGNORECASE,
)
# "адрес другой", "размер другой нужен": another value, not another product.
_OTHER_SLOT_BEFORE = re.compile(
    r"(?:цвет|размер|адрес|город|ден|врем|дат|номер|карт|способ)[а-я]*\s*[,:-]?\s*$", re.IGNORECASE
)


def _asks_another_product(text: str) -> bool:
    """ "хочу другие", "покажите другую модель" — but not "адрес другой: …"."""
    return any(
        not _OTHER_SLOT_BEFORE.search(text[: found.start()])
        for found in _ANOTHER_PRODUCT.finditer(text)
    )
# What speaks of a place: numbered names ("Аксай-4", "Самал-2") and place words.
_PLACE_HINT = re.compile(
    r"[^\W\d_]{3,}-\d+|(?<![а-я])(?:живу|живем|район[а-я]*|мкр[а-я]*|микрорайон[а-я]*|жк"
    r"|улиц[а-я]*|ул|проспект[а-я]*|пр)(?![а-я])",
    re.IGNORECASE,
)
# "первые", "вторые покажите", "давайте третий вариант", "№2", a bare "2", "последние": a pick
# among the products just offered. A short message of an ordinal and words of choosing only.
# Kazakh ordinals are read folded ("екінші" → "екинши").
_ORDINALS = {"перв": 0, "втор": 1, "трет": 2, "четв": 3, "пят": 4, "шест": 5, "седьм": 6,
             "восьм": 7, "последн": -1, "биринш": 0, "екинш": 1, "ушинш": 2, "тортинш": 3,
             "бесинш": 4, "сонгы": -1}  # fmt: skip
_ORDINAL_WORD_RE = re.compile(r"^(" + "|".join(_ORDINALS) + r")[а-я]*$")
_NUMBER_PICK_RE = re.compile(r"^(?:№|n|#)?([1-8])$")
_PICK_WORDS = frozenset(
    "давайте давай хочу беру возьму мне вот можно покажите покажи скиньте скинь фото фотки"
    " вариант варианта модель модели модельку пара пару пары эти эту этот это номер под"
    " пожалуйста плиз а ну тогда нравится понравились понравился понравилась аламын алам"
    " маган мына сол".split()
)
_PICK_MAX_WORDS = 6
_SIZE_WORDS = frozenset({"размер", "размера", "р", "цвет", "цвета", "цвете", "цветом", "в"})


class OfflineSlotFiller:
    """Turns one customer message into a `SlotUpdate` with rules, lexicons and the catalog."""

    def __init__(
        self,
        catalog: Catalog,
        matcher: ProductFinder | None = None,
        colors: ColorFinder | None = None,
        sizes: SizeTable | None = None,
    ) -> None:
        self.catalog = catalog
        if matcher is None:
            from ottenok.lookup import ProductMatcher

            matcher = ProductMatcher(catalog, colors)  # type: ignore[arg-type]
            colors = colors or matcher.colors
        if colors is None:
            from ottenok.colors import ColorLexicon

            colors = ColorLexicon.for_catalog(catalog)
        self.matcher = matcher
        self.colors = colors
        self.sizes = sizes or SizeTable.default()
        self.kinds = ProductKinds(catalog)

    async def fill(self, text: str, context: FillContext) -> SlotUpdate:
        """The `SlotFiller` protocol; the rules take about a millisecond, so no thread."""
        return self.fill_sync(text, context)

    def fill_sync(self, text: str, context: FillContext) -> SlotUpdate:
        """The update, with what the reply may say back (a converted size, a nearest colour)."""
        read = self.understand(text, context, context.offered)
        extras: dict[str, object] = {"wants_other_product": read.wants_other_product}
        if read.foot_size is not None and read.update.size == read.foot_size.size:
            extras |= {"size_from_foot_cm": read.foot_size.foot_cm}
            extras |= {"size_table": read.foot_size.source}
        mention = read.color_mention
        if mention is not None and read.update.color == mention.color and mention.approximate:
            extras |= {"color_said": mention.said, "color_approximate": True}
        return read.update.model_copy(update=extras)

    def understand(
        self, text: str, context: FillContext, offered: Sequence[str] = ()
    ) -> Understanding:
        """Read one message: values first, then the intent, which depends on whether any came.

        `offered` are the products the last reply asked the customer to choose among.
        """
        reading, another = self._read(text, context, offered)
        product_id = reading.product or context.slots.product
        color = self._color(reading.colors, product_id, reading.candidates)
        foot_size = None
        if reading.size is None and self._sized(product_id, reading.candidates, context):
            foot_size = self.sizes.convert(text)
        size = reading.size or (foot_size.size if foot_size else None)
        city, unsold = reading.city, reading.unsold
        has_values = any(
            (reading.address, city, reading.product, reading.candidates, size, color, unsold)
        )
        intent = classify(text, has_values=has_values)
        changed = reading.corrected or reading.rejected or reading.resized
        if changed and intent == Intent.PROVIDE_INFO:
            intent = Intent.CORRECT  # "37, хотя нет, 38": the customer changed a value
        if intent == Intent.CONFIRM and (only := self._only_option(context)) is not None:
            # "да" to "в 38 есть только чёрный": the one option left is the answer.
            slot, value = only
            if slot == "size":
                size = value
            else:
                color = ColorMention(value, value)
            intent = Intent.PROVIDE_INFO
        update = SlotUpdate(
            intent=intent,
            city=city.name if city and city.is_kazakhstan else None,
            foreign_city=city.name if city and not city.is_kazakhstan else None,
            product=reading.product,
            product_type=self.catalog.product_type(reading.product) if reading.product else None,
            size=size,
            color=color.color if color else None,
            address=reading.address.text if reading.address else None,
            wants_photos=wants_photos(text),
            unsold_product=unsold.phrase if unsold else None,
            candidates=reading.candidates,
            question=text.strip() if intent == Intent.QUESTION else None,
        )
        return Understanding(update, foot_size, color, tuple(reading.corrected), another)

    # ---------------------------------------------------------------- reading

    def _read(
        self, text: str, context: FillContext, offered: Sequence[str]
    ) -> tuple[_Reading, bool]:
        """Every value of the message, each read from what the others left."""
        reading = _Reading(address=self._address(text, context))
        blanked = unglue(_blank(text, reading.address))  # the address stays as typed
        rest = without_rejected(blanked)
        reading.rejected = rest != blanked
        another = _asks_another_product(rest)
        picked = _pick(rest, offered, self._is_size_or_color)
        if picked is not None:
            reading.take("product", picked)
        sized_before = False
        # "ой нет 38", "ну тогда 38": a bare number that corrects changes the size chosen.
        correcting = context.slots.size is not None and corrects(rest)
        # A bare "39" while the chosen pair still lacks its size is the size, whatever question
        # is pending (the sizes were just listed; the city was asked next).
        size_open = self._size_open(context)
        for piece in pieces(rest):
            reading.take("city", self._city(piece))
            if picked is None:
                product, candidates = self._product(piece, context, offered, another)
                if product is not None or candidates:
                    reading.take("product", product)
                    reading.candidates = candidates if product is None else []
            expecting = any(
                (context.asking == "size", reading.rejected, sized_before, correcting, size_open)
            )
            size = find_size(piece, expecting=expecting)
            reading.resized |= correcting and size not in (None, context.slots.size)
            sized_before = sized_before or size is not None
            reading.take("size", size)
            reading.take("colors", tuple(self.colors.mentions(piece)))
        if reading.product is not None:
            reading.candidates = []
        unsold = next((m for m in self.kinds.mentions(rest) if not m.sold), None)
        if unsold is not None and unsold.audience:
            reading.product, reading.candidates = None, []  # "мужские туфли": not the shop's
        if reading.product is None:
            reading.unsold = unsold  # when a product is named, a stray kind word is no request
        return reading, another

    def _city(self, text: str) -> CityMatch | None:
        """The city named, unless a foreign one is really the shop's brand or model word
        ("туфли серджио росси" names no country)."""
        city = find_city(text)
        if city is None or city.is_kazakhstan:
            return city
        said = text[city.start : city.end].lower().split()
        return None if all(self.matcher.is_name_word(w) for w in said) else city

    def _address(self, text: str, context: FillContext) -> AddressMatch | None:
        """The address, unless an unmarked one is really a product sentence ("лоферы 38",
        "бежевые 38"). The shop's goods are passed in, so a comma part naming them stays out
        ("сапоги габор черные 39, ул Кенесары 52"). A colour word ("Алтын Орда 5") does not
        make an address goods, nor, once the product is chosen, a brand-like street name ("Нова
        12")."""
        named_by = _NAMED_BY_KIND if context.slots.product else _NAMED_BY

        def names_product(part: str) -> bool:
            return any(_named(m, named_by) for m in self.matcher.find(part, limit=1))

        goods = Goods(names_product, lambda word: bool(self.colors.find(word)))
        address = match_address(text, context.asking == "address", goods)
        if address is None or address.strong:
            return address
        has_size = find_size(address.text, expecting=True) is not None
        if names_product(address.text) or (has_size and self.colors.find(address.text)):
            return None
        return address

    def _product(
        self, text: str, context: FillContext, offered: Sequence[str], another: bool
    ) -> tuple[str | None, list[str]]:
        """The one product the text names, else the candidates when it names several."""
        if offered:
            chosen = self._among(text, offered)
            if chosen is not None:
                return chosen, []
        best = self.matcher.best(text)
        if best is not None:
            if self._may_switch(best, text, context, another):
                return best.product_id, []
            return None, []
        named = [m for m in self.matcher.find(text, limit=_CANDIDATE_LIMIT) if _named(m)]
        close = [m.product_id for m in named if m.score >= _CANDIDATE_SHARE * named[0].score]
        ids = list(dict.fromkeys(close)) or self.kinds.products_for(text)[:_CANDIDATE_LIMIT]
        if not ids or (context.slots.product in ids and not another):
            return None, []  # nothing named, or the product already chosen is meant
        narrowed = self._narrow(text, ids)
        if len(narrowed) == 1 and len(ids) > 1:
            return narrowed[0], []
        return None, ids

    def _may_switch(
        self, match: _Match, text: str, context: FillContext, another: bool
    ) -> bool:
        """Whether a product named in the text may replace the one already chosen: its kind or
        brand named, its model name where nothing speaks of a place, or "хочу другие"."""
        chosen = context.slots.product
        if chosen is None or match.product_id == chosen or another:
            return True
        reason = getattr(match, "reason", None)
        if not reason or _NAMED_BY.search(reason):
            return True
        if context.asking == "address" or _PLACE_HINT.search(text):
            return False  # "живу в Аксай-4": a place named like a model is no evidence
        return bool(_NAMED_BY_MODEL.search(reason))

    def _among(self, text: str, offered: Sequence[str]) -> str | None:
        """The one offered product the answer names ("мюли" after "лоферы или мюли?"), or the
        one the answer's colour or size leaves."""
        offered_set = set(offered)
        ranked = [
            m
            for m in self.matcher.find(text, limit=len(self.catalog.products))
            if m.product_id in offered_set and _NAMED_BY_MODEL.search(getattr(m, "reason", ""))
        ]
        if ranked:
            top = [m.product_id for m in ranked if m.score >= ranked[0].score - 1e-9]
            narrowed = self._narrow(text, top) if len(top) > 1 else top
            return narrowed[0] if len(narrowed) == 1 else None
        if self.colors.find(text) or find_size(text, expecting=True):
            narrowed = self._narrow(text, list(offered))
            return narrowed[0] if len(narrowed) == 1 else None
        return None

    def _narrow(self, text: str, ids: list[str]) -> list[str]:
        """Keep the candidates that exist in the colour and size the message also names."""
        colors = self.colors.find(text)
        size = find_size(text)
        kept = [
            pid
            for pid in ids
            if (not colors or any(c in self.catalog.colors(pid) for c in colors))
            and (size is None or size in self.catalog.sizes(pid))
        ]
        return kept if (colors or size) else ids

    def _color(
        self, mentions: Sequence[ColorMention], product_id: str | None, candidates: list[str]
    ) -> ColorMention | None:
        """The colour named, preferring one the product exists in; any shop colour otherwise
        (the engine then explains which colours the product has)."""
        if not mentions:
            return None
        own = set(self.catalog.colors(product_id)) if product_id else set()
        for pid in candidates:
            own |= set(self.catalog.colors(pid))
        return next((m for m in mentions if m.color in own), mentions[0])

    def _is_size_or_color(self, word: str) -> bool:
        """A word that gives a size or a colour ("38", "размер", "черные") beside a pick."""
        return word in _SIZE_WORDS or find_size(word, expecting=True) is not None or bool(
            self.colors.find(word)
        )

    def _size_open(self, context: FillContext) -> bool:
        """Whether the chosen product has sizes and none is chosen yet, away from the address
        question (where a bare number is a house)."""
        product = context.slots.product
        return (
            product is not None
            and context.slots.size is None
            and context.asking != "address"
            and bool(self.catalog.sizes(product))
        )

    def _only_option(self, context: FillContext) -> tuple[str, str] | None:
        """The size or colour asked for when the stock leaves exactly one (the question then
        offers it, and a yes takes it)."""
        product, slots = context.slots.product, context.slots
        if product is None or context.asking not in ("size", "color"):
            return None
        if context.asking == "size":
            options = self.catalog.check_availability(product, None, slots.color).sizes
        else:
            options = self.catalog.check_availability(product, slots.size, None).colors
        return (context.asking, options[0]) if len(options) == 1 else None

    def _sized(self, product_id: str | None, candidates: list[str], context: FillContext) -> bool:
        """Whether a foot length should be read as a shoe size: sizes matter to the product
        (or to one of the candidates, or none is chosen yet)."""
        ids = [product_id] if product_id else candidates
        return not ids or any(self.catalog.sizes(pid) for pid in ids)


def _pick(text: str, offered: Sequence[str], is_value: Callable[[str], bool]) -> str | None:
    """The offered product picked by its place in the list: "вторые", "№2", "2", "последние",
    perhaps with its size or colour ("вторые 38 черные"): `is_value` tells those words."""
    found = re.findall(r"[№#]?[a-zа-я0-9]+", fold(text))
    if not offered or not found or len(found) > _PICK_MAX_WORDS:
        return None
    index = None
    for word in found:
        ordinal, number = _ORDINAL_WORD_RE.match(word), _NUMBER_PICK_RE.match(word)
        if ordinal is None and number is None:
            if word not in _PICK_WORDS and not is_value(word):
                return None  # "первые два дня" or a sentence that only mentions an ordinal
            continue
        if index is not None:
            return None  # two picks: no single choice
        index = _ORDINALS[ordinal.group(1)] if ordinal else int(number.group(1)) - 1
    if index is None or not -len(offered) <= index < len(offered):
        return None
    return offered[index]


def _named(match: _Match, named_by: re.Pattern[str] = _NAMED_BY) -> bool:
    """Whether the match names the product by its kind or brand (see `ProductMatch.reason`),
    not by a stray word; matchers that give no reasons are trusted."""
    reason = getattr(match, "reason", None)
    return not reason or bool(named_by.search(reason))


def _blank(text: str, address: AddressMatch | None) -> str:
    """The text with the address replaced by spaces, so its numbers and names are not reused."""
    if address is None:
        return text
    return text[: address.start] + " " * (address.end - address.start) + text[address.end :]
