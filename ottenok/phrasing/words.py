"""Russian wording helpers shared by every reply: prices, lists of options, plurals."""

from __future__ import annotations

from ottenok.morphology import morph


def price_text(price: int | None) -> str:
    """ "289 000 ₸", or a promise to check when the shop's files give no price."""
    if price is None:
        return "уточню у менеджера"
    return f"{price:,}".replace(",", " ") + " ₸"


def join_words(items: list[str], limit: int = 6) -> str:
    """ "37, 38 и 39": the way a person lists options."""
    items = items[:limit]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " и " + items[-1]


def plural(word: str) -> str:
    """Nominative plural of a product kind ("сумка" → "сумки"); unknown words stay as they are."""
    parse = morph().parse(word)[0]
    if "NOUN" not in parse.tag or "Pltm" in parse.tag:
        return word
    inflected = parse.inflect({"plur", "nomn"})
    return inflected.word if inflected else word
