"""The nudge (re-engagement) machine, declared as data.

A quiet customer mid-order gets at most two gentle reminders: the first after three hours of
silence inside work hours, the second the next day at 13:00. Any reply resets the count; a
handoff or a finished order stops nudging. Guards: `ottenok.guards.nudge`; actions:
`ottenok.actions.nudge`.
"""

from __future__ import annotations

from typing import Any

INITIAL = "active"

STATES: list[str] = ["active", "nudged_once", "nudged_twice", "stopped"]
WAITING: list[str] = ["active", "nudged_once", "nudged_twice"]

TRANSITIONS: list[dict[str, Any]] = [
    # A scheduler tick: the first row whose guards pass wins.
    {
        "trigger": "tick",
        "source": WAITING,
        "dest": "stopped",
        "conditions": ["nothing_to_wait_for"],
    },
    {
        "trigger": "tick",
        "source": "active",
        "dest": "nudged_once",
        "conditions": ["bot_spoke_last", "first_nudge_due"],
        "after": ["send_nudge"],
    },
    {
        "trigger": "tick",
        "source": "nudged_once",
        "dest": "nudged_twice",
        "conditions": ["bot_spoke_last", "second_nudge_due"],
        "after": ["send_nudge"],
    },
    {
        "trigger": "tick",
        "source": "nudged_twice",
        "dest": "stopped",
        "conditions": ["nudges_used_up"],
    },
    # The customer wrote: start counting from zero again.
    {"trigger": "customer_replied", "source": STATES, "dest": "active", "after": ["reset_count"]},
    # A handoff, a confirmed or a cancelled order.
    {"trigger": "stop", "source": WAITING, "dest": "stopped"},
]

DECLARATION: dict[str, Any] = {
    "name": "nudge",
    "states": STATES,
    "initial": INITIAL,
    "transitions": TRANSITIONS,
    "guards": "ottenok.guards.nudge",
    "actions": "ottenok.actions.nudge",
}
