"""Shoe size recognition: "38", "38-й", "размер 37,5", "на 38 ногу", "тридцать восьмой".

A number in a chat is a size only in the EU shoe range and only when it is not a price
("25 000", "25к"), a phone, a time ("в 10:30"), a date, a quantity ("2 пары") or a house or
apartment number ("кв 38"). A bare number is trusted when the size was just asked for
(`expecting`) or when it stands in a sentence ("лоферы 38 бежевые"); a lone "38" in another
state is more likely an answer to something else.
"""

from __future__ import annotations

import re

from ottenok.normalize import fold_letters, normalize_size, size_key

MIN_SIZE = 33.0
MAX_SIZE = 46.0

# Numbers that are something else; their digits are blanked before sizes are looked for.
_NOT_SIZES = [
    re.compile(r"\+?[78][\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}"),  # phone
    re.compile(r"\d+(?:[ \u00a0]\d{3})+"),  # price with thousands: 25 000
    re.compile(r"\d{3,}"),  # prices, years, long house numbers
    re.compile(r"\d{1,2}[:.]\d{2}\b"),  # time or date: 10:30, 12.03
    re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|₸|\$)"),
    re.compile(
        r"\d+(?:[.,]\d+)?\s*-?\s*(?:тг|тенге|тыс|т\.?р|к\b|k\b|пар|шт|штук|раз(?![а-я])|дн|день|недел|"
        r"мес|лет|год|час|ч\b|мин|сек|утра|вечера|дня|ночи|см|мм|кг|человек|подъезд|этаж|"
        r"январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:кв|квартира|квартиры|дом|д|этаж|подъезд|блок|корпус|корп|офис|мкр|мкрн|номер|"
        r"за|через)\.?\s*\d+(?:[.,/-]\d+)?|№\s*\d+",
        re.IGNORECASE,
    ),
]
_MARKER = r"(?:размер[а-я]*|разм\.?|р-?р|р\.|р|рр|олшем[а-я]*|size|eu)"
_NUMBER = r"(\d{2}(?:[.,]5)?)"
_ORDINAL_SUFFIX = r"(?:-?(?:й|ой|ый|го|ого|ом|м))"
_EXPLICIT = [
    re.compile(rf"(?<![a-zа-я]){_MARKER}\s*[:№-]?\s*{_NUMBER}(?!\d)", re.IGNORECASE),
    re.compile(rf"(?<![\d.,]){_NUMBER}\s*{_ORDINAL_SUFFIX}?\s*{_MARKER}(?![а-я])", re.IGNORECASE),
    re.compile(rf"(?<![\d.,]){_NUMBER}{_ORDINAL_SUFFIX}(?![а-я])", re.IGNORECASE),
    re.compile(rf"(?<![\d.,]){_NUMBER}\s*(?:-?[яю]\s+)?(?:на\s+)?ног[а-я]*", re.IGNORECASE),
]
_RANGE = re.compile(rf"(?<![\d.,]){_NUMBER}\s*(?:-|/|или|либо)\s*{_NUMBER}(?![\d])")
_BARE = re.compile(rf"(?<![\d.,]){_NUMBER}(?![\d])")
_HALF = re.compile(r"^\s*с\s+половин", re.IGNORECASE)

# Number words by their stems, Russian and Kazakh (folded: "отыз сегіз" is "отыз сегиз").
_TENS = {"тридцат": 30, "сорок": 40, "отыз": 30, "кырык": 40}
_UNITS = {
    "перв": 1, "один": 1, "одн": 1, "втор": 2, "два": 2, "двух": 2, "трет": 3, "три": 3,
    "трех": 3, "четв": 4, "четыр": 4, "пят": 5, "шест": 6, "седьм": 7, "сем": 7, "восьм": 8,
    "восем": 8, "девят": 9,
    "бир": 1, "еки": 2, "уш": 3, "торт": 4, "бес": 5, "алты": 6, "жети": 7, "сегиз": 8,
    "тогыз": 9,
}  # fmt: skip
_WORD_RE = re.compile(r"[а-я]+")
_SENTENCE_WORD_RE = re.compile(r"[a-zа-я]{2,}")
_COUNTED = re.compile(r"\s*(?:тыс|тенге|тг|минут|час|дн|лет|год|штук|пар)")


def size_spans(text: str, expecting: bool = False) -> list[tuple[int, int, str]]:
    """Every shoe size in the text with where its digits or words stand, in order."""
    cleaned = _blank_non_sizes(text)
    found = _named_sizes(cleaned)
    for match in _RANGE.finditer(cleaned):
        first, second = _in_range(match.group(1)), _in_range(match.group(2))
        if first and second and abs(size_key(first) - size_key(second)) <= 2:
            found += [(*match.span(1), first), (*match.span(2), second)]
    if not found and (expecting or _has_words(cleaned)):
        found = _numbers(_BARE, cleaned)
    return sorted(set(found))


def find_sizes(text: str, expecting: bool = False) -> list[str]:
    """Every shoe size in the text, in order, without repeats ("38-39" gives both)."""
    ordered: dict[str, None] = {}
    for _, _, size in size_spans(text, expecting):
        ordered.setdefault(size, None)
    return list(ordered)


def find_size(text: str, expecting: bool = False) -> str | None:
    """The first size named: "38-39" is read as "38, or else 39" and the engine offers 38."""
    sizes = find_sizes(text, expecting)
    return sizes[0] if sizes else None


def names_size(text: str) -> bool:
    """Whether the text names a size in a way no address number is written: with its marker,
    an ordinal ending or in words ("38 размер", "р-р 37", "38-й", "на 38 ногу", "тридцать
    восьмой"). A bare "38" may be a house; these never are."""
    return bool(_named_sizes(_blank_non_sizes(text)))


def _named_sizes(cleaned: str) -> list[tuple[int, int, str]]:
    found = [span for pattern in _EXPLICIT for span in _numbers(pattern, cleaned)]
    return found + _word_sizes(cleaned)


def _blank_non_sizes(text: str) -> str:
    """Replace the digits of non-size numbers with '#' so positions keep matching `text`."""
    cleaned = fold_letters(text)
    for pattern in _NOT_SIZES:
        cleaned = pattern.sub(lambda m: re.sub(r"\d", "#", m.group(0)), cleaned)
    return cleaned


def _in_range(raw: str) -> str | None:
    size = normalize_size(raw)
    if size is None or not MIN_SIZE <= size_key(size) <= MAX_SIZE:
        return None
    return size


def _numbers(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in pattern.finditer(text):
        size = _in_range(match.group(1))
        if size is not None:
            if not size.endswith(".5") and _HALF.match(text[match.end() :]):
                size = f"{size}.5"
            found.append((*match.span(1), size))
    return found


def _has_words(text: str) -> bool:
    """A sentence around the number ("лоферы 38 бежевые") makes a bare number a size."""
    return bool(_SENTENCE_WORD_RE.search(text))


def _word_sizes(text: str) -> list[tuple[int, int, str]]:
    """Sizes written in words: "тридцать восьмой", "сорок", "тридцать семь с половиной"."""
    words = list(_WORD_RE.finditer(text))
    found = []
    for i, match in enumerate(words):
        tens = next((v for k, v in _TENS.items() if match.group(0).startswith(k)), None)
        if tens is None:
            continue
        value = float(tens)
        end = match.end()
        if i + 1 < len(words) and not text[end : words[i + 1].start()].strip(" ,"):
            unit = next((v for k, v in _UNITS.items() if words[i + 1].group(0).startswith(k)), 0)
            if unit:
                value += unit
                end = words[i + 1].end()
        if _HALF.match(text[end:]):
            value += 0.5
        size = _in_range(f"{value:g}")
        if size is not None and not _COUNTED.match(text[end:]):
            found.append((match.start(), end, size))
    return found
