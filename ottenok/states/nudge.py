"""The nudge (re-engagement) machine, declared as data.

A quiet customer mid-order gets at most two gentle reminders: the first after three hours of
silence inside work hours, the second the next day at 13:00. Any reply resets the count; a
handoff, a finished order or nudges switched off stop nudging. This machine is the only writer
of a chat's nudge state: a customer turn fires `customer_replied` and then `stop`, a manager's
handoff fires `stop`, the scheduler fires `tick`; `stop` stops only when nothing is left to
wait for. Guards: `ottenok.guards.nudge`;
actions: `ottenok.actions.nudge`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class NudgeState(StrEnum):
    ACTIVE = "active"
    NUDGED_ONCE = "nudged_once"
    NUDGED_TWICE = "nudged_twice"
    STOPPED = "stopped"


class NudgeTrigger(StrEnum):
    TICK = "tick"
    CUSTOMER_REPLIED = "customer_replied"
    STOP = "stop"


S = NudgeState
INITIAL = S.ACTIVE
STATES: list[NudgeState] = list(NudgeState)
WAITING: list[NudgeState] = [S.ACTIVE, S.NUDGED_ONCE, S.NUDGED_TWICE]

#: When each waiting state can next change: the guard function (in `ottenok.guards.nudge`) that
#: gives the moment its nudge falls due. The scheduler stores it, so a quiet chat costs nothing
#: until then; a state without an entry waits for nothing.
DUE_AT: dict[NudgeState, str] = {
    S.ACTIVE: "first_nudge_at",
    S.NUDGED_ONCE: "second_nudge_at",
    S.NUDGED_TWICE: "after_second_nudge",
}

TRANSITIONS: list[dict[str, Any]] = [
    # A scheduler tick: the first row whose guards pass wins.
    {
        "trigger": NudgeTrigger.TICK,
        "source": WAITING,
        "dest": S.STOPPED,
        "conditions": ["nothing_to_wait_for"],
    },
    {
        "trigger": NudgeTrigger.TICK,
        "source": S.ACTIVE,
        "dest": S.NUDGED_ONCE,
        "conditions": ["bot_spoke_last", "first_nudge_due"],
        "after": ["send_nudge"],
    },
    {
        "trigger": NudgeTrigger.TICK,
        "source": S.NUDGED_ONCE,
        "dest": S.NUDGED_TWICE,
        "conditions": ["bot_spoke_last", "second_nudge_due"],
        "after": ["send_nudge"],
    },
    {
        "trigger": NudgeTrigger.TICK,
        "source": S.NUDGED_TWICE,
        "dest": S.STOPPED,
        "conditions": ["nudges_used_up"],
    },
    # The customer wrote: start counting from zero again.
    {
        "trigger": NudgeTrigger.CUSTOMER_REPLIED,
        "source": STATES,
        "dest": S.ACTIVE,
        "after": ["reset_count"],
    },
    # After the order moved (a turn, a handoff): a handoff, a finished order or nudges switched
    # off leave nothing to wait for.
    {
        "trigger": NudgeTrigger.STOP,
        "source": WAITING,
        "dest": S.STOPPED,
        "conditions": ["nothing_to_wait_for"],
    },
]

DECLARATION: dict[str, Any] = {
    "name": "nudge",
    "states": STATES,
    "initial": INITIAL,
    "transitions": TRANSITIONS,
    # For the diagram: groups drawn as one box.
    "groups": {"waiting": WAITING, "any": STATES},
    "guards": "ottenok.guards.nudge",
    "actions": "ottenok.actions.nudge",
}
