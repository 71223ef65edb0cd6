"""Every transition and guard of the order machine, on a toy shop."""

from __future__ import annotations

import pytest
from toyshop import ACCESSORY, BAG, MONO_SHOE, SHOE, toy_catalog, toy_variants

from ottenok.actions.order import NOTIFY_HANDOFF, NOTIFY_ORDER_CONFIRMED
from ottenok.conversation import Conversation
from ottenok.guards import order as guards
from ottenok.machines import NOTHING, order_intents, order_machine
from ottenok.records import StateChange
from ottenok.slot_merge import merge_update
from ottenok.slots import Intent, OrderSlots, SlotUpdate
from ottenok.states.order import FINAL_STATES, OPEN_STATES, STATES, OrderState
from ottenok.stock import Variant

MACHINE = order_machine()


def conversation(**slots: str) -> Conversation:
    conv = Conversation(facts=toy_catalog())
    conv.slots = merge_update(OrderSlots(), SlotUpdate(**slots), conv.facts)
    return conv


def tell(conv: Conversation, **slots: str) -> str:
    """Apply one message's slots and route, as the engine does."""
    conv.issue = None
    conv.slots = merge_update(conv.slots, SlotUpdate(**slots), conv.facts)
    assert MACHINE.fire(conv, "route")
    return conv.state


FULL_SHOE = dict(city="Алматы", product=SHOE, size="38", color="черный", address="Абая 10, кв 5")


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({}, "ask_city"),
        ({"city": "Астана"}, "ask_product"),
        ({"city": "Астана", "product": SHOE}, "ask_size"),
        ({"city": "Астана", "product": SHOE, "size": "38"}, "ask_color"),
        ({"city": "Астана", "product": SHOE, "size": "38", "color": "черный"}, "ask_address"),
        (FULL_SHOE, "confirming"),
        ({"city": "Астана", "product": MONO_SHOE, "size": "38"}, "ask_address"),
        ({"city": "Астана", "product": BAG}, "ask_color"),
        ({"city": "Астана", "product": BAG, "color": "молочный"}, "ask_address"),
        ({"city": "Астана", "product": ACCESSORY}, "ask_address"),
        ({"product": SHOE, "size": "38", "address": "Абая 1"}, "ask_city"),
    ],
)
def test_routing_asks_first_missing_requirement(slots: dict, expected: str) -> None:
    conv = conversation(**slots)
    assert MACHINE.fire(conv, "route")
    assert conv.state == expected


def test_step_by_step_shoe_order_reaches_confirmed_and_notifies() -> None:
    conv = Conversation(facts=toy_catalog())
    assert tell(conv) == "ask_city"
    assert tell(conv, city="Алматы") == "ask_product"
    assert tell(conv, product=SHOE) == "ask_size"
    assert tell(conv, size="39") == "ask_color"
    assert tell(conv, color="бордовый") == "ask_address"
    assert tell(conv, address="мкр Самал-2, 58") == "confirming"
    assert MACHINE.fire(conv, "confirm")
    assert conv.state == "confirmed"
    assert conv.effects == [NOTIFY_ORDER_CONFIRMED]


def test_bag_is_never_asked_for_a_size_and_size_is_dropped() -> None:
    conv = conversation(city="Алматы", product=BAG, size="38")
    assert conv.slots.size is None
    assert tell(conv) == "ask_color"


def test_single_colour_product_gets_its_colour_without_asking() -> None:
    conv = conversation(city="Алматы", product=MONO_SHOE, size="37")
    assert conv.slots.color == "бежевый"
    assert tell(conv) == "ask_address"


def test_sold_out_size_goes_back_to_size_with_alternatives() -> None:
    variants = [v for v in toy_variants() if not (v.product_id == SHOE and v.size == "38")]
    variants += [Variant(SHOE, "38", c, 0) for c in ("черный", "бордовый")]
    conv = Conversation(facts=toy_catalog(variants))
    conv.slots = merge_update(conv.slots, SlotUpdate(**FULL_SHOE), conv.facts)
    assert MACHINE.fire(conv, "route")
    assert conv.state == "ask_size"
    assert conv.issue is not None and conv.issue.kind == "size"
    assert conv.issue.size == "38"
    assert conv.issue.alternatives[:2] == ["37", "39"]
    assert conv.slots.size is None


def test_sold_out_colour_in_chosen_size_goes_back_to_colour() -> None:
    variants = [
        v for v in toy_variants() if not (v.product_id == SHOE and v.color == "бордовый")
    ] + [Variant(SHOE, "38", "бордовый", 0)]
    conv = Conversation(facts=toy_catalog(variants))
    conv.slots = merge_update(
        conv.slots, SlotUpdate(**{**FULL_SHOE, "color": "бордовый"}), conv.facts
    )
    assert MACHINE.fire(conv, "route")
    assert conv.state == "ask_color"
    assert conv.issue is not None and conv.issue.kind == "color"
    assert conv.issue.colors == ["черный"]


def test_size_and_colour_that_exist_only_apart_go_back_to_size_keeping_both() -> None:
    variants = [
        Variant(v.product_id, v.size, v.color, 0 if (v.size, v.color) == ("39", "бордовый") else 2)
        for v in toy_variants()
    ]
    conv = Conversation(facts=toy_catalog(variants))
    conv.slots = merge_update(
        conv.slots, SlotUpdate(**{**FULL_SHOE, "size": "39", "color": "бордовый"}), conv.facts
    )
    assert MACHINE.fire(conv, "route")
    assert conv.state == "ask_size"
    assert conv.issue is not None and conv.issue.kind == "size_color"
    assert "39" not in conv.issue.sizes and conv.issue.colors == ["черный"]
    assert (conv.slots.size, conv.slots.color) == ("39", "бордовый")
    assert tell(conv, size="38") == "confirming"


def test_sold_out_product_goes_back_to_product() -> None:
    variants = [v for v in toy_variants() if v.product_id != BAG]
    variants += [Variant(BAG, None, "черный", 0)]
    conv = Conversation(facts=toy_catalog(variants))
    conv.slots = merge_update(conv.slots, SlotUpdate(city="Алматы", product=BAG), conv.facts)
    assert MACHINE.fire(conv, "route")
    assert conv.state == "ask_product"
    assert conv.issue is not None and conv.issue.kind == "product"
    assert conv.slots.product is None and conv.slots.city == "Алматы"


def test_confirm_rechecks_stock_that_ran_out_after_the_summary() -> None:
    conv = conversation(**FULL_SHOE)
    assert tell(conv) == "confirming"
    variants = [
        Variant(v.product_id, v.size, v.color, 0 if (v.product_id, v.size) == (SHOE, "38") else 2)
        for v in toy_variants()
    ]
    conv.facts = toy_catalog(variants)
    assert MACHINE.fire(conv, "confirm")
    assert conv.state == "ask_size"
    assert NOTIFY_ORDER_CONFIRMED not in conv.effects


def test_correction_at_summary_goes_back_through_routing() -> None:
    conv = conversation(**FULL_SHOE)
    assert tell(conv) == "confirming"
    assert tell(conv, product=BAG) == "confirming"  # the bag exists in black too
    assert conv.slots.size is None and conv.slots.color == "черный"
    assert tell(conv, color="бордовый") == "ask_color"  # no burgundy bag
    assert conv.issue is not None and conv.issue.colors == ["черный", "молочный"]
    assert tell(conv, color="молочный") == "confirming"
    assert tell(conv, size="39") == "confirming"  # bags ignore sizes
    assert conv.slots.size is None


def test_changed_product_keeps_size_and_colour_that_still_exist() -> None:
    conv = conversation(**FULL_SHOE)
    tell(conv, product=MONO_SHOE)
    assert conv.slots.size == "38"
    assert conv.slots.color == "бежевый"


@pytest.mark.parametrize("state", OPEN_STATES)
def test_cancel_from_every_open_state(state: str) -> None:
    conv = conversation(city="Алматы")
    conv.state = state
    assert MACHINE.fire(conv, "cancel")
    assert conv.state == "cancelled"


@pytest.mark.parametrize("state", FINAL_STATES + ["handoff"])
def test_cancel_is_not_declared_from_final_states(state: str) -> None:
    conv = conversation()
    conv.state = state
    assert not MACHINE.fire(conv, "cancel")
    assert conv.state == state


@pytest.mark.parametrize("state", [s for s in STATES if s != "handoff"])
def test_handoff_from_everywhere_and_release_returns(state: str) -> None:
    conv = conversation(**FULL_SHOE)
    conv.state = state
    assert MACHINE.fire(conv, "handoff")
    assert conv.state == "handoff"
    assert conv.effects == [NOTIFY_HANDOFF]
    for trigger in ("route", "confirm", "cancel", "restart"):
        assert not MACHINE.fire(conv, trigger)
        assert conv.state == "handoff"
    assert MACHINE.fire(conv, "release")
    expected = state if state in FINAL_STATES else "confirming"
    assert conv.state == expected


def test_release_of_unfinished_order_asks_next_question() -> None:
    conv = conversation(city="Алматы")
    conv.state = "ask_product"
    MACHINE.fire(conv, "handoff")
    MACHINE.fire(conv, "release")
    assert conv.state == "ask_product"


@pytest.mark.parametrize("state", FINAL_STATES)
def test_restart_starts_a_new_order_keeping_city_and_address(state: str) -> None:
    conv = conversation(**FULL_SHOE)
    conv.state = state
    assert MACHINE.fire(conv, "restart")
    assert conv.state == "greeting"
    assert conv.slots == OrderSlots(city="Алматы", address="Абая 10, кв 5")


def test_final_states_ignore_slot_updates() -> None:
    for state in FINAL_STATES:
        conv = conversation(**FULL_SHOE)
        conv.state = state
        assert not MACHINE.fire(conv, "route")
        assert not MACHINE.fire(conv, "confirm")


def test_guards_read_only_slots_and_stock() -> None:
    conv = conversation(city="Алматы", product=SHOE, size="38")
    assert not guards.city_missing(conv)
    assert not guards.product_missing(conv)
    assert guards.needs_size(conv) and not guards.size_missing(conv)
    assert guards.has_several_colors(conv) and guards.color_missing(conv)
    assert guards.address_missing(conv)
    assert not guards.order_complete(conv)
    assert guards.in_stock(conv)  # some colour of 38 is in stock
    assert not guards.size_unavailable(conv)
    conv.slots = conv.slots.model_copy(update={"size": "45"})
    assert guards.size_unavailable(conv)
    assert not guards.in_stock(conv)
    conv.slots = conv.slots.model_copy(update={"size": "38", "color": "зеленый"})
    assert guards.color_sold_out(conv)
    bag = conversation(city="Алматы", product=BAG)
    assert not guards.needs_size(bag) and not guards.size_missing(bag)
    accessory = conversation(product=ACCESSORY)
    assert not guards.has_several_colors(accessory) and not guards.color_missing(accessory)
    assert not guards.product_sold_out(accessory)


def test_unknown_trigger_and_undeclared_source() -> None:
    conv = conversation()
    with pytest.raises(Exception, match="unknown trigger"):
        MACHINE.fire(conv, "fly")
    assert not MACHINE.fire(conv, "confirm")  # not declared from greeting
    assert not MACHINE.fire(conv, "release")


def test_machine_holds_no_models() -> None:
    MACHINE.fire(conversation(), "route")
    assert MACHINE.machine.models == []


# --- the intent table: what a message does in each state ------------------------------------

INTENTS = order_intents()


def rule_for(state: str, intent: Intent, **values: str):
    conv = conversation(**FULL_SHOE)
    conv.state = OrderState(state)
    conv.update = SlotUpdate(intent=intent, **values)
    return INTENTS.lookup(conv, intent)


@pytest.mark.parametrize(
    ("state", "intent", "values", "triggers", "event"),
    [
        ("confirming", Intent.CONFIRM, {}, ["confirm"], None),
        ("confirming", Intent.CONFIRM, {"size": "39"}, ["route"], None),  # "да, но 39"
        ("ask_size", Intent.CONFIRM, {}, ["route"], None),  # "да" answers the question
        ("greeting", Intent.CONFIRM, {}, ["route"], "thanks"),
        ("confirmed", Intent.CONFIRM, {}, [], "already_confirmed"),
        ("confirming", Intent.DENY, {}, [], "deny"),
        ("ask_color", Intent.DENY, {}, ["route"], None),
        ("confirmed", Intent.CANCEL, {}, [], "already_confirmed"),
        ("ask_city", Intent.CANCEL, {}, ["cancel"], None),
        ("confirmed", Intent.ASK_MANAGER, {}, ["handoff"], None),
        ("cancelled", Intent.GREETING, {}, ["restart", "route"], None),
        ("confirmed", Intent.PROVIDE_INFO, {"size": "39"}, ["restart", "route"], None),
        ("cancelled", Intent.QUESTION, {}, [], "already_cancelled"),
        ("ask_size", Intent.SMALLTALK, {}, ["route"], "thanks"),
        ("ask_size", Intent.UNKNOWN, {}, ["route"], "didnt_understand"),
        ("confirming", Intent.CORRECT, {"size": "39"}, ["route"], "corrected"),
        ("confirming", Intent.CORRECT, {"size": "38"}, ["route"], None),  # nothing changed
        ("ask_size", Intent.QUESTION, {}, ["route"], None),
        ("handoff", Intent.PROVIDE_INFO, {"size": "39"}, [], None),  # a manager has the chat
    ],
)  # fmt: skip
def test_intent_table(state, intent, values, triggers, event) -> None:
    rule = rule_for(state, intent, **values)
    assert list(rule.triggers) == triggers
    assert rule.event == event


def test_every_intent_has_a_row_from_every_state_but_handoff() -> None:
    for state in STATES:
        for intent in Intent:
            rule = rule_for(state, intent)
            assert (rule is NOTHING) == (state == "handoff"), (state, intent)


def test_transitions_are_recorded_with_their_stock_reason() -> None:
    conv = conversation(city="Алматы", product=SHOE, size="45")
    assert MACHINE.fire(conv, "route")
    assert conv.changes == [StateChange("greeting", "ask_size", "route", "size")]
    MACHINE.fire(conv, "handoff")
    assert conv.changes[-1] == StateChange("ask_size", "handoff", "handoff", "size")
