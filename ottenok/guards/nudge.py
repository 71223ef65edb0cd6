"""Guards of the nudge machine: timing rules over an injected clock."""

from __future__ import annotations

from ottenok.nudge_track import NudgeTrack

MAX_NUDGES = 2


def nothing_to_wait_for(track: NudgeTrack) -> bool:
    """A handoff or a finished order: nudging would only annoy."""
    return track.handoff or not track.order_open


def bot_spoke_last(track: NudgeTrack) -> bool:
    """Only a question the customer left unanswered is worth a reminder."""
    return track.bot_spoke_last and track.last_bot_at is not None


def first_nudge_due(track: NudgeTrack) -> bool:
    assert track.last_bot_at is not None
    now = track.clock()
    return now >= track.policy.first_nudge_at(track.last_bot_at) and track.policy.is_open(now)


def second_nudge_due(track: NudgeTrack) -> bool:
    if track.last_nudge_at is None:
        return False
    now = track.clock()
    return now >= track.policy.second_nudge_at(track.last_nudge_at) and track.policy.is_open(now)


def nudges_used_up(track: NudgeTrack) -> bool:
    return track.count >= MAX_NUDGES
