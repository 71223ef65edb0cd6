"""The WhatsApp channel over GREEN-API, in polling or webhook mode.

Every customer message is stored durably before anything else: the webhook answers 200 and the
poller deletes the notification only after the message is in SQLite; the turn itself runs in
the background, one chat strictly in order, different chats concurrently. Messages stored but
never answered (a crash mid-turn) are answered at the next start.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import ValidationError

from adapters.greenapi import AuthError, GreenAPIError, MalformedNotification, QuotaExceeded
from adapters.greenapi.client import redact
from adapters.greenapi.mapping import (
    InstanceAlert,
    classify,
    message_content,
    person_of,
    to_alert,
    to_incoming,
)
from adapters.greenapi.models import WebhookBody, validation_reason
from adapters.llm.turn import llm_calls_announced
from ottenok.engine import Engine
from ottenok.messages import IncomingMessage, Outgoing

log = logging.getLogger("ottenok.service")

MAX_POLL_BACKOFF = 60.0
#: A turn that could not even be saved (the database down) is tried again after this many
#: seconds, doubling up to the cap, for as long as the service runs.
TURN_RETRY_SECONDS = 5.0
MAX_TURN_RETRY_SECONDS = 600.0
SHUTDOWN_GRACE_SECONDS = 30.0
WEBHOOK_LOG_CHARS = 500


class NotStored(Exception):
    """A message could not be stored (the database is busy or down): its notification must
    stay with GREEN-API, which delivers it again."""


class GreenAPIChannel:
    """Receives from GREEN-API (long polling or the webhook) and hands turns to the engine."""

    def __init__(
        self,
        engine: Engine,
        client: Any,
        wake: Callable[[], None],
        *,
        receive_timeout: int = 20,
        webhook_token: str | None = None,
        typing_ms: int = 0,
        turn_retry_seconds: float = TURN_RETRY_SECONDS,
    ) -> None:
        """`typing_ms` > 0 (the LLM path is on): show "typing…" that long on turns that wait
        for the LLM, right before the turn's first LLM request (`llm_calls_announced`). Turns
        the rules answer alone reply at once, and "typing…" before an instant reply looks odd."""
        self.typing_ms = typing_ms
        self.turn_retry_seconds = turn_retry_seconds
        self.receive_timeout = receive_timeout
        self.webhook_token = webhook_token
        self.engine = engine
        self.client = client
        self.wake = wake
        self.tasks: set[asyncio.Task] = set()
        self.alert: InstanceAlert | None = None  # the last unhealthy instance state, if any
        self.last_receive_at: datetime | None = None
        self.poller_failed: str | None = None
        self.stopping = asyncio.Event()

    # -- receiving -------------------------------------------------------------------------

    async def dispatch(self, body: WebhookBody) -> str:
        """Store what must be stored, start the turn in the background; returns the body's kind."""
        kind = classify(body)
        if kind == "customer":
            msg = to_incoming(body)
            if msg is not None:
                try:
                    msg.chat_id = await self._one_chat_per_person(msg.chat_id, msg.lid)
                    fresh = await self.engine.receive(msg)
                except Exception as err:
                    raise NotStored(f"message {msg.message_id} not stored: {err!r}") from err
                if fresh:
                    self._spawn(self.process(msg))
        elif kind == "manager_typed":
            person = person_of(body)
            if person is not None:
                chat_id = await self._one_chat_per_person(person.key, person.lid)
                content = message_content(body.messageData)
                text = content[1] if content else ""
                await self.engine.store.record_sent([Outgoing(chat_id, "text", text)])
                self._spawn(self.engine.take_over(chat_id, by="shop phone"))
        elif kind == "instance":
            self._instance_changed(body)
        else:
            log.debug("ignored notification", extra={"kind": kind, "type": body.typeWebhook})
        return kind

    async def _one_chat_per_person(self, chat_id: str, lid: str | None) -> str:
        """The conversation a message belongs to, the customer's or one typed on the shop's
        phone: a bare `@lid` that was once seen with the person's phone goes to the phone's
        chat."""
        store = self.engine.store
        if lid is None:
            return chat_id
        if chat_id == lid:
            return await store.chat_for_alias(lid) or chat_id
        await store.remember_alias(lid, chat_id)
        return chat_id

    def _instance_changed(self, body: WebhookBody) -> None:
        """WhatsApp itself may be what stopped working: say it in the log and in /health."""
        alert = to_alert(body)
        if alert is None:
            return
        self.alert = None if alert.healthy else alert
        if alert.healthy:
            log.info("whatsapp instance is authorized again")
        else:
            log.error(
                "whatsapp instance alert",
                extra={"kind": alert.kind, "state": alert.state, "detail": alert.detail},
            )

    def sending_works(self) -> None:
        """A send went through: a quota alert is over (changing the plan raises no webhook;
        a bad instance state clears only with its own `authorized`)."""
        if self.alert is not None and self.alert.kind == "quota":
            log.info("whatsapp sends again: quota alert cleared")
            self.alert = None

    async def process(self, msg: IncomingMessage, retries: int = 0) -> None:
        """One stored message's turn; the outbox sender is woken for its replies.

        The engine's own fallback (the polite message, the handoff) needs the database too;
        when even that failed, the stored message is tried again later rather than waiting
        for a restart."""
        started = time.perf_counter()
        try:
            if self.typing_ms:
                with llm_calls_announced(lambda: self._spawn(self._typing(msg.chat_id))):
                    outgoing = await self.engine.process(msg)
            else:
                outgoing = await self.engine.process(msg)
            self.wake()
        except Exception:
            delay = min(MAX_TURN_RETRY_SECONDS, self.turn_retry_seconds * 2**retries)
            extra = {"chat_id": msg.chat_id, "id": msg.message_id, "retry_in_s": delay}
            log.exception("turn failed", extra=extra)
            self._spawn(self._process_later(msg, retries + 1, delay))
            return
        log.info(
            "replied",
            extra={
                "chat_id": msg.chat_id,
                "parts": len(outgoing),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )

    async def _process_later(self, msg: IncomingMessage, retries: int, delay: float) -> None:
        await self._sleep(delay)
        if not self.stopping.is_set():  # else the next start answers it (`recover`)
            await self.process(msg, retries)

    async def _typing(self, chat_id: str) -> None:
        try:
            await self.client.send_typing(chat_id, self.typing_ms)
        except Exception as err:  # a courtesy: never worth a failed turn
            log.debug("typing indicator failed", extra={"chat_id": chat_id, "error": str(err)})

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
        timeout = self.receive_timeout
        while not self.stopping.is_set():
            try:
                notification = await self.client.receive(timeout)
            except MalformedNotification as err:
                log.error("malformed notification dropped", extra={"reason": str(err)})
                await self._delete(err.receipt_id)
                continue
            except (AuthError, QuotaExceeded) as err:
                self.poller_failed = str(err)
                raise
            except (TimeoutError, GreenAPIError, aiohttp.ClientError, OSError) as err:
                log.warning("receive failed, backing off", extra={"error": str(err), "s": delay})
                await self._sleep(delay)
                delay = min(delay * 2, MAX_POLL_BACKOFF)
                continue
            delay = 1.0
            self.last_receive_at = datetime.now(UTC)
            if notification is None:
                continue
            try:
                await self.dispatch(notification.body)
            except NotStored as err:  # kept by GREEN-API: it comes back after the pause
                log.error("store failed, not deleting", extra={"error": str(err), "s": delay})
                await self._sleep(delay)
                delay = min(delay * 2, MAX_POLL_BACKOFF)
                continue
            except Exception:  # a poison notification must not block the queue forever
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

    def add_routes(self, app: web.Application) -> None:
        """The webhook GREEN-API posts to (webhook mode)."""
        app.router.add_post("/webhook", self._webhook)

    def status(self) -> dict[str, Any]:
        """For /health: whether WhatsApp can reach us and we it."""
        alert = self.alert
        return {
            "ok": alert is None and not (self.poller_failed is not None),
            "last_receive_at": self.last_receive_at.isoformat() if self.last_receive_at else None,
            "instance_alert": None if alert is None else f"{alert.state}: {alert.detail}",
            "polling_error": self.poller_failed,
        }

    async def _webhook(self, request: web.Request) -> web.Response:
        """Store a notification GREEN-API posts; any body we cannot use is a 400 with a short
        reason, and is logged (redacted, truncated) so the operator can see what came.

        Parsing is pydantic's own JSON parser, which bounds nesting, so deep JSON is a 400 like
        any other malformed body; a body over the app's `client_max_size` is aiohttp's 413.
        """
        token = self.webhook_token
        if token:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, f"Bearer {token}".encode()):
                return web.json_response({"error": "unauthorized"}, status=401)
        raw = await request.read()
        try:
            body = WebhookBody.model_validate_json(raw)
        except ValidationError as err:
            reason = validation_reason(err)
            log.warning(
                "webhook body rejected", extra={"reason": reason, "body": self._loggable(raw)}
            )
            return web.json_response({"error": reason}, status=400)
        try:
            kind = await self.dispatch(body)
        except NotStored as err:  # GREEN-API resends a notification not answered 200
            log.error("store failed, asking for a resend", extra={"error": str(err)})
            return web.json_response({"error": "temporarily unavailable"}, status=503)
        return web.json_response({"ok": True, "kind": kind})

    def _loggable(self, raw: bytes) -> str:
        """The start of a body, the secrets we know masked before it is cut."""
        text = redact(raw.decode("utf-8", errors="replace"), self.webhook_token or "")
        client_redact = getattr(self.client, "redact", None)
        if callable(client_redact):
            text = client_redact(text)
        return text[:WEBHOOK_LOG_CHARS]

    # -- lifecycle -------------------------------------------------------------------------

    async def drain(self) -> None:
        """Let in-flight turns finish (bounded), so a stop never cuts a reply in half."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=SHUTDOWN_GRACE_SECONDS)
