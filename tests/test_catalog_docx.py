"""Catalog documents in both layouts, written as real .docx files."""

from __future__ import annotations

import docx
import pytest

from knowledge.catalog_docx import DocumentError, infer_type, parse_catalog
from ottenok.slots import ProductType
from tools.shop_writer import write_catalog_headings, write_catalog_table

PRODUCTS = [
    {"name": "Лоферы Gucci Jordaan", "type": "обувь", "brand": "Gucci", "brand_ru": "Гуччи",
     "price": 489000, "colors": ["Чёрный", "бордовый"], "sizes": [36, "36,5", 37.0],
     "material": "кожа", "description": "Лоферы с фирменной пряжкой."},
    {"name": "Клатч вечерний Самрук", "price": 31900, "colors": ["золотой"]},
    {"name": "Кошелёк Longchamp", "brand": "Longchamp", "price": 54900},
]  # fmt: skip


def test_heading_layout_with_mixed_levels(tmp_path):
    path = write_catalog_headings(tmp_path / "catalog.docx", PRODUCTS, levels=(1, 3, 2))
    loafers, clutch, wallet = parse_catalog(path)
    assert loafers.name == "Лоферы Gucci Jordaan"
    assert (loafers.type, loafers.brand, loafers.brand_aliases) == ("обувь", "Gucci", ["Гуччи"])
    assert loafers.price == 489000
    assert loafers.colors == ["черный", "бордовый"]
    assert loafers.sizes == ["36", "36.5", "37"]
    assert (loafers.material, loafers.description) == ("кожа", "Лоферы с фирменной пряжкой.")
    assert loafers.source == "catalog.docx"
    assert clutch.type == "сумка"  # inferred from "Клатч"
    assert (wallet.type, wallet.brand, wallet.brand_aliases) == ("аксессуар", "Longchamp", [])


def test_table_layout(tmp_path):
    path = write_catalog_table(tmp_path / "table.docx", PRODUCTS)
    entries = parse_catalog(path)
    assert [e.name for e in entries] == [p["name"] for p in PRODUCTS]
    assert entries[0].brand_aliases == ["Гуччи"]
    assert entries[1].type == "сумка" and entries[1].price == 31900
    assert entries[2].sizes == []


def test_hand_written_document_ranges_semicolons_and_intro(tmp_path):
    document = docx.Document()
    document.add_heading("Каталог на весну", level=0)
    document.add_paragraph("Все цены указаны в тенге.")
    document.add_heading("Ботинки челси Кора", level=2)
    document.add_paragraph("Бренд: Stuart Weitzman (Стюарт Вайцман)")
    document.add_paragraph("Цена: 89\u00a0900 ₸")
    document.add_paragraph("Цвета: Чёрный; коричневый и молочный")
    document.add_paragraph("Размеры: 35–38, 39,5")
    document.add_paragraph("Описание: Удобные.")
    document.add_paragraph("Подходят под узкую и широкую стопу.")
    heading = document.add_paragraph()
    heading.add_run("Ремень Арна").bold = True
    document.add_paragraph("Тип: аксессуар")
    document.save(tmp_path / "spring.docx")
    entries = parse_catalog(tmp_path / "spring.docx")
    assert [e.name for e in entries] == ["Ботинки челси Кора", "Ремень Арна"]
    boots = entries[0]
    assert (boots.brand, boots.brand_aliases) == ("Stuart Weitzman", ["Стюарт Вайцман"])
    assert boots.price == 89900
    assert boots.colors == ["черный", "коричневый", "молочный"]
    assert boots.sizes == ["35", "36", "37", "38", "39.5"]
    assert boots.type == "обувь"
    assert boots.description == "Удобные.\nПодходят под узкую и широкую стопу."
    assert entries[1].type == "аксессуар"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Туфли-лодочки Aquazzura", ProductType.SHOES),
        ("Мюли на каблуке", ProductType.SHOES),
        ("ботильонов Casadei", ProductType.SHOES),
        ("Кеды Veja", ProductType.SHOES),
        ("Сумка-тоут Longchamp", ProductType.BAG),
        ("Рюкзак городской", ProductType.BAG),
        ("Шёлковый платок", ProductType.ACCESSORY),
        ("Кошелёк на молнии", ProductType.ACCESSORY),
        ("Подарочный сертификат", None),
    ],
)
def test_infer_type_from_lemmas(name, kind):
    assert infer_type(name) == kind


def test_broken_docx_names_the_file(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DocumentError, match="broken.docx"):
        parse_catalog(path)
