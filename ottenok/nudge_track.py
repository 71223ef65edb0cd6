"""The per-conversation model the nudge machine fires on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ottenok.nudge_policy import NudgePolicy


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class NudgeTrack:
    """What the nudge rules need about one chat; `clock` is injected so tests control time.

    `effects` collects the nudges the actions asked for; the scheduler sends them.
    """

    state: str = "active"
    count: int = 0
    bot_spoke_last: bool = False
    last_bot_at: datetime | None = None
    last_nudge_at: datetime | None = None
    order_open: bool = True
    handoff: bool = False
    policy: NudgePolicy = field(default_factory=NudgePolicy)
    clock: Callable[[], datetime] = utc_now
    effects: list[str] = field(default_factory=list)
