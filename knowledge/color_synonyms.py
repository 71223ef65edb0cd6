"""The shop's own colour words: `DATA_DIR/colors.yaml`, optional.

    # shop colour (as the inventory writes it): the words customers use for it
    бежевый: [шампань, капучино, "кофе с молоком"]
    пудровый: пудра

The general table (`ottenok/color_words.py`) already knows the usual words, English, Kazakh and
the common shades; this file adds the shop's own. A colour the shop does not sell is ignored (the
lexicon lists it in `ignored_synonyms`), so the table can never make the bot offer a colour that
is not on the shelf.
"""

from __future__ import annotations

from pathlib import Path

import yaml

FILE_NAME = "colors.yaml"


class ColorSynonymsError(ValueError):
    """The file cannot be used; the message names the file and the problem."""


def load_color_synonyms(data_dir: Path | str) -> dict[str, list[str]]:
    """Shop colour → extra words, from `DATA_DIR/colors.yaml`; empty when the file is absent."""
    path = Path(data_dir) / FILE_NAME
    if not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ColorSynonymsError(f"{path}: not valid YAML ({err})") from err
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ColorSynonymsError(f"{path}: expected 'colour: [words]' lines")
    table: dict[str, list[str]] = {}
    for color, words in raw.items():
        words = [words] if isinstance(words, str) else words
        if not isinstance(words, list) or not all(isinstance(w, str | int) for w in words):
            raise ColorSynonymsError(f"{path}: '{color}' must list words, as [шампань, беж]")
        table[str(color)] = [str(w) for w in words]
    return table
