"""SQLite storage (aiosqlite, WAL): messages, clients, conversations, orders, handoffs, photos.

aiosqlite runs every statement on its own thread, so the event loop never waits on disk.
The schema is versioned by numbered SQL files in `adapters/migrations/`, applied on open.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import aiosqlite

from ottenok.messages import IncomingMessage, Outgoing
from ottenok.nudge_track import NudgeSchedule
from ottenok.records import ConversationRow, OrderRow, StateChange, TurnRecord
from ottenok.slots import OrderSlots
from ottenok.states.nudge import NudgeState
from ottenok.states.order import OrderState, Trigger

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: How long a write waits for another connection's transaction before it fails.
BUSY_TIMEOUT_MS = 30000


def iso(moment: datetime) -> str:
    """UTC ISO text with a fixed shape, so that string order is time order in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def outbox_payload(out: Outgoing) -> str | None:
    """What a photo is sent from, kept with the row so a restart can still send it."""
    if out.kind != "photo":
        return None
    path = str(out.photo_path) if out.photo_path is not None else None
    return json.dumps(
        {"photo": out.photo_key, "path": path, "file_id": out.photo_file_id}, ensure_ascii=False
    )


def iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def _change_reason(change: StateChange, turn: TurnRecord) -> str | None:
    """A stock issue explains a step back; a handoff's reason is who moved it."""
    if change.trigger in (Trigger.HANDOFF, Trigger.RELEASE):
        return turn.handoff_by
    return change.reason


async def connect(path: Path | str, **options: Any) -> aiosqlite.Connection:
    """`aiosqlite.connect` whose worker thread cannot keep the process alive.

    aiosqlite's thread is not a daemon, so a connection left open by a crash or a failing test
    would hang interpreter exit. It is marked daemon before it starts (a private attribute,
    checked, so an aiosqlite without it still works).
    """
    connecting = aiosqlite.connect(path, **options)
    worker = getattr(connecting, "_thread", None)
    if worker is not None and not worker.is_alive():
        worker.daemon = True
    return await connecting


class SideStore:
    """A store on a connection of its own to the engine's database file, in autocommit mode,
    writing with `BEGIN IMMEDIATE` (nudges, the outbox, LLM usage): its transactions never mix
    with the engine's, and another process can run the same code on the same file.
    Open a subclass with `await Subclass.open(path)`; `read_only` for previews."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        # One transaction at a time on this connection, even when sends run concurrently.
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str, read_only: bool = False) -> Self:
        if read_only:
            uri = f"file:{Path(path).resolve()}?mode=ro"
            db = await connect(uri, uri=True, isolation_level=None)
        else:
            db = await connect(path, isolation_level=None)
        db.row_factory = aiosqlite.Row
        await db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return cls(db)

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def _immediate(self) -> AsyncIterator[None]:
        """A write transaction that takes SQLite's write lock up front (no upgrade deadlocks)."""
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")


class SQLiteStore:
    """The one storage adapter; open it with `await SQLiteStore.open(path)`."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self.db = db
        self.path = path
        self._writing = asyncio.Lock()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """One write transaction at a time on the shared connection.

        Turns of different chats interleave at every await; without the lock one chat's commit
        would also commit (or its rollback undo) another chat's half-written turn.
        """
        async with self._writing:
            try:
                yield
                await self.db.commit()
            except BaseException:
                await self.db.rollback()
                raise

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        """A read run to its end in one call on the connection's thread.

        A cursor opened in one call and fetched in the next keeps a read snapshot open in
        between; if another turn writes on this shared connection meanwhile, after the outbox's
        own connection committed, SQLite refuses the write at once with "database is locked"
        whatever the busy timeout (a stale snapshot cannot be upgraded to a write).
        """
        return list(await self.db.execute_fetchall(sql, params))

    async def _row(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = await self._rows(sql, params)
        return rows[0] if rows else None

    @classmethod
    async def open(cls, path: Path | str) -> SQLiteStore:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await connect(path)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA foreign_keys=ON")
        store = cls(db, path)
        await store.migrate()
        return store

    async def close(self) -> None:
        await self.db.close()

    async def migrate(self) -> int:
        """Apply every numbered migration the database has not seen; returns the version.

        Missing numbers are applied even below the newest one applied: migrations written on
        parallel branches may land in any order (a database that got 0006 first still gets
        0003 when it arrives).
        """
        await self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        async with self.db.execute("SELECT version FROM schema_migrations") as cur:
            applied = {row[0] for row in await cur.fetchall()}
        for script in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
            version = int(script.name[:4])
            if version in applied:
                continue
            sql = script.read_text(encoding="utf-8")
            await self.db.executescript(
                f"BEGIN;\n{sql}\nINSERT INTO schema_migrations VALUES"
                f" ({version}, '{script.stem}', '{iso(datetime.now(UTC))}');\nCOMMIT;"
            )
            applied.add(version)
        return max(applied, default=0)

    async def ping(self) -> None:
        """Raise when the database cannot be read (for /health)."""
        await self._rows("SELECT 1")

    async def schema_version(self) -> int:
        row = await self._row("SELECT MAX(version) FROM schema_migrations")
        assert row is not None
        return row[0]

    # -- incoming -------------------------------------------------------------------------

    async def store_incoming(self, msg: IncomingMessage, phone: str | None = None) -> bool:
        """Store a customer message first of all; False when this id was stored before.

        The client row learns who spoke last; a reminder decided before this message must not
        go out, so the chat's pending nudge is cancelled in the same transaction. The nudge
        machine's own state moves with the turn (`save_turn`).
        """
        at = iso(msg.timestamp)
        async with self._transaction():
            cur = await self.db.execute(
                "INSERT INTO messages (chat_id, direction, wa_id, kind, text, created_at)"
                " VALUES (?, 'in', ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (msg.chat_id, msg.message_id, msg.kind, msg.text, at),
            )
            is_new = cur.rowcount == 1
            if is_new:
                await self.db.execute(
                    "INSERT INTO clients (chat_id, phone, name, created_at, last_activity_at,"
                    " last_customer_at, last_speaker) VALUES (?, ?, ?, ?, ?, ?, 'customer')"
                    " ON CONFLICT(chat_id) DO UPDATE SET"
                    " name = COALESCE(excluded.name, clients.name),"
                    " phone = COALESCE(excluded.phone, clients.phone),"
                    " last_activity_at = excluded.last_activity_at,"
                    " last_customer_at = excluded.last_customer_at, last_speaker = 'customer'",
                    (msg.chat_id, phone, msg.sender_name, at, at, at),
                )
                await self._cancel_pending_nudges(msg.chat_id, "customer replied")
        return is_new

    async def remember_alias(self, alias: str, chat_id: str) -> None:
        """Another id of the same person (an `@lid`): its messages go to `chat_id`."""
        async with self._transaction():
            await self.db.execute(
                "INSERT INTO chat_aliases VALUES (?, ?, ?) ON CONFLICT(alias) DO UPDATE SET"
                " chat_id = excluded.chat_id, seen_at = excluded.seen_at",
                (alias, chat_id, iso(datetime.now(UTC))),
            )

    async def chat_for_alias(self, alias: str) -> str | None:
        row = await self._row("SELECT chat_id FROM chat_aliases WHERE alias = ?", (alias,))
        return row[0] if row else None

    async def is_processed(self, wa_id: str) -> bool:
        return (
            await self._row("SELECT 1 FROM processed_messages WHERE wa_id = ?", (wa_id,))
            is not None
        )

    async def is_held(self, wa_id: str) -> bool:
        """The message's turn failed for good: it waits for the chat to be given back."""
        row = await self._row(
            "SELECT 1 FROM messages WHERE wa_id = ? AND direction = 'in' AND held IS NOT NULL",
            (wa_id,),
        )
        return row is not None

    async def state_when_processed(self, chat_id: str, wa_id: str) -> OrderState | None:
        """The state a message was answered in (the question it answered); None when it was
        never processed. Read from the transitions: the last one saved before its turn."""
        row = await self._row(
            "SELECT (SELECT s.dest FROM state_changes AS s WHERE s.chat_id = ?"
            " AND s.at < p.processed_at ORDER BY s.id DESC LIMIT 1)"
            " FROM processed_messages AS p WHERE p.wa_id = ?",
            (chat_id, wa_id),
        )
        if row is None:
            return None
        return OrderState(row[0]) if row[0] else OrderState.GREETING

    async def mark_processed(self, wa_id: str) -> None:
        async with self._transaction():
            await self.db.execute(
                "INSERT OR IGNORE INTO processed_messages VALUES (?, ?)",
                (wa_id, iso(datetime.now(UTC))),
            )

    # -- conversations ----------------------------------------------------------------------

    async def load_conversation(self, chat_id: str) -> ConversationRow:
        """The chat's conversation and its client's nudge columns (defaults for a new chat)."""
        row = await self._row(
            "SELECT v.state, v.slots, v.previous_state, v.order_id, v.turns, v.misses, v.offered,"
            " c.nudge_state, c.nudge_count, c.last_nudge_at, c.next_nudge_at"
            " FROM (SELECT ? AS chat_id) AS k"
            " LEFT JOIN conversations AS v ON v.chat_id = k.chat_id"
            " LEFT JOIN clients AS c ON c.chat_id = k.chat_id",
            (chat_id,),
        )
        assert row is not None  # the left join yields one row for any chat
        nudge = NudgeSchedule()
        if row["nudge_state"] is not None:
            nudge = NudgeSchedule(
                NudgeState(row["nudge_state"]),
                row["nudge_count"],
                from_iso(row["last_nudge_at"]),
                from_iso(row["next_nudge_at"]),
            )
        if row["state"] is None:
            return ConversationRow(chat_id, nudge=nudge)
        previous = row["previous_state"]
        return ConversationRow(
            chat_id,
            state=OrderState(row["state"]),
            slots=OrderSlots.model_validate_json(row["slots"]),
            previous_state=OrderState(previous) if previous else None,
            order_id=row["order_id"],
            turns=row["turns"],
            misses=row["misses"],
            offered=json.loads(row["offered"]),
            nudge=nudge,
        )

    async def save_turn(self, turn: TurnRecord) -> None:
        """Write the turn's state, order, replies, photos, nudge columns, transitions and
        processed id atomically."""
        conv = turn.conversation
        at = iso(turn.at)
        async with self._transaction():
            before = await self._stored_state(conv.chat_id)
            if turn.order_status is not None:
                conv.order_id = await self._upsert_order(turn, at)
            await self.db.execute(
                "INSERT INTO conversations (chat_id, state, slots, previous_state, order_id,"
                " turns, misses, offered, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET state = excluded.state,"
                " slots = excluded.slots, previous_state = excluded.previous_state,"
                " order_id = excluded.order_id, turns = excluded.turns,"
                " misses = excluded.misses, offered = excluded.offered,"
                " updated_at = excluded.updated_at",
                (
                    conv.chat_id,
                    conv.state,
                    conv.slots.model_dump_json(),
                    conv.previous_state,
                    conv.order_id,
                    conv.turns,
                    conv.misses,
                    json.dumps(conv.offered),
                    at,
                ),
            )
            await self._insert_outgoing(turn.outgoing, at)
            if any(not out.to_manager for out in turn.outgoing):
                await self.db.execute(
                    "UPDATE clients SET last_bot_at = ?, last_activity_at = ?,"
                    " last_speaker = 'bot' WHERE chat_id = ?",
                    (at, at, conv.chat_id),
                )
            if turn.nudge is not None:
                await self._save_nudge(conv.chat_id, turn.nudge)
            await self._log_handoff(turn, before, at)
            await self.db.executemany(
                "INSERT INTO state_changes (chat_id, source, dest, trigger, reason, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (conv.chat_id, c.source, c.dest, c.trigger, _change_reason(c, turn), at)
                    for c in turn.changes
                ],
            )
            if turn.processed_id is not None:
                await self.db.execute(
                    "INSERT OR IGNORE INTO processed_messages VALUES (?, ?)",
                    (turn.processed_id, at),
                )
            if turn.held_id is not None:
                await self.db.execute(
                    "UPDATE messages SET held = ? WHERE wa_id = ? AND direction = 'in'",
                    (turn.handoff_reason or "held", turn.held_id),
                )

    async def _stored_state(self, chat_id: str) -> OrderState:
        row = await self._row("SELECT state FROM conversations WHERE chat_id = ?", (chat_id,))
        return OrderState(row[0]) if row else OrderState.GREETING

    async def _save_nudge(self, chat_id: str, nudge: NudgeSchedule) -> None:
        """The nudge machine's result; a stopped chat's waiting reminder must not go out."""
        await self.db.execute(
            "UPDATE clients SET nudge_state = ?, nudge_count = ?, last_nudge_at = ?,"
            " next_nudge_at = ? WHERE chat_id = ?",
            (
                nudge.state,
                nudge.count,
                iso_or_none(nudge.last_nudge_at),
                iso_or_none(nudge.next_nudge_at),
                chat_id,
            ),
        )
        if nudge.state == NudgeState.STOPPED:
            await self._cancel_pending_nudges(chat_id, "nudging stopped")

    async def _cancel_pending_nudges(self, chat_id: str, why: str) -> None:
        """A reminder decided before the customer answered (or the order ended) must not go out."""
        await self.db.execute(
            "UPDATE nudges SET status = 'failed', last_error = ? WHERE chat_id = ?"
            " AND status = 'pending'",
            (why, chat_id),
        )

    async def _log_handoff(self, turn: TurnRecord, before: OrderState, at: str) -> None:
        """Who moved the chat into or out of handoff, and why: logged only when it moved, in
        the turn's transaction, so the log can never disagree with the state."""
        conv = turn.conversation
        active = conv.state == OrderState.HANDOFF
        if active == (before == OrderState.HANDOFF):
            return
        await self.db.execute(
            "INSERT INTO handoffs (chat_id, active, changed_by, reason, at) VALUES (?, ?, ?, ?, ?)",
            (conv.chat_id, int(active), turn.handoff_by, turn.handoff_reason, at),
        )

    async def _insert_outgoing(
        self, outgoing: list[Outgoing], at: str, status: str = "pending"
    ) -> None:
        """Outgoing messages: `pending` rows are the outbox (see `ottenok.delivery`)."""
        await self.db.executemany(
            "INSERT INTO messages (chat_id, direction, kind, text, payload, created_at, status,"
            " to_manager, sent_at) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    out.chat_id,
                    out.kind,
                    out.text,
                    outbox_payload(out),
                    at,
                    status,
                    int(out.to_manager),
                    at if status == "sent" else None,
                )
                for out in outgoing
            ],
        )

    async def record_outgoing(
        self, outgoing: list[Outgoing], processed_id: str | None = None
    ) -> None:
        """Queue messages sent outside a customer turn (replies to managers, notices); with
        `processed_id`, the message they answer is marked answered in the same transaction."""
        at = iso(datetime.now(UTC))
        async with self._transaction():
            await self._insert_outgoing(outgoing, at)
            if processed_id is not None:
                await self.db.execute(
                    "INSERT OR IGNORE INTO processed_messages VALUES (?, ?)", (processed_id, at)
                )

    async def record_sent(self, outgoing: list[Outgoing]) -> None:
        """Keep in the transcript what was sent without us (typed on the shop's phone)."""
        async with self._transaction():
            await self._insert_outgoing(outgoing, iso(datetime.now(UTC)), status="sent")

    async def _upsert_order(self, turn: TurnRecord, at: str) -> int:
        conv = turn.conversation
        fields = {
            "status": turn.order_status,
            "phone": turn.phone,
            "city": conv.slots.city,
            "product": conv.slots.product,
            "product_type": conv.slots.product_type,
            "size": conv.slots.size,
            "color": conv.slots.color,
            "address": conv.slots.address,
            **turn.order_fields,
        }
        if conv.order_id is None:
            columns = ", ".join(fields)
            marks = ", ".join("?" for _ in fields)
            cur = await self.db.execute(
                f"INSERT INTO orders (chat_id, {columns}, created_at, updated_at)"
                f" VALUES (?, {marks}, ?, ?)",
                (conv.chat_id, *fields.values(), at, at),
            )
            return int(cur.lastrowid)
        assignments = ", ".join(f"{name} = ?" for name in fields)
        await self.db.execute(
            f"UPDATE orders SET {assignments}, updated_at = ? WHERE id = ?",
            (*fields.values(), at, conv.order_id),
        )
        return conv.order_id

    # -- handoff ------------------------------------------------------------------------------

    async def handoff(self, chat_id: str) -> dict[str, Any] | None:
        """The chat's latest handoff move: active, changed_by, reason, at (None: never)."""
        row = await self._row(
            "SELECT active, changed_by, reason, at FROM handoffs WHERE chat_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (chat_id,),
        )
        return dict(row) if row else None

    # -- photos, clients, orders ------------------------------------------------------------------

    async def sent_photo_keys(self, chat_id: str) -> set[str]:
        """Photos the chat has seen or is about to: delivered ones (recorded on delivery) and
        those still waiting in the outbox. A photo that could not be delivered is not here."""
        rows = await self._rows(
            "SELECT photo_key FROM sent_photos WHERE chat_id = ? UNION"
            " SELECT json_extract(payload, '$.photo') FROM messages WHERE chat_id = ?"
            " AND status = 'pending' AND kind = 'photo'",
            (chat_id, chat_id),
        )
        return {row[0] for row in rows if row[0]}

    async def client(self, chat_id: str) -> dict[str, Any] | None:
        row = await self._row("SELECT * FROM clients WHERE chat_id = ?", (chat_id,))
        return dict(row) if row else None

    async def messages(self, chat_id: str) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT direction, wa_id, kind, text, payload, created_at, status FROM messages"
            " WHERE chat_id = ? ORDER BY id",
            (chat_id,),
        )
        return [dict(row) for row in rows]

    async def recent_messages(
        self, chat_id: str, before: str, limit: int, chars: int
    ) -> list[tuple[str, str]]:
        """The chat's last `limit` texts between the customer and Alina before the incoming
        message `before`, oldest first, as ("customer" | "alina", text): the conversation so
        far, for an LLM reading the next message. Each text is cut to its first `chars`
        characters here, so a huge earlier message is never read whole again."""
        rows = await self._rows(
            "SELECT direction, substr(text, 1, ?) FROM messages WHERE chat_id = ?"
            " AND kind = 'text' AND to_manager = 0 AND text != '' AND id < COALESCE((SELECT id"
            " FROM messages WHERE wa_id = ? AND direction = 'in'), 9223372036854775807)"
            " ORDER BY id DESC LIMIT ?",
            (chars, chat_id, before, limit),
        )
        return [("customer" if d == "in" else "alina", text) for d, text in reversed(rows)]

    async def list_orders(
        self, status: str | None = None, since: datetime | None = None
    ) -> list[OrderRow]:
        query = "SELECT * FROM orders WHERE 1 = 1"
        params: list[Any] = []
        if status:
            query += " AND status = ?"
            params.append(status)
        if since:
            query += " AND updated_at >= ?"
            params.append(iso(since))
        query += " ORDER BY updated_at DESC, id DESC"
        return [OrderRow(**dict(row)) for row in await self._rows(query, params)]

    async def unprocessed_incoming(self, chat_id: str | None = None) -> list[IncomingMessage]:
        """Customer messages stored but never answered (the process died mid-turn, or a turn
        failed for good and the message is held), oldest first; of one chat, or of all."""
        rows = await self._rows(
            "SELECT m.chat_id, m.wa_id, m.text, m.kind, m.created_at, c.name FROM messages m"
            " LEFT JOIN clients c ON c.chat_id = m.chat_id"
            " WHERE m.direction = 'in' AND m.wa_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM processed_messages p WHERE p.wa_id = m.wa_id)"
            " AND (? IS NULL OR m.chat_id = ?) ORDER BY m.id",
            (chat_id, chat_id),
        )
        return [
            IncomingMessage(
                chat_id=row["chat_id"],
                message_id=row["wa_id"],
                text=row["text"],
                sender_name=row["name"],
                kind=row["kind"],
                timestamp=from_iso(row["created_at"]) or datetime.now(UTC),
            )
            for row in rows
        ]
