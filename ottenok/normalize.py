"""Canonical forms for sizes and colours, shared by every adapter and the slot filler.

Shops type sizes as 38, 38.0, "38,5" and colours as "Чёрный" or "черный"; matching only
works when every source folds them the same way.
"""

from __future__ import annotations

import math
import re

_SIZE_RE = re.compile(r"^\s*(\d{2})(?:[.,](\d))?\s*$")


# Kazakh letters folded to their Russian look-alikes: customers type "қара", "ақ", "Өскемен" with
# or without them, and shops spell Kazakh names either way.
_KAZAKH_LETTERS = str.maketrans("әғқңөұүһі", "агкноуухи")


def fold_letters(text: str) -> str:
    """Lower case, ё folded to е and Kazakh letters to Russian ones, letter for letter, so
    offsets into the folded text fit the original."""
    return text.lower().replace("ё", "е").translate(_KAZAKH_LETTERS)


def fold(text: str) -> str:
    """The comparison form for any word or phrase: trimmed and `fold_letters`."""
    return fold_letters(text.strip())


# Customers glue Russian words to numbers ("бежевые37есть", "38размер", "кв7", "12мкр"). The
# glue is undone between Cyrillic letters and digits only: Latin model names ("Model17", "W2")
# are written that way on purpose, a single letter after a number is a house letter ("97Б") or an
# ordinal ("38й"), and ordinal endings ("38ой", "38-го") stay on their number.
_LETTER_THEN_DIGIT = re.compile(r"(?<=[а-яё])(?=\d)", re.IGNORECASE)
_DIGIT_THEN_LETTERS = re.compile(
    r"(?<=\d)(?!(?:ой|ый|ий|ая|ое|ую|го|ого|ом|ем|ым)(?![а-яё]))(?=[а-яё]{2,})", re.IGNORECASE
)


def unglue(text: str) -> str:
    """The text with a space between Cyrillic words and numbers typed without one."""
    return _DIGIT_THEN_LETTERS.sub(" ", _LETTER_THEN_DIGIT.sub(" ", text))


def normalize_size(value: object) -> str | None:
    """Return an EU size as "38" or "37.5"; None for an empty or unparseable cell."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        value = f"{value:g}"
    text = str(value).strip()
    if not text or text.lower() in {"nan", "none", "-", "—"}:
        return None
    match = _SIZE_RE.match(text)
    if not match:
        return None
    whole, frac = match.groups()
    return whole if not frac or frac == "0" else f"{whole}.{frac}"


def normalize_color(value: object) -> str | None:
    """Return a colour in comparison form ("черный"), or None for an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = re.sub(r"\s+", " ", fold(str(value)))
    return text or None


def size_key(size: str) -> float:
    """Numeric value of a normalised size, for ordering and nearest-size search."""
    return float(size)


_PRICE_RE = re.compile(r"\d+(?:[.,]\d{1,2})?")


def normalize_price(value: object) -> int | None:
    """Return a price in whole tenge from 24900, 24900.0, "24 900" or "24 900 ₸"; None if blank.

    Shops type prices by hand in both the spreadsheet and the documents, with thousands
    separators (spaces, no-break spaces) and the currency sign.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else round(value)
    text = re.sub(r"[\s\u00a0\u202f\u2009']", "", str(value))
    text = re.sub(r"[.,](?=\d{3}(?!\d))", "", text)  # "24,900" and "24.900" group thousands
    match = _PRICE_RE.search(text)
    return round(float(match.group(0).replace(",", "."))) if match else None
