"""Delivering the outbox: every outgoing message reaches its chat once, in order, or the
managers hear that it could not.

A turn writes its replies, photos and manager notices as pending outbox rows in the same
transaction as the state change (see `Storage.save_turn`), so a crash or a failing gateway can
delay a message but never lose it. The `OutboxSender` takes the oldest pending message of each
chat, hands it to the chat's transport and marks it sent only when the gateway accepted it.
Failures are retried with backoff for as long as GREEN-API itself would keep a message
(24 h by default), honouring the gateway's Retry-After. A failure that may have delivered
anyway (a 500, a timeout after the request went out) is marked ambiguous: before sending again
the sender asks the gateway's journal whether it arrived, so the customer gets one copy. Only
when the journal cannot tell is the message sent once more without its word (a possible second
copy beats a lost "заказ принят"); after that the sender keeps asking until the journal answers
or the message expires, so no message ever goes out more than twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from ottenok.messages import Outgoing
from ottenok.nudge_track import utc_now

log = logging.getLogger("ottenok.delivery")


class DeliveryError(Exception):
    """A send the gateway did not accept.

    `ambiguous`: the request went out and the message may have arrived (check before resending);
    `retry_after`: seconds the gateway asked to wait; `permanent`: it can never succeed (a
    missing photo file, a chat that does not exist), so it is not retried.
    """

    def __init__(
        self,
        message: str,
        *,
        ambiguous: bool = False,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        self.permanent = permanent


class Transport(Protocol):
    """A channel's way out (GREEN-API, the web sandbox, the console)."""

    async def send(self, out: Outgoing) -> str | None:
        """Send one message; the gateway's message id when it gives one. Raises
        `DeliveryError` when the gateway did not accept it."""
        ...

    async def was_delivered(
        self, out: Outgoing, since: datetime, known: Collection[str] = ()
    ) -> str | bool | None:
        """Whether an ambiguous send arrived after all: the gateway id of the copy found (True
        when the channel has no ids), False, or None when the journal cannot tell.
        `known`: the gateway ids of this chat's messages already delivered since, so an
        earlier identical text is not taken for this one."""
        ...


@dataclass(frozen=True, slots=True)
class PendingMessage:
    """An outbox row leased by one sender; `ambiguous` counts the attempts that may have
    delivered it."""

    id: int
    out: Outgoing
    attempts: int
    created_at: datetime
    ambiguous: int
    first_attempt_at: datetime | None


class OutboxStore(Protocol):
    """The outbox rows (implemented by `adapters.outbox_store.OutboxStore`)."""

    async def lease_heads(
        self, owner: str, now: datetime, until: datetime, limit: int
    ) -> list[PendingMessage]:
        """The oldest pending message of each chat that is due and not leased elsewhere."""
        ...

    async def mark_sent(self, message: PendingMessage, at: datetime, wa_id: str | None) -> None:
        """Delivered: a photo is recorded as shown to the chat only now."""
        ...

    async def retry_later(
        self, message: PendingMessage, owner: str, at: datetime, error: str, ambiguous: bool
    ) -> None: ...

    async def give_up(self, message: PendingMessage, owner: str, status: str, error: str) -> None:
        """`expired` (too old to send) or `failed` (can never be sent)."""
        ...

    async def backlog(self, now: datetime) -> tuple[int, float | None]:
        """How many messages wait, and the age in seconds of the oldest."""
        ...

    async def delivered_ids(self, chat_id: str, since: datetime) -> set[str]:
        """Gateway ids of the chat's messages marked sent since `since`."""
        ...


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    confirmed_by_journal: int = 0
    expired: list[PendingMessage] = field(default_factory=list)
    failed: list[PendingMessage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter, capped: 1 s, 2 s, 4 s … up to `cap`."""

    base: float = 1.0
    cap: float = 300.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        wait = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        wait *= 0.8 + 0.4 * random.random()
        return max(wait, retry_after or 0.0)


#: After this many attempts whose journal checks could not tell, an ambiguous message is sent
#: again: a possible duplicate is better than a lost "заказ принят".
MAX_UNANSWERED_CHECKS = 4
#: Attempts that may have delivered one message, beyond which only the journal's word sends it
#: again: the first try plus one resend while the journal cannot tell, so at most two copies.
MAX_POSSIBLE_COPIES = 2
#: GREEN-API's journal may show a message up to two minutes late: before then, "not in the
#: journal" is not an answer, and the check is repeated.
JOURNAL_LAG = timedelta(minutes=2)
#: How far before an ambiguous message's first attempt the ids of the chat's delivered messages
#: are excluded from its journal search (well beyond the clock slack the search allows).
KNOWN_IDS_MARGIN = timedelta(minutes=10)
#: How long to wait before asking the journal again.
JOURNAL_RECHECK_SECONDS = 20.0

#: What the managers hear of messages the sender gave up on (one notice per chat per run).
UndeliveredNotice = Callable[[str, list[PendingMessage]], Awaitable[None]]


class OutboxSender:
    """Delivers pending outbox rows through their transports; many may run on one database.

    Rows are leased, so two senders (or a restart mid-send) never send one row twice; each chat
    only ever has its oldest pending row in flight, so its messages arrive in order.
    """

    def __init__(
        self,
        outbox: OutboxStore,
        transport: Transport,
        *,
        max_age: timedelta = timedelta(hours=24),
        backoff: Backoff = Backoff(),
        lease: timedelta = timedelta(minutes=2),
        batch: int = 50,
        journal_lag: timedelta = JOURNAL_LAG,
        journal_recheck_seconds: float = JOURNAL_RECHECK_SECONDS,
        clock: Callable[[], datetime] = utc_now,
        undelivered: UndeliveredNotice | None = None,
        owner: str | None = None,
    ) -> None:
        self.outbox = outbox
        self.transport = transport
        self.max_age = max_age
        self.backoff = backoff
        self.lease = lease
        self.batch = batch
        self.journal_lag = journal_lag
        self.journal_recheck_seconds = journal_recheck_seconds
        self.clock = clock
        self.undelivered = undelivered
        self.owner = owner or uuid.uuid4().hex
        self.wakeup = asyncio.Event()

    async def run_once(self) -> DeliveryReport:
        """Send every chat's due messages, chat by chat in order, chats concurrently."""
        report = DeliveryReport()
        while True:
            now = self.clock()
            heads = await self.outbox.lease_heads(self.owner, now, now + self.lease, self.batch)
            if not heads:
                break
            results = await asyncio.gather(*(self._deliver(m, report) for m in heads))
            if not any(results):
                break  # every head is waiting for a retry: nothing more to do now
        await self._tell_managers(report)
        return report

    async def run_forever(self, stopping: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Deliver whenever woken (a turn saved messages) and at least every `idle_seconds`."""
        while not stopping.is_set():
            self.wakeup.clear()  # before the round: a turn saved during it wakes the next one
            try:
                await self.run_once()
            except Exception:  # a broken run must not stop delivery; the next one retries
                log.exception("outbox run failed")
            waiters = [asyncio.ensure_future(e.wait()) for e in (self.wakeup, stopping)]
            await asyncio.wait(waiters, timeout=idle_seconds, return_when="FIRST_COMPLETED")
            for waiter in waiters:
                waiter.cancel()

    async def _deliver(self, message: PendingMessage, report: DeliveryReport) -> bool:
        """One attempt; True when the row left the queue (sent or given up)."""
        now = self.clock()
        out = message.out
        if now - message.created_at > self.max_age:
            await self.outbox.give_up(message, self.owner, "expired", "older than the limit")
            report.expired.append(message)
            log.error("message expired", extra={"chat_id": out.chat_id, "id": message.id})
            return True
        if message.ambiguous > 0 and message.first_attempt_at is not None:
            arrived = await self._journal(message)
            if arrived:
                # The copy's id joins the chat's known ids: a later identical text is not it.
                found = arrived if isinstance(arrived, str) else None
                await self.outbox.mark_sent(message, now, found)
                report.confirmed_by_journal += 1
                return True
            why = self._not_yet(message, arrived, now)
            if why is not None:
                # A check, not a send: the count of possible copies stays as it is.
                await self._retry(
                    message, now, why, False, self.journal_recheck_seconds, report
                )
                return False
        try:
            wa_id = await self.transport.send(out)
        except DeliveryError as err:
            if err.permanent:
                await self.outbox.give_up(message, self.owner, "failed", str(err)[:500])
                report.failed.append(message)
                extra = {"chat_id": out.chat_id, "error": str(err)}
                log.error("message cannot be sent", extra=extra)
                return True
            await self._retry(message, now, str(err), err.ambiguous, err.retry_after, report)
            return False
        except Exception as err:  # an unexpected transport error: retried like a certain one
            await self._retry(message, now, repr(err), False, None, report)
            return False
        await self.outbox.mark_sent(message, self.clock(), wa_id)
        report.sent += 1
        return True

    def _not_yet(
        self, message: PendingMessage, arrived: str | bool | None, now: datetime
    ) -> str | None:
        """Why an ambiguous message that the journal did not find must not be sent again yet;
        None when it may go."""
        assert message.first_attempt_at is not None
        if arrived is False:
            late = now - message.first_attempt_at < self.journal_lag
            return "not in the journal yet" if late else None
        if message.attempts < MAX_UNANSWERED_CHECKS:
            return "journal could not tell"
        if message.ambiguous >= MAX_POSSIBLE_COPIES:
            return "journal could not tell, and a second copy went already"
        return None

    async def _journal(self, message: PendingMessage) -> str | bool | None:
        since = message.first_attempt_at
        assert since is not None
        try:
            # The journal is searched from a little before `since` (clocks differ), and a copy
            # confirmed by it is marked sent after this attempt began: every id the chat's other
            # messages got lately is excluded, so a same text sent just before is never this one.
            known = await self.outbox.delivered_ids(message.out.chat_id, since - KNOWN_IDS_MARGIN)
            return await self.transport.was_delivered(message.out, since, known)
        except Exception as err:
            extra = {"chat_id": message.out.chat_id, "error": repr(err)}
            log.warning("journal check failed", extra=extra)
            return None

    async def _retry(
        self,
        message: PendingMessage,
        now: datetime,
        error: str,
        ambiguous: bool,
        retry_after: float | None,
        report: DeliveryReport,
    ) -> None:
        delay = self.backoff.delay(message.attempts, retry_after)
        await self.outbox.retry_later(
            message, self.owner, now + timedelta(seconds=delay), error[:500], ambiguous
        )
        report.retried += 1
        log.warning(
            "send failed, retrying",
            extra={
                "chat_id": message.out.chat_id,
                "id": message.id,
                "attempt": message.attempts,
                "in_s": round(delay, 1),
                "ambiguous": ambiguous,
                "error": error[:200],
            },
        )

    async def _tell_managers(self, report: DeliveryReport) -> None:
        """Once per chat and run: the customer did not get these messages."""
        if self.undelivered is None:
            return
        lost: dict[str, list[PendingMessage]] = {}
        for message in [*report.expired, *report.failed]:
            if not message.out.to_manager:
                lost.setdefault(message.out.chat_id, []).append(message)
        for chat_id, messages in lost.items():
            try:
                await self.undelivered(chat_id, messages)
            except Exception:
                log.exception("could not tell the managers about undelivered messages")


def texts_of(messages: Sequence[PendingMessage]) -> list[str]:
    """What the customer did not get, for the managers' notice."""
    return [m.out.text if m.out.kind == "text" else f"[фото {m.out.photo_key}]" for m in messages]
