"""The output guard: what an LLM-phrased reply may not say, that the rewrites a good model
writes pass, and that the templates it rewrites always pass (a guard stricter than the
templates would silently switch phrasing off). Every lie of `fake_openai.LIES` is also forced
through every phrasing of the dialogue suite in test_llm_dialogues.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fake_openai import LIES
from llm_kit import BOOTS, LOAFERS, TOTE, llm_catalog

from ottenok.colors import ColorLexicon
from ottenok.conversation import StockIssue
from ottenok.outcome import TurnOutcome
from ottenok.phrasing.guard import (
    OutputGuard,
    ReplyFacts,
    Verdict,
    asked_for,
    digitized,
    language_of,
    numbers_in,
    quantities,
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
        "Отличный выбор! Ботильоны Velia стоят 45 900 ₸. Подскажите, пожалуйста, какой размер"
        " вам нужен? Сейчас есть 36, 37, 38 и 39 😊",
        "Прекрасный выбор 😍 Велия — сорок пять тысяч девятьсот тенге. Какой размер вам"
        " подобрать? В наличии 36, 37, 38 и 39.",
    ],
)
def test_faithful_rewrites_pass(reply: str) -> None:
    assert GUARD.check(reply, FACTS).ok


@pytest.mark.parametrize(
    "state, draft, reply",
    [
        ("ask_city", "Подскажите, пожалуйста, в какой город доставить заказ?",
         "Подскажите, пожалуйста, в какой город вам доставить заказ? 😊"),
        ("ask_address", "Напишите, пожалуйста, адрес доставки: улица, дом, квартира 🏠",
         "Отлично! Теперь напишите, пожалуйста, адрес доставки — улицу, дом и квартиру 🏠"),
        ("ask_address", "Куда доставить? Улица, дом и квартира, пожалуйста.",
         "Куда вам доставить заказ? Напишите улицу, дом и квартиру, пожалуйста 😊"),
        ("ask_color", "Какой цвет вам больше нравится? Есть черный, бордовый.",
         "Какой цвет вам больше нравится — черный или бордовый?"),
        ("ask_color", "В каком цвете оформить? В наличии черный, бордовый.",
         "Есть черный и бордовый — в каком цвете оформить?"),
        ("ask_product", "Что вам подобрать? У нас есть ботильоны, лоферы и сумки.",
         "С радостью помогу! Что вас интересует: ботильоны, лоферы или сумки?"),
        ("confirming", "Доставка по Алматы курьером, 1–2 дня.",
         "По Алматы доставим курьером за 1–2 дня 🚚"),
        ("ask_size", "Ничего страшного, помогу 🙂", "Ничего страшного, я помогу подобрать 🙂"),
        ("ask_size", "Обмен и возврат в течение 14 дней, если обувь не носили. Какой размер?",
         "Обмен и возврат возможны в течение 14 дней, если обувь не носили. Какой у вас размер?"),
    ],
)  # fmt: skip
def test_rewrites_of_every_kind_of_template_pass(state: str, draft: str, reply: str) -> None:
    assert GUARD.check(reply, ReplyFacts(state, draft)).ok


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
        # Numbers in words are numbers.
        ("Ботильоны Velia — сорок тысяч тенге. Какой размер?", "price"),
        ("Доставим за пару часов. Какой размер?", "delivery"),
        ("Есть сороковой размер. Какой вам нужен?", "size"),
        # A number the facts state as something else is not that fact.
        ("Ботильоны Velia стоят 45 900 ₸, доставка стоит 45 900 ₸. Какой размер?", "delivery"),
        # Done deeds and promises only a confirmed order makes true.
        ("Всё оформила! Ждите звонка.", "confirmation"),
        ("Ваша покупка подтверждена. Какой размер?", "confirmation"),
        ("Отложила их для вас. Какой размер?", "confirmation"),
        ("Менеджер вам перезвонит. Какой размер?", "confirmation"),
        ("Скидочка для вас 🎁 Какой размер?", "discount"),
        # Claims about the whole stock.
        ("Ботильоны Velia в наличии во всех размерах. Какой вам нужен?", "stock"),
        ("Любой цвет есть. Какой размер?", "stock"),
        # Questions the state does not ask, and the draft's question dropped.
        ("Как вас зовут? И какой размер?", "question"),
        ("Оставьте номер телефона. Какой размер?", "question"),
        ("Спасибо за ваш интерес! 45 900 ₸, есть 36–39.", "unasked"),
        # Whatever the lists above do not foresee: words from nowhere.
        ("На всю обувь гарантия год. Какой размер?", "unsupported"),
        ("Есть кроссовки Nike Air Max. Какой размер?", "unsupported"),
        ("Ботильоны Velia очень удобные и тёплые. Какой размер?", "unsupported"),
        ("Будут у вас через день. Какой размер?", "delivery"),
        # The answer the draft gives is kept.
        ("Отличный выбор! Какой размер? Есть 36, 37, 38 и 39.", "dropped"),
    ],
)
def test_invented_facts_and_wrong_moves_are_rejected(reply: str, reason: str) -> None:
    verdict = GUARD.check(reply, FACTS)
    assert verdict.reason == reason, verdict


@pytest.mark.parametrize("lie", LIES.values(), ids=LIES.keys())
def test_every_lie_is_rejected_alone_and_before_the_draft(lie: str) -> None:
    assert not GUARD.check(lie, FACTS).ok
    assert not GUARD.check(f"{lie} {DRAFT}", FACTS).ok


def test_a_delivery_price_is_no_product_price() -> None:
    draft = "Доставка по Алматы 1 000 ₸, бесплатно от 50 000 ₸. Какой размер?"
    facts = ReplyFacts("ask_size", draft, FACTS.facts)
    assert GUARD.check(
        "По Алматы доставка 1 000 ₸, а от 50 000 ₸ бесплатно. Какой размер?", facts
    ).ok
    verdict = GUARD.check("Эта модель сейчас стоит всего 1 000 ₸! " + draft, facts)
    assert verdict.reason == "price"
    returns = ReplyFacts("ask_size", "Возврат в течение 14 дней. Какой размер?")
    assert (
        GUARD.check("Доставим за 14 дней. Возврат в течение 14 дней. Какой размер?", returns).reason
        == "delivery"
    )


def test_the_customer_s_words_are_no_fact() -> None:
    facts = ReplyFacts(
        "ask_size", "Какой размер вам нужен?", customer_text="а кожаные есть? гарантия есть?"
    )
    assert GUARD.check("Да, кожаные есть! Какой размер вам нужен?", facts).reason == "unsupported"
    assert GUARD.check("Гарантия есть. Какой размер вам нужен?", facts).reason == "unsupported"


def test_a_question_rewording_the_draft_s_own_passes() -> None:
    facts = ReplyFacts("ask_size", "Показать фото этой модели? Какой размер вам нужен?")
    assert GUARD.check("Хотите, покажу фото? И подскажите ваш размер 🙂", facts).ok
    assert GUARD.check("Хотите видео? И подскажите ваш размер 🙂", facts).reason == "question"


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
        ("2", "delivery"), ("5", "delivery"), ("35000", "price"), ("37.5", "size"),
        ("10", "discount"), ("25000", "price"),
    ]  # fmt: skip
    assert [(q.value, q.unit, q.topic) for q in quantities("Цена 45 900 ₸, доставка 1 000 ₸.")] == [
        ("45900", "money", "product"), ("1000", "money", "delivery"),
    ]  # fmt: skip
    assert digitized("сорок пять тысяч девятьсот тенге") == "45900 тенге"
    assert digitized("тридцать восьмой размер, пару дней") == "38 размер, 2 дней"
    assert digitized("покажу пару моделей, вторые лучше") == "покажу пару моделей, вторые лучше"
    assert asked_for("Цена 45 900 ₸. Какой размер? Напишите адрес.") == {"size", "address"}
    assert asked_for("Размеры есть все.") == set()
    assert asked_for("Ждите звонка") == set() and asked_for("Оставьте адрес") == {"address"}
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
    reply = "Цена 45 900 ₸, есть ещё в цвете пломбир. Какой размер?"
    assert guard.check(reply, FACTS) == Verdict("color", "молочный")
    # Without the shop's words it is no colour, but still no word the facts give.
    assert GUARD.check(reply, FACTS).reason == "unsupported"
    tote = "id: tote | Сумка Tote | bag | 28 000 ₸ | colours: черный, молочный"
    with_tote = replace(FACTS, facts=(*FACTS.facts, tote))
    assert guard.check(reply, with_tote).ok


def test_the_options_the_draft_gives_are_kept() -> None:
    facts = ReplyFacts("ask_color", "Какой цвет вам больше нравится? Есть черный, бордовый.")
    assert GUARD.check("Черный или бордовый — какой цвет вам нравится?", facts).ok
    assert GUARD.check("Какой цвет вам больше нравится?", facts).reason == "dropped"
