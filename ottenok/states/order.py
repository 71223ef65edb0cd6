"""The order machine, declared as data.

Read top to bottom, `ROUTING` is the business rule "ask for the first thing still missing":
city, product, size (shoes only), colour (several colours only), address (always last), then
the summary. Stock problems send the customer back to the question that can fix them.
Guards are names from `ottenok.guards.order`, actions names from `ottenok.actions.order`.
"""

from __future__ import annotations

from typing import Any

INITIAL = "greeting"

STATES: list[str] = [
    "greeting",
    "ask_city",
    "ask_product",
    "ask_size",
    "ask_color",
    "ask_address",
    "confirming",
    "confirmed",
    "cancelled",
    "handoff",
]

#: States where the order is still being collected.
OPEN_STATES: list[str] = STATES[:7]
#: States an order ends in; left only by `restart` (a new order) or a handoff.
FINAL_STATES: list[str] = ["confirmed", "cancelled"]

#: The first matching row wins: the order of the rows is the order of the questions.
ROUTING: list[dict[str, Any]] = [
    {"dest": "ask_city", "conditions": ["city_missing"]},
    {"dest": "ask_product", "conditions": ["product_missing"]},
    {"dest": "ask_product", "conditions": ["product_sold_out"], "after": ["explain_sold_out"]},
    {"dest": "ask_size", "conditions": ["size_missing"]},
    {"dest": "ask_size", "conditions": ["size_unavailable"], "after": ["explain_size_unavailable"]},
    {"dest": "ask_color", "conditions": ["color_sold_out"], "after": ["explain_color_sold_out"]},
    {
        "dest": "ask_size",
        "conditions": ["color_not_in_size"],
        "after": ["explain_color_not_in_size"],
    },
    {"dest": "ask_color", "conditions": ["color_missing"]},
    {"dest": "ask_address", "conditions": ["address_missing"]},
    {"dest": "confirming", "conditions": ["in_stock"]},
]


def _routed(trigger: str, sources: list[str]) -> list[dict[str, Any]]:
    return [{"trigger": trigger, "source": sources, **row} for row in ROUTING]


TRANSITIONS: list[dict[str, Any]] = [
    # After every slot update: go to the first unmet requirement.
    *_routed("route", OPEN_STATES),
    # The customer says yes to the summary: only a complete, in-stock order is confirmed.
    {
        "trigger": "confirm",
        "source": "confirming",
        "dest": "confirmed",
        "conditions": ["order_complete", "in_stock"],
        "after": ["notify_order_confirmed"],
    },
    *_routed("confirm", ["confirming"]),
    {"trigger": "cancel", "source": OPEN_STATES, "dest": "cancelled"},
    {
        "trigger": "handoff",
        "source": [s for s in STATES if s != "handoff"],
        "dest": "handoff",
        "before": ["remember_state"],
        "after": ["notify_handoff"],
    },
    # A manager's "/handoff off": back to where the order stood.
    {
        "trigger": "release",
        "source": "handoff",
        "dest": "confirmed",
        "conditions": ["was_confirmed"],
    },
    {
        "trigger": "release",
        "source": "handoff",
        "dest": "cancelled",
        "conditions": ["was_cancelled"],
    },
    *_routed("release", ["handoff"]),
    # A finished order: the customer starts another one.
    {"trigger": "restart", "source": FINAL_STATES, "dest": "greeting", "after": ["clear_order"]},
]

DECLARATION: dict[str, Any] = {
    "name": "order",
    "states": STATES,
    "initial": INITIAL,
    "transitions": TRANSITIONS,
    "guards": "ottenok.guards.order",
    "actions": "ottenok.actions.order",
}
