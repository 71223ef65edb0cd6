"""The per-turn model the rule-book machines fire on.

One `Conversation` is loaded from storage for each customer turn, fired on, and saved back;
the machine itself holds no customer state, so a million customers cost one machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ottenok.protocols import ShopFacts
from ottenok.slots import OrderSlots


@dataclass(slots=True)
class StockIssue:
    """Why the machine went back to a question: what was asked for and what can be offered."""

    kind: str  # "product" | "size" | "color"
    product_id: str
    size: str | None
    color: str | None
    sizes: list[str] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Conversation:
    """Order dialogue state of one chat, as the order machine sees it.

    `effects` collects what the transition's actions asked for (manager notifications…);
    the engine carries them out after the machine has finished, never inside a callback.
    """

    facts: ShopFacts
    chat_id: str = ""
    state: str = "greeting"
    slots: OrderSlots = field(default_factory=OrderSlots)
    previous_state: str | None = None
    issue: StockIssue | None = None
    effects: list[str] = field(default_factory=list)
