"""Delivery city recognition: a gazetteer of Kazakhstan's cities plus a few foreign ones.

Customers name a city in any case ("из Шымкента", "в Караганду", "по Алмате"), in Kazakh
("Өскемен", "Қарағанды"), in Latin ("Almaty"), by an old name ("Целиноград", "Капшагай") or
with a typo ("Усть-Каменагорск"). The canonical Russian name is what the order keeps. Foreign
cities are recognised too, so the reply can say that we deliver only within Kazakhstan instead
of asking for the city again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ottenok.morphology import is_known_word, kazakh_stems, lemma_set
from ottenok.normalize import fold, fold_letters

# Canonical Russian name, then every other spelling a customer may use (Kazakh, Latin, old
# names, nicknames). Kazakh letters need not be listed separately: text is folded to Russian
# letters first, so "Қарағанды" and "Караганды" are the same key.
KAZAKHSTAN_CITIES: dict[str, tuple[str, ...]] = {
    "Алматы": ("алма-ата", "алмата", "алма ата", "almaty", "alma-ata", "alma ata", "almata"),
    "Астана": (
        "нур-султан", "нурсултан", "нур султан", "целиноград", "акмола", "акмолинск",
        "astana", "nur-sultan", "nursultan",
    ),
    "Шымкент": ("чимкент", "shymkent", "chimkent", "shimkent"),
    "Караганда": ("караганды", "karaganda", "karagandy", "qaragandy"),
    "Актобе": ("актюбинск", "aktobe", "aqtobe", "aktyubinsk"),
    "Тараз": ("джамбул", "аулие-ата", "taraz"),
    "Павлодар": ("pavlodar",),
    "Усть-Каменогорск": (
        "оскемен", "усть каменогорск", "устькаменогорск", "усть-ка", "ust-kamenogorsk",
        "ust kamenogorsk", "oskemen", "öskemen",
    ),
    "Семей": ("семипалатинск", "семск", "semey", "semei", "semipalatinsk"),
    "Атырау": ("гурьев", "atyrau"),
    "Костанай": ("кустанай", "kostanay", "kostanai", "qostanay"),
    "Кызылорда": ("кызыл-орда", "кзыл-орда", "кызыл орда", "kyzylorda", "qyzylorda"),
    "Уральск": ("орал", "uralsk", "oral"),
    "Петропавловск": ("петропавл", "кызылжар", "petropavlovsk", "petropavl"),
    "Актау": ("aktau", "aqtau"),
    "Темиртау": ("temirtau",),
    "Туркестан": ("туркистан", "turkestan", "turkistan"),
    "Кокшетау": ("кокчетав", "kokshetau", "kokchetav"),
    "Талдыкорган": ("талды-курган", "талдык", "taldykorgan", "taldyqorgan"),
    "Экибастуз": ("екибастуз", "ekibastuz"),
    "Рудный": ("rudny", "rudnyy"),
    "Жезказган": ("джезказган", "zhezkazgan", "jezkazgan"),
    "Конаев": ("капшагай", "капчагай", "konaev", "kapshagay", "kapchagay"),
    "Жанаозен": ("новый узень", "zhanaozen"),
    "Балхаш": ("балкаш", "balkhash"),
    "Сатпаев": ("сатбаев", "satpayev", "satpaev"),
    "Кентау": ("kentau",),
    "Каскелен": ("kaskelen",),
    "Талгар": ("talgar",),
    "Риддер": ("лениногорск", "ridder"),
    "Степногорск": ("stepnogorsk",),
    "Щучинск": ("щучье", "shchuchinsk"),
    "Аксу": ("ермак", "aksu"),
    "Байконур": ("байконыр", "baikonur", "baikonyr"),
    "Кульсары": ("кулсары", "kulsary"),
    "Сарань": ("saran",),
    "Шахтинск": ("shakhtinsk",),
    "Лисаковск": ("lisakovsk",),
    "Аркалык": ("arkalyk",),
    "Житикара": ("zhitikara",),
    "Аягоз": ("аягуз", "ayagoz"),
    "Жаркент": ("zharkent",),
    "Есик": ("esik",),
    "Сарыагаш": ("saryagash",),
    "Арыс": ("арысь", "arys"),
    "Текели": ("tekeli",),
    "Хромтау": ("khromtau",),
    "Кандыагаш": ("кандагач", "kandyagash"),
    "Аральск": ("арал", "aralsk"),
    "Уштобе": ("ushtobe",),
    "Алтай": ("зыряновск", "zyryanovsk"),
    "Косшы": ("kosshy",),
    "Атбасар": ("atbasar",),
}  # fmt: skip

FOREIGN_CITIES: dict[str, tuple[str, ...]] = {
    "Москва": ("мск", "moscow", "moskva"),
    "Санкт-Петербург": ("питер", "спб", "петербург", "saint petersburg", "spb"),
    "Новосибирск": ("новосиб", "novosibirsk"),
    "Омск": ("omsk",),
    "Екатеринбург": ("екб", "ekaterinburg"),
    "Казань": ("kazan",),
    "Самара": ("samara",),
    "Оренбург": ("orenburg",),
    "Челябинск": ("chelyabinsk",),
    "Барнаул": ("barnaul",),
    "Бишкек": ("фрунзе", "bishkek"),
    "Ош": (),
    "Ташкент": ("tashkent",),
    "Самарканд": ("samarkand",),
    "Душанбе": ("dushanbe",),
    "Ашхабад": ("ashgabat",),
    "Баку": ("baku",),
    "Тбилиси": ("tbilisi",),
    "Ереван": ("yerevan",),
    "Минск": ("minsk",),
    "Киев": ("kiev", "kyiv"),
    "Стамбул": ("istanbul",),
    "Дубай": ("дубаи", "dubai"),
    "Урумчи": ("urumqi",),
    "Россия": ("рф", "russia"),
    "Кыргызстан": ("киргизия", "kyrgyzstan"),
    "Узбекистан": ("uzbekistan",),
}  # fmt: skip

# Case endings stripped to compare inflected and dictionary forms of names pymorphy3 does not
# know ("Алмате" and "Алматы" share "алмат"). Longest first.
_ENDINGS = ("ами", "ями", "ом", "ем", "ой", "ей", "ах", "ях", "ов", "ев", "ую", "а", "я", "ы",
            "и", "у", "ю", "е", "о", "й", "ь")  # fmt: skip
_MIN_STEM = 4
_REGION_WORDS = ("обл", "облыс", "район", "р-н")
_FUZZY_MIN_LEN = 7
_FUZZY_SCORE = 85
# Short names take one typo at most, and never in the first letter ("алмыты" is Алматы).
_SHORT_FUZZY_MIN_LEN = 5
_WORD_RE = re.compile(r"[a-zа-я0-9]+(?:-[a-zа-я0-9]+)*")


@dataclass(frozen=True, slots=True)
class CityMatch:
    """A city named in a message; `is_kazakhstan` False means we cannot deliver there."""

    name: str
    is_kazakhstan: bool
    start: int = 0
    end: int = 0


def fold_kazakh(text: str) -> str:
    """`fold_letters` plus the Latin "ö" of "Öskemen" (offsets still fit the text)."""
    return fold_letters(text).replace("ö", "o")


def stem(word: str) -> str:
    """The word without one case ending, if at least four letters stay."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    is_kazakhstan: bool
    words: int  # how many text words the spelling spans


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, _Entry], dict[str, _Entry]]:
    """Exact keys (spellings, their stems and lemmas) and the long keys allowed for typos."""
    exact: dict[str, _Entry] = {}
    fuzzy: dict[str, _Entry] = {}
    for table, domestic in ((KAZAKHSTAN_CITIES, True), (FOREIGN_CITIES, False)):
        for name, spellings in table.items():
            for spelling in (name, *spellings):
                key = " ".join(_WORD_RE.findall(fold_kazakh(spelling)))
                entry = _Entry(name, domestic, key.count(" ") + 1)
                for variant in {key, stem(key)}:
                    exact.setdefault(variant, entry)
                if len(key) >= _SHORT_FUZZY_MIN_LEN and domestic and " " not in key:
                    fuzzy.setdefault(stem(key), entry)
    return exact, fuzzy


def _keys(word: str) -> set[str]:
    """Forms of a text word to look up: itself, its stem and its pymorphy3 lemmas."""
    keys = {word, stem(word)} | kazakh_stems(word, _MIN_STEM)
    if not word.isascii():
        keys |= {fold(lemma) for lemma in lemma_set(word)}
    return keys


def find_cities(text: str) -> list[CityMatch]:
    """Every city named in the text, in order of appearance (spans refer to `text`)."""
    exact, fuzzy = _index()
    folded = fold_kazakh(text)
    spans = [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(folded)]
    found: list[CityMatch] = []
    i = 0
    while i < len(spans):
        match = _match_at(spans, i, exact, fuzzy)
        if match is None:
            i += 1
            continue
        entry, used = match
        if i + used < len(spans) and spans[i + used][0].startswith(_REGION_WORDS):
            i += used + 1  # "Алматы область, Талгар": the region, not the city
            continue
        start, end = spans[i][1], spans[i + used - 1][2]
        found.append(CityMatch(entry.name, entry.is_kazakhstan, start, end))
        i += used
    return found


def _match_at(
    spans: list[tuple[str, int, int]], i: int, exact: dict[str, _Entry], fuzzy: dict[str, _Entry]
) -> tuple[_Entry, int] | None:
    """The longest spelling starting at word i: two-word names first, then hyphen-joined ones."""
    if i + 1 < len(spans):
        pair = f"{spans[i][0]} {spans[i + 1][0]}"
        for key in (pair, stem(pair), pair.replace(" ", "-"), stem(pair.replace(" ", "-"))):
            if key in exact:
                return exact[key], 2
    word = spans[i][0]
    if word.isdigit():
        return None
    for key in _keys(word):
        if key in exact and exact[key].words == 1:
            return exact[key], 1
    if len(word) < _SHORT_FUZZY_MIN_LEN or is_known_word(word):
        return None
    if len(word) >= _FUZZY_MIN_LEN:
        long_keys = [k for k in fuzzy if len(k) >= _FUZZY_MIN_LEN - 1]
        best = process.extractOne(
            stem(word), long_keys, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE
        )
        return (fuzzy[best[0]], 1) if best is not None else None
    short = stem(word)
    close = {
        fuzzy[key].name: fuzzy[key]
        for key in fuzzy
        if key[0] == short[0]
        and abs(len(key) - len(short)) <= 1
        and Levenshtein.distance(short, key, score_cutoff=1) <= 1
    }
    return (next(iter(close.values())), 1) if len(close) == 1 else None


def find_city(text: str) -> CityMatch | None:
    """The city the customer means: the first Kazakhstan city, else the first foreign one."""
    matches = find_cities(text)
    domestic = [m for m in matches if m.is_kazakhstan]
    return (domestic or matches or [None])[0]
