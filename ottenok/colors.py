"""Find the shop's colours in a customer's message, however the customer writes them.

Customers inflect ("в бордовом цвете", "черную"), use diminutives ("беленькие"), shorten ("беж",
"бордо"), switch to English ("black", "nude") and misspell ("бардовые"). The answer is always one
of the shop's own colour names, so slots and stock queries compare like with like.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

from ottenok.morphology import has_cyrillic, lemma, lemma_set, words
from ottenok.normalize import normalize_color

# Generic equivalence groups: any member names the same colour. A shop colour that is a member
# of a group (as a lemma) inherits every other member as a way to say it.
_COLOR_GROUPS: tuple[tuple[str, ...], ...] = (
    ("черный", "black"),
    ("белый", "white"),
    ("бежевый", "беж", "beige"),
    ("бордовый", "бордо", "burgundy", "bordeaux", "винный", "wine", "марсала", "marsala"),
    ("коричневый", "brown", "шоколадный", "chocolate"),
    ("красный", "red"),
    ("серый", "grey", "gray"),
    ("синий", "blue"),
    ("темно-синий", "navy", "нэви", "неви"),
    ("голубой", "light blue", "sky blue"),
    ("розовый", "pink"),
    ("золотой", "золотистый", "gold", "golden", "голд"),
    ("серебряный", "серебристый", "серебро", "silver"),
    ("зеленый", "green"),
    ("хаки", "khaki"),
    ("нюдовый", "нюд", "нюдовый", "телесный", "nude"),
    ("молочный", "молочка", "milk", "milky", "айвори", "ivory"),
    ("кремовый", "cream"),
    ("желтый", "yellow"),
    ("оранжевый", "orange"),
    ("фиолетовый", "purple", "violet"),
    ("сиреневый", "лиловый", "lilac"),
    ("мятный", "mint"),
    ("оливковый", "olive"),
    ("леопардовый", "лео", "leopard"),
    ("пудровый", "пудра", "powder"),
    ("песочный", "sand"),
    ("карамельный", "карамель", "caramel"),
    ("коньячный", "коньяк", "cognac"),
    ("кэмел", "кемел", "camel"),
    ("графитовый", "графит", "graphite"),
    ("мультиколор", "multicolor"),
)


def generic_colors() -> list[str]:
    """Every colour known by name, the shop's or not: the output guard must notice a reply
    that names a colour the shop's facts never gave, whichever colour it is."""
    return [group[0] for group in _COLOR_GROUPS]


_DIMINUTIVE_SUFFIXES = ("енький", "онький")
_ADJECTIVE_ENDINGS = ("ый", "ий", "ой")
_FUZZY_MIN_WORD = 6
_FUZZY_MIN_SCORE = 85

Key = tuple[str, ...]


def _key(phrase: str) -> Key:
    return tuple(lemma(w) for w in words(phrase))


class ColorLexicon:
    """Every way of saying each of the shop's colours, indexed once for fast lookups."""

    def __init__(self, colors: Iterable[str]) -> None:
        self.colors: list[str] = list(
            dict.fromkeys(c for c in (normalize_color(x) for x in colors) if c)
        )
        self._by_key: dict[Key, str] = {}
        for color in self.colors:  # the shop's own names win over everything else
            self._by_key.setdefault(_key(color), color)
        groups = [{_key(member) for member in group} for group in _COLOR_GROUPS]
        for color in self.colors:
            for group in groups:
                if _key(color) in group:
                    for member in group:
                        self._by_key.setdefault(member, color)
        generic = set().union(*groups)
        for color in self.colors:  # "черные" still finds the shop's only "черный лак"
            for word in _key(color):
                if (word,) in generic:
                    self._by_key.setdefault((word,), color)
        self._max_len = max((len(k) for k in self._by_key), default=0)
        self._fuzzy_choices = sorted(
            {k[0] for k in self._by_key if len(k) == 1 and has_cyrillic(k[0]) and len(k[0]) >= 5}
        )

    def find(self, text: str) -> list[str]:
        """The shop colours mentioned in the text, in order of appearance, without repeats."""
        found: dict[str, None] = {}
        text_words = words(text)
        i = 0
        while i < len(text_words):
            color, used = self._match_at(text_words, i)
            if color is not None:
                found.setdefault(color, None)
            i += used
        return list(found)

    def _match_at(self, text_words: list[str], i: int) -> tuple[str | None, int]:
        """The colour starting at word i (longest phrase first) and how many words it used."""
        for length in range(min(self._max_len, len(text_words) - i), 1, -1):
            key = tuple(lemma(w) for w in text_words[i : i + length])
            if key in self._by_key:
                return self._by_key[key], length
        return self._single_word(text_words[i]), 1

    def _single_word(self, word: str) -> str | None:
        candidates = lemma_set(word)
        for candidate in candidates:
            if (candidate,) in self._by_key:
                return self._by_key[(candidate,)]
        for candidate in candidates:
            if color := self._undiminish(candidate):
                return color
        if len(word) >= _FUZZY_MIN_WORD and has_cyrillic(word) and self._fuzzy_choices:
            best = process.extractOne(
                lemma(word), self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN_SCORE
            )
            if best is not None:
                return self._by_key[(best[0],)]
        return None

    def _undiminish(self, word: str) -> str | None:
        """Diminutives back to the colour: "черненький" → "черный", "голубенький" → "голубой"."""
        for suffix in _DIMINUTIVE_SUFFIXES:
            if word.endswith(suffix):
                stem = word[: -len(suffix)]
                for ending in _ADJECTIVE_ENDINGS:
                    if (stem + ending,) in self._by_key:
                        return self._by_key[(stem + ending,)]
        return None
