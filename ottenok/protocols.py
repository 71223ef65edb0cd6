"""The small interfaces the core talks to, so every adapter can be swapped.

Only the methods the core actually calls are listed; adapters may offer more.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ottenok.messages import IncomingMessage, Outgoing
from ottenok.records import ConversationRow, OrderRow, TurnRecord
from ottenok.slots import FillContext, OrderSlots, ProductType, SlotUpdate
from ottenok.states.order import OrderState
from ottenok.stock import Availability, Stock

if TYPE_CHECKING:  # the conversation model imports this module
    from ottenok.outcome import TurnOutcome
    from ottenok.phrasing.templates import Templates


class ShopFacts(Protocol):
    """Catalog and stock facts the order guards need (implemented by `ottenok.catalog.Catalog`)."""

    def product_type(self, product_id: str) -> ProductType | None: ...

    def colors(self, product_id: str) -> list[str]: ...

    def sizes(self, product_id: str) -> list[str]: ...

    def check_availability(
        self, product_id: str, size: str | None = None, color: str | None = None
    ) -> Availability: ...


class Phraser(Protocol):
    """Turns a turn's outcome into Alina's words (the offline templates, or an LLM rewrite of
    them under the output guard)."""

    @property
    def t(self) -> Templates: ...

    def summary_lines(self, slots: OrderSlots) -> str: ...

    def alternatives(self, product_id: str) -> list[str]: ...

    async def phrase(self, outcome: TurnOutcome) -> str: ...


class SlotFiller(Protocol):
    """Turns one customer message into typed slot values (offline rules or an LLM)."""

    async def fill(self, text: str, context: FillContext) -> SlotUpdate: ...


class Storage(Protocol):
    """Durable conversation memory (implemented by `adapters.sqlite_store.SQLiteStore`)."""

    async def store_incoming(self, msg: IncomingMessage, phone: str | None = None) -> bool: ...

    async def is_processed(self, wa_id: str) -> bool: ...

    async def mark_processed(self, wa_id: str) -> None: ...

    async def is_held(self, wa_id: str) -> bool: ...

    async def state_when_processed(self, chat_id: str, wa_id: str) -> OrderState | None: ...

    async def unprocessed_incoming(self, chat_id: str | None = None) -> list[IncomingMessage]: ...

    async def load_conversation(self, chat_id: str) -> ConversationRow: ...

    async def save_turn(self, turn: TurnRecord) -> None: ...

    async def record_outgoing(
        self, outgoing: list[Outgoing], processed_id: str | None = None
    ) -> None: ...

    async def sent_photo_keys(self, chat_id: str) -> set[str]: ...

    async def recent_messages(
        self, chat_id: str, before: str, limit: int, chars: int
    ) -> list[tuple[str, str]]: ...

    async def list_orders(
        self, status: str | None = None, since: datetime | None = None
    ) -> list[OrderRow]: ...


class StockSource(Protocol):
    """A live inventory (adapters.inventory_excel.ExcelInventory): cheap to call every turn,
    it rereads the file only when it changed or its cache expired."""

    async def load(self) -> Any: ...

    @property
    def stock(self) -> Stock: ...
