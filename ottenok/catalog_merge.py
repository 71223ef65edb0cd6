"""Merge the shop's two product sources, inventory rows and catalog documents, into one `Catalog`.

The spreadsheet knows what is on the shelf (sizes, colours, quantities, prices); the documents
know how to talk about it (brand, material, description). Shops keep them by hand, so a product
may appear in only one of them, and names differ in case, "ё" and spacing. Pure core: no files.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from ottenok.catalog import Catalog, CatalogEntry, LiveStock, Product
from ottenok.morphology import has_cyrillic, to_cyrillic, to_latin, words
from ottenok.normalize import fold, normalize_color, normalize_size, size_key
from ottenok.product_vocabulary import infer_type, parse_type
from ottenok.slots import ProductType
from ottenok.stock import Stock, Variant


class InventoryRecord(Protocol):
    """What the merge needs from one inventory row (the Excel adapter's `InventoryRow` fits)."""

    @property
    def product_name(self) -> str: ...
    @property
    def size(self) -> str | None: ...
    @property
    def color(self) -> str | None: ...
    @property
    def quantity(self) -> int: ...
    @property
    def price(self) -> int | None: ...


# How Almaty customers actually say well-known brands; the transliteration of the Latin brand
# rarely matches ("Chanel" reads as "чанел"). Shop documents may add more in brackets.
BRAND_NICKNAMES: dict[str, tuple[str, ...]] = {
    "chanel": ("шанель", "шанел"),
    "dr martens": ("мартинсы", "мартенсы", "мартинс", "мартенс", "доктор мартинс", "др мартенс"),
    "louis vuitton": ("луи", "луи виттон", "вюиттон", "виттон", "витон", "лв"),
    "stuart weitzman": ("стюарт вайцман", "вайцман", "вейцман"),
    "christian louboutin": ("лубутен", "лабутены", "лубутены", "лабутен"),
    "jimmy choo": ("джимми чу", "джими чу"),
    "gucci": ("гуччи", "гучи"),
    "prada": ("прада",),
    "miu miu": ("миу миу",),
    "dior": ("диор",),
    "christian dior": ("диор",),
    "hermes": ("гермес", "эрмес"),
    "balenciaga": ("баленсиага", "баленсияга"),
    "saint laurent": ("сен лоран", "ив сен лоран", "ysl"),
    "yves saint laurent": ("сен лоран", "ив сен лоран", "ysl"),
    "bottega veneta": ("боттега", "ботега"),
    "valentino": ("валентино",),
    "fendi": ("фенди",),
    "celine": ("селин",),
    "loewe": ("лоеве", "лоэве"),
    "versace": ("версаче",),
    "michael kors": ("майкл корс", "корс"),
    "tory burch": ("тори берч",),
    "coach": ("коуч",),
    "furla": ("фурла",),
    "guess": ("гесс", "гесc"),
    "ugg": ("угги", "угг"),
    "timberland": ("тимберленды", "тимбы"),
    "converse": ("конверсы", "конверс"),
    "nike": ("найк", "найки"),
    "adidas": ("адидас",),
    "new balance": ("нью беланс", "нью баланс"),
    "birkenstock": ("биркенштоки", "биркенштоки"),
    "ecco": ("экко",),
    "geox": ("геокс",),
    "salvatore ferragamo": ("феррагамо",),
    "ferragamo": ("феррагамо",),
    "tod's": ("тодс",),
    "rene caovilla": ("кавилья", "каовилла"),
    "aquazzura": ("аквазура",),
    "casadei": ("касадей",),
    "le silla": ("ле силла",),
}
_NICKNAMES_BY_KEY = {" ".join(words(k)): v for k, v in BRAND_NICKNAMES.items()}
_WORD_RE = re.compile(r"[0-9a-zа-я]+")


def name_key(name: str) -> str:
    """The comparison form of a product name: folded words, punctuation and spacing ignored."""
    return " ".join(words(name))


def product_id(name: str) -> str:
    """A stable, URL-safe id from the product name ("Ботильоны Stuart Weitzman" →
    "botilony-stuart-weitzman"), so ids survive reloads and both sources agree on them."""
    slug = "-".join(to_latin(w) for w in words(name))
    slug = re.sub(r"[^a-z0-9-]", "", slug).strip("-")
    return slug or f"product-{zlib.crc32(fold(name).encode()):08x}"


def build_stock(rows: Iterable[InventoryRecord]) -> Stock:
    """Inventory rows as stock variants keyed by product id."""
    return Stock(
        Variant(
            product_id=product_id(row.product_name),
            size=normalize_size(row.size),
            color=normalize_color(row.color),
            quantity=row.quantity,
            price=row.price,
        )
        for row in rows
    )


def brand_aliases(brand: str | None, extra: Sequence[str] = ()) -> list[str]:
    """Ways customers write the brand: the document's bracketed spelling, known nicknames and a
    Cyrillic reading of the Latin name."""
    if not brand:
        return _unique_spellings(extra)
    aliases = [*extra, *_NICKNAMES_BY_KEY.get(name_key(brand), ())]
    if not has_cyrillic(brand):
        aliases.append(to_cyrillic(name_key(brand)))
    return [a for a in _unique_spellings(aliases) if name_key(a) != name_key(brand)]


def merge_catalog(
    entries: Sequence[CatalogEntry],
    rows: Sequence[InventoryRecord],
    stock: LiveStock | None = None,
) -> Catalog:
    """One `Product` per product name found in either source, plus stock: the live inventory
    the rows were read from when given (it stays the stock's only owner), else the rows.

    The inventory wins for colours, sizes and price (it is what can be sold today); the catalog
    fills in what the inventory lacks and adds brand, material and description.
    """
    entry_by_key: dict[str, CatalogEntry] = {}
    for entry in entries:
        key = name_key(entry.name)
        if key and key not in entry_by_key:
            entry_by_key[key] = replace(entry)
        elif key:
            _fill_missing(entry_by_key[key], entry)
    rows_by_key: dict[str, list[InventoryRecord]] = {}
    for row in rows:
        if key := name_key(row.product_name):
            rows_by_key.setdefault(key, []).append(row)

    known_brands = _unique([e.brand for e in entry_by_key.values() if e.brand])
    products = [
        _product(entry_by_key.get(key), rows_by_key.get(key, []), known_brands)
        for key in _unique([*entry_by_key, *rows_by_key])
    ]
    return Catalog(products, stock if stock is not None else build_stock(rows))


def _product(
    entry: CatalogEntry | None,
    rows: list[InventoryRecord],
    known_brands: list[str],
) -> Product:
    name = entry.name.strip() if entry else rows[0].product_name.strip()
    brand = entry.brand if entry and entry.brand else _brand_in_name(name, known_brands)
    colors = _unique(normalize_color(r.color) for r in rows) or _unique(
        normalize_color(c) for c in (entry.colors if entry else [])
    )
    sizes = _unique(normalize_size(r.size) for r in rows) or _unique(
        normalize_size(s) for s in (entry.sizes if entry else [])
    )
    prices = [r.price for r in rows if r.price is not None]
    return Product(
        id=product_id(name),
        name=name,
        type=parse_type(entry.type if entry else None) or infer_type(name) or ProductType.OTHER,
        brand=brand,
        aliases=_name_aliases(name, brand, entry.brand_aliases if entry else []),
        colors=colors,
        sizes=sorted(sizes, key=size_key),
        price=min(prices) if prices else (entry.price if entry else None),
        material=entry.material if entry else None,
        description=entry.description if entry else None,
    )


def _name_aliases(name: str, brand: str | None, document_aliases: Sequence[str]) -> list[str]:
    """Brand spellings plus the name's Russian words in Latin ("botilony"), as photo folders
    and some customers write them."""
    aliases = brand_aliases(brand, document_aliases)
    cyrillic = [w for w in words(name) if has_cyrillic(w)]
    if cyrillic:
        aliases.append(" ".join(to_latin(w) for w in cyrillic))
    return _unique_spellings(aliases)


def _brand_in_name(name: str, known_brands: list[str]) -> str | None:
    """A brand for an inventory-only product: a known brand whose words appear in its name,
    spelled as the name spells it ("Челси Dr. Martens" → "Dr. Martens")."""
    spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(fold(name))]
    name_words = [fold(name)[a:b] for a, b in spans]
    candidates = [name_key(b).split() for b in (*known_brands, *_NICKNAMES_BY_KEY)]
    for brand_words in sorted(candidates, key=len, reverse=True):
        for i in range(len(name_words) - len(brand_words) + 1):
            if brand_words and name_words[i : i + len(brand_words)] == brand_words:
                return name[spans[i][0] : spans[i + len(brand_words) - 1][1]]
    return None


def _fill_missing(target: CatalogEntry, other: CatalogEntry) -> None:
    """A product described in two documents: the first wins, the second fills its gaps."""
    for attr in ("type", "brand", "price", "material", "description"):
        if getattr(target, attr) in (None, "") and getattr(other, attr) not in (None, ""):
            setattr(target, attr, getattr(other, attr))
    for attr in ("brand_aliases", "colors", "sizes"):
        if not getattr(target, attr):
            setattr(target, attr, list(getattr(other, attr)))


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _unique_spellings(values: Iterable[str]) -> list[str]:
    """Drop spellings that differ only in case, "ё" or punctuation (the first one stays)."""
    kept: dict[str, str] = {}
    for value in values:
        if key := name_key(value):
            kept.setdefault(key, value.strip())
    return list(kept.values())
