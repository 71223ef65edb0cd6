"""Guards of the order machine: the business rules for what to ask next and when to confirm,
plus the turn guards the intent table uses.

Each guard reads only the conversation's typed slots, the message's typed update and the shop's
stock facts, so the rules can be read (and tested) without any language model or storage.
"""

from __future__ import annotations

from ottenok.conversation import Conversation
from ottenok.slots import Intent
from ottenok.states.order import OPTIONS_AFTER_MISSES, OrderState


def city_missing(conv: Conversation) -> bool:
    return conv.slots.city is None


def product_missing(conv: Conversation) -> bool:
    return conv.slots.product is None


def product_sold_out(conv: Conversation) -> bool:
    """The product is known but no size or colour of it is left."""
    product = conv.slots.product
    if product is None:
        return False
    availability = conv.facts.check_availability(product)
    return not availability.in_stock


def needs_size(conv: Conversation) -> bool:
    product_type = conv.slots.product_type
    return product_type is not None and product_type.has_sizes


def size_missing(conv: Conversation) -> bool:
    return needs_size(conv) and conv.slots.size is None


def size_unavailable(conv: Conversation) -> bool:
    """The requested size is sold out in every colour (a colour problem is the colour's guard)."""
    if not needs_size(conv) or conv.slots.size is None or conv.slots.product is None:
        return False
    availability = conv.facts.check_availability(conv.slots.product, conv.slots.size)
    return not availability.in_stock


def has_several_colors(conv: Conversation) -> bool:
    product = conv.slots.product
    return product is not None and len(conv.facts.colors(product)) > 1


def color_missing(conv: Conversation) -> bool:
    return has_several_colors(conv) and conv.slots.color is None


def color_sold_out(conv: Conversation) -> bool:
    """The colour is not in stock in any size (or the product never came in it)."""
    if conv.slots.color is None or conv.slots.product is None:
        return False
    return not conv.facts.check_availability(conv.slots.product, None, conv.slots.color).in_stock


def color_not_in_size(conv: Conversation) -> bool:
    """Both exist, but not together: the customer can change either, so both are kept."""
    if conv.slots.color is None or conv.slots.size is None or not needs_size(conv):
        return False
    assert conv.slots.product is not None
    return not conv.facts.check_availability(
        conv.slots.product, conv.slots.size, conv.slots.color
    ).in_stock


def address_missing(conv: Conversation) -> bool:
    return conv.slots.address is None


def order_complete(conv: Conversation) -> bool:
    """Every slot the routing table requires for this product is filled."""
    return not (
        city_missing(conv)
        or product_missing(conv)
        or size_missing(conv)
        or color_missing(conv)
        or address_missing(conv)
    )


def in_stock(conv: Conversation) -> bool:
    """The exact variant (product, size, colour) can be sold right now."""
    slots = conv.slots
    if slots.product is None:
        return False
    return conv.facts.check_availability(slots.product, slots.size, slots.color).in_stock


def was_confirmed(conv: Conversation) -> bool:
    return conv.previous_state == OrderState.CONFIRMED


def was_cancelled(conv: Conversation) -> bool:
    return conv.previous_state == OrderState.CANCELLED


# -- turn guards: what the message being handled brings (the intent table's extra guards) ----


def brings_values(conv: Conversation) -> bool:
    """The message gives a slot value: a "да, 39" is a correction, not a plain yes."""
    return bool(conv.update.slot_values())


def starts_new_order(conv: Conversation) -> bool:
    """After a finished order, new values or a greeting open the next one."""
    return brings_values(conv) or conv.update.intent in (Intent.GREETING, Intent.PROVIDE_INFO)


def missed_before(conv: Conversation) -> bool:
    """The options were offered already: the question was missed that many times in a row."""
    return conv.misses >= OPTIONS_AFTER_MISSES


def changes_a_value(conv: Conversation) -> bool:
    """The message replaces a value the order already had (a correction to acknowledge)."""
    current = conv.slots.filled()
    return any(
        name in current and current[name] != value
        for name, value in conv.update.slot_values().items()
    )
