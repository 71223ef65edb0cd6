"""What this shop sells, as a customer reads it: its kinds of products and its brands, most
common first, and the products of a kind or a brand with what is in stock today.

"Что вам подобрать? У нас есть сумки, лоферы, кроссовки…" and "Dior у нас нет, есть Chanel,
Coach…" must name what THIS shop sells: kinds are read from the catalog's product names through
the general kind vocabulary (`ottenok.product_vocabulary`), put in the plural by pymorphy3, and
counted over the products in stock (a kind that is sold out is not offered). The kinds of a
generic family ("сумка", "клатч", "шоппер", "тоут") are offered by the family's word ("сумки").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ottenok.brand_names import brand_key
from ottenok.catalog import Catalog, Product
from ottenok.morphology import words
from ottenok.phrasing.words import plural
from ottenok.product_vocabulary import KindWord, family, kind_words
from ottenok.slots import ProductType


class Assortment:
    """The shop's kinds and brands over its catalog and live stock."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._kinds = {p.id: kind_of_product(p) for p in catalog.products.values()}

    def in_stock(self, product_id: str) -> bool:
        return self.catalog.check_availability(product_id).in_stock

    def _offered(self) -> list[Product]:
        """The products to count: those in stock (all of them when the stock says nothing)."""
        products = list(self.catalog.products.values())
        live = [p for p in products if self.in_stock(p.id)]
        return live or products

    def kinds(self, of_type: ProductType | None = None) -> list[str]:
        """The kinds the shop sells, plural, most products first ("сумки", "лоферы"); only
        those of one product type when asked (the shoes, after a pair sold out)."""
        return [word for word, _ in self.kind_counts(of_type)]

    def kind_counts(self, of_type: ProductType | None = None) -> list[tuple[str, int]]:
        """The kinds the shop sells, plural, with how many products of each, most first."""
        counts: Counter[str] = Counter()
        for product in self._offered():
            if of_type is not None and self.catalog.product_type(product.id) != of_type:
                continue
            kind = self._kinds.get(product.id)
            if kind is not None:
                counts[_offer_word(kind)] += 1
        return [(plural(word), number) for word, number in counts.most_common()]

    def kinds_by_type(self) -> list[tuple[ProductType, int, list[str]]]:
        """Per product type in stock: how many products, and its kinds (plural, most products
        first); the type with the most products first."""
        counts: Counter[ProductType] = Counter()
        kinds: dict[ProductType, Counter[str]] = {}
        for product in self._offered():
            product_type = product.type or ProductType.OTHER
            counts[product_type] += 1
            kind = self._kinds.get(product.id)
            if kind is not None:
                kinds.setdefault(product_type, Counter())[_offer_word(kind)] += 1
        return [
            (kind_type, number, _plurals(kinds.get(kind_type)))
            for kind_type, number in counts.most_common()
        ]

    def brands(self, product_ids: Iterable[str] | None = None) -> list[str]:
        """The brands the shop sells (of the given products only, when given), as the catalog
        writes them, most products first."""
        counts: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        products = (
            self._offered()
            if product_ids is None
            else [self.catalog.products[pid] for pid in product_ids]
        )
        for product in products:
            if product.brand:
                key = brand_key(product.brand)
                spelling.setdefault(key, product.brand)
                counts[key] += 1
        return [spelling[key] for key, _ in counts.most_common()]

    def products_of_brand(self, brand: str) -> list[str]:
        """The shop's products of a brand, by the catalog's brand or its spellings."""
        key = brand_key(brand)
        return [
            p.id
            for p in self.catalog.products.values()
            if key in {brand_key(b) for b in (p.brand, *p.aliases) if b}
        ]

    def products_of_kind(self, word: str) -> tuple[list[str], list[str]]:
        """The products of the kind a word names, and the other products of its family
        ("кроссовки": the shop's кроссовки, then its кеды)."""
        named = kind_words(word)
        if not named:
            return [], []
        kinds = {k.kind_number for k in named}
        families = {k.family_number for k in named}
        # A generic word ("обувь", "сумки", "аксессуары") names its whole type.
        types = {family(k.family_number).type for k in named if family(k.family_number).generic}
        same_kind = [pid for pid, k in self._kinds.items() if k and k.kind_number in kinds]
        same_family = [
            product.id
            for product in self.catalog.products.values()
            if product.id not in same_kind
            and (
                product.type in types
                or ((k := self._kinds.get(product.id)) is not None and k.family_number in families)
            )
        ]
        return same_kind, same_family


def kind_of_product(product: Product) -> KindWord | None:
    """The kind the product's name leads with ("Кеды на платформе Street" → кеды)."""
    for word in words(product.name):
        named = kind_words(word)
        if named:
            return named[0]
    return None


def _offer_word(kind: KindWord) -> str:
    """The word a kind is offered by: a generic family's own word ("сумка" for a "шоппер"),
    else the vocabulary's word for the kind."""
    kind_family = family(kind.family_number)
    return kind_family.kinds[0][0] if kind_family.generic else kind.word


def _plurals(counts: Counter[str] | None) -> list[str]:
    return [plural(word) for word, _ in (counts or Counter()).most_common()]
