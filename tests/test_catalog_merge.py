"""Merging catalog documents with inventory rows into products and stock."""

from __future__ import annotations

import pytest

from adapters.inventory_excel import InventoryRow
from knowledge.shop_files import load_catalog
from ottenok.catalog import CatalogEntry
from ottenok.catalog_merge import merge_catalog, product_id
from ottenok.slots import ProductType
from tools.shop_writer import write_catalog_headings, write_catalog_table, write_inventory


def test_product_id_is_a_stable_latin_slug():
    assert product_id("Ботильоны Stuart Weitzman") == "botilony-stuart-weitzman"
    assert product_id("  ботильоны   stuart weitzman ") == product_id("Ботильоны Stuart Weitzman")
    assert product_id("Кошелёк Tod's") == product_id("кошелек tods") == "koshelek-tods"
    assert product_id("★★★") != product_id("☆")


def test_merge_prefers_inventory_facts_and_keeps_catalog_words():
    entries = [
        CatalogEntry(
            name="Лоферы Gucci Jordaan", type="обувь", brand="Gucci", brand_aliases=["Гуччи"],
            price=499000, colors=["красный"], sizes=["35", "36"], material="кожа",
            description="С пряжкой.",
        ),
        CatalogEntry(name="Сумка Бота", price=19900, colors=["Хаки"]),
    ]  # fmt: skip
    rows = [
        InventoryRow("лоферы  gucci jordaan", "37", "черный", 1, 489000),
        InventoryRow("Лоферы Gucci Jordaan", "36.5", "бордовый", 0, 479000),
        InventoryRow("Мюли Bottega Veneta Lido", "38", "белый", 2, 350000),
    ]
    catalog = merge_catalog(entries, rows)
    loafers = catalog.get(product_id("Лоферы Gucci Jordaan"))
    assert loafers.name == "Лоферы Gucci Jordaan"
    assert (loafers.type, loafers.brand) == (ProductType.SHOES, "Gucci")
    assert loafers.colors == ["черный", "бордовый"]
    assert loafers.sizes == ["36.5", "37"]
    assert loafers.price == 479000
    assert (loafers.material, loafers.description) == ("кожа", "С пряжкой.")
    assert {"Гуччи", "гучи"} <= set(loafers.aliases)
    assert "lofery" in loafers.aliases

    bag = catalog.get(product_id("Сумка Бота"))  # only in the catalog
    assert (bag.type, bag.colors, bag.price) == (ProductType.BAG, ["хаки"], 19900)
    assert catalog.check_availability(bag.id).known is False

    mules = catalog.get(product_id("Мюли Bottega Veneta Lido"))  # only in the inventory
    assert (mules.type, mules.brand, mules.price) == (ProductType.SHOES, "Bottega Veneta", 350000)
    assert "боттега" in mules.aliases
    assert catalog.check_availability(mules.id, "38", "белый").in_stock
    assert not catalog.check_availability(loafers.id, "36.5").in_stock
    assert len(catalog.products) == 3


def test_latin_brand_gets_a_cyrillic_reading_and_name_words_a_latin_one():
    catalog = merge_catalog([CatalogEntry(name="Кеды Veja Campo", brand="Veja")], [])
    (sneakers,) = catalog.products.values()
    assert "kedy" in sneakers.aliases
    assert "веджа" in sneakers.aliases


@pytest.mark.parametrize("table", [False, True])
def test_load_catalog_reads_every_document_and_the_inventory(tmp_path, table):
    catalog_dir = tmp_path / "knowledge_base" / "catalog"
    writer = write_catalog_table if table else write_catalog_headings
    writer(catalog_dir / "a.docx", [{"name": "Ботинки Ganni", "brand": "Ganni", "price": 99000}])
    writer(catalog_dir / "b.docx", [{"name": "Платок Айсулу", "type": "аксессуар"}])
    write_inventory(
        tmp_path / "inventory.xlsx",
        [{"product_name": "Ботинки Ganni", "size": "39", "color": "Чёрный", "quantity": 1,
          "price": 95000}],
        russian_headers=True,
    )  # fmt: skip
    catalog = load_catalog(tmp_path)
    boots = catalog.get(product_id("Ботинки Ganni"))
    assert (boots.price, boots.colors, boots.sizes) == (95000, ["черный"], ["39"])
    assert catalog.get(product_id("Платок Айсулу")).type == ProductType.ACCESSORY


def test_load_catalog_with_an_explicit_inventory_path(tmp_path):
    inventory = write_inventory(
        tmp_path / "elsewhere" / "stock.xlsx",
        [{"product_name": "Клатч Сэйра", "size": None, "color": "золотой", "quantity": 2,
          "price": 25000}],
    )  # fmt: skip
    catalog = load_catalog(tmp_path, inventory_path=inventory)
    (clutch,) = catalog.products.values()
    assert (clutch.type, clutch.sizes, clutch.price) == (ProductType.BAG, [], 25000)
