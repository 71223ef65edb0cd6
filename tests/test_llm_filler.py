"""`LLMSlotFiller` against a scripted OpenAI-compatible server on 127.0.0.1.

The server is real HTTP (tests/fake_openai.py); the openai client, instructor's modes, re-asks
and validation run exactly as in production. What is checked: what the requests carry (state,
history, candidate ids), that validated values win and invalid ones never reach the order, and
that every failure ends on the offline reading within the turn's budget.
"""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from fake_openai import FakeOpenAI, Status, Structured, Text, request_kind, user_text
from llm_kit import BOOTS, LOAFERS, close_kits, llm_kit

from adapters.llm import filler as filler_module
from adapters.llm.breaker import CircuitBreaker
from adapters.llm.reading import ReadingContext, SlotReading, intents_in, problems
from adapters.llm.turn import current_turn, llm_calls_announced
from ottenok.outcome import TurnOutcome
from ottenok.slots import FillContext, Intent, OrderSlots, ProductType
from ottenok.states.order import ANY

ASK_PRODUCT = FillContext(
    state="ask_product",
    slots=OrderSlots(city="Алматы"),
    history=[
        ("customer", "здравствуйте, покажите ботильоны и лоферы"),
        ("alina", "У нас есть Ботильоны Velia и Лоферы Corsa. Какие вам больше нравятся?"),
    ],
)
ASK_SIZE = FillContext(
    state="ask_size",
    slots=OrderSlots(city="Алматы", product=BOOTS, product_type=ProductType.SHOES),
)
# The rules are unsure about this one: a question that also names values.
QUESTION = "а 38 в черном есть? и сколько идет доставка"


@pytest.fixture(autouse=True)
async def _close_clients():
    yield
    await close_kits()


def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


async def test_valid_extraction_wins_and_the_request_carries_the_turn() -> None:
    async with FakeOpenAI() as server:
        server.push(Structured({"intent": "provide_info", "product_id": LOAFERS, "size": "38"}))
        kit = llm_kit(server.base_url)
        update = await kit.filler.fill("давайте вторые, 38 размер", ASK_PRODUCT)
        offline = await kit.offline.fill("давайте вторые, 38 размер", ASK_PRODUCT)

    assert offline.product is None  # the rules cannot know what "вторые" means
    assert update.product == LOAFERS and update.product_type == ProductType.SHOES
    assert update.size == "38" and update.intent == Intent.PROVIDE_INFO
    [request] = server.requests
    prompt = user_text(request)
    assert "State: ask_product" in prompt and "asked the customer for: product" in prompt
    assert "customer: здравствуйте, покажите ботильоны и лоферы" in prompt
    assert "alina: У нас есть Ботильоны Velia" in prompt
    assert f"id: {BOOTS}" in prompt and f"id: {LOAFERS}" in prompt
    assert "city=Алматы" in prompt
    assert request["model"] == "fake-model"
    assert request_kind(request) == "tools"


async def test_invalid_json_is_re_asked() -> None:
    async with FakeOpenAI() as server:
        server.push(
            Structured('{"intent": "question", "size": '),
            Structured({"intent": "question", "size": "38", "color": "черный"}),
        )
        kit = llm_kit(server.base_url)
        update = await kit.filler.fill(QUESTION, ASK_SIZE)

    assert len(server.requests) == 2
    assert (update.size, update.color, update.intent) == ("38", "черный", Intent.QUESTION)
    re_ask = server.requests[1]["messages"]
    assert re_ask[-1]["role"] == "tool" and "fix the errors" in re_ask[-1]["content"]


async def test_an_invalid_value_is_re_asked_with_the_reason() -> None:
    async with FakeOpenAI() as server:
        server.push(
            Structured({"intent": "question", "product_id": "gucci-404", "size": "38"}),
            Structured({"intent": "question", "size": "39"}),
        )
        kit = llm_kit(server.base_url)
        update = await kit.filler.fill(QUESTION, ASK_SIZE)

    assert len(server.requests) == 2
    re_ask = server.requests[1]["messages"][-1]["content"]
    assert "unknown id 'gucci-404'" in re_ask and BOOTS in re_ask
    assert update.product is None and update.size == "39"


@pytest.mark.parametrize(
    "answer, why",
    [
        ({"intent": "question", "size": "52"}, "is not a size this product is made in"),
        ({"intent": "question", "color": "фуксия"}, "is not a colour this product is made in"),
        ({"intent": "purchase"}, "Input should be 'greeting', 'provide_info'"),
        ({"intent": "question", "city": "Париж"}, "did not name this city"),
        ({"intent": "question", "address": "ул. Абая 10, кв 5"}, "address"),
    ],
)
async def test_values_the_shop_or_the_customer_never_gave_are_re_asked(answer, why) -> None:
    async with FakeOpenAI() as server:
        server.push(Structured(answer), Structured({"intent": "question"}))
        kit = llm_kit(server.base_url)
        await kit.filler.fill(QUESTION, ASK_SIZE)

    assert len(server.requests) == 2
    assert why in server.requests[1]["messages"][-1]["content"]


async def test_a_server_answering_only_invalid_values_leaves_the_offline_reading() -> None:
    invalid = Structured({"intent": "buy", "product_id": "gucci-404", "size": "52"})
    async with FakeOpenAI(respond=lambda body: invalid) as server:
        kit = llm_kit(server.base_url)
        update = await kit.filler.fill(QUESTION, ASK_SIZE)
        offline = await kit.offline.fill(QUESTION, ASK_SIZE)

    assert len(server.requests) == 2  # the answer and one re-ask: a turn's two round trips
    assert update == offline
    assert current_turn(3.0).fallbacks == {"invalid": 1}


async def test_valid_fields_of_an_answer_that_stays_invalid_are_kept() -> None:
    half = Structured({"intent": "question", "product_id": "gucci-404", "color": "черный"})
    async with FakeOpenAI(respond=lambda body: half) as server:
        kit = llm_kit(server.base_url)
        update = await kit.filler.fill("а в черном сколько доставка?", ASK_SIZE)

    assert len(server.requests) == 2
    assert update.product is None and update.color == "черный"
    assert update.intent == Intent.QUESTION


@pytest.mark.parametrize("failure", ["timeout", "http_500", "connection"])
async def test_failures_finish_on_the_offline_reading_within_the_budget(failure) -> None:
    budget = 1.0
    async with FakeOpenAI() as server:
        if failure == "timeout":
            server.push(Structured({"intent": "question"}, delay=5))
        elif failure == "http_500":
            server.push(Status(500))
        base_url = refused_url() if failure == "connection" else server.base_url
        kit = llm_kit(base_url, budget=budget)
        started = time.monotonic()
        update = await kit.filler.fill(QUESTION, ASK_SIZE)
        elapsed = time.monotonic() - started
        offline = await kit.offline.fill(QUESTION, ASK_SIZE)

    assert update == offline
    assert elapsed < budget + 0.5
    assert current_turn(budget).fallbacks == {failure: 1}
    assert len(server.requests) == (0 if failure == "connection" else 1)  # no retry
    assert kit.client.breaker.failures == 1  # the endpoint had the whole budget: its fault


async def test_a_timeout_the_turn_s_budget_caused_gives_the_breaker_no_verdict() -> None:
    breaker = CircuitBreaker("LLM", threshold=1)
    async with FakeOpenAI() as server:
        # The reading takes most of the budget; the phrasing has too little left to finish.
        server.push(Structured({"intent": "question"}, delay=1.3), Text("Какой размер?", delay=5))
        kit = llm_kit(server.base_url, budget=2.0, breaker=breaker)
        await kit.filler.fill(QUESTION, ASK_SIZE)
        outcome = TurnOutcome("c", "ask_size", ASK_SIZE.slots, seed="s")
        assert await kit.phraser.phrase(outcome) == kit.offline_phraser.compose(outcome)
    [record] = kit.sink.records
    assert record.usage.events == {"fallback:budget": 1}
    assert breaker.state == "closed" and breaker.failures == 0


@pytest.mark.parametrize("status, degraded", [(403, False), (404, False), (401, True), (500, True)])
async def test_the_start_up_probe_tells_a_dead_endpoint_from_a_key_that_cannot_list(
    status: int, degraded: bool
) -> None:
    async with FakeOpenAI() as server:
        server.models_status = status
        kit = llm_kit(server.base_url)
        assert await kit.client.probe() is not degraded
    assert kit.client.status()["degraded"] is degraded


async def test_the_breaker_stops_calling_a_failing_endpoint_and_probes_it_later() -> None:
    now = [0.0]
    breaker = CircuitBreaker("LLM", threshold=2, cooldown=30, clock=lambda: now[0])
    async with FakeOpenAI(respond=lambda body: Status(503)) as server:
        kit = llm_kit(server.base_url, breaker=breaker)
        for _ in range(4):
            await kit.filler.fill(QUESTION, ASK_SIZE)
        assert len(server.requests) == 2
        assert current_turn(3.0).fallbacks == {"breaker_open": 1}
        status = kit.client.status()
        assert status["degraded"] and status["state"] == "open"
        assert status["last_error"] == "http_503"

        now[0] += 31
        server.respond = lambda body: Structured({"intent": "question"})
        await kit.filler.fill(QUESTION, ASK_SIZE)
        assert len(server.requests) == 3  # one probe, which succeeds
        assert kit.client.status()["state"] == "closed"


@pytest.mark.parametrize(
    "text, context",
    [
        ("38", ASK_SIZE),
        ("38 размер", ASK_SIZE),
        ("да", FillContext(state="confirming", slots=ASK_SIZE.slots)),
        ("Да, всё верно 👍", FillContext(state="confirming", slots=ASK_SIZE.slots)),
        ("позовите менеджера пожалуйста", ASK_SIZE),
        ("Караганда", FillContext(state="ask_city")),
        ("Здравствуйте!", FillContext()),
        ("спасибо большое!", FillContext(state="confirmed")),
    ],
)
async def test_rules_first_skips_the_call(text, context) -> None:
    async with FakeOpenAI() as server:
        kit = llm_kit(server.base_url)
        update = await kit.filler.fill(text, context)
        assert update == await kit.offline.fill(text, context)
    assert server.requests == []
    assert current_turn(3.0).rules_only


@pytest.mark.parametrize(
    "text, context",
    [
        (QUESTION, ASK_SIZE),
        ("ой нет, давайте 39", ASK_SIZE),
        ("а можно посмотреть фото?", ASK_SIZE),
        ("ну не знаю", ASK_SIZE),
    ],
)
async def test_messages_the_rules_are_unsure_about_go_to_the_llm(text, context) -> None:
    async with FakeOpenAI() as server:
        kit = llm_kit(server.base_url)
        await kit.filler.fill(text, context)
    assert len(server.requests) == 1


async def test_the_channel_hears_of_a_turn_s_first_llm_request_and_of_no_other() -> None:
    heard: list[str] = []
    async with FakeOpenAI() as server:
        server.push(Structured({"intent": "question"}), Text("Какой размер вам нужен?"))
        kit = llm_kit(server.base_url)
        with llm_calls_announced(lambda: heard.append("rules")):
            await kit.filler.fill("38", ASK_SIZE)  # the rules read it: no request, no "typing…"
        with llm_calls_announced(lambda: heard.append("llm")):
            await kit.filler.fill(QUESTION, ASK_SIZE)
            await kit.phraser.phrase(TurnOutcome("c", "ask_size", ASK_SIZE.slots, seed="s"))
    assert len(server.requests) == 2 and heard == ["llm"]


def test_a_reading_s_intent_must_have_a_row_in_the_state() -> None:
    assert intents_in("ask_size") == frozenset(Intent)  # the open states' last row takes any
    assert intents_in("handoff") == frozenset()  # a manager has the chat: no row
    table = [
        {"intent": [Intent.CONFIRM, Intent.DENY], "source": ["confirming"], "triggers": []},
        {"intent": ANY, "source": ["ask_size"], "triggers": []},
    ]
    assert intents_in("confirming", table) == {Intent.CONFIRM, Intent.DENY}
    context = ReadingContext(
        {}, None, frozenset(), frozenset(), "", intents_in("confirming", table)
    )
    assert problems(SlotReading(intent=Intent.CONFIRM), context) == {}
    assert (
        "use one of: confirm, deny"
        in problems(SlotReading(intent=Intent.QUESTION), context)["intent"]
    )


async def test_the_prompt_lists_the_state_s_intents_and_others_are_re_asked(monkeypatch) -> None:
    async with FakeOpenAI() as server:
        server.push(Structured({"intent": "question"}))
        kit = llm_kit(server.base_url)
        await kit.filler.fill(QUESTION, ASK_SIZE)
        system = server.requests[0]["messages"][0]["content"]
        for intent in Intent:  # every value of the enum, "repeat" and "not_sure" included
            assert f"\n{intent.value}: " in system
        narrow = frozenset({Intent.PROVIDE_INFO, Intent.QUESTION})
        monkeypatch.setattr(filler_module, "intents_in", lambda state: narrow)
        server.push(Structured({"intent": "confirm"}), Structured({"intent": "question"}))
        update = await kit.filler.fill(QUESTION, ASK_SIZE)
    system = server.requests[1]["messages"][0]["content"]
    assert "\nquestion: " in system and "\nconfirm: " not in system
    re_ask = server.requests[2]["messages"][-1]["content"]
    assert "'confirm' is not an intent here; use one of: provide_info, question" in re_ask
    assert update.intent == Intent.QUESTION


async def test_a_sold_out_choice_is_read_and_one_never_made_is_re_asked() -> None:
    """The customer may ask for what is sold out (the machine says so and offers the rest);
    a size or colour the product was never made in is the model's mistake."""
    async with FakeOpenAI() as server:
        server.push(
            Structured({"intent": "question", "size": "38", "color": "бордовый"}),  # sold out
            Structured({"intent": "question", "size": "41"}),
            Structured({"intent": "question", "size": "39"}),
        )
        kit = llm_kit(server.base_url)
        assert not kit.catalog.check_availability(BOOTS, "38", "бордовый").in_stock
        sold_out = await kit.filler.fill("а 38 в бордовом будет?", ASK_SIZE)
        never = await kit.filler.fill("а 41 есть?", ASK_SIZE)
    assert (sold_out.size, sold_out.color) == ("38", "бордовый")
    assert (
        "'41' is not a size this product is made in"
        in server.requests[2]["messages"][-1]["content"]
    )
    assert never.size == "39" and len(server.requests) == 3


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json", "md_json"])
async def test_every_mode_sends_its_request_shape_and_reads_the_answer(mode) -> None:
    async with FakeOpenAI() as server:
        server.push(Structured({"intent": "question", "size": "37", "color": "бордовый"}))
        kit = llm_kit(server.base_url, mode=mode)
        update = await kit.filler.fill(QUESTION, ASK_SIZE)

    [request] = server.requests
    assert request_kind(request) == mode
    if mode == "tools":
        assert request["tool_choice"]["function"]["name"] == "SlotReading"
    if mode == "json_schema":
        schema = request["response_format"]["json_schema"]["schema"]
        assert "product_id" in schema["properties"]
    if mode in ("json", "md_json"):
        assert "product_id" in request["messages"][0]["content"]  # the schema, in the prompt
    assert "State: ask_size" in user_text(request)
    assert (update.size, update.color) == ("37", "бордовый")


async def test_a_customer_s_template_syntax_reaches_the_model_as_typed() -> None:
    text = "{{ 7*7 }} а {# это #} 38 есть?"
    async with FakeOpenAI() as server:
        kit = llm_kit(server.base_url)
        await kit.filler.fill(text, ASK_SIZE)
    prompt = user_text(server.requests[0])
    assert f"Customer's message: {text}" in prompt
    assert "49" not in prompt


def test_the_breaker_lets_one_probe_through_and_frees_it_when_cancelled() -> None:
    now = [0.0]
    breaker = CircuitBreaker("LLM", threshold=3, cooldown=10, clock=lambda: now[0])
    breaker.trip("connection")  # a failed start-up probe opens it at once
    assert breaker.status() == {
        "state": "open", "degraded": True, "failures_in_a_row": 1,
        "last_error": "connection", "retry_in_seconds": 10.0,
    }  # fmt: skip
    assert not breaker.allow()
    now[0] = 10
    assert breaker.allow() and not breaker.allow()  # half-open: one call at a time
    breaker.abandon()  # that call was cancelled (shutdown): another may probe
    assert breaker.allow()
    breaker.record_failure("timeout")
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 20
    assert breaker.allow()
    breaker.record_success()
    assert breaker.status()["state"] == "closed" and breaker.allow() and breaker.allow()


async def test_a_cancelled_turn_frees_the_half_open_probe() -> None:
    now = [0.0]
    breaker = CircuitBreaker("LLM", threshold=1, cooldown=5, clock=lambda: now[0])
    async with FakeOpenAI() as server:
        server.push(Status(500), Structured({"intent": "question"}, delay=5))
        kit = llm_kit(server.base_url, breaker=breaker)
        await kit.filler.fill(QUESTION, ASK_SIZE)
        now[0] = 5
        task = asyncio.create_task(kit.filler.fill(QUESTION, ASK_SIZE))
        while len(server.requests) < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert breaker.state == "half_open" and breaker.allow()
