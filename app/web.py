"""Wiring of the browser side: the sandbox channel, the manager console and the transport that
carries every outbox message to the channel its chat lives on.

`EngineManagerActions` is what the console's buttons call: the manager desk's takeover and
release (with the chat's lock, as `/handoff on|off` from WhatsApp), and a manager's message
queued in the outbox like any reply, so it reaches the customer through the chat's channel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.llm.usage import Prices
from adapters.llm_usage_store import LLMUsageStore
from adapters.web.auth import ConsoleAuth
from adapters.web.channels import ChannelRegistry
from adapters.web.console import PREFIX, Console
from adapters.web.events import EventHub
from adapters.web.media import PhotoFiles, Uploads
from adapters.web.queries import ConsoleQueries
from adapters.web.render import STATIC_DIR, Renderer, security_headers
from adapters.web.sandbox import SandboxChannel
from adapters.web.transport import ChannelTransport, SandboxTransport, WhatsAppTransport
from app.settings import Settings
from app.wiring import drive_photos
from ottenok.diagrams import drawn_groups, mermaid
from ottenok.engine import Engine
from ottenok.messages import Outgoing
from ottenok.phones import chat_id_for


class EngineManagerActions:
    """What the console's buttons do, in the chat's turn order (the chat's lock)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.wake: Callable[[], None] = lambda: None  # the outbox sender's, set by the service

    async def set_handoff(self, chat_id: str, active: bool, by: str) -> None:
        if active:
            await self.engine.take_over(chat_id, by)
        elif await self.engine.release(chat_id, by):
            self.wake()  # messages held by a failed turn were answered

    async def write_to_customer(self, chat_id: str, text: str, by: str) -> None:
        """The manager speaks, so Alina steps aside (as when typing on the shop's phone)."""
        await self.set_handoff(chat_id, True, by)
        await self.engine.store.record_outgoing([Outgoing(chat_id, "text", text)])
        self.wake()


@dataclass(slots=True)
class WebSide:
    hub: EventHub
    registry: ChannelRegistry
    queries: ConsoleQueries
    usage: LLMUsageStore
    transport: ChannelTransport
    console: Console
    actions: EngineManagerActions
    sandbox: SandboxChannel | None

    def attach(self, wake: Callable[[], None]) -> None:
        """Hand the outbox sender's wake-up to whatever queues messages here."""
        self.actions.wake = wake
        if self.sandbox is not None:
            self.sandbox.wake = wake

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
        await self.usage.close()
        await self.registry.close()


async def _to_console(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(f"{PREFIX}/funnel")


async def open_web(
    settings: Settings,
    engine: Engine,
    whatsapp: WhatsAppTransport | None,
    stopping: asyncio.Event,
) -> WebSide:
    """The browser side over an open engine (its database already migrated)."""
    hub = EventHub()
    registry = await ChannelRegistry.open(settings.database)
    queries = await ConsoleQueries.open(settings.database)
    usage = await LLMUsageStore.open(settings.database, read_only=True)
    sandbox_transport = SandboxTransport(hub) if settings.sandbox_enabled else None
    transport = ChannelTransport(registry, hub, whatsapp=whatsapp, sandbox=sandbox_transport)
    renderer = Renderer(ZoneInfo(settings.timezone))
    photos = PhotoFiles(engine.photos, drive_photos(settings))
    uploads = Uploads(settings.database.parent / "sandbox_uploads")
    token = settings.manager_console_token
    auth = ConsoleAuth(token.get_secret_value() if token else None)
    sandbox = None
    if settings.sandbox_enabled:
        sandbox = SandboxChannel(
            engine, registry, hub, queries, renderer, photos, uploads, auth,
            only_channel=not settings.whatsapp_configured, public=not settings.loopback,
            stopping=stopping,
        )  # fmt: skip
    actions = EngineManagerActions(engine)
    console = Console(
        auth,
        queries,
        renderer,
        actions,
        registry,
        hub,
        photos,
        uploads,
        can_reach=transport.can_reach,
        product_name=lambda pid: p.name if (p := engine.catalog.get(pid)) else None,
        diagram=mermaid("order"),
        groups=drawn_groups("order"),
        usage=usage,
        prices=Prices(settings.llm_price_prompt_per_1m, settings.llm_price_completion_per_1m),
        llm_configured=settings.llm_enabled,
        manager_chat_ids=[chat_id_for(phone) for phone in settings.managers],
        channels={"whatsapp": settings.whatsapp_configured, "sandbox": settings.sandbox_enabled},
        stopping=stopping,
    )
    return WebSide(hub, registry, queries, usage, transport, console, actions, sandbox)
