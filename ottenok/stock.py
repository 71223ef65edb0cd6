"""Stock answers over inventory variants: the facts the `in_stock` guard and replies use.

The inventory adapter reads the shop's spreadsheet into `Variant` rows; everything that
decides availability lives here, in the core, so the machines can be tested without files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ottenok.normalize import size_key


@dataclass(frozen=True, slots=True)
class Variant:
    """One inventory row: a product in one size (None for bags) and colour."""

    product_id: str
    size: str | None
    color: str | None
    quantity: int
    price: int | None = None


@dataclass(slots=True)
class Availability:
    """The answer to "is this variant in stock?", with what can be offered instead.

    `sizes` and `colors` list what is in stock for the product, narrowed by the other
    requested attribute when that keeps at least one option. `alternatives` are the nearest
    in-stock sizes (by distance) when the size was the problem, else other in-stock colours.
    """

    product_id: str
    size: str | None
    color: str | None
    in_stock: bool
    known: bool
    sizes: list[str] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    size_in_stock: bool | None = None
    color_in_stock: bool | None = None


class Stock:
    """In-memory index of variants with availability queries (O(variants of one product))."""

    def __init__(self, variants: Iterable[Variant]) -> None:
        self._by_product: dict[str, list[Variant]] = {}
        for variant in variants:
            self._by_product.setdefault(variant.product_id, []).append(variant)

    def product_ids(self) -> list[str]:
        return list(self._by_product)

    def variants(self, product_id: str) -> list[Variant]:
        return list(self._by_product.get(product_id, ()))

    def all_colors(self, product_id: str) -> list[str]:
        """Every colour the product exists in, sold out or not (decides the colour question)."""
        return _unique(v.color for v in self._by_product.get(product_id, ()) if v.color)

    def all_sizes(self, product_id: str) -> list[str]:
        return sorted(
            _unique(v.size for v in self._by_product.get(product_id, ()) if v.size),
            key=size_key,
        )

    def price(
        self, product_id: str, size: str | None = None, color: str | None = None
    ) -> int | None:
        """The variant's price, else the lowest price of the product."""
        rows = self._by_product.get(product_id, ())
        exact = [
            v.price
            for v in rows
            if v.price is not None
            and (size is None or v.size == size)
            and (color is None or v.color == color)
        ]
        prices = exact or [v.price for v in rows if v.price is not None]
        return min(prices) if prices else None

    def check_availability(
        self, product_id: str, size: str | None = None, color: str | None = None
    ) -> Availability:
        rows = self._by_product.get(product_id)
        if not rows:
            return Availability(product_id, size, color, in_stock=False, known=False)
        live = [v for v in rows if v.quantity > 0]

        def match(v: Variant, want_size: str | None, want_color: str | None) -> bool:
            return (want_size is None or v.size == want_size) and (
                want_color is None or v.color == want_color
            )

        in_stock = any(match(v, size, color) for v in live)
        sizes_for_color = _unique(v.size for v in live if v.size and match(v, None, color))
        colors_for_size = _unique(v.color for v in live if v.color and match(v, size, None))
        sizes = sizes_for_color or _unique(v.size for v in live if v.size)
        colors = colors_for_size or _unique(v.color for v in live if v.color)
        sizes.sort(key=size_key)
        size_ok = None if size is None else any(match(v, size, None) for v in live)
        color_ok = None if color is None else any(match(v, None, color) for v in live)

        alternatives: list[str] = []
        if not in_stock:
            if size is not None and (not size_ok or color is None or color_ok):
                alternatives = sorted(sizes, key=lambda s: (abs(size_key(s) - size_key(size)), s))
                alternatives = [s for s in alternatives if s != size][:3]
            elif color is not None:
                alternatives = [c for c in colors if c != color][:3]
        return Availability(
            product_id,
            size,
            color,
            in_stock=in_stock,
            known=True,
            sizes=sizes,
            colors=colors,
            alternatives=alternatives,
            size_in_stock=size_ok,
            color_in_stock=color_ok,
        )


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value is not None:
            seen.setdefault(value, None)
    return list(seen)
