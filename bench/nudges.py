"""Cost of one nudge tick with 100,000 clients in the database, a few hundred of them due.

Seeds a real SQLite file in a temp dir (most clients not due: nudged later, or not at all),
prints the due query's EXPLAIN QUERY PLAN (it must search the `clients_next_nudge` index,
not scan the table), the due query's time and the time of whole ticks: claiming and sending
every due nudge through a no-op sender, then an idle tick. A benchmark, not a test.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.nudge_store import NudgeStore
from adapters.sqlite_store import SQLiteStore, iso
from ottenok.catalog import Catalog
from ottenok.nudge_policy import NudgePolicy
from ottenok.nudges import NudgeService, NudgeTexts
from ottenok.phrasing.templates import Templates
from ottenok.stock import Stock

CLIENTS = 100_000
DUE = 300
NOW = datetime(2026, 11, 25, 13, 0, tzinfo=ZoneInfo("Asia/Almaty"))


class NoopSender:
    async def send_text(self, chat_id: str, text: str) -> str | None:
        return None


def seed(db_path: Path) -> None:
    """Every client waits on the bot; DUE are overdue, half the rest due tomorrow, half never."""

    def next_at(n: int) -> str | None:
        if n < DUE:
            return iso(NOW - timedelta(minutes=n % 120))
        return iso(NOW + timedelta(days=1, minutes=n % 600)) if n % 2 else None

    last_bot = iso(NOW - timedelta(hours=5))
    with sqlite3.connect(db_path) as db:
        db.executemany(
            "INSERT INTO clients (chat_id, phone, name, created_at, last_activity_at,"
            " last_bot_at, last_speaker, next_nudge_at) VALUES (?, ?, ?, ?, ?, ?, 'bot', ?)",
            (
                (f"7700{n:07d}@c.us", f"7700{n:07d}", "Клиент", last_bot, last_bot, last_bot,
                 next_at(n))
                for n in range(CLIENTS)
            ),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO conversations (chat_id, state, slots, turns, updated_at)"
            " VALUES (?, 'ask_size', '{\"city\": \"Алматы\"}', 3, ?)",
            ((f"7700{n:07d}@c.us", last_bot) for n in range(CLIENTS)),
        )
        db.execute("ANALYZE")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        await (await SQLiteStore.open(db_path)).close()
        seed(db_path)
        store = await NudgeStore.open(db_path)
        texts = NudgeTexts(Templates.load(), Catalog([], Stock([])))
        service = NudgeService(store, NoopSender(), NudgePolicy(), texts, clock=lambda: NOW)
        print(f"{CLIENTS:,} clients, {DUE} due at {NOW:%Y-%m-%d %H:%M %Z}")
        print("EXPLAIN QUERY PLAN (due query):")
        plan = await store.explain_due(NOW, service.batch)
        for detail in plan:
            print(f"  {detail}")
        if not any("clients_next_nudge" in detail for detail in plan):
            raise SystemExit("the due query does not use the clients_next_nudge index")
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            due = await store.due(NOW, service.batch)
            timings.append((time.perf_counter() - started) * 1000)
        print(f"due query: {len(due)} rows, median {statistics.median(timings):.2f} ms")
        started = time.perf_counter()
        report = await service.tick()
        busy_ms = (time.perf_counter() - started) * 1000
        print(f"tick with {report.due} due: claimed {report.claimed}, sent {report.sent}"
              f" in {busy_ms:.1f} ms")  # fmt: skip
        started = time.perf_counter()
        report = await service.tick()
        idle_ms = (time.perf_counter() - started) * 1000
        print(f"next tick (nothing due, {report.due} rows): {idle_ms:.2f} ms")
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
