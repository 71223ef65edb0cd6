"""Read WhatsApp "export chat" text files (Android and iOS formats) into messages.

Real conversations between the shop's managers and customers are the best examples of tone
and of the questions people ask. Exports differ by phone: Android writes
`12.03.2026, 10:15 - Имя: текст`, iOS `[12.03.2026, 10:15:02] Имя: текст`; both split long
messages over several lines and sprinkle invisible marks (BOM, U+200E, U+202F).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from knowledge.documents import ChatMessage

_INVISIBLE_RE = re.compile("[\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES_RE = re.compile("[\u00a0\u202f\u2009]")
_DATE = r"(?P<day>\d{1,2})[./-](?P<month>\d{1,2})[./-](?P<year>\d{2,4})"
_TIME = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s?(?P<ampm>[AaPp]\.?[Mm]\.?))?"
)
_ANDROID_RE = re.compile(rf"^{_DATE},?\s+{_TIME}\s+[-–]\s+(?P<rest>.*)$")
_IOS_RE = re.compile(rf"^\[{_DATE},?\s+{_TIME}\]\s+(?P<rest>.*)$")
_AUTHOR_RE = re.compile(r"^(?P<author>[^:]{1,60}?):\s?(?P<text>.*)$", re.S)


def parse_chat_export(path: Path | str, chat: str | None = None) -> list[ChatMessage]:
    """Messages in file order; `chat` defaults to the export's folder name
    (`chats/<name>/chat.txt`). System lines (no "Имя:") and their continuations are skipped."""
    path = Path(path)
    chat = chat or path.parent.name
    raw = path.read_text(encoding="utf-8-sig", errors="replace")
    messages: list[ChatMessage] = []
    in_system_line = False
    for line in raw.splitlines():
        line = _SPACES_RE.sub(" ", _INVISIBLE_RE.sub("", line)).rstrip()
        header = _ANDROID_RE.match(line) or _IOS_RE.match(line)
        if header is None:
            if messages and not in_system_line:
                messages[-1].text += "\n" + line
            continue
        author_text = _AUTHOR_RE.match(header.group("rest"))
        timestamp = _timestamp(header)
        in_system_line = author_text is None or timestamp is None
        if not in_system_line:
            messages.append(
                ChatMessage(
                    chat=chat,
                    timestamp=timestamp,
                    author=author_text.group("author").strip(),
                    text=author_text.group("text"),
                )
            )
    for message in messages:
        message.text = message.text.strip()
    return messages


def _timestamp(match: re.Match[str]) -> datetime | None:
    year = int(match.group("year"))
    year += 2000 if year < 100 else 0
    hour = int(match.group("hour"))
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        return datetime(
            year,
            int(match.group("month")),
            int(match.group("day")),
            hour,
            int(match.group("minute")),
            int(match.group("second") or 0),
        )
    except ValueError:
        return None
