"""The LLM path's parts, built the way app/wiring.py builds them, over a small made-up shop
(prices, brands, shoes in several sizes and colours, a bag) and an in-memory usage sink."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.llm.breaker import CircuitBreaker
from adapters.llm.client import LLMClient, LLMConfig
from adapters.llm.filler import LLMSlotFiller
from adapters.llm.phraser import LLMPhraser
from adapters.llm.usage import Accounting, UsageRecord
from ottenok.catalog import Catalog, Product
from ottenok.colors import ColorLexicon
from ottenok.filling import OfflineSlotFiller
from ottenok.phrasing.guard import OutputGuard
from ottenok.phrasing.offline import OfflinePhraser
from ottenok.phrasing.templates import Templates
from ottenok.slots import ProductType
from ottenok.stock import Stock, Variant

BOOTS, LOAFERS, TOTE = "velia-boots", "corsa-loafers", "lumen-tote"


def llm_catalog() -> Catalog:
    products = [
        Product(id=BOOTS, name="Ботильоны Velia", type=ProductType.SHOES, brand="Velia",
                aliases=["Велия"]),
        Product(id=LOAFERS, name="Лоферы Corsa", type=ProductType.SHOES, brand="Corsa",
                aliases=["Корса"]),
        Product(id=TOTE, name="Сумка-тоут Lumen", type=ProductType.BAG, brand="Lumen",
                aliases=["Люмен"]),
    ]  # fmt: skip
    variants = [
        Variant(BOOTS, size, color, 0 if (size, color) == ("38", "бордовый") else 2, 45900)
        for size in ("36", "37", "38", "39")
        for color in ("черный", "бордовый")
    ]
    variants += [Variant(LOAFERS, size, "коричневый", 3, 32500) for size in ("37", "38", "39")]
    variants += [Variant(TOTE, None, color, 1, 28000) for color in ("черный", "молочный")]
    return Catalog(products, Stock(variants))


@dataclass
class MemorySink:
    records: list[UsageRecord] = field(default_factory=list)

    async def add(self, record: UsageRecord) -> None:
        self.records.append(record)


@dataclass
class LLMKit:
    catalog: Catalog
    offline: OfflineSlotFiller
    offline_phraser: OfflinePhraser
    client: LLMClient
    filler: LLMSlotFiller
    phraser: LLMPhraser
    sink: MemorySink


def llm_kit(
    base_url: str,
    mode: str = "tools",
    budget: float = 3.0,
    breaker: CircuitBreaker | None = None,
    catalog: Catalog | None = None,
    sink: object | None = None,
) -> LLMKit:
    from ottenok.states.prompts import StatePrompts

    catalog = catalog or llm_catalog()
    offline_phraser = OfflinePhraser(Templates.load(), catalog)
    config = LLMConfig(model="fake-model", mode=mode, api_key="sk-test", base_url=base_url,
                       timeout=budget)  # fmt: skip
    client = LLMClient(config, breaker)
    memory = MemorySink()
    accounting = Accounting(sink or memory)  # type: ignore[arg-type]
    prompts = StatePrompts.load()
    colors = ColorLexicon.for_catalog(catalog)
    offline = OfflineSlotFiller(catalog, colors=colors)
    filler = LLMSlotFiller(offline, client, prompts, accounting, budget, colors)
    guard = OutputGuard(catalog, colors)
    phraser = LLMPhraser(offline_phraser, client, guard, prompts, accounting, budget)
    kit = LLMKit(catalog, offline, offline_phraser, client, filler, phraser, memory)
    _open.append(kit)
    return kit


_open: list[LLMKit] = []


async def close_kits() -> None:
    """Close the HTTP clients of the kits built so far (an autouse fixture calls this)."""
    while _open:
        await _open.pop().client.close()
