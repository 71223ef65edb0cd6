"""`LLMPhraser`: the LLM rewords the reply the machine chose; the guard decides if it is sent.

The offline phraser composes the reply first, always. The LLM may then rewrite its free-text
part (the message between the greeting and the order summary) given the state, that text as the
intent of the reply, the order so far, and only the facts the turn involves. Exact facts stay
templates: the greeting (the shop's and the assistant's names), the order summary block, the
"reply «да»" line after it, and whole replies that promise something (confirmed, cancelled,
handoff), list options or explain an attachment. The output guard checks the rewrite against
the same facts; a rejected rewrite, an error, a timeout or an open breaker sends the template.

Phrasing is spent where it helps: on turns whose message needed the LLM to be understood (the
rules served the others, and their template answers fit them), and only while the turn has
made fewer than `MAX_ROUND_TRIPS` calls, so no customer waits for more than two round trips
unless the model's answers had to be re-asked.
"""

from __future__ import annotations

import logging

from adapters.llm.client import LLMClient, LLMUnavailable
from adapters.llm.facts import product_line, slots_line
from adapters.llm.turn import LLMTurn, current_turn
from adapters.llm.usage import Accounting
from ottenok.outcome import TurnOutcome
from ottenok.phrasing.guard import OutputGuard, ReplyFacts
from ottenok.phrasing.offline import OfflinePhraser
from ottenok.phrasing.templates import SPLIT, Templates
from ottenok.slots import OrderSlots
from ottenok.states.order import QUESTIONS, TurnEvent
from ottenok.states.prompts import StatePrompts

log = logging.getLogger("ottenok.llm")

#: Sequential LLM calls a turn may make before phrasing is skipped.
MAX_ROUND_TRIPS = 2
#: Replies that are promises or exact lists: the template is the message.
TEMPLATE_EVENTS = frozenset(
    {
        TurnEvent.CONFIRMED,
        TurnEvent.CANCELLED,
        TurnEvent.HANDOFF,
        TurnEvent.ALREADY_CONFIRMED,
        TurnEvent.ALREADY_CANCELLED,
        TurnEvent.NON_TEXT,
    }
)
_OPENING, _CLOSING = '"«“', '"»”'


class LLMPhraser:
    """Drop-in for `OfflinePhraser` in the engine (`phrase`, `t`, `summary_lines`)."""

    def __init__(
        self,
        offline: OfflinePhraser,
        client: LLMClient,
        guard: OutputGuard,
        prompts: StatePrompts,
        accounting: Accounting,
        budget_seconds: float,
    ) -> None:
        self.offline = offline
        self.client = client
        self.guard = guard
        self.prompts = prompts
        self.accounting = accounting
        self.budget = budget_seconds

    # The engine reads these of its phraser for manager notices.
    @property
    def t(self) -> Templates:
        return self.offline.t

    def summary_lines(self, slots: OrderSlots) -> str:
        return self.offline.summary_lines(slots)

    async def phrase(self, outcome: TurnOutcome) -> str:
        text = self.offline.compose(outcome)
        turn = current_turn(self.budget)
        try:
            if self._worth_a_call(outcome, turn):
                return await self._rewrite(outcome, text, turn)
        except Exception:  # a fault on the LLM path must not cost the customer the reply
            log.exception("LLM phrasing failed", extra={"chat_id": outcome.chat_id})
            turn.fallbacks["error"] += 1
        finally:
            await self.accounting.record(outcome.chat_id, turn)
        return text

    async def phrase_nudge(self, chat_id: str, state: str, slots: OrderSlots, draft: str) -> str:
        """A reminder's text under the same guard, on its own budget (no customer waits)."""
        turn = LLMTurn(budget=self.budget)
        facts = self._product_facts([slots.product])
        user = "\n".join(
            [
                f"Order so far: {slots_line(self.offline.catalog, slots)}",
                "Facts:",
                *(f"- {fact}" for fact in facts),
                "Reminder draft to rewrite:",
                draft,
            ]
        )
        messages = [
            {"role": "system", "content": self.prompts.nudge},
            {"role": "user", "content": user},
        ]
        try:
            return await self._guarded(messages, ReplyFacts(state, draft, tuple(facts)), turn)
        finally:
            await self.accounting.record(chat_id, turn, is_turn=False)

    def _worth_a_call(self, outcome: TurnOutcome, turn: LLMTurn) -> bool:
        return (
            turn.filled_by_llm
            and turn.calls < MAX_ROUND_TRIPS
            and outcome.event not in TEMPLATE_EVENTS
            and not outcome.candidates
        )

    async def _rewrite(self, outcome: TurnOutcome, text: str, turn: LLMTurn) -> str:
        parts = text.split(SPLIT)
        index = self._free_part(outcome, parts)
        if index is None:
            return text
        facts = (
            text.replace(SPLIT, "\n"),
            _shop_line(self.offline.t.shop, self.offline.t.assistant),
            *self._product_facts(
                [outcome.slots.product, outcome.issue.product_id if outcome.issue else None]
            ),
        )
        reply_facts = ReplyFacts(outcome.state, parts[index], facts, turn.customer_text)
        others = [part for i, part in enumerate(parts) if i != index]
        messages = self.messages(outcome, parts[index], others, facts[1:], turn.customer_text)
        parts[index] = await self._guarded(messages, reply_facts, turn)
        return SPLIT.join(parts)

    async def _guarded(
        self, messages: list[dict[str, str]], facts: ReplyFacts, turn: LLMTurn
    ) -> str:
        """The model's text when the guard passes it, else the draft."""
        try:
            candidate = _unquoted(await self.client.complete(messages, turn))
        except LLMUnavailable as err:
            turn.fallbacks[err.reason] += 1
            return facts.template
        verdict = self.guard.check(candidate, facts)
        if not verdict.ok:
            turn.rejections[verdict.reason or "?"] += 1
            log.info("phrasing rejected: %s (%s)", verdict.reason, verdict.detail)
            return facts.template
        return candidate

    def _free_part(self, outcome: TurnOutcome, parts: list[str]) -> int | None:
        """The one message of the reply the LLM may rewrite: not the greeting, not the
        summary block, not the line after it; None when there is not exactly one."""
        summary = self.offline.summary(outcome.slots) if outcome.slots.product else None
        free = []
        for index, part in enumerate(parts):
            if outcome.greet and index == 0:
                continue
            if summary is not None and (part == summary or summary in parts[:index]):
                continue
            free.append(index)
        return free[0] if len(free) == 1 and parts[free[0]].strip() else None

    def _product_facts(self, ids: list[str | None]) -> list[str]:
        """The catalog line of each product involved."""
        catalog = self.offline.catalog
        lines = (product_line(catalog, pid) for pid in dict.fromkeys(ids) if pid)
        return [line for line in lines if line]

    def messages(
        self,
        outcome: TurnOutcome,
        draft: str,
        others: list[str],
        facts: tuple[str, ...],
        customer_text: str,
    ) -> list[dict[str, str]]:
        """The prompt: the state's instructions, the turn, the facts, the draft."""
        asked = QUESTIONS.get(outcome.state)
        lines = [
            f"State: {outcome.state}" + (f" (Alina asks for: {asked})" if asked else ""),
            f"Customer's last message: {customer_text or '(a photo or voice message)'}",
            f"Order so far: {slots_line(self.offline.catalog, outcome.slots)}",
            "Facts:",
            *(f"- {fact}" for fact in facts),
        ]
        if outcome.greet:
            lines.insert(0, "A greeting was already sent as a separate message.")
        if others:
            lines += ["Other messages of this reply, sent as they are:", *others]
        lines += ["Draft reply to rewrite:", draft]
        system = f"{self.prompts.phrasing}\n\n{self.prompts.for_state(outcome.state)}"
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": "\n".join(lines)},
        ]


def _unquoted(text: str) -> str:
    """The reply without the quotes some models wrap it in ("«Конечно! …»")."""
    text = text.strip()
    if len(text) > 1 and text[0] in _OPENING and text[-1] in _CLOSING:
        inner = text[1:-1]
        if not any(q in inner for q in '"«»“”'):
            return inner.strip()
    return text


def _shop_line(shop: str | None, assistant: str) -> str:
    """Who is speaking; a shop without a name in its files is never given one."""
    if shop is None:
        return f"Shop: (no name given: never name the shop), assistant: {assistant}"
    return f"Shop: «{shop}», assistant: {assistant}"
