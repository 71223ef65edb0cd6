"""Which of the shop's products does a customer's message (or a photo folder) mean?

Customers write "ботильены вайцмен бардовые", "мартинсы", "лоферы тодс в молочном": inflected,
misspelled, with nicknames and in either script. The matcher indexes, once per catalog, every
way of writing each product's kind word ("ботильоны"), brand (name, document aliases,
nicknames, transliterations) and remaining name words; a query is lemmatised, matched exactly
where possible and fuzzily (rapidfuzz) otherwise, and products are scored by how distinctive the
matched words are (IDF over the catalog). Colours and the product type only break ties.

`best()` answers only when one product clearly wins; a bare "лоферы" in a shop with four pairs
of loafers is a question to ask back, not a guess to make.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from ottenok.catalog import Catalog, Product
from ottenok.catalog_merge import name_key
from ottenok.colors import ColorLexicon
from ottenok.morphology import (
    consonant_skeleton,
    is_known_word,
    is_latin,
    latin_skeleton,
    lemma,
    lemma_set,
    morph,
    to_cyrillic,
    to_latin,
    tokens,
    words,
)
from ottenok.normalize import unglue
from ottenok.product_vocabulary import kind_of_word, kind_synonyms
from ottenok.slots import ProductType

__all__ = ["ProductMatch", "ProductMatcher", "tokens"]

# A kind word's close synonyms ("мокасины" for "Лоферы", see `ottenok.product_vocabulary`) match
# the product at this similarity, below an exact match.
_SYNONYM_SIMILARITY = 0.85
_SKELETON_SIMILARITY = 0.75
_SKELETON_MIN_LEN = 4
_ROLE_ORDER = {"brand": 0, "kind": 1, "model": 2, "word": 3}
_NAME_ROLES = frozenset({"brand", "model"})
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED"})
_SIZE_LIKE_RE = re.compile(r"^(3\d|4\d|50)$")
_CAMEL_RE = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")

_FUZZY_MIN_LEN = 4
_FUZZY_CUTOFF = 80.0
_COLOR_BONUS = 1.0
_TYPE_BONUS = 0.5
_CONFIDENT_MARGIN = 0.75


@dataclass(frozen=True, slots=True)
class ProductMatch:
    """A candidate product for a text: higher `score` is better; `reason` says which words
    matched, for logs and for debugging a wrong answer."""

    product_id: str
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class _Feature:
    """One thing a product can be recognised by: its kind word, its brand, or a name word."""

    product: str
    role: str  # "kind" | "brand" | "model" (a non-dictionary name word) | "word"
    label: str


@dataclass(slots=True)
class _Hit:
    similarity: float
    query_word: str


@dataclass(slots=True)
class _Candidate:
    product: str
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    @property
    def strong(self) -> bool:
        """Enough to name a product: its kind, brand or model name ("Nudist"), or two of its
        other name words (one common word like "классика" could mean anything)."""
        roles = self.roles
        return bool({"kind", "brand", "model"} & set(roles)) or roles.count("word") >= 2

    def as_match(self) -> ProductMatch:
        return ProductMatch(self.product, round(self.score, 3), ", ".join(self.reasons))


class ProductMatcher:
    """Index of the catalog's products by every spelling customers use; build once, query often.

    Building costs a few milliseconds per product (lemmatising); a query costs about a
    millisecond for a 40-product shop and grows slowly (fuzzy search is bucketed by length).
    """

    def __init__(self, catalog: Catalog, colors: ColorLexicon | None = None) -> None:
        self.catalog = catalog
        self.colors = colors or ColorLexicon.for_catalog(catalog)
        self._features: list[_Feature] = []
        self._weights: list[float] = []
        self._strings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._skeletons: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._fuzzy_cache: dict[str, list[tuple[str, float]]] = {}
        self._build(list(catalog.products.values()))
        # Every spelling of the shop's brand and model names ("росси", "metallic"). Such a
        # name is no colour ("Coccinelle Metallic", "Пазолини"), unless it is exactly one of
        # the shop's own colours.
        self._names = frozenset(
            spelling
            for spelling, targets in self._strings.items()
            if any(self._features[index].role in _NAME_ROLES for index, _ in targets)
        )
        self.colors.ignore_words(self._names)

    # ---------------------------------------------------------------- queries

    def find(self, text: str, limit: int = 3) -> list[ProductMatch]:
        """Candidate products for a free-text message, best first (empty if nothing matched)."""
        return [c.as_match() for c in self._rank(words(unglue(text)))[:limit]]

    def best(self, text: str) -> ProductMatch | None:
        """The product the text means, or None unless one product clearly wins."""
        return self._confident(self._rank(words(unglue(text))))

    def match_folder(self, folder_name: str) -> ProductMatch | None:
        """The product a photo folder is named after (`stuart_weitzman_botilony`,
        `Chanel лодочки`, `JimmyChoo_Azia`), None when no product clearly fits."""
        return self._confident(self._rank(words(_CAMEL_RE.sub(" ", folder_name))))

    def is_name_word(self, word: str) -> bool:
        """Whether the word spells one of the shop's brand or model names exactly: then "Росси"
        in "туфли серджио росси" is the brand, not the country."""
        return not self._names.isdisjoint({word, *lemma_set(word), latin_skeleton(word)})

    # ---------------------------------------------------------------- scoring

    def _rank(self, text_words: list[str]) -> list[_Candidate]:
        hits: dict[int, _Hit] = {}
        query_kinds: set[ProductType] = set()
        for word in text_words:
            if not _is_content_word(word):
                continue
            if (kind := kind_of_word(word)) is not None:
                query_kinds.add(kind)
            for feature, similarity in self._attribute(self._match_word(word), hits):
                if feature not in hits or hits[feature].similarity < similarity:
                    hits[feature] = _Hit(similarity, word)

        candidates: dict[str, _Candidate] = {}
        for index, hit in hits.items():
            feature = self._features[index]
            candidate = candidates.setdefault(feature.product, _Candidate(feature.product))
            candidate.score += self._weights[index] * hit.similarity
            candidate.roles.append(feature.role)
            candidate.reasons.append(
                f"{feature.role}:{feature.label}<-{hit.query_word}({hit.similarity:.2f})"
            )
        colors = set(self.colors.find(" ".join(text_words))) if candidates else set()
        for candidate in candidates.values():
            if colors & set(self.catalog.colors(candidate.product)):
                candidate.score += _COLOR_BONUS
                candidate.reasons.append("color")
            product_type = self.catalog.product_type(candidate.product)
            if product_type in query_kinds and "kind" not in candidate.roles:
                candidate.score += _TYPE_BONUS
                candidate.reasons.append(f"type:{product_type}")
        return sorted(candidates.values(), key=lambda c: (-c.score, c.product))

    def _attribute(
        self, matches: list[tuple[int, float]], hits: dict[int, _Hit]
    ) -> list[tuple[int, float]]:
        """One feature per product for one query word: brand before kind before other words,
        skipping features earlier words already matched. So "stuart weitzman" names the brand
        once and does not also count as the model "Stuart"."""
        by_product: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for feature, similarity in matches:
            by_product[self._features[feature].product].append((feature, similarity))
        chosen = []
        for options in by_product.values():
            options.sort(key=lambda o: (_ROLE_ORDER[self._features[o[0]].role], -o[1]))
            fresh = [o for o in options if o[0] not in hits]
            chosen.append(fresh[0] if fresh else options[0])
        return chosen

    @staticmethod
    def _confident(ranked: list[_Candidate]) -> ProductMatch | None:
        if not ranked or not ranked[0].strong:
            return None
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < _CONFIDENT_MARGIN:
            return None
        return ranked[0].as_match()

    def _match_word(self, word: str) -> list[tuple[int, float]]:
        """Features a query word names: exact spellings first; fuzzy only for words the
        dictionary does not know and that name no colour, and only when nothing matched exactly
        (so "ботинки" never drifts to "ботильоны"); consonant skeletons as the last resort."""
        forms = {word, *lemma_set(word), latin_skeleton(word)}
        exact = [hit for form in forms for hit in self._strings.get(form, ())]
        if exact:
            return exact
        if len(word) < _FUZZY_MIN_LEN or word.isdigit() or is_known_word(word):
            return []  # a real word ("стоит") is what it says, not a misspelt "Street"
        if self.colors.is_color_word(word):
            return []  # "chernye" is a colour, not a misspelt "vecherniy"
        candidates = set(forms)
        if is_latin(word):
            candidates |= {to_cyrillic(word), lemma(to_cyrillic(word))}
        else:
            candidates.add(to_latin(word))
        found: list[tuple[int, float]] = []
        for candidate in candidates:
            for string, score in self._fuzzy(candidate):
                found.extend((feature, sim * score) for feature, sim in self._strings[string])
        if not found:
            found = list(self._skeletons.get(consonant_skeleton(word), ()))
        return found

    def _fuzzy(self, candidate: str) -> list[tuple[str, float]]:
        cached = self._fuzzy_cache.get(candidate)
        if cached is not None:
            return cached
        pool = [
            s
            for length in range(len(candidate) - 2, len(candidate) + 3)
            for s in self._by_length.get(length, ())
        ]
        result = [
            (string, score / 100)
            for string, score, _ in process.extract(
                candidate, pool, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=5
            )
        ]
        if len(self._fuzzy_cache) < 50_000:
            self._fuzzy_cache[candidate] = result
        return result

    # ---------------------------------------------------------------- index

    def _build(self, products: list[Product]) -> None:
        product_features: list[tuple[_Feature, dict[str, float]]] = []
        for product in products:
            product_features.extend(self._product_features(product))
        document_frequency: dict[tuple[str, str], set[str]] = defaultdict(set)
        for feature, _ in product_features:
            document_frequency[(feature.role, feature.label)].add(feature.product)
        total = max(1, len(products))
        for feature, spellings in product_features:
            index = len(self._features)
            self._features.append(feature)
            df = len(document_frequency[(feature.role, feature.label)])
            self._weights.append(math.log(1 + total / df))
            for spelling, similarity in spellings.items():
                self._strings[spelling].append((index, similarity))
        for spelling, targets in self._strings.items():
            if len(spelling) >= _FUZZY_MIN_LEN and not spelling.isdigit():
                self._by_length[len(spelling)].append(spelling)
                if len(skeleton := consonant_skeleton(spelling)) >= _SKELETON_MIN_LEN:
                    for feature, similarity in targets:
                        if (feature, similarity * _SKELETON_SIMILARITY) not in (
                            found := self._skeletons[skeleton]
                        ):
                            found.append((feature, similarity * _SKELETON_SIMILARITY))

    def _product_features(self, product: Product) -> list[tuple[_Feature, dict[str, float]]]:
        name_words = [w for w in words(unglue(product.name)) if _is_content_word(w) or w.isdigit()]
        brand_words = words(product.brand or "")
        features: list[tuple[_Feature, dict[str, float]]] = []

        brand_spellings: dict[str, float] = {}
        for word in brand_words:
            _add_spellings(brand_spellings, word)
        if len(brand_words) > 1:
            brand_spellings.setdefault("".join(w[0] for w in brand_words), 1.0)
        name_translit = {to_latin(w) for w in words(product.name)}
        for alias in product.aliases:
            alias_words = words(alias)
            if " ".join(alias_words) in name_translit or set(alias_words) <= name_translit:
                continue
            for word in alias_words:
                if _is_content_word(word):
                    _add_spellings(brand_spellings, word)
        if brand_spellings:
            label = name_key(product.brand or product.aliases[0])
            features.append((_Feature(product.id, "brand", label), brand_spellings))

        remaining = _without_sequence(name_words, brand_words)
        for word in dict.fromkeys(remaining):
            spellings: dict[str, float] = {}
            _add_spellings(spellings, word)
            if kind_of_word(word) is not None:
                for synonym in kind_synonyms(word):
                    for form in (synonym, to_latin(synonym)):
                        spellings.setdefault(form, _SYNONYM_SIMILARITY)
                features.append((_Feature(product.id, "kind", lemma(word)), spellings))
            elif not (word.isdigit() and _SIZE_LIKE_RE.match(word)):
                role = "word" if is_known_word(word) or len(word) < 4 else "model"
                features.append((_Feature(product.id, role, word), spellings))
        return features


@lru_cache(maxsize=65536)
def _is_content_word(word: str) -> bool:
    """Whether a query word can name a product: no size number, no preposition or pronoun.
    Cached: every message asks it of every word, and pymorphy3's parse is the costly part."""
    if len(word) < 2 or _SIZE_LIKE_RE.match(word):
        return False
    if is_latin(word) or word.isdigit() or not is_known_word(word):
        return True
    return morph().parse(word)[0].tag.POS not in _FUNCTION_POS


def _add_spellings(spellings: dict[str, float], word: str) -> None:
    """A word as customers may type it: its forms and lemmas, in Cyrillic and in Latin."""
    forms = {word, *lemma_set(word, nominal_only=True)}
    if is_latin(word):
        forms.add(to_cyrillic(word))
    else:
        forms |= {to_latin(form) for form in forms}
    forms |= {latin_skeleton(form) for form in forms}
    for form in forms:
        spellings[form] = 1.0


def _without_sequence(items: list[str], sequence: list[str]) -> list[str]:
    """`items` with the first occurrence of `sequence` removed (the brand inside a name)."""
    n = len(sequence)
    for i in range(len(items) - n + 1):
        if n and items[i : i + n] == sequence:
            return items[:i] + items[i + n :]
    return items
