"""Rows the engine reads and writes through the storage protocol (SQLite implements it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ottenok.messages import Outgoing
from ottenok.slots import OrderSlots


@dataclass(slots=True)
class ConversationRow:
    chat_id: str
    state: str = "greeting"
    slots: OrderSlots = field(default_factory=OrderSlots)
    previous_state: str | None = None
    order_id: int | None = None
    turns: int = 0


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
    photo_keys: list[str] = field(default_factory=list)
    order_status: str | None = None  # open | confirmed | cancelled; None leaves orders alone
    order_fields: dict[str, Any] = field(default_factory=dict)
    phone: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # When the customer's silence earns the first nudge; None stops nudging this chat.
    next_nudge_at: datetime | None = None
    # Who moved the chat into or out of handoff this turn, and why (kept only when it moved).
    handoff_by: str = "customer"
    handoff_reason: str = ""
