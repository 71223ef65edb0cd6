"""`ottenok serve`: the WhatsApp service over GREEN-API, in polling or webhook mode.

Every customer message is stored durably before anything else: the webhook answers 200 and the
poller deletes the notification only after the message is in SQLite; the turn itself runs in
the background, one chat strictly in order, different chats concurrently. Messages stored but
never answered (a crash mid-turn) are answered at the next start.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
import time
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import ValidationError

from adapters.greenapi import AuthError, GreenAPIError, MalformedNotification, QuotaExceeded
from adapters.greenapi.mapping import classify, message_content, to_incoming
from adapters.greenapi.models import WebhookBody
from adapters.outbound import WhatsAppSender
from ottenok.chat_locks import ChatLocks
from ottenok.config import Settings
from ottenok.engine import Engine
from ottenok.messages import IncomingMessage, Outgoing
from ottenok.phones import normalize_phone

log = logging.getLogger("ottenok.service")

MAX_POLL_BACKOFF = 60.0
SHUTDOWN_GRACE_SECONDS = 30.0


class Service:
    def __init__(
        self, settings: Settings, engine: Engine, client: Any, sender: WhatsAppSender
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.client = client
        self.sender = sender
        self.locks = ChatLocks()
        self.tasks: set[asyncio.Task] = set()
        self.ready = False
        self.stopping = asyncio.Event()

    # -- receiving -------------------------------------------------------------------------

    async def dispatch(self, body: WebhookBody) -> str:
        """Store what must be stored, start the turn in the background; returns the body's kind."""
        kind = classify(body)
        if kind == "customer":
            msg = to_incoming(body)
            if msg is not None:
                await self.engine.store.store_incoming(msg, normalize_phone(msg.chat_id))
                self._spawn(self.process(msg))
        elif kind == "manager_typed":
            chat_id = body.senderData.chatId if body.senderData else None
            if chat_id:
                content = message_content(body.messageData)
                text = content[1] if content else ""
                await self.engine.store.record_outgoing([Outgoing(chat_id, "text", text)])
                self._spawn(self.engine.take_over(chat_id, by="shop phone"))
        else:
            log.debug("ignored notification", extra={"kind": kind, "type": body.typeWebhook})
        return kind

    async def process(self, msg: IncomingMessage) -> None:
        """One turn and its sending, in order within the chat."""
        async with self.locks.hold(msg.chat_id):
            started = time.perf_counter()
            try:
                outgoing = await self.engine.handle_message(msg)
                sent = await self.sender.send(outgoing)
            except Exception:
                log.exception("turn failed", extra={"chat_id": msg.chat_id, "id": msg.message_id})
                return
            log.info(
                "replied",
                extra={
                    "chat_id": msg.chat_id,
                    "parts": sent,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def recover(self) -> int:
        """Answer messages that were stored but never processed before the last stop."""
        pending = await self.engine.store.unprocessed_incoming()
        for msg in pending:
            self._spawn(self.process(msg))
        if pending:
            log.info("recovering unanswered messages", extra={"count": len(pending)})
        return len(pending)

    async def poll_forever(self) -> None:
        """Long-poll, store, then delete; survive network errors and the gateway's 5xx."""
        delay = 1.0
        timeout = self.settings.green_api_receive_timeout
        while not self.stopping.is_set():
            try:
                notification = await self.client.receive(timeout)
            except MalformedNotification as err:
                log.error("malformed notification dropped", extra={"reason": str(err)})
                await self._delete(err.receipt_id)
                continue
            except (AuthError, QuotaExceeded):
                raise
            except (TimeoutError, GreenAPIError, aiohttp.ClientError, OSError) as err:
                log.warning("receive failed, backing off", extra={"error": str(err), "s": delay})
                await self._sleep(delay)
                delay = min(delay * 2, MAX_POLL_BACKOFF)
                continue
            delay = 1.0
            if notification is None:
                continue
            try:
                await self.dispatch(notification.body)
            except Exception:
                log.exception("notification could not be handled; dropping it")
            await self._delete(notification.receiptId)

    async def _delete(self, receipt_id: int) -> None:
        try:
            await self.client.delete(receipt_id)
        except (TimeoutError, GreenAPIError, aiohttp.ClientError, OSError) as err:
            log.warning("delete failed; it will come back", extra={"error": str(err)})

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    # -- HTTP ------------------------------------------------------------------------------

    def http_app(self, webhook: bool) -> web.Application:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_get("/health", self._health)
        if webhook:
            app.router.add_post("/webhook", self._webhook)
        return app

    async def _health(self, request: web.Request) -> web.Response:
        if self.ready and not self.stopping.is_set():
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "starting"}, status=503)

    async def _webhook(self, request: web.Request) -> web.Response:
        token = self.settings.green_api_webhook_token
        if token:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, f"Bearer {token}".encode()):
                return web.json_response({"error": "unauthorized"}, status=401)
        try:
            data = await request.json()
        except ValueError:
            return web.json_response({"error": "body is not JSON"}, status=400)
        try:
            body = WebhookBody.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            return web.json_response({"error": f"{where}: {first['msg']}"}, status=400)
        kind = await self.dispatch(body)
        return web.json_response({"ok": True, "kind": kind})

    # -- lifecycle -------------------------------------------------------------------------

    async def drain(self) -> None:
        """Let in-flight turns finish (bounded), so a stop never cuts a reply in half."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=SHUTDOWN_GRACE_SECONDS)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Start-up in the documented order; runs until SIGTERM/SIGINT (or `stop`), then stops
    cleanly: no new messages are taken, in-flight turns finish, everything is closed."""
    from adapters.bootstrap import close_engine, open_engine
    from adapters.greenapi import GreenAPIClient

    settings.require_whatsapp()
    engine = await open_engine(settings)
    client = GreenAPIClient(
        settings.green_api_url,
        settings.green_api_media_url,
        settings.green_api_id_instance,
        settings.green_api_token,
    )
    drive = None
    if settings.google_drive_photos_folder_id:
        from adapters.gdrive_photos import DrivePhotoSource

        drive = DrivePhotoSource.from_settings(settings)
    service = Service(settings, engine, client, WhatsAppSender(client, drive))
    if stop is not None:
        service.stopping = stop
    # Unanswered messages from before the last stop queue up first, ahead of anything the
    # channel delivers, so a chat's old message is never answered after its newer one.
    await service.recover()
    runner = web.AppRunner(service.http_app(webhook=not settings.green_api_polling))
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, service.stopping.set)
    nudges = await _start_nudges(settings, engine, service.sender)
    poller = None
    if settings.green_api_polling:
        poller = asyncio.create_task(service.poll_forever())
    service.ready = True
    mode = "polling" if settings.green_api_polling else "webhook"
    log.info("service ready", extra={"mode": mode, "port": settings.port})
    failure: BaseException | None = None
    try:
        stop = asyncio.create_task(service.stopping.wait())
        waiters = {stop} | ({poller} if poller else set())
        done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if poller in done and poller.exception() is not None:
            failure = poller.exception()
            log.error("polling stopped", extra={"error": str(failure)})
        stop.cancel()
    finally:
        service.stopping.set()
        if poller is not None:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
        await runner.cleanup()
        await service.drain()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        if nudges is not None:
            await nudges.aclose()
        await client.close()
        await close_engine(engine)
        log.info("service stopped")
    if failure is not None:
        raise failure


async def _start_nudges(settings: Settings, engine: Engine, sender: WhatsAppSender) -> Any:
    if not settings.nudge_enabled:
        return None
    from adapters.nudge_scheduler import start_nudges

    return await start_nudges(settings, engine.store, sender, catalog=engine.catalog)
