"""The shop's own colour words, `DATA_DIR/colors.yaml`."""

from __future__ import annotations

import re

import pytest

from knowledge.color_synonyms import ColorSynonymsError, load_color_synonyms
from ottenok.colors import ColorLexicon


def test_absent_file_means_no_synonyms(tmp_path):
    assert load_color_synonyms(tmp_path) == {}


def test_words_as_a_list_or_a_single_word(tmp_path):
    (tmp_path / "colors.yaml").write_text(
        "# shop colour: words\nБежевый: [шампань, кофе с молоком]\nпудровый: пудра\n",
        encoding="utf-8",
    )
    table = load_color_synonyms(tmp_path)
    assert table == {"Бежевый": ["шампань", "кофе с молоком"], "пудровый": ["пудра"]}
    lexicon = ColorLexicon(["бежевый", "черный"], table)
    assert lexicon.find("кофе с молоком") == ["бежевый"]
    assert lexicon.ignored_synonyms == ["пудровый"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [("бежевый: [шампань", "not valid YAML"), ("- шампань\n", "expected 'colour: [words]'"),
     ("бежевый: {a: 1}\n", "'бежевый' must list words")],
)  # fmt: skip
def test_a_broken_file_is_named_with_its_problem(tmp_path, content, problem):
    (tmp_path / "colors.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ColorSynonymsError, match=re.escape("colors.yaml: " + problem)):
        load_color_synonyms(tmp_path)
