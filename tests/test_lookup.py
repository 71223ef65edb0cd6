"""Product lookup on a shop of products that the sample shop does not have."""

from __future__ import annotations

import time

import pytest

from knowledge.shop_files import load_catalog
from ottenok.catalog import CatalogEntry
from ottenok.catalog_merge import merge_catalog, product_id
from ottenok.lookup import ProductMatcher, tokens
from tools.shop_writer import write_catalog_headings, write_inventory

PRODUCTS = [
    ("Лоферы Gucci Jordaan", "Gucci", "Гуччи", ["черный", "бордовый"]),
    ("Лоферы Prada Monolith", "Prada", "Прада", ["черный", "белый"]),
    ("Ботильоны Casadei Blade", "Casadei", None, ["черный"]),
    ("Ботинки Dr. Martens Sinclair", "Dr. Martens", None, ["черный"]),
    ("Лодочки Christian Louboutin So Kate", "Christian Louboutin", None, ["черный", "бежевый"]),
    ("Сумка Hermes Birkin", "Hermes", "Эрмес", ["коричневый"]),
    ("Сандалии Hermes Oran", "Hermes", "Эрмес", ["золотой"]),
    ("Эспадрильи Chanel", "Chanel", "Шанель", ["бежевый"]),
    ("Угги UGG Classic Mini", "UGG", None, ["бежевый"]),
    ("Кеды Golden Goose Superstar", "Golden Goose", None, ["белый"]),
    ("Платок шелковый Айгерим", None, None, ["синий"]),
]


@pytest.fixture(scope="module")
def matcher(tmp_path_factory) -> ProductMatcher:
    shop = tmp_path_factory.mktemp("shop")
    write_catalog_headings(
        shop / "knowledge_base" / "catalog" / "catalog.docx",
        [{"name": n, "brand": b, "brand_ru": ru, "colors": c} for n, b, ru, c in PRODUCTS],
        levels=(2, 3),
    )
    rows = [
        {"product_name": name, "size": None if name.startswith(("Сумка", "Платок")) else 38,
         "color": color, "quantity": 1, "price": 100000}
        for name, _, _, colors in PRODUCTS
        for color in colors
    ]  # fmt: skip
    write_inventory(shop / "inventory.xlsx", rows)
    return ProductMatcher(load_catalog(shop))


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("ботильены касадей есть?", "Ботильоны Casadei Blade"),
        ("лаферы гуччи бардовые 38", "Лоферы Gucci Jordaan"),
        ("мартинсы", "Ботинки Dr. Martens Sinclair"),
        ("хочу мартенсы в 39", "Ботинки Dr. Martens Sinclair"),
        ("шанель", "Эспадрильи Chanel"),
        ("лабутены черные", "Лодочки Christian Louboutin So Kate"),
        ("лоферы прада", "Лоферы Prada Monolith"),
        ("лоферы белые", "Лоферы Prada Monolith"),
        ("сумку эрмес", "Сумка Hermes Birkin"),
        ("биркин", "Сумка Hermes Birkin"),
        ("сандалии гермес", "Сандалии Hermes Oran"),
        ("угги", "Угги UGG Classic Mini"),
        ("кеды голден гус", "Кеды Golden Goose Superstar"),
        ("платочек айгерим", "Платок шелковый Айгерим"),
    ],
)
def test_best_finds_the_product(matcher, text, product):
    match = matcher.best(text)
    assert match is not None, matcher.find(text)
    assert match.product_id == product_id(product), match


@pytest.mark.parametrize(
    "text", ["лоферы", "эрмес", "черные", "Здравствуйте, сколько стоит доставка?"]
)
def test_best_stays_silent_when_unsure(matcher, text):
    assert matcher.best(text) is None


def test_find_lists_every_candidate_best_first(matcher):
    found = matcher.find("лоферы")
    assert {m.product_id for m in found} == {
        product_id("Лоферы Gucci Jordaan"),
        product_id("Лоферы Prada Monolith"),
    }
    ranked = matcher.find("черные лоферы гуччи", limit=5)
    assert ranked[0].product_id == product_id("Лоферы Gucci Jordaan")
    assert ranked[0].score > ranked[1].score
    assert "brand" in ranked[0].reason
    assert matcher.find("доставка в Караганду") == []


@pytest.mark.parametrize(
    ("folder", "product"),
    [
        ("gucci_lofery", "Лоферы Gucci Jordaan"),
        ("Casadei ботильоны", "Ботильоны Casadei Blade"),
        ("GoldenGoose_kedy", "Кеды Golden Goose Superstar"),
        ("platok_aigerim", "Платок шелковый Айгерим"),
        ("hermes-birkin", "Сумка Hermes Birkin"),
        ("dr_martens_botinki", "Ботинки Dr. Martens Sinclair"),
    ],
)
def test_match_folder(matcher, folder, product):
    match = matcher.match_folder(folder)
    assert match is not None and match.product_id == product_id(product)


def test_match_folder_without_a_product(matcher):
    assert matcher.match_folder("old_stuff_2023") is None
    assert matcher.match_folder("hermes") is None


def test_single_pair_of_loafers_answers_the_bare_kind():
    catalog = merge_catalog(
        [CatalogEntry(name="Лоферы Santoni"), CatalogEntry(name="Сумка Tote")], []
    )
    match = ProductMatcher(catalog).best("а лоферы есть?")
    assert match is not None and match.product_id == product_id("Лоферы Santoni")


def test_tokens_are_folded_lemmas():
    assert tokens("Чёрные ботильоны, 38!") == ["черный", "ботильон", "38"]


def test_lookup_is_fast_on_a_thousand_products():
    kinds = ["Лоферы", "Ботильоны", "Кеды", "Сумка", "Мюли", "Ремень", "Кроссовки", "Платок"]
    brands = [f"Brand{chr(97 + i)}{chr(97 + j)}" for i in range(5) for j in range(5)]
    entries = [
        CatalogEntry(name=f"{kind} {brand} Model{n}", brand=brand)
        for n, (kind, brand) in enumerate((k, b) for k in kinds for b in brands for _ in range(5))
    ]
    assert len(entries) == 1000
    started = time.perf_counter()
    matcher = ProductMatcher(merge_catalog(entries, []))
    build = time.perf_counter() - started
    queries = ["лаферы brandad model17", "ботильены бренд", "сумочка brandcc model333 черная",
               "здравствуйте, доставка есть?", "кросовки brandee"] * 20  # fmt: skip
    started = time.perf_counter()
    for query in queries:
        matcher.find(query)
    per_query = (time.perf_counter() - started) / len(queries)
    assert entries[17].name == "Лоферы Brandad Model17"
    assert matcher.best("лоферы brandad model17").product_id == product_id(entries[17].name)
    assert build < 10 and per_query < 0.02, (build, per_query)
