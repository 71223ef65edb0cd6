"""Kinds of products customers ask for, to notice when they want something the shop never sells.

"Есть угги?" in a shoe shop without uggs must get "такого нет" rather than a re-ask of the product.
The words are the general vocabulary of `ottenok.product_vocabulary`; which kinds this shop sells
is read from its catalog: a kind is sold when a product's name or alias uses a word of its family
("кроссовки" are sold when the shop names its products "кеды"), and a generic word ("обувь") is
sold when the shop has any product of its type. Words are compared by their full inflection
tables and Latin spellings, so "уггов", "uggi" and "сланцев" are found, while "часа" (an hour) is
no "часы" (a watch).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ottenok.catalog import Catalog, Product
from ottenok.morphology import morph, words
from ottenok.product_vocabulary import AUDIENCE_WORDS, KindWord, family, kind_words

# Word pairs where a kind's word means something else: "часы работы" are opening hours.
_NOT_KINDS = {("часы", "работа"), ("часы", "работы")}


@dataclass(frozen=True, slots=True)
class KindMention:
    """A product kind the customer named: the vocabulary's nominative and the modifier if any."""

    word: str
    audience: str | None
    sold: bool

    @property
    def phrase(self) -> str:
        """The kind in the nominative, as the reply quotes it: "угги", "мужские туфли"."""
        return f"{self.audience} {self.word}" if self.audience else self.word


@lru_cache(maxsize=1)
def _audience_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for word in AUDIENCE_WORDS:
        for form in morph().parse(word)[0].lexeme:
            forms.setdefault(form.word, word)
    return forms


class ProductKinds:
    """The general vocabulary narrowed to this shop: which named kinds it sells and which not."""

    def __init__(self, catalog: Catalog) -> None:
        self._types = {product.type for product in catalog.products.values()}
        self._products_by_family: dict[int, list[str]] = {}
        shop_words: set[str] = set()
        for product in catalog.products.values():
            for word in _shop_words_of(product):
                shop_words.add(word)
                for named in kind_words(word):
                    ids = self._products_by_family.setdefault(named.family_number, [])
                    if product.id not in ids:
                        ids.append(product.id)
        self._sold_audiences = {a for w, a in _audience_forms().items() if w in shop_words}

    def mentions(self, text: str) -> list[KindMention]:
        """Every product kind named in the text, in order."""
        audiences = _audience_forms()
        text_words = words(text)
        found = []
        for i, word in enumerate(text_words):
            named = kind_words(word)
            if not named or (i > 0 and text_words[i - 1].isdigit()):
                continue  # "5 часов" is a time, not watches
            if i + 1 < len(text_words) and (named[0].word, text_words[i + 1]) in _NOT_KINDS:
                continue
            neighbours = text_words[max(0, i - 1) : i] + text_words[i + 1 : i + 2]
            audience = next((audiences[w] for w in neighbours if w in audiences), None)
            sold = any(self._is_sold(n) for n in named) and (
                audience is None or audience in self._sold_audiences
            )
            found.append(KindMention(named[0].word, _agree(audience, named[0].word), sold))
        return found

    def unsold(self, text: str) -> str | None:
        """The first kind named in the text that this shop does not sell, in the nominative."""
        return next((m.phrase for m in self.mentions(text) if not m.sold), None)

    def products_for(self, text: str) -> list[str]:
        """Products of the kinds named, by family: "кроссовки" finds the shop's "Кеды …"."""
        found: dict[str, None] = {}
        for word in words(text):
            for named in kind_words(word):
                found.update(dict.fromkeys(self._products_by_family.get(named.family_number, ())))
        return list(found)

    def _is_sold(self, named: KindWord) -> bool:
        kind_family = family(named.family_number)
        generic = kind_family.generic and named.word == kind_family.kinds[0][0]
        return named.family_number in self._products_by_family or (
            generic and kind_family.type in self._types
        )


def _shop_words_of(product: Product) -> Iterable[str]:
    for phrase in (product.name, *product.aliases):
        yield from words(phrase)


def _agree(audience: str | None, kind: str) -> str | None:
    """ "мужской" in the kind's number and gender: "мужские туфли", "мужская куртка"."""
    if audience is None:
        return None
    parses = morph().parse(kind)
    noun = next((p.tag for p in parses if p.tag.case == "nomn"), parses[0].tag)
    grammemes = {"nomn", "plur"} if noun.number == "plur" else {"nomn", noun.gender or "masc"}
    inflected = morph().parse(audience)[0].inflect(grammemes)
    return inflected.word if inflected else audience
