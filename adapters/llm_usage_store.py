"""The SQL behind LLM usage: one upsert per turn, totals per day or per conversation.

Its own aiosqlite connection to the engine's database file, in autocommit mode with
`BEGIN IMMEDIATE` writes (as the nudge store), so a usage write never joins or waits for a
customer turn's transaction. The tables come from `SQLiteStore.open` (migration 0005).
"""

from __future__ import annotations

from adapters.llm.usage import COUNTERS, Usage, UsageRecord
from adapters.sqlite_store import SideStore


class LLMUsageStore(SideStore):
    """Implements `adapters.llm.usage.UsageSink`; open with `await LLMUsageStore.open(path)`."""

    async def add(self, record: UsageRecord) -> None:
        updates = ", ".join(f"{name} = {name} + excluded.{name}" for name in COUNTERS)
        async with self._immediate():
            await self.db.execute(
                f"INSERT INTO llm_usage (day, chat_id, {', '.join(COUNTERS)})"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                f" ON CONFLICT(day, chat_id) DO UPDATE SET {updates}",
                (record.day, record.chat_id, *(getattr(record.usage, n) for n in COUNTERS)),
            )
            await self.db.executemany(
                "INSERT INTO llm_events (day, chat_id, event, count) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(day, chat_id, event) DO UPDATE SET"
                " count = count + excluded.count",
                [
                    (record.day, record.chat_id, event, n)
                    for event, n in record.usage.events.items()
                    if n
                ],
            )

    async def totals(self, by: str, since: str | None = None) -> dict[str, Usage]:
        """Usage summed per "day" or per "chat_id" (the keys), from the local day `since`
        (YYYY-MM-DD) on; days newest first, conversations by calls, most first."""
        if by not in ("day", "chat_id"):
            raise ValueError(f"totals by day or chat_id, not {by!r}")
        since = since or ""
        sums = ", ".join(f"SUM({name}) AS {name}" for name in COUNTERS)
        order = "day DESC" if by == "day" else "calls DESC, chat_id"
        async with self.db.execute(
            f"SELECT {by} AS key, {sums} FROM llm_usage WHERE day >= ?"
            f" GROUP BY {by} ORDER BY {order}",
            (since,),
        ) as cur:
            totals = {
                row["key"]: Usage(*(row[n] for n in COUNTERS)) for row in await cur.fetchall()
            }
        async with self.db.execute(
            f"SELECT {by} AS key, event, SUM(count) AS n FROM llm_events WHERE day >= ?"
            f" GROUP BY {by}, event ORDER BY event",
            (since,),
        ) as cur:
            for row in await cur.fetchall():
                totals.setdefault(row["key"], Usage()).events[row["event"]] = row["n"]
        return totals
