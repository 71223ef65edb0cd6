"""Shoe size from foot length: "стопа 23,5 см" → 37, with the shop's own table when it has one.

Customers who do not know their size measure their foot, as the shops' scripts ask them to. The
table comes from the shop's sales scripts: any section that pairs EU sizes with centimetres in
any layout ("37 — 23,5 см", "23,5 см = 37 размер", "37 | 23.5") is read as a table, since the two
ranges never overlap (sizes 33–46, feet 19–32 cm). Without one, `DEFAULT_TABLE` is used: the
common EU chart of Russian and Kazakhstan shops (foot length to the nearest centimetre-and-half).
Either way the conversion is reported with its source, so the reply can say it back
("23,5 см — это 37 размер") and never passes our default off as the shop's own fact.

A foot between two rows gets the larger size, as every fitting guide advises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ottenok.normalize import fold_letters, normalize_size, size_key

MIN_SIZE, MAX_SIZE = 33.0, 46.0
MIN_FOOT_CM, MAX_FOOT_CM = 19.0, 32.0
_MIN_ROWS = 3
_TOLERANCE_CM = 0.05
_BELOW_TABLE_CM = 0.5  # a foot this much shorter than the first row still takes its size
_MEASURE_WINDOW = 30  # characters before "NN см" that may name what is measured

# EU size → foot length in cm; documented in README ("The shop's data"): a shop overrides it by
# putting its own table into a sales-script section.
DEFAULT_TABLE: tuple[tuple[str, float], ...] = (
    ("34", 22.0), ("35", 22.5), ("36", 23.0), ("37", 23.5), ("38", 24.5), ("39", 25.0),
    ("40", 25.5), ("41", 26.5), ("42", 27.0), ("43", 27.5), ("44", 28.5), ("45", 29.0),
)  # fmt: skip

_NUMBER = r"(\d{2}(?:[.,]\d)?)"
_JOIN = r"\s*(?:размер[а-я]*|р-?р|р\.?)?\s*(?:см|cm)?\.?\s*[—–\-:=→>|(\t]+\s*"
_PAIR_RE = re.compile(rf"(?<![\d.,]){_NUMBER}{_JOIN}{_NUMBER}(?![\d])", re.IGNORECASE)
_FOOT_WORDS = (
    r"стоп[аеуыо]й?|ступн[яиеюй]|нога|ноги|ногу|ножк[аи]|длин[аеуы]\s+(?:стопы|ноги|ступни)"
    r"|по\s+стельке|стельк[аиу]|foot|табан[ыи]?|аяг[ыи]?м?"
)
_FOOT_RE = re.compile(
    rf"(?:{_FOOT_WORDS})[^\d\n]{{0,25}}?{_NUMBER}(\s*с\s+половин[а-я]*)?(?![\d])", re.IGNORECASE
)
_CM_RE = re.compile(
    rf"(?<![\d.,]){_NUMBER}(\s*с\s+половин[а-я]*)?\s*(?:см\b|cm\b|сантиметр[а-я]*)", re.IGNORECASE
)
# Other things customers measure in centimetres: a "каблук 8 см" or "голенище 30 см" is no foot.
_OTHER_MEASURE_RE = re.compile(
    r"каблук|каблучок|высот|голенищ|обхват|ширин|платформ|подошв|ручк|ремеш|сумк|танкетк",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FootSize:
    """A size converted from a foot length; `source` is "shop" or "default"."""

    foot_cm: float
    size: str
    source: str

    @property
    def foot_text(self) -> str:
        """The length as a Russian reply writes it: "23,5", "24"."""
        return f"{self.foot_cm:g}".replace(".", ",")


@dataclass(frozen=True, slots=True)
class SizeTable:
    """EU sizes with their foot lengths, ascending; `source` says whose table it is."""

    rows: tuple[tuple[str, float], ...]
    source: str

    @classmethod
    def default(cls) -> SizeTable:
        return cls(DEFAULT_TABLE, "default")

    @classmethod
    def from_scripts(cls, sections: Iterable[tuple[str, str]]) -> SizeTable:
        """The size table in the shop's script sections ((topic, text) pairs): the section
        pairing the most sizes with lengths; the default table when none pairs at least three."""
        best: dict[str, float] = {}
        for topic, text in sections:
            rows = parse_size_rows(f"{topic}\n{text}")
            if len(rows) > len(best):
                best = rows
        if len(best) < _MIN_ROWS:
            return cls.default()
        ordered = sorted(best.items(), key=lambda row: size_key(row[0]))
        return cls(tuple(ordered), "shop")

    def size_for(self, foot_cm: float) -> str | None:
        """The smallest size whose length fits the foot; None beyond the table."""
        if not self.rows or foot_cm < self.rows[0][1] - _BELOW_TABLE_CM:
            return None
        for size, length in self.rows:
            if length >= foot_cm - _TOLERANCE_CM:
                return size
        return None

    def convert(self, text: str) -> FootSize | None:
        """The size for the foot length the message gives, if it gives one."""
        foot_cm = find_foot_length(text)
        if foot_cm is None:
            return None
        size = self.size_for(foot_cm)
        return FootSize(foot_cm, size, self.source) if size else None


def parse_size_rows(text: str) -> dict[str, float]:
    """Size → length pairs written anywhere in the text, in either order; a table whose lengths
    do not grow with the sizes is no size table, and gives nothing."""
    rows: dict[str, float] = {}
    for match in _PAIR_RE.finditer(fold_letters(text)):
        first, second = _number(match.group(1)), _number(match.group(2))
        if _is_size(first) and _is_foot(second):
            size, length = first, second
        elif _is_foot(first) and _is_size(second):
            size, length = second, first
        else:
            continue
        name = normalize_size(f"{size:g}")
        if name is not None:
            rows.setdefault(name, length)
    ordered = sorted(rows.items(), key=lambda row: size_key(row[0]))
    if any(a[1] > b[1] for a, b in zip(ordered, ordered[1:], strict=False)):
        return {}
    return rows


def find_foot_length(text: str) -> float | None:
    """The foot length in centimetres the text gives: "стопа 23,5 см", "длина стопы 24",
    "по стельке 24.5", "23 с половиной см"; None when it gives none."""
    folded = fold_letters(text)
    for pattern in (_FOOT_RE, _CM_RE):
        for match in pattern.finditer(folded):
            before = folded[max(0, match.start() - _MEASURE_WINDOW) : match.start()]
            if pattern is _CM_RE and _OTHER_MEASURE_RE.search(before):
                continue
            length = _number(match.group(1)) + (0.5 if match.group(2) else 0.0)
            if _is_foot(length):
                return length
    return None


def _number(raw: str) -> float:
    return float(raw.replace(",", "."))


def _is_size(value: float) -> bool:
    return MIN_SIZE <= value <= MAX_SIZE and value * 2 == int(value * 2)


def _is_foot(value: float) -> bool:
    return MIN_FOOT_CM <= value <= MAX_FOOT_CM
