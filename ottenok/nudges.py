"""Nudges: what a scheduler tick decides for quiet customers, and how it sends exactly once.

The rules live in the nudge machine (`ottenok/states/nudge.py`); this module only builds a
`NudgeTrack` from a stored row, fires the machine on it (`tick` for the scheduler,
`customer_replied` and `stop` for a turn) and turns the result into what storage writes: a
decision the scheduler claims atomically, or the columns a turn saves. Sending goes through an
outbox so a crash, a failed send or a second worker never sends a nudge twice (the SQL is in
`adapters/nudge_store.py`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from ottenok.actions.nudge import SEND_NUDGE
from ottenok.catalog import Catalog
from ottenok.guards import nudge as nudge_guards
from ottenok.machines import nudge_machine
from ottenok.messages import first_name
from ottenok.nudge_policy import NudgePolicy
from ottenok.nudge_track import NudgeSchedule, NudgeTrack, utc_now
from ottenok.phrasing.templates import Templates
from ottenok.phrasing.words import mid_sentence, size_text
from ottenok.slots import OrderSlots
from ottenok.states.nudge import DUE_AT, NudgeState, NudgeTrigger
from ottenok.states.order import OPEN_STATES, OrderState

log = logging.getLogger("ottenok.nudges")

STEP_KEYS = {1: "first", 2: "second"}


def after_turn(
    schedule: NudgeSchedule,
    policy: NudgePolicy | None,
    order_state: OrderState,
    *,
    customer_wrote: bool,
    bot_spoke_at: datetime | None,
) -> NudgeSchedule:
    """Fire the nudge machine for one turn and return the columns to store with it.

    The customer's message resets the count (`customer_replied`); then the order's new state
    may leave nothing to wait for (`stop`). The chat is looked at again when the bot's message,
    if it sent one, goes unanswered long enough. `policy` None: nudges are switched off.
    """
    track = NudgeTrack(
        state=schedule.state,
        count=schedule.count,
        last_nudge_at=schedule.last_nudge_at,
        bot_spoke_last=bot_spoke_at is not None,
        last_bot_at=bot_spoke_at,
        order_open=order_state in OPEN_STATES,
        handoff=order_state == OrderState.HANDOFF,
        policy=policy,
    )
    machine = nudge_machine()
    if customer_wrote:
        machine.fire(track, NudgeTrigger.CUSTOMER_REPLIED)
    machine.fire(track, NudgeTrigger.STOP)
    return NudgeSchedule(track.state, track.count, track.last_nudge_at, due_at(track))


def due_at(track: NudgeTrack) -> datetime | None:
    """When the machine can next move a waiting chat (`states.nudge.DUE_AT`); None: never
    by itself (stopped, or the customer spoke last)."""
    name = DUE_AT.get(NudgeState(track.state))
    if name is None or not nudge_guards.bot_spoke_last(track):
        return None
    return getattr(nudge_guards, name)(track)


@dataclass(frozen=True, slots=True)
class DueChat:
    """One row of the due query: the client's nudge columns joined with its conversation."""

    chat_id: str
    name: str | None
    nudge_state: str
    nudge_count: int
    next_nudge_at: datetime
    last_nudge_at: datetime | None
    last_bot_at: datetime | None
    bot_spoke_last: bool
    conversation_state: OrderState | None
    slots: OrderSlots


@dataclass(frozen=True, slots=True)
class NudgeDecision:
    """What one tick decided for one due chat; claimed only if the row is still as it was read.

    `step` (1 or 2) and `text` are set when a nudge goes out. `next_nudge_at` is None while a
    nudge waits in the outbox (the send schedules the next one) and once nudging stopped.
    """

    chat: DueChat
    state: str
    count: int
    last_nudge_at: datetime | None
    next_nudge_at: datetime | None
    reason: str
    step: int | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class PendingNudge:
    """An outbox row leased by one worker for sending; `nudge_state` is where its claim moved
    the chat, so the send only moves on a chat still waiting for it."""

    id: int
    chat_id: str
    step: int
    text: str
    attempts: int
    created_at: datetime
    nudge_state: NudgeState


@dataclass(slots=True)
class TickReport:
    """Counts for logs, the preview and the benchmark."""

    due: int = 0
    claimed: int = 0
    decided_nudges: int = 0
    stopped: int = 0
    sent: int = 0
    failed: int = 0


class NudgeSender(Protocol):
    """The channel: returns the provider's message id when it has one; raises on failure."""

    async def send_text(self, chat_id: str, text: str) -> str | None: ...


class NudgeOutbox(Protocol):
    """The storage a tick needs (implemented by `adapters.nudge_store.NudgeStore`)."""

    async def due(self, now: datetime, limit: int) -> list[DueChat]: ...

    async def claim(self, decisions: list[NudgeDecision], now: datetime) -> list[NudgeDecision]: ...

    async def lease_pending(
        self, owner: str, now: datetime, until: datetime, limit: int
    ) -> list[PendingNudge]: ...

    async def mark_sent(
        self,
        nudge: PendingNudge,
        sent_at: datetime,
        wa_id: str | None,
        next_nudge_at: datetime | None,
    ) -> None: ...

    async def release(
        self, nudge: PendingNudge, owner: str, error: str, retry_at: datetime, give_up: bool
    ) -> None: ...


class NudgeTexts:
    """Nudge wording from the `nudge:` templates: the customer's first name and the product.

    Templates put the product where the nominative reads naturally ("напоминаю о вашем
    заказе: {product}"), so any product name from any shop fits without inflecting it.
    """

    def __init__(self, templates: Templates, catalog: Catalog) -> None:
        self.templates = templates
        self.catalog = catalog

    def text(self, step: int, name: str | None, slots: OrderSlots, seed: str) -> str:
        """`seed` picks the variant: stable for one reminder, varied across reminders."""
        product = self.product_phrase(slots)
        key = STEP_KEYS[step] + ("" if product else "_no_product")
        rng = random.Random(zlib.crc32(seed.encode()))
        first = first_name(name)
        text = self.templates.pick(
            rng, "nudge", key, name=f"{first}, " if first else "", product=product or ""
        )
        return text[:1].upper() + text[1:]

    def product_phrase(self, slots: OrderSlots) -> str | None:
        """ "мокасины Aurora Drive, 38 размер": the product being discussed, None when none."""
        product = self.catalog.get(slots.product)
        if product is None:
            return None
        phrase = mid_sentence(product.name)
        if slots.size and product.type.has_sizes:
            phrase += f", {size_text(slots.size)} размер"
        return phrase


def decide(chat: DueChat, now: datetime, policy: NudgePolicy) -> NudgeDecision:
    """Fire the nudge machine's `tick` on the chat as stored; nothing is written here."""
    track = NudgeTrack(
        state=chat.nudge_state,
        count=chat.nudge_count,
        bot_spoke_last=chat.bot_spoke_last,
        last_bot_at=chat.last_bot_at,
        last_nudge_at=chat.last_nudge_at,
        order_open=chat.conversation_state in OPEN_STATES,
        handoff=chat.conversation_state == OrderState.HANDOFF,
        policy=policy,
        clock=lambda: now,
    )
    nudge_machine().fire(track, NudgeTrigger.TICK)
    step = track.count if SEND_NUDGE in track.effects else None
    next_at = None if step is not None else _not_before(due_at(track), now, policy)
    return NudgeDecision(
        chat=chat,
        state=track.state,
        count=track.count,
        last_nudge_at=track.last_nudge_at,
        next_nudge_at=next_at,
        reason=_reason(chat, track, step, next_at, policy),
        step=step,
    )


async def plan_nudges(
    outbox: NudgeOutbox, now: datetime, policy: NudgePolicy, texts: NudgeTexts, limit: int = 500
) -> list[NudgeDecision]:
    """Decisions for the chats due at `now`, texts included; writes nothing (the preview)."""
    decisions = []
    for chat in await outbox.due(now, limit):
        decision = decide(chat, now, policy)
        if decision.step is not None:
            seed = f"{chat.chat_id}:{decision.step}:{chat.last_bot_at}"
            text = texts.text(decision.step, chat.name, chat.slots, seed)
            decision = replace(decision, text=text)
        decisions.append(decision)
    return decisions


def _not_before(moment: datetime | None, now: datetime, policy: NudgePolicy) -> datetime | None:
    """A due moment already past at a tick that sent nothing means the shop is closed: look
    again at the opening, never busy-poll a closed shop."""
    if moment is None or moment > now:
        return moment
    opening = policy.next_opening(now)
    return opening if opening > now else None


def _reason(
    chat: DueChat,
    track: NudgeTrack,
    step: int | None,
    next_at: datetime | None,
    policy: NudgePolicy,
) -> str:
    def local(moment: datetime | None) -> str:
        return moment.astimezone(policy.tz).strftime("%d.%m %H:%M") if moment else "?"

    if step == 1:
        return f"bot's message of {local(chat.last_bot_at)} is unanswered"
    if step == 2:
        return f"no reply since the first nudge at {local(chat.last_nudge_at)}"
    if track.state == NudgeState.STOPPED:
        if track.handoff:
            return "stopped: a manager has the chat"
        if nudge_guards.nudges_used_up(track) and track.order_open:
            return "stopped: both nudges sent"
        return f"stopped: conversation is {chat.conversation_state or 'missing'}"
    if not chat.bot_spoke_last:
        return "not due: the customer spoke last"
    if next_at is not None:
        return f"waiting until {local(next_at)}"
    return "not due"


#: Rewrites a reminder's template text (an LLM under the output guard); it returns the draft
#: itself whenever it cannot do better.
NudgeRewriter = Callable[[str, str, OrderSlots, str], Awaitable[str]]


class NudgeService:
    """One scheduler tick: decide for due chats, claim, then send what the outbox holds.

    Every worker (this process or another on the same database) may run it concurrently:
    claims are conditional updates and sends are leased, so each nudge goes out once.
    """

    def __init__(
        self,
        outbox: NudgeOutbox,
        sender: NudgeSender,
        policy: NudgePolicy,
        texts: NudgeTexts,
        *,
        clock: Callable[[], datetime] = utc_now,
        batch: int = 500,
        lease: timedelta = timedelta(minutes=2),
        retry_after: timedelta = timedelta(seconds=30),
        max_attempts: int = 5,
        send_concurrency: int = 4,
        rewrite: NudgeRewriter | None = None,
    ) -> None:
        self.rewrite = rewrite
        self.outbox = outbox
        self.sender = sender
        self.policy = policy
        self.texts = texts
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self.retry_after = retry_after
        self.max_attempts = max_attempts
        self.send_concurrency = send_concurrency
        self.owner = uuid.uuid4().hex

    async def tick(self, now: datetime | None = None) -> TickReport:
        now = now or self.clock()
        report = TickReport()
        await self.claim_due(now, report)
        await self.deliver(now, report)
        if report.claimed or report.sent or report.failed:
            log.info(
                "nudge tick due=%d claimed=%d nudges=%d stopped=%d sent=%d failed=%d",
                report.due, report.claimed, report.decided_nudges, report.stopped,
                report.sent, report.failed,
            )  # fmt: skip
        return report

    async def claim_due(self, now: datetime, report: TickReport | None = None) -> None:
        """Decide and commit: each nudge lands in the outbox with the state change."""
        report = report or TickReport()
        decisions = await plan_nudges(self.outbox, now, self.policy, self.texts, self.batch)
        report.due = len(decisions)
        if not decisions:
            return
        if self.rewrite is not None:
            decisions = list(await asyncio.gather(*map(self._rewritten, decisions)))
        won = await self.outbox.claim(decisions, now)
        report.claimed = len(won)
        report.decided_nudges = sum(1 for d in won if d.step is not None)
        report.stopped = sum(1 for d in won if d.state == NudgeState.STOPPED)

    async def _rewritten(self, decision: NudgeDecision) -> NudgeDecision:
        if decision.text is None or self.rewrite is None:
            return decision
        chat = decision.chat
        state = chat.conversation_state or OrderState.GREETING
        text = await self.rewrite(chat.chat_id, state, chat.slots, decision.text)
        return replace(decision, text=text)

    async def deliver(self, now: datetime, report: TickReport | None = None) -> None:
        """Send pending nudges (new, failed earlier or orphaned by a crash) inside work hours.

        Small leased batches keep every send well inside its lease; what does not fit in half a
        lease waits for the next tick.
        """
        report = report or TickReport()
        if not self.policy.is_open(now):
            return
        deadline = time.monotonic() + self.lease.total_seconds() / 2
        while time.monotonic() < deadline:
            batch = await self.outbox.lease_pending(
                self.owner, now, now + self.lease, self.send_concurrency
            )
            if not batch:
                return
            results = await asyncio.gather(*(self._send(nudge, now) for nudge in batch))
            report.sent += sum(results)
            report.failed += len(results) - sum(results)

    async def _send(self, nudge: PendingNudge, now: datetime) -> bool:
        timeout = self.lease.total_seconds() / 2
        try:
            wa_id = await asyncio.wait_for(
                self.sender.send_text(nudge.chat_id, nudge.text), timeout
            )
        except Exception as err:  # the channel's failure: retried on a later tick
            give_up = nudge.attempts >= self.max_attempts
            log.warning(
                "nudge %d to %s failed (attempt %d%s): %r",
                nudge.id, nudge.chat_id, nudge.attempts, ", giving up" if give_up else "", err,
            )  # fmt: skip
            await self.outbox.release(
                nudge, self.owner, repr(err)[:500], now + self.retry_after, give_up
            )
            return False
        sent = NudgeTrack(
            state=nudge.nudge_state,
            count=nudge.step,
            bot_spoke_last=True,
            last_bot_at=now,
            last_nudge_at=now,
            policy=self.policy,
        )
        await self.outbox.mark_sent(nudge, now, wa_id, due_at(sent))
        return True
