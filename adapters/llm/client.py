"""The one way Ottenok talks to a language model: instructor over openai's `AsyncOpenAI`.

Any OpenAI-compatible server works (OpenAI, vLLM, llama.cpp, Ollama): `base_url` points at it
and `mode` says how structured answers are asked for (`tools` for OpenAI and vLLM,
`json_schema` for servers with constrained decoding, `json` for Ollama, `md_json` for anything
else). Every call spends the turn's time budget, goes through the circuit breaker and adds its
tokens to the turn's bill; every failure becomes an `LLMUnavailable` with a short reason, so
callers fall back to the offline default in one `except`. Before a turn's first request the
turn announces it (`LLMTurn.announce`), so a channel shows "typing…" only while a customer
really waits for a model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import instructor
from instructor.core.hooks import Hooks
from openai import APIConnectionError, APIStatusError, APITimeoutError, AsyncOpenAI
from pydantic import BaseModel, ValidationError

from adapters.llm.breaker import CircuitBreaker
from adapters.llm.turn import MAX_ROUND_TRIPS, LLMTurn

log = logging.getLogger("ottenok.llm")
# instructor logs every failed attempt with the whole validation error (customer text
# included) at ERROR; we log each failure once, with its reason, and count it in usage.
logging.getLogger("instructor").setLevel(logging.CRITICAL)

MODES: dict[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
#: Re-asks after an answer that fails validation: an extraction may use every round trip a
#: turn has (then the phrasing is skipped), never more.
MAX_RETRIES = MAX_ROUND_TRIPS - 1
#: Below this much budget a call is not started: it could not finish anyway.
MIN_CALL_SECONDS = 0.3
#: A call that timed out after less than this share of `LLMConfig.timeout` was cut short by
#: the turn's budget (the reading before it took the rest): no verdict on the endpoint.
FAIR_SHARE = 0.5
#: Status codes of the start-up probe that say nothing about chat completions: a key may be
#: barred from listing models (403), a server may not list them at all (404).
PROBE_UNKNOWN = frozenset({403, 404})
#: A local server needs no key, but the openai client insists on one.
NO_KEY = "not-needed"

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class LLMConfig:
    model: str = "gpt-4o"
    mode: str = "tools"
    api_key: str | None = None
    base_url: str | None = None
    timeout: float = 8.0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"LLM mode must be one of {', '.join(MODES)}, not {self.mode!r}")


class LLMUnavailable(Exception):
    """No usable answer: `reason` is "breaker_open", "budget", "timeout", "connection",
    "http_<status>", "invalid", "truncated" or "error". `arguments` is the last structured
    answer the model gave (parsed JSON), so valid fields of an invalid answer can still be
    used."""

    def __init__(self, reason: str, arguments: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.arguments = arguments


class LLMClient:
    """One endpoint and model. Creating it opens no connection."""

    def __init__(self, config: LLMConfig, breaker: CircuitBreaker | None = None) -> None:
        self.config = config
        self.breaker = breaker or CircuitBreaker("LLM")
        self.openai = AsyncOpenAI(
            api_key=config.api_key or NO_KEY,
            base_url=config.base_url or None,
            max_retries=0,  # retries are ours: one budget for the whole turn
            timeout=config.timeout,
        )
        self.instructor = instructor.from_openai(self.openai, mode=MODES[config.mode])

    async def close(self) -> None:
        await self.openai.close()

    def status(self) -> dict[str, Any]:
        return {
            "model": self.config.model,
            "mode": self.config.mode,
            "base_url": self.config.base_url or "https://api.openai.com/v1",
            **self.breaker.status(),
        }

    async def extract(
        self,
        response_model: type[Model],
        messages: list[dict[str, str]],
        context: dict[str, Any],
        turn: LLMTurn,
    ) -> Model:
        """A validated `response_model`; invalid answers are re-asked (at most `MAX_RETRIES`)
        with the validators' messages, all inside the turn's remaining budget."""
        remaining = self._admit(turn)
        async with self._call("extraction", remaining), asyncio.timeout(remaining):
            return await self.instructor.chat.completions.create(
                model=self.config.model,
                response_model=response_model,
                messages=[_literal(m) for m in messages] if context else messages,
                max_retries=MAX_RETRIES,
                context=context,
                hooks=self._hooks(turn),
                timeout=remaining,
            )

    async def complete(self, messages: list[dict[str, str]], turn: LLMTurn, max_tokens: int) -> str:
        """Plain text from one request (phrasing): no retries, the guard decides. A text the
        server cut at `max_tokens` ends mid-sentence: no reply ("truncated")."""
        remaining = self._admit(turn)
        turn.calls += 1
        async with self._call("phrasing", remaining), asyncio.timeout(remaining):
            response = await self.openai.chat.completions.create(
                model=self.config.model,
                messages=messages,
                max_tokens=max_tokens,
                timeout=remaining,
            )
        turn.add_usage(response.usage)
        if not response.choices:
            return ""
        if response.choices[0].finish_reason == "length":
            raise LLMUnavailable("truncated")
        return response.choices[0].message.content or ""

    async def probe(self) -> bool:
        """Ask the endpoint for its models, in the background at start-up, so /health shows
        a dead endpoint before the first customer meets it. False only when it is known dead:
        a refusal to list models (`PROBE_UNKNOWN`) leaves the breaker closed, the first turn
        will tell."""
        try:
            async with asyncio.timeout(min(5.0, self.config.timeout)):
                await self.openai.models.list()
        except APIStatusError as err:
            if err.status_code not in PROBE_UNKNOWN:
                self.breaker.trip(failure_reason(err))
                return False
            log.info("LLM endpoint lists no models (HTTP %d): not probed", err.status_code)
            return True
        except Exception as err:
            self.breaker.trip(failure_reason(err))
            return False
        self.breaker.record_success()
        return True

    @asynccontextmanager
    async def _call(self, purpose: str, allotted: float) -> AsyncIterator[None]:
        """One call's outcome for the breaker; any failure becomes `LLMUnavailable`. A timeout
        after less than `FAIR_SHARE` of the configured time is the turn's budget running out,
        not the endpoint failing: it gives the breaker no verdict ("budget")."""
        try:
            yield
        except asyncio.CancelledError:  # cancelled from outside (shutdown): no verdict
            self.breaker.abandon()
            raise
        except Exception as err:
            reason = failure_reason(err)
            if reason == "timeout" and allotted < FAIR_SHARE * self.config.timeout:
                reason = "budget"
                self.breaker.abandon()
            else:
                self.breaker.record_failure(reason)
            log.info("LLM %s failed: %s", purpose, reason, extra={"error": str(err)[:300]})
            raise LLMUnavailable(reason, _last_arguments(err)) from err
        self.breaker.record_success()

    def _admit(self, turn: LLMTurn) -> float:
        remaining = turn.remaining()
        if remaining < MIN_CALL_SECONDS:
            raise LLMUnavailable("budget")
        if not self.breaker.allow():
            raise LLMUnavailable("breaker_open")
        turn.announce()
        return remaining

    @staticmethod
    def _hooks(turn: LLMTurn) -> Hooks:
        """Count every request instructor sends (re-asks too) and every response's tokens."""
        hooks = Hooks()

        def requested(*args: Any, **kwargs: Any) -> None:
            turn.calls += 1

        hooks.on("completion:kwargs", requested)
        hooks.on("completion:response", lambda response: turn.add_usage(response.usage))
        return hooks


def failure_reason(err: BaseException) -> str:
    """A short, stable name for why a call failed (for the breaker, logs and usage)."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (TimeoutError, APITimeoutError)):
            return "timeout"
        if isinstance(current, APIConnectionError):
            return "connection"
        if isinstance(current, APIStatusError):
            return f"http_{current.status_code}"
        if isinstance(current, (ValidationError, json.JSONDecodeError)):
            return "invalid"
        current = current.__cause__ or current.__context__
    if getattr(err, "failed_attempts", None):
        return "invalid"
    return "error"


def _literal(message: dict[str, str]) -> dict[str, str]:
    """A message instructor will not template.

    instructor renders every message as a Jinja template when a validation context is given;
    a customer's "{{ … }}" must reach the model as typed, never be evaluated.
    """
    content = message["content"].replace("{%", "{ %")
    return {**message, "content": "{% raw %}" + content + "{% endraw %}"}


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def _last_arguments(err: BaseException) -> dict[str, Any] | None:
    """The JSON object of the last answer an `InstructorRetryException` carries."""
    completion = getattr(err, "last_completion", None)
    try:
        message = completion.choices[0].message  # type: ignore[union-attr]
    except (AttributeError, IndexError, TypeError):
        return None
    if message.tool_calls:
        text = message.tool_calls[0].function.arguments or ""
    else:
        text = message.content or ""
    return parse_json_object(text)


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The JSON object in a model's answer: bare, in a ```json fence, or amid prose."""
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        value = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
