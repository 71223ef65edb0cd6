"""Russian word machinery shared by product lookup, colour lookup and the catalog merge.

Customers inflect ("ботильонов"), misspell and switch scripts ("botilony", "шанель"), so every
comparison of free text with shop data goes through the same lemmatiser and transliteration.
pymorphy3 costs ~0.1-0.3 s to build, so one analyzer serves the whole process and every
lemmatisation is cached: shop vocabularies are small and customers repeat themselves.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import pymorphy3

from ottenok.normalize import fold

_WORD_RE = re.compile(r"[0-9a-zа-я]+")
_APOSTROPHE_RE = re.compile("['’`ʼ]")
_LATIN_RE = re.compile(r"^[a-z]+$")
_CYRILLIC_RE = re.compile(r"[а-я]")

_morph: pymorphy3.MorphAnalyzer | None = None
_morph_lock = threading.Lock()


def morph() -> pymorphy3.MorphAnalyzer:
    """The process-wide analyzer, built on first use (thread-safe: lookups run in threads too)."""
    global _morph
    if _morph is None:
        with _morph_lock:
            if _morph is None:
                _morph = pymorphy3.MorphAnalyzer()
    return _morph


def words(text: str) -> list[str]:
    """Folded word forms of the text: letters and digits; hyphens and punctuation split words,
    apostrophes do not ("Tod's" → "tods", as customers type it)."""
    return _WORD_RE.findall(_APOSTROPHE_RE.sub("", fold(text)))


def is_latin(word: str) -> bool:
    return bool(_LATIN_RE.match(word))


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC_RE.search(fold(text)))


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The most likely dictionary form of one folded word; Latin words and numbers pass as is."""
    word = fold(word)
    if not _CYRILLIC_RE.search(word):
        return word
    return fold(morph().parse(word)[0].normal_form)


_NOMINAL_POS = frozenset({"NOUN", "ADJF", "ADJS", "PRTF", None})


@lru_cache(maxsize=65536)
def lemma_set(word: str, nominal_only: bool = False) -> frozenset[str]:
    """Every dictionary form pymorphy3 considers, plus the word itself.

    Unknown words ("лоферы", "ботильоны") get guessed parses whose first lemma differs between
    word forms; comparing sets of candidates makes "лоферов" meet "Лоферы" anyway.
    `nominal_only` keeps noun and adjective readings: a product called "Дала" must not be
    indexed under the verb "дать".
    """
    word = fold(word)
    if not _CYRILLIC_RE.search(word):
        return frozenset((word,))
    parses = morph().parse(word)
    if nominal_only:
        parses = [p for p in parses if p.tag.POS in _NOMINAL_POS]
    return frozenset({word, *(fold(p.normal_form) for p in parses)})


@lru_cache(maxsize=65536)
def is_known_word(word: str) -> bool:
    """Whether the dictionary knows the word (guessed parses mean a brand, slang or a typo)."""
    return morph().word_is_known(fold(word))


@lru_cache(maxsize=8192)
def inflections(word: str) -> frozenset[str]:
    """Every inflected form of one word, folded, the word included.

    A dictionary word keeps only its most likely reading ("часы" must not take in "часа", an
    hour); a word pymorphy3 only guesses ("угги") takes every guess, as none is reliable.
    """
    word = fold(word)
    if not _CYRILLIC_RE.search(word):
        return frozenset((word,))
    parses = morph().parse(word)
    if morph().word_is_known(word):
        return frozenset({word, *(fold(f.word) for f in parses[0].lexeme)})
    return frozenset({word, *(fold(f.word) for p in parses for f in p.lexeme)})


def tokens(text: str) -> list[str]:
    """Lemmatised, ё-folded words of the text: the unit every matcher compares."""
    return [lemma(w) for w in words(text)]


_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip

# Longest first: digraphs of both Russian transliteration ("zh", "shch") and English spelling
# ("ei" in Weitzman, "oo", "ee"), so brand names and translit folder names both come out close.
_TO_CYRILLIC = sorted(
    {
        "shch": "щ", "sch": "ш", "tch": "ч", "zh": "ж", "kh": "х", "ch": "ч", "sh": "ш",
        "ts": "ц", "tz": "ц", "yu": "ю", "ya": "я", "yo": "ё",
        "ye": "е", "ph": "ф", "th": "т", "ck": "к", "ee": "и", "oo": "у", "ou": "у", "ei": "ай",
        "ey": "ей", "ay": "ай", "oy": "ой", "iy": "ий", "yy": "ый", "qu": "кв", "gh": "г",
        "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х",
        "i": "и", "j": "дж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
        "q": "к", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "кс",
        "y": "ы", "z": "з",
    }.items(),
    key=lambda kv: -len(kv[0]),
)  # fmt: skip
_TO_CYRILLIC_RE = re.compile("|".join(re.escape(k) for k, _ in _TO_CYRILLIC))
_TO_CYRILLIC_MAP = dict(_TO_CYRILLIC)
_SOFT_C_RE = re.compile(r"c(?=[eiy])")
# English "magic e": Kate, Nike, tote, Luke read "кейт", "найк", "тоут", "люк".
_MAGIC_E_RE = re.compile(r"([aiou])([b-df-hj-np-tv-z])e\b")
_MAGIC_E_VOWELS = {"a": "ей", "i": "ай", "o": "оу", "u": "ю"}  # the rest maps letter by letter
_WORD_FINAL_Y_AFTER_VOWEL_RE = re.compile(r"(?<=[аеиоуэюя])ы\b")
# English silent final "e" after two consonants ("force", "Converse" read "форс", "конверс").
_SILENT_E_RE = re.compile(r"(?<=[b-df-hj-np-tv-z][b-df-hj-np-tv-z])e\b")


def to_latin(text: str) -> str:
    """Simple Russian-to-Latin transliteration ("ботильоны" → "botilony"), as shops name folders."""
    return "".join(_TO_LATIN.get(ch, ch) for ch in fold(text))


def to_cyrillic(text: str) -> str:
    """Rough Latin-to-Russian reading ("botilony" → "ботилоны", "chanel" → "чанел").

    It never needs to be right, only close enough for fuzzy matching against shop words.
    """
    text = _SOFT_C_RE.sub("s", fold(text))
    text = _MAGIC_E_RE.sub(lambda m: _MAGIC_E_VOWELS[m.group(1)] + m.group(2), text)
    text = _SILENT_E_RE.sub("", text)
    text = _TO_CYRILLIC_RE.sub(lambda m: _TO_CYRILLIC_MAP[m.group(0)], text)
    return _WORD_FINAL_Y_AFTER_VOWEL_RE.sub("й", text)


# Russian as customers type it in Latin letters ("da konechno", "davaite oformim", "spasibo"):
# the common digraphs, then letter by letter; "y" is "й" after a vowel, "ы" elsewhere.
_RUSSIAN_DIGRAPHS = {
    "shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ch": "ч", "sh": "ш", "ts": "ц", "yu": "ю",
    "ya": "я", "yo": "ё", "ye": "е", "ju": "ю", "ja": "я", "'": "ь",
}  # fmt: skip
_RUSSIAN_DIGRAPHS_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(_RUSSIAN_DIGRAPHS, key=len, reverse=True))
)
_LATIN_Y_AFTER_VOWEL_RE = re.compile(r"(?<=[aeiou])y|(?<=[aeou])i(?![aeiou])")


def russian_from_latin(text: str) -> str:
    """Russian typed in Latin letters read back in Cyrillic ("davaite oformim" → "давайте
    оформим"); other text comes back unchanged apart from case. Unlike `to_cyrillic`, no English
    spelling rules: this reads Russian words, not brand names."""
    text = _LATIN_Y_AFTER_VOWEL_RE.sub("й", fold(text))
    text = _RUSSIAN_DIGRAPHS_RE.sub(lambda m: _RUSSIAN_DIGRAPHS[m.group(0)], text)
    return "".join(
        _TO_CYRILLIC_MAP.get(ch, ch) if ch.isascii() and ch.isalpha() else ch for ch in text
    )


# Kazakh endings, folded to Russian letters as text is: a personal ending ("-мын": I am), then
# a case ending ("Алматыдан", "етікті"), then the plural ("етіктер"); each is optional.
_KAZAKH_PERSONAL = ("мын", "мин", "пын", "пин", "бын", "бин", "сын", "син", "мыз", "миз", "быз",
                    "биз")  # fmt: skip
_KAZAKH_CASES = ("дан", "ден", "тан", "тен", "нан", "нен", "нын", "нин", "дын", "дин", "тын",
                 "тин", "га", "ге", "ка", "ке", "да", "де", "та", "те", "на", "не", "ды", "ди",
                 "ты", "ти", "ны", "ни")  # fmt: skip
_KAZAKH_PLURALS = ("лар", "лер", "дар", "дер", "тар", "тер")


def kazakh_stems(word: str, min_stem: int = 3) -> set[str]:
    """The word without Kazakh endings, every way they may be cut ("Қарағандыданмын" →
    "караганды", "етіктер" → "етик"), keeping at least `min_stem` letters; empty when none fit.
    pymorphy3 reads only Russian, so Kazakh forms of city and product words are cut by hand."""
    layer = {word}
    for endings in (_KAZAKH_PERSONAL, _KAZAKH_CASES, _KAZAKH_PLURALS):
        layer |= {
            base[: -len(ending)]
            for base in layer
            for ending in endings
            if base.endswith(ending) and len(base) - len(ending) >= min_stem
        }
    return layer - {word}


_SKELETON_STEPS = (("kh", "h"), ("ck", "k"), ("ph", "f"), ("w", "v"), ("y", "i"), ("j", "i"))
_DOUBLE_RE = re.compile(r"(.)\1+")


def latin_skeleton(word: str) -> str:
    """A spelling-insensitive Latin key: "Айна", "aina" and "ayna" all become "aina".

    Transliteration has no single standard (й → y/i/j, х → kh/h), so folder names and
    customers' Latin typing are compared on this key before any fuzzy matching.
    """
    text = to_latin(word) if has_cyrillic(word) else fold(word)
    for old, new in _SKELETON_STEPS:
        text = text.replace(old, new)
    return _DOUBLE_RE.sub(r"\1", text)


_VOWELS_RE = re.compile("[аеиоуыэюяйьъ]")


def consonant_skeleton(word: str) -> str:
    """The consonants of a word read in Cyrillic: "джейдон", "jadon" → "дждн".

    Customers hear brand and model names and spell the vowels as they hear them
    ("вайцмен", "мартенсы"); the consonants survive. Lossy, so only a last resort.
    """
    text = fold(word) if has_cyrillic(word) else to_cyrillic(word)
    return _DOUBLE_RE.sub(r"\1", _VOWELS_RE.sub("", text))
