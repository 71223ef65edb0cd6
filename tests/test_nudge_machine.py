"""The nudge machine under an injected clock: the timing table, resets and stops."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ottenok.actions.nudge import SEND_NUDGE
from ottenok.machines import nudge_machine
from ottenok.nudge_policy import NudgePolicy, parse_work_hours
from ottenok.nudge_track import NudgeTrack

ALMATY = ZoneInfo("Asia/Almaty")
MACHINE = nudge_machine()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Almaty in late November 2026 (day 30 rolls into December)."""
    return datetime(2026, 11, 1, tzinfo=ALMATY) + timedelta(
        days=day - 1, hours=hour, minutes=minute
    )


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def quiet_track(bot_spoke_at: datetime, clock: Clock, **kwargs) -> NudgeTrack:
    return NudgeTrack(bot_spoke_last=True, last_bot_at=bot_spoke_at, clock=clock, **kwargs)


def first_send_time(track: NudgeTrack, clock: Clock, until: datetime) -> datetime | None:
    """Tick every minute (like the scheduler) and return when the machine first nudges."""
    while clock.now <= until:
        if MACHINE.fire(track, "tick") and track.effects:
            return clock.now
        clock.now += timedelta(minutes=1)
    return None


# Silence start -> first nudge -> second nudge (the day after the first, 13:00).
TIMING_TABLE = [
    (at(24, 8, 0), at(24, 11, 0), at(25, 13, 0)),
    (at(24, 10, 0), at(24, 13, 0), at(25, 13, 0)),
    (at(24, 15, 59), at(24, 18, 59), at(25, 13, 0)),
    (at(24, 16, 0), at(25, 9, 0), at(26, 13, 0)),  # 19:00 is already closed
    (at(24, 16, 30), at(25, 9, 0), at(26, 13, 0)),
    (at(24, 18, 59), at(25, 9, 0), at(26, 13, 0)),
    (at(24, 23, 0), at(25, 9, 0), at(26, 13, 0)),
    (at(24, 4, 0), at(24, 9, 0), at(25, 13, 0)),  # 07:00 is before opening
    (at(30, 21, 0), at(31, 9, 0), at(32, 13, 0)),  # across the month boundary
]


@pytest.mark.parametrize(("silence", "first", "second"), TIMING_TABLE)
def test_timing_table(silence: datetime, first: datetime, second: datetime) -> None:
    clock = Clock(silence)
    track = quiet_track(silence, clock)
    assert first_send_time(track, clock, until=first + timedelta(days=1)) == first
    assert track.state == "nudged_once" and track.count == 1
    track.effects.clear()
    track.last_bot_at = clock.now  # the nudge itself is the bot's last word
    clock.now += timedelta(minutes=1)
    assert first_send_time(track, clock, until=second + timedelta(days=1)) == second
    assert track.state == "nudged_twice" and track.count == 2
    track.effects.clear()
    clock.now += timedelta(days=3)
    assert MACHINE.fire(track, "tick")
    assert track.state == "stopped" and not track.effects


def test_policy_edges_and_configurable_hours() -> None:
    policy = NudgePolicy()
    assert policy.is_open(at(24, 9, 0)) and policy.is_open(at(24, 18, 59))
    assert not policy.is_open(at(24, 19, 0)) and not policy.is_open(at(24, 8, 59))
    assert policy.first_nudge_at(at(24, 15, 59)) == at(24, 18, 59)
    assert policy.first_nudge_at(at(24, 16, 0)) == at(25, 9, 0)
    late = NudgePolicy(open_hour=14, close_hour=22)
    assert late.second_nudge_at(at(24, 20)) == at(25, 14)
    assert late.first_nudge_at(at(24, 18)) == at(24, 21)
    utc_moment = at(24, 10).astimezone(ZoneInfo("UTC"))
    assert policy.first_nudge_at(utc_moment) == at(24, 13)
    assert parse_work_hours("10-20") == (10, 20)
    for bad in ("9", "19-9", "a-b", "9-25"):
        with pytest.raises(ValueError, match="WORK_HOURS"):
            parse_work_hours(bad)


def test_reply_between_nudges_resets_count() -> None:
    clock = Clock(at(24, 10))
    track = quiet_track(at(24, 10), clock)
    assert first_send_time(track, clock, until=at(24, 14)) == at(24, 13)
    assert MACHINE.fire(track, "customer_replied")
    assert track.state == "active" and track.count == 0
    track.bot_spoke_last = False
    clock.now = at(26, 12)
    assert not MACHINE.fire(track, "tick")  # the customer spoke last: nothing to nudge
    track.bot_spoke_last, track.last_bot_at = True, at(26, 12)
    track.effects.clear()
    assert first_send_time(track, clock, until=at(26, 16)) == at(26, 15)
    assert track.count == 1


@pytest.mark.parametrize("reason", ["handoff", "finished_order"])
def test_no_nudges_after_handoff_or_finished_order(reason: str) -> None:
    clock = Clock(at(24, 10))
    track = quiet_track(at(24, 10), clock)
    if reason == "handoff":
        track.handoff = True
    else:
        track.order_open = False
    clock.now = at(24, 14)
    assert MACHINE.fire(track, "tick")
    assert track.state == "stopped" and not track.effects
    assert not MACHINE.fire(track, "tick")


@pytest.mark.parametrize("state", ["active", "nudged_once", "nudged_twice"])
@pytest.mark.parametrize(
    "ending", [{"handoff": True}, {"order_open": False}, {"policy": None}], ids=str
)
def test_stop_from_every_waiting_state(state: str, ending: dict) -> None:
    track = NudgeTrack(state=state)
    assert not MACHINE.fire(track, "stop")  # an open order: still worth waiting for
    track = NudgeTrack(state=state, **ending)
    assert MACHINE.fire(track, "stop")
    assert track.state == "stopped"
    assert MACHINE.fire(track, "customer_replied")
    assert track.state == "active"


def test_no_nudge_outside_work_hours_even_when_overdue() -> None:
    clock = Clock(at(24, 20))
    track = quiet_track(at(24, 10), clock)  # due at 13:00, but the service was down
    assert first_send_time(track, clock, until=at(25, 8, 59)) is None
    assert first_send_time(track, clock, until=at(25, 12)) == at(25, 9)


def test_missed_ticks_give_a_single_catch_up_nudge() -> None:
    """Down for two days: one nudge at the next opening, the second the day after."""
    clock = Clock(at(27, 9))
    track = quiet_track(at(24, 10), clock)
    assert MACHINE.fire(track, "tick")
    assert track.effects == [SEND_NUDGE]
    track.last_bot_at = clock.now
    assert not MACHINE.fire(track, "tick")
    clock.now = at(28, 12, 59)
    assert not MACHINE.fire(track, "tick")
    clock.now = at(28, 13)
    assert MACHINE.fire(track, "tick") and track.count == 2
