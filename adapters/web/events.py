"""Live updates: an in-process hub of small events, streamed to pages as Server-Sent Events.

Events are hints, never the record: every page reads what it shows from the database, so a
dropped event or a reconnect costs at most one refresh, never a lost or doubled message.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

CONSOLE = "console"
QUEUE_SIZE = 64


def chat_topic(chat_id: str) -> str:
    return f"chat:{chat_id}"


class EventHub:
    """Fan-out to subscribers; a slow subscriber loses old events, never blocks a publisher."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any] | None]]] = defaultdict(set)
        self.closed = False

    @contextmanager
    def subscribe(self, *topics: str) -> Iterator[asyncio.Queue[dict[str, Any] | None]]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_SIZE)
        for topic in topics:
            self._queues[topic].add(queue)
        try:
            yield queue
        finally:
            for topic in topics:
                self._queues[topic].discard(queue)
                if not self._queues[topic]:
                    del self._queues[topic]

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._queues.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    def close(self) -> None:
        """End every stream (on shutdown), so open pages never hold the server up."""
        self.closed = True
        for queues in list(self._queues.values()):
            for queue in list(queues):
                if queue.full():
                    queue.get_nowait()
                queue.put_nowait(None)


async def next_event(
    queue: asyncio.Queue[dict[str, Any] | None], timeout: float
) -> dict[str, Any] | None | bool:
    """The next event, None when the hub closed, False when `timeout` passed quietly."""
    try:
        return await asyncio.wait_for(queue.get(), timeout)
    except TimeoutError:
        return False


async def open_stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-store",
            "X-Accel-Buffering": "no",  # nginx: pass events through at once
        }
    )
    await response.prepare(request)
    await response.write(b"retry: 2000\n\n")
    return response


async def send_event(
    response: web.StreamResponse, name: str, data: Any, event_id: int | None = None
) -> None:
    """One event; `event_id` comes back as Last-Event-ID when the browser reconnects."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id is not None else ""
    await response.write(f"{head}event: {name}\ndata: {payload}\n\n".encode())
