"""A tiny in-memory shop for machine tests: a shoe in several colours, a single-colour shoe,
a bag and an accessory. Built from core types only, so the machines are tested without files.
"""

from __future__ import annotations

from ottenok.catalog import Catalog, Product
from ottenok.slots import ProductType
from ottenok.stock import Stock, Variant

SHOE = "boots"
MONO_SHOE = "loafers"
BAG = "tote"
ACCESSORY = "belt"
PRODUCTS = [SHOE, MONO_SHOE, BAG, ACCESSORY]
SIZES = ["36", "37", "38", "39", "40"]
COLORS = ["черный", "бордовый"]


def toy_variants(quantity: int = 2) -> list[Variant]:
    variants = [Variant(SHOE, size, color, quantity) for size in SIZES for color in COLORS]
    variants += [Variant(MONO_SHOE, size, "бежевый", quantity) for size in SIZES]
    variants += [Variant(BAG, None, color, quantity) for color in ("черный", "молочный")]
    variants += [Variant(ACCESSORY, None, "коричневый", quantity)]
    return variants


def toy_catalog(variants: list[Variant] | None = None) -> Catalog:
    products = [
        Product(id=SHOE, name="Ботильоны Aster", type=ProductType.SHOES),
        Product(id=MONO_SHOE, name="Лоферы Lumen", type=ProductType.SHOES),
        Product(id=BAG, name="Сумка-тоут Nord", type=ProductType.BAG),
        Product(id=ACCESSORY, name="Ремень Nord", type=ProductType.ACCESSORY),
    ]
    return Catalog(products, Stock(toy_variants() if variants is None else variants))
