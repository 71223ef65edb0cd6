"""The words for kinds of products, once for the whole codebase.

Three readers need them: the catalog merge types a product by the first kind word of its name
("Лоферы …" are shoes), the product matcher lets a close synonym name a product ("мокасины" for
the shop's "Лоферы"), and the slot filler notices a kind the shop never sells ("есть угги?" in a
shop without uggs). So the vocabulary is two-level:

- a *kind* is a set of words that name the same thing: forms, diminutives, slang and English
  ("лоферы", "мокасины", "loafers"); the matcher treats them as near-equal;
- a *family* is the kinds a customer accepts for one another when asking what the shop sells
  ("кеды" and "кроссовки"); its `type` is the `ProductType` the catalog gets, None for goods a
  shoe boutique never types (clothes, perfume), which are known only to be recognised as unsold.

Every word is indexed by its whole inflection table (pymorphy3) and by its Latin transliteration
("lofery", "botilony", "uggov"), so inflected and Latin-typed kind words are found by one lookup.
The list is general (any women's shoe and accessory shop); which kinds a shop sells comes from its
catalog, never from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ottenok.morphology import (
    inflections,
    is_known_word,
    kazakh_stems,
    lemma_set,
    to_latin,
    words,
)
from ottenok.normalize import fold
from ottenok.slots import ProductType


@dataclass(frozen=True, slots=True)
class Family:
    """Kinds a customer takes for one another; `generic` when its first word names the whole
    type ("обувь": sold whenever the shop sells any shoes)."""

    type: ProductType | None
    kinds: tuple[tuple[str, ...], ...]
    generic: bool = False


_SHOES, _BAG, _ACCESSORY = ProductType.SHOES, ProductType.BAG, ProductType.ACCESSORY

FAMILIES: tuple[Family, ...] = (
    # shoes
    Family(_SHOES, (("туфли", "туфельки", "лодочки", "pumps", "heels", "shoes"),)),
    # Kazakh words are written folded to Russian letters ("етік" → "етик"), as text is read.
    Family(_SHOES, (("босоножки", "босоножечки", "sandals"), ("сандалии", "сандали", "сандаль"))),
    Family(_SHOES, (("шлёпанцы", "шлепки", "сланцы", "вьетнамки"),)),
    Family(_SHOES, (("мюли", "mules"), ("сабо", "clogs"), ("пантолеты", "slides"))),
    Family(_SHOES, (("балетки", "flats", "ballerinas"),)),
    Family(_SHOES, (("лоферы", "мокасины", "loafers", "loafer", "moccasins"), ("слиперы",),
                    ("слипоны",))),
    Family(_SHOES, (("кроссовки", "кроссы", "кросы", "кроссовочки", "sneakers", "trainers"),
                    ("кеды", "кедики", "keds", "sneakers"), ("сникерсы",))),
    Family(_SHOES, (("ботинки", "ботиночки", "батенке", "boots"),
                    ("ботильоны", "ботильончики", "booties"),
                    ("полусапожки",), ("челси", "chelsea"))),
    Family(_SHOES, (("сапоги", "сапожки", "ботфорты", "етик", "boots"), ("казаки",))),
    Family(_SHOES, (("угги", "uggs"), ("дутики",), ("валенки",))),
    Family(_SHOES, (("тапочки", "тапки", "тапишке", "slippers"),)),
    Family(_SHOES, (("эспадрильи", "espadrilles"),)),
    Family(_SHOES, (("оксфорды", "oxfords"), ("броги", "brogues"), ("дерби",))),
    Family(_SHOES, (("мартинсы",),)),
    Family(_SHOES, (("кроксы", "crocs"),)),
    Family(_SHOES, (("галоши",),)),
    Family(_SHOES, (("обувь", "аяккиим", "footwear"),), generic=True),
    # bags
    Family(_BAG, (("сумка", "сумочка", "сомке", "bag", "handbag"), ("клатч", "клатчик", "clutch"),
                  ("тоут", "tote"), ("шоппер", "шопер", "shopper"), ("кроссбоди", "crossbody"),
                  ("хобо", "hobo"), ("торба",), ("саквояж",), ("бананка",), ("багет", "baguette")),
           generic=True),
    Family(_BAG, (("рюкзак", "рюкзачок", "backpack"),)),
    Family(_BAG, (("портфель",),)),
    Family(_BAG, (("барсетка",),)),
    Family(_BAG, (("чемодан",),)),
    # accessories
    Family(_ACCESSORY, (("косметичка",),)),
    Family(_ACCESSORY, (("кошелёк", "кошелечек", "портмоне", "амиян", "wallet"),
                        ("картхолдер", "кардхолдер", "cardholder"), ("визитница",))),
    Family(_ACCESSORY, (("ремень", "ремешок", "пояс", "белдик", "belt"),)),
    Family(_ACCESSORY, (("платок", "платочек", "scarf"), ("шарф",), ("палантин",))),
    Family(_ACCESSORY, (("перчатки", "gloves"), ("варежки",))),
    Family(_ACCESSORY, (("шапка",), ("кепка",), ("панама",), ("шляпа",))),
    Family(_ACCESSORY, (("очки", "очечки", "козилдирик", "glasses", "sunglasses"),)),
    Family(_ACCESSORY, (("часы",),)),
    Family(_ACCESSORY, (("браслет",), ("серьги",), ("кольцо",), ("цепочка",), ("колье",),
                        ("бижутерия",), ("украшения",))),
    Family(_ACCESSORY, (("заколка",), ("ободок",))),
    Family(_ACCESSORY, (("зонт", "зонтик"),)),
    Family(_ACCESSORY, (("брелок",), ("чехол",))),
    Family(_ACCESSORY, (("носки",), ("колготки",), ("гольфы",))),
    Family(_ACCESSORY, (("стельки",), ("шнурки",))),
    Family(_ACCESSORY, (("аксессуары", "аксессуар", "accessories"),), generic=True),
    # what a shoe boutique does not type: recognised only to say it is not sold
    Family(None, (("платье",),)),
    Family(None, (("юбка",),)),
    Family(None, (("брюки", "штаны", "джинсы", "леггинсы", "лосины", "шорты"),)),
    Family(None, (("футболка", "блузка", "рубашка", "водолазка"),)),
    Family(None, (("свитер", "кофта", "худи", "толстовка", "кардиган", "джемпер"),)),
    Family(None, (("куртка", "пуховик", "пальто", "плащ", "тренч", "шуба", "дублёнка"),)),
    Family(None, (("жакет", "пиджак", "костюм", "жилет"),)),
    Family(None, (("купальник",),)),
    Family(None, (("бельё", "бюстгальтер", "трусы"),)),
    Family(None, (("пижама", "халат"),)),
    Family(None, (("комбинезон",),)),
    Family(None, (("одежда",),)),
    Family(None, (("духи", "парфюм"),)),
    Family(None, (("косметика", "помада", "тушь"),)),
    Family(None, (("крем",),)),
)  # fmt: skip

# Words that make any kind a different market ("мужские туфли", "детские кроссовки").
AUDIENCE_WORDS: tuple[str, ...] = ("мужской", "детский")

# How the catalog documents' "Тип" column and the knowledge base name each type.
TYPE_LABELS: dict[ProductType, str] = {
    ProductType.SHOES: "обувь",
    ProductType.BAG: "сумка",
    ProductType.ACCESSORY: "аксессуар",
    ProductType.OTHER: "другое",
}
#: How a reply names everything of a type ("обувь", "сумки"): the assortment's headings.
TYPE_PLURALS: dict[ProductType, str] = {
    ProductType.SHOES: "обувь",
    ProductType.BAG: "сумки",
    ProductType.ACCESSORY: "аксессуары",
    ProductType.OTHER: "другое",
}
_TYPE_WORDS: dict[str, ProductType] = {
    **{label: kind for kind, label in TYPE_LABELS.items()},
    "другой": ProductType.OTHER,
    **{t.value: t for t in ProductType},
}

_PLURAL_ENDINGS = ("ов", "ев", "ей", "ам", "ям", "ами", "ями", "ах", "ях")


@dataclass(frozen=True, slots=True)
class KindWord:
    """What one word form names: the vocabulary word it is a form of (the nominative a reply
    quotes: "мокасины", not "лоферы"), its kind and family numbers and the family's type."""

    word: str
    kind_number: int
    family_number: int
    type: ProductType | None


@lru_cache(maxsize=4096)
def _forms(word: str) -> frozenset[str]:
    """Every inflected form of the word and its Latin transliteration ("лоферов", "lofery")."""
    forms = set(inflections(word))
    folded = fold(word)
    if not is_known_word(folded) and folded.endswith(("ы", "и")):
        # a plural the guesser may not inflect: "угги" → "уггов"
        forms |= {folded[:-1] + ending for ending in _PLURAL_ENDINGS}
    return frozenset(forms | {to_latin(form) for form in forms})


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[KindWord, ...]]:
    """Folded form (Cyrillic or Latin) → what it names; a word may name two kinds ("boots")."""
    index: dict[str, dict[int, KindWord]] = {}
    kind_number = 0
    for family_number, family in enumerate(FAMILIES):
        for kind in family.kinds:
            for word in kind:
                entry = KindWord(word, kind_number, family_number, family.type)
                for form in _forms(word):
                    index.setdefault(form, {}).setdefault(kind_number, entry)
            kind_number += 1
    return {form: tuple(entries.values()) for form, entries in index.items()}


@lru_cache(maxsize=1)
def _kind_words() -> dict[int, frozenset[str]]:
    """Kind number → its words and their dictionary forms, as the matcher compares them."""
    found: dict[int, set[str]] = {}
    kind_number = 0
    for family in FAMILIES:
        for kind in family.kinds:
            found[kind_number] = {form for word in kind for form in lemma_set(fold(word))}
            kind_number += 1
    return {number: frozenset(forms) for number, forms in found.items()}


def kind_words(word: str) -> tuple[KindWord, ...]:
    """What a single word names as a product kind (empty when it names none)."""
    index = _index()
    folded = fold(word)
    found = index.get(folded)
    if found:
        return found
    for candidate in (*lemma_set(folded), *kazakh_stems(folded)):
        if candidate in index:
            return index[candidate]
    return ()


def kind_of_word(word: str) -> ProductType | None:
    """The product type a single word names ("лоферов", "lofery" → shoes), if it names one."""
    return next((k.type for k in kind_words(word) if k.type is not None), None)


def infer_type(name: str) -> ProductType | None:
    """The type named by the first kind word of a product name, None when it names none:
    Russian names lead with the head noun ("Сумка-тоут", "Ботильоны Stuart Weitzman")."""
    for word in words(name):
        kind = kind_of_word(word)
        if kind is not None:
            return kind
    return None


def parse_type(raw: str | None) -> ProductType | None:
    """A catalog "Тип" value ("обувь", "Сумки", "аксессуары") as a `ProductType`."""
    if not raw:
        return None
    for word in words(raw):
        for candidate in lemma_set(word):
            if candidate in _TYPE_WORDS:
                return _TYPE_WORDS[candidate]
    return None


def kind_synonyms(word: str) -> frozenset[str]:
    """The words of every kind the word belongs to ("лоферы" → "мокасины", "loafers", …), in
    dictionary forms, so a product named by one is found by the others."""
    table = _kind_words()
    return frozenset().union(*(table[k.kind_number] for k in kind_words(word)))


def family(number: int) -> Family:
    return FAMILIES[number]
