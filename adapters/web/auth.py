"""Access to the manager console: a login form, a signed HTTP-only cookie, CSRF tokens.

With MANAGER_CONSOLE_TOKEN set, a session starts only after the token is typed (compared in
constant time). Without one the service is bound to loopback (settings refuse anything else)
and every local visit gets a session, but only under a loopback Host name, so a web page
cannot reach the console by DNS rebinding. Sessions are stateless: an HMAC over the issue
time, keyed by the token (or a per-process secret), so changing the token logs everyone out.
Every form carries a token derived from the session (and SameSite=Strict keeps the cookie off
other sites' requests); a POST with a foreign Origin is refused. The cookie covers the whole
site: behind a public HOST the sandbox chat asks for the same login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

from aiohttp import web

COOKIE = "ottenok_console"
SESSION_SECONDS = 30 * 24 * 3600
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


class ConsoleAuth:
    def __init__(self, token: str | None, path: str = "/") -> None:
        self.token = token or None
        secret = token.encode() if token else secrets.token_bytes(32)
        self.key = hmac.new(secret, b"ottenok console session", hashlib.sha256).digest()
        self.path = path

    @property
    def needs_login(self) -> bool:
        return self.token is not None

    def _sign(self, message: str) -> str:
        return hmac.new(self.key, message.encode(), hashlib.sha256).hexdigest()

    def token_matches(self, given: str) -> bool:
        if self.token is None:
            return False
        return hmac.compare_digest(given.strip().encode(), self.token.encode())

    def new_session(self) -> str:
        body = f"{int(time.time())}.{secrets.token_hex(8)}"
        return f"{body}.{self._sign(body)}"

    def session(self, request: web.Request) -> str | None:
        """The request's valid session cookie, or None."""
        value = request.cookies.get(COOKIE, "")
        body, _, signature = value.rpartition(".")
        if not body or not hmac.compare_digest(signature, self._sign(body)):
            return None
        issued = body.split(".", 1)[0]
        if not issued.isdigit() or time.time() - int(issued) > SESSION_SECONDS:
            return None
        return value

    def csrf(self, session: str) -> str:
        return self._sign(f"csrf:{session}")

    def csrf_ok(self, session: str, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.csrf(session).encode())

    def set_cookie(self, request: web.Request, response: web.StreamResponse, value: str) -> None:
        response.set_cookie(
            COOKIE,
            value,
            max_age=SESSION_SECONDS,
            path=self.path,
            httponly=True,
            samesite="Strict",
            secure=request.secure or request.headers.get("X-Forwarded-Proto") == "https",
        )

    def clear_cookie(self, response: web.StreamResponse) -> None:
        response.del_cookie(COOKIE, path=self.path)


def host_is_loopback(request: web.Request) -> bool:
    host = (request.host or "").lower()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in LOOPBACK_HOSTS or name.startswith("127.")


def local_path(target: str | None, default: str) -> str:
    """Where to go after the login: a path on this site, never another site ("//evil")."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def same_origin(request: web.Request) -> bool:
    """No Origin header (old browsers, curl) passes; a present one must be this host."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc.lower() == (request.host or "").lower()
