"""An upgrade meets a database made by older code: a copy of it, built with only the first
migrations, is opened by the current SQLiteStore, which migrates it forward keeping every row.
Written against whatever migrations exist, so each new one is checked on arrival."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from adapters import sqlite_store
from adapters.sqlite_store import MIGRATIONS_DIR, SQLiteStore
from ottenok.messages import IncomingMessage

SCRIPTS = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
LATEST = int(SCRIPTS[-1].name[:4])
AT = "2026-03-12T10:15:00.000000Z"
CHAT = "77011234567@c.us"

# Rows as the code of each schema version wrote them: table → (columns, rows).
ROWS_V1: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    "clients": (
        ("chat_id", "phone", "name", "created_at", "last_activity_at", "last_speaker"),
        [(CHAT, "77011234567", "Айгерим", AT, AT, "customer")],
    ),
    "messages": (
        ("chat_id", "direction", "wa_id", "kind", "text", "created_at"),
        [
            (CHAT, "in", "3EB0A1", "text", "Здравствуйте, ботильоны 38 есть?", AT),
            (CHAT, "out", "BAE5A1", "text", "Здравствуйте! Да, есть 😊", AT),
        ],
    ),
    "conversations": (
        ("chat_id", "state", "slots", "turns", "updated_at"),
        [(CHAT, "collecting_size", '{"city": "Шымкент"}', 2, AT)],
    ),
    "orders": (
        (
            "chat_id",
            "phone",
            "status",
            "city",
            "product_name",
            "size",
            "price",
            "created_at",
            "updated_at",
        ),
        [(CHAT, "77011234567", "confirmed", "Шымкент", "Ботильоны", "38", 45900, AT, AT)],
    ),  # fmt: skip
    "handoffs": (("chat_id", "active", "changed_by", "updated_at"), [(CHAT, 1, "shop phone", AT)]),
    "sent_photos": (("chat_id", "photo_key", "sent_at"), [(CHAT, "botilony/black_1.jpg", AT)]),
    "processed_messages": (("wa_id", "processed_at"), [("3EB0A1", AT)]),
}
ROWS_V2 = {
    "nudges": (
        ("chat_id", "step", "text", "status", "created_at", "attempts"),
        [(CHAT, 1, "Айгерим, напоминаю о вашем заказе 😊", "pending", AT, 0)],
    ),
}


# Columns a migration renamed: version → table → {old name: new name} (0003 turned
# `handoffs` into a log whose rows keep their time as `at`).
RENAMED = {3: {"handoffs": {"updated_at": "at"}}}


def columns_at(version: int, table: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The columns as that schema version names them."""
    for since, tables in sorted(RENAMED.items()):
        if version >= since:
            columns = tuple(tables.get(table, {}).get(c, c) for c in columns)
    return columns


def rows_for(version: int) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    rows = ROWS_V1 | (ROWS_V2 if version >= 2 else {})
    return {table: (columns_at(version, table, cols), data) for table, (cols, data) in rows.items()}


async def older_database(path: Path, version: int, folder: Path, monkeypatch) -> None:
    """A database with migrations 0001..`version` applied by the store's own mechanism, and
    rows written as that version's code wrote them."""
    folder.mkdir()
    for script in SCRIPTS:
        if int(script.name[:4]) <= version:
            shutil.copy(script, folder)
    with monkeypatch.context() as patched:
        patched.setattr(sqlite_store, "MIGRATIONS_DIR", folder)
        store = await SQLiteStore.open(path)
        assert await store.schema_version() == version
        await store.close()
    with closing(sqlite3.connect(path)) as db:
        for table, (columns, rows) in rows_for(version).items():
            marks = ", ".join("?" * len(columns))
            db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        db.commit()


# Every version a database can be at (numbers may have gaps while branches land).
@pytest.mark.parametrize("version", sorted({int(s.name[:4]) for s in SCRIPTS} - {LATEST} | {2}))
async def test_an_older_database_migrates_forward_keeping_every_row(tmp_path, monkeypatch, version):
    original = tmp_path / "old.db"
    await older_database(original, version, tmp_path / "old_migrations", monkeypatch)
    copy = tmp_path / "upgraded" / "ottenok.db"
    copy.parent.mkdir()
    shutil.copy(original, copy)

    store = await SQLiteStore.open(copy)
    try:
        assert await store.schema_version() == LATEST
        for table, (columns, rows) in rows_for(version).items():
            names = columns_at(LATEST, table, columns)
            async with store.db.execute(
                f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid"
            ) as cursor:
                assert [tuple(row) for row in await cursor.fetchall()] == rows, table
        async with store.db.execute("PRAGMA integrity_check") as cursor:
            assert (await cursor.fetchone())[0] == "ok"
        async with store.db.execute("PRAGMA foreign_key_check") as cursor:
            assert await cursor.fetchall() == []
        # The old customer message is still known: its redelivery is a duplicate.
        redelivered = IncomingMessage(CHAT, "3EB0A1", "Здравствуйте, ботильоны 38 есть?")
        assert await store.store_incoming(redelivered, "77011234567") is False
    finally:
        await store.close()

    reopened = await SQLiteStore.open(copy)  # a second start applies nothing twice
    try:
        assert await reopened.schema_version() == LATEST
        async with reopened.db.execute("SELECT COUNT(*) FROM schema_migrations") as cursor:
            assert (await cursor.fetchone())[0] == len(SCRIPTS)
    finally:
        await reopened.close()
