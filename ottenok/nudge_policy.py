"""Work-hours arithmetic for nudges: when may the shop write to a customer who went quiet.

Everything takes aware datetimes and an explicit timezone, so tests drive it with any clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class NudgePolicy:
    """When nudges go out: silence before the first, the hour of the second, the work hours."""

    tz: ZoneInfo = ZoneInfo("Asia/Almaty")
    open_hour: int = 9
    close_hour: int = 19  # exclusive: 19:00 is already closed
    first_after: timedelta = timedelta(hours=3)
    second_hour: int = 13

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return self.open_hour <= local.hour < self.close_hour

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when inside work hours, else the next opening time."""
        local = moment.astimezone(self.tz)
        if self.is_open(local):
            return moment
        day = local.date() if local.hour < self.open_hour else local.date() + timedelta(days=1)
        return datetime.combine(day, time(self.open_hour), tzinfo=self.tz)

    def first_nudge_at(self, bot_spoke_at: datetime) -> datetime:
        """Three hours of silence, moved to the next opening when that falls outside hours."""
        return self.next_opening(bot_spoke_at + self.first_after)

    def second_nudge_at(self, first_nudge_sent_at: datetime) -> datetime:
        """The day after the first nudge, at the configured hour (13:00 by default)."""
        local = first_nudge_sent_at.astimezone(self.tz)
        moment = datetime.combine(
            local.date() + timedelta(days=1), time(self.second_hour), tzinfo=self.tz
        )
        return self.next_opening(moment)


def parse_work_hours(text: str) -> tuple[int, int]:
    """Parse "9-19" into (9, 19); raises ValueError with a readable message otherwise."""
    try:
        start_text, end_text = text.split("-")
        start, end = int(start_text), int(end_text)
    except ValueError as err:
        raise ValueError(f"WORK_HOURS must look like 9-19, got {text!r}") from err
    if not 0 <= start < end <= 24:
        raise ValueError(f"WORK_HOURS must be two hours 0..24 with start < end, got {text!r}")
    return start, end
