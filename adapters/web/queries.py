"""The console's read model: plain SQL over the service's database, on a read-only connection.

Reads never queue behind the turns' writes (WAL lets readers run beside the writer), and the
console can never change a conversation by accident. Tables that arrive with later migrations
(`state_changes`, `llm_usage`) are optional: a query over a missing table returns nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from adapters.sqlite_store import connect, from_iso, iso
from adapters.web.channels import phone_of
from ottenok.slots import OrderSlots
from ottenok.states.order import INITIAL, OrderState

TRANSCRIPT_LIMIT = 500
_MESSAGE_COLUMNS = "id, chat_id, direction, wa_id, kind, text, payload, status, created_at"


@dataclass(slots=True)
class ChatSummary:
    chat_id: str
    phone: str | None
    name: str | None
    state: OrderState
    nudge_state: str | None
    nudge_count: int
    last_text: str
    last_kind: str
    last_direction: str | None
    last_at: datetime | None

    @property
    def handoff(self) -> bool:
        return self.state == OrderState.HANDOFF


@dataclass(slots=True)
class MessageRow:
    id: int
    chat_id: str
    direction: str
    wa_id: str | None
    kind: str
    text: str
    at: datetime | None
    photo_key: str | None = None
    nudge_step: int | None = None
    status: str | None = None  # an outgoing message's outbox state: pending, sent, failed…

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "wa_id": self.wa_id,
            "direction": self.direction,
            "kind": self.kind,
            "text": self.text,
            "photo_key": self.photo_key,
            "nudge": self.nudge_step,
            "status": self.status,
            "at": self.at.isoformat() if self.at else None,
        }


@dataclass(slots=True)
class ConversationDetail:
    chat_id: str
    phone: str | None
    name: str | None
    state: OrderState
    previous_state: str | None
    slots: OrderSlots
    nudge_state: str | None
    nudge_count: int
    next_nudge_at: datetime | None
    created_at: datetime | None
    order: dict[str, Any] | None

    @property
    def handoff(self) -> bool:
        return self.state == OrderState.HANDOFF


@dataclass(slots=True)
class StateChange:
    source: str | None
    dest: str
    trigger: str
    reason: str | None
    at: datetime | None


@dataclass(slots=True)
class OrderFilter:
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str = ""

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in (("status", self.status or ""), ("q", self.search)) if v}


@dataclass(slots=True)
class OrderLine:
    id: int
    chat_id: str
    status: str
    phone: str | None
    name: str | None
    city: str | None
    product_name: str | None
    product_type: str | None
    size: str | None
    color: str | None
    address: str | None
    price: int | None
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(slots=True)
class Notice:
    chat_id: str
    text: str
    at: datetime | None


@dataclass(slots=True)
class OrderTotals:
    count: int = 0
    revenue: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


class ConsoleQueries:
    """Open with `await ConsoleQueries.open(db_path)` after the service migrated the file."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    @classmethod
    async def open(cls, path: Path) -> ConsoleQueries:
        db = await connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA busy_timeout=5000")
        return cls(db)

    async def close(self) -> None:
        await self.db.close()

    async def fetch(self, sql: str, params: tuple | list = ()) -> list[aiosqlite.Row]:
        async with self.db.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def data_version(self) -> int:
        """Changes whenever another connection commits: the cheap "anything new?" check."""
        rows = await self.fetch("PRAGMA data_version")
        return int(rows[0][0])

    async def has_table(self, name: str) -> bool:
        rows = await self.fetch(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        )
        return bool(rows)

    # -- conversations ------------------------------------------------------------------------

    async def chats(
        self,
        *,
        search: str = "",
        exclude: list[str] | None = None,
        only: list[str] | None = None,
        limit: int = 200,
    ) -> list[ChatSummary]:
        """Customers by their latest activity, with where their order stands."""
        where, params = ["1 = 1"], []
        if search:
            where.append("(cl.phone LIKE ? OR cl.name LIKE ? OR cl.chat_id LIKE ?)")
            params += [f"%{search}%"] * 3
        if exclude:
            where.append(f"cl.chat_id NOT IN ({', '.join('?' for _ in exclude)})")
            params += exclude
        if only is not None:
            if not only:
                return []
            where.append(f"cl.chat_id IN ({', '.join('?' for _ in only)})")
            params += only
        rows = await self.fetch(
            "SELECT cl.chat_id, cl.phone, cl.name, cl.nudge_state, cl.nudge_count,"
            " cl.last_activity_at, c.state,"
            " m.direction AS last_direction, m.kind AS last_kind, m.text AS last_text,"
            " m.created_at AS last_at"
            " FROM clients cl LEFT JOIN conversations c ON c.chat_id = cl.chat_id"
            " LEFT JOIN messages m ON m.id ="
            " (SELECT MAX(id) FROM messages WHERE chat_id = cl.chat_id)"
            f" WHERE {' AND '.join(where)}"
            " ORDER BY COALESCE(m.created_at, cl.last_activity_at) DESC LIMIT ?",
            [*params, limit],
        )
        return [
            ChatSummary(
                chat_id=row["chat_id"],
                phone=row["phone"] or phone_of(row["chat_id"]),
                name=row["name"],
                state=_state(row["state"]),
                nudge_state=row["nudge_state"],
                nudge_count=row["nudge_count"] or 0,
                last_text=row["last_text"] or "",
                last_kind=row["last_kind"] or "text",
                last_direction=row["last_direction"],
                last_at=from_iso(row["last_at"] or row["last_activity_at"]),
            )
            for row in rows
        ]

    async def conversation(self, chat_id: str) -> ConversationDetail | None:
        rows = await self.fetch(
            "SELECT cl.chat_id, cl.phone, cl.name, cl.nudge_state, cl.nudge_count,"
            " cl.next_nudge_at, cl.created_at, c.state, c.previous_state, c.slots, c.order_id"
            " FROM clients cl LEFT JOIN conversations c ON c.chat_id = cl.chat_id"
            " WHERE cl.chat_id = ?",
            (chat_id,),
        )
        if not rows:
            return None
        row = rows[0]
        order = None
        if row["order_id"] is not None:
            found = await self.fetch("SELECT * FROM orders WHERE id = ?", (row["order_id"],))
            order = dict(found[0]) if found else None
        return ConversationDetail(
            chat_id=row["chat_id"],
            phone=row["phone"] or phone_of(row["chat_id"]),
            name=row["name"],
            state=_state(row["state"]),
            previous_state=row["previous_state"],
            slots=OrderSlots.model_validate_json(row["slots"]) if row["slots"] else OrderSlots(),
            nudge_state=row["nudge_state"],
            nudge_count=row["nudge_count"] or 0,
            next_nudge_at=from_iso(row["next_nudge_at"]),
            created_at=from_iso(row["created_at"]),
            order=order,
        )

    async def transcript(
        self, chat_id: str, after_id: int = 0, limit: int = TRANSCRIPT_LIMIT
    ) -> list[MessageRow]:
        """The chat's messages in order (the newest `limit` when starting from the top)."""
        rows = await self.fetch(
            f"SELECT * FROM (SELECT {_MESSAGE_COLUMNS} FROM messages WHERE chat_id = ?"
            " AND id > ? ORDER BY id DESC LIMIT ?) ORDER BY id",
            (chat_id, after_id, limit),
        )
        return [_message(row) for row in rows]

    async def delivered(
        self, chat_id: str, after_id: int = 0, limit: int = TRANSCRIPT_LIMIT
    ) -> list[MessageRow]:
        """What the customer has seen, in order: the customer's messages and the outgoing ones
        the channel accepted, up to the first one still waiting in the outbox (a page that
        moved past it would never show it)."""
        rows = await self.fetch(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? AND id > ?"
            " AND id < COALESCE((SELECT MIN(id) FROM messages WHERE chat_id = ?"
            " AND direction = 'out' AND status = 'pending'), 9223372036854775807)"
            " AND (direction = 'in' OR status IS NULL OR status = 'sent')"
            " ORDER BY id LIMIT ?",
            (chat_id, after_id, chat_id, limit),
        )
        return [_message(row) for row in rows]

    async def state_changes(self, chat_id: str, limit: int = 50) -> list[StateChange]:
        """The order machine's moves in this chat, newest first (empty before migration 0003)."""
        if not await self.has_table("state_changes"):
            return []
        rows = await self.fetch(
            "SELECT source, dest, trigger, reason, at FROM state_changes WHERE chat_id = ?"
            " ORDER BY id DESC LIMIT ?",
            (chat_id, limit),
        )
        return [
            StateChange(
                row["source"], row["dest"], row["trigger"], row["reason"], from_iso(row["at"])
            )
            for row in rows
        ]

    async def notices(self, manager_chat_ids: list[str], limit: int = 20) -> list[Notice]:
        """What was sent to the managers (order and handoff notices), newest first."""
        if not manager_chat_ids:
            return []
        marks = ", ".join("?" for _ in manager_chat_ids)
        rows = await self.fetch(
            f"SELECT chat_id, text, created_at FROM messages WHERE direction = 'out'"
            f" AND chat_id IN ({marks}) ORDER BY id DESC LIMIT ?",
            [*manager_chat_ids, limit],
        )
        return [Notice(row["chat_id"], row["text"], from_iso(row["created_at"])) for row in rows]

    # -- orders ---------------------------------------------------------------------------------

    async def orders(self, flt: OrderFilter, limit: int | None = 500) -> list[OrderLine]:
        where, params = ["1 = 1"], []
        if flt.status:
            where.append("o.status = ?")
            params.append(flt.status)
        if flt.since:
            where.append("o.updated_at >= ?")
            params.append(iso(flt.since))
        if flt.until:
            where.append("o.updated_at < ?")
            params.append(iso(flt.until))
        if flt.search:
            where.append(
                "(o.phone LIKE ? OR o.chat_id LIKE ? OR cl.name LIKE ? OR o.product_name LIKE ?"
                " OR o.city LIKE ? OR o.address LIKE ?)"
            )
            params += [f"%{flt.search}%"] * 6
        sql = (
            "SELECT o.*, COALESCE(o.phone, cl.phone) AS any_phone, cl.name AS client_name"
            " FROM orders o LEFT JOIN clients cl ON cl.chat_id = o.chat_id"
            f" WHERE {' AND '.join(where)} ORDER BY o.updated_at DESC, o.id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = await self.fetch(sql, params)
        return [
            OrderLine(
                id=row["id"],
                chat_id=row["chat_id"],
                status=row["status"],
                phone=row["any_phone"] or phone_of(row["chat_id"]),
                name=row["client_name"],
                city=row["city"],
                product_name=row["product_name"] or row["product"],
                product_type=row["product_type"],
                size=row["size"],
                color=row["color"],
                address=row["address"],
                price=row["price"],
                created_at=from_iso(row["created_at"]),
                updated_at=from_iso(row["updated_at"]),
            )
            for row in rows
        ]

    async def order_totals(self, since: datetime, until: datetime) -> OrderTotals:
        rows = await self.fetch(
            "SELECT status, COUNT(*) AS n, COALESCE(SUM(price), 0) AS revenue FROM orders"
            " WHERE updated_at >= ? AND updated_at < ? GROUP BY status",
            (iso(since), iso(until)),
        )
        totals = OrderTotals()
        for row in rows:
            totals.by_status[row["status"]] = row["n"]
            if row["status"] == "confirmed":
                totals.count, totals.revenue = row["n"], row["revenue"]
        return totals


def _state(stored: str | None) -> OrderState:
    """A customer whose first message is still being answered has no conversation row yet."""
    return OrderState(stored) if stored else INITIAL


def _message(row: aiosqlite.Row) -> MessageRow:
    payload: dict[str, Any] = {}
    if row["payload"]:
        try:
            payload = json.loads(row["payload"])
        except ValueError:
            payload = {}
    return MessageRow(
        id=row["id"],
        chat_id=row["chat_id"],
        direction=row["direction"],
        wa_id=row["wa_id"],
        kind=row["kind"],
        text=row["text"] or "",
        at=from_iso(row["created_at"]),
        photo_key=payload.get("photo"),
        nudge_step=payload.get("nudge"),
        status=row["status"],
    )
