"""`ottenok serve`: start-up in the documented order, the run, and a clean stop.

settings validated → database migrated → shop loaded (knowledge built if missing) → unanswered
messages queued → one HTTP server (/health, /webhook in webhook mode, the sandbox chat when on,
the manager console) and the WhatsApp channel → nudge scheduler; SIGTERM stops taking
messages, lets in-flight turns finish and closes everything.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from aiohttp import web

from adapters.greenapi import GreenAPIClient
from adapters.greenapi.channel import GreenAPIChannel
from adapters.greenapi.sender import WhatsAppSender
from adapters.nudge_scheduler import NudgeScheduler
from adapters.web.transport import OutgoingRouter
from app.settings import Settings
from app.web import open_web
from app.wiring import close_engine, drive_photos, open_engine, start_nudges
from ottenok.engine import Engine

log = logging.getLogger("ottenok.service")

MAX_BODY = 2 * 1024 * 1024


def addresses(settings: Settings) -> dict[str, str]:
    """What to open in a browser, by name."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    base = f"http://{host}:{settings.port}"
    urls = {"console": f"{base}/manager"}
    if settings.sandbox_enabled:
        urls = {"sandbox": f"{base}/", **urls}
    return urls


async def serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[dict[str, str]], None] | None = None,
) -> None:
    """Start-up in the documented order; runs until SIGTERM/SIGINT (or `stop`), then stops
    cleanly: no new messages are taken, in-flight turns finish, everything is closed."""
    settings.require_serving()
    stopping = stop or asyncio.Event()
    engine = await open_engine(settings)
    client = service = None
    if settings.whatsapp_configured:
        client = GreenAPIClient(
            settings.green_api_url,
            settings.green_api_media_url,
            settings.green_api_id_instance,
            settings.green_api_token,
        )
        sender = WhatsAppSender(client, drive_photos(settings))
        service = GreenAPIChannel(
            engine,
            client,
            sender,
            receive_timeout=settings.green_api_receive_timeout,
            webhook_token=settings.green_api_webhook_token,
        )
        service.stopping = stopping
    side = await open_web(settings, engine, service.sender if service else None, stopping)
    if service is not None:
        # Every channel's turns leave through the router, so a sandbox chat is never sent
        # to WhatsApp (and WhatsApp's recovery may answer sandbox chats correctly).
        service.sender = side.router  # type: ignore[assignment]
        # Unanswered messages from before the last stop queue up first, ahead of anything the
        # channel delivers, so a chat's old message is never answered after its newer one.
        await service.recover()
    elif side.sandbox is not None:
        await side.sandbox.recover()
    ready = False

    async def health(request: web.Request) -> web.Response:
        if ready and not stopping.is_set():
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "starting"}, status=503)

    if service is not None:
        app = service.http_app(webhook=not settings.green_api_polling)
    else:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_get("/health", health)
    side.mount(app)
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    nudges = await _start_nudges(settings, engine, side.router)
    poller = None
    if service is not None and settings.green_api_polling:
        poller = asyncio.create_task(service.poll_forever())
    ready = True
    if service is not None:
        service.ready = True
    mode = "sandbox" if service is None else "polling" if settings.green_api_polling else "webhook"
    log.info("service ready", extra={"mode": mode, "port": settings.port})
    if on_ready is not None:
        on_ready(addresses(settings))
    failure: BaseException | None = None
    try:
        stopped = asyncio.create_task(stopping.wait())
        waiters = {stopped} | ({poller} if poller else set())
        done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if poller in done and poller.exception() is not None:
            failure = poller.exception()
            log.error("polling stopped", extra={"error": str(failure)})
        stopped.cancel()
    finally:
        stopping.set()
        if poller is not None:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
        await runner.cleanup()
        if service is not None:
            await service.drain()
        await side.drain()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        if nudges is not None:
            await nudges.aclose()
        if client is not None:
            await client.close()
        await side.close()
        await close_engine(engine)
        log.info("service stopped")
    if failure is not None:
        raise failure


async def _start_nudges(
    settings: Settings, engine: Engine, sender: OutgoingRouter
) -> NudgeScheduler | None:
    if not settings.nudge_enabled:
        return None
    return await start_nudges(settings, engine.store, sender, catalog=engine.catalog)
