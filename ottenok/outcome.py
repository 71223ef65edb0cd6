"""What one turn decided, in the terms phrasing needs (no machine internals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ottenok.conversation import StockIssue
from ottenok.slots import OrderSlots
from ottenok.states.order import OrderState, TurnEvent


@dataclass(slots=True)
class TurnOutcome:
    """What happened in one turn: the state the machine chose, the slots, what the reply
    announces (`event`) and the facts it may need (answer, stock issue, candidates…)."""

    chat_id: str
    state: OrderState
    slots: OrderSlots
    issue: StockIssue | None = None
    greet: bool = False
    customer_name: str | None = None
    event: TurnEvent | None = None
    new_product: bool = False
    corrected: dict[str, str] = field(default_factory=dict)  # slot → new value, for "поменяла"
    noted: list[str] = field(default_factory=list)  # slots given out of turn, for "записала"
    answer: str | None = None
    candidates: list[str] = field(default_factory=list)
    listed: tuple[str, ...] = ()  # the products the answer listed, to choose among
    unsold: str | None = None
    foreign_city: str | None = None
    bad_color: str | None = None
    # none_in_color | color_sold_out | already_sent | none | choose_first (several offered)
    photo_note: str | None = None
    has_photos: bool = False  # photos go out with the reply: the question follows them
    misses: int = 0  # turns in a row the pending question went unanswered
    foot_size: tuple[float, str, str | None] | None = None  # (cm, size, whose table)
    nearest_color: tuple[str, str] | None = None  # (the shade named, the shop's colour)
    seed: str = ""
