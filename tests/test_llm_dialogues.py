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
from test_dialogues import DIALOGUES, make_engine, run_dialogue, shops  # noqa: F401 - fixture

from adapters.sqlite_store import SQLiteStore
from app.settings import Settings
from app.wiring import open_llm

MODELS = {"garbage": garbage, "liar": liar}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("path", DIALOGUES, ids=[p.stem for p in DIALOGUES])
async def test_dialogue_with_the_llm(path: Path, model: str, shops, tmp_path: Path) -> None:  # noqa: F811
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    loaded = shops[spec.get("shop", "sample")]
    store = await SQLiteStore.open(tmp_path / "ottenok.db")
    engine = make_engine(loaded, store)
    async with FakeOpenAI(respond=MODELS[model]) as server:
        llm = await open_llm(
            Settings(
                openai_api_key="sk-test", openai_base_url=server.base_url, llm_timeout_seconds=3
            ),
            engine,
            loaded.shop.matcher.colors,
        )
        assert llm is not None
        assert await llm.probe
        llm.client.breaker.threshold = 10**6  # every turn meets the model
        try:
            failures = await run_dialogue(spec, path.stem, loaded, engine)
            [usage] = (await llm.usage.totals("day")).values()
        finally:
            await llm.aclose()
            await store.close()
    assert not failures, f"{path.name} with the {model} model:\n\n" + "\n\n".join(failures)
    # The model met the dialogue, or the rules served every turn of it alone.
    assert usage.calls > 0 or usage.rules_only == usage.turns, usage
    for request in server.requests:  # every request carries the turn's state and its options
        prompt = user_text(request)
        assert "State: " in prompt
        assert "Candidate products:" in prompt or "Draft reply to rewrite:" in prompt
