"""What one turn decided, in the terms phrasing needs (no machine internals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ottenok.conversation import StockIssue
from ottenok.slots import OrderSlots


@dataclass(slots=True)
class TurnOutcome:
    """What happened in one turn, in terms the phrasing needs (no machine internals)."""

    chat_id: str
    state: str
    slots: OrderSlots
    issue: StockIssue | None = None
    greet: bool = False
    customer_name: str | None = None
    event: str | None = None
    new_product: bool = False
    answer: str | None = None
    candidates: list[str] = field(default_factory=list)
    unsold: str | None = None
    foreign_city: str | None = None
    bad_color: str | None = None
    photo_note: str | None = None  # none_in_color | already_sent | none
    seed: str = ""
