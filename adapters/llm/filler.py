"""`LLMSlotFiller`: the offline filler first, the LLM only where the rules are unsure.

Never worse than offline: the offline reading is always computed; when it is certain (a bare
answer to the question just asked, a plain yes at the summary, a greeting, a call for a manager)
it is the answer and no LLM is asked. Otherwise one instructor call reads the message with the
state, the order so far, the last messages and the shop's candidate products; its validated
values win, the offline values fill what it left empty, invalid values are dropped. Any error,
timeout or open breaker leaves the offline reading unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from adapters.llm.client import LLMClient, LLMUnavailable
from adapters.llm.facts import product_line, slots_line
from adapters.llm.reading import (
    CONTEXT_KEY,
    ProductOptions,
    ReadingContext,
    SlotReading,
    intents_in,
    salvage,
)
from adapters.llm.turn import LLMTurn, open_turn
from adapters.llm.usage import Accounting
from ottenok.catalog import Catalog
from ottenok.colors import ColorLexicon
from ottenok.filling.cities import find_city
from ottenok.filling.confidence import served_by_rules
from ottenok.filling.offline import OfflineSlotFiller
from ottenok.morphology import words
from ottenok.slots import FillContext, Intent, SlotUpdate
from ottenok.states.prompts import StatePrompts

log = logging.getLogger("ottenok.llm")

#: Products shown to the model: enough for "the other one", few enough to stay cheap.
MAX_CANDIDATES = 8
#: Messages of history in the prompt, and characters kept of each.
HISTORY_MESSAGES = 6
HISTORY_CHARS = 300
#: Usage of a turn that never reached phrasing is booked under this chat id.
UNKNOWN_CHAT = "?"


class LLMSlotFiller:
    """Implements `ottenok.protocols.SlotFiller`."""

    def __init__(
        self,
        offline: OfflineSlotFiller,
        client: LLMClient,
        prompts: StatePrompts,
        accounting: Accounting,
        budget_seconds: float,
        colors: ColorLexicon,
    ) -> None:
        """`colors` is the shop's one lexicon (its `colors.yaml` included), the offline
        filler's: a colour the model reads must be one of the colours it knows."""
        self.offline = offline
        self.catalog: Catalog = offline.catalog
        self.colors = colors
        self.client = client
        self.prompts = prompts
        self.accounting = accounting
        self.budget = budget_seconds

    async def fill(self, text: str, context: FillContext) -> SlotUpdate:
        offline = await self.offline.fill(text, context)
        turn, unrecorded = open_turn(self.budget, text)
        if unrecorded is not None:
            await self.accounting.record(UNKNOWN_CHAT, unrecorded)
        if served_by_rules(text, context, offline):
            turn.rules_only = True
            return offline
        try:
            reading = await self._read(text, context, offline, turn)
            if reading is None:
                return offline
            turn.filled_by_llm = True
            return merge(offline, reading, self.catalog)
        except Exception:  # a fault on the LLM path must not cost the customer the turn
            log.exception("LLM slot filling failed")
            turn.fallbacks["error"] += 1
            return offline

    async def _read(
        self, text: str, context: FillContext, offline: SlotUpdate, turn: LLMTurn
    ) -> SlotReading | None:
        """The model's validated reading; what is valid of its last answer when it never gave
        a valid one; None when nothing usable came back."""
        reading_context = self.reading_context(text, context, offline)
        messages = self.messages(text, context, offline, reading_context)
        try:
            return await self.client.extract(
                SlotReading, messages, {CONTEXT_KEY: reading_context}, turn
            )
        except LLMUnavailable as err:
            turn.fallbacks[err.reason] += 1
            return salvage(err.arguments, reading_context)

    def candidates(self, text: str, context: FillContext, offline: SlotUpdate) -> list[str]:
        """The products the message may be about: the current one, what the rules found,
        what the lookup ranks for the message, else for the customer's recent messages."""
        found: list[str] = [p for p in (context.slots.product, offline.product) if p]
        found += offline.candidates
        found += [m.product_id for m in self.offline.matcher.find(text, limit=5)]
        if len(set(found)) <= 1:
            for role, message in reversed(context.history[-HISTORY_MESSAGES:]):
                if role == "customer":
                    found += [m.product_id for m in self.offline.matcher.find(message, limit=3)]
        known = (p for p in dict.fromkeys(found) if self.catalog.get(p) is not None)
        return list(known)[:MAX_CANDIDATES]

    def reading_context(
        self, text: str, context: FillContext, offline: SlotUpdate
    ) -> ReadingContext:
        """What this turn's reading is checked against; the catalog's stock is refreshed every
        turn, so it is read now (every variant, sold out or not: see adapters/llm/reading)."""
        catalog = self.catalog
        said = [text, *(m for role, m in context.history[-HISTORY_MESSAGES:] if role == "customer")]
        return ReadingContext(
            products={
                pid: ProductOptions(tuple(catalog.sizes(pid)), tuple(catalog.colors(pid)))
                for pid in self.candidates(text, context, offline)
            },
            current_product=context.slots.product,
            shop_sizes=frozenset(s for pid in catalog.products for s in catalog.sizes(pid)),
            shop_colors=frozenset(self.colors.colors),
            said=" ".join(words(" ".join(said))),
            intents=intents_in(context.state),
        )

    def messages(
        self,
        text: str,
        context: FillContext,
        offline: SlotUpdate,
        reading_context: ReadingContext,
    ) -> list[dict[str, str]]:
        """The prompt: instructions, then everything the model needs about this turn."""
        asked = context.asking
        lines = [
            f"State: {context.state}"
            + (f" (Alina just asked the customer for: {asked})" if asked else ""),
            f"Order so far: {slots_line(self.catalog, context.slots)}",
            "Recent messages (oldest first):",
            *_history_lines(context.history),
            "Candidate products:",
            *_product_lines(self.catalog, reading_context.products),
            f"Rules-based reading (may be incomplete or wrong): {_offline_line(offline)}",
            f"Customer's message: {text}",
        ]
        intents = self.prompts.intent_lines(reading_context.intents)
        system = f"{self.prompts.filling}\n\nIntents in this state:\n{intents}"
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": "\n".join(lines)},
        ]


def merge(offline: SlotUpdate, reading: SlotReading, catalog: Catalog) -> SlotUpdate:
    """Validated LLM values win; the offline values fill what the LLM left empty."""
    data = offline.model_dump()
    if reading.intent != Intent.UNKNOWN:
        data["intent"] = reading.intent
    if reading.product_id is not None:
        data.update(
            product=reading.product_id,
            product_type=catalog.product_type(reading.product_id),
            candidates=[],
            unsold_product=None,
        )
    for name in ("size", "color", "address", "question"):
        if (value := getattr(reading, name)) is not None:
            data[name] = value
    if reading.city is not None:
        city = find_city(reading.city)
        if city is None:
            data.update(city=reading.city, foreign_city=None)
        elif city.is_kazakhstan:
            data.update(city=city.name, foreign_city=None)
        else:
            data["foreign_city"] = city.name
    data["wants_photos"] = offline.wants_photos or reading.wants_photos
    return SlotUpdate(**data)


def _history_lines(history: list[tuple[str, str]]) -> Iterable[str]:
    recent = history[-HISTORY_MESSAGES:]
    if not recent:
        return ["(none: this is the first message)"]
    return [f"{role}: {message[:HISTORY_CHARS]}" for role, message in recent]


def _product_lines(catalog: Catalog, products: dict[str, ProductOptions]) -> list[str]:
    lines = [f"- {line}" for pid in products if (line := product_line(catalog, pid))]
    return lines or ["(none match this message)"]


def _offline_line(update: SlotUpdate) -> str:
    values = update.model_dump(
        exclude_none=True, exclude_defaults=True, exclude={"question", "product_type"}
    )
    values["intent"] = update.intent.value
    return "; ".join(f"{k}={v}" for k, v in values.items())
