"""Our own GREEN-API client on one shared aiohttp session.

Why not the official SDK: its async `deleteNotification` puts the receipt id in the body rather
than the URL, so polled notifications are never deleted. This client speaks only the calls the
service needs, retries what is worth retrying, and keeps the token (which GREEN-API puts in the
URL path) out of logs and exceptions: failures name the method and the status, and any server
text that is logged goes through `redact` first. Chained exceptions are suppressed because
aiohttp's own messages can carry the full URL.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
from pydantic import ValidationError

from adapters.greenapi.errors import (
    AuthError,
    GreenAPIError,
    MalformedNotification,
    QuotaExceeded,
)
from adapters.greenapi.models import Notification

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_STATUSES = frozenset({401, 403})
QUOTA_STATUS = 466
MIN_RECEIVE_TIMEOUT = 5
MAX_RECEIVE_TIMEOUT = 60
REDACTED = "***"
_LOGGED_TEXT_LIMIT = 300

Sleep = Callable[[float], Awaitable[Any]]
FormFactory = Callable[[], aiohttp.FormData]


def redact(text: str, secret: str) -> str:
    """`text` with every occurrence of `secret` masked; safe to log afterwards."""
    return text.replace(secret, REDACTED) if secret else text


def clamp_receive_timeout(seconds: float) -> int:
    """GREEN-API accepts a long-poll timeout of 5..60 s only."""
    return int(max(MIN_RECEIVE_TIMEOUT, min(MAX_RECEIVE_TIMEOUT, seconds)))


class GreenAPIClient:
    """Calls one GREEN-API instance. Use as `async with GreenAPIClient(...) as api:` or call
    `close()`; a session passed in stays open (its owner closes it)."""

    def __init__(
        self,
        api_url: str,
        media_url: str,
        id_instance: str | int,
        api_token: str,
        *,
        session: aiohttp.ClientSession | None = None,
        max_tries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        sleep: Sleep = asyncio.sleep,
        request_timeout: float = 30,
    ) -> None:
        if max_tries < 1:
            raise ValueError("max_tries must be at least 1")
        self.api_url = api_url.rstrip("/")
        self.media_url = media_url.rstrip("/")
        self.id_instance = str(id_instance)
        self._token = api_token
        self._session = session
        self._owns_session = session is None
        self.max_tries = max_tries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self.request_timeout = request_timeout

    def __repr__(self) -> str:
        return f"GreenAPIClient(api_url={self.api_url!r}, id_instance={self.id_instance!r})"

    async def __aenter__(self) -> GreenAPIClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def redact(self, text: str) -> str:
        return redact(text, self._token)

    # ---- the calls -------------------------------------------------------------------------

    async def send_text(self, chat_id: str, text: str) -> str:
        """Send a text message; returns GREEN-API's idMessage."""
        answer = await self._call(
            "sendMessage",
            "POST",
            self._url("sendMessage"),
            json_body={"chatId": chat_id, "message": text},
        )
        return self._message_id("sendMessage", answer)

    async def send_file_by_upload(
        self,
        chat_id: str,
        path_or_bytes: str | Path | bytes,
        file_name: str,
        caption: str | None = None,
    ) -> str:
        """Upload a file (a product photo) to the media host; returns the idMessage."""
        if isinstance(path_or_bytes, bytes):
            content = path_or_bytes
        else:
            content = await asyncio.to_thread(Path(path_or_bytes).read_bytes)
        content_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"

        def form() -> aiohttp.FormData:
            # A FormData can be sent once only, so every try builds its own.
            data = aiohttp.FormData()
            data.add_field("chatId", chat_id)
            data.add_field("file", content, filename=file_name, content_type=content_type)
            data.add_field("fileName", file_name)
            if caption:
                data.add_field("caption", caption)
            return data

        answer = await self._call(
            "sendFileByUpload",
            "POST",
            self._url("sendFileByUpload", base=self.media_url),
            form=form,
        )
        return self._message_id("sendFileByUpload", answer)

    async def send_file_by_url(
        self, chat_id: str, url: str, file_name: str, caption: str | None = None
    ) -> str:
        """Send a file GREEN-API downloads itself from a public URL; returns the idMessage."""
        body: dict[str, Any] = {"chatId": chat_id, "urlFile": url, "fileName": file_name}
        if caption:
            body["caption"] = caption
        answer = await self._call(
            "sendFileByUrl", "POST", self._url("sendFileByUrl"), json_body=body
        )
        return self._message_id("sendFileByUrl", answer)

    async def receive(self, timeout_seconds: float = 20) -> Notification | None:
        """Long-poll the head of the notification queue; None when nothing arrived in time.

        The head keeps coming back until `delete` is called with its receipt id. A body that
        does not parse raises `MalformedNotification` with the receipt id, so it can be dropped.
        """
        wait = clamp_receive_timeout(timeout_seconds)
        answer = await self._call(
            "receiveNotification",
            "GET",
            self._url("receiveNotification"),
            params={"receiveTimeout": str(wait)},
            timeout=wait + self.request_timeout,
            long_poll=True,
        )
        if answer is None:
            return None
        receipt_id = answer.get("receiptId") if isinstance(answer, dict) else None
        try:
            return Notification.model_validate(answer)
        except ValidationError as err:
            if isinstance(receipt_id, int):
                raise MalformedNotification(receipt_id, _first_error(err)) from None
            raise GreenAPIError("receiveNotification", 200, "answer has no receiptId") from None

    async def delete(self, receipt_id: int) -> bool:
        """Delete a received notification; False when it was unknown or already deleted."""
        answer = await self._call(
            "deleteNotification", "DELETE", self._url("deleteNotification", str(receipt_id))
        )
        return isinstance(answer, dict) and answer.get("result") is True

    async def state(self) -> str:
        """The instance state: "authorized", "notAuthorized", "blocked", "sleepMode"…"""
        answer = await self._call("getStateInstance", "GET", self._url("getStateInstance"))
        if not isinstance(answer, dict) or not isinstance(answer.get("stateInstance"), str):
            raise GreenAPIError("getStateInstance", 200, "answer has no stateInstance")
        return answer["stateInstance"]

    # ---- plumbing --------------------------------------------------------------------------

    def _url(self, method: str, *tail: str, base: str | None = None) -> str:
        parts = [base or self.api_url, f"waInstance{self.id_instance}", method, self._token]
        return "/".join([*parts, *tail])

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _call(
        self,
        method: str,
        verb: str,
        url: str,
        *,
        json_body: dict[str, Any] | None = None,
        form: FormFactory | None = None,
        params: dict[str, str] | None = None,
        timeout: float | None = None,
        long_poll: bool = False,
    ) -> Any:
        """One API call with retries; returns the decoded JSON (None for a literal `null`).

        Retried: 429, 500/502/503/504, timeouts and connection errors, up to `max_tries` tries
        in all, sleeping with exponential backoff and full jitter. A long poll's 504 means
        "nothing arrived" and returns None at once.
        """
        client_timeout = aiohttp.ClientTimeout(total=timeout or self.request_timeout)
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._http().request(
                    verb,
                    url,
                    json=json_body,
                    data=form() if form else None,
                    params=params,
                    timeout=client_timeout,
                ) as response:
                    status = response.status
                    reason = response.reason or ""
                    raw = await response.read()
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as err:
                # Built here but raised outside the except block: aiohttp's message may hold
                # the URL, so it must not ride along as __context__.
                failure = GreenAPIError(method, None, _transport_reason(err))
            else:
                text = raw.decode("utf-8", errors="replace")
                if status == 200:
                    return self._decode(method, text)
                if long_poll and status == 504:
                    return None
                failure = self._failure(method, status, reason, text)
                if status not in RETRY_STATUSES:
                    raise failure
            if attempt == self.max_tries:
                log.warning("GREEN-API %s gave up after %d tries: %s", method, attempt, failure)
                raise failure
            delay = self._backoff(attempt)
            log.info(
                "GREEN-API %s try %d/%d failed (%s); retrying in %.2f s",
                method,
                attempt,
                self.max_tries,
                failure.status or failure.reason,
                delay,
            )
            await self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))], so that many clients
        retrying after one outage do not hammer the server in step."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def _decode(self, method: str, text: str) -> Any:
        try:
            return json.loads(text) if text.strip() else None
        except json.JSONDecodeError:
            log.warning("GREEN-API %s answered 200 with non-JSON: %s", method, self._short(text))
            raise GreenAPIError(method, 200, "answer is not JSON") from None

    def _failure(self, method: str, status: int, reason: str, text: str) -> GreenAPIError:
        """The exception for a non-200 answer; the server's text is only logged, redacted."""
        log.warning("GREEN-API %s answered %d: %s", method, status, self._short(text))
        if status in AUTH_STATUSES:
            return AuthError(method, status, "credentials rejected")
        if status == QUOTA_STATUS:
            return QuotaExceeded(method, status, "quota exceeded")
        if status == 400 and "webhook" in text.lower():
            return GreenAPIError(
                method, status, "polling is refused while a webhook URL is set in the instance"
            )
        return GreenAPIError(method, status, self.redact(reason) or "request failed")

    def _short(self, text: str) -> str:
        return self.redact(text)[:_LOGGED_TEXT_LIMIT]

    @staticmethod
    def _message_id(method: str, answer: Any) -> str:
        if isinstance(answer, dict) and isinstance(answer.get("idMessage"), str):
            return answer["idMessage"]
        raise GreenAPIError(method, 200, "answer has no idMessage")


def _transport_reason(err: BaseException) -> str:
    """A failure without an HTTP answer, named by kind only (aiohttp's text may hold the URL)."""
    if isinstance(err, TimeoutError):
        return "timed out"
    return f"connection error ({type(err).__name__})"


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"
