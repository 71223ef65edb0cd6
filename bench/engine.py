"""Per-message latency of `Engine.handle_message` on the offline default.

Replays every customer message of the dialogue suite (tests/dialogues/*.yaml) against the
sample shop with a real SQLite file, first with ~10 stored clients, then with 100,000.
Prints p50/p99 in milliseconds; it is a benchmark, not a test.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from adapters.sqlite_store import SQLiteStore, iso
from app.settings import Settings
from app.wiring import load_shop, make_engine
from ottenok.messages import IncomingMessage, now_utc
from ottenok.phrasing.templates import Templates

ROOT = Path(__file__).resolve().parent.parent



def dialogues() -> list[list[str]]:
    found = []
    for path in sorted((ROOT / "tests" / "dialogues").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        if spec.get("shop", "sample") == "sample":
            found.append([step["user"] for step in spec["steps"]])
    return found


def seed_clients(db_path: Path, count: int) -> None:
    """Insert `count` clients with a conversation each, straight through sqlite3 (fast)."""
    at = iso(now_utc())
    with sqlite3.connect(db_path) as db:
        db.executemany(
            "INSERT INTO clients (chat_id, phone, name, created_at, last_activity_at,"
            " last_bot_at, last_speaker) VALUES (?, ?, ?, ?, ?, ?, 'bot')",
            ((f"7700{n:07d}@c.us", f"7700{n:07d}", "Клиент", at, at, at) for n in range(count)),
        )
        db.executemany(
            "INSERT INTO conversations (chat_id, state, slots, turns, updated_at)"
            " VALUES (?, 'ask_size', '{\"city\": \"Алматы\"}', 3, ?)",
            ((f"7700{n:07d}@c.us", at) for n in range(count)),
        )


async def run(clients: int, shop, settings: Settings, scripts: list[list[str]]) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        store = await SQLiteStore.open(db_path)
        seed_clients(db_path, clients)
        engine = make_engine(shop, store, Templates.load(settings.data_dir), [])
        timings = []
        for d, script in enumerate(scripts):
            chat = f"7799{d:07d}@c.us"
            for n, text in enumerate(script):
                started = time.perf_counter()
                await engine.handle_message(IncomingMessage(chat, f"bench-{d}-{n}", text))
                timings.append((time.perf_counter() - started) * 1000)
        await store.close()
        return timings


def report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{label:<22} messages={len(timings):>4}  p50={statistics.median(ordered):6.2f} ms"
        f"  p99={p99:6.2f} ms  max={ordered[-1]:6.2f} ms"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=ROOT / "data",
            chroma_dir=Path(tmp) / "chroma",
            photo_index_path=Path(tmp) / "photo_index.json",
        )
        started = time.perf_counter()
        shop = load_shop(settings)
        print(f"shop loaded (knowledge built) in {time.perf_counter() - started:.1f} s")
        scripts = dialogues()
        asyncio.run(run(10, shop, settings, scripts))  # warm caches (morphology, navec)
        for clients in (10, 100_000):
            report(
                f"{clients:,} stored clients", asyncio.run(run(clients, shop, settings, scripts))
            )


if __name__ == "__main__":
    main()
