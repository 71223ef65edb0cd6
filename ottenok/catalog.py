"""The shop's product model: one `Product` per sellable item, merged from the inventory
spreadsheet and the catalog documents, plus the stock facts the machines consult.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, Field

from ottenok.slots import ProductType
from ottenok.stock import Availability, Stock


@dataclass(slots=True)
class CatalogEntry:
    """One product as described in a catalog document (either layout)."""

    name: str
    type: str | None = None  # raw "Тип" value: обувь / сумка / аксессуар / другое
    brand: str | None = None  # Latin brand, e.g. "Stuart Weitzman"
    brand_aliases: list[str] = field(default_factory=list)  # bracketed spelling: "Стюарт Вайцман"
    price: int | None = None
    colors: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    material: str | None = None
    description: str | None = None
    source: str = ""  # file name it came from


class Product(BaseModel):
    """A product as the customer sees it. `colors`/`sizes` are normalised (see normalize.py)."""

    id: str
    name: str
    type: ProductType = ProductType.OTHER
    brand: str | None = None
    aliases: list[str] = Field(default_factory=list)
    colors: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list)
    price: int | None = None
    material: str | None = None
    description: str | None = None


class LiveStock(Protocol):
    """The owner of today's stock (adapters.inventory_excel.ExcelInventory): its latest good
    read of the spreadsheet."""

    @property
    def stock(self) -> Stock: ...


class Catalog:
    """Products plus stock: the shop facts guards, the slot filler and replies read.

    The catalog never copies stock: it reads it from its owner on every question, so a
    refreshed inventory is seen at once everywhere. A plain `Stock` is fixed stock.
    """

    def __init__(self, products: Iterable[Product], stock: Stock | LiveStock) -> None:
        self.products: dict[str, Product] = {p.id: p for p in products}
        self._stock = stock

    @property
    def stock(self) -> Stock:
        source = self._stock
        return source if isinstance(source, Stock) else source.stock

    def get(self, product_id: str | None) -> Product | None:
        return self.products.get(product_id) if product_id else None

    def product_type(self, product_id: str) -> ProductType | None:
        product = self.products.get(product_id)
        return product.type if product else None

    def colors(self, product_id: str) -> list[str]:
        """Every colour the product exists in: the inventory's when it lists any."""
        colors = self.stock.all_colors(product_id)
        if colors:
            return colors
        product = self.products.get(product_id)
        return list(product.colors) if product else []

    def sizes(self, product_id: str) -> list[str]:
        sizes = self.stock.all_sizes(product_id)
        if sizes:
            return sizes
        product = self.products.get(product_id)
        return list(product.sizes) if product else []

    def price(
        self, product_id: str, size: str | None = None, color: str | None = None
    ) -> int | None:
        price = self.stock.price(product_id, size, color)
        if price is not None:
            return price
        product = self.products.get(product_id)
        return product.price if product else None

    def check_availability(
        self, product_id: str, size: str | None = None, color: str | None = None
    ) -> Availability:
        return self.stock.check_availability(product_id, size, color)
