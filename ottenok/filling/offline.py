"""The offline slot filler: rules and the shop's own vocabulary, no network and no model.

It reads one message in the light of the dialogue state: a bare "38" fills the size only when the
size was asked for, a line with a number is an address only when the address was asked for, and
"да" confirms only an order summary. Values are looked for in a fixed order so that one part of
the message cannot be read twice: the address is cut out first (its "150" is no size and its
"Абая" no product), then city, product, size and colour are read from what is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from ottenok.catalog import Catalog
from ottenok.filling.address import AddressMatch, match_address
from ottenok.filling.cities import CityMatch, find_city
from ottenok.filling.intents import classify, wants_photos
from ottenok.filling.product_words import KindMention, ProductKinds
from ottenok.filling.sizes import find_size
from ottenok.slots import FillContext, Intent, SlotUpdate


class _Match(Protocol):
    product_id: str
    score: float


class ProductFinder(Protocol):
    """What the filler needs from `ottenok.lookup.ProductMatcher`."""

    def find(self, text: str, limit: int = 3) -> list[_Match]: ...

    def best(self, text: str) -> _Match | None: ...


class ColorFinder(Protocol):
    """What the filler needs from `ottenok.colors.ColorLexicon`."""

    def find(self, text: str) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one message says before size and colour are read from `rest`.

    `rest` is the text without the address and without values being replaced ("не 38, а"), and
    `replacing` tells that such a value was removed: the bare number left is then the new size.
    """

    rest: str
    replacing: bool
    address: AddressMatch | None
    city: CityMatch | None
    product: str | None
    candidates: list[str]
    unsold: KindMention | None


# "не 38, а 39", "вместо чёрных", "с 38 на 39": the old value must not be read as the new one.
_NEGATED_VALUE = [
    re.compile(r"(?<![а-я])не\s+[^,?!.]{1,30}?\s*,?\s+(?=а\s)", re.IGNORECASE),
    re.compile(r"(?<![а-я])вместо\s+\S+(?:\s+(?:размера|цвета))?", re.IGNORECASE),
    re.compile(r"(?<![а-я])с\s+\S+\s+(?=на\s)", re.IGNORECASE),
]
_CANDIDATE_LIMIT = 5
# A candidate must score near the best: "лоферы тодс" lists Tod's loafers, not every loafer
# and every Tod's product.
_CANDIDATE_SHARE = 0.8
_NAMED_BY = re.compile(r"\b(?:kind|brand):")


class OfflineSlotFiller:
    """Turns one customer message into a `SlotUpdate` with rules, lexicons and the catalog."""

    def __init__(
        self,
        catalog: Catalog,
        matcher: ProductFinder | None = None,
        colors: ColorFinder | None = None,
    ) -> None:
        self.catalog = catalog
        if matcher is None:
            from ottenok.lookup import ProductMatcher

            matcher = ProductMatcher(catalog)
        if colors is None:
            from ottenok.colors import ColorLexicon

            colors = ColorLexicon(c for pid in catalog.products for c in catalog.colors(pid))
        self.matcher = matcher
        self.colors = colors
        self.kinds = ProductKinds(catalog)

    async def fill(self, text: str, context: FillContext) -> SlotUpdate:
        """The `SlotFiller` protocol; the rules take well under a few milliseconds, so no thread."""
        return self.fill_sync(text, context)

    def fill_sync(self, text: str, context: FillContext) -> SlotUpdate:
        """Read one message: values first, then the intent, which depends on whether any came."""
        reading = self._read(text, context)
        product = reading.product
        product_id = product or context.slots.product
        size = find_size(reading.rest, expecting=context.asking == "size" or reading.replacing)
        color = self._color(reading.rest, product_id, reading.candidates)
        city = reading.city
        unsold = reading.unsold
        has_values = any((reading.address, city, product, reading.candidates, size, color, unsold))
        intent = classify(text, has_values=has_values)
        return SlotUpdate(
            intent=intent,
            city=city.name if city and city.is_kazakhstan else None,
            foreign_city=city.name if city and not city.is_kazakhstan else None,
            product=product,
            product_type=self.catalog.product_type(product) if product else None,
            size=size,
            color=color,
            address=reading.address.text if reading.address else None,
            wants_photos=wants_photos(text),
            unsold_product=unsold.phrase if unsold else None,
            candidates=reading.candidates,
            question=text.strip() if intent == Intent.QUESTION else None,
        )

    def _read(self, text: str, context: FillContext) -> _Reading:
        """The address, city and product of a message, each read from what the others left."""
        address = self._address(text, context.asking)
        blanked = _blank(text, address)
        rest = _without_negated(blanked)
        product, candidates = self._product(rest, context)
        unsold = next((m for m in self.kinds.mentions(rest) if not m.sold), None)
        if unsold is not None and unsold.audience:
            product, candidates = None, []  # "мужские туфли": the shop's туфли are not meant
        elif product is not None:
            unsold = None  # the product was named; a stray kind word is no request
        return _Reading(
            rest=rest,
            replacing=rest != blanked,
            address=address,
            city=find_city(rest),
            product=product,
            candidates=candidates,
            unsold=unsold,
        )

    def _address(self, text: str, asking: str | None) -> AddressMatch | None:
        """The address, unless an unmarked one is really a product sentence ("лоферы 38")."""
        address = match_address(text, expecting=asking == "address")
        if address is None or address.strong:
            return address
        names_product = any(_named(m) for m in self.matcher.find(address.text, limit=1))
        if names_product or self.colors.find(address.text):
            return None
        return address

    def _product(self, text: str, context: FillContext) -> tuple[str | None, list[str]]:
        """The one product the text names, else the candidates when it names several."""
        best = self.matcher.best(text)
        if best is not None:
            return best.product_id, []
        named = [m for m in self.matcher.find(text, limit=_CANDIDATE_LIMIT) if _named(m)]
        close = [m.product_id for m in named if m.score >= _CANDIDATE_SHARE * named[0].score]
        ids = list(dict.fromkeys(close)) or self.kinds.products_for(text)[:_CANDIDATE_LIMIT]
        if not ids or context.slots.product in ids:
            return None, []  # nothing named, or the product already chosen is meant
        narrowed = self._narrow(text, ids)
        if len(narrowed) == 1 and len(ids) > 1:
            return narrowed[0], []
        return None, ids

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

    def _color(self, text: str, product_id: str | None, candidates: list[str]) -> str | None:
        """The colour named, preferring one the product exists in; any shop colour otherwise
        (the engine then explains which colours the product has)."""
        found = self.colors.find(text)
        if not found:
            return None
        own = set(self.catalog.colors(product_id)) if product_id else set()
        for pid in candidates:
            own |= set(self.catalog.colors(pid))
        return next((c for c in found if c in own), found[0])


def _named(match: _Match) -> bool:
    """Whether the match names the product by its kind or brand (see `ProductMatch.reason`),
    not by a stray word; matchers that give no reasons are trusted."""
    reason = getattr(match, "reason", None)
    return not reason or bool(_NAMED_BY.search(reason))


def _blank(text: str, address: AddressMatch | None) -> str:
    """The text with the address replaced by spaces, so its numbers and names are not reused."""
    if address is None:
        return text
    return text[: address.start] + " " * (address.end - address.start) + text[address.end :]


def _without_negated(text: str) -> str:
    for pattern in _NEGATED_VALUE:
        text = pattern.sub(" ", text)
    return text
