"""The manager console at /manager: the funnel first, then conversations, one conversation with
its transcript, slots and machine diagram, the orders with exports, and the LLM's usage.

Handlers only read (`queries`) and call the manager actions; they own no dialogue rule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.llm.usage import Prices
from adapters.web.auth import ConsoleAuth, host_is_loopback, local_path, same_origin
from adapters.web.channels import ChannelRegistry
from adapters.web.diagram import parse_mermaid, render_svg
from adapters.web.events import CONSOLE, EventHub, next_event, open_stream, send_event
from adapters.web.export import orders_csv, orders_xlsx
from adapters.web.funnel import funnel
from adapters.web.labels import CHANNEL_LABELS, ORDER_STATUS_LABELS
from adapters.web.llm_usage import UsageTotals, llm_usage
from adapters.web.media import PhotoFiles, Uploads
from adapters.web.queries import ConsoleQueries, OrderFilter
from adapters.web.render import Handler, Renderer
from adapters.web.sandbox import message_json

log = logging.getLogger("ottenok.console")

PREFIX = "/manager"
PHOTOS = PREFIX + "/photos"
UPLOADS = PREFIX + "/uploads"
POLL_SECONDS = 1.0
MAX_MANAGER_TEXT = 4000
FAILED_LOGIN_DELAY = 0.5
SESSION = web.RequestKey("session", str)
PERIODS = {"today": "Сегодня", "7d": "7 дней", "30d": "30 дней", "custom": "Период"}


class ManagerActions(Protocol):
    """What a manager can do to a conversation (the engine behind it decides how)."""

    async def set_handoff(self, chat_id: str, active: bool, by: str) -> None: ...

    async def write_to_customer(self, chat_id: str, text: str, by: str) -> None: ...


@dataclass(slots=True)
class Period:
    key: str
    since: datetime
    until: datetime
    first_day: date
    last_day: date

    @property
    def label(self) -> str:
        if self.key == "custom":
            return f"{self.first_day:%d.%m.%Y} — {self.last_day:%d.%m.%Y}"
        return PERIODS[self.key]


def parse_period(query: dict[str, str] | web.MultiDictProxy, tz: ZoneInfo) -> Period:
    """Whole shop-local days: today, the last 7 or 30 days, or from–to inclusive."""
    today = datetime.now(tz).date()
    key = query.get("period", "7d")
    first, last = today - timedelta(days=6), today
    if key == "today":
        first = today
    elif key == "30d":
        first = today - timedelta(days=29)
    elif key == "custom":
        first = _date(query.get("from")) or first
        last = _date(query.get("to")) or last
        first, last = min(first, last), max(first, last)
    else:
        key = "7d"
    since = datetime.combine(first, time(), tz)
    until = datetime.combine(last + timedelta(days=1), time(), tz)
    return Period(key, since, until, first, last)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


class Console:
    def __init__(
        self,
        auth: ConsoleAuth,
        queries: ConsoleQueries,
        renderer: Renderer,
        actions: ManagerActions,
        registry: ChannelRegistry,
        hub: EventHub,
        photos: PhotoFiles,
        uploads: Uploads,
        *,
        can_reach: Callable[[str], bool],
        product_name: Callable[[str], str | None],
        diagram: str,
        groups: dict[str, list[object]],
        usage: UsageTotals,
        prices: Prices,
        llm_configured: bool,
        manager_chat_ids: list[str],
        channels: dict[str, bool],
        stopping: asyncio.Event,
    ) -> None:
        self.auth = auth
        self.queries = queries
        self.renderer = renderer
        self.actions = actions
        self.registry = registry
        self.hub = hub
        self.photos = photos
        self.uploads = uploads
        self.can_reach = can_reach
        self.product_name = product_name
        self.graph = parse_mermaid(diagram)
        self.groups = groups
        self.usage = usage
        self.prices = prices
        self.llm_configured = llm_configured
        self.manager_chat_ids = manager_chat_ids
        self.channels = channels
        self.stopping = stopping

    @property
    def tz(self) -> ZoneInfo:
        return self.renderer.tz

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        app.router.add_get("/", self.home)
        app.router.add_get("/login", self.login_form)
        app.router.add_post("/login", self.login)
        app.router.add_post("/logout", self.logout)
        app.router.add_get("/funnel", self.funnel)
        app.router.add_get("/chats", self.chats)
        app.router.add_get("/chats/{chat_id}", self.chat)
        app.router.add_post("/chats/{chat_id}/handoff", self.handoff)
        app.router.add_post("/chats/{chat_id}/send", self.send)
        app.router.add_get("/orders", self.orders)
        app.router.add_get("/orders.csv", self.export_csv)
        app.router.add_get("/orders.xlsx", self.export_xlsx)
        app.router.add_get("/llm", self.llm)
        app.router.add_get("/events", self.events)
        app.router.add_get("/photos/{key}", self.photos.handle)
        app.router.add_get("/uploads/{id}", self.uploads.handle)
        return app

    # -- access -----------------------------------------------------------------------------

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.auth.needs_login and not host_is_loopback(request):
            raise web.HTTPForbidden(text="The console without a token answers on 127.0.0.1 only.")
        is_login = request.path == f"{PREFIX}/login"
        session = self.auth.session(request)
        fresh = None
        if session is None and not self.auth.needs_login:
            session = fresh = self.auth.new_session()
        if session is None and not is_login:
            if request.method == "GET" and request.path != f"{PREFIX}/events":
                raise web.HTTPSeeOther(f"{PREFIX}/login")
            raise web.HTTPUnauthorized(text="log in first")
        if request.method == "POST":
            if not same_origin(request):
                raise web.HTTPForbidden(text="cross-site request refused")
            if not is_login:
                form = await request.post()
                if session is None or not self.auth.csrf_ok(session, str(form.get("csrf", ""))):
                    raise web.HTTPForbidden(text="the form is out of date; reload the page")
        request[SESSION] = session
        response = await handler(request)
        if fresh is not None and not response.prepared:
            self.auth.set_cookie(request, response, fresh)
        return response

    def page(self, request: web.Request, name: str, status: int = 200, **context) -> web.Response:
        session = request.get(SESSION)
        return self.renderer.html(
            name,
            status=status,
            csrf=self.auth.csrf(session) if session else "",
            can_logout=self.auth.needs_login and session is not None,
            channels=self.channels,
            section=name.split("/")[-1].removesuffix(".html"),
            done=request.query.get("done", ""),
            **context,
        )

    async def home(self, request: web.Request) -> web.Response:
        raise web.HTTPSeeOther(f"{PREFIX}/funnel")

    async def login_form(self, request: web.Request) -> web.Response:
        after = local_path(request.query.get("next"), f"{PREFIX}/funnel")
        if request.get(SESSION) and self.auth.needs_login:
            raise web.HTTPSeeOther(after)
        return self.page(request, "console/login.html", error=None, after=after)

    async def login(self, request: web.Request) -> web.Response:
        form = await request.post()
        after = local_path(str(form.get("next", "")), f"{PREFIX}/funnel")
        if not self.auth.token_matches(str(form.get("token", ""))):
            await asyncio.sleep(FAILED_LOGIN_DELAY)  # slows guessing; the compare is constant-time
            log.warning("console login refused", extra={"remote": request.remote})
            return self.page(
                request, "console/login.html", status=401, error="Неверный токен", after=after
            )
        response = web.HTTPSeeOther(after)
        self.auth.set_cookie(request, response, self.auth.new_session())
        raise response

    async def logout(self, request: web.Request) -> web.Response:
        response = web.HTTPSeeOther(f"{PREFIX}/login")
        self.auth.clear_cookie(response)
        raise response

    # -- pages ------------------------------------------------------------------------------

    async def funnel(self, request: web.Request) -> web.Response:
        period = parse_period(request.query, self.tz)
        report = await funnel(self.queries, period.since, period.until)
        return self.page(
            request, "console/funnel.html", period=period, periods=PERIODS, report=report
        )

    async def chats(self, request: web.Request) -> web.Response:
        search = request.query.get("q", "").strip()[:60]
        chats = await self.queries.chats(search=search, exclude=self.manager_chat_ids)
        notices = await self.queries.notices(self.manager_chat_ids)
        return self.page(
            request,
            "console/chats.html",
            chats=chats,
            search=search,
            notices=notices,
            channel_of=self.registry.channel_of,
            channel_labels=CHANNEL_LABELS,
        )

    async def chat(self, request: web.Request) -> web.Response:
        chat_id = request.match_info["chat_id"]
        detail = await self.queries.conversation(chat_id)
        if detail is None:
            raise web.HTTPNotFound(text="no such conversation")
        messages = [
            {**message_json(row, PHOTOS, UPLOADS), "at_local": self.renderer.local(row.at, "short")}
            for row in await self.queries.transcript(chat_id)
        ]
        return self.page(
            request,
            "console/chat.html",
            chat=detail,
            messages=messages,
            changes=await self.queries.state_changes(chat_id),
            diagram=render_svg(self.graph, detail.state, self.groups),
            product=self.product_name(detail.slots.product) if detail.slots.product else None,
            channel=CHANNEL_LABELS[self.registry.channel_of(chat_id)],
            reachable=self.can_reach(chat_id),
        )

    async def handoff(self, request: web.Request) -> web.Response:
        chat_id = request.match_info["chat_id"]
        form = await request.post()
        active = form.get("active") == "1"
        await self.actions.set_handoff(chat_id, active, by="console")
        self.hub.publish(CONSOLE, {"type": "changed", "chat_id": chat_id})
        raise web.HTTPSeeOther(_chat_url(chat_id, "handoff_on" if active else "handoff_off"))

    async def send(self, request: web.Request) -> web.Response:
        chat_id = request.match_info["chat_id"]
        form = await request.post()
        text = str(form.get("text", "")).strip()
        if not text or len(text) > MAX_MANAGER_TEXT:
            raise web.HTTPSeeOther(_chat_url(chat_id, "empty"))
        if not self.can_reach(chat_id):
            raise web.HTTPSeeOther(_chat_url(chat_id, "unreachable"))
        try:
            await self.actions.write_to_customer(chat_id, text, by="console")
        except Exception:
            log.exception("manager message failed", extra={"chat_id": chat_id})
            raise web.HTTPSeeOther(_chat_url(chat_id, "failed")) from None
        self.hub.publish(CONSOLE, {"type": "changed", "chat_id": chat_id})
        raise web.HTTPSeeOther(_chat_url(chat_id, "sent"))

    def _order_filter(self, request: web.Request) -> tuple[OrderFilter, Period]:
        period = parse_period(request.query, self.tz)
        status = request.query.get("status", "")
        flt = OrderFilter(
            status=status if status in ORDER_STATUS_LABELS else None,
            since=period.since,
            until=period.until,
            search=request.query.get("q", "").strip()[:60],
        )
        return flt, period

    async def orders(self, request: web.Request) -> web.Response:
        flt, period = self._order_filter(request)
        orders = await self.queries.orders(flt)
        query = urlencode(
            {**flt.as_query(), "period": period.key, "from": period.first_day.isoformat(),
             "to": period.last_day.isoformat()}
        )  # fmt: skip
        return self.page(
            request,
            "console/orders.html",
            orders=orders,
            flt=flt,
            period=period,
            periods=PERIODS,
            statuses=ORDER_STATUS_LABELS,
            export_query=query,
            total=sum(o.price or 0 for o in orders if o.status == "confirmed"),
        )

    async def _export(self, request: web.Request, fmt: str) -> web.Response:
        flt, period = self._order_filter(request)
        orders = await self.queries.orders(flt, limit=None)
        name = f"orders_{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.{fmt}"
        if fmt == "csv":
            body = await asyncio.to_thread(orders_csv, orders, self.tz)
            mime = "text/csv"
        else:
            body = await asyncio.to_thread(orders_xlsx, orders, self.tz)
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return web.Response(
            body=body,
            content_type=mime,
            charset="utf-8" if fmt == "csv" else None,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def export_csv(self, request: web.Request) -> web.Response:
        return await self._export(request, "csv")

    async def export_xlsx(self, request: web.Request) -> web.Response:
        return await self._export(request, "xlsx")

    async def llm(self, request: web.Request) -> web.Response:
        period = parse_period(request.query, self.tz)
        report = await llm_usage(
            self.usage, self.prices, period.first_day, period.last_day, self.llm_configured
        )
        return self.page(request, "console/llm.html", period=period, periods=PERIODS, usage=report)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """"changed" whenever the database or a channel in this process moved on."""
        response = await open_stream(request)
        version = await self.queries.data_version()
        try:
            with self.hub.subscribe(CONSOLE) as queue:
                while not self.stopping.is_set():
                    event = await next_event(queue, POLL_SECONDS)
                    if event is None:
                        break
                    current = await self.queries.data_version()
                    if event or current != version:
                        version = current
                        await send_event(response, "changed", {})
        except ConnectionResetError:
            pass
        return response


def _chat_url(chat_id: str, done: str) -> str:
    return f"{PREFIX}/chats/{chat_id}?done={done}"
