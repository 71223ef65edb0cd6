"""The sandbox: a WhatsApp-like chat in the browser, one more channel beside GREEN-API.

A page writes as a customer (any phone and name); the message is stored first, then the turn
runs in the background through the same engine, storage and outgoing router as WhatsApp, and
the page sees Alina's parts arrive over Server-Sent Events, with the typing indicator while a
turn runs. Voice notes and images (with or without a caption) arrive as WhatsApp would deliver
them: an image's caption is read as text, a voice note gets the polite request to write.

Who may write: anyone on this machine while the service is bound to loopback and the request
is addressed to a loopback name. Bound to any other address (or reached through a proxy under
another name) the sandbox is a chat the whole internet could use, with 2 MB uploads, so it
then answers only a manager logged in to the console (the same token and cookie).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from adapters.web.auth import ConsoleAuth, host_is_loopback
from adapters.web.channels import (
    SANDBOX,
    SANDBOX_SUFFIX,
    ChannelRegistry,
    ChatTaken,
    phone_of,
    sandbox_chat_id,
)
from adapters.web.events import (
    CONSOLE,
    EventHub,
    chat_topic,
    next_event,
    open_stream,
    send_event,
)
from adapters.web.media import PhotoFiles, Uploads, photo_path
from adapters.web.queries import ConsoleQueries, MessageRow
from adapters.web.render import Handler, Renderer
from ottenok.engine import Engine
from ottenok.messages import IncomingMessage
from ottenok.phones import normalize_phone

log = logging.getLogger("ottenok.sandbox")

MAX_TEXT = 4000
MAX_NAME = 60
CLIENT_ID_RE = re.compile(r"^[0-9a-f]{32}$")
#: How often an open chat page checks the database for news (`PRAGMA data_version`: no query
#: runs unless something was committed). The outbox marks a message sent only after its
#: transport returned, so the transport's own event can come a moment too early.
POLL_SECONDS = 0.25
PHOTOS = "/sandbox/photos"
UPLOADS = "/sandbox/uploads"
SHUTDOWN_GRACE_SECONDS = 30.0


def _bad(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


def message_json(row: MessageRow, photos: str = PHOTOS, uploads: str = UPLOADS) -> dict[str, Any]:
    """A stored message as the pages draw it: text, a photo, an image sent, a voice note."""
    data = row.as_json()
    data["photo_url"] = photo_path(photos, row.photo_key) if row.photo_key else None
    uploaded = row.direction == "in" and (row.wa_id or "").startswith("web-img-")
    data["image_url"] = f"{uploads}/{row.wa_id}" if uploaded else None
    return data


class SandboxChannel:
    def __init__(
        self,
        engine: Engine,
        registry: ChannelRegistry,
        hub: EventHub,
        queries: ConsoleQueries,
        renderer: Renderer,
        photos: PhotoFiles,
        uploads: Uploads,
        auth: ConsoleAuth,
        *,
        only_channel: bool,
        public: bool,
        stopping: asyncio.Event,
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.hub = hub
        self.wake: Callable[[], None] = lambda: None  # the outbox sender's, set by the service
        self.queries = queries
        self.renderer = renderer
        self.photos = photos
        self.uploads = uploads
        self.only_channel = only_channel
        self.auth = auth
        self.public = public  # bound to an address other machines reach
        self.stopping = stopping
        self.tasks: set[asyncio.Task[None]] = set()

    # -- the channel ------------------------------------------------------------------------

    async def receive(self, msg: IncomingMessage) -> bool:
        """Store the customer's message first (the engine stores and dedupes every channel's
        messages), then answer it in the background; False for a message answered before."""
        fresh = await self.engine.receive(msg)
        if fresh:
            self.hub.publish(CONSOLE, {"type": "changed", "chat_id": msg.chat_id})
            self._spawn(self.process(msg))
        return fresh

    async def process(self, msg: IncomingMessage) -> None:
        topic = chat_topic(msg.chat_id)
        self.hub.publish(topic, {"type": "typing", "on": True})
        try:
            if await self.engine.process(msg):
                self.wake()  # the replies are outbox rows: the sender delivers them now
        except Exception:
            log.exception("turn failed", extra={"chat_id": msg.chat_id, "id": msg.message_id})
        finally:
            self.hub.publish(topic, {"type": "typing", "on": False})

    async def recover(self) -> int:
        """Answer this channel's messages stored but never answered before the last stop."""
        pending = [
            msg
            for msg in await self.engine.store.unprocessed_incoming()
            if self.registry.channel_of(msg.chat_id) == SANDBOX
        ]
        for msg in pending:
            self._spawn(self.process(msg))
        return len(pending)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=SHUTDOWN_GRACE_SECONDS)

    # -- HTTP -------------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        routes = (
            ("GET", "/", self.page),
            ("GET", "/sandbox/api/chats", self.list_chats),
            ("POST", "/sandbox/api/chats", self.start_chat),
            ("GET", "/sandbox/api/chats/{phone}/messages", self.messages),
            ("POST", "/sandbox/api/chats/{phone}/messages", self.post_message),
            ("GET", "/sandbox/api/chats/{phone}/events", self.events),
            ("GET", PHOTOS + "/{key}", self.photos.handle),
            ("GET", UPLOADS + "/{id}", self.uploads.handle),
        )
        for method, path, handler in routes:
            app.router.add_route(method, path, self._guarded(handler))

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            self.check_access(request)
            return await handler(request)

        return guarded

    def check_access(self, request: web.Request) -> None:
        """Open on this machine; elsewhere only to a manager logged in to the console."""
        if not self.public and host_is_loopback(request):
            return
        if not self.auth.needs_login:
            raise web.HTTPForbidden(text="The sandbox without a token answers on 127.0.0.1 only.")
        if self.auth.session(request) is not None:
            return
        if request.method == "GET" and request.path == "/":
            raise web.HTTPSeeOther("/manager/login?next=/")
        raise web.HTTPUnauthorized(
            text='{"error": "Войдите в консоль менеджера"}', content_type="application/json"
        )

    def chat_id(self, phone: str) -> str:
        return sandbox_chat_id(phone, self.only_channel)

    def _chat(self, request: web.Request) -> str:
        """The chat id of a sandbox chat named in the URL; 404 for anything else."""
        phone = request.match_info["phone"]
        if not (len(phone) == 11 and phone.isdigit()):
            raise web.HTTPNotFound(text="no such chat")
        chat_id = self.chat_id(phone)
        if self.registry.channel_of(chat_id) != SANDBOX:
            raise web.HTTPNotFound(text="no such chat")
        return chat_id

    async def page(self, request: web.Request) -> web.Response:
        return self.renderer.html("sandbox.html", only_channel=self.only_channel)

    async def list_chats(self, request: web.Request) -> web.Response:
        # Chats of this id scheme only: `@c.us` ones when the sandbox is the only channel.
        mine = [
            c for c in self.registry.sandbox_chats()
            if c.endswith(SANDBOX_SUFFIX) != self.only_channel
        ]  # fmt: skip
        chats = await self.queries.chats(only=mine)
        known = {c.chat_id for c in chats}
        result = [
            {
                "phone": phone_of(c.chat_id),
                "name": c.name,
                "last_text": c.last_text,
                "last_kind": c.last_kind,
                "last_direction": c.last_direction,
                "last_at": c.last_at.isoformat() if c.last_at else None,
            }
            for c in chats
        ]
        result += [{"phone": phone_of(c), "name": None} for c in mine if c not in known]
        return web.json_response({"chats": result})

    async def start_chat(self, request: web.Request) -> web.Response:
        if not _scripted(request):
            return _bad("send JSON with X-Requested-With", 403)
        try:
            body = await request.json()
        except ValueError:
            return _bad("body is not JSON")
        phone = normalize_phone(str(body.get("phone", ""))) if isinstance(body, dict) else None
        if phone is None:
            return _bad("Нужен казахстанский номер: +7 701 123 45 67")
        chat_id = self.chat_id(phone)
        try:
            await self.registry.claim_for_sandbox(chat_id)
        except ChatTaken:
            return _bad("С этого номера уже пишет настоящий клиент. Выберите другой номер.", 409)
        return web.json_response({"phone": phone, "chat_id": chat_id})

    async def messages(self, request: web.Request) -> web.Response:
        chat_id = self._chat(request)
        after = _int(request.query.get("after"))
        rows = await self.queries.delivered(chat_id, after_id=after)
        return web.json_response({"messages": [message_json(row) for row in rows]})

    async def post_message(self, request: web.Request) -> web.Response:
        if self.stopping.is_set():
            return _bad("service is stopping", 503)
        if not _scripted(request):
            return _bad("send with X-Requested-With", 403)
        chat_id = self._chat(request)
        if request.content_type.startswith("multipart/"):
            try:
                msg = await self._image_message(request, chat_id)
            except ValueError as err:
                return _bad(str(err), 413 if "2 MB" in str(err) else 400)
        else:
            try:
                body = await request.json()
            except ValueError:
                return _bad("body is not JSON")
            if not isinstance(body, dict):
                return _bad("body must be an object")
            msg = self._text_message(body, chat_id)
            if isinstance(msg, str):
                return _bad(msg)
        await self.receive(msg)
        return web.json_response({"id": msg.message_id}, status=202)

    def _text_message(self, body: dict[str, Any], chat_id: str) -> IncomingMessage | str:
        client_id = str(body.get("id", ""))
        if not CLIENT_ID_RE.match(client_id):
            return "id must be 32 hex digits"
        kind = body.get("kind", "text")
        text = str(body.get("text", "")).strip()
        name = _name(body.get("name"))
        if kind == "audio":
            return IncomingMessage(chat_id, f"web-voice-{client_id}", "", name, kind="audio")
        if kind != "text":
            return "kind must be text or audio"
        if not text:
            return "empty message"
        if len(text) > MAX_TEXT:
            return f"message longer than {MAX_TEXT} characters"
        return IncomingMessage(chat_id, f"web-{client_id}", text, name)

    async def _image_message(self, request: web.Request, chat_id: str) -> IncomingMessage:
        form = await request.post()
        client_id = str(form.get("id", ""))
        if not CLIENT_ID_RE.match(client_id):
            raise ValueError("id must be 32 hex digits")
        image = form.get("image")
        if not isinstance(image, web.FileField):
            raise ValueError("no image")
        caption = str(form.get("caption", "")).strip()[:MAX_TEXT]
        upload_id = f"web-img-{client_id}"
        await self.uploads.save(upload_id, image.file.read())
        kind = "text" if caption else "image"
        return IncomingMessage(chat_id, upload_id, caption, _name(form.get("name")), kind=kind)

    async def events(self, request: web.Request) -> web.StreamResponse:
        chat_id = self._chat(request)
        last = max(_int(request.query.get("after")), _int(request.headers.get("Last-Event-ID")))
        response = await open_stream(request)
        version = None
        try:
            with self.hub.subscribe(chat_topic(chat_id)) as queue:
                while not self.stopping.is_set():
                    current = await self.queries.data_version()
                    if current != version:
                        version = current
                        rows = await self.queries.delivered(chat_id, after_id=last)
                        if rows:
                            last = rows[-1].id
                            data = [message_json(row) for row in rows]
                            await send_event(response, "messages", data, event_id=last)
                    event = await next_event(queue, POLL_SECONDS)
                    if event is None:
                        break
                    if event and event.get("type") == "typing":
                        await send_event(response, "typing", {"on": event["on"]})
        except ConnectionResetError:
            pass
        return response


def _scripted(request: web.Request) -> bool:
    """Only the page's own scripts may post (a cross-site form cannot set this header)."""
    return request.headers.get("X-Requested-With") == "ottenok"


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _name(value: object) -> str | None:
    text = " ".join(str(value or "").split())[:MAX_NAME]
    return text or None
