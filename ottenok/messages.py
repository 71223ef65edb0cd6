"""What flows into and out of a turn: one incoming message, a list of outgoing actions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from ottenok.morphology import has_cyrillic, is_known_word, is_latin, morph, to_cyrillic
from ottenok.normalize import fold


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


# A WhatsApp name that names a business or a role, not a person ("ТОО Ромашка", "Shoes_KZ").
_NOT_PERSON_MARKS_RE = re.compile(r"[\d@_/]|\.(?:kz|com|ru)\b", re.IGNORECASE)
_BUSINESS_WORDS = frozenset({
    "ип", "тоо", "ооо", "ао", "бутик", "магазин", "салон", "студия", "шоурум", "опт", "обувь",
    "доставка", "маркет", "компания", "центр", "shop", "store", "boutique", "studio", "showroom",
    "market", "official", "beauty", "shoes", "company", "group", "ltd", "llc", "kz",
})  # fmt: skip
# English words people save in place of a name ("Mama", "Client").
_LATIN_ROLES = frozenset({
    "mama", "mom", "mommy", "mum", "papa", "dad", "client", "customer", "buyer", "user", "admin",
    "manager", "guest", "unknown", "me", "love", "baby", "honey", "queen", "princess", "boss",
})  # fmt: skip
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@lru_cache(maxsize=4096)
def first_name(sender_name: str | None) -> str | None:
    """The customer's given name from a WhatsApp name, or None when it is not a person's.

    Emoji and decorations go ("Асель💕" → "Асель"); a phone number, a business ("ТОО Ромашка",
    "Shoes_KZ"), a role ("Клиент", "Покупатель", "Mama"), initials ("А.С.") or "." give None.
    A Cyrillic word is a name when pymorphy3 reads it as one (Name), or when the dictionary does
    not know it at all (most Kazakh names); a surname first ("Иванова Асель") yields the next
    word. A Latin word is a name unless it is a role word or reads as a Russian common noun.
    """
    if not sender_name or _NOT_PERSON_MARKS_RE.search(sender_name):
        return None
    found = [(m.group(0), sender_name[m.end() : m.end() + 1]) for m in
             _NAME_WORD_RE.finditer(sender_name)]  # fmt: skip
    if not found or any(fold(word) in _BUSINESS_WORDS for word, _ in found):
        return None
    first, after = found[0]
    if _is_surname(first) and len(found) > 1:
        first, after = found[1]
    if len(first) < 2 or (len(first) <= 3 and (after == "." or first.isupper())):
        return None  # initials: "А.", "А.С.", "AS"
    if not _is_given_name(first):
        return None
    return first.capitalize() if first.islower() or first.isupper() else first


def _is_given_name(word: str) -> bool:
    folded = fold(word)
    if is_latin(folded):
        if folded in _LATIN_ROLES:
            return False
        folded = fold(to_cyrillic(folded))
        return not is_known_word(folded) or _has_grammeme(folded, "Name")
    return not is_known_word(folded) or _has_grammeme(folded, "Name")


def _is_surname(word: str) -> bool:
    folded = fold(word)
    return has_cyrillic(folded) and _has_grammeme(folded, "Surn") and not _has_grammeme(
        folded, "Name"
    )


def _has_grammeme(word: str, grammeme: str) -> bool:
    return any(grammeme in parse.tag for parse in morph().parse(word))
