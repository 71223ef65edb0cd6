"""Shoe size from foot length, with the shop's own table read from its scripts."""

from __future__ import annotations

import pytest

from ottenok.size_table import DEFAULT_TABLE, SizeTable, find_foot_length, parse_size_rows

# The same table written the ways shops write it in their scripts.
LAYOUTS = [
    "Длина стельки: 35 — 22,5 см, 36 — 23 см, 37 — 23,5 см, 38 — 24,5 см.",
    "22,5 см = 35 размер\n23 см = 36 размер\n23,5 см = 37 размер\n24,5 см = 38 размер",
    "Размер | Стопа, см\n35 | 22.5\n36 | 23\n37 | 23.5\n38 | 24.5",
    "35 р. (22,5 см), 36 р. (23 см), 37 р. (23,5 см), 38 р. (24,5 см)",
    "стопа 22.5см → 35, 23см → 36, 23.5см → 37, 24.5см → 38",
]


@pytest.mark.parametrize("text", LAYOUTS)
def test_a_size_table_is_read_in_any_layout(text):
    assert parse_size_rows(text) == {"35": 22.5, "36": 23.0, "37": 23.5, "38": 24.5}


def test_text_without_a_table_gives_no_rows():
    text = "Доставка 2–5 дней, с 10:00 до 20:00. Бесплатно от 50 000 ₸, рассрочка 0-0-12."
    assert parse_size_rows(text) == {}


def test_lengths_that_do_not_grow_with_the_size_are_no_table():
    assert parse_size_rows("35 — 24 см, 36 — 23 см, 37 — 22 см") == {}


def test_the_shops_table_comes_from_the_section_that_has_one():
    sections = [
        ("Доставка", "По Алматы 1–2 дня, по Казахстану 3–5 дней."),
        ("Как выбрать размер", LAYOUTS[0]),
    ]
    table = SizeTable.from_scripts(sections)
    assert table.source == "shop"
    assert table.rows == (("35", 22.5), ("36", 23.0), ("37", 23.5), ("38", 24.5))


def test_without_a_table_in_the_scripts_the_default_is_used_and_says_so():
    table = SizeTable.from_scripts([("Оплата", "Kaspi, 0-0-12"), ("Размер", "36 — 23 см")])
    assert table.source == "default" and table.rows == DEFAULT_TABLE


@pytest.mark.parametrize(
    ("foot", "size"),
    [(23.5, "37"), (24.0, "38"), (24.5, "38"), (22.0, "35"), (21.0, None), (25.0, None)],
)
def test_a_foot_between_two_rows_takes_the_larger_size(foot, size):
    table = SizeTable.from_scripts([("Размеры", LAYOUTS[0])])
    assert table.size_for(foot) == size


@pytest.mark.parametrize(
    ("text", "foot"),
    [
        ("стопа 23,5 см", 23.5), ("длина стопы 24", 24.0), ("у меня нога 24.5 см", 24.5),
        ("по стельке 25", 25.0), ("23 с половиной см", 23.5), ("24см", 24.0),
        ("табаным 24 см", 24.0), ("каблук 8 см", None), ("голенище 30 см", None),
        ("38 размер", None), ("нога 15 см", None), ("какая высота каблука? 24 см?", None),
    ],
)  # fmt: skip
def test_find_foot_length(text, foot):
    assert find_foot_length(text) == foot


def test_conversion_reports_the_foot_and_the_source():
    converted = SizeTable.default().convert("стопа 23,5 см")
    assert converted is not None
    assert (converted.size, converted.foot_text, converted.source) == ("37", "23,5", "default")
    assert SizeTable.default().convert("38 размер") is None
