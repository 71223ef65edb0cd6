"""`LLMPhraser`: the LLM rewords the machine's reply; the guard keeps invented facts out.

Each test runs a turn as the engine does: the filler first (it opens the turn and its
budget), then the phraser on the turn's outcome; the server is scripted for both calls.
"""

from __future__ import annotations

import pytest
from fake_openai import FakeOpenAI, Structured, Text, user_text
from llm_kit import BOOTS, close_kits, llm_kit

from adapters.llm.phraser import CHARS_PER_TOKEN, _unquoted
from ottenok.outcome import TurnOutcome
from ottenok.phrasing.guard import ReplyFacts
from ottenok.phrasing.templates import SPLIT
from ottenok.slots import FillContext, OrderSlots, ProductType

SHOES = OrderSlots(city="Алматы", product=BOOTS, product_type=ProductType.SHOES)
FULL = SHOES.model_copy(update={"size": "37", "color": "черный", "address": "Абая 10, кв 5"})
NAMED = "а велия есть? сколько стоят"  # the rules are unsure: a question naming a product
READING = Structured({"intent": "question", "product_id": BOOTS})


@pytest.fixture(autouse=True)
async def _close_clients():
    yield
    await close_kits()


async def turn(kit, outcome: TurnOutcome, text: str = NAMED, state: str = "ask_product") -> str:
    await kit.filler.fill(text, FillContext(state=state, slots=OrderSlots(city="Алматы")))
    return await kit.phraser.phrase(outcome)


def chose_boots() -> TurnOutcome:
    return TurnOutcome("chat-1", "ask_size", SHOES, new_product=True, seed="s")


async def test_a_faithful_rewrite_is_sent_and_the_request_carries_state_and_facts() -> None:
    rewrite = "Ботильоны Velia стоят 45 900 ₸ 😍 Подскажите ваш размер? Есть 36, 37, 38 и 39."
    async with FakeOpenAI() as server:
        server.push(READING, Text(rewrite))
        kit = llm_kit(server.base_url)
        reply = await turn(kit, chose_boots())
        template = kit.offline_phraser.compose(chose_boots())

    assert reply == rewrite != template
    prompt = user_text(server.requests[1])
    assert "State: ask_size (Alina asks for: size)" in prompt
    assert f"Customer's last message: {NAMED}" in prompt
    assert f"id: {BOOTS}" in prompt and "45 900 ₸" in prompt
    assert f"Draft reply to rewrite:\n{template}" in prompt
    assert (
        server.requests[1]["max_tokens"]
        == kit.phraser.guard.limit(ReplyFacts("ask_size", template)) // CHARS_PER_TOKEN
    )
    [record] = kit.sink.records
    assert record.chat_id == "chat-1" and record.usage.calls == 2 and record.usage.events == {}


@pytest.mark.parametrize(
    "invented, reason",
    [
        ("Ботильоны Velia сегодня всего 39 900 ₸! Какой размер?", "price"),
        ("Для вас скидка 15% на Ботильоны Velia 🎁 Какой размер?", "discount"),
        ("Отлично, ваш заказ подтверждён! 🎉", "confirmation"),
    ],
)
async def test_an_invented_fact_falls_back_to_the_template(invented: str, reason: str) -> None:
    async with FakeOpenAI() as server:
        server.push(READING, Text(invented))
        kit = llm_kit(server.base_url)
        reply = await turn(kit, chose_boots())

    assert reply == kit.offline_phraser.compose(chose_boots())
    [record] = kit.sink.records
    assert record.usage.events == {f"rejected:{reason}": 1}


async def test_a_rewrite_cut_at_max_tokens_is_no_reply() -> None:
    rambling = "Ботильоны Velia — отличный выбор! " * 40 + "Какой размер?"
    async with FakeOpenAI() as server:
        server.push(READING, Text(rambling))
        kit = llm_kit(server.base_url)
        reply = await turn(kit, chose_boots())
    assert reply == kit.offline_phraser.compose(chose_boots())
    [record] = kit.sink.records
    assert record.usage.events == {"fallback:truncated": 1}
    assert kit.client.breaker.failures == 0  # the endpoint answered: no fault of its own


async def test_the_summary_and_the_confirmation_question_stay_templates() -> None:
    outcome = TurnOutcome(
        "chat-1", "confirming", FULL, answer="Доставка по Алматы курьером, 1–2 дня.", seed="s"
    )
    async with FakeOpenAI() as server:
        question = Structured({"intent": "question", "city": "Алматы"})
        server.push(question, Text("Заказ подтверждён, доставим за 1–2 дня!"))
        kit = llm_kit(server.base_url)
        rejected = await turn(kit, outcome, "а доставка по Алматы сколько?")
        server.push(question, Text("По Алматы доставим курьером за 1–2 дня 🚚"))
        accepted = await turn(kit, outcome, "а доставка по Алматы сколько?")

    template = kit.offline_phraser.compose(outcome).split(SPLIT)
    assert rejected.split(SPLIT) == template
    phrased = accepted.split(SPLIT)
    assert phrased[0] == "По Алматы доставим курьером за 1–2 дня 🚚"
    assert phrased[1:] == template[1:]  # the summary block and "напишите «да»" untouched
    assert "Ваш заказ:" in phrased[1]
    assert len(server.requests) == 4
    assert "Other messages of this reply, sent as they are:" in user_text(server.requests[-1])
    assert [r.usage.events for r in kit.sink.records] == [{"rejected:confirmation": 1}, {}]


async def test_a_greeting_stays_a_template_and_is_not_repeated() -> None:
    outcome = TurnOutcome("c", "ask_size", SHOES, new_product=True, greet=True, seed="s")
    async with FakeOpenAI() as server:
        server.push(READING, Text("Ботильоны Velia — 45 900 ₸. Какой размер нужен?"))
        kit = llm_kit(server.base_url)
        reply = await turn(kit, outcome)
    greeting, body = reply.split(SPLIT)
    assert greeting == kit.offline_phraser.compose(outcome).split(SPLIT)[0]
    assert body == "Ботильоны Velia — 45 900 ₸. Какой размер нужен?"
    assert "A greeting was already sent" in user_text(server.requests[1])


@pytest.mark.parametrize(
    "text, outcome",
    [
        ("38", TurnOutcome("c", "ask_color", SHOES.model_copy(update={"size": "38"}))),
        (NAMED, TurnOutcome("c", "confirmed", FULL, event="confirmed")),
        (NAMED, TurnOutcome("c", "handoff", SHOES, event="handoff")),
        (NAMED, TurnOutcome("c", "ask_product", OrderSlots(), candidates=[BOOTS, "x"])),
    ],
    ids=["rules-served", "confirmed", "handoff", "options-list"],
)
async def test_templates_only_where_phrasing_must_not_or_need_not_happen(text, outcome) -> None:
    async with FakeOpenAI() as server:
        server.push(READING)
        kit = llm_kit(server.base_url)
        reply = await turn(kit, outcome, text, state="ask_size")
    assert reply == kit.offline_phraser.compose(outcome)
    assert all("Draft reply" not in user_text(r) for r in server.requests)


async def test_a_re_asked_reading_leaves_no_round_trip_for_phrasing() -> None:
    async with FakeOpenAI() as server:
        server.push(Structured({"intent": "question", "product_id": "nope"}), READING)
        kit = llm_kit(server.base_url)
        reply = await turn(kit, chose_boots())
    assert len(server.requests) == 2
    assert reply == kit.offline_phraser.compose(chose_boots())


async def test_nudges_are_phrased_under_the_same_guard() -> None:
    draft = "Напоминаю о вашем заказе: ботильоны Velia, 37 размер 😊 Продолжим оформление?"
    slots = SHOES.model_copy(update={"size": "37"})
    async with FakeOpenAI() as server:
        server.push(
            Text("Ботильоны Velia ещё ждут вас — успейте со скидкой 20%!"),
            Text("Ботильоны Velia, 37 размер, всё ещё ждут вас 😊 Продолжим оформление?"),
        )
        kit = llm_kit(server.base_url)
        first = await kit.phraser.phrase_nudge("c", "ask_color", slots, draft)
        second = await kit.phraser.phrase_nudge("c", "ask_color", slots, draft)
    assert first == draft
    assert second.startswith("Ботильоны Velia, 37 размер")
    assert [(r.usage.turns, r.usage.calls, r.usage.events) for r in kit.sink.records] == [
        (0, 1, {"rejected:discount": 1}),
        (0, 1, {}),
    ]


async def test_a_fault_on_the_llm_path_costs_nothing_but_the_llm() -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    draft = "Напоминаю о заказе 😊 Продолжим?"
    async with FakeOpenAI() as server:
        server.push(READING, Text("Ботильоны Velia — 45 900 ₸. Какой размер?"), Text(draft))
        kit = llm_kit(server.base_url)
        kit.phraser.guard.check = broken  # type: ignore[method-assign]
        assert await turn(kit, chose_boots()) == kit.offline_phraser.compose(chose_boots())
        assert await kit.phraser.phrase_nudge("c", "ask_size", SHOES, draft) == draft
        kit.filler.messages = broken  # type: ignore[method-assign]
        context = FillContext(state="ask_product", slots=OrderSlots(city="Алматы"))
        assert await kit.filler.fill(NAMED, context) == await kit.offline.fill(NAMED, context)
    assert [r.usage.events for r in kit.sink.records] == [{"fallback:error": 1}] * 2


def test_quotes_around_the_whole_reply_are_dropped_and_others_kept() -> None:
    assert _unquoted("«Конечно! Какой размер?»") == "Конечно! Какой размер?"
    assert _unquoted('"Какой размер?"') == "Какой размер?"
    assert _unquoted("Напишите «да»") == "Напишите «да»"
    assert _unquoted("«Tod's» или «Velia»") == "«Tod's» или «Velia»"
