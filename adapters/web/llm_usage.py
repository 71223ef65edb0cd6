"""The LLM usage panel's query: calls, tokens, estimated cost and guard rejections.

The table comes with the LLM path (migration 0005, `llm_usage`, one row per call). Until it
exists the panel says no LLM is configured; if its columns differ from the ones read here the
panel names the error instead of failing the page.

Columns read: `at` (UTC ISO text), `chat_id`, `model`, `prompt_tokens`, `completion_tokens`,
`cost_usd` (estimated, may be NULL), `outcome` (`ok`, `error`, `rejected` when a guard threw the
answer away).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from adapters.sqlite_store import iso
from adapters.web.queries import ConsoleQueries


@dataclass(slots=True)
class UsageLine:
    key: str  # a day (YYYY-MM-DD, UTC) or a chat id
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    rejected: int


@dataclass(slots=True)
class UsageReport:
    configured: bool
    error: str | None = None
    per_day: list[UsageLine] = field(default_factory=list)
    per_chat: list[UsageLine] = field(default_factory=list)

    @property
    def total(self) -> UsageLine:
        lines = self.per_day
        return UsageLine(
            "total",
            sum(x.calls for x in lines),
            sum(x.prompt_tokens for x in lines),
            sum(x.completion_tokens for x in lines),
            sum(x.cost_usd for x in lines),
            sum(x.rejected for x in lines),
        )


_COLUMNS = (
    "COUNT(*) AS calls, COALESCE(SUM(prompt_tokens), 0) AS p,"
    " COALESCE(SUM(completion_tokens), 0) AS c, COALESCE(SUM(cost_usd), 0) AS cost,"
    " SUM(outcome = 'rejected') AS rejected"
)


async def llm_usage(queries: ConsoleQueries, since: datetime, until: datetime) -> UsageReport:
    if not await queries.has_table("llm_usage"):
        return UsageReport(configured=False)
    window = (iso(since), iso(until))
    try:
        days = await queries.fetch(
            f"SELECT substr(at, 1, 10) AS key, {_COLUMNS} FROM llm_usage"
            " WHERE at >= ? AND at < ? GROUP BY key ORDER BY key DESC",
            window,
        )
        chats = await queries.fetch(
            f"SELECT chat_id AS key, {_COLUMNS} FROM llm_usage WHERE at >= ? AND at < ?"
            " GROUP BY chat_id ORDER BY cost DESC, calls DESC LIMIT 50",
            window,
        )
    except sqlite3.OperationalError as err:
        return UsageReport(configured=True, error=f"llm_usage: {err}")
    return UsageReport(configured=True, per_day=_lines(days), per_chat=_lines(chats))


def _lines(rows: list) -> list[UsageLine]:
    return [
        UsageLine(
            str(row["key"]), row["calls"], row["p"], row["c"], float(row["cost"]),
            row["rejected"] or 0,
        )  # fmt: skip
        for row in rows
    ]
