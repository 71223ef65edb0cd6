"""What the LLM costs: calls, tokens, rules-only turns, fallbacks and guard rejections,
per conversation and per day, plus the estimated price.

Accounting never fails a turn: a storage error is logged and the turn goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from adapters.llm.turn import LLMTurn

log = logging.getLogger("ottenok.llm")


@dataclass(slots=True)
class Usage:
    """LLM use of one turn (or nudge), or summed over a day or a conversation. `events` counts
    "rejected:<reason>" (output guard) and "fallback:<reason>" (offline default used)."""

    turns: int = 0
    rules_only: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    events: dict[str, int] = field(default_factory=dict)


#: The counters of `Usage`, in storage order.
COUNTERS = ("turns", "rules_only", "calls", "prompt_tokens", "completion_tokens")


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One turn's (or one nudge's) usage, dated in the shop's time zone."""

    day: str
    chat_id: str
    usage: Usage


class UsageSink(Protocol):
    """Where usage goes (adapters.llm_usage_store.LLMUsageStore)."""

    async def add(self, record: UsageRecord) -> None: ...


@dataclass(frozen=True, slots=True)
class Prices:
    """Price per 1M tokens (the provider's currency, USD for OpenAI)."""

    prompt: float = 2.5
    completion: float = 10.0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.prompt + completion_tokens * self.completion) / 1_000_000


class Accounting:
    """Turns an `LLMTurn` into a stored `UsageRecord`, dated in the shop's time zone."""

    def __init__(self, sink: UsageSink | None, tz: ZoneInfo | None = None) -> None:
        self.sink = sink
        self.tz = tz or ZoneInfo("Asia/Almaty")

    async def record(self, chat_id: str, turn: LLMTurn, *, is_turn: bool = True) -> None:
        if turn.recorded:
            return
        turn.recorded = True
        events = {f"fallback:{k}": v for k, v in turn.fallbacks.items()}
        events |= {f"rejected:{k}": v for k, v in turn.rejections.items()}
        usage = Usage(
            turns=int(is_turn),
            rules_only=int(turn.rules_only),
            calls=turn.calls,
            prompt_tokens=turn.prompt_tokens,
            completion_tokens=turn.completion_tokens,
            events=events,
        )
        record = UsageRecord(datetime.now(self.tz).date().isoformat(), chat_id, usage)
        if self.sink is None:
            return
        try:
            await self.sink.add(record)
        except Exception:  # usage is bookkeeping: it must never cost a customer a reply
            log.exception("could not store LLM usage", extra={"chat_id": chat_id})
