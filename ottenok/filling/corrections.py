"""Self-correction inside one message: the last value the customer settled on wins.

Customers correct themselves while typing: "37, хотя нет, 38", "не чёрные, а бежевые",
"38… ой, 39", "давайте 38 нет лучше 39", "с 38 на 39", "у меня 37, тогда 37,5 возьму". Two
general mechanisms cover them:

- a value the message rejects is blanked before anything is read: "не 38, а 39", "вместо
  чёрных", "с 38 на 39", "38 не надо";
- the message is cut at correction markers ("хотя нет", "ой", "нет", "лучше", "вернее",
  "точнее", "в смысле", "то есть") and at words that settle on a value ("тогда", "давайте",
  "возьму", "беру": before the value, or after a size, "37,5 возьму"), and each slot takes its
  value from the last piece that names one: "37, хотя нет, 38" reads 38, while "38, чёрные"
  (no marker) reads both values.

A marker that ends the message or precedes a question ("а 38 нет?") separates nothing, as the
piece after it names no value.
"""

from __future__ import annotations

import re

from ottenok.filling.sizes import size_spans

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
# Words that settle on the value after them ("у меня 37, тогда 37,5", "давайте 38"); the verbs
# also settle on a size right before them ("37,5 возьму").
_SETTLING_VERBS = r"давайте|давай|возьму|возьм[её]м|беру|бер[её]м"
_SETTLE_RE = re.compile(
    rf"(?<![а-яa-z0-9])(?:тогда|{_SETTLING_VERBS})(?![а-яa-z0-9])", re.IGNORECASE
)
_SETTLING_VERB_RE = re.compile(_SETTLING_VERBS, re.IGNORECASE)
# A size settled on by the verb after it ("37,5 возьму", "38 размер давайте"): only a size
# marker, spaces or a comma between them.
_BETWEEN_SIZE_AND_VERB = re.compile(r"[\s,]*(?:(?:размер[а-я]*|р-?р)[\s,]*)?$", re.IGNORECASE)


_CHOICE_RE = re.compile(r"(?<![а-яa-z])(?:или|либо|or)(?![а-яa-z])", re.IGNORECASE)


def without_rejected(text: str) -> str:
    """The text with the values it rejects replaced by spaces."""
    for pattern in _REJECTED_VALUE:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def corrects(text: str) -> bool:
    """Whether the message takes back or settles a value ("ой нет 38", "ну тогда 38"), so a
    bare number in it changes the size already chosen rather than answering something else."""
    return bool(_cuts(text))


def pieces(text: str) -> list[str]:
    """The text cut at correction and settling markers, in order (one piece when it has none).
    A marker before a choice is a question, not a correction: "38 лучше или 39?"."""
    found, start = [], 0
    for cut_start, cut_end in _cuts(text):
        found.append(text[start:cut_start])
        start = cut_end
    found.append(text[start:])
    return [piece for piece in found if piece.strip(" ,.!?…-—")] or [text]


def _cuts(text: str) -> list[tuple[int, int]]:
    """The spans to cut at: markers (dropped from the pieces) and the starts of sizes settled on
    by the verb after them (kept, as an empty span)."""
    markers = sorted(
        [*_MARKER_RE.finditer(text), *_SETTLE_RE.finditer(text)], key=lambda m: m.start()
    )
    cuts = set()
    for i, marker in enumerate(markers):
        until = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        if _CHOICE_RE.search(text, marker.end(), until):
            continue
        cuts.add(marker.span())
        settled = (
            _size_before(text, marker.start())
            if _SETTLING_VERB_RE.fullmatch(marker.group(0))
            else None
        )
        if settled is not None:
            cuts.add((settled, settled))
    return sorted(cuts)


def _size_before(text: str, end: int) -> int | None:
    """Where a size written right before `end` starts ("37,5 возьму"), if one is."""
    starts = [
        start
        for start, size_end, _ in size_spans(text[:end])
        if _BETWEEN_SIZE_AND_VERB.match(text, size_end, end)
    ]
    return starts[-1] if starts else None
