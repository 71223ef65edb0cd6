"""The order machine, declared as data: its states, its routing, and what each intent does.

Read top to bottom, `ROUTING` is the business rule "ask for the first thing still missing":
city, product, size (shoes only), colour (several colours only), address (always last), then
the summary. Stock problems send the customer back to the question that can fix them.

`INTENTS` is the other half of the dialogue policy: what a customer's message means in each
state (after Rasa CALM's conversation-repair patterns: correction, digression, cancel, chit-chat,
cannot-handle, handoff, restart). The slot filler — offline rules or an LLM — only names the
intent and the values; this table decides which triggers fire. Guards are names from
`ottenok.guards.order`, actions names from `ottenok.actions.order`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ottenok.slots import Intent


class OrderState(StrEnum):
    GREETING = "greeting"
    ASK_CITY = "ask_city"
    ASK_PRODUCT = "ask_product"
    ASK_SIZE = "ask_size"
    ASK_COLOR = "ask_color"
    ASK_ADDRESS = "ask_address"
    CONFIRMING = "confirming"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    HANDOFF = "handoff"


class Trigger(StrEnum):
    ROUTE = "route"
    CONFIRM = "confirm"
    CANCEL = "cancel"
    HANDOFF = "handoff"
    RELEASE = "release"
    RESTART = "restart"


class TurnEvent(StrEnum):
    """What a turn announces besides the next question; the reply templates key on these."""

    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    HANDOFF = "handoff"
    NEW_ORDER = "new_order"
    CORRECTED = "corrected"
    DENY = "deny"
    ALREADY_CONFIRMED = "already_confirmed"
    ALREADY_CANCELLED = "already_cancelled"
    THANKS = "thanks"
    REPEAT = "repeat"
    HELP = "help"
    DIDNT_UNDERSTAND = "didnt_understand"
    NO_ANSWER = "no_answer"
    NON_TEXT = "non_text"


S = OrderState
INITIAL = S.GREETING
STATES: list[OrderState] = list(OrderState)

#: States where the order is still being collected.
OPEN_STATES: list[OrderState] = [
    S.GREETING, S.ASK_CITY, S.ASK_PRODUCT, S.ASK_SIZE, S.ASK_COLOR, S.ASK_ADDRESS, S.CONFIRMING,
]  # fmt: skip
#: States an order ends in (declared `final`); left only by `restart` (a new order) or a handoff.
FINAL_STATES: list[OrderState] = [S.CONFIRMED, S.CANCELLED]
NOT_HANDOFF: list[OrderState] = [s for s in STATES if s != S.HANDOFF]
#: States that ask the customer something (the summary asks for a yes).
ASKING: list[OrderState] = [
    S.ASK_CITY, S.ASK_PRODUCT, S.ASK_SIZE, S.ASK_COLOR, S.ASK_ADDRESS, S.CONFIRMING,
]  # fmt: skip
#: What each state asks the customer for: a bare answer ("38", "Караганда") fills that slot.
QUESTIONS: dict[OrderState, str] = {
    S.ASK_CITY: "city",
    S.ASK_PRODUCT: "product",
    S.ASK_SIZE: "size",
    S.ASK_COLOR: "color",
    S.ASK_ADDRESS: "address",
    S.CONFIRMING: "confirmation",
}

#: Never the same question three times: after this many misses in a row (a message that
#: leaves the pending question without an answer) the reply offers the concrete options and a
#: manager; one more miss and a manager takes the chat.
OPTIONS_AFTER_MISSES = 2
#: What counts as a miss; a question asked back (a digression) or a greeting does not.
MISSES: list[Intent] = [
    Intent.UNKNOWN, Intent.SMALLTALK, Intent.REPEAT, Intent.NOT_SURE, Intent.CONFIRM,
    Intent.DENY,
]  # fmt: skip

#: The first matching row wins: the order of the rows is the order of the questions.
ROUTING: list[dict[str, Any]] = [
    # What the customer chose and cannot be had is said at once, with what there is instead:
    # no city is asked for an order that cannot happen as it stands.
    {"dest": S.ASK_PRODUCT, "conditions": ["product_sold_out"], "after": ["explain_sold_out"]},
    {"dest": S.ASK_SIZE, "conditions": ["size_unavailable"], "after": ["explain_size_unavailable"]},
    {"dest": S.ASK_COLOR, "conditions": ["color_sold_out"], "after": ["explain_color_sold_out"]},
    {
        "dest": S.ASK_SIZE,
        "conditions": ["color_not_in_size"],
        "after": ["explain_color_not_in_size"],
    },
    # Then the first question still open, in the order of the order form.
    {"dest": S.ASK_CITY, "conditions": ["city_missing"]},
    {"dest": S.ASK_PRODUCT, "conditions": ["product_missing"]},
    {"dest": S.ASK_SIZE, "conditions": ["size_missing"]},
    {"dest": S.ASK_COLOR, "conditions": ["color_missing"]},
    {"dest": S.ASK_ADDRESS, "conditions": ["address_missing"]},
    {"dest": S.CONFIRMING, "conditions": ["in_stock"]},
]


def _routed(trigger: Trigger, sources: list[OrderState]) -> list[dict[str, Any]]:
    return [{"trigger": trigger, "source": sources, **row} for row in ROUTING]


TRANSITIONS: list[dict[str, Any]] = [
    # After every slot update: go to the first unmet requirement.
    *_routed(Trigger.ROUTE, OPEN_STATES),
    # The customer says yes to the summary: only a complete, in-stock order is confirmed.
    {
        "trigger": Trigger.CONFIRM,
        "source": S.CONFIRMING,
        "dest": S.CONFIRMED,
        "conditions": ["order_complete", "in_stock"],
        "after": ["order_confirmed"],
    },
    *_routed(Trigger.CONFIRM, [S.CONFIRMING]),
    {"trigger": Trigger.CANCEL, "source": OPEN_STATES, "dest": S.CANCELLED, "after": ["cancelled"]},
    {
        "trigger": Trigger.HANDOFF,
        "source": NOT_HANDOFF,
        "dest": S.HANDOFF,
        "before": ["remember_state"],
        "after": ["handed_off"],
    },
    # A manager's "/handoff off": back to where the order stood.
    {
        "trigger": Trigger.RELEASE,
        "source": S.HANDOFF,
        "dest": S.CONFIRMED,
        "conditions": ["was_confirmed"],
    },
    {
        "trigger": Trigger.RELEASE,
        "source": S.HANDOFF,
        "dest": S.CANCELLED,
        "conditions": ["was_cancelled"],
    },
    *_routed(Trigger.RELEASE, [S.HANDOFF]),
    # A finished order: the customer starts another one.
    {
        "trigger": Trigger.RESTART,
        "source": FINAL_STATES,
        "dest": S.GREETING,
        "after": ["restarted"],
    },
]

ANY = "*"

#: Intent → triggers. The first row whose intent, source state and guards (`conditions` must
#: hold, `unless` must not) match wins. `route` applies the message's slot values before it
#: fires. `event` is what the reply announces when the machine itself announces nothing
#: (the machine's actions announce confirmed, cancelled, handoff and a new order).
INTENTS: list[dict[str, Any]] = [
    # Human handoff, directly or not: from anywhere (in `handoff` a manager has the chat and
    # no row applies: Alina stays silent).
    {"intent": [Intent.ASK_MANAGER], "source": NOT_HANDOFF, "triggers": [Trigger.HANDOFF]},
    # Cancel: only an order still being collected.
    {"intent": [Intent.CANCEL], "source": OPEN_STATES, "triggers": [Trigger.CANCEL]},
    # The same question missed again after the options were offered: a manager takes over.
    {
        "intent": MISSES,
        "source": ASKING,
        "conditions": ["missed_before"],
        "unless": ["brings_values"],
        "triggers": [Trigger.HANDOFF],
    },
    # Yes or no to the summary, with nothing new in the message.
    {
        "intent": [Intent.CONFIRM],
        "source": [S.CONFIRMING],
        "unless": ["brings_values"],
        "triggers": [Trigger.CONFIRM],
    },
    {
        "intent": [Intent.DENY],
        "source": [S.CONFIRMING],
        "unless": ["brings_values"],
        "triggers": [],
        "event": TurnEvent.DENY,
    },
    # A confirmed order corrected ("ой, размер 39 нужен"): the managers have the order, so a
    # manager changes it; it is not a new order.
    {"intent": [Intent.CORRECT], "source": [S.CONFIRMED], "triggers": [Trigger.HANDOFF]},
    # A finished order: new values or a greeting start another; anything else is about it.
    {
        "intent": ANY,
        "source": FINAL_STATES,
        "conditions": ["starts_new_order"],
        "triggers": [Trigger.RESTART, Trigger.ROUTE],
    },
    {"intent": ANY, "source": [S.CONFIRMED], "triggers": [], "event": TurnEvent.ALREADY_CONFIRMED},
    {"intent": ANY, "source": [S.CANCELLED], "triggers": [], "event": TurnEvent.ALREADY_CANCELLED},
    # Chit-chat and what cannot be handled: a short line, then the pending question again.
    {
        "intent": [Intent.SMALLTALK],
        "source": OPEN_STATES,
        "unless": ["brings_values"],
        "triggers": [Trigger.ROUTE],
        "event": TurnEvent.THANKS,
    },
    {
        "intent": [Intent.CONFIRM],
        "source": [S.GREETING],
        "unless": ["brings_values"],
        "triggers": [Trigger.ROUTE],
        "event": TurnEvent.THANKS,
    },
    {
        "intent": [Intent.UNKNOWN],
        "source": OPEN_STATES,
        "unless": ["brings_values"],
        "triggers": [Trigger.ROUTE],
        "event": TurnEvent.DIDNT_UNDERSTAND,
    },
    # "повторите", "?": the pending question again, more simply.
    {
        "intent": [Intent.REPEAT],
        "source": OPEN_STATES,
        "unless": ["brings_values"],
        "triggers": [Trigger.ROUTE],
        "event": TurnEvent.REPEAT,
    },
    # "не знаю размер": help with the question (how to measure, what is in stock), never skip.
    {
        "intent": [Intent.NOT_SURE],
        "source": OPEN_STATES,
        "unless": ["brings_values"],
        "triggers": [Trigger.ROUTE],
        "event": TurnEvent.HELP,
    },
    # A correction, or an answer that replaces a value: the reply says what changed.
    {
        "intent": [Intent.CORRECT, Intent.PROVIDE_INFO],
        "source": OPEN_STATES,
        "conditions": ["changes_a_value"],
        "triggers": [Trigger.ROUTE],
        "event": TurnEvent.CORRECTED,
    },
    # Answers, questions (digressions), greetings: apply what the message says, ask what is next.
    {"intent": ANY, "source": OPEN_STATES, "triggers": [Trigger.ROUTE]},
]

DECLARATION: dict[str, Any] = {
    "name": "order",
    "states": STATES,
    "final": FINAL_STATES,
    "initial": INITIAL,
    "transitions": TRANSITIONS,
    "intents": INTENTS,
    # For the diagram: the routing table as one choice, and groups drawn as one box.
    "routing": ROUTING,
    "groups": {"open": OPEN_STATES, "finished": FINAL_STATES, "any": STATES},
    "guards": "ottenok.guards.order",
    "actions": "ottenok.actions.order",
    # Called with (model, source state, trigger) after every transition taken.
    "on_change": ["record_change", "count_misses"],
}
