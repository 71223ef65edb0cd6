"""Text cut into the units answers are made of: the sentences of a shop's scripts, the
questions of a customer's message.

A script paragraph often holds several facts ("Оплата Kaspi. Есть рассрочка 0-0-12."), and a
customer often asks two things in one message ("сколько доставка в Астану и можно в
рассрочку?"): each fact is quoted, and each question answered, on its own. Sentences are cut by
razdel (abbreviations such as "г. Алматы" do not end one); questions by their question marks,
lines and the question words that start a second question after "и", "а" or a comma.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from razdel import sentenize

# A second question starts after "и"/"а"/a comma with one of these ("…, и можно в рассрочку").
_NEXT_QUESTION = re.compile(
    r"(?:,\s*(?:(?:и|а)\s+)?|\s+(?:и|а)\s+)(?:ещё\s+|еще\s+)?(?=(?:можно|сколько|как(?:ой|ая|ие|ое|"
    r"им|их)?|когда|где|есть\s+ли|ли\s+есть|нужно\s+ли|почему|за\s+сколько|в\s+рассрочку|"
    r"рассрочк[а-я]*|возврат|вернуть|обмен[а-я]*|доставк[а-я]*|оплат[а-я]*)(?![а-я]))",
    re.IGNORECASE,
)
# What ends a question: its marks, a line break, a full stop before the next words.
_QUESTION_END_KEPT = re.compile(r"([?!]+|\n+|\.(?:\s+|$)|;)")
_WORD = re.compile(r"[^\W\d_]{2,}|\d+")
_LEADING_JOIN = re.compile(r"^(?:и|а)\s+", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    """The sentences of a text, line by line (a line never joins the next one)."""
    found: list[str] = []
    for line in text.splitlines():
        found.extend(s.text.strip() for s in sentenize(line) if s.text.strip())
    return found


@dataclass(frozen=True, slots=True)
class Piece:
    """One clause of a customer message; `marked`: it ends with a question mark."""

    text: str
    marked: bool


def split_questions(message: str) -> list[str]:
    """The questions of one customer message, in order; a message without words is none.

    "сколько доставка по Алматы и можно ли в рассрочку?" → ["сколько доставка по Алматы",
    "можно ли в рассрочку"]. A clause is cut only where a question word starts it, so "есть 38
    и 39?" stays one question.
    """
    return [piece.text for piece in pieces(message)]


def pieces(message: str) -> list[Piece]:
    """`split_questions` with each clause's question mark: in "Шымкент. самба белые. а они
    маломерят?" only the last clause asks; the others say who and what."""
    found: list[Piece] = []
    parts = _QUESTION_END_KEPT.split(message)
    for piece, end in zip(parts[::2], [*parts[1::2], ""], strict=True):
        for part in _split_clauses(piece):
            part = _LEADING_JOIN.sub("", part.strip(" ,-—–"))
            if _WORD.search(part):
                found.append(Piece(part, "?" in end))
    return found


def _split_clauses(piece: str) -> list[str]:
    cuts = [m.start() for m in _NEXT_QUESTION.finditer(piece) if m.start() > 0]
    bounds = [0, *cuts, len(piece)]
    return [piece[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
