"""One customer turn as the LLM sees it: its time budget and what it cost.

The engine calls the slot filler and, later in the same task, the phraser; neither call
carries the other's state. The filler opens the turn here (a context variable of the running
task), the phraser finds it, spends what is left of the budget and records the usage. The
budget is for the whole turn, retries included: `LLM_TIMEOUT_SECONDS` bounds how long a
customer waits for the LLM, however the calls are split; so does `MAX_ROUND_TRIPS`.

A channel that shows "typing…" asks to be told when a turn is about to wait for a model
(`llm_calls_announced`): turns the rules answer alone reply at once and show nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

#: Sequential LLM requests one turn may make: a reading and its phrasing, or a reading and one
#: re-ask (then the template is sent as it is). The customer never waits for a third.
MAX_ROUND_TRIPS = 2


@dataclass(slots=True)
class LLMTurn:
    """The budget and the bill of one turn. All LLM calls of a turn are sequential, so
    `calls` is also the number of round trips the customer waited for."""

    budget: float
    customer_text: str = ""
    started: float = field(default_factory=time.monotonic)
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    rules_only: bool = False
    filled_by_llm: bool = False
    fallbacks: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    recorded: bool = False
    announced: bool = False

    def remaining(self) -> float:
        return self.budget - (time.monotonic() - self.started)

    def announce(self) -> None:
        """Tell the channel, once per turn, that a request to the model is about to go out."""
        if self.announced:
            return
        self.announced = True
        callback = _announce.get()
        if callback is not None:
            callback()

    def add_usage(self, usage: object) -> None:
        """Add an OpenAI `usage` object (None when the server sends none)."""
        self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)


_current: ContextVar[LLMTurn | None] = ContextVar("ottenok_llm_turn", default=None)
_announce: ContextVar[Callable[[], None] | None] = ContextVar("ottenok_llm_call", default=None)


@contextmanager
def llm_calls_announced(callback: Callable[[], None]) -> Iterator[None]:
    """Within this block (one customer turn), `callback` runs right before the turn's first
    LLM request, if one is made: the place to show "typing…". It must not block."""
    token = _announce.set(callback)
    try:
        yield
    finally:
        _announce.reset(token)


def open_turn(budget: float, customer_text: str) -> tuple[LLMTurn, LLMTurn | None]:
    """Start a turn; also returns the previous one when it was never recorded (a turn that
    failed between filling and phrasing), so its usage is not lost."""
    previous = _current.get()
    turn = LLMTurn(budget=budget, customer_text=customer_text)
    _current.set(turn)
    return turn, previous if previous is not None and not previous.recorded else None


def current_turn(budget: float) -> LLMTurn:
    """The turn the filler opened, or a fresh one (a photo or voice message is phrased
    without filling)."""
    turn = _current.get()
    if turn is None or turn.recorded:
        turn = LLMTurn(budget=budget)
        _current.set(turn)
    return turn
