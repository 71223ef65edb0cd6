"""A loopback OpenAI-compatible server for tests: aiohttp on 127.0.0.1, scripted answers.

It speaks the parts of the API Ottenok uses: `POST /v1/chat/completions`, `GET /v1/models`
and `POST /v1/embeddings`. Every chat request body is recorded. Answers come from a script
(`push`), else from `respond` (a function of the request), else an "unknown" reading:

- `Structured(data)`: the object the model "fills", shaped as the request asks for it: a tool
  call when the request offers tools, JSON content under `response_format`, a ```json block
  otherwise (md_json); `data` may be a string to send broken JSON;
- `Text(text)`: a plain assistant message (phrasing);
- `Status(code)`: an HTTP error with an OpenAI-style error body;
- any answer with `delay` seconds before it is sent (a slow or hanging server).

Usage is reported like OpenAI does: prompt tokens ~ request characters / 4, completion tokens
~ answer characters / 4, so tests can check the accounting adds up. A text longer than the
request's `max_tokens` is cut there, with `finish_reason` "length".

    async with FakeOpenAI() as server:
        server.push(Structured({"intent": "question"}), Text("Конечно!"))
        config = LLMConfig(base_url=server.base_url, api_key="sk-test")
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web


@dataclass
class Structured:
    data: dict[str, Any] | str
    delay: float = 0.0


@dataclass
class Text:
    text: str
    delay: float = 0.0


@dataclass
class Status:
    code: int
    delay: float = 0.0


Answer = Structured | Text | Status


def tokens(text: str) -> int:
    return max(1, len(text) // 4)


def request_kind(body: dict[str, Any]) -> str:
    """How a request asks for structure: "tools", "json_schema", "json", "md_json" or "text"."""
    if body.get("tools"):
        return "tools"
    response_format = (body.get("response_format") or {}).get("type")
    if response_format == "json_schema":
        return "json_schema"
    if response_format == "json_object":
        return "json"
    if "```json" in json.dumps(body.get("messages", []), ensure_ascii=False):
        return "md_json"
    return "text"


def user_text(body: dict[str, Any]) -> str:
    """Everything the request's user messages say, joined."""
    return "\n".join(
        m["content"] for m in body.get("messages", []) if m["role"] == "user" and m.get("content")
    )


class FakeOpenAI:
    def __init__(self, respond: Callable[[dict[str, Any]], Answer] | None = None) -> None:
        self.respond = respond
        self.script: deque[Answer] = deque()
        self.requests: list[dict[str, Any]] = []
        self.embedding_requests: list[dict[str, Any]] = []
        self.embedding_status = 200
        self.models_status = 200
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *answers: Answer) -> None:
        self.script.extend(answers)

    async def __aenter__(self) -> FakeOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        if self.script:
            answer = self.script.popleft()
        elif self.respond is not None:
            answer = self.respond(body)
        else:
            answer = Structured({"intent": "unknown"})
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if isinstance(answer, Status):
            error = {"message": f"scripted {answer.code}", "type": "server_error", "code": None}
            return web.json_response({"error": error}, status=answer.code)
        message = self._message(body, answer)
        content = message.get("content") or json.dumps(message.get("tool_calls"))
        finish = "stop"
        limit = body.get("max_tokens")
        if isinstance(answer, Text) and limit and tokens(content) > limit:
            content = message["content"] = content[: limit * 4]  # cut as a real server does
            finish = "length"
        prompt = tokens(json.dumps(body, ensure_ascii=False))
        completion = tokens(content)
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            }
        )

    @staticmethod
    def _message(body: dict[str, Any], answer: Structured | Text) -> dict[str, Any]:
        if isinstance(answer, Text):
            return {"role": "assistant", "content": answer.text}
        data = answer.data if isinstance(answer.data, str) else json.dumps(answer.data)
        kind = request_kind(body)
        if kind == "tools":
            name = body["tools"][0]["function"]["name"]
            call = {
                "id": "call_1",
                "type": "function",
                "function": {"name": name, "arguments": data},
            }
            return {"role": "assistant", "content": None, "tool_calls": [call]}
        if kind == "md_json":
            return {"role": "assistant", "content": f"Вот ответ:\n```json\n{data}\n```"}
        return {"role": "assistant", "content": data}

    async def _models(self, request: web.Request) -> web.Response:
        if self.models_status != 200:
            return web.json_response({"error": {"message": "down"}}, status=self.models_status)
        return web.json_response({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    async def _embeddings(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.embedding_requests.append(body)
        if self.embedding_status != 200:
            error = {"error": {"message": "embeddings down"}}
            return web.json_response(error, status=self.embedding_status)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": _vector(text)}
            for i, text in enumerate(texts)
        ]
        usage = {"prompt_tokens": sum(tokens(t) for t in texts), "total_tokens": 0}
        return web.json_response({"object": "list", "data": data, "model": "fake", "usage": usage})


def _vector(text: str, dims: int = 64) -> list[float]:
    """A deterministic bag-of-words vector: texts sharing words point the same way."""
    vector = [0.0] * dims
    for word in text.lower().split():
        vector[zlib.crc32(word.encode()) % dims] += 1.0
    norm = sum(v * v for v in vector) ** 0.5 or 1.0
    return [v / norm for v in vector]


# -- scripted models ---------------------------------------------------------------------------

_READING_FIELDS = {"intent", "product", "size", "color", "city", "address", "wants_photos"}


def rules_echo(body: dict[str, Any]) -> Answer:
    """A model that agrees with the rules-based reading the prompt shows and keeps the draft it
    is asked to rewrite: every answer valid, so the plumbing is measured, not the model."""
    if request_kind(body) == "text":
        return Text(draft_of(body) or "")
    text = user_text(body)
    line = next((x for x in text.splitlines() if x.startswith("Rules-based reading")), "")
    reading: dict[str, Any] = {"intent": "unknown"}
    for pair in line.split(": ", 1)[-1].split("; "):
        key, _, value = pair.partition("=")
        if key in _READING_FIELDS and value:
            reading["product_id" if key == "product" else key] = (
                value == "True" if key == "wants_photos" else value
            )
    return Structured(reading)


#: What a model may invent when it rewrites a reply, by what it invents: the acceptance
#: review's forced lies and the first ones. The output guard must reject each in every
#: phrasing of the dialogue suite (tests/test_llm_dialogues.py), alone or before the draft.
LIES: dict[str, str] = {
    "price in words": "Стоимость — сорок тысяч тенге.",
    "premature confirmation": "Всё оформила! Ждите звонка.",
    "delivery term": "Доставим в течение недели.",
    "product not in the catalog": "Есть кроссовки Nike Air Max.",
    "diminutive discount": "Для вас скидочка 🎁",
    "purchase confirmed": "Ваша покупка подтверждена.",
    "a couple of days": "Доставка займёт пару дней.",
    "warranty": "На всю обувь гарантия год.",
    "every size in stock": "Эта модель в наличии во всех размерах.",
    "delivery price as the price": "Эта модель сейчас стоит всего 1 000 ₸!",
    "question off the list": "Как вас зовут?",
    "request off the list": "Оставьте номер телефона.",
    "order confirmed": "Ваш заказ подтверждён! 🎉 Менеджер скоро напишет.",
    "discount": "Для вас сегодня скидка 15% 🎁",
    "delivery date": "Доставим завтра, курьер позвонит заранее 🚚",
    "colours": "Есть ещё в розовом и голубом цвете 😍",
    "installments": "Оплатить можно в рассрочку на 12 месяцев.",
}


def draft_of(body: dict[str, Any]) -> str | None:
    """The draft a phrasing request asks the model to rewrite."""
    text = user_text(body)
    for marker in ("Draft reply to rewrite:\n", "Reminder draft to rewrite:\n"):
        if marker in text:
            return text.split(marker, 1)[1]
    return None


class Liar:
    """Valid readings, and phrasings that tell every lie of `LIES` in turn, each before the
    draft (so the rewrite still asks what the draft asks and only the lie is judged).
    `told` keeps what was sent, for the tests to look for in what the customer got."""

    def __init__(self, start: int = 0) -> None:
        self.lies = list(LIES.values())
        self.next = start % len(self.lies)
        self.told: list[str] = []

    def __call__(self, body: dict[str, Any]) -> Answer:
        if request_kind(body) != "text":
            return rules_echo(body)
        lie = self.lies[self.next]
        self.next = (self.next + 1) % len(self.lies)
        self.told.append(lie)
        return Text(f"{lie} {draft_of(body) or ''}".strip())


def garbage(body: dict[str, Any]) -> Answer:
    """Broken JSON, then readings of the wrong type, then ids and sizes the shop never had."""
    if request_kind(body) == "text":
        return Text("Доставим завтра бесплатно, скидка 50%!")
    answers: list[Answer] = [
        Structured('{"intent": "provide_info", "size": '),
        Structured({"intent": "buy_now", "product_id": 42, "size": [], "wants_photos": "maybe"}),
        Structured({"intent": "order", "product_id": "gucci-404", "size": "52", "color": "фуксия",
                    "city": "Париж", "address": "ул. Выдуманная 1"}),
    ]  # fmt: skip
    return answers[zlib.crc32(json.dumps(body["messages"]).encode()) % len(answers)]
