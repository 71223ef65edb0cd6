"""Find the shop's colours in a customer's message, however the customer writes them.

Customers inflect ("в бордовом цвете", "черную"), use diminutives ("беленькие", "бежевенькие"),
shorten ("беж", "бордо"), switch to English ("black", "nude"), to Kazakh ("қара", "ақ", "кызыл")
or to Latin transliteration ("chernye", "bezhevye"), misspell ("бардовые", "чорные"), glue words
to numbers ("бежевые37") and name shades ("цвета шампань", "пудровые"). The answer is always one
of the shop's own colour names, so slots and stock queries compare like with like.

One `ColorLexicon` per shop serves the slot filler, the product matcher and the photo index: build
it with `ColorLexicon.for_catalog`. Its words come, by priority, from the shop's own colour names,
the shop's synonym table (`DATA_DIR/colors.yaml`: shop colour → extra words), and the general
table in `ottenok.color_words`. Whatever the source, a word only ever leads to a colour the shop
sells: a synonym for a colour the shop does not have is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from ottenok.color_words import EQUIVALENTS, KAZAKH, KAZAKH_ENDINGS, NOT_COLORS, SHADES
from ottenok.morphology import (
    has_cyrillic,
    inflections,
    is_known_word,
    is_latin,
    latin_skeleton,
    lemma,
    lemma_set,
    to_latin,
    words,
)
from ottenok.normalize import fold_letters, normalize_color, unglue

if TYPE_CHECKING:
    from ottenok.catalog import Catalog


def generic_colors() -> list[str]:
    """Every colour known by name, the shop's or not: the output guard must notice a reply
    that names a colour the shop's facts never gave, whichever colour it is."""
    return [group[0] for group in EQUIVALENTS]


_DIMINUTIVE_SUFFIXES = ("енький", "онький")
_ADJECTIVE_ENDINGS = ("ый", "ий", "ой")
_FUZZY_MIN_WORD = 6
_FUZZY_MIN_SCORE = 85
_SKELETON_MIN_WORD = 5
_LATIN_MIN_WORD = 4
_CACHE_SIZE = 20_000
_TOKEN_RE = re.compile(r"[0-9a-zа-я]+(?:-[0-9a-zа-я]+)*")
_PART_RE = re.compile(r"[0-9a-zа-я]+")
_VOWELS_RE = re.compile("[аеиоуыэюяй]+")
_DOUBLE_RE = re.compile(r"(.)\1+")

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ColorMention:
    """A shop colour the customer named: `said` is their word; `approximate` when it is the
    nearest colour the shop has rather than the one named (a shade the shop does not sell)."""

    color: str
    said: str
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class _Target:
    color: str
    approximate: bool = False
    whole_word: bool = False  # Kazakh words: never a part of a hyphenated name ("Ак-Жол")


_NOT_A_COLOR = _Target("")


@dataclass(frozen=True, slots=True)
class _Token:
    word: str
    start: int
    end: int
    in_compound: bool


def _key(phrase: str) -> Key:
    return tuple(lemma(w) for w in words(phrase))


@lru_cache(maxsize=65536)
def _latin_key(form: str) -> str:
    """A Russian word form as customers type it in Latin, spelling-insensitive."""
    return latin_skeleton(to_latin(form))


@lru_cache(maxsize=65536)
def _vowel_skeleton(word: str) -> str:
    """The word with every vowel run as one '*': "чорные" and "черные" both read "ч*рн*"."""
    return _VOWELS_RE.sub("*", _DOUBLE_RE.sub(r"\1", word))


class ColorLexicon:
    """Every way of saying each of the shop's colours, indexed once for fast lookups."""

    def __init__(
        self, colors: Iterable[str], synonyms: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        self.colors: list[str] = list(
            dict.fromkeys(c for c in (normalize_color(x) for x in colors) if c)
        )
        self._by_key: dict[Key, _Target] = {}
        # Colours of the shop's synonym table that the shop does not sell (`check-shop` says so).
        self.ignored_synonyms: list[str] = []
        self._build(synonyms or {})
        self._max_len = max((len(k) for k in self._by_key), default=0)
        self._fuzzy_choices = sorted(
            {k[0] for k in self._by_key if len(k) == 1 and has_cyrillic(k[0]) and len(k[0]) >= 5}
        )
        self._latin: dict[str, Key] = {}
        self._skeletons: dict[str, Key | None] = {}
        self._index_spellings()
        self._latin_by_letter: dict[str, list[str]] = {}
        for spelling in self._latin:
            self._latin_by_letter.setdefault(spelling[0], []).append(spelling)
        self._word_cache: dict[tuple[str, bool], _Target | None] = {}
        self._ignored: frozenset[str] = frozenset()

    def ignore_words(self, spellings: Iterable[str]) -> None:
        """Words that are never a colour here: the shop's brand and model names ("Metallic",
        "Пазолини"), unless one exactly names a colour the shop sells."""
        exact = {key[0] for key, target in self._by_key.items() if not target.approximate}
        self._ignored = frozenset(w for w in spellings if w not in exact)
        self._word_cache.clear()

    @classmethod
    def for_catalog(
        cls, catalog: Catalog, synonyms: Mapping[str, Iterable[str]] | None = None
    ) -> ColorLexicon:
        """The lexicon of every colour the shop sells (the inventory's, else the documents')."""
        colors: dict[str, None] = {}
        for product_id in catalog.products:
            colors.update(dict.fromkeys(catalog.colors(product_id)))
        return cls(colors, synonyms)

    # ---------------------------------------------------------------- queries

    def find(self, text: str) -> list[str]:
        """The shop colours mentioned in the text, in order of appearance, without repeats."""
        return list(dict.fromkeys(m.color for m in self.mentions(text)))

    def mentions(self, text: str) -> list[ColorMention]:
        """Every colour mention in the text, in order, with the words that named it."""
        text = unglue(text)
        tokens = _tokens(text)
        found = []
        i = 0
        while i < len(tokens):
            target, used = self._match_at(tokens, i)
            if target is not None and target is not _NOT_A_COLOR:
                said = text[tokens[i].start : tokens[i + used - 1].end]
                found.append(ColorMention(target.color, said, target.approximate))
            i += used
        return found

    def is_color_word(self, word: str) -> bool:
        """Whether one word names a shop colour (the product matcher must not read it as a
        misspelt product word: "chernye" is no "vecherniy")."""
        target = self._single_word(_Token(fold_letters(word), 0, 0, False))
        return target is not None and target is not _NOT_A_COLOR

    # ---------------------------------------------------------------- matching

    def _match_at(self, tokens: list[_Token], i: int) -> tuple[_Target | None, int]:
        """The colour starting at token i (longest phrase first) and how many tokens it used."""
        for length in range(min(self._max_len, len(tokens) - i), 1, -1):
            phrase = tokens[i : i + length]
            target = self._by_key.get(tuple(lemma(t.word) for t in phrase)) or self._by_key.get(
                tuple(t.word for t in phrase)
            )
            if target is not None and not (
                target.whole_word and any(t.in_compound for t in phrase)
            ):
                return target, length
        return self._single_word(tokens[i]), 1

    def _single_word(self, token: _Token) -> _Target | None:
        """The colour one word names, cached: customers repeat the same few words."""
        cache_key = (token.word, token.in_compound)
        if cache_key not in self._word_cache:
            if len(self._word_cache) >= _CACHE_SIZE:
                self._word_cache.clear()
            self._word_cache[cache_key] = self._read_word(token)
        return self._word_cache[cache_key]

    def _read_word(self, token: _Token) -> _Target | None:
        word = token.word
        if word in self._ignored:
            return None
        candidates = lemma_set(word)
        for candidate in (word, *candidates):
            target = self._by_key.get((candidate,))
            if target is not None and not (target.whole_word and token.in_compound):
                return target
        for candidate in candidates:
            if target := self._undiminish(candidate):
                return target
        if is_latin(word):
            return self._latin_word(word)
        if not has_cyrillic(word):
            return None
        if len(word) >= _SKELETON_MIN_WORD and not is_known_word(word):
            key = self._skeletons.get(_vowel_skeleton(word))
            if key is not None:
                return self._by_key[key]
        if len(word) >= _FUZZY_MIN_WORD and self._fuzzy_choices:
            best = process.extractOne(
                lemma(word), self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN_SCORE
            )
            if best is not None:
                return self._by_key[(best[0],)]
        return None

    def _latin_word(self, word: str) -> _Target | None:
        """A Russian colour typed in Latin letters: "chernye", "bezhevye", "chornie"."""
        if len(word) < _LATIN_MIN_WORD:
            return None
        key = self._latin.get(latin_skeleton(word))
        if key is None and len(word) >= _FUZZY_MIN_WORD:
            skeleton = latin_skeleton(word)
            same_start = self._latin_by_letter.get(skeleton[0], [])  # "vecherniy" ≠ "cherny"
            best = process.extractOne(
                skeleton, same_start, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN_SCORE
            )
            key = self._latin[best[0]] if best is not None else None
        return self._by_key[key] if key is not None else None

    def _undiminish(self, word: str) -> _Target | None:
        """Diminutives back to the colour: "черненький" → "черный", "голубенький" → "голубой"."""
        for suffix in _DIMINUTIVE_SUFFIXES:
            if word.endswith(suffix):
                stem = word[: -len(suffix)]
                for ending in _ADJECTIVE_ENDINGS:
                    if (stem + ending,) in self._by_key:
                        return self._by_key[(stem + ending,)]
        return None

    # ---------------------------------------------------------------- index

    def _build(self, synonyms: Mapping[str, Iterable[str]]) -> None:
        """Every key, by priority: a key once taken keeps its colour."""
        add = self._by_key.setdefault
        for phrase in NOT_COLORS:
            add(_key(phrase), _NOT_A_COLOR)
        for color in self.colors:  # the shop's own names win over everything else
            add(_key(color), _Target(color))
        own = {_key(color): color for color in self.colors}
        for name, extra in synonyms.items():  # the shop's table, for colours it sells only
            color = own.get(_key(normalize_color(name) or ""))
            if color is None:
                self.ignored_synonyms.append(name)
            for word in extra if color else ():
                add(_key(word), _Target(color))
        groups = [[_key(member) for member in group] for group in EQUIVALENTS]
        for color in self.colors:
            for group in groups:
                if _key(color) in group:
                    for member in group:
                        add(member, _Target(color))
        for color in self.colors:  # "черные" still finds the shop's only "черный лак"
            for word in _key(color):
                for group in groups:
                    if (word,) in group:
                        for member in group:
                            add(member, _Target(color))
        exact = dict(self._by_key)
        self._add_shades(exact, groups)
        self._add_kazakh(exact)

    def _add_shades(self, exact: dict[Key, _Target], groups: list[list[Key]]) -> None:
        """A shade the shop lacks finds its nearest colour the shop has; a plain colour the shop
        lacks finds the shop's shade of it ("розовые?" → the shop's "пудровый")."""

        def members(word: str) -> list[Key]:
            key = _key(word)
            return next((group for group in groups if key in group), [key])

        for shade, nearest in SHADES.items():
            base = next((exact[_key(b)] for b in nearest if _key(b) in exact), None)
            for key in members(shade) if base is not None else ():
                self._by_key.setdefault(key, _Target(base.color, approximate=True))
        for shade, nearest in SHADES.items():
            shop_shade = exact.get(_key(shade))
            if shop_shade is not None and not shop_shade.approximate:
                for key in members(nearest[0]):
                    self._by_key.setdefault(key, _Target(shop_shade.color, approximate=True))

    def _add_kazakh(self, exact: dict[Key, _Target]) -> None:
        for word, nearest in KAZAKH.items():
            found = next(((i, exact[_key(b)]) for i, b in enumerate(nearest) if _key(b) in exact),
                         None)  # fmt: skip
            if found is None:
                continue
            rank, base = found
            target = _Target(base.color, approximate=rank > 0, whole_word=True)
            parts = tuple(word.split())
            forms = {parts[-1]}
            if len(parts[-1]) >= 3:
                forms |= {
                    parts[-1] + ending
                    for ending in KAZAKH_ENDINGS
                    if not is_known_word(parts[-1] + ending)
                }
            for form in forms:
                for spelling in _kazakh_spellings((*parts[:-1], form)):
                    self._by_key.setdefault(spelling, target)

    def _index_spellings(self) -> None:
        """Latin transliterations and vowel skeletons of every inflected form of every
        single-word Cyrillic key, for Latin typing and misspelt vowels."""
        for key in list(self._by_key):
            if len(key) != 1 or not has_cyrillic(key[0]):
                continue
            for form in inflections(key[0]):
                self._latin.setdefault(_latin_key(form), key)
                if len(form) >= _SKELETON_MIN_WORD:
                    skeleton = _vowel_skeleton(form)
                    taken = self._skeletons.get(skeleton, key)
                    same = taken is not None and self._by_key[taken] == self._by_key[key]
                    self._skeletons[skeleton] = taken if same else None  # two colours: no guess


def _kazakh_spellings(key: Key) -> set[Key]:
    """A Kazakh colour as typed in Cyrillic and in Latin letters: "қара" (folded "кара"),
    "kara", "qara"; "жасыл", "zhasyl", "jasyl". Folding lost қ/к, so both Latin letters go."""
    latin = tuple(to_latin(word) for word in key)
    variants = {key, latin}
    for old, new in (("k", "q"), ("zh", "j")):
        variants |= {tuple(word.replace(old, new) for word in v) for v in list(variants)}
    return variants


def _tokens(text: str) -> list[_Token]:
    """Folded words with their spans; parts of hyphenated compounds ("ак-жол") are marked."""
    folded = fold_letters(text)
    found = []
    for compound in _TOKEN_RE.finditer(folded):
        parts = list(_PART_RE.finditer(folded, compound.start(), compound.end()))
        for part in parts:
            found.append(_Token(part.group(0), part.start(), part.end(), len(parts) > 1))
    return found
