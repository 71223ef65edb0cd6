"""Wiring of the browser side: the sandbox channel, the manager console and the outgoing router
that sends every chat's messages through the channel it lives on.

`EngineManagerActions` is the console's bridge to today's engine: handoff on is
`engine.take_over`, handoff off the engine's `/handoff off`, and a manager's message is sent
through the router and then stored. When the engine gains a handoff method and the durable
outbox (issues 9 and 12) this class shrinks to two calls.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.web.auth import ConsoleAuth
from adapters.web.channels import ChannelRegistry
from adapters.web.console import PREFIX, Console
from adapters.web.events import EventHub, chat_topic
from adapters.web.media import PhotoFiles, Uploads
from adapters.web.queries import ConsoleQueries
from adapters.web.render import STATIC_DIR, Renderer, security_headers
from adapters.web.sandbox import SandboxChannel
from adapters.web.transport import OutgoingRouter, SandboxTransport, TurnSender
from app.settings import Settings
from app.wiring import drive_photos
from ottenok.commands import Command
from ottenok.diagrams import mermaid
from ottenok.engine import Engine
from ottenok.messages import Outgoing
from ottenok.phones import chat_id_for


class EngineManagerActions:
    """What the console's buttons do, in the chat's turn order (the engine's chat lock)."""

    def __init__(self, engine: Engine, router: OutgoingRouter, hub: EventHub) -> None:
        self.engine = engine
        self.router = router
        self.hub = hub

    async def set_handoff(self, chat_id: str, active: bool, by: str) -> None:
        if active:
            await self.engine.take_over(chat_id, by)
            return
        async with self.engine.locks.hold(chat_id):
            if not await self.engine.store.handoff_active(chat_id):
                return
            phone = chat_id.split("@", 1)[0]
            await self.engine._handoff_command(Command("handoff_off", phone=phone), chat_id, by)

    async def write_to_customer(self, chat_id: str, text: str, by: str) -> None:
        """The manager speaks, so Alina steps aside (as when typing on the shop's phone)."""
        await self.set_handoff(chat_id, True, by)
        await self.router.send_text(chat_id, text)
        await self.engine.store.record_outgoing([Outgoing(chat_id, "text", text)])
        self.hub.publish(chat_topic(chat_id), {"type": "delivered"})


@dataclass(slots=True)
class WebSide:
    hub: EventHub
    registry: ChannelRegistry
    queries: ConsoleQueries
    router: OutgoingRouter
    console: Console
    sandbox: SandboxChannel | None

    def mount(self, app: web.Application) -> None:
        """Add the sandbox (when on), the console and the shared static files to `app`."""
        app.middlewares.append(security_headers)
        app.router.add_static("/static", STATIC_DIR, append_version=False)
        if self.sandbox is not None:
            self.sandbox.add_routes(app)
        app.router.add_get(PREFIX, _to_console)
        app.add_subapp(PREFIX, self.console.app())

        async def end_streams(_: web.Application) -> None:
            self.hub.close()

        app.on_shutdown.append(end_streams)

    async def drain(self) -> None:
        if self.sandbox is not None:
            await self.sandbox.drain()

    async def close(self) -> None:
        self.hub.close()
        await self.queries.close()
        await self.registry.close()


async def _to_console(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(f"{PREFIX}/funnel")


async def open_web(
    settings: Settings, engine: Engine, whatsapp: TurnSender | None, stopping: asyncio.Event
) -> WebSide:
    """The browser side over an open engine (its database already migrated)."""
    hub = EventHub()
    registry = await ChannelRegistry.open(settings.database)
    queries = await ConsoleQueries.open(settings.database)
    transport = SandboxTransport(hub) if settings.sandbox_enabled else None
    router = OutgoingRouter(registry, hub, whatsapp=whatsapp, sandbox=transport)
    renderer = Renderer(ZoneInfo(settings.timezone))
    photos = PhotoFiles(engine.photos, drive_photos(settings))
    uploads = Uploads(settings.database.parent / "sandbox_uploads")
    sandbox = None
    if settings.sandbox_enabled:
        sandbox = SandboxChannel(
            engine, registry, router, hub, queries, renderer, photos, uploads,
            only_channel=not settings.whatsapp_configured, stopping=stopping,
        )  # fmt: skip
    token = settings.manager_console_token
    console = Console(
        ConsoleAuth(token.get_secret_value() if token else None),
        queries,
        renderer,
        EngineManagerActions(engine, router, hub),
        registry,
        hub,
        photos,
        uploads,
        can_reach=router.can_reach,
        product_name=lambda pid: p.name if (p := engine.catalog.get(pid)) else None,
        diagram=mermaid("order"),
        manager_chat_ids=[chat_id_for(phone) for phone in settings.managers],
        channels={"whatsapp": settings.whatsapp_configured, "sandbox": settings.sandbox_enabled},
        stopping=stopping,
    )
    return WebSide(hub, registry, queries, router, console, sandbox)
