"""Which channel each chat lives on, and the sandbox's chat ids.

WhatsApp chats are the default and are not recorded; the sandbox records every chat it starts
in `chat_channels` (migration 0006), so replies, nudges and manager messages for it never go
out through WhatsApp, even after WhatsApp is connected to the same database.

Sandbox chat ids: `77011234567@c.us`, like a WhatsApp chat, when the sandbox is the only
channel (manager commands and order phones work as for WhatsApp); `77011234567@sandbox` when
WhatsApp runs beside it, so a test chat can never share a real customer's chat.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from adapters.sqlite_store import connect, iso
from ottenok.phones import chat_id_for, normalize_phone

WHATSAPP = "whatsapp"
SANDBOX = "sandbox"
SANDBOX_SUFFIX = "@sandbox"


def sandbox_chat_id(phone: str, only_channel: bool) -> str:
    return chat_id_for(phone) if only_channel else f"{phone}{SANDBOX_SUFFIX}"


def phone_of(chat_id: str) -> str | None:
    """The phone a chat id names: a sandbox chat's id is the one place its phone is kept."""
    if chat_id.endswith(SANDBOX_SUFFIX):
        return chat_id.removesuffix(SANDBOX_SUFFIX)
    return normalize_phone(chat_id)


class ChatTaken(ValueError):
    """The phone already has a real (WhatsApp) conversation in this database."""


class ChannelRegistry:
    """The chat → channel record, cached in memory (it only grows, and only here)."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self._sandbox: set[str] = set()

    @classmethod
    async def open(cls, path: Path) -> ChannelRegistry:
        db = await connect(path)
        await db.execute("PRAGMA busy_timeout=5000")
        registry = cls(db)
        async with db.execute("SELECT chat_id FROM chat_channels") as cur:
            registry._sandbox = {row[0] for row in await cur.fetchall()}
        return registry

    async def close(self) -> None:
        await self.db.close()

    def channel_of(self, chat_id: str) -> str:
        return SANDBOX if chat_id in self._sandbox else WHATSAPP

    def sandbox_chats(self) -> set[str]:
        return set(self._sandbox)

    async def claim_for_sandbox(self, chat_id: str) -> None:
        """Record a new sandbox chat; ChatTaken when a real customer already has this chat."""
        if chat_id in self._sandbox:
            return
        async with self.db.execute("SELECT 1 FROM clients WHERE chat_id = ?", (chat_id,)) as cur:
            if await cur.fetchone() is not None:
                raise ChatTaken(chat_id)
        await self.db.execute(
            "INSERT OR IGNORE INTO chat_channels (chat_id, channel, created_at) VALUES (?, ?, ?)",
            (chat_id, SANDBOX, iso(datetime.now(UTC))),
        )
        await self.db.commit()
        self._sandbox.add(chat_id)
