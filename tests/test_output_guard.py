"""The output guard: what an LLM-phrased reply may not say, and that the templates it rewrites
always pass (a guard stricter than the templates would silently switch phrasing off)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from llm_kit import BOOTS, LOAFERS, TOTE, llm_catalog

from ottenok.colors import ColorLexicon
from ottenok.conversation import StockIssue
from ottenok.outcome import TurnOutcome
from ottenok.phrasing.guard import (
    OutputGuard,
    ReplyFacts,
    Verdict,
    asked_for,
    language_of,
    numbers_in,
)
from ottenok.phrasing.offline import OfflinePhraser
from ottenok.phrasing.templates import SPLIT, Templates
from ottenok.slots import OrderSlots, ProductType

CATALOG = llm_catalog()
GUARD = OutputGuard(CATALOG, ColorLexicon.for_catalog(CATALOG))
DRAFT = (
    "Ботильоны Velia — отличный выбор! Цена 45 900 ₸. Какой размер вам нужен? "
    "Сейчас в наличии: 36, 37, 38 и 39."
)
FACTS = ReplyFacts(
    state="ask_size",
    template=DRAFT,
    facts=(
        "id: velia-boots | Ботильоны Velia (Velia; Велия) | shoes | 45 900 ₸ | colours: черный,"
        " бордовый | sizes: 36, 37, 38, 39",
        "Доставка по Казахстану 2–5 дней, по Алматы курьером 1–2 дня.",
    ),
    customer_text="а велия сколько стоят?",
)


@pytest.mark.parametrize(
    "reply",
    [
        DRAFT,
        "Ботильоны Velia стоят 45 900 ₸ 😍 Подскажите ваш размер? Есть 36, 37, 38 и 39.",
        "Велия — чудесная модель, 45 900 ₸, есть в черном и бордовом. Какой у вас размер?",
        "Цена 45 900 ₸, доставка по Казахстану 2–5 дней. Какой размер подобрать: 36–39?",
    ],
)
def test_faithful_rewrites_pass(reply: str) -> None:
    assert GUARD.check(reply, FACTS).ok


@pytest.mark.parametrize(
    "reply, reason",
    [
        ("Ботильоны Velia сейчас всего 39 900 ₸! Какой размер?", "price"),
        ("Ботильоны Velia — 40 тыс. Какой размер?", "price"),
        ("Сегодня скидка 10% на Velia! Какой размер?", "discount"),
        ("Для вас действует скидка! Какой размер?", "discount"),
        ("Есть ещё 40 размер. Какой вам нужен?", "size"),
        ("Доставим за 3 дня. Какой размер?", "delivery"),
        ("Доставим завтра! Какой размер?", "date"),
        ("Можно оплатить в рассрочку. Какой размер?", "payment"),
        ("Есть ещё в розовом цвете. Какой размер?", "color"),
        ("Ещё есть Лоферы Corsa. Какой размер?", "product"),
        ("А сумки тоже смотрите? Какой размер?", "product"),
        ("Ваш заказ подтверждён! Какой размер?", "confirmation"),
        ("Я оформила ваш заказ 🎉", "confirmation"),
        ("Какой размер? И в какой город доставить?", "question"),
        ("Напишите, пожалуйста, адрес.", "question"),
        ("What size do you need?", "language"),
        ("Сізге қандай өлшем керек?", "language"),
        ("Какой размер? " * 60, "length"),
        ("", "empty"),
        ("Какой размер?|||Спасибо", "format"),
        ("Подробнее на https://shop.kz. Какой размер?", "link"),
        ("В магазине «Мода» такого нет. Какой размер?", "name"),
    ],
)
def test_invented_facts_and_wrong_moves_are_rejected(reply: str, reason: str) -> None:
    verdict = GUARD.check(reply, FACTS)
    assert verdict.reason == reason, verdict


def test_confirmed_may_say_the_order_is_placed() -> None:
    facts = ReplyFacts("confirmed", "Спасибо, заказ оформлен! 🎉")
    assert GUARD.check("Заказ оформлен, спасибо! 🎉", facts).ok
    assert GUARD.check("Заказ оформлен, спасибо! 🎉", FACTS).reason == "confirmation"


def test_an_english_customer_may_be_answered_in_english_or_russian() -> None:
    facts = ReplyFacts("ask_size", "Какой размер вам нужен?", customer_text="hi, do you ship?")
    assert GUARD.check("What size do you need?", facts).ok
    assert GUARD.check("Какой у вас размер?", facts).ok


def test_latin_brand_names_do_not_change_the_language() -> None:
    draft = "Лоферы Tod's Kate — отличный выбор! Цена 239 000 ₸."
    facts = ReplyFacts("ask_size", draft, customer_text="лоферы тодс кейт")
    assert GUARD.check(draft, facts).ok
    assert GUARD.check("Tod's Kate — 239 000 ₸, очень красивые 😍", facts).ok


def test_helpers() -> None:
    assert numbers_in("2–5 дней, 35 000 ₸, 37,5, 10%, 25к") == [
        ("2", "number"), ("5", "delivery"), ("35000", "price"), ("37.5", "size"),
        ("10", "discount"), ("25000", "price"),
    ]  # fmt: skip
    assert asked_for("Цена 45 900 ₸. Какой размер? Напишите адрес.") == {"size", "address"}
    assert asked_for("Размеры есть все.") == set()
    assert language_of("Привет, Coach!") == "ru" and language_of("😊 123") is None


def _outcomes() -> list[TurnOutcome]:
    """Replies of every kind the offline phraser writes about this shop."""
    shoes = OrderSlots(city="Алматы", product=BOOTS, product_type=ProductType.SHOES)
    full = shoes.model_copy(update={"size": "37", "color": "черный", "address": "Абая 10, кв 5"})
    bag = OrderSlots(city="Астана", product=TOTE, product_type=ProductType.BAG)
    issue = StockIssue("size_color", BOOTS, "38", "бордовый", ["36", "37"], ["черный"])
    return [
        TurnOutcome("c", "ask_city", OrderSlots(), greet=True, customer_name="Айгерим"),
        TurnOutcome("c", "ask_product", OrderSlots(city="Алматы")),
        TurnOutcome("c", "ask_product", OrderSlots(city="Алматы"), unsold="мужские туфли"),
        TurnOutcome("c", "ask_size", shoes, new_product=True, seed="1"),
        TurnOutcome("c", "ask_size", shoes, issue=issue),
        TurnOutcome("c", "ask_color", shoes.model_copy(update={"size": "37"}), bad_color="синий"),
        TurnOutcome("c", "ask_color", bag, new_product=True, photo_note="already_sent"),
        TurnOutcome("c", "ask_address", bag.model_copy(update={"color": "черный"})),
        TurnOutcome("c", "confirming", full, answer="Доставка по Казахстану 2–5 дней."),
        TurnOutcome("c", "ask_size", shoes, event="didnt_understand"),
        TurnOutcome("c", "ask_size", shoes, event="no_answer"),
        TurnOutcome("c", "ask_city", OrderSlots(product=LOAFERS), foreign_city="Москва"),
    ]


@pytest.mark.parametrize("outcome", _outcomes(), ids=lambda o: f"{o.state}-{o.event}")
def test_every_offline_reply_passes_the_guard(outcome: TurnOutcome) -> None:
    phraser = OfflinePhraser(Templates.load(), CATALOG)
    reply = phraser.compose(outcome)
    for part in reply.split(SPLIT):
        verdict = GUARD.check(part, ReplyFacts(outcome.state, part, (reply,)))
        assert verdict.ok, (part, verdict)


def test_the_shops_own_colour_words_name_that_colour_in_a_reply() -> None:
    """`colors.yaml` words («пломбир» for молочный) are colours to the guard as to the filler:
    a reply may use one for a colour the facts give, never for another."""
    colors = ColorLexicon.for_catalog(CATALOG, {"молочный": ["пломбир"]})
    guard = OutputGuard(CATALOG, colors)
    reply = "Есть ещё в цвете пломбир. Какой размер?"
    assert guard.check(reply, FACTS) == Verdict("color", "молочный")
    assert GUARD.check(reply, FACTS).ok  # without the shop's words the colour went unnoticed
    tote = "id: tote | Сумка Tote | bag | 28 000 ₸ | colours: черный, молочный"
    with_tote = replace(FACTS, facts=(*FACTS.facts, tote))
    assert guard.check(reply, with_tote).ok
