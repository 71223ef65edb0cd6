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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Kazakh, with and without Kazakh letters, with Kazakh endings
        ("қара", ["черный"]), ("кара 38", ["черный"]), ("ақ", ["белый"]), ("ак түсті", ["белый"]),
        ("карасы бар ма?", ["черный"]), ("қоңыр", ["коричневый"]), ("күміс", ["серебристый"]),
        ("көк", ["темно-синий"]),
        # diminutives, misspellings, glue, Latin transliteration
        ("бежевенькие", ["бежевый"]), ("коричневенькие есть?", ["коричневый"]),
        ("чорные", ["черный"]), ("бэжевые", ["бежевый"]), ("коричнивые", ["коричневый"]),
        ("бежевые37есть", ["бежевый"]), ("chernye", ["черный"]), ("bezhevye pls", ["бежевый"]),
        ("bordovye 38", ["бордовый"]), ("chornie", ["черный"]),
        # no colour: Kazakh words inside place names, look-alike words, bank cards
        ("мкр Ак-Жол", []), ("Кок-Тобе", []), ("Сарыарка", []), ("сырые", []),
        ("оплачу каспи голд", []), ("Kaspi Red можно?", []), ("vecherniy", []),
    ],
)  # fmt: skip
def test_find_how_people_really_write(lexicon, text, expected):
    assert lexicon.find(text) == expected


def test_shades_map_to_the_nearest_colour_the_shop_has_and_say_so():
    lexicon = ColorLexicon(["бежевый", "черный", "розовый"])
    [champagne] = lexicon.mentions("цвета шампань")
    assert (champagne.color, champagne.said, champagne.approximate) == ("бежевый", "шампань", True)
    [powder] = lexicon.mentions("пудровые есть?")
    assert (powder.color, powder.approximate) == ("розовый", True)
    [black] = lexicon.mentions("чёрненькие")
    assert (black.color, black.approximate) == ("черный", False)


def test_a_plain_colour_finds_the_shops_shade_of_it():
    lexicon = ColorLexicon(["пудровый", "черный"])
    assert lexicon.find("розовые есть?") == ["пудровый"]
    assert lexicon.find("зеленые") == []


def test_the_shops_synonyms_win_but_only_for_colours_it_sells():
    synonyms = {"Бежевый": ["кофе с молоком", "латте"], "изумрудный": ["изумруд"]}
    lexicon = ColorLexicon(["бежевый", "молочный"], synonyms)
    assert lexicon.find("цвета кофе с молоком") == ["бежевый"]
    assert lexicon.find("латте") == ["бежевый"]
    assert lexicon.find("изумруд") == []
    assert lexicon.ignored_synonyms == ["изумрудный"]


def test_a_shade_the_shop_sells_itself_is_exact():
    lexicon = ColorLexicon(["шампань", "бежевый"])
    [mention] = lexicon.mentions("шампань")
    assert (mention.color, mention.approximate) == ("шампань", False)


def test_colour_words_are_known_to_the_product_matcher():
    lexicon = ColorLexicon(["черный"])
    assert lexicon.is_color_word("chernye") and lexicon.is_color_word("қара")
    assert not lexicon.is_color_word("vecherniy") and not lexicon.is_color_word("лоферы")


def test_for_catalog_takes_every_colour_the_shop_sells():
    from ottenok.catalog import Catalog, Product
    from ottenok.stock import Stock, Variant

    catalog = Catalog(
        [Product(id="a", name="Мюли A", colors=["красный"]), Product(id="b", name="Сумка B")],
        Stock([Variant("b", None, "черный", 1)]),
    )
    assert ColorLexicon.for_catalog(catalog).colors == ["красный", "черный"]


def test_the_shops_brand_and_model_names_are_no_colours():
    """ "Coccinelle Metallic" is a wallet, "Pazolini" a brand: neither names a colour, while a
    name that is exactly one of the shop's colours still does."""
    lexicon = ColorLexicon(["черный", "серебристый", "зеленый"])
    assert lexicon.find("кошелек metallic") == ["серебристый"]
    lexicon.ignore_words({"metallic", "пазолини", "черный"})
    assert lexicon.find("кошелек metallic") == [] and lexicon.find("пазолини") == []
    assert lexicon.find("черный") == ["черный"]
