"""The dialogue runner's whole-reply checks must be able to fail: an invented fact or a
repetition is found, and the shop's own facts or the customer's words are not flagged."""

from __future__ import annotations

from pathlib import Path

import pytest
from dialogue_checks import ShopFacts, invented_facts, repetitions
from shops import write_aru_shop, write_luxe_shop

from knowledge.shop_files import load_catalog, load_scripts


def facts_of(root: Path) -> ShopFacts:
    scripts = [(s.topic, s.text) for s in load_scripts(root)]
    return ShopFacts.of(root, load_catalog(root), scripts)


@pytest.fixture(scope="module")
def luxe(tmp_path_factory: pytest.TempPathFactory) -> ShopFacts:
    return facts_of(write_luxe_shop(tmp_path_factory.mktemp("luxe")))


@pytest.fixture(scope="module")
def aru(tmp_path_factory: pytest.TempPathFactory) -> ShopFacts:
    return facts_of(write_aru_shop(tmp_path_factory.mktemp("aru")))


def test_the_shops_own_facts_pass(luxe: ShopFacts) -> None:
    reply = (
        "Сумка Loewe Puzzle — 1 350 000 ₸, есть карамельный и черный. В Астану СДЭК: 2–3 дня, "
        "стоимость 1 500 ₸. Есть рассрочка Kaspi Red. Размер 37,5 есть. Я Алина 😊"
    )
    assert invented_facts(reply, luxe, "") == []


def test_default_delivery_terms_and_names_are_invented(luxe: ShopFacts, aru: ShopFacts) -> None:
    summary = "Доставка: по Казахстану, 2–5 дней. Спасибо, что выбрали «Оттенок»!"
    assert invented_facts(summary, luxe, "") == [
        "delivery term 2–5 day",
        "shop name 'Оттенок' (the shop's is None)",
    ]
    greeting = "Здравствуйте! Я Алина из «Aru Shoes»"
    assert invented_facts(greeting, aru, "") == ["assistant name 'Алина' (the shop's is 'Дана')"]
    assert invented_facts("Менеджер согласует оплату через Kaspi", aru, "") == [
        "term of sale 'kaspi'"
    ]


def test_prices_sizes_and_colours_not_in_the_shop_are_invented(luxe: ShopFacts) -> None:
    reply = "Есть в красном и фиолетовом, размер 42, цена 99 999 ₸, скидка 17%"
    assert invented_facts(reply, luxe, "") == [
        "size 42",
        "price 99999",
        "discount 17",
        "colour фиолетовый",
        "term of sale 'скидк'",
    ]


def test_what_the_customer_said_may_be_said_back(luxe: ShopFacts) -> None:
    said = "хочу фиолетовые 42 размер"
    assert invented_facts("Фиолетовых 42 размера нет 😔", luxe, said) == []


def test_repetitions_are_found() -> None:
    names = ("Кроссовки New Balance 530",)
    reply = (
        "Кроссовки New Balance 530 — отличный выбор! В наличии: 36, 37, 38.\n"
        "Ваш заказ: Кроссовки New Balance 530. В наличии: 36, 37, 38."
    )
    assert repetitions(reply, names) == [
        "sentence twice: 'в наличии 36 37 38'",
        "product named twice: Кроссовки New Balance 530",
        "list twice: 36,37,38",
    ]
    assert repetitions("Кроссовки New Balance 530, размер 38. Всё верно?", names) == []
