"""The per-turn model the order machine fires on.

One `Conversation` is loaded from storage for each customer turn, fired on, and saved back;
the machine itself holds no customer state, so a million customers cost one machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ottenok.protocols import ShopFacts
from ottenok.records import ConversationRow, StateChange
from ottenok.slots import OrderSlots, SlotUpdate
from ottenok.states.order import OrderState, TurnEvent


class IssueKind(StrEnum):
    """What was not in stock: the product, the size, the colour, or the two together."""

    PRODUCT = "product"
    SIZE = "size"
    COLOR = "color"
    SIZE_COLOR = "size_color"


@dataclass(slots=True)
class StockIssue:
    """Why the machine went back to a question: what was asked for and what can be offered."""

    kind: IssueKind
    product_id: str
    size: str | None
    color: str | None
    sizes: list[str] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Conversation:
    """Order dialogue state of one chat, as the order machine sees it.

    `update` is the message being handled (the intent table's guards read it). The transitions'
    actions record what the reply announces (`event`), what must be done outside the machine
    (`effects`: manager notices) and the transitions taken (`changes`); the engine acts on them
    after the machine has finished, never inside a callback.
    """

    facts: ShopFacts
    chat_id: str = ""
    state: OrderState = OrderState.GREETING
    slots: OrderSlots = field(default_factory=OrderSlots)
    previous_state: OrderState | None = None
    update: SlotUpdate = field(default_factory=SlotUpdate)
    misses: int = 0  # turns in a row that left the pending question unanswered
    issue: StockIssue | None = None
    event: TurnEvent | None = None
    effects: list[str] = field(default_factory=list)
    changes: list[StateChange] = field(default_factory=list)

    @classmethod
    def of(cls, row: ConversationRow, facts: ShopFacts) -> Conversation:
        """The machine's model for a stored conversation."""
        return cls(
            facts=facts,
            chat_id=row.chat_id,
            state=row.state,
            slots=row.slots,
            previous_state=row.previous_state,
            misses=row.misses,
        )
