"""The shop's own facts: `shop.yaml` over what its scripts say, and the delivery row that
applies to a customer's city (its own row, else its region's, else the whole country's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from delivery_shop import write_delivery_shop
from shops import SAMPLE_DATA, SECOND_SHOP_SCRIPTS

from knowledge.shop_info import (
    ShopInfoError,
    derive_delivery,
    derive_shop_info,
    load_shop_info,
    read_shop_file,
)
from ottenok.places import PlaceKind, find_places
from ottenok.shop_info import DeliveryRow, ShopInfo


def sections(scripts: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(topic, "\n".join(paragraphs)) for topic, paragraphs in scripts.items()]


def rows_by_where(found: tuple[DeliveryRow, ...]) -> dict[str, DeliveryRow]:
    return {row.where: row for row in found}


# -- places -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("по Алматы и области", [("city", "Алматы"), ("region", "Алматинская область")]),
        ("в другие города Казахстана", [("country", "Казахстан")]),
        ("Доставка по РК", [("country", "Казахстан")]),
        ("Карагандинская обл.", [("region", "Карагандинская область")]),
        ("ВКО", [("region", "Восточно-Казахстанская область")]),
        ("в Шымкент и Тараз", [("city", "Шымкент"), ("city", "Тараз")]),
        ("Караганда область", [("region", "Карагандинская область")]),
    ],
)
def test_places_are_read_as_shops_write_them(text, expected):
    assert [(p.kind.value, p.name) for p in find_places(text)] == expected


def test_a_citys_own_row_beats_its_regions_which_beats_the_countrys():
    info = ShopInfo(
        delivery=[
            {"where": "по Казахстану", "days": "3–7 дней", "price": 3000},
            {"where": "Алматинская область", "days": "2 дня", "price": 2000},
            {"where": "Талгар", "days": "1 день", "price": 1000},
        ]
    )
    assert info.delivery_for("Талгар").price == 1000
    assert info.delivery_for("Каскелен").price == 2000
    assert info.delivery_for("Павлодар").price == 3000
    assert info.delivery_for(None) is None


def test_without_a_country_row_a_city_nobody_named_gets_no_terms():
    info = ShopInfo(delivery=[{"where": "Алматы", "days": "1 день", "price": "1 500 ₸"}])
    assert info.delivery_for("Алматы").price == 1500
    assert info.delivery_for("Астана") is None


# -- shop.yaml ------------------------------------------------------------------------------


def test_the_shop_file_wins_over_the_scripts_field_by_field(tmp_path: Path):
    root = write_delivery_shop(tmp_path / "shop")
    (root / "shop.yaml").write_text(
        "name: Qadam\n"
        "assistant: Дана\n"
        "delivery:\n"
        "  - {where: Астана, days: 'в день заказа', price: бесплатно}\n"
        "  - {where: другие города, days: '5 дней', price: 'от 2 000 тг'}\n",
        encoding="utf-8",
    )
    info = load_shop_info(root)
    assert (info.name, info.assistant) == ("Qadam", "Дана")
    assert [(r.where, r.days, r.price, r.price_from) for r in info.delivery] == [
        ("Астана", "в день заказа", 0, False),
        ("другие города", "5 дней", 2000, True),
    ]
    assert info.delivery_for("Караганда").days == "5 дней"  # the file's table, not the script's
    assert "0-0-6" in info.installments  # not in the file: from the scripts
    assert info.sources["delivery"] == "shop.yaml"
    assert info.sources["installments"] == "scripts"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name: [", "not valid YAML"),
        ("- just a list\n", "expected"),
        ("delivery:\n  - {where: Алматы, price: дорого}\n", "delivery.0.price"),
        ("delivry: []\n", "delivry"),
    ],
)
def test_a_broken_shop_file_is_reported_with_its_name_and_the_field(tmp_path, text, problem):
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ShopInfoError) as error:
        read_shop_file(path)
    assert "shop.yaml" in str(error.value) and problem in str(error.value)


def test_no_shop_file_and_no_scripts_means_no_facts(tmp_path: Path):
    info = load_shop_info(tmp_path)
    assert info == ShopInfo()
    assert info.missing() == ["name", "delivery", "payment", "installments", "returns"]


# -- derived from the scripts ---------------------------------------------------------------


def test_the_sample_shops_scripts_give_its_delivery_payment_and_returns():
    info = load_shop_info(SAMPLE_DATA)
    assert info.name == "Оттенок"  # its shop.yaml
    almaty = info.delivery_for("Алматы")
    assert (almaty.price, almaty.free_from) == (1500, 50000)
    assert "в тот же день" in almaty.days and "15:00" in almaty.days
    astana = info.delivery_for("Астана")
    assert (astana.days, astana.price) == ("2–5 рабочих дней", 2500)
    assert "Kaspi QR" in info.payment and "0-0-12" not in info.payment
    assert "0-0-12" in info.installments and "приложении Kaspi" in info.installments
    assert "14 дней" in info.returns


def test_a_delivery_table_in_the_scripts_gives_a_row_per_line(tmp_path: Path):
    info = load_shop_info(write_delivery_shop(tmp_path / "shop"))
    rows = rows_by_where(info.delivery)
    assert (rows["Астана"].days, rows["Астана"].price, rows["Астана"].free_from) == (
        "1 день", 1000, 40000,
    )  # fmt: skip
    assert rows["Караганда и Темиртау"].price == 1500
    assert rows["Алматинская область"].days == "3–4 дня"
    # "отправка на следующий день" is vaguer than the table's "4–7 дней": the table's wins
    assert rows["по Казахстану"].days == "4–7 дней"
    assert info.delivery_for("Темиртау").days == "2–3 дня"
    assert info.payment == "Принимаем Kaspi перевод и карты Halyk."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Доставка по Алматы — 1 000 ₸, по области — 2 000 ₸, по Казахстану — от 2 500 ₸.",
            {"Алматы": (None, 1000), "Алматинская область": (None, 2000),
             "по Казахстану": (None, 2500)},
        ),
        (
            "По Шымкенту доставляем курьером за 1 день. В регионы отправляем СДЭК, 3-5 дней,"
            " 2000 тг.",
            {"Шымкент": ("1 день", None), "по Казахстану": ("3-5 дней", 2000)},
        ),
        (
            "Караганда и Темиртау: 1-2 дня, 1500 тенге.\nОстальные города 4–6 рабочих дней.",
            {"Караганда и Темиртау": ("1-2 дня", 1500),
             "по Казахстану": ("4–6 рабочих дней", None)},
        ),
    ],
)  # fmt: skip
def test_delivery_sentences_give_each_place_its_own_terms(text, expected):
    rows = rows_by_where(derive_delivery([("Доставка", text)]))
    assert {where: (row.days, row.price) for where, row in rows.items()} == expected


def test_a_sentence_without_a_place_belongs_to_the_heading_or_the_sentence_before():
    found = derive_delivery(
        [
            ("Доставка по Астане", "Курьер привезёт за 1–2 дня. Стоимость 1 200 тг."),
            ("Доставка", "По Караганде доставляем курьером.\nСрок 2 дня, бесплатно."),
        ]
    )
    rows = rows_by_where(found)
    assert (rows["Астана"].days, rows["Астана"].price) == ("1–2 дня", 1200)
    assert (rows["Караганда"].days, rows["Караганда"].price) == ("2 дня", 0)


def test_free_delivery_from_a_sum_is_a_threshold_not_a_price():
    found = derive_delivery(
        [("Доставка", "При заказе от 30 000 тг доставка по Алматы бесплатная, иначе 1000 тг.")]
    )
    assert [(r.where, r.price, r.free_from) for r in found] == [("Алматы", 1000, 30000)]


def test_scripts_that_never_state_delivery_terms_give_no_rows():
    found = derive_shop_info(
        [
            ("Доставка", "Доставляем по всему Казахстану. Подробности уточнит менеджер."),
            ("Возврат", "Доставку при возврате оплачиваем мы, деньги вернём за 3 дня."),
            ("Гарантия", "Гарантия 30 дней."),
        ]
    )
    assert found.delivery == ()
    assert found.returns.startswith("Доставку при возврате")


def test_installments_written_only_in_an_objection_are_still_found():
    info = derive_shop_info(
        [("Оплата", "Kaspi перевод."), ("Дорого", "Есть рассрочка 0-0-24 через Kaspi.")]
    )
    assert info.payment == "Kaspi перевод."
    assert info.installments == "Есть рассрочка 0-0-24 через Kaspi."


def test_the_second_shops_row_for_its_city_and_for_the_country():
    info = derive_shop_info(sections(SECOND_SHOP_SCRIPTS))
    shymkent = info.delivery_for("Шымкент")
    assert (shymkent.days, shymkent.free_from) == ("1 день", 30000)
    assert info.delivery_for("Актобе").where == "по Казахстану"
    assert all(row.places and row.places[0].kind in PlaceKind for row in info.delivery)


def test_a_heading_shared_by_two_topics_gives_each_its_own_sentences():
    info = derive_shop_info(
        [
            (
                "Доставка и оплата",
                "Доставка по Алматы — 1.000 тг, в течение 24 часов. Оплата Kaspi или наличными."
                " Есть рассрочка 0-0-12.\nВ регионы 3-5 дней, 2.500 тг.",
            ),
            (
                "Доставка и возврат",
                "Возврат в течение 7 дней. Доставка бесплатная от 20 000 тг по РК.",
            ),
        ]
    )
    assert [(r.where, r.days, r.price, r.free_from) for r in info.delivery] == [
        ("Алматы", "в течение 24 часов", 1000, None),
        ("по Казахстану", "3-5 дней", 2500, 20000),
    ]
    assert info.payment == "Оплата Kaspi или наличными."
    assert info.installments == "Есть рассрочка 0-0-12."
    assert info.returns == "Возврат в течение 7 дней."


# -- unseen-shop review: terms stated for no place, the shop's name -------------------------


def test_a_term_stated_for_no_place_holds_for_every_row_that_does_not_say_otherwise():
    found = derive_delivery(
        [
            (
                "Доставка",
                "По Алматы курьер за 1 день, 1 500 тг, бесплатно от 30 000 тг.\n"
                "В Шымкент и Тараз 2-3 дня, 2 500 тг.\n"
                "В остальные города Казахстана — почтой, 2 000 тг.\n"
                "Сроки по Казахстану обычно 4–6 дней.\n"
                "При заказе от 60 000 тг доставка бесплатная.",
            )
        ]
    )
    rows = rows_by_where(found)
    assert rows["Алматы"].free_from == 30000  # its own threshold wins
    assert rows["Шымкент и Тараз"].free_from == 60000
    assert (rows["по Казахстану"].days, rows["по Казахстану"].free_from) == ("4–6 дней", 60000)
    info = ShopInfo(delivery=found)
    assert info.delivery_for("Тараз").free_from == 60000
    assert info.delivery_for("Алматы").free_from == 30000


def test_a_threshold_after_a_places_terms_on_one_line_is_the_shops():
    found = rows_by_where(
        derive_delivery(
            [("Доставка", "Астана — 1 день, 1 000 тг. Бесплатная доставка от 50 000 тг.")]
        )
    )
    assert found["Астана"].free_from == 50000
    # an introduced place keeps what follows ("По Караганде…" then its terms)
    introduced = rows_by_where(
        derive_delivery([("Доставка", "По Караганде возит курьер.\nЗа 2 дня, бесплатно.")])
    )
    assert (introduced["Караганда"].days, introduced["Караганда"].price) == ("2 дня", 0)


def test_scripts_with_terms_for_no_place_only_give_them_for_any_city():
    found = derive_delivery([("Доставка", "Отправляем за 2–4 дня, стоимость 1 800 тг.")])
    assert [(r.where, r.days, r.price) for r in found] == [(None, "2–4 дня", 1800)]
    assert ShopInfo(delivery=found).delivery_for("Атырау").price == 1800


def test_the_shop_file_may_state_terms_for_no_place(tmp_path: Path):
    path = tmp_path / "shop.yaml"
    path.write_text(
        "delivery:\n"
        "  - {where: Алматы, days: '1 день', price: 1000, free_from: 25000}\n"
        "  - {where: по Казахстану, days: '3–5 дней', price: 2000}\n"
        "  - {free_from: 50000}\n",
        encoding="utf-8",
    )
    info = read_shop_file(path)
    assert [(r.where, r.free_from) for r in info.delivery] == [
        ("Алматы", 25000),
        ("по Казахстану", 50000),
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Qadam — магазин женской обуви в Алматы. Работаем с 2019 года.", "Qadam"),
        ("Добро пожаловать в «Бархат»! Мы рады каждой гостье.", "Бархат"),
        ("Я Дана, консультант магазина Aru Shoes.", "Aru Shoes"),
        ("Мы — магазин обуви. Закупаем в бутиках Милана и Дубая.", None),
        ("Оригинальные Gucci и Prada из бутика Gucci в Дубае.", None),
        ("Шоурум в Алматы: пр. Достык 85, 3 этаж.", None),
    ],
)
def test_the_shops_name_is_read_from_its_scripts_only_when_they_state_it(text, name):
    assert derive_shop_info([("О магазине", text)]).name == name


def test_a_name_in_the_shops_replies_file_outranks_the_scripts(tmp_path: Path):
    root = write_delivery_shop(tmp_path / "shop")
    scripts = [("О нас", "Добро пожаловать в магазин «Nova Store»!")]
    assert load_shop_info(root, scripts).name == "Nova Store"
    (root / "replies.yaml").write_text("shop: Нова\n", encoding="utf-8")
    assert load_shop_info(root, scripts).name is None  # the templates keep «Нова»
