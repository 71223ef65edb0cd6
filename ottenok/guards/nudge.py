"""Guards of the nudge machine: timing rules over an injected clock.

The `*_at` functions give the moment a waiting state's nudge falls due; the `*_due` guards
compare the clock with them, and the scheduler stores them (`states.nudge.DUE_AT`) so a quiet
chat is looked at again only then.
"""

from __future__ import annotations

from datetime import datetime

from ottenok.nudge_track import NudgeTrack

MAX_NUDGES = 2


def nothing_to_wait_for(track: NudgeTrack) -> bool:
    """A handoff, a finished order, or nudges switched off: nudging would only annoy."""
    return track.policy is None or track.handoff or not track.order_open


def bot_spoke_last(track: NudgeTrack) -> bool:
    """Only a question the customer left unanswered is worth a reminder."""
    return track.bot_spoke_last and track.last_bot_at is not None


def first_nudge_at(track: NudgeTrack) -> datetime | None:
    """Three hours after the bot's unanswered message, moved into work hours."""
    if track.policy is None or track.last_bot_at is None:
        return None
    return track.policy.first_nudge_at(track.last_bot_at)


def second_nudge_at(track: NudgeTrack) -> datetime | None:
    """The day after the first nudge, at the policy's hour."""
    if track.policy is None or track.last_nudge_at is None:
        return None
    return track.policy.second_nudge_at(track.last_nudge_at)


def after_second_nudge(track: NudgeTrack) -> datetime | None:
    """Right after the second nudge: the next tick lets the machine stop the chat."""
    return track.last_nudge_at


def _due(moment: datetime | None, track: NudgeTrack) -> bool:
    if moment is None or track.policy is None:
        return False
    now = track.clock()
    return now >= moment and track.policy.is_open(now)


def first_nudge_due(track: NudgeTrack) -> bool:
    return _due(first_nudge_at(track), track)


def second_nudge_due(track: NudgeTrack) -> bool:
    return _due(second_nudge_at(track), track)


def nudges_used_up(track: NudgeTrack) -> bool:
    return track.count >= MAX_NUDGES
