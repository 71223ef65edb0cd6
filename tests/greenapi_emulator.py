"""A loopback GREEN-API for tests: the calls our client makes, served by aiohttp on 127.0.0.1.

It checks the instance id and token like the real service (wrong token → 401, wrong instance →
403), records what was sent, keeps a FIFO notification queue whose head comes back until deleted,
refuses polling with a 400 echoing the path while a webhook URL is set, answers sends with a 400
while the instance is not authorized (`state`) or the chat id is malformed, and can fail or stall
the next calls of a method on demand (`fail_next`, also "deliver, then fail"). Bodies are built
with `text_body`, `file_body`, `status_body`.

Faults as a gateway has them: `inject(method, FaultRates(...))` makes a share of that method's
calls answer 500, 429 (with `Retry-After`), hang past the client's timeout, or deliver and then
answer 500 or hang (the ambiguous failures), drawn from a seeded RNG per method so a test sees
the same faults on every run. The journals (`lastOutgoingMessages`, `getChatHistory`) list what
was really delivered, in GREEN-API's shape, at its ~1 request/s per instance (429 beyond that),
optionally `journal_lag` seconds late as the documentation warns.

    async with GreenAPIEmulator(id_instance="1101000001", token="secret-token") as emu:
        client = GreenAPIClient(emu.api_url, emu.media_url, emu.id_instance, emu.token)
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import os
import random
import re
import socket
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

MEDIA_PREFIX = "media"
WID = "77000000001@c.us"
JOURNAL_METHODS = frozenset({"lastoutgoingmessages", "getchathistory"})
SEND_METHODS = frozenset({"sendmessage", "sendfilebyupload", "sendfilebyurl"})
CHAT_ID_RE = re.compile(r"\d{5,15}@c\.us|[\d-]+@g\.us|\d+@lid")


@dataclass
class _Failure:
    status: int
    body: Any
    delay: float
    headers: dict[str, str] | None = None
    deliver: bool = False  # do the call's work first, then answer `status`


@dataclass(frozen=True)
class FaultRates:
    """The chances (each 0..1, together at most 1) that one call of a method fails each way.

    `error_500`, `error_429` and `timeout` deliver nothing; `error_500_after_delivery` and
    `timeout_after_delivery` do the call's work (a message is recorded as sent) and then answer
    500 or hang: the failures a client cannot tell from the others. A timeout hangs for
    `hang_seconds`, which a test sets past its client's `request_timeout`.
    """

    error_500: float = 0.0
    error_429: float = 0.0
    timeout: float = 0.0
    error_500_after_delivery: float = 0.0
    timeout_after_delivery: float = 0.0
    retry_after: str = "1"
    hang_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not 0 <= sum(self._chances().values()) <= 1:
            raise ValueError("fault rates must add up to at most 1")

    def _chances(self) -> dict[str, float]:
        return {
            "500": self.error_500,
            "429": self.error_429,
            "timeout": self.timeout,
            "500_after_delivery": self.error_500_after_delivery,
            "timeout_after_delivery": self.timeout_after_delivery,
        }

    def draw(self, rng: random.Random) -> str | None:
        """The fault for one call ("500", "429", "timeout", "500_after_delivery",
        "timeout_after_delivery"), or None when it goes through."""
        roll = rng.random()
        for kind, chance in self._chances().items():
            if roll < chance:
                return kind
            roll -= chance
        return None


class GreenAPIEmulator:
    """One emulated instance. `max_wait` caps how long an empty long poll waits (the client's
    receiveTimeout is at least 5 s); `echo_sent` queues an outgoingAPIMessageReceived for every
    message sent, like an instance with outgoing webhooks on. `seed` seeds the fault draws,
    `journal_interval` is the journals' rate limit (seconds between requests) and
    `journal_lag` how long a message takes to appear in them."""

    def __init__(
        self,
        id_instance: str = "1101000001",
        token: str = "secret-token",
        *,
        max_wait: float | None = None,
        echo_sent: bool = False,
        seed: int = 0,
        journal_interval: float = 1.0,
        journal_lag: float = 0.0,
    ) -> None:
        self.id_instance = str(id_instance)
        self.token = token
        self.max_wait = max_wait
        self.echo_sent = echo_sent
        self.seed = seed
        self.journal_interval = journal_interval
        self.journal_lag = journal_lag
        self.state = "authorized"
        self.webhook_url = ""
        self.sent: list[dict[str, Any]] = []
        self.typing: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.faults: list[tuple[str, str]] = []
        self.refused: list[str] = []  # sends answered 400 because the instance was not authorized
        self.journal_refusals = 0
        self.receive_timeouts: list[int] = []
        self.queue: deque[tuple[int, dict[str, Any]]] = deque()
        self._history: list[tuple[float, dict[str, Any]]] = []
        self._receipts = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._rates: dict[str, FaultRates] = {}
        self._rngs: dict[str, random.Random] = {}
        self._journal_last: float | None = None
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ---- life cycle ------------------------------------------------------------------------

    async def __aenter__(self) -> GreenAPIEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # No access log: it would print request lines, token included, into the test logs.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        self._arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_url(self) -> str:
        return self.base_url

    @property
    def media_url(self) -> str:
        return f"{self.base_url}/{MEDIA_PREFIX}"

    # ---- test controls ---------------------------------------------------------------------

    def push(self, body: dict[str, Any]) -> int:
        """Queue a notification body; returns its receipt id. A customer's message also enters
        its chat's history, as on the real instance."""
        receipt_id = next(self._receipts)
        self.queue.append((receipt_id, body))
        self._arrived.set()
        self._remember_incoming(body)
        return receipt_id

    def inject(self, method: str, rates: FaultRates) -> None:
        """From now on, fail calls of `method` at these rates (replacing earlier rates)."""
        key = method.lower()
        self._rates[key] = rates
        self._rngs.setdefault(key, random.Random(f"{self.seed}/{key}"))

    def clear_faults(self) -> None:
        self._rates.clear()

    def fail_next(
        self,
        method: str,
        status: int = 429,
        times: int = 1,
        body: Any = None,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
        deliver: bool = False,
    ) -> None:
        """Answer the next `times` calls of `method` with `status` (after `delay` seconds);
        `deliver`: a send is delivered first, so the failure is one a client cannot tell."""
        answer = body if body is not None else {"code": status, "message": f"emulated {status}"}
        for _ in range(times):
            failure = _Failure(status, answer, delay, headers, deliver)
            self._failures[method.lower()].append(failure)

    def stall_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next `times` calls of `method` for `seconds` before answering normally:
        longer than the client's request_timeout, it makes the client time out."""
        for _ in range(times):
            self._failures[method.lower()].append(_Failure(0, None, seconds))

    def count(self, method: str) -> int:
        """How many requests `method` received, failed ones included."""
        return sum(1 for name in self.calls if name == method.lower())

    # ---- the protocol ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        parts = [part for part in request.path.split("/") if part]
        media = bool(parts) and parts[0] == MEDIA_PREFIX
        if media:
            parts = parts[1:]
        if len(parts) < 3 or not parts[0].startswith("waInstance"):
            return web.json_response({"message": "not found"}, status=404)
        instance = parts[0].removeprefix("waInstance")
        method, token, tail = parts[1].lower(), parts[2], parts[3:]
        self.calls.append(method)
        if token != self.token:
            return web.json_response({"message": "Unauthorized"}, status=401)
        if instance != self.id_instance:
            return web.json_response({"message": "Forbidden"}, status=403)
        failures = self._failures[method]
        failure = failures.popleft() if failures else None
        if failure is not None:
            await asyncio.sleep(failure.delay)
            if failure.status and not failure.deliver:
                return web.json_response(
                    failure.body, status=failure.status, headers=failure.headers
                )
        if (method == "sendfilebyupload") != media:
            return web.json_response({"message": "wrong host for this method"}, status=404)
        handler = self._handlers().get((request.method, method))
        if handler is None:
            return web.json_response({"message": "method not emulated"}, status=404)
        if method in SEND_METHODS and self.state != "authorized":
            self.refused.append(method)
            return web.json_response(
                {"code": 400, "message": f"Instance is {self.state}"}, status=400
            )
        if failure is not None and failure.deliver:
            await handler(request, tail)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        if method in JOURNAL_METHODS and self._journal_throttled():
            return web.json_response(
                {"code": 429, "message": "Too Many Requests"},
                status=429,
                headers={"Retry-After": "1"},
            )
        rates = self._rates.get(method)
        fault = rates.draw(self._rngs[method]) if rates is not None else None
        if rates is None or fault is None:
            return await handler(request, tail)
        self.faults.append((method, fault))
        if fault == "429":
            return web.json_response(
                {"code": 429, "message": "Too Many Requests"},
                status=429,
                headers={"Retry-After": rates.retry_after},
            )
        if fault == "500":
            return web.json_response({"code": 500, "message": "emulated 500"}, status=500)
        if fault == "timeout":
            await asyncio.sleep(rates.hang_seconds)
            return web.json_response({"code": 504, "message": "Gateway Timeout"}, status=504)
        response = await handler(request, tail)  # delivered; now the answer goes wrong
        if fault == "timeout_after_delivery":
            await asyncio.sleep(rates.hang_seconds)
            return response
        return web.json_response({"code": 500, "message": "emulated 500"}, status=500)

    def _journal_throttled(self) -> bool:
        """About 1 request/s per instance for the journals; a refused request does not count."""
        now = time.monotonic()
        if self._journal_last is not None and now - self._journal_last < self.journal_interval:
            self.journal_refusals += 1
            return True
        self._journal_last = now
        return False

    def _handlers(self) -> dict[tuple[str, str], Any]:
        return {
            ("POST", "sendmessage"): self._send_message,
            ("POST", "sendfilebyurl"): self._send_file_by_url,
            ("POST", "sendfilebyupload"): self._send_file_by_upload,
            ("GET", "receivenotification"): self._receive,
            ("DELETE", "deletenotification"): self._delete,
            ("GET", "getstateinstance"): self._state,
            ("GET", "getsettings"): self._get_settings,
            ("POST", "setsettings"): self._set_settings,
            ("POST", "sendtyping"): self._send_typing,
            ("GET", "lastoutgoingmessages"): self._last_outgoing,
            ("POST", "getchathistory"): self._chat_history,
        }

    async def _send_message(self, request: web.Request, _tail: list[str]) -> web.Response:
        body = await request.json()
        if not CHAT_ID_RE.fullmatch(str(body.get("chatId"))):
            return _bad_chat_id()
        return self._record_sent(
            {"method": "sendMessage", "chatId": body["chatId"], "message": body["message"]}
        )

    async def _send_file_by_url(self, request: web.Request, _tail: list[str]) -> web.Response:
        body = await request.json()
        if not CHAT_ID_RE.fullmatch(str(body.get("chatId"))):
            return _bad_chat_id()
        return self._record_sent(
            {
                "method": "sendFileByUrl",
                "chatId": body["chatId"],
                "urlFile": body["urlFile"],
                "fileName": body["fileName"],
                "caption": body.get("caption"),
            }
        )

    async def _send_file_by_upload(self, request: web.Request, _tail: list[str]) -> web.Response:
        form = await request.post()
        if not CHAT_ID_RE.fullmatch(str(form.get("chatId"))):
            return _bad_chat_id()
        upload = form["file"]
        content = upload.file.read() if isinstance(upload, web.FileField) else b""
        return self._record_sent(
            {
                "method": "sendFileByUpload",
                "chatId": form["chatId"],
                "fileName": form["fileName"],
                "caption": form.get("caption"),
                "size": len(content),
            }
        )

    def _record_sent(self, entry: dict[str, Any]) -> web.Response:
        id_message = f"BAE5{next(self._message_ids):012X}"
        entry["idMessage"] = id_message
        self.sent.append(entry)
        self._history.append((time.time(), _journal_entry(entry, self.media_url)))
        if self.echo_sent:
            text = entry.get("message") or entry.get("caption") or ""
            self.push(
                text_body(
                    entry["chatId"], text, id_message, type_webhook="outgoingAPIMessageReceived"
                )
            )
        answer = {"idMessage": id_message}
        if entry["method"] == "sendFileByUpload":
            answer["urlFile"] = f"{self.media_url}/files/{id_message}"
        return web.json_response(answer)

    async def _receive(self, request: web.Request, _tail: list[str]) -> web.Response:
        if self.webhook_url:
            # Like the real service: refused, and the answer echoes the path (token included).
            return web.json_response(
                {
                    "code": 400,
                    "message": "Receiving is impossible: a custom webhook url is set",
                    "path": request.path,
                },
                status=400,
            )
        wait = int(request.query.get("receiveTimeout", "5"))
        self.receive_timeouts.append(wait)
        if not 5 <= wait <= 60:
            return web.json_response({"message": "receiveTimeout must be 5..60"}, status=400)
        if self.max_wait is not None:
            wait = min(wait, self.max_wait)
        deadline = time.monotonic() + wait
        while not self.queue and (left := deadline - time.monotonic()) > 0:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                break
        if not self.queue:
            return web.Response(text="null", content_type="application/json")
        receipt_id, body = self.queue[0]
        return web.json_response({"receiptId": receipt_id, "body": body})

    async def _delete(self, _request: web.Request, tail: list[str]) -> web.Response:
        if len(tail) != 1 or not tail[0].isdigit():
            return web.json_response({"message": "receiptId is required"}, status=400)
        receipt_id = int(tail[0])
        for item in self.queue:
            if item[0] == receipt_id:
                self.queue.remove(item)
                return web.json_response({"result": True})
        return web.json_response({"result": False})

    async def _send_typing(self, request: web.Request, _tail: list[str]) -> web.Response:
        body = await request.json()
        typing_time = body.get("typingTime", 1000)
        if not isinstance(typing_time, int) or not 1000 <= typing_time <= 20000:
            return web.json_response({"message": "typingTime must be 1000..20000"}, status=400)
        self.typing.append(
            {"chatId": body["chatId"], "typingTime": typing_time, "type": body.get("typingType")}
        )
        return web.Response(status=200)  # GREEN-API answers an empty body

    async def _last_outgoing(self, request: web.Request, _tail: list[str]) -> web.Response:
        minutes = request.query.get("minutes", "1440")
        if not minutes.isdigit():
            return web.json_response({"message": "minutes must be an integer"}, status=400)
        since = time.time() - int(minutes) * 60
        entries = [e for at, e in self._visible() if at >= since and e["type"] == "outgoing"]
        return web.json_response(entries)

    async def _chat_history(self, request: web.Request, _tail: list[str]) -> web.Response:
        body = await request.json()
        chat_id, count = body.get("chatId"), body.get("count", 100)
        if not isinstance(chat_id, str) or not isinstance(count, int) or count < 1:
            return web.json_response({"message": "chatId and a count are required"}, status=400)
        entries = [e for _, e in self._visible() if e["chatId"] == chat_id]
        return web.json_response(entries[:count])

    def _visible(self) -> list[tuple[float, dict[str, Any]]]:
        """The journal as GREEN-API lists it: newest first, `journal_lag` seconds behind."""
        now = time.time()
        shown = [(at, e) for at, e in self._history if at + self.journal_lag <= now]
        return sorted(shown, key=lambda item: item[0], reverse=True)

    def _remember_incoming(self, body: dict[str, Any]) -> None:
        sender = body.get("senderData")
        data = body.get("messageData")
        if body.get("typeWebhook") != "incomingMessageReceived" or not isinstance(sender, dict):
            return
        data = data if isinstance(data, dict) else {}
        text = (data.get("textMessageData") or {}).get("textMessage")
        entry = {
            "type": "incoming",
            "idMessage": body.get("idMessage"),
            "timestamp": body.get("timestamp"),
            "typeMessage": data.get("typeMessage"),
            "chatId": sender.get("chatId"),
            "senderId": sender.get("sender"),
            "senderName": sender.get("senderName"),
            **({"textMessage": text} if text is not None else {}),
        }
        self._history.append((time.time(), entry))

    async def _state(self, _request: web.Request, _tail: list[str]) -> web.Response:
        return web.json_response({"stateInstance": self.state})

    async def _get_settings(self, _request: web.Request, _tail: list[str]) -> web.Response:
        return web.json_response(
            {"wid": WID, "webhookUrl": self.webhook_url, "incomingWebhook": "yes"}
        )

    async def _set_settings(self, request: web.Request, _tail: list[str]) -> web.Response:
        body = await request.json()
        if "webhookUrl" in body:
            self.webhook_url = body["webhookUrl"]
        return web.json_response({"saveSettings": True})


def _bad_chat_id() -> web.Response:
    return web.json_response(
        {"code": 400, "message": "Validation failed. Details: 'chatId' is invalid"}, status=400
    )


def _journal_entry(sent: dict[str, Any], media_url: str) -> dict[str, Any]:
    """A sent message as the journals show it: texts with a link become extendedTextMessage."""
    entry: dict[str, Any] = {
        "type": "outgoing",
        "idMessage": sent["idMessage"],
        "timestamp": int(time.time()),
        "chatId": sent["chatId"],
        "statusMessage": "sent",
        "sendByApi": True,
    }
    if sent["method"] == "sendMessage":
        text = sent["message"]
        if "http://" in text or "https://" in text:
            entry["typeMessage"] = "extendedTextMessage"
            entry["extendedTextMessage"] = {"text": text, "description": "", "title": ""}
        else:
            entry["typeMessage"] = "textMessage"
            entry["textMessage"] = text
        return entry
    mime = mimetypes.guess_type(sent["fileName"])[0] or "application/octet-stream"
    entry["typeMessage"] = "imageMessage" if mime.startswith("image/") else "documentMessage"
    entry["downloadUrl"] = sent.get("urlFile") or f"{media_url}/files/{sent['idMessage']}"
    entry["caption"] = sent.get("caption") or ""
    entry["fileName"] = sent["fileName"]
    entry["mimeType"] = mime
    return entry


class RecordedSleep:
    """Stands in for asyncio.sleep: remembers the delays, waits for nothing."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def post_webhook(url: str, body: Any, token: str | None = None) -> int:
    """POST a body to a webhook the way GREEN-API does; returns the HTTP status."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as response,
    ):
        await response.read()
        return response.status


# ---- body builders -------------------------------------------------------------------------


def message_body(
    chat_id: str,
    message_data: dict[str, Any],
    id_message: str,
    sender_name: str = "Айгерим",
    type_webhook: str = "incomingMessageReceived",
    timestamp: int | None = None,
    id_instance: str = "1101000001",
) -> dict[str, Any]:
    """A message notification envelope around `message_data`. In a group the sender is a
    participant, not the chat."""
    sender = "77011234567@c.us" if chat_id.endswith("@g.us") else chat_id
    if type_webhook != "incomingMessageReceived":
        sender = WID
    return {
        "typeWebhook": type_webhook,
        "instanceData": {"idInstance": int(id_instance), "wid": WID, "typeInstance": "whatsapp"},
        "timestamp": int(time.time()) if timestamp is None else timestamp,
        "idMessage": id_message,
        "senderData": {
            "chatId": chat_id,
            "chatName": sender_name,
            "sender": sender,
            "senderName": sender_name,
            "senderContactName": "",
        },
        "messageData": message_data,
    }


def text_body(
    chat_id: str,
    text: str,
    id_message: str,
    sender_name: str = "Айгерим",
    type_webhook: str = "incomingMessageReceived",
    timestamp: int | None = None,
) -> dict[str, Any]:
    data = {"typeMessage": "textMessage", "textMessageData": {"textMessage": text}}
    return message_body(chat_id, data, id_message, sender_name, type_webhook, timestamp)


def file_body(
    chat_id: str,
    id_message: str,
    type_message: str = "imageMessage",
    caption: str = "",
    file_name: str = "photo.jpg",
    mime_type: str = "image/jpeg",
    sender_name: str = "Айгерим",
    type_webhook: str = "incomingMessageReceived",
    timestamp: int | None = None,
) -> dict[str, Any]:
    """A media message (image, video, document, audio, sticker) with an optional caption."""
    data = {
        "typeMessage": type_message,
        "fileMessageData": {
            "downloadUrl": f"https://do-media-7103.fra1.digitaloceanspaces.com/7103000000/{id_message}.bin",
            "caption": caption,
            "fileName": file_name,
            "jpegThumbnail": "",
            "mimeType": mime_type,
        },
    }
    return message_body(chat_id, data, id_message, sender_name, type_webhook, timestamp)


def status_body(
    chat_id: str,
    id_message: str,
    status: str = "delivered",
    send_by_api: bool = True,
    timestamp: int | None = None,
) -> dict[str, Any]:
    return {
        "typeWebhook": "outgoingMessageStatus",
        "instanceData": {"idInstance": 1101000001, "wid": WID, "typeInstance": "whatsapp"},
        "timestamp": int(time.time()) if timestamp is None else timestamp,
        "idMessage": id_message,
        "chatId": chat_id,
        "status": status,
        "sendByApi": send_by_api,
    }


def quota_body(timestamp: int | None = None) -> dict[str, Any]:
    """The `quotaExceeded` notice GREEN-API sends when the plan's quota is used up."""
    return {
        "typeWebhook": "quotaExceeded",
        "instanceData": {"idInstance": 1101000001, "wid": WID, "typeInstance": "whatsapp"},
        "timestamp": int(time.time()) if timestamp is None else timestamp,
        "quotaData": {"description": "Monthly quota has been exceeded", "method": "sendMessage"},
    }


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_env(
    emu: GreenAPIEmulator, data_dir: Path, db: Path, token: str, **extra: str
) -> dict[str, str]:
    """The environment of `ottenok serve` in a process of its own, polling the emulator. The
    emulator's journal is never late: a send cut off by a kill is checked at once."""
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DB_PATH": str(db),
        "GREEN_API_URL": emu.api_url,
        "GREEN_API_MEDIA_URL": emu.media_url,
        "GREEN_API_ID_INSTANCE": emu.id_instance,
        "GREEN_API_TOKEN": token,
        "GREEN_API_RECEIVE_TIMEOUT": "5",
        "NUDGE_ENABLED": "0",
        "OUTBOX_JOURNAL_LAG_SECONDS": "0",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        **extra,
    }
