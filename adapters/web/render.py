"""HTML rendering: Jinja2 with autoescaping on, so everything a customer wrote is escaped,
plus the small filters the pages share (Russian relative times, shop-local dates, tenge) and
the security headers every page gets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from adapters.web import labels

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
MONTHS = ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")

#: No inline script or style anywhere: a customer's text can never become code on a page.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self';"
    " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 диалог, 2 диалога, 5 диалогов."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "—"
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 60:
        return "только что"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} мин назад"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} ч назад"
    days = hours // 24
    return f"{days} {plural(days, 'день', 'дня', 'дней')} назад"


def phone_text(phone: str | None) -> str:
    if not phone or len(phone) != 11 or not phone.isdigit():
        return phone or "—"
    return f"+{phone[0]} {phone[1:4]} {phone[4:7]} {phone[7:9]} {phone[9:]}"


def tenge(price: int | None) -> str:
    return "—" if price is None else f"{price:,}".replace(",", "\u00a0") + "\u00a0₸"


@cache
def _static_version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """A cache-busting URL: the file's hash changes with its content."""
    return f"/static/{name}?v={_static_version(name)}"


class Renderer:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            ago=ago,
            phone=phone_text,
            tenge=tenge,
            local=self.local,
            state=labels.state_label,
            plural=plural,
        )
        self.env.globals.update(static=static_url, labels=labels, now=lambda: datetime.now(UTC))

    def local(self, moment: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
        if moment is None:
            return "—"
        local = moment.astimezone(self.tz)
        if fmt == "short":
            today = datetime.now(self.tz).date()
            if local.date() == today:
                return local.strftime("%H:%M")
            return f"{local.day} {MONTHS[local.month - 1]} {local:%H:%M}"
        return local.strftime(fmt)

    def html(self, name: str, status: int = 200, **context: Any) -> web.Response:
        body = self.env.get_template(name).render(**context)
        return web.Response(text=body, status=status, content_type="text/html")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if response.prepared:  # a stream (SSE) sent its headers already
        return response
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
