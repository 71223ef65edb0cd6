"""Our own GREEN-API client on one shared aiohttp session.

Why not the official SDK: its async `deleteNotification` puts the receipt id in the body rather
than the URL, so polled notifications are never deleted. This client speaks only the calls the
service needs and keeps the token (which GREEN-API puts in the URL path) out of logs and
exceptions: failures name the method and the status, and any server text that is logged goes
through `redact` first. Chained exceptions are suppressed because aiohttp's own messages can
carry the full URL.

Every failure is a `GreenAPIError` that says whether it is `retryable`, whether the request may
have taken effect anyway (`ambiguous`) and how long GREEN-API asked us to wait (`retry_after`).
Idempotent calls (state, settings, receive, delete, journals, typing) are retried here. Sends
are retried only while the failure certainly delivered nothing (connection refused, 429,
502/503/504), at most `send_tries` tries in all: with `send_tries=1` a sender with its own retry
policy (the outbox) makes exactly one attempt and is told what happened. An ambiguous send
failure is never retried here, since that is how a customer gets the same message twice; the
journal (`was_delivered`) tells whether it arrived.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import mimetypes
import random
import time
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
from pydantic import TypeAdapter, ValidationError

from adapters.greenapi.errors import (
    AuthError,
    GreenAPIError,
    MalformedNotification,
    QuotaExceeded,
)
from adapters.greenapi.models import JournalMessage, Notification, validation_reason

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Answered by a proxy or by the gateway's own throttle before the request was acted on.
UNDELIVERED_STATUSES = frozenset({429, 502, 503, 504})
NOT_RETRYABLE_5XX = frozenset({501, 505})
AUTH_STATUSES = frozenset({401, 403})
QUOTA_STATUS = 466
MIN_RECEIVE_TIMEOUT = 5
MAX_RECEIVE_TIMEOUT = 60
MIN_TYPING_MS = 1000
MAX_TYPING_MS = 20000
# GREEN-API serves the journals at about 1 request/s per instance.
JOURNAL_INTERVAL = 1.0
# How far GREEN-API's clock (journal timestamps) may be behind ours.
JOURNAL_CLOCK_SLACK = 5.0
REDACTED = "***"
_LOGGED_TEXT_LIMIT = 300

Sleep = Callable[[float], Awaitable[Any]]
FormFactory = Callable[[], aiohttp.FormData]
_JOURNAL = TypeAdapter(list[JournalMessage])


def redact(text: str, secret: str) -> str:
    """`text` with every occurrence of `secret` masked; safe to log afterwards."""
    return text.replace(secret, REDACTED) if secret else text


def clamp_receive_timeout(seconds: float) -> int:
    """GREEN-API accepts a long-poll timeout of 5..60 s only."""
    return int(max(MIN_RECEIVE_TIMEOUT, min(MAX_RECEIVE_TIMEOUT, seconds)))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP date (RFC 9110).
    None when absent or unreadable; a date in the past means 0."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


class GreenAPIClient:
    """Calls one GREEN-API instance. Use as `async with GreenAPIClient(...) as api:` or call
    `close()`; a session passed in stays open (its owner closes it).

    `max_tries` bounds idempotent calls, `send_tries` sends (only certain non-deliveries are
    retried); a `Retry-After` longer than `backoff_cap` is not slept through but raised, so the
    caller can schedule the retry instead of holding a chat.
    """

    def __init__(
        self,
        api_url: str,
        media_url: str,
        id_instance: str | int,
        api_token: str,
        *,
        session: aiohttp.ClientSession | None = None,
        max_tries: int = 3,
        send_tries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        sleep: Sleep = asyncio.sleep,
        request_timeout: float = 30,
        connect_timeout: float = 10,
        journal_interval: float = JOURNAL_INTERVAL,
    ) -> None:
        if max_tries < 1 or send_tries < 1:
            raise ValueError("max_tries and send_tries must be at least 1")
        self.api_url = api_url.rstrip("/")
        self.media_url = media_url.rstrip("/")
        self.id_instance = str(id_instance)
        self._token = api_token
        self._session = session
        self._owns_session = session is None
        self.max_tries = max_tries
        self.send_tries = send_tries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self.request_timeout = request_timeout
        self.connect_timeout = connect_timeout
        self.journal_interval = journal_interval
        self._journal_lock = asyncio.Lock()
        self._journal_free_at = 0.0

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

    # ---- sending ---------------------------------------------------------------------------

    async def send_text(self, chat_id: str, text: str) -> str:
        """Send a text message; returns GREEN-API's idMessage."""
        answer = await self._call(
            "sendMessage",
            "POST",
            self._url("sendMessage"),
            json_body={"chatId": chat_id, "message": text},
            idempotent=False,
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
            idempotent=False,
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
            "sendFileByUrl", "POST", self._url("sendFileByUrl"), json_body=body, idempotent=False
        )
        return self._message_id("sendFileByUrl", answer)

    async def send_typing(self, chat_id: str, typing_time_ms: int = 3000) -> None:
        """Show "typing…" in the chat for 1..20 s (clamped). Cosmetic: safe to repeat."""
        typing = int(max(MIN_TYPING_MS, min(MAX_TYPING_MS, typing_time_ms)))
        await self._call(
            "sendTyping",
            "POST",
            self._url("sendTyping"),
            json_body={"chatId": chat_id, "typingTime": typing},
        )

    # ---- receiving -------------------------------------------------------------------------

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
                raise MalformedNotification(receipt_id, validation_reason(err)) from None
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

    # ---- journals --------------------------------------------------------------------------

    async def last_outgoing_messages(self, minutes: int = 1440) -> list[JournalMessage]:
        """What the instance really sent in the last `minutes`, newest first.

        Journals are served at about 1 request/s per instance; calls are spaced by
        `journal_interval`, so this is for checking one ambiguous send, not every send.
        """
        answer = await self._journal_call(
            "lastOutgoingMessages",
            "GET",
            self._url("lastOutgoingMessages"),
            params={"minutes": str(max(1, int(minutes)))},
        )
        return self._journal("lastOutgoingMessages", answer)

    async def get_chat_history(self, chat_id: str, count: int = 100) -> list[JournalMessage]:
        """The last `count` messages of one chat, both directions, newest first (rate-limited
        like `last_outgoing_messages`)."""
        answer = await self._journal_call(
            "getChatHistory",
            "POST",
            self._url("getChatHistory"),
            json_body={"chatId": chat_id, "count": max(1, int(count))},
        )
        return self._journal("getChatHistory", answer)

    async def was_delivered(
        self,
        chat_id: str,
        text_or_file_name: str,
        since: datetime,
        *,
        exclude: Collection[str] = (),
    ) -> str | bool | None:
        """The idMessage of a message to `chat_id` in the outgoing journal, sent at or after
        `since`, whose text, file name or caption is `text_or_file_name`; False when there is
        none, None when the journal itself could not be read (then nothing is known). The id
        is worth keeping: it is what tells this copy from a later identical text.

        Meant for one send that failed ambiguously: `since` is when it was first attempted
        (naive means UTC), `exclude` the idMessages of this chat's messages already known as
        delivered, so an earlier identical text is not mistaken for this one. GREEN-API
        documents that a message may take up to 2 minutes to appear in the journal, so a False
        right after the send is not final: check again later before sending a second copy.
        """
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        elapsed = (datetime.now(UTC) - since).total_seconds() + JOURNAL_CLOCK_SLACK
        minutes = max(1, math.ceil(elapsed / 60))
        try:
            entries = await self.last_outgoing_messages(minutes)
        except GreenAPIError as err:
            log.warning("GREEN-API journal unavailable for a delivery check: %s", err)
            return None
        wanted = text_or_file_name.strip()
        floor = since.timestamp() - JOURNAL_CLOCK_SLACK
        found = (
            entry.idMessage or True
            for entry in entries
            if entry.type == "outgoing"
            and entry.timestamp >= floor
            and entry.idMessage not in exclude
            and same_chat(entry.chatId, chat_id)
            and wanted in _contents(entry)
        )
        return next(found, False)

    # ---- plumbing --------------------------------------------------------------------------

    def _url(self, method: str, *tail: str, base: str | None = None) -> str:
        parts = [base or self.api_url, f"waInstance{self.id_instance}", method, self._token]
        return "/".join([*parts, *tail])

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _journal_call(self, method: str, verb: str, url: str, **options: Any) -> Any:
        """One journal call at a time, each starting `journal_interval` after the previous one
        ended: the end of a call is after its arrival at GREEN-API, so arrivals are spaced too."""
        async with self._journal_lock:
            wait = self._journal_free_at - time.monotonic()
            if wait > 0:
                await self._sleep(wait)
            try:
                return await self._call(method, verb, url, **options)
            finally:
                self._journal_free_at = time.monotonic() + self.journal_interval

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
        idempotent: bool = True,
    ) -> Any:
        """One API call with the retries it deserves; returns the decoded JSON (None for an
        empty answer or a literal `null`).

        Retried with exponential backoff and full jitter (at least the `Retry-After` asked for):
        any retryable failure of an idempotent call, up to `max_tries` tries; a failure of a
        send only when it certainly delivered nothing, up to `send_tries`. A long poll's 504
        means "nothing arrived" and returns None at once.
        """
        total = timeout or self.request_timeout
        client_timeout = aiohttp.ClientTimeout(
            total=total, sock_connect=min(self.connect_timeout, total)
        )
        tries = self.max_tries if idempotent else self.send_tries
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
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    raw = await response.read()
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as err:
                # Built here but raised outside the except block: aiohttp's message may hold
                # the URL, so it must not ride along as __context__.
                failure = _transport_failure(method, err)
            else:
                text = raw.decode("utf-8", errors="replace")
                if status == 200:
                    return self._decode(method, text, idempotent)
                if long_poll and status == 504:
                    return None
                failure = self._failure(method, status, reason, text, retry_after)
            if not failure.retryable or (failure.ambiguous and not idempotent):
                raise failure
            if attempt >= tries:
                log.warning("GREEN-API %s gave up after %d tries: %s", method, attempt, failure)
                raise failure
            delay = max(self._backoff(attempt), failure.retry_after or 0.0)
            if delay > self.backoff_cap:
                raise failure  # a long Retry-After: the caller schedules, nobody waits here
            log.info(
                "GREEN-API %s try %d/%d failed (%s); retrying in %.2f s",
                method,
                attempt,
                tries,
                failure.status or failure.reason,
                delay,
            )
            await self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))], so that many clients
        retrying after one outage do not hammer the server in step."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def _decode(self, method: str, text: str, idempotent: bool = True) -> Any:
        try:
            return json.loads(text) if text.strip() else None
        except (json.JSONDecodeError, RecursionError):
            log.warning("GREEN-API %s answered 200 with non-JSON: %s", method, self._short(text))
            # A send answered 200 was accepted, whatever the body says.
            unsure = not idempotent
            raise GreenAPIError(
                method, 200, "answer is not JSON", retryable=unsure, ambiguous=unsure
            ) from None

    def _failure(
        self, method: str, status: int, reason: str, text: str, retry_after: float | None
    ) -> GreenAPIError:
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
        server_error = status >= 500 and status not in NOT_RETRYABLE_5XX
        return GreenAPIError(
            method,
            status,
            self.redact(reason) or "request failed",
            retryable=status in RETRY_STATUSES or server_error,
            ambiguous=server_error and status not in UNDELIVERED_STATUSES,
            retry_after=retry_after,
        )

    def _short(self, text: str) -> str:
        return self.redact(text)[:_LOGGED_TEXT_LIMIT]

    @staticmethod
    def _message_id(method: str, answer: Any) -> str:
        if isinstance(answer, dict) and isinstance(answer.get("idMessage"), str):
            return answer["idMessage"]
        # Answered 200: the gateway took the message, it only did not say under which id.
        raise GreenAPIError(method, 200, "answer has no idMessage", retryable=True, ambiguous=True)

    @staticmethod
    def _journal(method: str, answer: Any) -> list[JournalMessage]:
        try:
            return _JOURNAL.validate_python(answer)
        except ValidationError:
            raise GreenAPIError(method, 200, "answer is not a message list") from None


def same_chat(a: str, b: str) -> bool:
    """Whether two chat ids name the same chat: equal, or the same phone whatever the form."""
    if a == b:
        return True
    a_user, _, a_domain = a.partition("@")
    b_user, _, b_domain = b.partition("@")
    return a_domain == b_domain == "c.us" and a_user.lstrip("+") == b_user.lstrip("+")


def _contents(entry: JournalMessage) -> set[str]:
    """What a journal entry can be recognised by: its text, file name and caption."""
    return {part.strip() for part in (entry.text, entry.fileName, entry.caption) if part}


def _transport_failure(method: str, err: BaseException) -> GreenAPIError:
    """A failure without an HTTP answer, named by kind only (aiohttp's text may hold the URL).

    Only a failure to connect proves the request never left; a timeout or a dropped connection
    after that may come after GREEN-API acted on it.
    """
    if isinstance(err, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        reason = "connect timed out" if isinstance(err, TimeoutError) else "connection refused"
        return GreenAPIError(method, None, f"{reason} ({type(err).__name__})", retryable=True)
    reason = "timed out" if isinstance(err, TimeoutError) else "connection error"
    return GreenAPIError(
        method, None, f"{reason} ({type(err).__name__})", retryable=True, ambiguous=True
    )
