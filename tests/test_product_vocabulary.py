"""The one vocabulary of product kinds: typing, synonyms and unsold kinds all read it."""

from __future__ import annotations

import pytest

from ottenok.catalog import Catalog, Product
from ottenok.filling.product_words import ProductKinds
from ottenok.product_vocabulary import infer_type, kind_of_word, kind_synonyms, parse_type
from ottenok.slots import ProductType
from ottenok.stock import Stock


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("лоферов", ProductType.SHOES), ("lofery", ProductType.SHOES),
        ("botilony", ProductType.SHOES), ("krossovki", ProductType.SHOES),
        ("сумочку", ProductType.BAG), ("clutch", ProductType.BAG),
        ("ремешок", ProductType.ACCESSORY), ("платье", None), ("часа", None), ("привет", None),
    ],
)  # fmt: skip
def test_kind_of_word_in_any_form_and_script(word, kind):
    assert kind_of_word(word) == kind


def test_types_of_names_and_catalog_type_values():
    assert infer_type("Сумка-тоут Lumen") == ProductType.BAG
    assert infer_type("Ботильоны Stuart Weitzman") == ProductType.SHOES
    assert infer_type("Подарочный сертификат") is None
    assert parse_type("Аксессуары") == ProductType.ACCESSORY
    assert parse_type("другое") == ProductType.OTHER
    assert parse_type("непонятно") is None


def test_close_synonyms_stay_within_a_kind():
    synonyms = kind_synonyms("лоферы")
    assert {"мокасин", "loafers"} <= synonyms
    assert "кеды" not in kind_synonyms("кроссовки")  # one family, two kinds


def test_unsold_kinds_are_found_in_latin_too():
    catalog = Catalog([Product(id="k", name="Кеды Nimbus", type=ProductType.SHOES)], Stock([]))
    kinds = ProductKinds(catalog)
    assert kinds.unsold("uggi est?") == "угги"
    assert kinds.unsold("krossovki est?") is None  # "кеды" and "кроссовки" are one family
    assert kinds.products_for("есть кроссовки?") == ["k"]
