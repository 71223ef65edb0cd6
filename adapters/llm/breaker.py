"""A circuit breaker: stop calling an endpoint that keeps failing, try it again later.

A dead or misbehaving LLM endpoint must not cost every customer the whole time budget: after
`threshold` failures in a row the breaker opens and turns go straight to the offline default;
after `cooldown` seconds one call is let through (half-open) and its result closes or reopens
the breaker. Each opening is logged once, not once per turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("ottenok.llm")

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitBreaker:
    """Not thread-safe; one event loop owns it (asyncio code only, no awaits inside)."""

    def __init__(
        self,
        name: str,
        threshold: int = 3,
        cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.state = CLOSED
        self.failures = 0
        self.last_error: str | None = None
        self._opened_at = 0.0
        self._probing = False

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open only one call at a time."""
        if self.state == OPEN and self.clock() - self._opened_at >= self.cooldown:
            self.state = HALF_OPEN
            self._probing = False
        if self.state == CLOSED:
            return True
        if self.state == HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        if self.state != CLOSED:
            log.info("%s endpoint answers again: back to normal", self.name)
        self.state = CLOSED
        self.failures = 0
        self._probing = False

    def record_failure(self, reason: str) -> None:
        self.failures += 1
        self.last_error = reason
        self._probing = False
        if self.state == HALF_OPEN or (self.state == CLOSED and self.failures >= self.threshold):
            if self.state == CLOSED:
                log.warning(
                    "%s endpoint failing (%s, %d in a row): offline default for %.0f s",
                    self.name, reason, self.failures, self.cooldown,
                )  # fmt: skip
            self.state = OPEN
            self._opened_at = self.clock()

    def abandon(self) -> None:
        """A call let through was cancelled before it told anything: free the probe slot."""
        self._probing = False

    def trip(self, reason: str) -> None:
        """Open now, after one failure: the endpoint is known to be down (the start-up probe
        failed), so no customer turn need find it out again."""
        self.failures += 1
        self.last_error = reason
        self._probing = False
        if self.state != OPEN:
            log.warning(
                "%s endpoint unreachable (%s): offline default for %.0f s, then it is tried again",
                self.name, reason, self.cooldown,
            )  # fmt: skip
        self.state = OPEN
        self._opened_at = self.clock()

    def status(self) -> dict[str, Any]:
        """For /health: `degraded` while the endpoint is not known to work."""
        retry_in = None
        if self.state == OPEN:
            retry_in = max(0.0, round(self.cooldown - (self.clock() - self._opened_at), 1))
        return {
            "state": self.state,
            "degraded": self.state != CLOSED,
            "failures_in_a_row": self.failures,
            "last_error": self.last_error,
            "retry_in_seconds": retry_in,
        }
