"""Finding the shop's colours in customers' messages."""

from __future__ import annotations

import pytest

from ottenok.colors import ColorLexicon

SHOP_COLORS = ["Чёрный", "белый", "Бежевый", "бордовый", "тёмно-синий", "Молочный", "пудровый",
               "серебристый", "коричневый", "фуксия", "мокко"]  # fmt: skip


@pytest.fixture(scope="module")
def lexicon() -> ColorLexicon:
    return ColorLexicon(SHOP_COLORS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("а в бордовом цвете есть?", ["бордовый"]),
        ("хочу чёрные", ["черный"]),
        ("черную и белую, пожалуйста", ["черный", "белый"]),
        ("чёрненькие есть?", ["черный"]),
        ("а беленькие?", ["белый"]),
        ("беж есть?", ["бежевый"]),
        ("бордо 38", ["бордовый"]),
        ("в молочке", ["молочный"]),
        ("black or white", ["черный", "белый"]),
        ("Burgundy please", ["бордовый"]),
        ("nude", ["бежевый"]),
        ("navy", ["темно-синий"]),
        ("тёмно-синие лоферы", ["темно-синий"]),
        ("бардовые ботильоны", ["бордовый"]),
        ("silver", ["серебристый"]),
        ("шоколадные", ["коричневый"]),
        ("цвет фуксии", ["фуксия"]),
        ("в цвете мокко", ["мокко"]),
        ("в пудре", ["пудровый"]),
        ("красивые и верные", []),
        ("38 размер, доставка в Караганду", []),
        ("сначала бежевые, потом черные и снова бежевые", ["бежевый", "черный"]),
    ],
)
def test_find(lexicon, text, expected):
    assert lexicon.find(text) == expected


def test_only_the_shops_colours_are_answered():
    lexicon = ColorLexicon(["красный"])
    assert lexicon.find("черные или красные") == ["красный"]
    assert lexicon.find("red") == ["красный"]
    assert lexicon.find("черные") == []


def test_multiword_colour_found_by_its_colour_word_when_unambiguous():
    lexicon = ColorLexicon(["Чёрный лак", "бежевая замша"])
    assert lexicon.find("хочу черные") == ["черный лак"]
    assert lexicon.find("бежевую замшу или чёрный лак") == ["бежевая замша", "черный лак"]


def test_colour_that_is_no_generic_colour_still_matches_by_lemma():
    lexicon = ColorLexicon(["терракотовый", "изумрудный"])
    assert lexicon.find("терракотовые и изумрудную") == ["терракотовый", "изумрудный"]
