"""Plain records that the document parsers produce and the knowledge builder consumes.

Parsers (python-docx, chat exports) and the builder meet only here, so either side can change
without the other noticing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class CatalogEntry:
    """One product as described in a catalog document (either layout)."""

    name: str
    type: str | None = None  # raw "Тип" value: обувь / сумка / аксессуар / другое
    brand: str | None = None  # Latin brand, e.g. "Stuart Weitzman"
    brand_aliases: list[str] = field(default_factory=list)  # bracketed spelling: "Стюарт Вайцман"
    price: int | None = None
    colors: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    material: str | None = None
    description: str | None = None
    source: str = ""  # file name it came from


@dataclass(slots=True)
class ScriptSection:
    """One sales-script topic: a heading and its answer paragraphs."""

    topic: str
    text: str
    source: str = ""


@dataclass(slots=True)
class ChatMessage:
    """One message of a WhatsApp chat export (multi-line messages joined with newlines)."""

    chat: str
    timestamp: datetime
    author: str
    text: str
