"""`ottenok serve`: start-up in the documented order, the run, and a clean stop.

settings validated → database migrated → shop loaded (knowledge built if missing) → unanswered
messages queued → one HTTP server (/health, /webhook in webhook mode, the sandbox chat when on,
the manager console) and the WhatsApp channel → outbox sender → nudge scheduler; SIGTERM stops
taking messages, lets in-flight turns finish, gives the outbox a moment and closes everything.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import timedelta

from aiohttp import web

from adapters.greenapi import GreenAPIClient
from adapters.greenapi.channel import GreenAPIChannel
from adapters.greenapi.sender import WhatsAppSender
from adapters.nudge_scheduler import NudgeScheduler
from adapters.outbox_store import OutboxStore, process_owner
from adapters.web.transport import ChannelTransport
from app.health import Health
from app.settings import Settings
from app.web import open_web
from app.wiring import close_engine, drive_photos, open_engine, start_nudges
from ottenok.delivery import OutboxSender
from ottenok.engine import Engine

log = logging.getLogger("ottenok.service")

#: On stop, how long the outbox sender may finish its run (what is left is sent at the next
#: start: it is in the database).
SENDER_GRACE_SECONDS = 10.0
MAX_BODY = 2 * 1024 * 1024


def addresses(settings: Settings) -> dict[str, str]:
    """What to open in a browser, by name."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address in a URL
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
    client = whatsapp = service = None
    if settings.whatsapp_configured:
        client = GreenAPIClient(
            settings.green_api_url,
            settings.green_api_media_url,
            settings.green_api_id_instance,
            settings.green_api_token,
            send_tries=1,  # the outbox retries, and checks the journal after an ambiguous failure
        )
        whatsapp = WhatsAppSender(client, drive_photos(settings))
    # Every outbox message leaves through the channel its chat lives on: a sandbox chat never
    # goes to WhatsApp, and WhatsApp's recovery may answer sandbox chats correctly.
    side = await open_web(settings, engine, whatsapp, stopping)
    outbox = await OutboxStore.open(settings.database)
    released = await outbox.release_dead_leases()  # a crash left them mid-send: resume now
    if released:
        log.info("outbox resumes after a crash", extra={"messages": released})
    sender = OutboxSender(
        outbox,
        side.transport,
        max_age=timedelta(hours=settings.outbox_max_age_hours),
        journal_lag=timedelta(seconds=settings.outbox_journal_lag_seconds),
        undelivered=engine.undelivered,
        owner=process_owner(),
    )
    side.attach(sender.wakeup.set)
    if client is not None:
        typing_ms = int(settings.llm_timeout_seconds * 1000) if engine.llm is not None else 0
        service = GreenAPIChannel(
            engine,
            client,
            sender.wakeup.set,
            receive_timeout=settings.green_api_receive_timeout,
            webhook_token=settings.green_api_webhook_token,
            typing_ms=typing_ms,
        )
        service.stopping = stopping
        assert whatsapp is not None  # built with the client
        whatsapp.on_accepted = service.sending_works
        # Unanswered messages from before the last stop queue up first, ahead of anything the
        # channels deliver, so a chat's old message is never answered after its newer one.
        await service.recover()
    elif side.sandbox is not None:
        await side.sandbox.recover()
    health = Health(
        store=engine.store,
        outbox=outbox,
        inventory=engine.inventory,
        knowledge=engine.answerer.scripts is not None,
        channel=service,
        extra={"llm": engine.llm} if engine.llm is not None else {},
    )
    http = web.Application(client_max_size=MAX_BODY)
    http.router.add_get("/health", health.handle)
    if service is not None and not settings.green_api_polling:
        service.add_routes(http)
    side.mount(http)
    runner = web.AppRunner(http)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    sending_stopped = asyncio.Event()
    delivery = asyncio.create_task(sender.run_forever(sending_stopped))
    nudges = await _start_nudges(settings, engine, side.transport)
    poller = None
    if service is not None and settings.green_api_polling:
        poller = asyncio.create_task(service.poll_forever())
    health.ready = True
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
        health.stopping = True
        if poller is not None:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
        await runner.cleanup()
        if service is not None:
            await service.drain()
        await side.drain()
        sending_stopped.set()  # after the last turn: its replies are in the outbox already
        await asyncio.wait({delivery}, timeout=SENDER_GRACE_SECONDS)
        delivery.cancel()
        await asyncio.gather(delivery, return_exceptions=True)
        await outbox.close()
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
    settings: Settings, engine: Engine, sender: ChannelTransport
) -> NudgeScheduler | None:
    if not settings.nudge_enabled:
        return None
    return await start_nudges(
        settings, engine.store, sender, catalog=engine.catalog, llm=engine.llm
    )
