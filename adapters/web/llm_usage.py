"""The LLM usage panel: calls, tokens, estimated cost, guard rejections and fallbacks to the
offline default, per day and per conversation, read through the usage store's own totals
(`adapters.llm_usage_store`, the one owner of that SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from adapters.llm.usage import Prices, Usage


class UsageTotals(Protocol):
    """adapters.llm_usage_store.LLMUsageStore."""

    async def totals(self, by: str, since: str | None = None) -> dict[str, Usage]: ...


@dataclass(slots=True)
class UsageLine:
    key: str  # a shop-local day (YYYY-MM-DD) or a chat id
    usage: Usage
    cost: float

    def events(self, prefix: str) -> int:
        return sum(n for name, n in self.usage.events.items() if name.startswith(prefix))

    @property
    def rejected(self) -> int:
        return self.events("rejected:")

    @property
    def fallbacks(self) -> int:
        return self.events("fallback:")


@dataclass(slots=True)
class UsageReport:
    configured: bool  # the LLM path is switched on (settings)
    per_day: list[UsageLine] = field(default_factory=list)
    per_chat: list[UsageLine] = field(default_factory=list)

    @property
    def total(self) -> UsageLine:
        usage = Usage()
        for line in self.per_day:
            for name in ("turns", "rules_only", "calls", "prompt_tokens", "completion_tokens"):
                setattr(usage, name, getattr(usage, name) + getattr(line.usage, name))
            for event, n in line.usage.events.items():
                usage.events[event] = usage.events.get(event, 0) + n
        return UsageLine("total", usage, sum(line.cost for line in self.per_day))

    @property
    def empty(self) -> bool:
        return not self.per_day


async def llm_usage(
    store: UsageTotals, prices: Prices, first_day: date, last_day: date, configured: bool
) -> UsageReport:
    """Days from `first_day` to `last_day`; conversations from `first_day` on (the store
    sums conversations over every day since)."""

    def line(key: str, usage: Usage) -> UsageLine:
        return UsageLine(key, usage, prices.cost(usage.prompt_tokens, usage.completion_tokens))

    since = first_day.isoformat()
    days = await store.totals("day", since)
    chats = await store.totals("chat_id", since)
    return UsageReport(
        configured=configured,
        per_day=[line(k, u) for k, u in days.items() if k <= last_day.isoformat()],
        per_chat=[line(k, u) for k, u in list(chats.items())[:50]],
    )
