"""LLM usage accounting: calls, tokens, rules-only turns, rejections and fallbacks are stored
per conversation and per day in the engine's SQLite file, and `ottenok usage` prints them with
the estimated cost."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_openai import FakeOpenAI, Status, Structured, Text, tokens
from llm_kit import BOOTS, close_kits, llm_kit

from adapters.llm.usage import Prices, Usage, UsageRecord
from adapters.llm_usage_store import LLMUsageStore
from adapters.sqlite_store import SQLiteStore
from app.cli import main
from ottenok.outcome import TurnOutcome
from ottenok.slots import FillContext, OrderSlots, ProductType

SHOES = OrderSlots(city="Алматы", product=BOOTS, product_type=ProductType.SHOES)
ASK_SIZE = FillContext(state="ask_size", slots=SHOES)


@pytest.fixture(autouse=True)
async def _close_clients():
    yield
    await close_kits()


@pytest.fixture
async def usage_db(tmp_path: Path):
    path = tmp_path / "ottenok.db"
    await (await SQLiteStore.open(path)).close()  # migrations, 0005 included
    store = await LLMUsageStore.open(path)
    yield path, store
    await store.close()


async def test_turns_are_accounted_per_conversation_and_day(usage_db) -> None:
    path, store = usage_db
    outcome = TurnOutcome("chat-a", "ask_color", SHOES.model_copy(update={"size": "37"}))
    async with FakeOpenAI() as server:
        kit = llm_kit(server.base_url, sink=store)
        # 1: served by the rules, no call.
        await kit.filler.fill("37", ASK_SIZE)
        await kit.phraser.phrase(outcome)
        # 2: a reading and a phrasing the guard rejects (an invented price).
        server.push(
            Structured({"intent": "question", "size": "37"}),
            Text("Есть 37 размер, цена 9 990 ₸. Какой цвет?"),
        )
        await kit.filler.fill("а 37 есть? и доставка сколько", ASK_SIZE)
        await kit.phraser.phrase(outcome)
        # 3: in another chat, the endpoint fails.
        server.push(Status(502))
        await kit.filler.fill("а 37 есть? и доставка сколько", ASK_SIZE)
        await kit.phraser.phrase(TurnOutcome("chat-b", "ask_size", SHOES))
    prompt = sum(tokens(json.dumps(r, ensure_ascii=False)) for r in server.requests[:2])

    [day] = (await store.totals("day")).values()
    assert (day.turns, day.rules_only, day.calls) == (3, 1, 3)
    assert day.prompt_tokens == prompt and day.completion_tokens > 0
    assert day.events == {"rejected:price": 1, "fallback:http_502": 1}
    chats = await store.totals("chat_id")
    assert (chats["chat-a"].turns, chats["chat-a"].calls) == (2, 2)
    assert chats["chat-a"].events == {"rejected:price": 1}
    assert (chats["chat-b"].calls, chats["chat-b"].events) == (1, {"fallback:http_502": 1})


async def test_usage_is_bookkeeping_a_broken_store_never_fails_a_turn() -> None:
    class Broken:
        async def add(self, record: UsageRecord) -> None:
            raise OSError("disk full")

    async with FakeOpenAI() as server:
        kit = llm_kit(server.base_url, sink=Broken())
        await kit.filler.fill("37", ASK_SIZE)
        assert await kit.phraser.phrase(TurnOutcome("c", "ask_color", SHOES))


def test_cost_estimate() -> None:
    assert Prices(2.5, 10).cost(1_000_000, 100_000) == pytest.approx(3.5)


async def _seed(path: Path) -> None:
    await (await SQLiteStore.open(path)).close()
    store = await LLMUsageStore.open(path)
    for chat, calls, event in (("77011112233@c.us", 2, "rejected:discount"), ("7702@c.us", 1, "")):
        await store.add(
            UsageRecord(
                "2026-03-01", chat, Usage(
                    turns=1, calls=calls, prompt_tokens=1000 * calls,
                    completion_tokens=100 * calls, events={event: 1} if event else {},
                ),
            )
        )  # fmt: skip
    await store.close()


def test_ottenok_usage_prints_days_conversations_and_cost(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "ottenok.db"
    asyncio.run(_seed(path))
    monkeypatch.setenv("DB_PATH", str(path))
    monkeypatch.setenv("LLM_PRICE_PROMPT_PER_1M", "1")
    monkeypatch.setenv("LLM_PRICE_COMPLETION_PER_1M", "10")
    runner = CliRunner()

    result = runner.invoke(main, ["usage"])
    assert result.exit_code == 0, result.output
    assert "per day:" in result.output and "per conversation:" in result.output
    day_line = next(line for line in result.output.splitlines() if line.startswith("2026-03-01"))
    assert day_line.split()[:6] == ["2026-03-01", "2", "0", "3", "3000", "300"]
    assert "0.0060" in day_line and "rejected:discount 1" in day_line
    assert "77011112233@c.us" in result.output

    data = json.loads(runner.invoke(main, ["usage", "--json"]).output)
    assert data["chat_id"][0]["key"] == "77011112233@c.us"
    assert data["chat_id"][0]["cost"] == pytest.approx((2000 * 1 + 200 * 10) / 1e6)
    later = runner.invoke(main, ["usage", "--since", "2026-03-02"])
    assert "no LLM usage recorded" in later.output
