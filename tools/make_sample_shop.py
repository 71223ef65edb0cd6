"""Generate the sample shop «Оттенок» into data/ (or --out DIR).

The sample shop is the fixture every adapter, the knowledge builder and the demo chat run
on, so it is deliberately untidy the way real shop files are: Russian inventory headers,
sizes typed as 38, 38.0 and "38,5", colours as "Чёрный" or "черный", two catalog layouts,
a few products without `Тип`, photo folders named in Latin, Russian or both.

Everything here is content; the file formats live in tools/shop_writer.py. A fixed
seed keeps the output byte-identical between runs so regenerating does not churn the repo.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
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

SEED = 2026
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data"
INVENTORY_FILE = "inventory.xlsx"
CATALOG_DIR = Path("knowledge_base") / "catalog"
HEADINGS_CATALOG = CATALOG_DIR / "katalog_obuv_i_aksessuary.docx"
TABLE_CATALOG = CATALOG_DIR / "novinki_i_sumki.docx"
SCRIPTS_FILE = Path("knowledge_base") / "scripts" / "sales_scripts.docx"
CHATS_DIR = Path("knowledge_base") / "chats"
PHOTOS_DIR = Path("photos")
SHOP_AUTHOR = "Оттенок"
SHOP_FILE = Path("shop.yaml")
# The sample shop's own facts. Delivery, payment and returns are left to its scripts, so the
# sample also shows what is derived from them (a `delivery:` table here would win over them).
SHOP_INFO = {"name": SHOP_AUTHOR, "assistant": "Алина"}

BRANDS_RU = {
    "Stuart Weitzman": "Стюарт Вайцман",
    "Dr. Martens": "Доктор Мартинс",
    "Chanel": "Шанель",
    "Tod's": "Тодс",
    "Jimmy Choo": "Джимми Чу",
    "Michael Kors": "Майкл Корс",
    "Coach": "Коуч",
    "Furla": "Фурла",
    "Ecco": "Экко",
}

FULL = ["35", "36", "37", "38", "39", "40", "41"]
WITH_HALVES = ["35", "36", "36.5", "37", "37.5", "38", "38.5", "39", "40", "41"]
FROM_36 = FULL[1:]
TO_40 = FULL[:-1]


@dataclass(frozen=True)
class SampleProduct:
    """One product of the sample shop plus how its photo folder is laid out.

    `type` None leaves `Тип` out of the catalog; `photo_words` says whether colour words in
    photo names are English, Russian or alternating ("mixed").
    """

    name: str
    type: str | None
    brand: str | None
    price: int
    colors: tuple[str, ...]
    sizes: tuple[str, ...]
    material: str
    description: str
    photo_folder: str
    photo_words: str = "en"
    photo_style: str = "file"

    def catalog_record(self) -> dict[str, object]:
        """The plain dict the shop writer takes."""
        return {
            "name": self.name,
            "type": self.type,
            "brand": self.brand,
            "brand_ru": BRANDS_RU.get(self.brand or ""),
            "price": self.price,
            "colors": list(self.colors),
            "sizes": list(self.sizes),
            "material": self.material,
            "description": self.description,
        }

    def photo_labels(self) -> list[str]:
        """Colour words as they appear in this product's photo file names."""
        labels = []
        for index, color in enumerate(self.colors):
            english = self.photo_words == "en" or (self.photo_words == "mixed" and index % 2 == 0)
            labels.append((english_color(color) or color) if english else color)
        return labels


def _p(
    name: str,
    type_: str | None,
    brand: str | None,
    price: int,
    colors: list[str],
    sizes: list[str],
    material: str,
    description: str,
    folder: str,
    words: str = "en",
    style: str = "file",
) -> SampleProduct:
    """Positional shorthand that keeps the product table below readable."""
    return SampleProduct(
        name,
        type_,
        brand,
        price,
        tuple(colors),
        tuple(sizes),
        material,
        description,
        folder,
        words,
        style,
    )


BRANDED_SHOES = [
    _p(
        "Ботильоны Stuart Weitzman Stuart",
        "обувь",
        "Stuart Weitzman",
        289_000,
        ["бордовый", "черный", "бежевый"],
        WITH_HALVES,
        "замша",
        "Культовые ботильоны на устойчивом каблуке 7,5 см с эластичной вставкой сзади: "
        "садятся по ноге и не натирают. Бордовый — хит сезона.",
        "stuart_weitzman_botilony",
    ),
    _p(
        "Сапоги Stuart Weitzman 5050",
        "обувь",
        "Stuart Weitzman",
        395_000,
        ["черный", "серый"],
        FULL,
        "замша и стрейч",
        "Высокие сапоги-ботфорты на плоском ходу, эластичная задняя часть держит голенище.",
        "SW 5050 сапоги",
        "ru",
        "subfolder",
    ),
    _p(
        "Босоножки Stuart Weitzman Nudist",
        "обувь",
        "Stuart Weitzman",
        259_000,
        ["золотой", "черный", "пудровый"],
        FULL,
        "натуральная кожа",
        "Минималистичные босоножки на тонком ремешке, каблук 10 см. Для вечера и свадеб.",
        "stuart-weitzman-nudist",
    ),
    _p(
        "Ботинки Dr. Martens 1460",
        "обувь",
        "Dr. Martens",
        94_900,
        ["черный", "бордовый", "белый"],
        FROM_36,
        "гладкая кожа",
        "Классические восьмидырочные ботинки на фирменной подошве AirWair с жёлтой строчкой.",
        "dr_martens_1460",
        "mixed",
    ),
    _p(
        "Челси Dr. Martens 2976",
        "обувь",
        "Dr. Martens",
        99_900,
        ["черный", "коричневый"],
        FROM_36,
        "натуральная кожа",
        "Ботинки челси с эластичными вставками по бокам, удобно надевать без шнурков.",
        "Мартинсы челси",
        "ru",
    ),
    _p(
        "Ботинки Dr. Martens Jadon",
        "обувь",
        "Dr. Martens",
        119_000,
        ["черный"],
        FROM_36,
        "гладкая кожа",
        "Ботинки на высокой платформе 5 см с боковой молнией, держат форму много сезонов.",
        "martens jadon platforma",
        "mixed",
    ),
    _p(
        "Лодочки Chanel Slingback",
        "обувь",
        "Chanel",
        420_000,
        ["бежевый", "черный"],
        WITH_HALVES,
        "кожа ягнёнка",
        "Двухцветные слингбэки с открытой пяткой и чёрным мыском, каблук 6,5 см.",
        "Chanel лодочки",
        "ru",
    ),
    _p(
        "Балетки Chanel Ballerina",
        "обувь",
        "Chanel",
        379_000,
        ["черный", "бежевый", "пудровый"],
        FULL,
        "кожа ягнёнка",
        "Мягкие балетки с фирменным мыском и логотипом CC, на каждый день и в поездки.",
        "chanel_baletki",
        "en",
        "subfolder",
    ),
    _p(
        "Лоферы Tod's Gommino",
        "обувь",
        "Tod's",
        219_000,
        ["коричневый", "черный", "синий"],
        TO_40,
        "замша",
        "Мокасины с фирменными резиновыми шипами на подошве, очень лёгкие и мягкие.",
        "tods_gommino",
    ),
    _p(
        "Лоферы Tod's Kate",
        "обувь",
        "Tod's",
        239_000,
        ["черный", "молочный"],
        TO_40,
        "натуральная кожа",
        "Лоферы с металлической цепочкой на подъёме и устойчивым каблуком 3 см.",
        "Тодс Кейт лоферы",
        "ru",
    ),
    _p(
        "Лодочки Jimmy Choo Romy",
        "обувь",
        "Jimmy Choo",
        265_000,
        ["черный", "бежевый", "красный"],
        WITH_HALVES,
        "лаковая кожа",
        "Классические лодочки с острым мыском на шпильке 8,5 см.",
        "jimmy choo romy",
        "mixed",
    ),
    _p(
        "Босоножки Jimmy Choo Azia",
        "обувь",
        "Jimmy Choo",
        285_000,
        ["золотой", "черный"],
        FULL,
        "кожа с металлизированным покрытием",
        "Босоножки на тонких ремешках и каблуке 9,5 см, застёжка на щиколотке.",
        "JimmyChoo_Azia",
    ),
    _p(
        "Мюли Jimmy Choo Bing",
        "обувь",
        "Jimmy Choo",
        309_000,
        ["черный", "пудровый"],
        FULL,
        "атлас и кристаллы",
        "Мюли с ремешком, расшитым кристаллами, на каблуке 10 см.",
        "мюли джимми чу",
        "ru",
        "subfolder",
    ),
    _p(
        "Кроссовки Michael Kors Allie",
        "обувь",
        "Michael Kors",
        79_900,
        ["белый", "бежевый"],
        FULL,
        "кожа и текстиль",
        "Лёгкие кроссовки на массивной подошве, с логотипом MK сбоку.",
        "mk_allie_krossovki",
    ),
    _p(
        "Кеды Michael Kors Keaton",
        "обувь",
        "Michael Kors",
        59_900,
        ["белый", "черный"],
        FULL,
        "текстиль",
        "Кеды-слипоны без шнурков на эластичных вставках, на каждый день.",
        "Michael Kors кеды",
        "ru",
    ),
    _p(
        "Лоферы Coach Leah",
        "обувь",
        "Coach",
        99_900,
        ["черный", "коричневый"],
        FULL,
        "натуральная кожа",
        "Лоферы с фирменной пряжкой C на плоской подошве.",
        "coach_leah_lofery",
    ),
    _p(
        "Кеды Coach Clip",
        "обувь",
        "Coach",
        69_900,
        ["белый", "молочный"],
        FULL,
        "кожа",
        "Низкие кожаные кеды с перфорацией и логотипом на пятке.",
        "coach clip",
        "mixed",
    ),
    _p(
        "Мюли Furla Zen",
        "обувь",
        "Furla",
        84_900,
        ["черный", "бежевый"],
        TO_40,
        "натуральная кожа",
        "Мюли на небольшом квадратном каблуке 4 см с металлической фурнитурой Arch.",
        "furla_muli",
    ),
    _p(
        "Кроссовки Ecco Soft 7",
        "обувь",
        "Ecco",
        64_900,
        ["белый", "черный", "серый"],
        FROM_36,
        "натуральная кожа",
        "Анатомическая стелька и гибкая подошва: можно ходить весь день.",
        "ecco_soft7",
    ),
    _p(
        "Ботинки Ecco Modtray",
        "обувь",
        "Ecco",
        89_900,
        ["черный", "коричневый"],
        FROM_36,
        "натуральная кожа",
        "Утеплённые ботинки на шнуровке с непромокаемой мембраной, для алматинской зимы.",
        "Экко ботинки",
        "ru",
    ),
    _p(
        "Туфли Ecco Shape 35",
        None,
        "Ecco",
        69_900,
        ["черный", "бежевый"],
        FROM_36,
        "натуральная кожа",
        "Туфли-лодочки на удобном каблуке 3,5 см, для офиса.",
        "ecco shape tufli",
        "en",
        "subfolder",
    ),
    _p(
        "Кроссовки Geox Spherica",
        "обувь",
        "Geox",
        54_900,
        ["белый", "серый", "синий"],
        TO_40,
        "текстиль",
        "Дышащие кроссовки с мембраной Geox, подошва не скользит.",
        "geox_spherica",
    ),
    _p(
        "Сапоги Geox Felicity",
        "обувь",
        "Geox",
        99_900,
        ["черный", "коричневый"],
        TO_40,
        "натуральная кожа",
        "Сапоги до колена на небольшом каблуке, утеплитель из байки.",
        "Geox сапоги",
        "ru",
    ),
    _p(
        "Балетки Geox Palmaria",
        "обувь",
        "Geox",
        39_900,
        ["черный", "красный", "бежевый"],
        TO_40,
        "натуральная кожа",
        "Балетки с мягким задником, не натирают даже новые.",
        "geox_palmaria_baletki",
        "mixed",
    ),
]

LOCAL_SHOES = [
    _p(
        "Туфли Мэри Джейн лаковые",
        None,
        None,
        29_900,
        ["черный", "бордовый"],
        TO_40,
        "лаковая экокожа",
        "Туфли с ремешком на пуговке и каблуком 5 см, пошив Турция.",
        "meri_dzhein",
    ),
    _p(
        "Мюли на каблуке Лотос",
        "обувь",
        None,
        24_900,
        ["молочный", "черный"],
        TO_40,
        "экокожа",
        "Мюли с квадратным мыском на каблуке-рюмочке 6 см.",
        "Мюли Лотос",
        "ru",
    ),
    _p(
        "Босоножки плетеные Айна",
        "обувь",
        None,
        22_900,
        ["бежевый", "коричневый", "белый"],
        FULL,
        "натуральная кожа",
        "Плетёные босоножки на плоской подошве, на лето и отпуск.",
        "bosonozhki_aina",
        "mixed",
    ),
    _p(
        "Сапоги-чулки Мира",
        "обувь",
        None,
        45_900,
        ["черный"],
        FULL,
        "стрейч-экокожа",
        "Сапоги-чулки выше колена на шпильке 9 см, плотно облегают ногу.",
        "sapogi chulki mira",
        "ru",
    ),
    _p(
        "Кеды на платформе Street",
        None,
        None,
        18_900,
        ["белый", "хаки"],
        FULL,
        "текстиль",
        "Кеды на платформе 4 см, лёгкие, подходят на каждый день.",
        "kedy_street",
    ),
    _p(
        "Казаки Дала",
        "обувь",
        None,
        54_900,
        ["коричневый", "молочный"],
        TO_40,
        "натуральная кожа",
        "Казаки с острым мыском и скошенным каблуком 5 см, вышивка по голенищу.",
        "kazaki_dala",
        "ru",
        "subfolder",
    ),
    _p(
        "Лоферы на тракторной подошве Нур",
        "обувь",
        None,
        34_900,
        ["черный", "бордовый"],
        FULL,
        "натуральная кожа",
        "Массивные лоферы на тракторной подошве 4 см, хорошо держат форму.",
        "Лоферы Нур",
    ),
]

BAGS = [
    _p(
        "Сумка Chanel Classic Flap",
        "сумка",
        "Chanel",
        420_000,
        ["черный", "бежевый"],
        [],
        "стёганая кожа ягнёнка",
        "Легендарная стёганая сумка на цепочке с замком CC, средний размер 25 см.",
        "chanel_classic_flap",
    ),
    _p(
        "Клатч Jimmy Choo Bon Bon",
        "сумка",
        "Jimmy Choo",
        245_000,
        ["золотой", "пудровый"],
        [],
        "глиттер и кожа",
        "Вечерний клатч с ручкой-браслетом, вмещает телефон и помаду.",
        "Клатч Джимми Чу",
        "ru",
    ),
    _p(
        "Сумка Michael Kors Jet Set",
        "сумка",
        "Michael Kors",
        119_000,
        ["черный", "коричневый", "бежевый"],
        [],
        "сафьяновая кожа",
        "Вместительная сумка через плечо с отделением для ноутбука 13 дюймов.",
        "mk_jet_set",
    ),
    _p(
        "Тоут Michael Kors Marilyn",
        "сумка",
        "Michael Kors",
        139_000,
        ["коричневый", "черный"],
        [],
        "натуральная кожа",
        "Тоут среднего размера на молнии, помещаются документы А4.",
        "michael kors tote",
        "mixed",
    ),
    _p(
        "Сумка Coach Tabby",
        "сумка",
        "Coach",
        189_000,
        ["черный", "молочный", "бордовый"],
        [],
        "натуральная кожа",
        "Сумка на плечо с застёжкой Signature C и съёмным ремнём.",
        "Coach Tabby сумка",
        "ru",
        "subfolder",
    ),
    _p(
        "Рюкзак Coach Charter",
        "сумка",
        "Coach",
        159_000,
        ["черный"],
        [],
        "натуральная кожа",
        "Городской рюкзак с мягкой спинкой и карманом для ноутбука.",
        "coach_rjukzak",
    ),
    _p(
        "Сумка Furla Metropolis",
        None,
        "Furla",
        129_000,
        ["черный", "красный", "пудровый"],
        [],
        "натуральная кожа",
        "Небольшая сумка с металлическим замком-аркой, носится на цепочке или в руке.",
        "furla_metropolis",
    ),
    _p(
        "Шоппер Furla Net",
        "сумка",
        "Furla",
        109_000,
        ["бежевый", "черный"],
        [],
        "натуральная кожа",
        "Мягкий шоппер на каждый день, внутри съёмная косметичка.",
        "Фурла шоппер",
        "ru",
    ),
    _p(
        "Шоппер холщовый Базар",
        "сумка",
        None,
        18_900,
        ["молочный", "хаки"],
        [],
        "плотный хлопок",
        "Холщовый шоппер с внутренним карманом на молнии, выдерживает до 10 кг.",
        "shopper_bazar",
        "mixed",
    ),
    _p(
        "Клатч вечерний Жулдыз",
        None,
        None,
        26_900,
        ["золотой", "серебристый"],
        [],
        "экокожа с пайетками",
        "Вечерний клатч с цепочкой, для тоев и выпускных.",
        "klatch_zhuldyz",
        "ru",
    ),
    _p(
        "Сумка Tod's T Timeless",
        "сумка",
        "Tod's",
        320_000,
        ["коричневый", "черный"],
        [],
        "зернистая кожа",
        "Структурная сумка с металлической пряжкой T Timeless, две ручки и ремень.",
        "tods_sumka",
        "en",
        "subfolder",
    ),
]

ACCESSORIES = [
    _p(
        "Ремень Michael Kors Logo",
        None,
        "Michael Kors",
        39_900,
        ["черный", "коричневый"],
        [],
        "натуральная кожа",
        "Двусторонний ремень с пряжкой-логотипом, ширина 3 см.",
        "mk_remen",
    ),
    _p(
        "Платок Furla Arcobaleno",
        "аксессуар",
        "Furla",
        39_900,
        ["синий", "пудровый"],
        [],
        "шёлк",
        "Шёлковый платок 70×70 см, можно носить на шее или на ручке сумки.",
        "Платок Фурла",
        "ru",
    ),
    _p(
        "Кошелек Coach Long Zip",
        "аксессуар",
        "Coach",
        79_900,
        ["черный", "красный", "бежевый"],
        [],
        "натуральная кожа",
        "Длинный кошелёк на молнии, 12 отделений для карт.",
        "coach_koshelek",
    ),
    _p(
        "Очки Chanel Butterfly",
        "аксессуар",
        "Chanel",
        245_000,
        ["черный", "коричневый"],
        [],
        "ацетат",
        "Солнцезащитные очки формы «бабочка» с защитой UV400, в комплекте футляр.",
        "chanel_ochki",
        "mixed",
    ),
    _p(
        "Кошелёк Furla Camelia",
        "аксессуар",
        "Furla",
        59_900,
        ["пудровый", "черный"],
        [],
        "натуральная кожа",
        "Компактный кошелёк на кнопке с монетницей.",
        "furla camelia",
        "ru",
    ),
    _p(
        "Платок шелковый Самал",
        "аксессуар",
        None,
        19_900,
        ["синий", "красный", "молочный"],
        [],
        "натуральный шёлк",
        "Платок 90×90 см с восточным орнаментом, ручная подшивка края.",
        "platok_samal",
    ),
    _p(
        "Ремень кожаный Классика",
        "аксессуар",
        None,
        21_900,
        ["черный", "коричневый"],
        [],
        "натуральная кожа",
        "Классический ремень с матовой пряжкой, ширина 2,5 см.",
        "Ремень Классика",
        "ru",
    ),
]

HEADINGS_PRODUCTS = BRANDED_SHOES + ACCESSORIES
TABLE_PRODUCTS = LOCAL_SHOES + BAGS
PRODUCTS = HEADINGS_PRODUCTS + TABLE_PRODUCTS

SCRIPTS: dict[str, list[str]] = {
    "Доставка по Алматы": [
        "По Алматы доставляем курьером: при заказе до 15:00 привезём в тот же день, после "
        "15:00 — на следующий день. Курьер заранее звонит и приезжает в удобный интервал.",
        "Доставка по Алматы бесплатная при заказе от 50 000 ₸, для заказов меньше — 1 500 ₸.",
        "Курьер подождёт 15 минут, пока вы примерите обувь. Если размер не подошёл, можно "
        "сразу вернуть пару курьеру и оплатить только доставку.",
    ],
    "Доставка по Казахстану": [
        "В другие города Казахстана отправляем Казпочтой или СДЭК, доставка занимает 2–5 "
        "рабочих дней. Стоимость доставки по Казахстану — 2 500 ₸.",
        "Отправляем в Астану, Шымкент, Караганду, Актобе, Атырау, Усть-Каменогорск, Павлодар "
        "и любой другой город, где есть отделение Казпочты или пункт СДЭК.",
        "После отправки пришлём трек-номер в WhatsApp, по нему удобно отслеживать посылку.",
    ],
    "Оплата": [
        "Оплатить можно переводом Kaspi или через Kaspi QR — ссылку или QR-код пришлём после "
        "подтверждения заказа.",
        "Доступна рассрочка Kaspi Red 0-0-12: без переплат, до 12 месяцев. Оформляется в "
        "приложении Kaspi за пару минут.",
        "По Алматы можно оплатить наличными курьеру при получении.",
    ],
    "Обмен и возврат": [
        "Обмен и возврат возможны в течение 14 дней с момента получения, если обувь не носили "
        "на улице, сохранены бирки, коробка и чек.",
        "Деньги возвращаем тем же способом, которым вы оплачивали, в течение 3 рабочих дней "
        "после того, как товар вернётся к нам. Доставку при возврате оплачивает покупатель, "
        "кроме случаев брака.",
    ],
    "Как подобрать размер": [
        "Измерьте длину стопы: поставьте ногу на лист бумаги, отметьте пятку и самый длинный "
        "палец и измерьте расстояние линейкой. Лучше мерить вечером, когда нога чуть больше.",
        "Длина стельки по европейским размерам: 35 — 22,5 см, 36 — 23 см, 37 — 23,5 см, "
        "38 — 24,5 см, 39 — 25 см, 40 — 25,5 см, 41 — 26,5 см.",
        "Если вы между размерами, берите больший: в закрытую обувь можно положить "
        "полустельку. Dr. Martens и кроссовки маломерят, а лодочки Chanel и Jimmy Choo сидят "
        "точно по размеру.",
    ],
    "Возражение «дорого»": [
        "Понимаю вас! Это оригинальная обувь из натуральной кожи, она служит много сезонов и "
        "не теряет вид — в пересчёте на носку выходит дешевле, чем менять пару каждый год.",
        "Чтобы не платить всю сумму сразу, есть рассрочка Kaspi Red 0-0-12 без переплат. "
        "Могу также подобрать похожую модель в более доступной цене.",
    ],
    "Возражение «подумаю»": [
        "Конечно, подумайте! Только подскажу, что ходовые размеры разбирают быстро, а "
        "следующая поставка будет не раньше чем через месяц.",
        "Могу отложить для вас пару на 24 часа бесплатно, чтобы размер никто не забрал. "
        "Если появятся вопросы по размеру или доставке — пишите, я на связи.",
    ],
    "Оригинальность и подлинность": [
        "Мы продаём только оригинальную продукцию: работаем напрямую с официальными "
        "дистрибьюторами и бутиками в Европе и ОАЭ.",
        "К каждому товару прилагаются фирменная коробка, пыльник, бирки и чек. По запросу "
        "покажем документы от поставщика.",
    ],
    "Примерка и шоурум": [
        "Приглашаем на примерку в наш шоурум: г. Алматы, ул. Жибек Жолы, 64, 2 этаж, офис 12 "
        "(вход со двора). Работаем ежедневно с 10:00 до 20:00.",
        "Напишите заранее, какие модели и размеры хотите примерить, — мы всё подготовим к "
        "вашему приходу. Рядом есть бесплатная парковка.",
    ],
    "Уход за обувью": [
        "Замшу чистите сухой щёткой и обрабатывайте водоотталкивающим спреем перед первым "
        "выходом. Гладкую кожу протирайте влажной салфеткой и раз в неделю питайте кремом.",
        "Сушите обувь при комнатной температуре, не на батарее. Для хранения используйте "
        "пыльник и картонные вставки, чтобы пара держала форму.",
    ],
    "Гарантия": [
        "На всю обувь действует гарантия 30 дней на производственный брак: расклеивание "
        "подошвы, дефекты швов и фурнитуры.",
        "Если обнаружили брак, пришлите фото в WhatsApp — мы обменяем пару или вернём деньги, "
        "доставку в этом случае оплачиваем мы.",
    ],
}

# (chat folder, export style, first message time, [(minutes later, author, text)])
CHATS: list[tuple[str, str, datetime, list[tuple[int, str, str]]]] = [
    (
        "aigerim_botilony",
        "android",
        datetime(2026, 3, 12, 10, 15),
        [
            (0, "Айгерим", "Здравствуйте! Ботильоны Стюарт Вайцман бордовые есть в 38 размере?"),
            (
                2,
                SHOP_AUTHOR,
                "Здравствуйте, Айгерим! Да, бордовые Stuart Weitzman Stuart в 38 "
                "есть в наличии.\nЦена 289 000 ₸, можно в рассрочку Kaspi Red 0-0-12.",
            ),
            (5, "Айгерим", "А они по размеру? У меня стопа 24,5 см"),
            (6, SHOP_AUTHOR, "Сидят точно по размеру, при длине стопы 24,5 см вам подойдёт 38."),
            (9, "Айгерим", "Отлично, беру. Доставка по Алматы сколько?"),
            (
                10,
                SHOP_AUTHOR,
                "По Алматы бесплатно, заказ больше 50 000 ₸.\nЕсли оформим до 15:00, "
                "курьер привезёт сегодня.\nПодскажите адрес, пожалуйста.",
            ),
            (14, "Айгерим", "мкр. Самал-2, дом 58, кв 17"),
            (15, SHOP_AUTHOR, "Записала! Оплата Kaspi переводом или наличными курьеру?"),
            (16, "Айгерим", "Каспи"),
            (17, SHOP_AUTHOR, "Отправила ссылку на оплату Kaspi. Спасибо за заказ! 🌸"),
        ],
    ),
    (
        "dana_astana",
        "ios",
        datetime(2026, 3, 14, 18, 40, 12),
        [
            (0, "Дана", "Добрый вечер. Вы в Астану отправляете?"),
            (
                1,
                SHOP_AUTHOR,
                "Добрый вечер, Дана! Да, отправляем по всему Казахстану Казпочтой "
                "или СДЭК, 2–5 рабочих дней, доставка 2 500 ₸.",
            ),
            (
                4,
                "Дана",
                "Хочу мартинсы 1460 черные, 37 размер.\nНо у меня широкая стопа, не будут узкими?",
            ),
            (
                6,
                SHOP_AUTHOR,
                "Dr. Martens немного маломерят, при широкой стопе советую взять "
                "на размер больше — 38.\nЧёрные в 38 есть.",
            ),
            (9, "Дана", "Хорошо, тогда 38. Можно в рассрочку?"),
            (
                10,
                SHOP_AUTHOR,
                "Да, Kaspi Red 0-0-12 без переплат. Пришлю ссылку, оформите в приложении Kaspi.",
            ),
            (15, "Дана", "Оформила 👍 Адрес: Астана, ул. Кенесары 40, кв 112"),
            (16, SHOP_AUTHOR, "Спасибо! Отправим завтра СДЭК, трек-номер пришлю сюда."),
        ],
    ),
    (
        "madina_kaspi",
        "android",
        datetime(2026, 3, 20, 12, 2),
        [
            (0, "Мадина", "Салам) есть лоферы Тодс в молочном?"),
            (
                1,
                SHOP_AUTHOR,
                "Здравствуйте, Мадина! Лоферы Tod's Kate есть в молочном цвете, "
                "размеры 35–40. Какой у вас размер?",
            ),
            (3, "Мадина", "39\nи фото можно живые?"),
            (4, SHOP_AUTHOR, "Сейчас пришлю фото 📸\nЦена 239 000 ₸."),
            (8, "Мадина", "Дороговато конечно"),
            (
                9,
                SHOP_AUTHOR,
                "Понимаю! Это натуральная кожа, служат много сезонов. Можно оформить "
                "рассрочку Kaspi Red 0-0-12 — выйдет около 20 000 ₸ в месяц.",
            ),
            (12, "Мадина", "Подумаю, вечером напишу"),
            (13, SHOP_AUTHOR, "Конечно! Могу отложить пару на 24 часа, чтобы 39 никто не забрал."),
            (15, "Мадина", "Да, отложите пожалуйста"),
        ],
    ),
    (
        "karaganda_sumka",
        "ios",
        datetime(2026, 4, 2, 9, 30, 45),
        [
            (0, "+7 701 555 12 34", "Здравствуйте, можно вернуть сумку если не подойдет по цвету?"),
            (
                2,
                SHOP_AUTHOR,
                "Здравствуйте! Да, обмен и возврат в течение 14 дней, если сохранены "
                "бирки и товарный вид.",
            ),
            (
                5,
                "+7 701 555 12 34",
                "Тогда хочу сумку Coach Tabby бордовую.\nДоставка в Караганду сколько идёт?",
            ),
            (
                6,
                SHOP_AUTHOR,
                "В Караганду 2–5 рабочих дней, доставка 2 500 ₸.\nОплата Kaspi "
                "переводом или Kaspi QR.",
            ),
            (10, "+7 701 555 12 34", "Ок, Караганда, ул. Ерубаева 35, кв 8. Оплачу по QR"),
            (11, SHOP_AUTHOR, "Отлично, отправляю QR. Спасибо, что выбрали «Оттенок»!"),
        ],
    ),
    (
        "saule_razmer",
        "android",
        datetime(2026, 4, 5, 16, 47),
        [
            (0, "Сауле", "Добрый день! Нужны белые кроссовки на каждый день, что посоветуете?"),
            (
                2,
                SHOP_AUTHOR,
                "Добрый день, Сауле! Посмотрите Ecco Soft 7 (64 900 ₸) и Michael "
                "Kors Allie (79 900 ₸) — обе модели лёгкие и удобные.",
            ),
            (6, "Сауле", "Экко давайте. У меня 36,5 обычно, какой брать?"),
            (
                7,
                SHOP_AUTHOR,
                "Ecco Soft 7 идут в целых размерах, при 36,5 советую 37 — сядут "
                "свободнее, можно добавить полустельку.",
            ),
            (9, "Сауле", "Хорошо 37.\nМожно приехать примерить?"),
            (
                10,
                SHOP_AUTHOR,
                "Конечно! Шоурум: ул. Жибек Жолы, 64, 2 этаж, офис 12, ежедневно "
                "с 10:00 до 20:00.\nНапишите, во сколько будете, — подготовим пару.",
            ),
            (12, "Сауле", "Завтра в 18:00 буду"),
            (13, SHOP_AUTHOR, "Ждём вас! 😊"),
        ],
    ),
]


def inventory_rows(rng: random.Random) -> list[dict[str, object]]:
    """Every product x colour x size, typed the inconsistent way shop staff type them."""
    rows = []
    for product in PRODUCTS:
        for color in product.colors:
            for size in product.sizes or [None]:
                rows.append(
                    {
                        "product_name": product.name,
                        "size": _typed_size(size, rng),
                        "color": _typed_color(color, rng),
                        "quantity": rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 6]),
                        "price": product.price,
                    }
                )
    return rows


def _typed_size(size: str | None, rng: random.Random) -> object:
    """38 / 38.0 / "38" for whole sizes, "37,5" / "37.5" / 37.5 for half sizes."""
    if size is None:
        return None
    if "." in size:
        return rng.choice([size.replace(".", ","), size, float(size)])
    return rng.choice([int(size), int(size), int(size), float(size), size])


def _typed_color(color: str, rng: random.Random) -> str:
    """Lower case, Capitalised, with ё, or SHOUTED, as different people fill the sheet."""
    spelled = color.replace("черный", "чёрный") if rng.random() < 0.4 else color
    style = rng.random()
    if style < 0.45:
        return spelled
    if style < 0.92:
        return spelled.capitalize()
    return spelled.upper()


def write_sample_shop(out: Path) -> None:
    """(Re)write every file of the sample shop under `out`, removing stale generated files."""
    for generated in (PHOTOS_DIR, Path("knowledge_base")):
        shutil.rmtree(out / generated, ignore_errors=True)
    rng = random.Random(SEED)
    write_inventory(out / INVENTORY_FILE, inventory_rows(rng), russian_headers=True)
    write_catalog_headings(
        out / HEADINGS_CATALOG,
        [p.catalog_record() for p in HEADINGS_PRODUCTS],
        levels=[rng.choice((1, 2, 2, 3)) for _ in HEADINGS_PRODUCTS],
    )
    write_catalog_table(out / TABLE_CATALOG, [p.catalog_record() for p in TABLE_PRODUCTS])
    write_scripts(out / SCRIPTS_FILE, SCRIPTS)
    write_shop_info(out / SHOP_FILE, SHOP_INFO)
    for folder, style, start, lines in CHATS:
        messages = [(start + timedelta(minutes=m), author, text) for m, author, text in lines]
        write_chat_export(out / CHATS_DIR / folder / "chat.txt", messages, style=style)
    for product in PRODUCTS:
        write_photos(
            out / PHOTOS_DIR,
            product.photo_folder,
            product.photo_labels(),
            per_color=2 if product.sizes and len(product.colors) <= 2 else 1,
            color_style=product.photo_style,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="shop data directory")
    args = parser.parse_args()
    write_sample_shop(args.out)
    print(f"sample shop written to {args.out}: {len(PRODUCTS)} products")


if __name__ == "__main__":
    main()
