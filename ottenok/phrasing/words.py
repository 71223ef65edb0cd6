"""Russian wording helpers shared by every reply: prices, lists of options, plurals."""

from __future__ import annotations

import re
from functools import lru_cache

from ottenok.morphology import morph

_DECIMAL_POINT = re.compile(r"^(\d+)\.(\d+)$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")


def price_text(price: int | None) -> str:
    """ "289 000 ₸", or a promise to check when the shop's files give no price."""
    if price is None:
        return "уточню у менеджера"
    return f"{price:,}".replace(",", " ") + " ₸"


def size_text(size: str) -> str:
    """A size as Russian writes it: "37.5" (as stock stores it) → "37,5"."""
    return _DECIMAL_POINT.sub(r"\1,\2", size)


def joined(parts: list[str]) -> str:
    """Sentences of one message: once a list ("• …", "1) …" lines) has started, each part
    starts on a line of its own, so nothing trails the list's last line."""
    text = ""
    for part in filter(None, parts):
        text = f"{text}\n{part}" if "\n" in text else f"{text} {part}" if text else part
    return text


def join_words(items: list[str], limit: int = 6) -> str:
    """ "37, 38 и 39": the way a person lists options. Half sizes take a decimal comma, and
    then the list semicolons ("36; 36,5 и 37"), so "36, 36,5" never reads as three numbers."""
    items = [size_text(item) for item in items[:limit]]
    if len(items) <= 1:
        return "".join(items)
    separator = "; " if any(_DECIMAL_COMMA.match(item) for item in items) else ", "
    return separator.join(items[:-1]) + " и " + items[-1]


@lru_cache(maxsize=4096)
def plural(word: str) -> str:
    """Nominative plural of a product kind ("сумка" → "сумки"); unknown words stay as they are.
    Cached: every reply that names the shop's kinds asks it of each product's kind."""
    parse = morph().parse(word)[0]
    if "NOUN" not in parse.tag or "Pltm" in parse.tag or word in MASS_NOUNS:
        return word
    inflected = parse.inflect({"plur", "nomn"})
    return inflected.word if inflected else word


#: Goods named as a mass, never in the plural ("мужской обуви", not "мужских обувей");
#: pymorphy3 does not mark them.
MASS_NOUNS = frozenset({"обувь", "одежда", "бижутерия", "косметика", "парфюмерия", "галантерея"})


def capitalized(text: str) -> str:
    """The first letter upper-cased, the rest as it is ("мужскую обувь" → "Мужскую обувь")."""
    return text[:1].upper() + text[1:]


def mid_sentence(name: str) -> str:
    """Product names start with the kind of thing ("Мокасины …"): lower-case it inside a
    sentence. Latin brands and abbreviations keep their capitals."""
    head = name.split(maxsplit=1)[0] if name.strip() else ""
    if head[:1].isupper() and head[1:].islower() and "а" <= head[:1].lower() <= "я":
        return name[:1].lower() + name[1:]
    return name


def inflect_phrase(phrase: str, case: str, plural: bool = False) -> str:
    """A noun phrase put in a grammatical case ("gent", "accs"…), each word agreeing with the
    noun in number, gender and animacy: "мужская обувь" → "мужской обуви", "мужские туфли" →
    "мужские туфли" (accusative). `plural`: a kind of goods in the plural ("платьев"), unless
    the noun has none ("обуви"). A word pymorphy3 does not know stays as it is."""
    analyzer = morph()
    words = phrase.split()
    parses = [analyzer.parse(word)[0] for word in words]
    noun = next((p for p in reversed(parses) if "NOUN" in p.tag), None)
    if noun is None:
        return phrase
    number = noun.tag.number or "sing"
    if plural and "Sgtm" not in noun.tag and noun.normal_form not in MASS_NOUNS:
        number = "plur"
    agreement = {case, number}
    if number != "plur" and noun.tag.gender:
        agreement.add(noun.tag.gender)
    inflected = []
    for word, parse in zip(words, parses, strict=True):
        form = None
        if analyzer.word_is_known(word) and ("ADJF" in parse.tag or "NOUN" in parse.tag):
            wanted = set(agreement)
            animate_matters = number == "plur" or noun.tag.gender == "masc"
            if "ADJF" in parse.tag and case == "accs" and animate_matters and noun.tag.animacy:
                wanted.add(noun.tag.animacy)  # "мужские туфли", not "мужских туфли"
            if "NOUN" in parse.tag:
                wanted -= {"masc", "femn", "neut"}
            form = parse.inflect(wanted)
        inflected.append(form.word if form is not None else word)
    return " ".join(inflected)


def counted(number: int, noun: str) -> str:
    """ "7 моделей", "2 модели", "1 модель": the noun agreeing with the number."""
    parse = morph().parse(noun)[0]
    agreed = parse.make_agree_with_number(number)
    return f"{number} {agreed.word if agreed else noun}"
