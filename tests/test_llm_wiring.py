"""OpenAI is never required to start or to answer: start-up with a key and a dead endpoint,
embeddings only on request, and a failing embedding call answered by the lexical search."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, user_text
from shops import SAMPLE_DATA

from adapters.chroma_store import KnowledgeStore
from adapters.llm.filler import LLMSlotFiller
from adapters.llm.phraser import LLMPhraser
from app.settings import Settings
from app.wiring import close_engine, load_shop, open_engine
from knowledge.builder import build_knowledge
from knowledge.embeddings import OpenAIEmbedding
from knowledge.shop_files import load_scripts
from ottenok.answers import Answerer
from ottenok.messages import IncomingMessage
from ottenok.phrasing.templates import Templates


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def sample_settings(tmp_path: Path, **llm: object) -> Settings:
    return Settings(
        data_dir=SAMPLE_DATA,
        db_path=tmp_path / "ottenok.db",
        chroma_dir=tmp_path / "chroma",
        photo_index_path=tmp_path / "photo_index.json",
        nudge_enabled=False,
        **llm,
    )


async def test_start_up_with_a_key_and_a_dead_endpoint_serves_offline(tmp_path, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ottenok")
    settings = sample_settings(
        tmp_path, openai_api_key="sk-test", openai_base_url=dead_url(), llm_timeout_seconds=2
    )
    engine = await open_engine(settings)
    try:
        assert isinstance(engine.filler, LLMSlotFiller)
        assert isinstance(engine.phraser, LLMPhraser)
        assert await engine.llm.probe is False  # the background probe at start-up
        status = engine.llm.status()
        assert status["degraded"] and status["last_error"] == "connection"
        chat = "77015550123@c.us"
        texts = ["Здравствуйте! я из Караганды", "а доставка до нас сколько дней идет?", "кеды"]
        for n, text in enumerate(texts):
            started = time.monotonic()
            outgoing = await engine.handle_message(IncomingMessage(chat, f"m{n}", text))
            assert outgoing and all(o.text for o in outgoing if o.kind == "text")
            assert time.monotonic() - started < settings.llm_timeout_seconds + 1
        row = await engine.store.load_conversation(chat)
        assert row.slots.city == "Караганда"
    finally:
        await close_engine(engine)
    failing = [r.getMessage() for r in caplog.records if "endpoint" in r.getMessage()]
    assert len(failing) == 1, failing  # logged once, not per turn
    assert "unreachable (connection)" in failing[0] and "in a row" not in failing[0]


async def test_offline_backend_and_no_key_leave_the_offline_engine(tmp_path) -> None:
    for llm in ({}, {"openai_api_key": "sk-test", "llm_backend": "offline"}):
        engine = await open_engine(sample_settings(tmp_path, **llm))
        try:
            assert engine.llm is None
            assert type(engine.filler).__name__ == "OfflineSlotFiller"
        finally:
            await close_engine(engine)


def test_settings_decide_the_backend() -> None:
    assert not Settings().llm_enabled
    assert Settings(openai_base_url="http://127.0.0.1:11434/v1").llm_enabled
    assert Settings(openai_api_key="sk-test").llm_enabled
    assert not Settings(openai_api_key="sk-test", llm_backend="offline").llm_enabled
    with pytest.raises(ValueError, match="LLM_BACKEND=openai needs"):
        Settings(llm_backend="openai")
    with pytest.raises(ValueError, match="must start with http"):
        Settings(openai_base_url="localhost:11434")


def test_openai_embeddings_are_not_built_at_start_up(tmp_path) -> None:
    settings = sample_settings(
        tmp_path, openai_api_key="sk-test", openai_base_url=dead_url(), embeddings="openai"
    )
    started = time.monotonic()
    shop = load_shop(settings)
    assert shop.knowledge is None and shop.scripts
    assert time.monotonic() - started < 30


async def test_a_failing_embedding_call_falls_back_to_the_lexical_search(tmp_path) -> None:
    question = "а вернуть можно, если не подойдут?"
    async with FakeOpenAI() as server:
        embedding = OpenAIEmbedding(api_key="sk-test", base_url=server.base_url)
        await asyncio.to_thread(build_knowledge, SAMPLE_DATA, tmp_path / "chroma", embedding)
        store = KnowledgeStore(tmp_path / "chroma", embedding)
        scripts = [(s.topic, s.text) for s in load_scripts(SAMPLE_DATA)]
        shop = load_shop(sample_settings(tmp_path))
        answerer = Answerer(shop.catalog, Templates.load(), store, scripts)
        healthy = await answerer.answer(question, None)
        asked = len(server.embedding_requests)

        server.embedding_status = 500
        for _ in range(5):
            assert await answerer.answer(question, None) == healthy
        assert healthy is not None and "14 дней" in healthy
    # Three failures open the breaker: later questions do not wait for the dead endpoint.
    assert len(server.embedding_requests) - asked == 3
    assert embedding.breaker.status()["degraded"]


async def test_the_reading_request_carries_the_conversation_so_far(tmp_path) -> None:
    """The engine hands the LLM the chat's earlier messages (from SQLite), oldest first."""
    async with FakeOpenAI() as server:
        settings = sample_settings(
            tmp_path, openai_api_key="sk-test", openai_base_url=server.base_url
        )
        engine = await open_engine(settings)
        try:
            engine.llm.client.breaker.threshold = 10**6
            chat = "77015550124@c.us"
            texts = [
                "Здравствуйте, я из Караганды",
                "ищу что-нибудь на осень, не слишком дорогое",
                "а что посоветуете под джинсы?",
            ]
            for n, text in enumerate(texts):
                await engine.handle_message(IncomingMessage(chat, f"h{n}", text))
        finally:
            await close_engine(engine)
    readings = [
        user_text(r)
        for r in server.requests
        if "Recent messages" in user_text(r) and f"Customer's message: {texts[2]}" in user_text(r)
    ]
    assert readings, "the last message was read by the LLM"
    prompt = readings[-1]
    assert texts[0] in prompt and texts[1] in prompt
    assert prompt.index(texts[0]) < prompt.index(texts[1])  # oldest first


async def test_whatsapp_shows_typing_only_on_turns_that_wait_for_the_llm(tmp_path) -> None:
    """`ottenok serve` with the LLM on: a greeting the rules answer gets its reply at once, no
    "typing…"; a question the LLM reads gets "typing…" first, once."""
    from greenapi_emulator import GreenAPIEmulator, text_body
    from shops import write_second_shop
    from test_service import CUSTOMER, TOKEN, Running, settings_for, texts_to, wait_for

    shop = write_second_shop(tmp_path / "shop")
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu, FakeOpenAI() as llm:
        settings = settings_for(
            emu, shop, tmp_path / "typing.db", openai_api_key="sk-t", openai_base_url=llm.base_url
        )
        async with Running(settings):
            emu.push(text_body(CUSTOMER, "Здравствуйте!", "T1"))
            await wait_for(lambda: len(texts_to(emu, CUSTOMER)) >= 1)
            after_rules = (list(emu.typing), len(llm.requests))
            emu.push(text_body(CUSTOMER, "а что есть на осень? и доставка сколько идёт?", "T2"))
            await wait_for(lambda: llm.requests and emu.typing)
            await wait_for(lambda: len(texts_to(emu, CUSTOMER)) >= 2)
    assert after_rules == ([], 0)
    assert [t["chatId"] for t in emu.typing] == [CUSTOMER]
    assert emu.typing[0]["typingTime"] == int(settings.llm_timeout_seconds * 1000)
