"""One lock per chat: a chat's messages run strictly in order, different chats concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ChatLocks:
    """Locks created on demand and dropped when no turn waits on them (no leak per customer).

    asyncio.Lock wakes waiters in FIFO order, so turns of one chat keep arrival order.
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, chat_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._users[chat_id] = self._users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[chat_id] -= 1
            if self._users[chat_id] == 0:
                del self._users[chat_id]
                del self._locks[chat_id]

    def __len__(self) -> int:
        return len(self._locks)
