"""Actions of the nudge machine: record the nudge on the model; the scheduler sends it."""

from __future__ import annotations

from ottenok.nudge_track import NudgeTrack

SEND_NUDGE = "send_nudge"


def send_nudge(track: NudgeTrack) -> None:
    track.count += 1
    track.last_nudge_at = track.clock()
    track.effects.append(SEND_NUDGE)


def reset_count(track: NudgeTrack) -> None:
    track.count = 0
    track.last_nudge_at = None
