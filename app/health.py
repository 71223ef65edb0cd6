"""`GET /health`: what each part of the service is doing, and whether customers get answers.

200 with a JSON body naming every component while customers can be answered ("ok", or
"degraded" when something non-essential is off: a broken spreadsheet served from its last good
copy, a missing knowledge store, a failing LLM, an old outbox backlog); 503 when they cannot
(starting or stopping, the database unreadable, WhatsApp not authorized or polling stopped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web

#: An outbox message waiting longer than this makes the service "degraded".
STALE_BACKLOG_SECONDS = 300.0


class Component(Protocol):
    def status(self) -> dict[str, Any]: ...


@dataclass(slots=True)
class Health:
    """Collects the components' states; the service fills it in as it starts."""

    store: Any  # SQLiteStore: `ping()`
    outbox: Any | None = None  # OutboxStore: `backlog(now)`
    inventory: Any | None = None  # ExcelInventory: `path`, `loaded_at`, `last_error`
    knowledge: bool = False
    channel: Component | None = None
    extra: dict[str, Component] = field(default_factory=dict)  # the LLM breaker, …
    ready: bool = False
    stopping: bool = False

    async def report(self) -> tuple[int, dict[str, Any]]:
        now = datetime.now(UTC)
        components: dict[str, dict[str, Any]] = {}
        essential_ok = self.ready and not self.stopping
        degraded = False
        try:
            await self.store.ping()
            components["database"] = {"ok": True}
        except Exception as err:
            components["database"] = {"ok": False, "error": str(err)[:200]}
            essential_ok = False
        if self.channel is not None:
            components["channel"] = self.channel.status()
            essential_ok = essential_ok and bool(components["channel"]["ok"])
        if self.outbox is not None:
            try:
                pending, oldest = await self.outbox.backlog(now)
            except Exception as err:
                components["outbox"] = {"ok": False, "error": str(err)[:200]}
                essential_ok = False
            else:
                fresh = oldest is None or oldest < STALE_BACKLOG_SECONDS
                components["outbox"] = {"ok": fresh, "pending": pending, "oldest_s": oldest}
                degraded = degraded or not fresh
        if self.inventory is not None:
            loaded = self.inventory.loaded_at
            error = self.inventory.last_error
            components["inventory"] = {
                "ok": error is None,
                "file": str(self.inventory.path),
                "age_s": round((now - loaded).total_seconds()) if loaded else None,
                "error": error,
            }
            degraded = degraded or error is not None
        components["knowledge"] = {"ok": self.knowledge}
        degraded = degraded or not self.knowledge
        for name, component in self.extra.items():
            components[name] = component.status()
            degraded = degraded or not components[name].get("ok", True)
        if not essential_ok:
            status = "starting" if not self.ready else "down"
        else:
            status = "degraded" if degraded else "ok"
        return (200 if essential_ok else 503), {"status": status, "components": components}

    async def handle(self, request: web.Request) -> web.Response:
        code, body = await self.report()
        return web.json_response(body, status=code)
