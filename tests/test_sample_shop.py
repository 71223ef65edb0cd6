"""The sample shop in data/ honours the data contract, and the shop writer round-trips.

The shop files are read here with openpyxl, python-docx and Pillow directly, not through the
project's adapters, so a bug in an adapter cannot hide a bug in the sample data (or back).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image

from knowledge.documents import ChatMessage
from ottenok.normalize import fold, normalize_color, normalize_size
from tools.shop_writer import (
    english_color,
    write_catalog_headings,
    write_catalog_table,
    write_chat_export,
    write_inventory,
    write_photos,
    write_scripts,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ANDROID_LINE = re.compile(r"^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} - [^:]+: ")
IOS_LINE = re.compile(r"^\[\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}\] [^:]+: ")


def read_inventory(path: Path) -> list[dict[str, object]]:
    """Rows as dicts keyed by the sheet's own header cells."""
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [
        dict(zip(header, row, strict=True)) for row in rows if any(cell is not None for cell in row)
    ]


def read_catalog_headings(path: Path) -> dict[str, dict[str, str]]:
    """Layout one: each heading opens a product, `Ключ: значение` paragraphs fill it."""
    products: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for paragraph in docx.Document(path).paragraphs:
        if paragraph.style.name.startswith("Heading"):
            current = products.setdefault(paragraph.text.strip(), {"_level": paragraph.style.name})
        elif current is not None and ":" in paragraph.text:
            key, value = paragraph.text.split(":", 1)
            current[key.strip()] = value.strip()
    return products


def read_catalog_table(path: Path) -> dict[str, dict[str, str]]:
    """Layout two: the first table, header row names the columns."""
    table = docx.Document(path).tables[0]
    header = [cell.text.strip() for cell in table.rows[0].cells]
    products = {}
    for row in table.rows[1:]:
        record = dict(zip(header, (cell.text.strip() for cell in row.cells), strict=True))
        name = record.pop("Наименование")
        products[name] = {k: v for k, v in record.items() if v}
    return products


def read_sample_catalog() -> dict[str, dict[str, str]]:
    catalog: dict[str, dict[str, str]] = {}
    for path in sorted((DATA / "knowledge_base" / "catalog").glob("*.docx")):
        is_table = bool(docx.Document(path).tables)
        parsed = read_catalog_table(path) if is_table else read_catalog_headings(path)
        assert not set(parsed) & set(catalog), f"{path.name} repeats products"
        catalog.update(parsed)
    return catalog


def read_scripts(path: Path) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    topic = None
    for paragraph in docx.Document(path).paragraphs:
        if paragraph.style.name.startswith("Heading"):
            topic = paragraph.text.strip()
            sections[topic] = []
        elif topic and paragraph.text.strip():
            sections[topic].append(paragraph.text.strip())
    return sections


def split_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


@pytest.fixture(scope="module")
def inventory() -> list[dict[str, object]]:
    return read_inventory(DATA / "inventory.xlsx")


@pytest.fixture(scope="module")
def catalog() -> dict[str, dict[str, str]]:
    return read_sample_catalog()


@pytest.fixture(scope="module")
def generator():
    from tools import make_sample_shop

    return make_sample_shop


def test_inventory_is_big_enough_with_russian_headers(inventory):
    assert set(inventory[0]) == {"Наименование", "Размер", "Цвет", "Остаток", "Цена"}
    assert len(inventory) >= 300
    assert len({row["Наименование"] for row in inventory}) >= 40


def test_inventory_sizes_are_eu_35_to_41_typed_untidily(inventory):
    raw_sizes = [row["Размер"] for row in inventory if row["Размер"] is not None]
    sizes = {normalize_size(value) for value in raw_sizes}
    assert None not in sizes, "every non-empty size cell must parse"
    assert {str(n) for n in range(35, 42)} <= sizes
    assert all(35 <= float(size) <= 41 for size in sizes)
    assert any(isinstance(v, int) for v in raw_sizes)
    assert any(isinstance(v, float) for v in raw_sizes)  # 37.5 typed as a number
    assert any(isinstance(v, str) and "," in v for v in raw_sizes)  # "38,5"
    assert any(row["Размер"] is None for row in inventory), "bags and accessories have no size"


def test_inventory_shows_some_whole_sizes_as_38_0():
    sheet = openpyxl.load_workbook(DATA / "inventory.xlsx").worksheets[0]
    shown_with_decimal = [
        cell.value
        for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2)
        if cell.number_format == "0.0" and cell.value is not None
    ]
    assert any(float(value).is_integer() for value in shown_with_decimal)


def test_inventory_has_sold_out_and_in_stock_variants_with_prices(inventory):
    quantities = [row["Остаток"] for row in inventory]
    assert all(isinstance(q, int) and q >= 0 for q in quantities)
    assert 0 < quantities.count(0) < len(quantities) / 2
    prices = [row["Цена"] for row in inventory]
    assert all(isinstance(p, int) for p in prices)
    assert min(prices) >= 15_000 and max(prices) <= 420_000


def test_inventory_colours_are_spelled_in_mixed_case_and_with_yo(inventory):
    colours = [row["Цвет"] for row in inventory]
    assert all(colours)
    assert any("ё" in c.lower() for c in colours)
    assert any(c[0].isupper() for c in colours) and any(c.islower() for c in colours)
    assert {"черный", "белый", "бежевый", "бордовый", "коричневый", "молочный"} <= {
        normalize_color(c) for c in colours
    }


def test_catalog_and_inventory_agree_on_products_colours_and_sizes(inventory, catalog):
    stock_colours: dict[str, set[str]] = defaultdict(set)
    stock_sizes: dict[str, set[str]] = defaultdict(set)
    for row in inventory:
        stock_colours[row["Наименование"]].add(normalize_color(row["Цвет"]))
        if row["Размер"] is not None:
            stock_sizes[row["Наименование"]].add(normalize_size(row["Размер"]))
    assert set(catalog) == set(stock_colours)
    for name, fields in catalog.items():
        colours = {normalize_color(c) for c in split_list(fields.get("Цвета"))}
        sizes = {normalize_size(s) for s in split_list(fields.get("Размеры"))}
        assert colours == stock_colours[name], name
        assert sizes == stock_sizes[name], name


def test_catalog_mixes_layouts_heading_levels_and_missing_types(catalog):
    files = sorted((DATA / "knowledge_base" / "catalog").glob("*.docx"))
    assert [bool(docx.Document(f).tables) for f in files].count(True) == 1 and len(files) == 2
    levels = {fields["_level"] for fields in catalog.values() if "_level" in fields}
    assert {"Heading 1", "Heading 2", "Heading 3"} <= levels
    untyped = [name for name, fields in catalog.items() if "Тип" not in fields]
    assert len(untyped) >= 3
    assert {fields["Тип"] for fields in catalog.values() if "Тип" in fields} <= {
        "обувь",
        "сумка",
        "аксессуар",
        "другое",
    }
    assert any(fields.get("Бренд") is None for fields in catalog.values()), "some no-name items"
    assert all(re.fullmatch(r"\d{1,3}( \d{3})* ₸", f["Цена"]) for f in catalog.values())


def test_catalog_carries_required_brands_with_russian_spelling(catalog):
    brands = {fields.get("Бренд") for fields in catalog.values()}
    required = (
        "Stuart Weitzman (Стюарт Вайцман)",
        "Dr. Martens (Доктор Мартинс)",
        "Chanel (Шанель)",
    )
    for brand in required:
        assert brand in brands
    stuart_booties = [
        fields
        for name, fields in catalog.items()
        if fold(name).startswith("ботильоны")
        and fields.get("Бренд", "").startswith("Stuart Weitzman")
    ]
    assert stuart_booties and "бордовый" in split_list(stuart_booties[0]["Цвета"])
    martens = [f for f in catalog.values() if f.get("Бренд", "").startswith("Dr. Martens")]
    assert martens and all(f.get("Размеры") for f in martens)


def test_every_catalog_product_has_a_photo_for_every_colour(catalog, generator):
    folders = {product.name: product.photo_folder for product in generator.PRODUCTS}
    photos_dir = DATA / "photos"
    photos = [p for p in photos_dir.rglob("*.jpg")]
    assert set(folders.values()) == {p.name for p in photos_dir.iterdir()}, "no stray folders"
    for name, fields in catalog.items():
        folder = photos_dir / folders[name]
        # A photo's colour is its subfolder name or the file name before "_<n>".
        labels = {
            fold(p.parent.name if p.parent != folder else p.stem.rsplit("_", 1)[0])
            for p in folder.rglob("*.jpg")
        }
        for colour in split_list(fields["Цвета"]):
            assert {fold(colour), english_color(colour)} & labels, f"{name}: no {colour} photo"
    assert any(p.parent.parent.parent == photos_dir for p in photos), "some colour subfolders"
    assert any(re.search("[a-z]", p.stem) for p in photos), "English colour words"
    assert any(re.search("[а-я]", p.stem) for p in photos), "Russian colour words"
    assert sum(p.stat().st_size for p in photos) < 3_000_000
    for path in photos[::25]:
        with Image.open(path) as image:
            assert image.format == "JPEG" and max(image.size) <= 160


def test_scripts_cover_the_topics_customers_ask_about():
    sections = read_scripts(DATA / "knowledge_base" / "scripts" / "sales_scripts.docx")
    topics = " ".join(fold(topic) for topic in sections)
    for word in (
        "доставка по алматы",
        "доставка по казахстану",
        "оплата",
        "возврат",
        "размер",
        "дорого",
        "подумаю",
        "шоурум",
        "уход",
        "гарантия",
    ):
        assert word in topics
    assert all(2 <= len(paragraphs) <= 4 for paragraphs in sections.values())
    text = " ".join(" ".join(p) for p in sections.values())
    facts = ("50 000 ₸", "1 500 ₸", "2 500 ₸", "Kaspi Red", "0-0-12", "14 дней", "10:00 до 20:00")
    for fact in facts:
        assert fact in text


def test_chats_are_whatsapp_exports_in_both_formats_with_multiline_messages():
    exports = sorted((DATA / "knowledge_base" / "chats").glob("*/chat.txt"))
    assert len(exports) >= 4
    formats = set()
    continuation_lines = 0
    for export in exports:
        lines = export.read_text(encoding="utf-8").splitlines()
        assert ANDROID_LINE.match(lines[0]) or IOS_LINE.match(lines[0])
        formats.add("android" if ANDROID_LINE.match(lines[0]) else "ios")
        continuation_lines += sum(
            1 for line in lines if not (ANDROID_LINE.match(line) or IOS_LINE.match(line))
        )
        assert any(": " in line and "Оттенок:" in line for line in lines)
    assert formats == {"android", "ios"}
    assert continuation_lines >= 3


def test_committed_sample_shop_is_what_the_generator_writes(tmp_path, generator):
    """Regenerating must reproduce data/ byte for byte: deterministic and up to date."""
    generator.write_sample_shop(tmp_path)
    generated = {
        p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
    }
    committed = {
        p.relative_to(DATA): p.read_bytes()
        for p in DATA.rglob("*")
        if p.is_file() and p.relative_to(DATA) in generated
    }
    assert len(generated) > 100
    assert committed.keys() == generated.keys()
    assert [name for name in generated if generated[name] != committed[name]] == []


def test_shop_writer_round_trips_a_tiny_shop(tmp_path):
    rows = [
        {
            "product_name": "Кеды Тест",
            "size": "37,5",
            "color": "Чёрный",
            "quantity": 0,
            "price": 19_900,
        },
        {
            "product_name": "Кеды Тест",
            "size": 38.0,
            "color": "белый",
            "quantity": 3,
            "price": 19_900,
        },
        {
            "product_name": "Сумка Тест",
            "size": "",
            "color": "бежевый",
            "quantity": 1,
            "price": 45_000,
        },
    ]
    products = [
        {
            "name": "Кеды Тест",
            "type": "обувь",
            "brand": "Geox",
            "brand_ru": "Геокс",
            "price": 19_900,
            "colors": ["чёрный", "белый"],
            "sizes": ["37.5", "38"],
            "material": "текстиль",
            "description": "Лёгкие кеды.",
        },
        {
            "name": "Сумка Тест",
            "type": None,
            "brand": None,
            "brand_ru": None,
            "price": 45_000,
            "colors": ["бежевый"],
            "sizes": [],
            "material": "кожа",
            "description": "Сумка на плечо.",
        },
    ]

    en = read_inventory(write_inventory(tmp_path / "en.xlsx", rows))
    ru = read_inventory(write_inventory(tmp_path / "ru.xlsx", rows, russian_headers=True))
    assert list(en[0]) == ["product_name", "size", "color", "quantity", "price"]
    assert [list(r.values()) for r in en] == [list(r.values()) for r in ru]
    assert [r["size"] for r in en] == ["37,5", 38, None]
    assert [(r["color"], r["quantity"], r["price"]) for r in en] == [
        (row["color"], row["quantity"], row["price"]) for row in rows
    ]

    headed = read_catalog_headings(
        write_catalog_headings(tmp_path / "a.docx", products, levels=(1, 3))
    )
    tabled = read_catalog_table(write_catalog_table(tmp_path / "b.docx", products))
    assert headed["Кеды Тест"].pop("_level") == "Heading 1"
    assert headed["Сумка Тест"].pop("_level") == "Heading 3"
    assert headed == tabled
    assert headed["Кеды Тест"] == {
        "Тип": "обувь",
        "Бренд": "Geox (Геокс)",
        "Цена": "19 900 ₸",
        "Цвета": "чёрный, белый",
        "Размеры": "37.5, 38",
        "Материал": "текстиль",
        "Описание": "Лёгкие кеды.",
    }
    assert headed["Сумка Тест"] == {
        "Цена": "45 000 ₸",
        "Цвета": "бежевый",
        "Материал": "кожа",
        "Описание": "Сумка на плечо.",
    }

    sections = {"Оплата": ["Kaspi перевод.", "Kaspi Red."], "Доставка": "Курьером по Алматы."}
    assert read_scripts(write_scripts(tmp_path / "s.docx", sections)) == {
        "Оплата": ["Kaspi перевод.", "Kaspi Red."],
        "Доставка": ["Курьером по Алматы."],
    }

    when = datetime(2026, 3, 12, 10, 15, 2)
    messages = [ChatMessage("c", when, "Дана", "Есть 38?\nИ 39?"), (when, "Оттенок", "Да")]
    android = write_chat_export(tmp_path / "a.txt", messages).read_text(encoding="utf-8")
    ios = write_chat_export(tmp_path / "i.txt", messages, style="ios").read_text(encoding="utf-8")
    assert android == (
        "12.03.2026, 10:15 - Дана: Есть 38?\nИ 39?\n12.03.2026, 10:15 - Оттенок: Да\n"
    )
    assert ios == (
        "[12.03.2026, 10:15:02] Дана: Есть 38?\nИ 39?\n[12.03.2026, 10:15:02] Оттенок: Да\n"
    )

    files = write_photos(tmp_path / "photos", "Кеды test", ["black", "бордовый"], per_color=2)
    nested = write_photos(tmp_path / "photos", "bag", ["бежевый"], color_style="subfolder")
    relative = sorted(str(p.relative_to(tmp_path / "photos")) for p in files + nested)
    assert relative == [
        "bag/бежевый/1.jpg",
        "Кеды test/black_1.jpg",
        "Кеды test/black_2.jpg",
        "Кеды test/бордовый_1.jpg",
        "Кеды test/бордовый_2.jpg",
    ]
    with Image.open(files[0]) as black, Image.open(files[2]) as burgundy:
        assert black.size == (160, 160) and black.format == "JPEG"
        assert black.getpixel((5, 5)) != burgundy.getpixel((5, 5))
    assert all(p.stat().st_size < 10_000 for p in files + nested)


def test_shop_writer_rejects_unknown_styles(tmp_path):
    with pytest.raises(ValueError):
        write_chat_export(tmp_path / "x.txt", [], style="telegram")
    with pytest.raises(ValueError):
        write_photos(tmp_path, "x", ["black"], color_style="zip")
