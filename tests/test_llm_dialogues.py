"""The dialogue suite with the LLM on, against scripted models that misbehave.

Every dialogue that passes offline must pass unchanged when the model:

- answers garbage (broken JSON, wrong types, ids and sizes the shop never had);
- reads messages correctly (the slots are then LLM-filled) but lies in every phrasing: it tells
  each lie of `fake_openai.LIES` in turn, before the draft. No lie may reach the customer, and
  the guard must reject every lie, alone and before the draft, in every phrasing the dialogue
  met (so each lie is forced through every phrasing of the suite);
- is dead (connection refused on every call), or hangs past the turn's budget: every reply
  still comes within the budget (plus a generous allowance for a loaded machine).

(bench/llm.py runs the suite with a model that phrases faithfully.)
"""

from __future__ import annotations

import socket
import time
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fake_openai import LIES, FakeOpenAI, Liar, Structured, garbage, user_text
from test_dialogues import DIALOGUES, make_engine, run_dialogue, shops  # noqa: F401 - fixture

from adapters.llm.usage import COUNTERS, Usage
from adapters.sqlite_store import SQLiteStore
from app.settings import Settings
from app.wiring import LLMParts, open_llm
from ottenok.engine import Engine
from ottenok.phrasing.guard import ReplyFacts

MODELS = ("garbage", "liar", "dead", "slow")
#: The budget of the dead and slow runs, and what a loaded 2-core machine may add to a turn
#: (the offline turn itself). A turn that waited for the hanging server would take `HANG`.
SHORT_BUDGET = 0.5
ALLOWANCE = 5.0
HANG = 30.0


def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def hanging(body: dict[str, Any]) -> Structured:
    return Structured({"intent": "unknown"}, delay=HANG)


def timed(engine: Engine) -> list[float]:
    """Record how long each message takes the engine to answer."""
    durations: list[float] = []
    handle: Callable[..., Awaitable[Any]] = engine.handle_message

    async def handle_timed(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return await handle(*args, **kwargs)
        finally:
            durations.append(time.monotonic() - started)

    engine.handle_message = handle_timed  # type: ignore[method-assign]
    return durations


def recorded_phrasings(llm: LLMParts) -> list[ReplyFacts]:
    """Record the facts of every phrasing the guard judges."""
    seen: list[ReplyFacts] = []
    check = llm.phraser.guard.check

    def recording(reply: str, facts: ReplyFacts) -> Any:
        seen.append(facts)
        return check(reply, facts)

    llm.phraser.guard.check = recording  # type: ignore[method-assign]
    return seen


def total_usage(by_day: dict[str, Usage]) -> Usage:
    """One dialogue's usage, whatever days it spans: a run may cross the shop's midnight."""
    total = Usage()
    for usage in by_day.values():
        for name in COUNTERS:
            setattr(total, name, getattr(total, name) + getattr(usage, name))
        for event, count in usage.events.items():
            total.events[event] = total.events.get(event, 0) + count
    return total


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("path", DIALOGUES, ids=[p.stem for p in DIALOGUES])
async def test_dialogue_with_the_llm(path: Path, model: str, shops, tmp_path: Path) -> None:  # noqa: F811
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    loaded = shops[spec.get("shop", "sample")]
    store = await SQLiteStore.open(tmp_path / "ottenok.db")
    engine = make_engine(loaded, store)
    liar = Liar(start=zlib.crc32(path.stem.encode()))  # each dialogue starts on another lie
    respond = {"garbage": garbage, "liar": liar, "slow": hanging}.get(model)
    budget = SHORT_BUDGET if model in ("dead", "slow") else 3
    async with FakeOpenAI(respond=respond) as server:
        url = refused_url() if model == "dead" else server.base_url
        settings = Settings(
            openai_api_key="sk-test", openai_base_url=url, llm_timeout_seconds=budget
        )
        llm = await open_llm(settings, engine, loaded.shop.matcher.colors)
        assert llm is not None
        assert await llm.probe is (model != "dead")
        if model != "slow":  # every turn meets the model; the slow one meets it as wired
            llm.client.breaker.threshold = 10**6
            llm.client.breaker.record_success()  # the dead one too, as after the cooldown
        phrasings = recorded_phrasings(llm)
        durations = timed(engine)
        chat_id = f"{spec.get('phone', '77015550101')}@c.us"
        try:
            failures = await run_dialogue(spec, path.stem, loaded, engine)
            usage = total_usage(await llm.usage.totals("day"))
            messages = [m["text"] or "" for m in await store.messages(chat_id)]
        finally:
            await llm.aclose()
            await store.close()
    assert not failures, f"{path.name} with the {model} model:\n\n" + "\n\n".join(failures)
    if model in ("dead", "slow"):
        assert max(durations) < budget + ALLOWANCE, durations
        expected = {"connection"} if model == "dead" else {"timeout", "budget", "breaker_open"}
        assert {event.split(":")[1] for event in usage.events} <= expected, usage
        return
    # The model met the dialogue, or the rules served every turn of it alone.
    assert usage.calls > 0 or usage.rules_only == usage.turns, usage
    for request in server.requests:  # every request carries the turn's state and its options
        prompt = user_text(request)
        assert "State: " in prompt
        assert "Candidate products:" in prompt or "Draft reply to rewrite:" in prompt
    if model == "liar":
        assert len(liar.told) == len(phrasings)
        reached = [lie for lie in LIES.values() for text in messages if lie in text]
        assert not reached, reached
        guard = llm.phraser.guard
        del guard.check  # stop recording: the guard's own method again
        for facts in phrasings:
            for name, lie in LIES.items():
                assert not guard.check(lie, facts).ok, (name, facts)
                assert not guard.check(f"{lie} {facts.template}", facts).ok, (name, facts)
