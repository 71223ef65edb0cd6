"""The SQL behind nudges: the due query, the atomic claim, the leased outbox.

It runs on its own aiosqlite connection in autocommit mode, so its `BEGIN IMMEDIATE`
transactions never mix with the engine's statements on the shared store connection, and a
second process can run the same code on the same file: SQLite's write lock plus conditional
updates decide who wins. The schema comes from `SQLiteStore.open` (migration 0002).
"""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from adapters.sqlite_store import SideStore, from_iso, iso, iso_or_none
from ottenok.nudges import DueChat, NudgeDecision, PendingNudge
from ottenok.slots import OrderSlots
from ottenok.states.nudge import NudgeState
from ottenok.states.order import OrderState

DUE_QUERY = (
    "SELECT c.chat_id, c.name, c.nudge_state, c.nudge_count, c.next_nudge_at,"
    " c.last_nudge_at, c.last_bot_at, c.last_speaker, v.state AS conversation_state, v.slots"
    " FROM clients AS c"
    " LEFT JOIN conversations AS v ON v.chat_id = c.chat_id"
    " WHERE c.next_nudge_at IS NOT NULL AND c.next_nudge_at <= ?"
    " ORDER BY c.next_nudge_at LIMIT ?"
)


class NudgeStore(SideStore):
    """Implements `ottenok.nudges.NudgeOutbox`; open with `await NudgeStore.open(path)`."""

    # -- deciding ----------------------------------------------------------------------------

    async def due(self, now: datetime, limit: int) -> list[DueChat]:
        """Chats whose next nudge check is due: one range scan of the partial index."""
        rows = await self.db.execute_fetchall(DUE_QUERY, (iso(now), limit))
        return [_due_chat(row) for row in rows]

    async def explain_due(self, now: datetime, limit: int) -> list[str]:
        """The due query's plan, so a benchmark can show the index is used."""
        async with self.db.execute(f"EXPLAIN QUERY PLAN {DUE_QUERY}", (iso(now), limit)) as cur:
            return [row["detail"] for row in await cur.fetchall()]

    async def claim(self, decisions: list[NudgeDecision], now: datetime) -> list[NudgeDecision]:
        """Apply the decisions whose client rows are unchanged since the due query.

        Each is a conditional UPDATE on exactly the values the decision was made from; a nudge
        is inserted into the outbox in the same transaction. A concurrent tick, a customer
        reply or a new bot turn changes the row, so that decision is dropped, not applied twice.
        """
        won = []
        async with self._immediate():
            for decision in decisions:
                chat = decision.chat
                query = (
                    "UPDATE clients SET nudge_state = ?, nudge_count = ?, last_nudge_at = ?,"
                    " next_nudge_at = ? WHERE chat_id = ? AND nudge_state = ?"
                    " AND nudge_count = ? AND next_nudge_at = ?"
                )
                params: list[object] = [
                    decision.state,
                    decision.count,
                    iso_or_none(decision.last_nudge_at),
                    iso_or_none(decision.next_nudge_at),
                    chat.chat_id,
                    chat.nudge_state,
                    chat.nudge_count,
                    iso(chat.next_nudge_at),
                ]
                if decision.step is not None:
                    query += (
                        " AND NOT EXISTS (SELECT 1 FROM nudges"
                        " WHERE chat_id = ? AND status = 'pending')"
                    )
                    params.append(chat.chat_id)
                cur = await self.db.execute(query, params)
                if cur.rowcount != 1:
                    continue
                if decision.step is not None:
                    await self.db.execute(
                        "INSERT INTO nudges (chat_id, step, text, created_at, nudge_state)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (chat.chat_id, decision.step, decision.text, iso(now), decision.state),
                    )
                won.append(decision)
        return won

    # -- sending -----------------------------------------------------------------------------

    async def lease_pending(
        self, owner: str, now: datetime, until: datetime, limit: int
    ) -> list[PendingNudge]:
        """Take up to `limit` pending rows nobody holds (or whose holder's lease ran out)."""
        async with self._immediate():
            async with self.db.execute(
                "UPDATE nudges SET lease_owner = ?, lease_until = ?, attempts = attempts + 1"
                " WHERE id IN (SELECT id FROM nudges WHERE status = 'pending'"
                " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id LIMIT ?)"
                " RETURNING id, chat_id, step, text, attempts, created_at, nudge_state",
                (owner, iso(until), iso(now), limit),
            ) as cur:
                rows = await cur.fetchall()
        return sorted((_pending(row) for row in rows), key=lambda nudge: nudge.id)

    async def mark_sent(
        self,
        nudge: PendingNudge,
        sent_at: datetime,
        wa_id: str | None,
        next_nudge_at: datetime | None,
    ) -> None:
        """Record the delivered nudge as the bot's last word and schedule the next check.

        The client row moves on only if it still waits for this very nudge (the customer may
        have answered while it was in flight).
        """
        at = iso(sent_at)
        async with self._immediate():
            await self.db.execute(
                "UPDATE nudges SET status = 'sent', sent_at = ?, wa_id = ?, lease_owner = NULL,"
                " lease_until = NULL WHERE id = ?",
                (at, wa_id, nudge.id),
            )
            await self.db.execute(
                "INSERT INTO messages (chat_id, direction, wa_id, kind, text, payload, created_at,"
                " status, sent_at) VALUES (?, 'out', ?, 'text', ?, ?, ?, 'sent', ?)",
                (nudge.chat_id, wa_id, nudge.text, json.dumps({"nudge": nudge.step}), at, at),
            )
            await self.db.execute(
                "UPDATE clients SET last_bot_at = ?, last_activity_at = ?, last_speaker = 'bot',"
                " last_nudge_at = ?, next_nudge_at = ? WHERE chat_id = ? AND nudge_state = ?"
                " AND nudge_count = ? AND next_nudge_at IS NULL",
                (
                    at,
                    at,
                    at,
                    iso_or_none(next_nudge_at),
                    nudge.chat_id,
                    nudge.nudge_state,
                    nudge.step,
                ),
            )

    async def release(
        self, nudge: PendingNudge, owner: str, error: str, retry_at: datetime, give_up: bool
    ) -> None:
        """A failed send: back to pending until `retry_at`, or failed for good."""
        async with self._immediate():
            await self.db.execute(
                "UPDATE nudges SET status = ?, lease_owner = NULL, lease_until = ?,"
                " last_error = ? WHERE id = ? AND lease_owner = ? AND status = 'pending'",
                ("failed" if give_up else "pending", iso(retry_at), error, nudge.id, owner),
            )

    # -- reading -----------------------------------------------------------------------------

    async def pending(self) -> list[PendingNudge]:
        """Nudges waiting to be sent (for the preview); none before migration 0002 ran."""
        async with self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'nudges'"
        ) as cur:
            if await cur.fetchone() is None:
                return []
        async with self.db.execute(
            "SELECT id, chat_id, step, text, attempts, created_at, nudge_state FROM nudges"
            " WHERE status = 'pending' ORDER BY id"
        ) as cur:
            return [_pending(row) for row in await cur.fetchall()]

    async def outbox(self, chat_id: str | None = None) -> list[dict[str, object]]:
        """Every outbox row (of one chat), oldest first: for tests and operators."""
        query = "SELECT * FROM nudges"
        params: tuple[str, ...] = ()
        if chat_id is not None:
            query += " WHERE chat_id = ?"
            params = (chat_id,)
        async with self.db.execute(query + " ORDER BY id", params) as cur:
            return [dict(row) for row in await cur.fetchall()]


def _due_chat(row: aiosqlite.Row) -> DueChat:
    next_at = from_iso(row["next_nudge_at"])
    assert next_at is not None  # the due query selects only rows with a next_nudge_at
    return DueChat(
        chat_id=row["chat_id"],
        name=row["name"],
        nudge_state=NudgeState(row["nudge_state"]),
        nudge_count=row["nudge_count"],
        next_nudge_at=next_at,
        last_nudge_at=from_iso(row["last_nudge_at"]),
        last_bot_at=from_iso(row["last_bot_at"]),
        bot_spoke_last=row["last_speaker"] == "bot",
        conversation_state=_order_state(row["conversation_state"]),
        slots=OrderSlots.model_validate_json(row["slots"]) if row["slots"] else OrderSlots(),
    )


def _pending(row: aiosqlite.Row) -> PendingNudge:
    created = from_iso(row["created_at"])
    assert created is not None
    return PendingNudge(
        id=row["id"],
        chat_id=row["chat_id"],
        step=row["step"],
        text=row["text"],
        attempts=row["attempts"],
        created_at=created,
        nudge_state=NudgeState(row["nudge_state"]),
    )


def _order_state(value: str | None) -> OrderState | None:
    return OrderState(value) if value is not None else None
