"""Actions of the order machine.

They run inside transitions, so they stay instant and side-effect free beyond the model:
they record a reason, what the reply announces or an effect, and the engine does the sending
after the machine returns.
"""

from __future__ import annotations

from ottenok.conversation import Conversation, IssueKind, StockIssue
from ottenok.guards.order import has_several_colors
from ottenok.records import StateChange
from ottenok.slots import OrderSlots
from ottenok.states.order import ASKING, MISSES, OrderState, Trigger, TurnEvent

NOTIFY_ORDER_CONFIRMED = "notify_order_confirmed"
NOTIFY_HANDOFF = "notify_handoff"
#: The reason recorded when the customer asked for a kind of product the shop does not sell
#: (a lost sale the funnel shows beside the stock issues).
UNSOLD = "unsold"


def _issue(conv: Conversation, kind: IssueKind) -> StockIssue:
    slots = conv.slots
    assert slots.product is not None
    availability = conv.facts.check_availability(slots.product, slots.size, slots.color)
    return StockIssue(
        kind=kind,
        product_id=slots.product,
        size=slots.size,
        color=slots.color,
        sizes=availability.sizes,
        colors=availability.colors,
        alternatives=availability.alternatives,
    )


def explain_sold_out(conv: Conversation) -> None:
    """Remember which product ran out, then forget it so the customer picks another. The size
    stays, and the colour when the customer chose it (not when it was the product's only one):
    they are what the customer wants in the next one too (the merge drops them if that product
    does not come in them)."""
    conv.issue = _issue(conv, IssueKind.PRODUCT)
    kept = {"product": None, "product_type": None}
    if not has_several_colors(conv):
        kept["color"] = None
    conv.slots = conv.slots.model_copy(update=kept)


def explain_size_unavailable(conv: Conversation) -> None:
    conv.issue = _issue(conv, IssueKind.SIZE)
    conv.slots = conv.slots.model_copy(update={"size": None})


def explain_color_sold_out(conv: Conversation) -> None:
    conv.issue = _issue(conv, IssueKind.COLOR)
    conv.slots = conv.slots.model_copy(update={"color": None})


def explain_color_not_in_size(conv: Conversation) -> None:
    """Keep size and colour: the next message may change either one."""
    slots = conv.slots
    assert slots.product is not None
    in_color = conv.facts.check_availability(slots.product, None, slots.color)
    in_size = conv.facts.check_availability(slots.product, slots.size, None)
    conv.issue = StockIssue(
        kind=IssueKind.SIZE_COLOR,
        product_id=slots.product,
        size=slots.size,
        color=slots.color,
        sizes=in_color.sizes,
        colors=in_size.colors,
    )


def remember_state(conv: Conversation) -> None:
    """Keep where the order stood, so a manager's release can return there."""
    conv.previous_state = conv.state


def order_confirmed(conv: Conversation) -> None:
    """The customer is told, and the managers get the order."""
    conv.event = TurnEvent.CONFIRMED
    conv.effects.append(NOTIFY_ORDER_CONFIRMED)


def cancelled(conv: Conversation) -> None:
    conv.event = TurnEvent.CANCELLED


def handed_off(conv: Conversation) -> None:
    """The customer is told a manager will answer; the managers get the order so far."""
    conv.event = TurnEvent.HANDOFF
    conv.effects.append(NOTIFY_HANDOFF)


def restarted(conv: Conversation) -> None:
    """A new order starts: keep the city and address the customer already gave."""
    conv.slots = OrderSlots(city=conv.slots.city, address=conv.slots.address)
    conv.previous_state = None
    conv.event = TurnEvent.NEW_ORDER


def count_misses(conv: Conversation, source: OrderState, trigger: Trigger) -> None:
    """A message that left the pending question unanswered is a miss; anything else (a value,
    a question asked back, another question) starts the count again."""
    missed = (
        trigger == Trigger.ROUTE
        and conv.state == source
        and conv.state in ASKING
        and conv.update.intent in MISSES
        and not conv.update.slot_values()
    )
    conv.misses = conv.misses + 1 if missed else 0


def record_change(conv: Conversation, source: OrderState, trigger: Trigger) -> None:
    """Every transition taken, with the stock issue that caused it or the unsold product the
    message asked for (the funnel reads these)."""
    update = conv.update
    reason: str | None = None
    if conv.issue is not None:
        reason = conv.issue.kind
    elif trigger == Trigger.ROUTE and update.unsold_product and update.product is None:
        reason = UNSOLD
    conv.changes.append(StateChange(source, conv.state, trigger, reason))
