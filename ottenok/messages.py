"""What flows into and out of a turn: one incoming message, a list of outgoing actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class IncomingMessage:
    """A customer's (or manager's) message as the channel delivered it.

    `kind` is "text" for anything with text to read (an image's caption counts), otherwise the
    media kind ("audio", "video", "sticker", "location", "document", "image"), which gets a
    polite request to write in text.

    `edits` is the message_id of the customer's earlier message this one corrects (a WhatsApp
    edit: `text` is the new wording). `lid` is the person's WhatsApp `@lid` id when the channel
    saw one; `chat_id` is then still the phone-based id when the phone is known, so the two ids
    of one person can be folded into one conversation.
    """

    chat_id: str
    message_id: str
    text: str = ""
    sender_name: str | None = None
    kind: str = "text"
    timestamp: datetime = field(default_factory=now_utc)
    edits: str | None = None
    lid: str | None = None


@dataclass(slots=True)
class Outgoing:
    """One thing to send: a text, a photo (local path or Drive file id) or a manager notice."""

    chat_id: str
    kind: str  # "text" | "photo"
    text: str = ""
    photo_path: Path | None = None
    photo_key: str | None = None
    photo_file_id: str | None = None
    to_manager: bool = False


def first_name(sender_name: str | None) -> str | None:
    """The first word of a WhatsApp name when it looks like a name (not "🌸" or "+7701…")."""
    if not sender_name or not sender_name.strip():
        return None
    first = sender_name.strip().split()[0]
    return first if first.isalpha() else None
