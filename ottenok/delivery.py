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
from dataclasses import dataclass
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
        """`failed`: it can never be sent."""
        ...

    async def expire(self, created_before: datetime, now: datetime) -> list[PendingMessage]:
        """Mark `expired` every pending message created before `created_before` that no sender
        holds; returns them."""
        ...

    async def backlog(self, now: datetime) -> tuple[int, float | None]:
        """How many messages wait, and the age in seconds of the oldest."""
        ...

    async def delivered_ids(self, chat_id: str, since: datetime) -> set[str]:
        """Gateway ids of the chat's messages marked sent since `since`."""
        ...


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

#: What the managers hear of messages the sender gave up on (one notice per chat and round).
UndeliveredNotice = Callable[[str, list[PendingMessage]], Awaitable[None]]


class OutboxSender:
    """Delivers pending outbox rows through their transports; many may run on one database.

    Rows are leased, so two senders (or a restart mid-send) never send one row twice; each chat
    only ever has its oldest pending row in flight, so its messages arrive in order. Each chat's
    delivery runs in its own task: a send that hangs until its timeout, or a journal check
    waiting its turn, holds up that chat only.
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
        """`batch`: at most this many chats in flight at once."""
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
        self._in_flight: set[asyncio.Task[None]] = set()

    async def run_once(self) -> int:
        """One round: give up messages older than the limit (the managers hear once per chat),
        then start delivering the oldest due message of every chat not in flight. Returns how
        many deliveries started; each wakes the next round when it is done."""
        now = self.clock()
        expired = await self.outbox.expire(now - self.max_age, now)
        for message in expired:
            log.error("message expired", extra={"chat_id": message.out.chat_id, "id": message.id})
        await self._tell_managers(expired)
        room = self.batch - len(self._in_flight)
        if room <= 0:
            return 0
        heads = await self.outbox.lease_heads(self.owner, now, now + self.lease, room)
        for message in heads:
            task = asyncio.create_task(self._deliver(message))
            self._in_flight.add(task)
            task.add_done_callback(self._delivered)
        return len(heads)

    def _delivered(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # The row stays leased and is retried when the lease runs out.
            log.error("delivery failed", exc_info=error)
        self.wakeup.set()  # the chat's next message may be due, and there is room for another

    async def run_forever(self, stopping: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Deliver whenever woken (a turn saved messages, a delivery ended) and at least every
        `idle_seconds`; once `stopping` is set, let the deliveries in flight finish (a
        cancelled run cancels them: their rows are resumed at the next start)."""
        try:
            while not stopping.is_set():
                self.wakeup.clear()  # before the round: a wake-up during it starts the next
                try:
                    await self.run_once()
                except Exception:  # a broken round must not stop delivery; the next retries
                    log.exception("outbox run failed")
                waiters = [asyncio.ensure_future(e.wait()) for e in (self.wakeup, stopping)]
                await asyncio.wait(waiters, timeout=idle_seconds, return_when="FIRST_COMPLETED")
                for waiter in waiters:
                    waiter.cancel()
            if self._in_flight:
                await asyncio.wait(set(self._in_flight))
        finally:
            for task in self._in_flight:
                task.cancel()
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _deliver(self, message: PendingMessage) -> None:
        """One attempt at one chat's oldest message."""
        now = self.clock()
        out = message.out
        if message.ambiguous > 0 and message.first_attempt_at is not None:
            arrived = await self._journal(message)
            if arrived:
                # The copy's id joins the chat's known ids: a later identical text is not it.
                found = arrived if isinstance(arrived, str) else None
                await self.outbox.mark_sent(message, now, found)
                return
            why = self._not_yet(message, arrived, now)
            if why is not None:
                # A check, not a send: the count of possible copies stays as it is.
                await self._retry(message, now, why, False, self.journal_recheck_seconds)
                return
        try:
            wa_id = await self.transport.send(out)
        except DeliveryError as err:
            if err.permanent:
                await self.outbox.give_up(message, self.owner, "failed", str(err)[:500])
                log.error(
                    "message cannot be sent", extra={"chat_id": out.chat_id, "error": str(err)}
                )
                await self._tell_managers([message])
                return
            await self._retry(message, now, str(err), err.ambiguous, err.retry_after)
            return
        except Exception as err:  # an unexpected transport error: retried like a certain one
            await self._retry(message, now, repr(err), False, None)
            return
        await self.outbox.mark_sent(message, self.clock(), wa_id)

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
    ) -> None:
        delay = self.backoff.delay(message.attempts, retry_after)
        await self.outbox.retry_later(
            message, self.owner, now + timedelta(seconds=delay), error[:500], ambiguous
        )
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

    async def _tell_managers(self, given_up: list[PendingMessage]) -> None:
        """Once per chat: the customer did not get these messages."""
        if self.undelivered is None:
            return
        lost: dict[str, list[PendingMessage]] = {}
        for message in given_up:
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
