"""A third test shop for answers and shop facts: delivery terms per city in a script TABLE,
payment and installments in one paragraph, confusable sneakers of two brands, a sold-out kind,
and no `shop.yaml` or `replies.yaml` (so it has no name a reply may use).
"""

from __future__ import annotations

from pathlib import Path

import docx

from tools.shop_writer import write_catalog_table, write_inventory

PRODUCTS = [
    {"name": "Кроссовки Nova Run", "type": "обувь", "brand": "Nova", "brand_ru": "Нова",
     "price": 32000, "colors": ["белый", "черный"], "sizes": ["36", "37", "38", "39", "40"],
     "material": "текстиль", "description": "Лёгкие беговые кроссовки."},
    {"name": "Кроссовки Nova Street", "type": "обувь", "brand": "Nova", "brand_ru": "Нова",
     "price": 35000, "colors": ["серый"], "sizes": ["37", "38", "39"],
     "material": "замша", "description": "Городские кроссовки."},
    {"name": "Кеды Lumo Canvas", "type": "обувь", "brand": "Lumo", "brand_ru": "Лумо",
     "price": 18000, "colors": ["белый"], "sizes": ["36", "37", "38"],
     "material": "хлопок", "description": "Кеды из плотного хлопка."},
    {"name": "Ботинки Terra Hike", "type": "обувь", "brand": "Terra", "brand_ru": "Терра",
     "price": 45000, "colors": ["коричневый"], "sizes": ["37", "38", "39", "40"],
     "material": "кожа", "description": "Тёплые ботинки."},
    {"name": "Сумка Lumo Tote", "type": "сумка", "brand": "Lumo", "brand_ru": "Лумо",
     "price": 27000, "colors": ["черный", "бежевый"], "sizes": [],
     "material": "кожа", "description": "Вместительная сумка."},
    {"name": "Клатч Nova Star", "type": "сумка", "brand": "Nova", "brand_ru": "Нова",
     "price": 22000, "colors": ["золотой"], "sizes": [],
     "material": "экокожа", "description": "Вечерний клатч."},
]  # fmt: skip

#: Sold out: every Lumo Canvas sneaker; Nova Run in 38 (both colours) and white in 39.
SOLD_OUT = {
    ("Кеды Lumo Canvas", None, None),
    ("Кроссовки Nova Run", "38", "белый"),
    ("Кроссовки Nova Run", "39", "белый"),
    ("Кроссовки Nova Run", "38", "черный"),
}

DELIVERY_TABLE = [
    ("Город", "Срок", "Стоимость"),
    ("Астана", "1 день", "1 000 тг"),
    ("Караганда, Темиртау", "2–3 дня", "1 500 тг"),
    ("Алматинская область", "3–4 дня", "2 000 тг"),
    ("Другие города", "4–7 дней", "3 000 тг"),
]
SCRIPTS: dict[str, list[str]] = {
    "Доставка": [
        "Доставляем по всему Казахстану, отправка на следующий день после оплаты.",
        "TABLE",
        "Бесплатная доставка по Астане при заказе от 40 000 тг.",
    ],
    "Оплата": [
        "Принимаем Kaspi перевод и карты Halyk. Также можно оформить рассрочку Kaspi Red 0-0-6"
        " — на 6 месяцев без переплаты.",
    ],
    "Возврат": ["Вернуть товар можно в течение 10 дней, если сохранён товарный вид и чек."],
    "Размеры": [
        "Кроссовки Nova идут точно в размер. Если у вас широкая стопа, берите на полразмера"
        " больше.",
    ],
}


def _sold_out(name: str, size: str | None, color: str) -> bool:
    return any(
        n == name and s in (None, size) and c in (None, color) for n, s, c in SOLD_OUT
    )


#: Scripts that state no delivery, payment or returns terms at all.
FACTLESS_SCRIPTS: dict[str, list[str]] = {
    "Доставка": ["Доставку и оплату согласует менеджер после оформления заказа."],
    "Размеры": ["Кроссовки Nova идут точно в размер."],
}


def write_scripts_with_table(path: Path, scripts: dict[str, list[str]] = SCRIPTS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for topic, paragraphs in scripts.items():
        document.add_heading(topic, level=1)
        for paragraph in paragraphs:
            if paragraph != "TABLE":
                document.add_paragraph(paragraph)
                continue
            table = document.add_table(rows=0, cols=3)
            for row in DELIVERY_TABLE:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    cell.text = value
    document.save(path)
    return path


def write_delivery_shop(root: Path, scripts: dict[str, list[str]] = SCRIPTS) -> Path:
    """The shop under `root`; `scripts=FACTLESS_SCRIPTS` writes one whose files state no
    delivery, payment or returns terms."""
    rows = []
    for product in PRODUCTS:
        for color in product["colors"]:
            for size in product["sizes"] or [None]:
                rows.append(
                    {
                        "product_name": product["name"],
                        "size": size,
                        "color": color,
                        "quantity": 0 if _sold_out(product["name"], size, color) else 2,
                        "price": product["price"],
                    }
                )
    write_inventory(root / "inventory.xlsx", rows)
    write_catalog_table(root / "knowledge_base" / "catalog" / "catalog.docx", PRODUCTS)
    write_scripts_with_table(root / "knowledge_base" / "scripts" / "scripts.docx", scripts)
    return root
