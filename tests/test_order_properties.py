"""Hypothesis stateful tests: random customers, corrections, stock changes, cancels, handoffs.

The invariants are the business rules a shop owner cares about; they must hold after every
step of every random dialogue.
"""

from __future__ import annotations

from collections import deque

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from toyshop import COLORS, PRODUCTS, SIZES, toy_catalog, toy_variants

from ottenok.conversation import Conversation
from ottenok.guards import order as guards
from ottenok.machines import order_machine
from ottenok.slot_merge import merge_update
from ottenok.slots import ProductType, SlotUpdate
from ottenok.states.order import FINAL_STATES, OPEN_STATES, STATES
from ottenok.stock import Variant

MACHINE = order_machine()

updates = st.builds(
    SlotUpdate,
    city=st.sampled_from([None, "Алматы", "Караганда"]),
    product=st.sampled_from([None, *PRODUCTS]),
    size=st.sampled_from([None, *SIZES, "45", "37.5"]),
    color=st.sampled_from([None, *COLORS, "молочный", "бежевый", "коричневый", "зеленый"]),
    address=st.sampled_from([None, "ул. Абая 150, кв 12", "мкр Самал-2, 58"]),
)

ALLOWED_EXITS = {
    "confirmed": {"handoff", "greeting"},
    "cancelled": {"handoff", "greeting"},
    "handoff": set(STATES) - {"handoff", "greeting"},
}


class OrderDialogue(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.variants = toy_variants()
        self.conv = Conversation(facts=toy_catalog(self.variants))

    def _fire(self, trigger: str) -> bool:
        before = self.conv.state
        self.conv.issue = None
        fired = MACHINE.fire(self.conv, trigger)
        after = self.conv.state
        if before in ALLOWED_EXITS and after != before:
            assert after in ALLOWED_EXITS[before], f"{before} -> {after} by {trigger}"
        if before == "handoff" and after != before:
            assert trigger == "release"
        if after == "confirmed" and before != "confirmed":
            assert trigger in ("confirm", "release")
            assert guards.order_complete(self.conv)
            if trigger == "confirm":
                assert guards.in_stock(self.conv)
        return fired

    @rule(update=updates)
    def customer_writes(self, update: SlotUpdate) -> None:
        if self.conv.state in OPEN_STATES:
            self.conv.slots = merge_update(self.conv.slots, update, self.conv.facts)
        fired = self._fire("route")
        assert fired == (self.conv.state in OPEN_STATES) or self.conv.state not in OPEN_STATES

    @rule()
    def customer_confirms(self) -> None:
        self._fire("confirm")

    @rule(
        index=st.integers(min_value=0, max_value=len(toy_variants()) - 1),
        quantity=st.sampled_from([0, 0, 1, 3]),
    )
    def stock_changes(self, index: int, quantity: int) -> None:
        old = self.variants[index]
        self.variants[index] = Variant(old.product_id, old.size, old.color, quantity)
        self.conv.facts = toy_catalog(self.variants)

    @rule()
    def customer_cancels(self) -> None:
        self._fire("cancel")

    @rule()
    def customer_asks_for_a_human(self) -> None:
        self._fire("handoff")

    @rule()
    def manager_releases(self) -> None:
        self._fire("release")

    @rule()
    def customer_starts_again(self) -> None:
        self._fire("restart")

    @invariant()
    def state_is_declared(self) -> None:
        assert self.conv.state in STATES

    @invariant()
    def address_is_asked_last(self) -> None:
        if self.conv.state == "ask_address":
            conv = self.conv
            assert not (
                guards.city_missing(conv)
                or guards.product_missing(conv)
                or guards.size_missing(conv)
                or guards.color_missing(conv)
            )

    @invariant()
    def size_only_for_shoes(self) -> None:
        if self.conv.state == "ask_size":
            assert self.conv.slots.product_type == ProductType.SHOES
        if self.conv.slots.product_type in (ProductType.BAG, ProductType.ACCESSORY):
            assert self.conv.slots.size is None

    @invariant()
    def colour_only_when_there_is_a_choice(self) -> None:
        if self.conv.state == "ask_color":
            assert guards.has_several_colors(self.conv)

    @invariant()
    def summary_only_for_complete_orders(self) -> None:
        if self.conv.state in ("confirming", "confirmed"):
            assert guards.order_complete(self.conv)


OrderDialogue.TestCase.settings = settings(
    max_examples=500,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
TestOrderDialogue = OrderDialogue.TestCase


def test_every_state_is_reachable() -> None:
    """Breadth-first search over triggers and a handful of slot updates from the start."""
    sample_updates = [
        SlotUpdate(city="Алматы"),
        SlotUpdate(product=PRODUCTS[0]),
        SlotUpdate(size="38"),
        SlotUpdate(size="45"),
        SlotUpdate(color="черный"),
        SlotUpdate(address="ул. Абая 150"),
    ]
    triggers = ["route", "confirm", "cancel", "handoff", "release", "restart"]
    start = Conversation(facts=toy_catalog())
    seen = {start.state}
    queue = deque([(start.state, start.slots, start.previous_state, 0)])
    while queue:
        state, slots, previous, depth = queue.popleft()
        if depth == 8:
            continue
        for update in [None, *sample_updates]:
            for trigger in triggers:
                conv = Conversation(facts=start.facts, state=state, slots=slots)
                conv.previous_state = previous
                if update is not None:
                    if trigger != "route" or state not in OPEN_STATES:
                        continue
                    conv.slots = merge_update(slots, update, conv.facts)
                if MACHINE.fire(conv, trigger) and conv.state not in seen:
                    seen.add(conv.state)
                    queue.append((conv.state, conv.slots, conv.previous_state, depth + 1))
    assert seen == set(STATES)
    assert set(FINAL_STATES) <= seen
