"""Shops the tests build and load: the sample shop in data/ and a second shop written by the
tests themselves, so no behaviour depends on the sample's product names alone.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tools.shop_writer import (
    write_catalog_headings,
    write_catalog_table,
    write_chat_export,
    write_inventory,
    write_photos,
    write_scripts,
)

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "data"

SECOND_SHOP_PRODUCTS = [
    {
        "name": "Мокасины Aurora Drive",
        "type": "обувь",
        "brand": "Aurora",
        "brand_ru": "Аврора",
        "price": 41500,
        "colors": ["синий", "серый"],
        "sizes": ["36", "37", "38", "39"],
        "material": "замша",
        "description": "Мягкие мокасины на каждый день.",
    },
    {
        "name": "Эспадрильи Vela",
        "type": None,
        "brand": None,
        "brand_ru": None,
        "price": 15900,
        "colors": ["оливковый"],
        "sizes": ["37", "38", "39", "40"],
        "material": "хлопок и джут",
        "description": "Лёгкие летние эспадрильи.",
    },
    {
        "name": "Кроссбоди Vega Mini",
        "type": "сумка",
        "brand": "Vega",
        "brand_ru": "Вега",
        "price": 33000,
        "colors": ["терракотовый"],
        "sizes": [],
        "material": "экокожа",
        "description": "Маленькая сумка через плечо.",
    },
    {
        "name": "Шарф Nimbus",
        "type": "аксессуар",
        "brand": "Nimbus",
        "brand_ru": "Нимбус",
        "price": 12000,
        "colors": ["серый", "голубой"],
        "sizes": [],
        "material": "шерсть",
        "description": "Тёплый шарф крупной вязки.",
    },
]

SECOND_SHOP_SCRIPTS = {
    "Доставка": [
        "По Шымкенту доставляем курьером за 1 день, бесплатно от 30 000 ₸.",
        "По Казахстану отправляем почтой, 3–6 дней, стоимость 2 000 ₸.",
    ],
    "Оплата": ["Оплата переводом Kaspi или картой при получении."],
    "Возврат": ["Вернуть или обменять можно в течение 7 дней, если обувь не носили."],
}


def write_second_shop(root: Path) -> Path:
    """A small shop in the documented layout with products unlike the sample's."""
    rows = []
    for product in SECOND_SHOP_PRODUCTS:
        sizes = product["sizes"] or [None]
        for color in product["colors"]:
            for size in sizes:
                quantity = 0 if (size == "39" and color == "синий") else 3
                rows.append(
                    {
                        "product_name": product["name"],
                        "size": size,
                        "color": color.capitalize(),
                        "quantity": quantity,
                        "price": product["price"],
                    }
                )
    write_inventory(root / "inventory.xlsx", rows)
    catalog = root / "knowledge_base" / "catalog"
    write_catalog_headings(catalog / "shoes.docx", SECOND_SHOP_PRODUCTS[:2])
    write_catalog_table(catalog / "other.docx", SECOND_SHOP_PRODUCTS[2:])
    write_scripts(root / "knowledge_base" / "scripts" / "scripts.docx", SECOND_SHOP_SCRIPTS)
    write_chat_export(
        root / "knowledge_base" / "chats" / "first" / "chat.txt",
        [
            (datetime(2026, 10, 1, 10, 0), "Гульнара", "Здравствуйте, мокасины есть 38?"),
            (datetime(2026, 10, 1, 10, 2), "Магазин", "Да, есть в сером и синем."),
        ],
    )
    write_photos(root / "photos", "mokasiny_aurora", ["синий", "серый"])
    write_photos(root / "photos", "Эспадрильи Vela", ["оливковый"], color_style="subfolder")
    write_photos(root / "photos", "vega_mini", ["терракотовый"])
    write_photos(root / "photos", "Шарф Nimbus", ["серый", "голубой"])
    return root
