"""Shops the tests build and load: the sample shop in data/ and three shops written by the
tests themselves, so no behaviour depends on the sample's product names alone.

- `write_second_shop`: four products of made-up brands, both catalog layouts, Shymkent.
- `write_luxe_shop`: an Almaty multi-brand boutique of 23 products (Gucci, Prada, Valentino,
  Loewe…) with confusable products (three loafers of three brands, four Gucci items, two
  New Balance sneakers), the catalog-table layout, English inventory headers, colour subfolders
  for photos, delivery terms per city in its scripts and its own foot-length table; no
  `replies.yaml` and no `shop.yaml`, so it never told us its name.
- `write_aru_shop`: an Astana shop of 12 mid-price products (Rieker, Tamaris, Geox, Guess…),
  the headings layout, Russian inventory headers in the owner's own order under a title line,
  colours in photo file names, a `shop.yaml` with its name, assistant and delivery table, and
  payment on delivery only (no Kaspi).

Each shop has what real shops have: a product sold out entirely, a colour sold out in some
sizes, half sizes, a product without photos or a photo folder matching no product.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tools.shop_writer import (
    english_color,
    write_catalog_headings,
    write_catalog_table,
    write_chat_export,
    write_inventory,
    write_photos,
    write_scripts,
    write_shop_info,
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


# -- shops three and four -----------------------------------------------------------------------

HALVES_35_40 = ["35", "35.5", "36", "36.5", "37", "37.5", "38", "38.5", "39", "40"]
HALVES_36_41 = ["36", "36.5", "37", "37.5", "38", "38.5", "39", "40", "41"]
WHOLE_35_40 = ["35", "36", "37", "38", "39", "40"]
WHOLE_36_41 = ["36", "37", "38", "39", "40", "41"]
ALL = "all"


@dataclass(frozen=True)
class Item:
    """One product of a test shop, with its shelf and its photos.

    `sold_out` lists the (colour, size) variants with nothing left — a size of None stands for
    every size of that colour — or is `ALL` for a product sold out entirely. `photos` maps each
    colour to the word used in its photo names (English by default) and may name colours the
    inventory lacks; `folder` None: the owner never photographed it.
    """

    name: str
    type: str | None
    brand: str | None
    brand_ru: str | None
    price: int
    colors: list[str]
    sizes: list[str]
    material: str
    description: str
    folder: str | None
    sold_out: str | frozenset[tuple[str, str | None]] = frozenset()
    photos: dict[str, str] = field(default_factory=dict)
    photo_style: str = "subfolder"

    def record(self) -> dict[str, object]:
        """The plain dict the shop writer takes."""
        return {
            "name": self.name,
            "type": self.type,
            "brand": self.brand,
            "brand_ru": self.brand_ru,
            "price": self.price,
            "colors": self.colors,
            "sizes": self.sizes,
            "material": self.material,
            "description": self.description,
        }

    def quantity(self, color: str, size: str | None, number: int) -> int:
        if self.sold_out == ALL or (color, size) in self.sold_out or (color, None) in self.sold_out:
            return 0
        return 1 + number % 3

    def photo_labels(self) -> list[str]:
        if self.photos:
            return list(self.photos.values())
        return [english_color(c) or c for c in self.colors]


def _inventory_rows(items: Iterable[Item], typed_size) -> list[dict[str, object]]:
    """Every colour x size of every item; sizes typed the way the shop's staff type them."""
    rows = []
    for item in items:
        number = 0
        for color in item.colors:
            for size in item.sizes or [None]:
                rows.append(
                    {
                        "product_name": item.name,
                        "size": typed_size(size, number),
                        "color": color.capitalize() if number % 4 == 1 else color,
                        "quantity": item.quantity(color, size, number),
                        "price": item.price,
                    }
                )
                number += 1
    return rows


def _write_photos(root: Path, items: Iterable[Item]) -> None:
    for item in items:
        if item.folder:
            write_photos(root, item.folder, item.photo_labels(), color_style=item.photo_style)


# fmt: off
LUXE_SHOES = [
    Item(
        "Лоферы Gucci Jordaan", "обувь", "Gucci", "Гуччи", 465_000,
        ["черный", "бордовый"], HALVES_35_40, "гладкая кожа",
        "Лоферы с фирменной пряжкой Horsebit, тонкая кожаная подошва.",
        "gucci_jordaan", sold_out=frozenset({("бордовый", "38")}),
    ),
    Item(
        "Лоферы Prada Monolith", "обувь", "Prada", "Прада", 520_000,
        ["черный", "белый"], WHOLE_35_40, "шлифованная кожа",
        "Массивные лоферы на рифлёной подошве Monolith, треугольный логотип.",
        "Лоферы Прада Монолит",
    ),
    Item(
        "Лоферы Salvatore Ferragamo Gancini", "обувь", "Salvatore Ferragamo", "Феррагамо",
        395_000, ["черный", "коньячный"], WHOLE_36_41, "телячья кожа",
        "Классические лоферы с пряжкой Gancini на низком ходу.",
        "ferragamo gancini", photos={"черный": "black", "коньячный": "коньячный"},
    ),
    Item(
        "Туфли Valentino Garavani Rockstud", "обувь", "Valentino Garavani", "Валентино",
        480_000, ["черный", "нюдовый", "красный"], HALVES_35_40, "лакированная кожа",
        "Лодочки с шипами Rockstud на каблуке 10 см.",
        "valentino rockstud",
        sold_out=frozenset({("красный", "36"), ("красный", "37"), ("красный", "37.5")}),
        photos={"черный": "black", "нюдовый": "nude", "красный": "red"},
    ),
    Item(
        "Балетки Miu Miu Satin", "обувь", "Miu Miu", "Миу Миу", 410_000,
        ["черный", "розовый"], HALVES_35_40, "атлас",
        "Атласные балетки с бантом и логотипом, мягкая стелька.",
        "miumiu_baletki", sold_out=frozenset({("розовый", None)}),
    ),
    Item(
        "Балетки Repetto Cendrillon", "обувь", "Repetto", "Репетто", 145_000,
        ["черный", "бежевый", "красный"], WHOLE_35_40, "лакированная кожа",
        "Легендарные французские балетки ручной работы.",
        "Repetto Cendrillon",
    ),
    Item(
        "Мюли Bottega Veneta Stretch", "обувь", "Bottega Veneta", "Боттега Венета",
        430_000, ["черный", "белый"], WHOLE_36_41, "кожа ягнёнка",
        "Мюли с квадратным мысом на каблуке 9 см.",
        "bottega_mules",
    ),
    Item(
        "Сандалии Hermès Oran", "обувь", "Hermès", "Эрмес", 390_000,
        ["черный", "золотой", "белый"], HALVES_35_40, "кожа",
        "Плоские сандалии с вырезом H, самая узнаваемая летняя пара.",
        "hermes oran", photos={"черный": "black", "золотой": "gold", "белый": "white"},
    ),
    Item(
        "Сандалии Birkenstock Arizona", "обувь", "Birkenstock", "Биркеншток", 69_000,
        ["черный", "белый", "коричневый"], WHOLE_36_41, "бирко-флор",
        "Анатомическая пробковая стелька, два ремешка с пряжками.",
        "birkenstock arizona",
    ),
    Item(
        "Кроссовки New Balance 530", "обувь", "New Balance", "Нью Баланс", 79_000,
        ["белый", "серый"], HALVES_36_41, "сетка и замша",
        "Лёгкие ретро-кроссовки на каждый день.",
        "nb530", sold_out=frozenset({("белый", "36.5"), ("серый", "36.5")}),
    ),
    Item(
        "Кроссовки New Balance 9060", "обувь", "New Balance", "Нью Баланс", 99_000,
        ["серый", "бежевый"], WHOLE_36_41, "замша и сетка",
        "Массивные кроссовки на высокой подошве.",
        "New Balance 9060",
    ),
    Item(
        "Кроссовки Golden Goose Super-Star", "обувь", "Golden Goose", "Голден Гус", 285_000,
        ["белый"], WHOLE_36_41, "кожа",
        "Кеды с эффектом винтажа и звездой сбоку, ручная работа.",
        "golden goose superstar", sold_out=ALL,
    ),
    Item(
        "Угги UGG Classic Mini", "обувь", "UGG", "Угги", 119_000,
        ["черный", "коричневый"], WHOLE_36_41, "овчина",
        "Короткие угги из натуральной овчины, тёплые до −25°.",
        "ugg mini",
    ),
    Item(
        "Ботильоны Gianvito Rossi Piper", "обувь", "Gianvito Rossi", "Джанвито Росси",
        445_000, ["черный", "бежевый"], HALVES_35_40, "замша",
        "Ботильоны на шпильке 8,5 см с узким мысом.",
        "gianvito_rossi_piper",
    ),
]
# fmt: on

# fmt: off
LUXE_BAGS_AND_ACCESSORIES = [
    Item(
        "Сумка Gucci GG Marmont", "сумка", "Gucci", "Гуччи", 780_000,
        ["черный", "пудровый", "белый"], [], "стёганая кожа",
        "Стёганая сумка на цепочке с логотипом GG.",
        "gucci marmont bag", sold_out=frozenset({("пудровый", None)}),
        photos={"черный": "black", "пудровый": "powder", "белый": "white", "красный": "red"},
    ),
    Item(
        "Сумка Gucci Jackie 1961", "сумка", "Gucci", "Гуччи", 1_150_000,
        ["черный", "бежевый"], [], "кожа",
        "Сумка-хобо с застёжкой-пистоном, носится на плече.",
        "gucci jackie",
    ),
    Item(
        "Сумка Loewe Puzzle", "сумка", "Loewe", "Лоэве", 1_350_000,
        ["карамельный", "черный"], [], "телячья кожа",
        "Геометричная сумка, складывается плоско; ремень на плечо в комплекте.",
        "loewe puzzle", photos={"карамельный": "карамельный", "черный": "black"},
    ),
    Item(
        "Сумка Prada Re-Edition 2005", "сумка", "Prada", "Прада", 890_000,
        ["черный", "белый"], [], "нейлон Re-Nylon",
        "Нейлоновая сумка с маленьким кошельком на ремешке.",
        "prada re-edition",
    ),
    Item(
        "Сумка Mansur Gavriel Bucket", "сумка", "Mansur Gavriel", None, 195_000,
        ["черный", "оливковый"], [], "итальянская кожа",
        "Сумка-мешок на шнурке, внутри контрастная подкладка.",
        "mansur gavriel bucket",
    ),
    Item(
        "Ремень Gucci GG Marmont", "аксессуар", "Gucci", "Гуччи", 235_000,
        ["черный"], [], "кожа",
        "Кожаный ремень с пряжкой GG, ширина 3 см.",
        "gucci belt",
    ),
    Item(
        "Платок Hermès Carré", "аксессуар", "Hermès", "Эрмес", 210_000,
        ["оранжевый", "синий"], [], "шёлковый твил",
        "Шёлковый платок 90×90 см, ручная подшивка края.",
        "hermes carre", photos={"оранжевый": "оранжевый", "синий": "blue"},
    ),
    Item(
        "Очки Prada Symbole", "аксессуар", "Prada", "Прада", 265_000,
        ["черный", "коричневый"], [], "ацетат",
        "Солнцезащитные очки с массивными дужками и логотипом.",
        "prada ochki",
    ),
    Item(
        "Кардхолдер Prada Saffiano", "аксессуар", "Prada", "Прада", 139_000,
        ["черный", "розовый"], [], "кожа сафьяно",
        "Кардхолдер на 4 карты с металлическим логотипом.",
        None,
    ),
]
# fmt: on

LUXE_ITEMS = LUXE_SHOES + LUXE_BAGS_AND_ACCESSORIES

LUXE_SCRIPTS = {
    "Доставка": [
        "По Алматы доставляем курьером за 1–2 дня, доставка бесплатная.",
        "В Астану отправляем СДЭК: 2–3 дня, стоимость 1 500 ₸.",
        "В остальные города Казахстана — СДЭК или Казпочтой, 3–5 дней, стоимость 2 000 ₸.",
        "Трек-номер присылаем в WhatsApp в день отправки.",
    ],
    "Оплата": [
        "Оплата переводом Kaspi Gold или по Kaspi QR после подтверждения заказа. По Алматы "
        "можно оплатить картой курьеру.",
        "Есть рассрочка Kaspi Red на 3 месяца без переплаты.",
    ],
    "Обмен и возврат": [
        "Обмен и возврат в течение 10 дней после получения, если товар не носили и сохранены "
        "бирки, коробка и пыльник.",
        "Деньги возвращаем в течение 5 рабочих дней тем же способом, которым вы платили.",
    ],
    "Размерная сетка": [
        "Размер подбираем по длине стопы: 35 — 22 см, 35,5 — 22,5 см, 36 — 23 см, "
        "36,5 — 23,5 см, 37 — 24 см, 37,5 — 24,5 см, 38 — 25 см, 38,5 — 25,5 см, "
        "39 — 26 см, 40 — 26,5 см, 41 — 27 см.",
        "Если сомневаетесь между размерами, напишите длину стопы — подскажем.",
    ],
    "Оригинальность": [
        "Продаём только оригинал: закупаем в бутиках Милана и Дубая, к каждой паре прилагаются "
        "чек, коробка и пыльник.",
    ],
    "Шоурум и примерка": [
        "Шоурум в Алматы: пр. Достык 85, 3 этаж, ежедневно с 11:00 до 21:00. Примерка по "
        "предварительной записи.",
    ],
}


def _luxe_size(size: str | None, number: int) -> object:
    """English-header sheet, typed by a buyer: 38, "38", 36.5 or "36,5"."""
    if size is None:
        return None
    if "." in size:
        return float(size) if number % 2 else size.replace(".", ",")
    return int(size) if number % 3 else size


def write_luxe_shop(root: Path) -> Path:
    """The Almaty multi-brand boutique: catalog tables, English headers, colour subfolders."""
    write_inventory(root / "inventory.xlsx", _inventory_rows(LUXE_ITEMS, _luxe_size))
    catalog = root / "knowledge_base" / "catalog"
    write_catalog_table(catalog / "Обувь SS26.docx", [i.record() for i in LUXE_SHOES])
    write_catalog_table(
        catalog / "Сумки и аксессуары.docx", [i.record() for i in LUXE_BAGS_AND_ACCESSORIES]
    )
    write_scripts(root / "knowledge_base" / "scripts" / "Скрипты продаж.docx", LUXE_SCRIPTS)
    write_chat_export(
        root / "knowledge_base" / "chats" / "jordaan" / "WhatsApp Chat.txt",
        [
            (datetime(2026, 2, 3, 12, 5), "Жанна", "Добрый день, лоферы гуччи в 37 есть?"),
            (datetime(2026, 2, 3, 12, 7), "Boutique", "Добрый день! Да, черные в 37 есть."),
            (datetime(2026, 2, 3, 12, 9), "Жанна", "а в Астану сколько доставка"),
            (datetime(2026, 2, 3, 12, 10), "Boutique", "В Астану СДЭК, 2–3 дня, 1 500 ₸."),
        ],
        style="ios",
    )
    _write_photos(root / "photos", LUXE_ITEMS)
    write_photos(root / "photos", "archive_2024", ["black"], color_style="file")
    return root


# fmt: off
ARU_ITEMS = [
    Item(
        "Ботинки Rieker Anna", "обувь", "Rieker", "Рикер", 42_900,
        ["черный", "коричневый"], WHOLE_36_41, "натуральная кожа, байка",
        "Тёплые ботинки на устойчивом каблуке 4 см, противоскользящая подошва.",
        "Ботинки Рикер", photo_style="file",
        photos={"черный": "черный", "коричневый": "коричневый"},
    ),
    Item(
        "Ботинки Tamaris Lina", "обувь", "Tamaris", "Тамарис", 38_900,
        ["черный", "бордовый"], WHOLE_36_41, "замша",
        "Ботинки на шнуровке, внутри шерстяной мех.",
        "tamaris_lina", photo_style="file",
        sold_out=frozenset({("бордовый", "37"), ("бордовый", "38")}),
        photos={"черный": "черный", "бордовый": "бордовый"},
    ),
    Item(
        "Челси Marco Tozzi Greta", "обувь", "Marco Tozzi", "Марко Тоцци", 34_900,
        ["черный", "бежевый"], WHOLE_36_41, "экокожа",
        "Челси с эластичными вставками, подошва-трактор.",
        "marco tozzi chelsea", photo_style="file",
    ),
    Item(
        "Сапоги Tamaris Nora", "обувь", "Tamaris", "Тамарис", 64_900,
        ["черный"], WHOLE_36_41, "натуральная кожа",
        "Высокие сапоги на молнии, голенище 40 см.",
        "tamaris nora", photo_style="file", sold_out=ALL,
    ),
    Item(
        "Кроссовки Geox Spherica", "обувь", "Geox", "Геокс", 54_900,
        ["белый", "черный"], HALVES_36_41, "текстиль и экокожа",
        "Дышащие кроссовки с мембраной, очень лёгкие.",
        "geox spherica", photo_style="file", sold_out=frozenset({("черный", "37.5")}),
    ),
    Item(
        "Кроссовки Rieker Revolution", "обувь", "Rieker", "Рикер", 39_900,
        ["белый", "бежевый"], WHOLE_36_41, "натуральная кожа",
        "Мягкие кроссовки на платформе 4 см.",
        "rieker revolution", photo_style="file",
    ),
    Item(
        "Туфли Tamaris Heart", "обувь", "Tamaris", "Тамарис", 29_900,
        ["черный", "красный"], WHOLE_36_41, "лакированная экокожа",
        "Лодочки на каблуке 7 см, мягкая стелька Touch-It.",
        "tamaris heart", photo_style="file",
    ),
    Item(
        "Сумка Guess Noelle", "сумка", "Guess", "Гесс", 64_900,
        ["черный", "бежевый", "розовый"], [], "экокожа",
        "Сумка-тоут с логотипом, вмещает А4.",
        "guess noelle", photo_style="file",
    ),
    Item(
        "Сумка Guess Katey", "сумка", "Guess", "Гесс", 54_900,
        ["черный", "белый"], [], "экокожа",
        "Небольшая сумка через плечо на цепочке.",
        "guess katey", photo_style="file",
    ),
    Item(
        "Рюкзак Guess Vikky", "сумка", "Guess", "Гесс", 49_900,
        ["черный"], [], "экокожа",
        "Компактный городской рюкзак.",
        "guess vikky", photo_style="file",
    ),
    Item(
        "Ремень Tamaris Classic", "аксессуар", "Tamaris", "Тамарис", 12_900,
        ["черный", "коричневый"], [], "натуральная кожа",
        "Ремень шириной 3 см с матовой пряжкой.",
        "Ремень Тамарис", photo_style="file",
        photos={"черный": "черный", "коричневый": "коричневый"},
    ),
    Item(
        "Шарф кашемировый Aru", "аксессуар", None, None, 24_900,
        ["серый", "молочный"], [], "кашемир и шерсть",
        "Мягкий шарф 180×70 см нашего собственного производства.",
        "sharf aru", photo_style="file",
    ),
]
# fmt: on

ARU_SCRIPTS = {
    "Доставка по Астане": [
        "По Астане привезём курьером в день заказа, если оформить до 14:00. Доставка по городу "
        "бесплатная.",
    ],
    "Доставка в другие города": [
        "В Караганду и Кокшетау доставка 1–2 дня, стоимость 1 000 ₸.",
        "В Алматы, Шымкент и остальные города Казахстана отправляем СДЭК: 3–5 дней, "
        "стоимость 2 000 ₸.",
    ],
    "Оплата": [
        "Оплата при получении: наличными или картой курьеру, в других городах — в пункте СДЭК. "
        "Предоплата не нужна.",
    ],
    "Возврат": [
        "Обмен и возврат в течение 14 дней, если обувь не носили на улице и сохранена коробка.",
    ],
    "Размеры": [
        "Наши модели идут в размер. Если сомневаетесь, напишите длину стопы — подскажем.",
    ],
}

ARU_FACTS = {
    "name": "Aru Shoes",
    "assistant": "Дана",
    "delivery": [
        {"where": "Астана", "days": "в день заказа", "price": "бесплатно"},
        {"where": "Караганда", "days": "1–2 дня", "price": "1 000 ₸"},
        {"where": "Кокшетау", "days": "1–2 дня", "price": "1 000 ₸"},
        {"where": "по Казахстану", "days": "3–5 дней", "price": "2 000 ₸"},
    ],
}

ARU_COLUMNS = {
    "product_name": "Модель",
    "color": "Цвет",
    "size": "Размер",
    "price": "Цена",
    "quantity": "Кол-во",
}


def _aru_size(size: str | None, number: int) -> object:
    """Russian sheet typed by the owner: 38, 38.0 or "37,5"."""
    if size is None:
        return None
    if "." in size:
        return size.replace(".", ",")
    return float(size) if number % 5 == 2 else int(size)


def write_aru_shop(root: Path) -> Path:
    """The Astana shop: headings catalog, Russian headers in the owner's order, `shop.yaml`."""
    write_inventory(
        root / "inventory.xlsx",
        _inventory_rows(ARU_ITEMS, _aru_size),
        russian_headers=True,
        columns=ARU_COLUMNS,
        title="Остатки на складе, Астана",
    )
    write_catalog_headings(
        root / "knowledge_base" / "catalog" / "Каталог Aru.docx",
        [i.record() for i in ARU_ITEMS],
        levels=(1, 2),
    )
    write_scripts(root / "knowledge_base" / "scripts" / "scripts.docx", ARU_SCRIPTS)
    write_chat_export(
        root / "knowledge_base" / "chats" / "aigul.txt",
        [
            (datetime(2026, 1, 20, 18, 30), "Айгуль", "Здравствуйте рикер ботинки 38 есть?"),
            (datetime(2026, 1, 20, 18, 32), "Aru Shoes", "Здравствуйте! Есть черные и коричневые."),
        ],
    )
    _write_photos(root / "photos", ARU_ITEMS)
    write_shop_info(root / "shop.yaml", ARU_FACTS)
    return root
