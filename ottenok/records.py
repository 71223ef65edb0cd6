"""Rows the engine reads and writes through the storage protocol (SQLite implements it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ottenok.messages import Outgoing
from ottenok.nudge_track import NudgeSchedule
from ottenok.slots import OrderSlots
from ottenok.states.order import OrderState, Trigger


@dataclass(frozen=True, slots=True)
class StateChange:
    """One transition the machine took: stored for the funnel (where customers go and stop)."""

    source: OrderState
    dest: OrderState
    trigger: Trigger
    reason: str | None = None  # the stock issue that sent the customer back, if any


@dataclass(slots=True)
class ConversationRow:
    """A chat's stored conversation, with the nudge columns of its client row."""

    chat_id: str
    state: OrderState = OrderState.GREETING
    slots: OrderSlots = field(default_factory=OrderSlots)
    previous_state: OrderState | None = None
    order_id: int | None = None
    turns: int = 0
    misses: int = 0
    offered: list[str] = field(default_factory=list)
    nudge: NudgeSchedule = field(default_factory=NudgeSchedule)


@dataclass(slots=True)
class OrderRow:
    id: int
    chat_id: str
    phone: str | None
    status: str
    city: str | None
    product: str | None
    product_name: str | None
    product_type: str | None
    size: str | None
    color: str | None
    address: str | None
    price: int | None
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class TurnRecord:
    """Everything one turn changes, written in a single transaction."""

    conversation: ConversationRow
    processed_id: str | None
    outgoing: list[Outgoing] = field(default_factory=list)
    order_status: str | None = None  # open | confirmed | cancelled; None leaves orders alone
    order_fields: dict[str, Any] = field(default_factory=dict)
    phone: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The nudge machine's result for this turn; None leaves the chat's nudge columns alone.
    nudge: NudgeSchedule | None = None
    # The order machine's transitions this turn (for the funnel).
    changes: list[StateChange] = field(default_factory=list)
    # Who moved the chat into or out of handoff this turn, and why (logged only when it moved).
    handoff_by: str = "customer"
    handoff_reason: str = ""
    # A message whose turn kept failing: answered when the chat is given back to Alina.
    held_id: str | None = None
