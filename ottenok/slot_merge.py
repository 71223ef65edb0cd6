"""Applying one message's slot values to the order: the rules for corrections.

A new value always replaces the old one (that is what a correction is), except in a question,
which only fills what is still missing. When the product changes, a size or colour carried
over from the old product is dropped if the new product does not exist in it, while values
given in the same message are kept so the machine can explain why they are not available.
"""

from __future__ import annotations

from ottenok.protocols import ShopFacts
from ottenok.slots import Intent, OrderSlots, ProductType, SlotUpdate


def merge_update(slots: OrderSlots, update: SlotUpdate, facts: ShopFacts) -> OrderSlots:
    given = update.slot_values()
    if update.intent == Intent.QUESTION and _can_be_had(slots, facts):
        # "а молочные тоже есть в 38?" asks; it fills what is missing but changes nothing. When
        # what was chosen cannot be had ("чёрных 38 нет" → "а бордовые в 38 есть?"), the
        # question names the alternative the customer wants: it is taken.
        chosen = slots.model_dump()
        given = {name: value for name, value in given.items() if chosen[name] in (None, value)}
    merged = slots.model_dump()
    if update.wants_other_product and "product" not in given:
        # "хочу другие": the product goes, so the product question comes back.
        merged.update(product=None, product_type=None, color=None)
    merged.update(given)
    product = merged["product"]
    if product is not None and product != slots.product:
        merged["product_type"] = facts.product_type(product) or merged.get("product_type")
        if "size" not in given and merged["size"] not in facts.sizes(product):
            merged["size"] = None
        if "color" not in given and merged["color"] not in facts.colors(product):
            merged["color"] = None
    if product is not None:
        product_type = merged["product_type"]
        if product_type is None or not ProductType(product_type).has_sizes:
            merged["size"] = None
        colors = facts.colors(product)
        if len(colors) == 1:
            merged["color"] = colors[0]
    return OrderSlots(**merged)


def _can_be_had(slots: OrderSlots, facts: ShopFacts) -> bool:
    """Whether the product, size and colour chosen so far exist together in stock."""
    if slots.product is None:
        return True
    return facts.check_availability(slots.product, slots.size, slots.color).in_stock
