"""The per-conversation model the nudge machine fires on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ottenok.nudge_policy import NudgePolicy
from ottenok.states.nudge import NudgeState


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class NudgeTrack:
    """What the nudge rules need about one chat; `clock` is injected so tests control time.

    `order_open` and `handoff` are read off the order machine's state; `policy` None means
    nudges are switched off. `effects` collects the nudges the actions asked for; the scheduler
    sends them.
    """

    state: NudgeState = NudgeState.ACTIVE
    count: int = 0
    bot_spoke_last: bool = False
    last_bot_at: datetime | None = None
    last_nudge_at: datetime | None = None
    order_open: bool = True
    handoff: bool = False
    policy: NudgePolicy | None = field(default_factory=NudgePolicy)
    clock: Callable[[], datetime] = utc_now
    effects: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NudgeSchedule:
    """A chat's stored nudge columns, as the nudge machine last left them.

    `next_nudge_at` is when the scheduler should look at the chat again (None: never, until
    something happens); the due query reads only that.
    """

    state: NudgeState = NudgeState.ACTIVE
    count: int = 0
    last_nudge_at: datetime | None = None
    next_nudge_at: datetime | None = None
