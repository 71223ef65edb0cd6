"""Rules first: when the offline reading of a message is certain, no LLM is asked.

Most customer messages are bare answers to the question just asked ("38", "Алматы", "да",
"чёрные", an address), a greeting, a thank-you or a call for a manager. The rules read those
exactly, so an LLM call would only add latency and cost. What is left for the LLM are the
messages that say several things at once, ask something, correct, or that the rules did not
understand.
"""

from __future__ import annotations

from ottenok.morphology import words
from ottenok.slots import FillContext, Intent, SlotUpdate

#: A bare answer is at most this many words: "38", "38 размер", "я из Астаны", "в чёрном цвете".
BARE_WORDS = 3
#: Yes, no, hello and thanks stay short: "да, всё верно", "нет, не так", "спасибо большое!".
SHORT_WORDS = 4
#: An address answer is mostly address: "ул. Абая 15, кв 3" but not "Абая 15, а доставка когда?".
ADDRESS_SHARE = 0.6

# Fields that, when set, mean the message carries more than a bare answer.
_EXTRA = ("wants_photos", "candidates", "unsold_product", "foreign_city", "question")


def served_by_rules(text: str, context: FillContext, update: SlotUpdate) -> bool:
    """Whether the offline reading is certain enough to skip the LLM."""
    n = len(words(text))
    values = set(update.slot_values()) - {"product_type"}
    extra = any(getattr(update, name) for name in _EXTRA)
    if update.intent == Intent.ASK_MANAGER:
        return True
    if extra:
        return False
    if not values:
        if update.intent in (Intent.GREETING, Intent.SMALLTALK):
            return n <= SHORT_WORDS
        if update.intent in (Intent.CONFIRM, Intent.DENY):
            return context.asking == "confirmation" and n <= SHORT_WORDS
        return False
    asked = context.asking
    if update.intent != Intent.PROVIDE_INFO or values != {asked}:
        return False
    if asked == "address":
        return len(update.address or "") >= ADDRESS_SHARE * len(text.strip())
    return n <= BARE_WORDS
