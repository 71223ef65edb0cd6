"""Plain records that the document parsers produce and the knowledge builder consumes.

Parsers (python-docx, chat exports) and the builder meet only here, so either side can change
without the other noticing. A catalog document's product is `ottenok.catalog.CatalogEntry`,
because the core merges it into the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
