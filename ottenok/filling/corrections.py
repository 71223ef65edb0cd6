"""Self-correction inside one message: the last value the customer settled on wins.

Customers correct themselves while typing: "37, хотя нет, 38", "не чёрные, а бежевые",
"38… ой, 39", "давайте 38 нет лучше 39", "с 38 на 39". Two general mechanisms cover them:

- a value the message rejects is blanked before anything is read: "не 38, а 39", "вместо
  чёрных", "с 38 на 39", "38 не надо";
- the message is cut at correction markers ("хотя нет", "ой", "нет", "лучше", "вернее",
  "точнее", "в смысле", "то есть"), and each slot takes its value from the last piece that names
  one: "37, хотя нет, 38" reads 38, while "38, чёрные" (no marker) reads both values.

A marker that ends the message or precedes a question ("а 38 нет?") separates nothing, as the
piece after it names no value.
"""

from __future__ import annotations

import re

# "не 38, а 39", "вместо чёрных", "с 38 на 39", "38 не надо": the old value must not be read.
_REJECTED_VALUE = [
    re.compile(r"(?<![а-яa-z])не\s+[^,?!.]{1,30}?\s*,?\s+(?=а\s)", re.IGNORECASE),
    re.compile(r"(?<![а-яa-z])вместо\s+\S+(?:\s+(?:размера|цвета))?", re.IGNORECASE),
    re.compile(r"(?<![а-яa-z])с\s+\S+\s+(?=на\s)", re.IGNORECASE),
    re.compile(
        r"(?<![а-яa-z0-9])\S+\s+(?=не\s+(?:надо|нужно|нужн[аыо]|хочу|подходит|подходят|подойд[еу]т)"
        r"(?![а-я]))",
        re.IGNORECASE,
    ),
]
_MARKER_RE = re.compile(
    r"(?<![а-яa-z0-9])(?:хотя\s+нет|а\s+нет|или\s+нет|ой|упс|нет|неа|не(?=\s*,)|вернее|точнее"
    r"|лучше|в\s+смысле|то\s+есть|стоп|sorry|oops|no\s+wait)(?![а-яa-z0-9])",
    re.IGNORECASE,
)


_CHOICE_RE = re.compile(r"(?<![а-яa-z])(?:или|либо|or)(?![а-яa-z])", re.IGNORECASE)


def without_rejected(text: str) -> str:
    """The text with the values it rejects replaced by spaces."""
    for pattern in _REJECTED_VALUE:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def pieces(text: str) -> list[str]:
    """The text cut at correction markers, in order (one piece when it has none). A marker
    before a choice is a question, not a correction: "38 лучше или 39?"."""
    found, start = [], 0
    markers = list(_MARKER_RE.finditer(text))
    for i, marker in enumerate(markers):
        until = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        if _CHOICE_RE.search(text, marker.end(), until):
            continue
        found.append(text[start : marker.start()])
        start = marker.end()
    found.append(text[start:])
    return [piece for piece in found if piece.strip(" ,.!?…-—")] or [text]
