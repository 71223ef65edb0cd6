"""Storage on a real SQLite file: migrations, store-first, idempotency, atomic turns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adapters.sqlite_store import SQLiteStore
from ottenok.messages import IncomingMessage, Outgoing
from ottenok.records import TurnRecord
from ottenok.slots import OrderSlots


@pytest.fixture
async def store(tmp_path: Path):
    store = await SQLiteStore.open(tmp_path / "db" / "ottenok.db")
    yield store
    await store.close()


async def test_open_applies_migrations_once_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "ottenok.db"
    first = await SQLiteStore.open(path)
    assert await first.schema_version() == 1
    await first.close()
    second = await SQLiteStore.open(path)
    assert await second.migrate() == 1
    await second.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == 1
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"messages", "clients", "conversations", "orders", "handoffs", "sent_photos",
            "processed_messages"} <= tables  # fmt: skip


async def test_incoming_is_stored_once_and_client_upserted(store: SQLiteStore) -> None:
    msg = IncomingMessage("77011234567@c.us", "WA1", "Здравствуйте", sender_name="Айгерим")
    assert await store.store_incoming(msg, "77011234567")
    assert not await store.store_incoming(msg, "77011234567")
    messages = await store.messages(msg.chat_id)
    assert [(m["direction"], m["wa_id"], m["text"]) for m in messages] == [
        ("in", "WA1", "Здравствуйте")
    ]
    client = await store.client(msg.chat_id)
    assert client["name"] == "Айгерим" and client["phone"] == "77011234567"
    assert client["last_speaker"] == "customer"


async def test_turn_is_saved_atomically_with_order_and_processed_id(store: SQLiteStore) -> None:
    chat = "77011234567@c.us"
    await store.store_incoming(IncomingMessage(chat, "WA2", "Алматы"), "77011234567")
    row = await store.load_conversation(chat)
    assert row.state == "greeting" and row.slots == OrderSlots()
    row.state, row.slots = "confirmed", OrderSlots(city="Алматы", product="p1", address="Абая 1")
    await store.save_turn(
        TurnRecord(
            conversation=row,
            processed_id="WA2",
            outgoing=[Outgoing(chat, "text", "Спасибо, заказ оформлен!")],
            photo_keys=["p1/black_1.jpg"],
            order_status="confirmed",
            order_fields={"product_name": "Сумка", "price": 25000},
            phone="77011234567",
        )
    )
    assert await store.is_processed("WA2")
    again = await store.load_conversation(chat)
    assert again.state == "confirmed" and again.slots.city == "Алматы" and again.order_id
    orders = await store.list_orders("confirmed")
    assert len(orders) == 1 and orders[0].price == 25000 and orders[0].phone == "77011234567"
    assert await store.sent_photo_keys(chat) == {"p1/black_1.jpg"}
    assert (await store.client(chat))["last_speaker"] == "bot"


async def test_failed_turn_leaves_nothing_half_written(store: SQLiteStore) -> None:
    chat = "77011234567@c.us"
    row = await store.load_conversation(chat)
    row.state = "ask_city"
    bad = TurnRecord(conversation=row, processed_id="WA3", order_status="bogus")
    with pytest.raises(sqlite3.IntegrityError):
        await store.save_turn(bad)
    assert not await store.is_processed("WA3")
    assert (await store.load_conversation(chat)).state == "greeting"


async def test_handoff_flag_round_trip(store: SQLiteStore) -> None:
    chat = "77019998877@c.us"
    assert not await store.handoff_active(chat)
    await store.set_handoff(chat, True, by="77000000001")
    assert await store.handoff_active(chat)
    await store.set_handoff(chat, False, by="77000000001")
    assert not await store.handoff_active(chat)
