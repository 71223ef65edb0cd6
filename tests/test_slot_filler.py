"""The offline slot filler against labelled customer messages, plus its parts one by one.

The labelled set (tests/data/slot_filler_cases.yaml) refers to a made-up shop built here from
core types, so it does not depend on the sample shop in data/; it is also run against that shop
for the fields that do not name products.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from ottenok.catalog import Catalog, Product
from ottenok.filling import OfflineSlotFiller
from ottenok.filling.address import Goods, match_address
from ottenok.filling.cities import find_city
from ottenok.filling.corrections import corrects, pieces
from ottenok.filling.intents import classify, wants_photos
from ottenok.filling.product_words import ProductKinds
from ottenok.filling.sizes import find_size, find_sizes, names_size
from ottenok.size_table import SizeTable
from ottenok.slots import FillContext, Intent, OrderSlots, ProductType
from ottenok.stock import Stock, Variant

CASES_PATH = Path(__file__).parent / "data" / "slot_filler_cases.yaml"
DATA_DIR = Path(__file__).parents[1] / "data"
MIN_ACCURACY = 0.95
FIELDS = ("intent", "city", "product", "size", "color", "address", "photos", "unsold", "candidates")

# id, name, type, brand, aliases, colours, sizes: shoes, two loafers (one single-colour),
# bags and accessories, with invented brands.
SHOP = [
    ("aster-mules", "Мюли Aster", ProductType.SHOES, "Aster", ["Астер"],
     ["черный", "бежевый"], ["36", "37", "38", "39", "40"]),
    ("velia-boots", "Ботильоны Velia", ProductType.SHOES, "Velia", ["Велия"],
     ["бордовый", "черный"], ["36", "37", "37.5", "38", "39", "40", "41"]),
    ("corsa-loafers", "Лоферы Corsa", ProductType.SHOES, "Corsa", ["Корса"],
     ["черный", "коричневый"], ["35", "36", "37", "38", "39", "40"]),
    ("mirella-loafers", "Лоферы Mirella", ProductType.SHOES, "Mirella", ["Мирелла"],
     ["бежевый"], ["36", "37", "38", "39"]),
    ("nimbus-sneakers", "Кеды Nimbus", ProductType.SHOES, "Nimbus", ["Нимбус"],
     ["белый", "черный"], ["36", "37", "38", "39", "40", "41"]),
    ("orla-pumps", "Туфли-лодочки Orla", ProductType.SHOES, "Orla", ["Орла"],
     ["красный", "нюдовый"], ["35", "36", "37", "38", "39"]),
    ("lumen-tote", "Сумка-тоут Lumen", ProductType.BAG, "Lumen", ["Люмен"],
     ["черный", "молочный"], []),
    ("selma-clutch", "Клатч Selma", ProductType.BAG, "Selma", ["Сельма"], ["золотой"], []),
    ("tarsa-belt", "Ремень Tarsa", ProductType.ACCESSORY, "Tarsa", ["Тарса"],
     ["коричневый", "черный"], []),
    ("nova-scarf", "Платок Nova", ProductType.ACCESSORY, "Nova", ["Нова"], ["голубой"], []),
]  # fmt: skip


def build_catalog() -> Catalog:
    products, variants = [], []
    for pid, name, kind, brand, aliases, colors, sizes in SHOP:
        products.append(
            Product(
                id=pid,
                name=name,
                type=kind,
                brand=brand,
                aliases=aliases,
                colors=colors,
                sizes=sizes,
                price=32000,
            )  # fmt: skip
        )
        variants += [Variant(pid, s, c, 3, 32000) for c in colors for s in sizes or [None]]
    return Catalog(products, Stock(variants))


@pytest.fixture(scope="module")
def filler() -> OfflineSlotFiller:
    return OfflineSlotFiller(build_catalog())


def load_cases() -> list[dict]:
    return yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))


def _norm_address(value: str | None) -> str | None:
    return " ".join(value.lower().replace("ё", "е").split()) if value else None


def run_cases(filler: OfflineSlotFiller, cases: list[dict], fields: tuple[str, ...]):
    """Per-field hits and totals, the misses to print, and the mean fill time in ms."""
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    misses: list[str] = []
    elapsed = 0.0
    for case in cases:
        context = FillContext(state=case["state"], slots=OrderSlots(**case.get("slots", {})))
        started = time.perf_counter()
        update = filler.understand(case["text"], context, case.get("offered", ())).update
        elapsed += time.perf_counter() - started
        got = {
            "intent": update.intent.value,
            "city": update.city,
            "product": update.product,
            "size": update.size,
            "color": update.color,
            "address": _norm_address(update.address),
            "photos": update.wants_photos,
            "unsold": update.unsold_product,
            "candidates": update.candidates,
        }
        want = {
            "intent": case["intent"],
            "city": case.get("city"),
            "product": case.get("product"),
            "size": case.get("size"),
            "color": case.get("color"),
            "address": _norm_address(case.get("address")),
            "photos": case.get("photos", False),
            "unsold": case.get("unsold"),
            "candidates": case.get("candidates", []),
        }
        for field in fields:
            totals[field] += 1
            if got[field] == want[field]:
                hits[field] += 1
            else:
                misses.append(
                    f"[{case['state']}] {case['text']!r}: {field} = {got[field]!r}, "
                    f"expected {want[field]!r}"
                )
    return hits, totals, misses, 1000 * elapsed / max(1, len(cases))


def report(hits: Counter[str], totals: Counter[str], misses: list[str], mean_ms: float) -> None:
    for field in totals:
        print(f"{field:>10}: {hits[field]}/{totals[field]} = {hits[field] / totals[field]:.3f}")
    print(f"mean fill time: {mean_ms:.2f} ms")
    for miss in misses:
        print("MISS", miss)


def test_labelled_messages_per_field_accuracy(filler: OfflineSlotFiller) -> None:
    cases = load_cases()
    assert len(cases) >= 150
    hits, totals, misses, mean_ms = run_cases(filler, cases, FIELDS)
    report(hits, totals, misses, mean_ms)
    for field in FIELDS:
        assert hits[field] / totals[field] >= MIN_ACCURACY, (field, misses)
    assert sum(hits.values()) / sum(totals.values()) >= MIN_ACCURACY


def test_labelled_messages_against_the_sample_shop() -> None:
    """Fields that name no product must come out the same with the sample shop's vocabulary."""
    if not (DATA_DIR / "inventory.xlsx").exists():
        pytest.skip("the sample shop has not been generated")
    from knowledge.shop_files import load_catalog

    sample = OfflineSlotFiller(load_catalog(DATA_DIR))
    shop_free = [
        case
        for case in load_cases()
        if not any(case.get(k) for k in ("product", "color", "candidates", "unsold", "slots"))
    ]
    fields = ("intent", "city", "size", "address", "photos")
    hits, totals, misses, mean_ms = run_cases(sample, shop_free, fields)
    report(hits, totals, misses, mean_ms)
    assert sum(hits.values()) / sum(totals.values()) >= MIN_ACCURACY


async def test_async_fill_gives_the_sync_answer(filler: OfflineSlotFiller) -> None:
    context = FillContext(state="ask_size")
    assert await filler.fill("39 размер", context) == filler.fill_sync("39 размер", context)


def test_product_type_comes_from_the_catalog(filler: OfflineSlotFiller) -> None:
    update = filler.fill_sync("клатч сельма", FillContext(state="ask_product"))
    assert (update.product, update.product_type) == ("selma-clutch", ProductType.BAG)


def test_colour_prefers_one_the_chosen_product_has(filler: OfflineSlotFiller) -> None:
    context = FillContext(state="ask_color", slots=OrderSlots(product="velia-boots"))
    assert filler.fill_sync("бежевые или бордовые", context).color == "бордовый"


def test_colour_of_another_product_is_kept_for_the_engine_to_explain(
    filler: OfflineSlotFiller,
) -> None:
    context = FillContext(state="ask_color", slots=OrderSlots(product="nova-scarf"))
    assert filler.fill_sync("хочу золотой", context).color == "золотой"


def test_foreign_city_fills_no_slot_but_is_recognised(filler: OfflineSlotFiller) -> None:
    update = filler.fill_sync("а в Ташкент доставите?", FillContext(state="ask_city"))
    assert update.city is None and update.intent == Intent.QUESTION
    match = find_city("а в Ташкент доставите?")
    assert match is not None and (match.name, match.is_kazakhstan) == ("Ташкент", False)


def test_chosen_product_is_not_replaced_by_an_ambiguous_mention(filler: OfflineSlotFiller) -> None:
    context = FillContext(state="ask_size", slots=OrderSlots(product="mirella-loafers"))
    assert filler.fill_sync("а лоферы мягкие?", context).candidates == []


# --- cities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("в Астане", "Астана"), ("из Шымкента", "Шымкент"), ("в Караганду", "Караганда"),
        ("по Алматы", "Алматы"), ("Алмате", "Алматы"), ("Alma-Ata", "Алматы"),
        ("Акмола", "Астана"), ("Ust-Kamenogorsk", "Усть-Каменогорск"),
        ("Оскемен", "Усть-Каменогорск"),
        ("в Семее", "Семей"), ("Капчагай", "Конаев"), ("Орал", "Уральск"), ("в Актобе", "Актобе"),
        ("Кызылорде", "Кызылорда"), ("в Жезказган", "Жезказган"), ("Экибастузе", "Экибастуз"),
        ("в Павладар", "Павлодар"), ("Петропавловск", "Петропавловск"), ("Таразе", "Тараз"),
        # Kazakh: a case suffix and a personal ending ("I am from Karaganda").
        ("Қарағандыданмын", "Караганда"), ("Шымкенттенмін", "Шымкент"),
    ],
)  # fmt: skip
def test_city_inflections_old_names_and_typos(text: str, city: str) -> None:
    match = find_city(text)
    assert match is not None and match.name == city and match.is_kazakhstan


@pytest.mark.parametrize("text", ["в Москву", "Бишкек", "Ташкенте", "из Питера"])
def test_foreign_cities(text: str) -> None:
    match = find_city(text)
    assert match is not None and not match.is_kazakhstan


@pytest.mark.parametrize("text", ["хочу лоферы 38", "семь пар", "спасибо большое", "ул. Абая 5"])
def test_no_city(text: str) -> None:
    assert find_city(text) is None


def test_a_brand_word_is_no_foreign_country() -> None:
    """ "Росси" in a brand reads like Russia; in a shop selling that brand it is the brand."""
    catalog = Catalog(
        [Product(id="piper", name="Ботильоны Gianvito Rossi Piper", brand="Gianvito Rossi",
                 aliases=["Джанвито Росси"], type=ProductType.SHOES, sizes=["38"])],
        Stock([Variant("piper", "38", "черный", 1)]),
    )  # fmt: skip
    filler = OfflineSlotFiller(catalog)
    update = filler.fill_sync("ботильоны джанвито росси 38", FillContext(state="greeting"))
    assert update.product == "piper" and update.foreign_city is None
    assert filler.fill_sync("а в Россию доставите?", FillContext()).foreign_city == "Россия"


# --- sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expecting", "size"),
    [
        ("38", True, "38"), ("38", False, None), ("38-й", False, "38"),
        ("размер 38", False, "38"), ("38 размер", False, "38"), ("на 38 ногу", False, "38"),
        ("37,5", True, "37.5"), ("тридцать восьмой", False, "38"),
        ("тридцать семь с половиной", True, "37.5"), ("38-39", True, "38"),
        ("лоферы 38 бежевые", False, "38"), ("25 000", True, None), ("25000 тг", True, None),
        ("кв 38", True, None), ("2 пары", True, None), ("в 10:30", True, None),
        ("+7 701 383 38 38", True, None), ("50", True, None), ("32", True, None),
        ("за 40 тысяч", True, None), ("12 марта", True, None), ("р-р 36", False, "36"),
    ],
)  # fmt: skip
def test_find_size(text: str, expecting: bool, size: str | None) -> None:
    assert find_size(text, expecting) == size


def test_find_sizes_reports_both_ends_of_a_range() -> None:
    assert find_sizes("38-39", expecting=True) == ["38", "39"]
    assert find_sizes("37 или 37,5") == ["37", "37.5"]


@pytest.mark.parametrize(
    ("text", "named"),
    [("38 размер", True), ("р-р 37", True), ("38-й", True), ("на 38 ногу", True),
     ("тридцать восьмой", True), ("Абая 38", False), ("кеды 39", False), ("кв 38", False),
     ("Кабанбай батыр 45", False)],  # the "р" ending "батыр" is no size marker
)  # fmt: skip
def test_a_size_named_as_no_house_number_is(text: str, named: bool) -> None:
    """A comma part with such a size is never part of an address; a bare "39" may be a house."""
    assert names_size(text) is named


# --- corrections inside one message --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("37, хотя нет, 38", ["37, ", ", 38"]),
        ("у меня 37, тогда 37,5 возьму", ["у меня 37, ", "37,5 "]),
        ("у меня 37, 37,5 возьму", ["у меня 37, ", "37,5 "]),  # the size before the verb
        ("ношу 38, 38 размер давайте", ["ношу 38, ", "38 размер "]),
        ("38 лучше или 39?", ["38 лучше или 39?"]),  # a choice is a question
        ("черные 38", ["черные 38"]),
    ],
)
def test_pieces_end_with_the_value_settled_on(text: str, cut: list[str]) -> None:
    assert pieces(text) == cut


def test_a_message_corrects_when_it_takes_back_or_settles() -> None:
    assert corrects("ой нет 38") and corrects("ну тогда 38") and corrects("хотя нет, 38")
    assert not corrects("38") and not corrects("Абая 10 кв 5")


# --- addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expecting", "address"),
    [
        ("ул. Абая 150", False, "ул. Абая 150"),
        ("доставьте на Абая 150 кв 12 пожалуйста", False, "Абая 150 кв 12"),
        ("хочу ботильоны 38 бордовые, ул. Кенесары 40 кв 12", False, "ул. Кенесары 40 кв 12"),
        ("ЖК Есентай Парк, блок 3, кв 45", False, "ЖК Есентай Парк, блок 3, кв 45"),
        ("3 мкр 15 дом", False, "3 мкр 15 дом"),
        ("Абая 150", False, None),
        ("Абая 150", True, "Абая 150"),
        ("хочу лоферы 38", True, None),
        ("а 38 есть?", True, None),
        ("спасибо", True, None),
        ("мой номер 87013833838", True, None),
        # A correction, a size, a time, a price or an order number is no address.
        ("ой нет 38", True, None),
        ("ну тогда 38", True, None),
        ("после 18:00", True, None),
        ("до 50 000", True, None),
        ("заказ номер 20431", True, None),
        ("эти 38", True, None),
        # "адрес" without a colon is a label; what follows it is looked for as an answer.
        ("ок. адрес Туран 37, кв 150", False, "Туран 37, кв 150"),
        ("мой адрес мкр Аксай 4 д 12", False, "мкр Аксай 4 д 12"),
        ("адрес поменяйте на Жибек Жолы 50", False, "Жибек Жолы 50"),
        ("адрес тот же", False, None),
        # Short, Kazakh and titled street names; parts in any order.
        ("Мангилик Ел 30 кв 5", False, "Мангилик Ел 30 кв 5"),
        ("мангилик ел 30", True, "мангилик ел 30"),
        ("Төле би 27", True, "Төле би 27"),
        ("Қабанбай батыр 45, 45 пәтер", True, "Қабанбай батыр 45, 45 пәтер"),
        ("Абылай хана 8", True, "Абылай хана 8"),
        ("дом 5 кв 7 мкр Жетысу-2", False, "дом 5 кв 7 мкр Жетысу-2"),
        ("Байтурсынова 45а, 2 этаж", True, "Байтурсынова 45а, 2 этаж"),
        # A part that names a product kind stays out, even of a brand the shop lacks.
        ("Алматы, кеды лакост 39, ул. Жарокова 217", False, "ул. Жарокова 217"),
        ("лоферы 38, кв 12", False, "кв 12"),
    ],
)
def test_find_address(text: str, expecting: bool, address: str | None) -> None:
    match = match_address(text, expecting)
    assert (match.text if match else None) == address


def test_the_shops_brands_and_colours_keep_a_part_out_of_the_address() -> None:
    """Only the shop knows that "габор" is a brand: without it, "габор черные 39" reads as a
    street and its number."""
    text = "Астана, габор черные 39, ул Кенесары 52 кв 14"
    goods = Goods(
        names_product=lambda part: "габор" in part.lower(),
        is_color=lambda word: word.lower().startswith("черн"),
    )
    found = match_address(text, goods=goods)
    assert found is not None and found.text == "ул Кенесары 52 кв 14"
    unaware = match_address(text)
    assert unaware is not None and unaware.text == "габор черные 39, ул Кенесары 52 кв 14"
    street = match_address("Алтын Орда 5, кв 3", goods=Goods(is_color=lambda w: w == "Алтын"))
    assert street is not None and street.text == "Алтын Орда 5, кв 3"  # a street beside it


# --- intents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("да", Intent.CONFIRM), ("нет", Intent.DENY), ("нет, передумала", Intent.CANCEL),
        ("отмените, и позовите менеджера", Intent.ASK_MANAGER),
        ("Здравствуйте, сколько стоит доставка?", Intent.QUESTION),
        ("а можно поменять если не подойдет?", Intent.QUESTION),
        ("сәлем", Intent.GREETING), ("иа", Intent.CONFIRM),
        ("жок", Intent.DENY), ("yep", Intent.CONFIRM),
        ("пакет не надо, а так всё верно", Intent.CONFIRM),
        ("хм", Intent.UNKNOWN),
        # A thanks alone is no yes; a yes survives padding, English, Kazakh and emoji.
        ("спасибо", Intent.SMALLTALK), ("Спасибо большое!", Intent.SMALLTALK),
        ("да, теперь всё так", Intent.CONFIRM), ("yes, that's right", Intent.CONFIRM),
        ("yes please", Intent.CONFIRM), ("ок, давайте", Intent.CONFIRM),
        ("иә дұрыс", Intent.CONFIRM), ("👍", Intent.CONFIRM), ("+", Intent.CONFIRM),
        ("не всё так", Intent.DENY), ("да нет", Intent.DENY),
        # Repair: "?" and "повторите" repeat; "не знаю" asks for help, not a skip.
        ("?", Intent.REPEAT), ("повторите пожалуйста", Intent.REPEAT), ("что?", Intent.REPEAT),
        ("не знаю какой размер", Intent.NOT_SURE), ("хз", Intent.NOT_SURE),
        # Kazakh questions; a choice is a question; "как обычно" answers.
        ("карасы бар ма", Intent.QUESTION), ("қанша тұрады", Intent.QUESTION),
        ("38 лучше или 39?", Intent.QUESTION), ("ну как обычно беру", Intent.UNKNOWN),
        # Russian typed in Latin letters; verbs of ordering; whatever the assistant is called.
        ("da", Intent.CONFIRM), ("da konechno", Intent.CONFIRM), ("net", Intent.DENY),
        ("davaite oformim", Intent.CONFIRM), ("ок давайте оформим 👍", Intent.CONFIRM),
        ("заказываю", Intent.CONFIRM), ("да, беру", Intent.CONFIRM),
        ("да, Мадина, спасибо", Intent.CONFIRM), ("спасибо, Жанар", Intent.SMALLTALK),
        # A person, asked for indirectly; "не поняла" with a request to repeat.
        ("а можно с кем-то из продавцов поговорить?", Intent.ASK_MANAGER),
        ("перезвоните мне пожалуйста", Intent.ASK_MANAGER),
        ("не поняла, повторите", Intent.REPEAT), ("ne ponyala", Intent.REPEAT),
    ],
)  # fmt: skip
def test_classify(text: str, intent: Intent) -> None:
    """The intent is the message's alone; what it does in a state is the intent table's."""
    assert classify(text) == intent


def test_values_turn_yes_and_no_into_information_or_corrections() -> None:
    assert classify("нет, в Астану", has_values=True) == Intent.CORRECT
    assert classify("Здравствуйте, хочу мюли", has_values=True) == Intent.PROVIDE_INFO


@pytest.mark.parametrize(
    ("text", "wanted"),
    [("покажите", True), ("есть фото?", True), ("скиньте фотку", True),
     ("how does it look", True), ("сколько стоит", False), ("спасибо", False),
     ("ну вот как на фото которое вы скидывали", False)],
)  # fmt: skip
def test_wants_photos(text: str, wanted: bool) -> None:
    assert wants_photos(text) is wanted


# --- product kinds the shop does not sell ----------------------------------------------------


def test_unsold_kinds_come_from_the_catalog_not_from_code() -> None:
    without_uggs = ProductKinds(build_catalog())
    assert without_uggs.unsold("есть уггов?") == "угги"
    assert without_uggs.unsold("хочу кроссовки") is None  # the shop's "кеды" are the same kind
    with_uggs = Catalog(
        [Product(id="u", name="Угги Polar", type=ProductType.SHOES)],
        Stock([Variant("u", "38", "серый", 1)]),
    )
    assert ProductKinds(with_uggs).unsold("есть уггов?") is None
    assert ProductKinds(with_uggs).unsold("мужские угги есть?") == "мужские угги"


# --- what the SlotUpdate cannot carry yet ---------------------------------------------------


def test_foot_length_is_converted_with_the_shops_table_and_reported() -> None:
    table = SizeTable.from_scripts([("Размеры", "36 — 23 см, 37 — 23,5 см, 38 — 24 см")])
    filler = OfflineSlotFiller(build_catalog(), sizes=table)
    context = FillContext(state="ask_size", slots=OrderSlots(product="velia-boots"))
    read = filler.understand("стопа 24 см", context)
    assert read.update.size == "38"
    assert read.foot_size is not None
    assert (read.foot_size.foot_text, read.foot_size.size, read.foot_size.source) == (
        "24", "38", "shop",
    )  # fmt: skip
    assert filler.understand("38 размер", context).foot_size is None


def test_no_size_from_a_foot_length_for_a_product_without_sizes(filler) -> None:
    context = FillContext(state="ask_color", slots=OrderSlots(product="lumen-tote"))
    read = filler.understand("24 см", context)
    assert read.update.size is None and read.foot_size is None


def test_corrections_inside_one_message_are_reported(filler) -> None:
    context = FillContext(state="ask_size", slots=OrderSlots(product="aster-mules"))
    read = filler.understand("37, хотя нет, 38, черные ой бежевые", context)
    assert (read.update.size, read.update.color) == ("38", "бежевый")
    assert read.corrected == ("size", "color")
    assert read.update.intent == Intent.CORRECT


def test_an_approximate_colour_says_what_the_customer_named(filler) -> None:
    context = FillContext(state="ask_color", slots=OrderSlots(product="mirella-loafers"))
    read = filler.understand("цвета шампань", context)
    assert read.update.color == "бежевый"
    assert read.color_mention is not None
    assert (read.color_mention.said, read.color_mention.approximate) == ("шампань", True)


def test_asking_for_another_product_is_reported_and_allows_a_switch(filler) -> None:
    context = FillContext(state="ask_size", slots=OrderSlots(product="corsa-loafers"))
    assert filler.understand("хочу другие", context).wants_other_product
    assert not filler.understand("а другой цвет есть?", context).wants_other_product
    assert not filler.understand("подруге тоже понравились", context).wants_other_product
    switched = filler.understand("покажите другие, лоферы мирелла", context)
    assert switched.wants_other_product and switched.update.product == "mirella-loafers"


def test_a_street_named_like_a_brand_keeps_the_product(filler) -> None:
    context = FillContext(
        state="ask_address", slots=OrderSlots(product="corsa-loafers", size="38", color="черный")
    )
    update = filler.fill_sync("Нова 12", context)
    assert (update.product, update.address) == (None, "Нова 12")


def test_the_offered_products_come_from_the_context(filler) -> None:
    offered = FillContext(state="ask_product", offered=["aster-mules", "mirella-loafers"])
    assert filler.fill_sync("лоферы", offered).product == "mirella-loafers"
    assert filler.fill_sync("лоферы", FillContext(state="ask_product")).candidates == [
        "corsa-loafers", "mirella-loafers",
    ]  # fmt: skip


def test_a_place_named_like_a_model_does_not_switch_the_product() -> None:
    catalog = Catalog(
        [
            Product(id="aksai", name="Кеды Аксай", type=ProductType.SHOES, sizes=["38"]),
            Product(id="lira", name="Мюли Лира", type=ProductType.SHOES, sizes=["38"]),
        ],
        Stock([Variant("aksai", "38", "белый", 1), Variant("lira", "38", "черный", 1)]),
    )
    filler = OfflineSlotFiller(catalog)
    chosen = OrderSlots(product="lira", size="38", color="черный")
    for state, text in [
        ("ask_address", "мкр Аксай-4, 25-13"),
        ("ask_address", "Аксай 4"),
        ("confirming", "адрес: мкр Аксай-4, дом 25, кв 13"),
        ("ask_color", "я живу в Аксай-4, доставите?"),
    ]:
        update = filler.fill_sync(text, FillContext(state=state, slots=chosen))
        assert update.product is None and update.candidates == [], (state, text)
    asked = filler.fill_sync("а кеды аксай есть?", FillContext(state="ask_color", slots=chosen))
    assert asked.product == "aksai"
