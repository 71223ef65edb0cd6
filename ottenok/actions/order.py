"""Actions of the order machine.

They run inside transitions, so they stay instant and side-effect free beyond the model:
they record a reason or an effect, and the engine does the sending after the machine returns.
"""

from __future__ import annotations

from ottenok.conversation import Conversation, StockIssue
from ottenok.slots import OrderSlots

NOTIFY_ORDER_CONFIRMED = "notify_order_confirmed"
NOTIFY_HANDOFF = "notify_handoff"


def _issue(conv: Conversation, kind: str) -> StockIssue:
    slots = conv.slots
    assert slots.product is not None
    size = slots.size if slots.product_type == "shoes" else None
    availability = conv.facts.check_availability(slots.product, size, slots.color)
    return StockIssue(
        kind=kind,
        product_id=slots.product,
        size=size,
        color=slots.color,
        sizes=availability.sizes,
        colors=availability.colors,
        alternatives=availability.alternatives,
    )


def explain_sold_out(conv: Conversation) -> None:
    """Remember which product ran out, then forget it so the customer picks another."""
    conv.issue = _issue(conv, "product")
    conv.slots = OrderSlots(city=conv.slots.city, address=conv.slots.address)


def explain_size_unavailable(conv: Conversation) -> None:
    conv.issue = _issue(conv, "size")
    conv.slots = conv.slots.model_copy(update={"size": None})


def explain_color_sold_out(conv: Conversation) -> None:
    conv.issue = _issue(conv, "color")
    conv.slots = conv.slots.model_copy(update={"color": None})


def explain_color_not_in_size(conv: Conversation) -> None:
    """Keep size and colour: the next message may change either one."""
    slots = conv.slots
    assert slots.product is not None
    in_color = conv.facts.check_availability(slots.product, None, slots.color)
    in_size = conv.facts.check_availability(slots.product, slots.size, None)
    conv.issue = StockIssue(
        kind="size_color",
        product_id=slots.product,
        size=slots.size,
        color=slots.color,
        sizes=in_color.sizes,
        colors=in_size.colors,
    )


def remember_state(conv: Conversation) -> None:
    """Keep where the order stood, so a manager's release can return there."""
    conv.previous_state = conv.state


def notify_order_confirmed(conv: Conversation) -> None:
    conv.effects.append(NOTIFY_ORDER_CONFIRMED)


def notify_handoff(conv: Conversation) -> None:
    conv.effects.append(NOTIFY_HANDOFF)


def clear_order(conv: Conversation) -> None:
    """A new order starts: keep the city and address the customer already gave."""
    conv.slots = OrderSlots(city=conv.slots.city, address=conv.slots.address)
    conv.previous_state = None
