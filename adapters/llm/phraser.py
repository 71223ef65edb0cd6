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
made fewer than `MAX_ROUND_TRIPS` calls: a reading that needed its re-ask leaves no round trip
for phrasing, so no customer ever waits for more than two.
"""

from __future__ import annotations

import logging

from adapters.llm.client import LLMClient, LLMUnavailable
from adapters.llm.facts import product_line, slots_line
from adapters.llm.turn import MAX_ROUND_TRIPS, LLMTurn, current_turn
from adapters.llm.usage import Accounting
from ottenok.outcome import TurnOutcome
from ottenok.phrasing.guard import OutputGuard, ReplyFacts
from ottenok.phrasing.offline import OfflinePhraser
from ottenok.phrasing.templates import SPLIT, Templates
from ottenok.slots import OrderSlots
from ottenok.states.order import QUESTIONS, TurnEvent
from ottenok.states.prompts import StatePrompts

log = logging.getLogger("ottenok.llm")

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
#: Fewest characters a token of a phrased reply holds (Russian runs 2-4 with OpenAI's
#: tokenizers): the completion's `max_tokens` is the guard's length limit over this.
CHARS_PER_TOKEN = 2


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
        """A reminder's text under the same guard, on its own budget (no customer waits). Any
        fault leaves the draft: a nudge tick must never fail for its wording."""
        turn = LLMTurn(budget=self.budget)
        try:
            order = self._order_line(slots)
            facts = self._product_facts([slots.product])
            user = "\n".join(
                [order, "Facts:", *(f"- {fact}" for fact in facts), "Reminder draft to rewrite:"]
            )
            messages = [
                {"role": "system", "content": self.prompts.nudge},
                {"role": "user", "content": f"{user}\n{draft}"},
            ]
            return await self._guarded(messages, ReplyFacts(state, draft, (order, *facts)), turn)
        except Exception:
            log.exception("LLM nudge phrasing failed", extra={"chat_id": chat_id})
            turn.fallbacks["error"] += 1
            return draft
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
            _shop_line(self.offline.t.shop, self.offline.t.assistant),
            *self._product_facts(
                [outcome.slots.product, outcome.issue.product_id if outcome.issue else None]
            ),
        )
        # The guard also knows the rest of the reply and the order so far: true, and shown.
        known = (text.replace(SPLIT, "\n"), self._order_line(outcome.slots), *facts)
        reply_facts = ReplyFacts(outcome.state, parts[index], known, turn.customer_text)
        others = [part for i, part in enumerate(parts) if i != index]
        messages = self.messages(outcome, parts[index], others, facts, turn.customer_text)
        parts[index] = await self._guarded(messages, reply_facts, turn)
        return SPLIT.join(parts)

    async def _guarded(
        self, messages: list[dict[str, str]], facts: ReplyFacts, turn: LLMTurn
    ) -> str:
        """The model's text when the guard passes it, else the draft."""
        # A reply as long as the guard allows fits (Russian: 2+ characters a token); a longer
        # one is cut by the server and thrown away, never paid for in full.
        max_tokens = self.guard.limit(facts) // CHARS_PER_TOKEN
        try:
            candidate = _unquoted(await self.client.complete(messages, turn, max_tokens))
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

    def _order_line(self, slots: OrderSlots) -> str:
        return f"Order so far: {slots_line(self.offline.catalog, slots)}"

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
            self._order_line(outcome.slots),
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
