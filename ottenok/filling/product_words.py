"""Kinds of products customers ask for, to notice when they want something the shop never sells.

"Есть угги?" in a shoe shop without uggs must get "такого нет" rather than a re-ask of the product.
The lexicon below is general (any women's shoe shop, any customer); which kinds this shop sells is
read from its catalog: a kind is sold when a product's name or alias uses it or one of its
synonyms ("кроссовки" are sold when the shop names its products "кеды"). Words are compared by
their full inflection tables, so "уггов" and "сланцев" are found, while "часа" (an hour) is no
"часы" (a watch).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ottenok.catalog import Catalog, Product
from ottenok.morphology import is_known_word, morph, words
from ottenok.normalize import fold
from ottenok.slots import ProductType

# Synonym groups: naming one member is asking for the same kind of product. The first word of a
# group is not special; each member reports itself as the customer's word.
SHOE_KINDS: tuple[tuple[str, ...], ...] = (
    ("туфли", "лодочки"), ("босоножки", "сандалии"),
    ("шлёпанцы", "сланцы", "вьетнамки", "шлепки"), ("мюли", "сабо"), ("балетки",),
    ("лоферы", "мокасины", "слиперы"), ("кеды", "кроссовки", "сникерсы", "кроссы"),
    ("ботинки", "ботильоны", "полусапожки", "челси", "ботиночки"),
    ("сапоги", "сапожки", "ботфорты", "казаки"), ("угги", "дутики", "валенки"),
    ("тапочки", "тапки"), ("эспадрильи",), ("оксфорды", "броги", "дерби"), ("мартинсы",),
    ("кроксы",), ("галоши",), ("обувь",),
)  # fmt: skip
BAG_KINDS: tuple[tuple[str, ...], ...] = (
    ("сумка", "сумочка", "клатч", "тоут", "шопер", "кроссбоди", "хобо", "торба"),
    ("рюкзак", "рюкзачок"), ("портфель",), ("барсетка",), ("косметичка",), ("чемодан",),
    ("кошелёк", "портмоне", "кардхолдер", "визитница"),
)  # fmt: skip
ACCESSORY_KINDS: tuple[tuple[str, ...], ...] = (
    ("ремень", "пояс"), ("платок", "шарф", "палантин"), ("перчатки", "варежки"),
    ("шапка", "кепка", "панама", "шляпа"), ("очки",), ("часы",),
    ("браслет", "серьги", "кольцо", "цепочка", "колье", "бижутерия", "украшения"),
    ("заколка", "ободок"), ("зонт", "зонтик"), ("брелок",), ("носки", "колготки", "гольфы"),
    ("стельки", "шнурки"), ("аксессуары",),
)  # fmt: skip
CLOTHES_KINDS: tuple[tuple[str, ...], ...] = (
    ("платье",), ("юбка",), ("брюки", "штаны", "джинсы", "леггинсы", "лосины", "шорты"),
    ("футболка", "блузка", "рубашка", "водолазка"),
    ("свитер", "кофта", "худи", "толстовка", "кардиган", "джемпер"),
    ("куртка", "пуховик", "пальто", "плащ", "тренч", "шуба", "дублёнка"),
    ("жакет", "пиджак", "костюм", "жилет"), ("купальник",), ("бельё", "бюстгальтер", "трусы"),
    ("пижама", "халат"), ("комбинезон",), ("одежда",),
)  # fmt: skip
OTHER_KINDS: tuple[tuple[str, ...], ...] = (
    ("духи", "парфюм"), ("косметика", "помада", "тушь"), ("крем",),
)  # fmt: skip

# Words that make any kind a different market ("мужские туфли", "детские кроссовки").
AUDIENCE_WORDS: tuple[str, ...] = ("мужской", "детский")

_PLURAL_ENDINGS = ("ов", "ев", "ей", "ам", "ям", "ами", "ями", "ах", "ях")

# Word pairs where a kind's word means something else: "часы работы" are opening hours.
_NOT_KINDS = {("часы", "работа"), ("часы", "работы")}

# Generic words that are sold whenever the shop has any product of that type.
_GENERIC_TYPES = {
    "обувь": ProductType.SHOES,
    "сумка": ProductType.BAG,
    "аксессуары": ProductType.ACCESSORY,
}


@dataclass(frozen=True, slots=True)
class KindMention:
    """A product kind the customer named: the lexicon's nominative and the modifier if any."""

    word: str
    audience: str | None
    sold: bool

    @property
    def phrase(self) -> str:
        """The kind in the nominative, as the reply quotes it: "угги", "мужские туфли"."""
        return f"{self.audience} {self.word}" if self.audience else self.word


@lru_cache(maxsize=4096)
def _forms(word: str) -> frozenset[str]:
    """Every inflected form of the word, folded.

    A dictionary word keeps only its most likely reading ("часы" must not take in "часа", an
    hour); a word pymorphy3 only guesses ("угги") takes every guess, as none is reliable.
    """
    parses = morph().parse(fold(word))
    if is_known_word(word):
        return frozenset({fold(word), *(fold(f.word) for f in parses[0].lexeme)})
    guessed = {fold(f.word) for p in parses for f in p.lexeme}
    if word.endswith(("ы", "и")):  # a plural the guesser may not inflect: "угги" → "уггов"
        stem = fold(word)[:-1]
        guessed |= {stem + ending for ending in _PLURAL_ENDINGS}
    return frozenset({fold(word), *guessed})


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[str, int]]:
    """Folded word form → (kind's nominative, synonym group number)."""
    index: dict[str, tuple[str, int]] = {}
    groups = SHOE_KINDS + BAG_KINDS + ACCESSORY_KINDS + CLOTHES_KINDS + OTHER_KINDS
    for number, group in enumerate(groups):
        for kind in group:
            for form in _forms(kind):
                index.setdefault(form, (kind, number))
    return index


@lru_cache(maxsize=1)
def _audience_forms() -> dict[str, str]:
    return {form: word for word in AUDIENCE_WORDS for form in _forms(word)}


class ProductKinds:
    """The general lexicon narrowed to this shop: which named kinds it sells and which not."""

    def __init__(self, catalog: Catalog) -> None:
        lexicon = _lexicon()
        shop_words = set(_shop_words(catalog))
        self._sold_groups = {lexicon[w][1] for w in shop_words if w in lexicon}
        self._products_by_group: dict[int, list[str]] = {}
        for product in catalog.products.values():
            for word in _shop_words_of(product):
                if word in lexicon:
                    ids = self._products_by_group.setdefault(lexicon[word][1], [])
                    if product.id not in ids:
                        ids.append(product.id)
        self._sold_audiences = {a for w, a in _audience_forms().items() if w in shop_words}
        self._types = {product.type for product in catalog.products.values()}

    def mentions(self, text: str) -> list[KindMention]:
        """Every product kind named in the text, in order."""
        lexicon, audiences = _lexicon(), _audience_forms()
        text_words = words(text)
        found = []
        for i, word in enumerate(text_words):
            if word not in lexicon or (i > 0 and text_words[i - 1].isdigit()):
                continue  # "5 часов" is a time, not watches
            kind, group = lexicon[word]
            if i + 1 < len(text_words) and (kind, text_words[i + 1]) in _NOT_KINDS:
                continue
            neighbours = text_words[max(0, i - 1) : i] + text_words[i + 1 : i + 2]
            audience = next((audiences[w] for w in neighbours if w in audiences), None)
            sold = self._is_sold(kind, group) and (
                audience is None or audience in self._sold_audiences
            )
            found.append(KindMention(kind, _agree(audience, kind), sold))
        return found

    def unsold(self, text: str) -> str | None:
        """The first kind named in the text that this shop does not sell, in the nominative."""
        return next((m.phrase for m in self.mentions(text) if not m.sold), None)

    def products_for(self, text: str) -> list[str]:
        """Products of the kinds named, by synonym: "кроссовки" finds the shop's "Кеды …"."""
        lexicon = _lexicon()
        found: dict[str, None] = {}
        for word in words(text):
            if word in lexicon:
                found.update(dict.fromkeys(self._products_by_group.get(lexicon[word][1], ())))
        return list(found)

    def _is_sold(self, kind: str, group: int) -> bool:
        generic = _GENERIC_TYPES.get(kind)
        return group in self._sold_groups or (generic is not None and generic in self._types)


def _shop_words(catalog: Catalog) -> Iterable[str]:
    for product in catalog.products.values():
        yield from _shop_words_of(product)


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
