"""The small interfaces the core talks to, so every adapter can be swapped.

Only the methods the core actually calls are listed; adapters may offer more.
"""

from __future__ import annotations

from typing import Protocol

from ottenok.slots import FillContext, ProductType, SlotUpdate
from ottenok.stock import Availability


class ShopFacts(Protocol):
    """Catalog and stock facts the order guards need (implemented by `ottenok.catalog.Catalog`)."""

    def product_type(self, product_id: str) -> ProductType | None: ...

    def colors(self, product_id: str) -> list[str]: ...

    def sizes(self, product_id: str) -> list[str]: ...

    def check_availability(
        self, product_id: str, size: str | None = None, color: str | None = None
    ) -> Availability: ...


class SlotFiller(Protocol):
    """Turns one customer message into typed slot values (offline rules or an LLM)."""

    async def fill(self, text: str, context: FillContext) -> SlotUpdate: ...
