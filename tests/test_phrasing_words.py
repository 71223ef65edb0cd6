"""Russian wording: lists as a person writes them, and a kind of goods agreed in case."""

from __future__ import annotations

import pytest

from ottenok.phrasing.words import (
    capitalized,
    inflect_phrase,
    join_words,
    price_text,
    size_text,
)


@pytest.mark.parametrize(
    ("phrase", "case", "plural", "expected"),
    [
        ("мужская обувь", "gent", True, "мужской обуви"),  # a mass noun stays singular
        ("мужская обувь", "accs", False, "мужскую обувь"),
        ("мужские туфли", "accs", False, "мужские туфли"),  # inanimate: not "мужских"
        ("мужские туфли", "gent", True, "мужских туфель"),
        ("платье", "gent", True, "платьев"),
        ("детские кроссовки", "gent", True, "детских кроссовок"),
        ("угги", "gent", True, "угги"),  # a word the dictionary does not know stays
    ],
)
def test_inflect_phrase(phrase: str, case: str, plural: bool, expected: str) -> None:
    assert inflect_phrase(phrase, case, plural=plural) == expected


def test_lists_prices_and_capitals() -> None:
    assert join_words(["37", "38", "39"]) == "37, 38 и 39"
    assert join_words(["черный"]) == "черный"
    assert price_text(289000) == "289 000 ₸"
    assert capitalized("мужской обуви") == "Мужской обуви"


def test_half_sizes_are_written_the_russian_way() -> None:
    """ "37,5", never "37.5"; a list with half sizes is split by semicolons so "36, 36,5" does
    not read as three numbers."""
    assert size_text("37.5") == "37,5" and size_text("38") == "38"
    assert join_words(["36", "37", "38"]) == "36, 37 и 38"
    assert join_words(["36", "36.5", "37"]) == "36; 36,5 и 37"
