"""Delivery address recognition in free chat text.

An address is kept as the customer typed it (the courier reads it, not a geocoder), so the job is
to find where it starts and ends: "ул. Абая 150, кв 12", "мкр Самал-2, д 58", "ЖК Есентай Парк,
блок 3, кв 45", "3 мкр 15 дом". Street words ("ул", "пр", "мкр", "ЖК") and house words ("дом",
"кв", "подъезд") mark an address anywhere in a message. A bare "Абая 150" looks exactly like
"ботильоны 38", so it counts only when an apartment part follows or when the address was just
asked for (`expecting`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ottenok.filling.cities import find_city
from ottenok.morphology import is_known_word, morph

_STREET_WORDS = {
    "ул", "улица", "улице", "улицу", "пр", "пр-т", "пр-кт", "просп", "проспект", "проспекте",
    "бульвар", "б-р", "пер", "переулок", "шоссе", "трасса", "тракт", "мкр", "мкрн", "мкр-н",
    "микр", "микрорайон", "микрорайоне", "жк", "ж/к", "пос", "поселок", "посёлок", "аул",
    "проезд", "тупик", "массив", "квартал", "даңғылы", "көшесі",
}  # fmt: skip
_NUMBERED_AREA_WORDS = {"мкр", "мкрн", "мкр-н", "микр", "микрорайон", "микрорайоне", "квартал"}
_HOUSE_WORDS = {
    "дом", "д", "кв", "квартира", "кв-ра", "подъезд", "под", "этаж", "эт", "блок", "корпус",
    "корп", "офис", "оф", "домофон", "строение", "стр", "участок", "уч", "здание",
}  # fmt: skip
# "Адрес: …", "адрес на …", and a corrected one: "адрес другой: …", "адрес новый …".
_LABEL_RE = re.compile(
    r"\bадрес[а-я]*\s*(?::|-|—|на\b|(?:друго[йе]|новы[йе]|правильны[йе]|теперь)\s*[:\-—]?)\s*",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^\n!?;]+")
_PART_RE = re.compile(r"[^,]+")
_TOKEN_RE = re.compile(
    r"(?P<num>№?\d+(?:[/-]\d+)*(?:[а-яА-Яa-zA-Z](?![^\W\d_]))?)"
    r"|(?P<word>ж/к|[^\W\d_]+(?:-[^\W\d_0-9]+|-\d+)*\.?)",
)
_NOT_ADDRESS_RE = re.compile(
    r"размер|р-р|\bног[уиа]\b|тенге|\bтг\b|\?|^\s*(?:хочу|хотела|хотим|нужн[аоы]?|беру|возьму)\b"
    r"|\+?[78][\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}",  # a phone number
    re.IGNORECASE,
)
_STOP_POS = {"PREP", "CONJ", "VERB", "INFN", "PRCL", "NPRO", "ADVB", "INTJ", "PRED", "ADJS"}
_NUMBERED_NAME_RE = re.compile(r"-\d+$")  # "Самал-2", "Орбита-1": a name with its own number
_STOP_WORDS = {"адрес", "мой", "наш", "вот", "доставка", "доставьте", "привезите", "живу"}
_FILLER_RE = re.compile(
    r"^(?:(?:вот|мой|наш|адрес[а-я]*|доставка|доставьте|привезите|на|пожалуйста)\b[\s:,-]*)+",
    re.IGNORECASE,
)
_CORNER_RE = re.compile(r"\b(?:угол|угл[уа]|уг\.|пересечени[ея])", re.IGNORECASE)
_MAX_NAME_WORDS = 3
_STREET_PREPOSITIONS = {"по", "на"}


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """An address found in a message, with its span; `strong` when street or house words mark it."""

    text: str
    start: int
    end: int
    strong: bool


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "num", "street", "house" or "word"
    text: str
    start: int
    end: int


def match_address(text: str, expecting: bool = False) -> AddressMatch | None:
    """The address with its span, so callers can keep its numbers out of size and city search."""
    label = _after_label(text)
    if label is not None:
        return label
    for sentence in _SENTENCE_RE.finditer(text):
        found = _marked_address(text, sentence.start(), sentence.end())
        if found is not None:
            return found
    if expecting:
        return _free_form(text)
    return None


def _after_label(text: str) -> AddressMatch | None:
    """ "Адрес: Абая 150" or "поменяйте адрес на Абая 150": everything after the label."""
    label = _LABEL_RE.search(text)
    if label is None:
        return None
    sentence_end = next(_SENTENCE_RE.finditer(text, label.end()), None)
    end = sentence_end.end() if sentence_end else len(text)
    if not re.search(r"\d", text[label.end() : end]):
        return None
    return _make(text, label.end(), end, strong=True)


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text, start, end):
        raw = match.group(0)
        word = raw.lower().rstrip(".")
        if match.group("num"):
            kind = "num"
        elif word in _STREET_WORDS:
            kind = "street"
        elif word in _HOUSE_WORDS:
            kind = "house"
        else:
            kind = "word"
        tokens.append(_Token(kind, raw, match.start(), match.end()))
    return tokens


def _marked_address(text: str, start: int, end: int) -> AddressMatch | None:
    """The first run of comma parts that street or house words mark, within one sentence."""
    parts = [(m.start(), m.end(), _tokens(text, m.start(), m.end()))
             for m in _PART_RE.finditer(text, start, end)]  # fmt: skip
    for i, (_, _, tokens) in enumerate(parts):
        markers = [j for j, t in enumerate(tokens) if t.kind in {"street", "house"}]
        first_marker = markers[0] if markers else None
        if first_marker is None:
            continue
        begin = _address_start(tokens, first_marker)
        if begin is None:
            continue
        run_start = tokens[begin].start
        previous = parts[i - 1] if i > 0 else None
        if begin == 0 and previous is not None and previous[2]:
            before = previous[2]
            numbered_name = (
                len(before) == 1
                and before[0].kind == "word"
                and _NUMBERED_NAME_RE.search(before[0].text) is not None
            )  # "Жетысу-2, 15 дом"
            if (
                _is_bare_street(before)
                or numbered_name
                or _CORNER_RE.search(text, previous[0], previous[1])
            ):
                run_start = before[0].start
        run_end = _address_end(tokens)
        for _, _, following in parts[i + 1 :]:
            if not following or following[0].kind not in {"house", "num", "street"}:
                break
            marked = any(t.kind in {"house", "street"} for t in following)
            if not (marked or _is_house_number(following)):
                break
            run_end = _address_end(following)
        return _make(text, run_start, run_end, strong=True)
    return None


def _address_start(tokens: list[_Token], marker: int) -> int | None:
    """Where the address begins around its first marker word, or None if the marker is not one.

    "3 мкр" starts at the number; "Абая 150 кв 12" starts at the street name before the house
    number; a marker needs a number or a name after it ("кв" alone is not an address).
    """
    token = tokens[marker]
    after = tokens[marker + 1 :]
    before = tokens[marker - 1] if marker > 0 else None
    numbered = before is not None and (
        before.kind == "num" or _NUMBERED_NAME_RE.search(before.text) is not None
    )
    word = token.text.lower().rstrip(".")
    if token.kind == "street" and word in _NUMBERED_AREA_WORDS and numbered:
        return _with_names(tokens, marker - 1)  # "12 мкр", "Аксай 4 мкр", "Аксай-4 мкр"
    if not after and not (token.kind == "house" and before is not None and before.kind == "num"):
        return None  # "кв" alone is no address; "25 дом", "13 кв" are
    if after and after[0].kind not in {"num", "word", "street"}:
        return None
    if token.kind == "street":
        return marker
    if (not after or after[0].kind != "num") and not (before is not None and before.kind == "num"):
        return None
    begin = marker
    numbered = begin > 0 and _NUMBERED_NAME_RE.search(tokens[begin - 1].text) is not None
    if begin > 0 and (tokens[begin - 1].kind == "num" or numbered):
        begin -= 1
        names = int(numbered)
        while begin > 0 and tokens[begin - 1].kind == "word" and names < _MAX_NAME_WORDS:
            word = tokens[begin - 1].text
            if not _can_be_street_name(word) or (names and find_city(word) is not None):
                break  # "алматы абая 150": the city before the street ("Сатпаева 30" is one)
            begin -= 1
            names += 1
    return begin


def _with_names(tokens: list[_Token], number: int) -> int:
    """Start at the name words before a microdistrict's number ("Аксай 4 мкр"), if any."""
    begin = number
    if tokens[number].kind == "num":
        while (
            begin > 0
            and number - begin < _MAX_NAME_WORDS
            and tokens[begin - 1].kind == "word"
            and _can_be_street_name(tokens[begin - 1].text)
            and find_city(tokens[begin - 1].text) is None
        ):
            begin -= 1
    return begin


def _is_house_number(tokens: list[_Token]) -> bool:
    """A comma part that is only a house and flat number: "25-13", "58/3", "34а"."""
    return 0 < len(tokens) <= 2 and all(
        t.kind == "num" and re.search(r"[/-]|\d[^\W\d_]$", t.text) for t in tokens
    )


def _address_end(tokens: list[_Token]) -> int:
    """End of the last token that belongs to an address: a number, a marker, or a name that
    directly follows a street word ("ЖК Есентай Парк")."""
    end = tokens[0].end
    in_name = False
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.lower() in _STREET_PREPOSITIONS and i > 0:
            names = tokens[i + 1 :]
            if 0 < len(names) <= _MAX_NAME_WORDS and all(t.kind == "word" for t in names):
                return names[-1].end  # "кв 38, дом 12 по Абая": the street comes last

        if token.kind in {"num", "house", "street"}:
            end = token.end
            in_name = token.kind == "street"
        elif in_name:
            end = token.end
        else:
            in_name = False
    return end


def _is_bare_street(tokens: list[_Token]) -> bool:
    """ "Абая 150": one to three name words and a house number, nothing else."""
    return (
        1 < len(tokens) <= _MAX_NAME_WORDS + 1
        and tokens[-1].kind == "num"
        and all(t.kind == "word" and _can_be_street_name(t.text) for t in tokens[:-1])
    )


def _can_be_street_name(word: str) -> bool:
    folded = word.lower().rstrip(".")
    if folded in _STOP_WORDS or len(folded) < 2:
        return False
    if not is_known_word(folded):
        return True  # guessed parses of Kazakh street names ("Самал") are no evidence
    return morph().parse(folded)[0].tag.POS not in _STOP_POS


def _free_form(text: str) -> AddressMatch | None:
    """When the address was just asked for: a bare street and number, or any line with a number
    (or a street corner, "Абая/Байзакова угол") that does not look like a size, price or question.
    """
    for sentence in _SENTENCE_RE.finditer(text):
        for part in _PART_RE.finditer(text, sentence.start(), sentence.end()):
            tokens = _tokens(text, part.start(), part.end())
            if _is_bare_street(tokens):
                return _make(text, tokens[0].start, sentence.end(), strong=False)
    if _NOT_ADDRESS_RE.search(text) or not (re.search(r"\d", text) or _CORNER_RE.search(text)):
        return None
    if not re.search(r"[^\W\d_]{3,}", text):
        return None
    return _make(text, 0, len(text), strong=False)


def _make(text: str, start: int, end: int, strong: bool) -> AddressMatch | None:
    """Trim fillers and punctuation around the span; collapse whitespace."""
    raw = text[start:end]
    filler = _FILLER_RE.match(raw)
    if filler:
        start += filler.end()
        raw = text[start:end]
    stripped = raw.strip(" \t\n,.:;-—)(")
    if not stripped or not re.search(r"\d|[^\W\d_]{3,}", stripped):
        return None
    start += raw.index(stripped)
    end = start + len(stripped)
    return AddressMatch(re.sub(r"\s+", " ", stripped), start, end, strong)
