"""Delivery terms in words: one shop row as the summary line and as an answer.

Only what the row holds is said: its days as the shop wrote them, its price, its free-delivery
threshold (and, for an order at or above it, that delivery is free). The words are the
templates' `delivery` entries.
"""

from __future__ import annotations

from ottenok.phrasing.templates import Templates
from ottenok.phrasing.words import price_text
from ottenok.places import PlaceKind
from ottenok.shop_info import DeliveryRow


def delivery_terms(t: Templates, row: DeliveryRow, order_price: int | None = None) -> str:
    """ "2–5 рабочих дней, 2 500 ₸", "1 день, 1 000 ₸, бесплатно при заказе от 40 000 ₸"."""
    words = t.get("delivery")
    parts = [row.days] if row.days else []
    if row.free_from is not None and order_price is not None and order_price >= row.free_from:
        free = words["free_for_order"].format(amount=price_text(row.free_from))
        return _joined(row, [*parts, free])
    if row.price == 0:
        parts.append(words["free"])
    elif row.price is not None:
        price = price_text(row.price)
        parts.append(words["price_from"].format(price=price) if row.price_from else price)
    if row.free_from is not None:
        parts.append(words["free_from"].format(amount=price_text(row.free_from)))
    return _joined(row, parts)


def _joined(row: DeliveryRow, parts: list[str]) -> str:
    """Days that hold commas of their own ("до 15:00 — сегодня, после — завтра") are set off
    from the price by a semicolon."""
    if row.days and "," in row.days and len(parts) > 1:
        return f"{parts[0]}; {', '.join(parts[1:])}"
    return ", ".join(parts)


def delivery_line(t: Templates, row: DeliveryRow, city: str | None = None) -> str:
    """The row as a sentence, about the customer's `city` when given, else about its places
    (terms the shop states for no place are said without one)."""
    words = t.get("delivery")
    terms = delivery_terms(t, row)
    if city:
        return words["city"].format(place=city, terms=terms)
    if row.is_general:
        return t.get("answer_delivery_everywhere").format(terms=terms)
    kinds = {place.kind for place in row.places}
    if kinds == {PlaceKind.COUNTRY}:
        return words["country"].format(terms=terms)
    cities = [p for p in row.places if p.kind == PlaceKind.CITY]
    if len(row.places) == 1 and cities:
        return words["city"].format(place=cities[0].name, terms=terms)
    return words["region"].format(place=row.where, terms=terms)
