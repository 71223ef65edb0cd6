"""The WhatsApp channel between GREEN-API's notifications and the engine, on a real SQLite
file: the shop's phone typing into a chat WhatsApp names by its `@lid`, and a turn that could
not even save its fallback."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from greenapi_emulator import text_body
from shops import write_second_shop

from adapters.greenapi.channel import GreenAPIChannel
from adapters.greenapi.models import WebhookBody
from adapters.sqlite_store import SQLiteStore
from app import wiring
from app.settings import Settings
from ottenok.messages import IncomingMessage
from ottenok.phrasing.templates import Templates

PHONE_CHAT = "77015550606@c.us"
LID = "262146192551936@lid"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=write_second_shop(tmp_path_factory.mktemp("shop")))
    return settings, wiring.load_shop(settings)


@pytest.fixture
async def channel(shop, tmp_path: Path):
    settings, loaded = shop
    store = await SQLiteStore.open(tmp_path / "channel.db")
    engine = wiring.make_engine(
        loaded, store, Templates.load(settings.data_dir), ["77000000009"], retry_pause=0.01
    )
    channel = GreenAPIChannel(engine, client=None, wake=lambda: None, turn_retry_seconds=0.05)
    yield channel
    channel.stopping.set()
    await channel.drain()
    await store.close()


async def settled(channel: GreenAPIChannel) -> None:
    while channel.tasks:
        await asyncio.gather(*channel.tasks)


async def test_the_shop_phone_typing_in_the_lid_chat_takes_over_the_persons_chat(channel):
    """The customer was seen with her phone and her lid together; the manager then types into
    the chat WhatsApp shows by the lid: the phone-based conversation is taken over."""
    first = text_body(PHONE_CHAT, "Здравствуйте, я из Шымкента", "L1")
    first["senderData"]["sender"] = LID
    await channel.dispatch(WebhookBody.model_validate(first))
    await settled(channel)
    typed = text_body(
        LID, "Здравствуйте! Это Дана, менеджер", "L2", type_webhook="outgoingMessageReceived"
    )
    assert await channel.dispatch(WebhookBody.model_validate(typed)) == "manager_typed"
    await settled(channel)
    store = channel.engine.store
    assert (await store.load_conversation(PHONE_CHAT)).state == "handoff"
    assert [m["text"] for m in await store.messages(PHONE_CHAT)][
        -1
    ] == "Здравствуйте! Это Дана, менеджер"
    assert await store.messages(LID) == [] and await store.client(LID) is None


async def test_a_turn_whose_fallback_could_not_be_saved_is_tried_again(channel):
    """The database refused the turn's three tries and its polite fallback: the stored message
    is tried again a little later, not left for the next restart."""
    store = channel.engine.store
    save_turn = store.save_turn
    refused = 0

    async def locked_at_first(turn) -> None:
        nonlocal refused
        if refused < 4:
            refused += 1
            raise sqlite3.OperationalError("database is locked")
        await save_turn(turn)

    store.save_turn = locked_at_first
    msg = IncomingMessage(PHONE_CHAT, "R1", "Здравствуйте, я из Шымкента", "Айгерим")
    assert await channel.engine.receive(msg)
    await channel.process(msg)
    assert not await store.is_processed("R1")
    await settled(channel)
    assert refused == 4 and await store.is_processed("R1")
    replies = [m for m in await store.messages(PHONE_CHAT) if m["direction"] == "out"]
    assert replies and all(m["status"] == "pending" for m in replies)
    assert (await store.load_conversation(PHONE_CHAT)).slots.city == "Шымкент"
