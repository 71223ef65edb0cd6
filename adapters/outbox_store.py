"""The SQL behind the outbox: outgoing `messages` rows from `pending` to `sent`.

Like the nudge store it runs on its own aiosqlite connection in autocommit mode with
`BEGIN IMMEDIATE` transactions, so several senders (in this process or another on the same
file) lease rows without ever sending one twice. The schema comes from migration 0004.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import datetime
from pathlib import Path

import aiosqlite

from adapters.sqlite_store import SideStore, from_iso, iso
from ottenok.delivery import PendingMessage
from ottenok.messages import Outgoing

COLUMNS = (
    "id, chat_id, kind, text, payload, to_manager, attempts, created_at, ambiguous,"
    " first_attempt_at"
)
HEADS = (
    "UPDATE messages SET lease_owner = ?, lease_until = ?, attempts = attempts + 1,"
    " first_attempt_at = COALESCE(first_attempt_at, ?)"
    " WHERE id IN (SELECT m.id FROM messages AS m WHERE m.status = 'pending'"
    " AND m.id = (SELECT MIN(p.id) FROM messages AS p"
    "             WHERE p.chat_id = m.chat_id AND p.status = 'pending')"
    " AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= ?)"
    " AND (m.lease_until IS NULL OR m.lease_until <= ?)"
    " ORDER BY m.id LIMIT ?)"
    f" RETURNING {COLUMNS}"
)
# Too old to send, and no sender holds it (one in flight finishes, then it is expired).
EXPIRE = (
    "UPDATE messages SET status = 'expired', last_error = 'older than the limit'"
    " WHERE status = 'pending' AND created_at < ? AND (lease_until IS NULL OR lease_until <= ?)"
    f" RETURNING {COLUMNS}"
)


def process_owner() -> str:
    """A lease owner name whose liveness this host can check: `host:pid:random`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _alive_here(owner: str) -> bool:
    """False only for an owner of this host whose process is gone."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutboxStore(SideStore):
    """Implements `ottenok.delivery.OutboxStore`; open with `await OutboxStore.open(path)`."""

    async def lease_heads(
        self, owner: str, now: datetime, until: datetime, limit: int
    ) -> list[PendingMessage]:
        at = iso(now)
        # One statement, atomic in autocommit mode: the write lock is held only while it runs.
        async with self._lock:
            rows = await self.db.execute_fetchall(HEADS, (owner, iso(until), at, at, at, limit))
        return sorted((_pending(row) for row in rows), key=lambda m: m.id)

    async def mark_sent(self, message: PendingMessage, at: datetime, wa_id: str | None) -> None:
        sent = iso(at)
        async with self._immediate():
            await self.db.execute(
                "UPDATE messages SET status = 'sent', sent_at = ?, wa_id = COALESCE(?, wa_id),"
                " lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = ?",
                (sent, wa_id, message.id),
            )
            if message.out.kind == "photo" and message.out.photo_key:
                await self.db.execute(
                    "INSERT OR IGNORE INTO sent_photos VALUES (?, ?, ?)",
                    (message.out.chat_id, message.out.photo_key, sent),
                )

    async def retry_later(
        self, message: PendingMessage, owner: str, at: datetime, error: str, ambiguous: bool
    ) -> None:
        async with self._lock:
            await self.db.execute(
                "UPDATE messages SET next_attempt_at = ?, last_error = ?,"
                " ambiguous = ambiguous + ?, lease_owner = NULL, lease_until = NULL"
                " WHERE id = ? AND lease_owner = ? AND status = 'pending'",
                (iso(at), error, int(ambiguous), message.id, owner),
            )

    async def expire(self, created_before: datetime, now: datetime) -> list[PendingMessage]:
        async with self._lock:
            rows = await self.db.execute_fetchall(EXPIRE, (iso(created_before), iso(now)))
        return sorted((_pending(row) for row in rows), key=lambda m: m.id)

    async def give_up(self, message: PendingMessage, owner: str, status: str, error: str) -> None:
        async with self._lock:
            await self.db.execute(
                "UPDATE messages SET status = ?, last_error = ?, lease_owner = NULL,"
                " lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'",
                (status, error, message.id, owner),
            )

    async def release_dead_leases(self) -> int:
        """Rows leased by a process of this host that died mid-send (a crash, a SIGKILL): sent
        again now rather than when the lease runs out. Returns how many were released."""
        rows = await self.db.execute_fetchall(
            "SELECT DISTINCT lease_owner FROM messages WHERE status = 'pending'"
            " AND lease_owner IS NOT NULL"
        )
        owners = [row[0] for row in rows]
        dead = [owner for owner in owners if not _alive_here(owner)]
        released = 0
        async with self._lock:
            for owner in dead:
                # The dead process may have sent it before it died: check before resending.
                cur = await self.db.execute(
                    "UPDATE messages SET lease_owner = NULL, lease_until = NULL,"
                    " ambiguous = ambiguous + 1 WHERE status = 'pending' AND lease_owner = ?",
                    (owner,),
                )
                released += cur.rowcount
        return released

    async def backlog(self, now: datetime) -> tuple[int, float | None]:
        # Reads run to their end in one call: a read left open across an await would make this
        # connection's next write fail at once (see SQLiteStore).
        [(count, oldest)] = await self.db.execute_fetchall(
            "SELECT COUNT(*), MIN(created_at) FROM messages WHERE status = 'pending'"
        )
        first = from_iso(oldest)
        return count, (now - first).total_seconds() if first else None

    async def delivered_ids(self, chat_id: str, since: datetime) -> set[str]:
        rows = await self.db.execute_fetchall(
            "SELECT wa_id FROM messages WHERE chat_id = ? AND direction = 'out'"
            " AND status = 'sent' AND sent_at >= ? AND wa_id IS NOT NULL",
            (chat_id, iso(since)),
        )
        return {row[0] for row in rows}

    async def rows(self, chat_id: str) -> list[dict[str, object]]:
        """Every outgoing row of a chat, oldest first: for tests and operators."""
        rows = await self.db.execute_fetchall(
            "SELECT * FROM messages WHERE chat_id = ? AND direction = 'out' ORDER BY id",
            (chat_id,),
        )
        return [dict(row) for row in rows]


def _pending(row: aiosqlite.Row) -> PendingMessage:
    payload = json.loads(row["payload"]) if row["payload"] else {}
    path = payload.get("path")
    out = Outgoing(
        chat_id=row["chat_id"],
        kind=row["kind"],
        text=row["text"],
        photo_path=Path(path) if path else None,
        photo_key=payload.get("photo"),
        photo_file_id=payload.get("file_id"),
        to_manager=bool(row["to_manager"]),
    )
    created = from_iso(row["created_at"])
    assert created is not None
    return PendingMessage(
        id=row["id"],
        out=out,
        attempts=row["attempts"],
        created_at=created,
        ambiguous=row["ambiguous"],
        first_attempt_at=from_iso(row["first_attempt_at"]),
    )
