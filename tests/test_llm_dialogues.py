"""The dialogue suite with the LLM on, against scripted models that misbehave.

Every dialogue that passes offline must pass unchanged when the LLM answers garbage (broken
JSON, wrong types, ids and sizes the shop never had), or reads messages correctly (the slots
are then LLM-filled) but phrases replies with invented discounts, prices and confirmations: the
offline reading and the templates must win every time. (A dead endpoint is covered in
test_llm_wiring.py; bench/llm.py runs the suite with a model that phrases faithfully.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fake_openai import FakeOpenAI, garbage, liar, user_text
from test_dialogues import DIALOGUES, check_step, make_engine, shops  # noqa: F401 - fixture

from adapters.sqlite_store import SQLiteStore
from app.settings import Settings
from app.wiring import open_llm
from ottenok.messages import IncomingMessage

MODELS = {"garbage": garbage, "liar": liar}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("path", DIALOGUES, ids=[p.stem for p in DIALOGUES])
async def test_dialogue_with_the_llm(path: Path, model: str, shops, tmp_path: Path) -> None:  # noqa: F811
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings, shop = shops[spec.get("shop", "sample")]
    store = await SQLiteStore.open(tmp_path / "ottenok.db")
    engine = make_engine(settings, shop, store)
    chat_id = f"{spec.get('phone', '77015550101')}@c.us"
    async with FakeOpenAI(respond=MODELS[model]) as server:
        llm = await open_llm(
            Settings(
                openai_api_key="sk-test", openai_base_url=server.base_url, llm_timeout_seconds=3
            ),
            engine,
        )
        assert llm is not None
        assert await llm.probe
        llm.client.breaker.threshold = 10**6  # every turn meets the model
        try:
            for n, step in enumerate(spec["steps"], start=1):
                where = f"{path.name} step {n} ({step['user']!r}) with the {model} model"
                sender = f"{step['sender']}@c.us" if "sender" in step else chat_id
                outgoing = await engine.handle_message(
                    IncomingMessage(sender, f"{path.stem}-{n}", step["user"], spec.get("name"))
                )
                await check_step(step, outgoing, engine, shop, chat_id, sender, where)
            [usage] = (await llm.usage.totals("day")).values()
        finally:
            await llm.aclose()
            await store.close()
    # The model met the dialogue, or the rules served every turn of it alone.
    assert usage.calls > 0 or usage.rules_only == usage.turns, usage
    for request in server.requests:  # every request carries the turn's state and its options
        prompt = user_text(request)
        assert "State: " in prompt
        assert "Candidate products:" in prompt or "Draft reply to rewrite:" in prompt
