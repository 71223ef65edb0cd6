"""No reply states a shop fact that is not in the shop's files.

Whole conversations run through the wired engine (real SQLite, the real shop files) on shops
written by the tests: one with delivery terms per city in a script table, one whose files state
no delivery, payment or returns terms at all, neither with a `shop.yaml` or `replies.yaml`.
Every reply is checked: each price and delivery time it states is in the shop's files, no
payment way the files do not name is promised, and the shop is never called by a name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from delivery_shop import (
    DELIVERY_TABLE,
    FACTLESS_SCRIPTS,
    PRODUCTS,
    SCRIPTS,
    write_delivery_shop,
)
from shops import SAMPLE_DATA

from adapters.sqlite_store import SQLiteStore
from app import wiring
from app.settings import Settings
from app.wiring import load_shop
from ottenok.messages import IncomingMessage
from ottenok.phrasing.templates import Templates

_DAYS_RE = re.compile(r"\d+(?:\s*[–-]\s*\d+)?\s*(?:рабочих\s+)?(?:дн[а-я]*|день|дня)")
_TENGE_RE = re.compile(r"(\d{1,3}(?:[ \u00a0]\d{3})*)\s*₸")
_PAYMENT_WAYS = ("kaspi", "каспи", "halyk", "наличн", "рассрочк", "карт")
# How a reply would name the shop: "консультант магазина «…»", "из «…»", "выбрали «…»".
_SHOP_NAMED_RE = re.compile(r"(?:магазин[а-я]*|из|выбрали|в)\s+«", re.IGNORECASE)

ORDER = [
    "Здравствуйте",
    "Караганда",
    "кроссовки nova street",
    "сколько доставка? и как оплатить",
    "38",
    "ул. Ерубаева 12, кв 5",
    "да",
]


def files_text(scripts: dict[str, list[str]]) -> str:
    """Everything the shop's scripts say (its delivery table included), as checks compare it."""
    table = [" ".join(row) for row in DELIVERY_TABLE] if "TABLE" in str(scripts) else []
    return " ".join([*(" ".join(p) for p in scripts.values()), *table])


def amounts(text: str) -> set[int]:
    return {int(re.sub(r"\D", "", a)) for a in re.findall(r"\d{1,3}(?:[ \u00a0]\d{3})+|\d+", text)}


async def converse(settings: Settings, messages: list[str], tmp_path: Path) -> list[str]:
    shop = load_shop(settings)
    store = await SQLiteStore.open(tmp_path / "facts.db")
    engine = wiring.make_engine(shop, store, Templates.load(settings.data_dir), [])
    replies = []
    try:
        for number, text in enumerate(messages):
            outgoing = await engine.handle_message(
                IncomingMessage("77015550199@c.us", f"m{number}", text, "Айгерим")
            )
            replies.append("\n".join(o.text for o in outgoing if o.kind == "text"))
    finally:
        await store.close()
    return replies


def assert_only_the_shops_facts(replies: list[str], scripts: dict[str, list[str]]) -> None:
    files = files_text(scripts)
    file_amounts = amounts(files) | {p["price"] for p in PRODUCTS}
    for reply in replies:
        for days in _DAYS_RE.findall(reply):
            assert days in files, f"{days!r} is not in the shop's files: {reply}"
        for raw in _TENGE_RE.findall(reply):
            assert int(re.sub(r"\D", "", raw)) in file_amounts, f"{raw} ₸ is invented: {reply}"
        for way in _PAYMENT_WAYS:
            if way in reply.lower():
                assert way in files.lower(), f"{way!r} is not in the shop's files: {reply}"
        assert not _SHOP_NAMED_RE.search(reply) and "Оттенок" not in reply, reply


@pytest.fixture
def delivery_shop(tmp_path: Path) -> Settings:
    return Settings(data_dir=write_delivery_shop(tmp_path / "shop"))


@pytest.fixture
def factless_shop(tmp_path: Path) -> Settings:
    return Settings(data_dir=write_delivery_shop(tmp_path / "shop", FACTLESS_SCRIPTS))


async def test_the_summary_carries_the_delivery_row_of_the_customers_city(delivery_shop, tmp_path):
    replies = await converse(delivery_shop, ORDER, tmp_path)
    assert_only_the_shops_facts(replies, SCRIPTS)
    summary = replies[-2]
    assert "• Доставка: 2–3 дня, 1 500 ₸" in summary, summary
    assert "1 500 ₸" in replies[3] and "2–3 дня" in replies[3]  # the question mid-order
    assert "Halyk" in replies[3]
    assert "заказ" in replies[-1].lower() and "kaspi" not in replies[-1].lower()


async def test_a_city_without_its_own_row_gets_the_countrys(delivery_shop, tmp_path):
    messages = ["Добрый вечер", "Павлодар", "кроссовки nova street 39", "Торайгырова 5 кв 9"]
    replies = await converse(delivery_shop, [*messages, "да"], tmp_path)
    assert_only_the_shops_facts(replies, SCRIPTS)
    assert "• Доставка: 4–7 дней, 3 000 ₸" in replies[-2]


async def test_a_shop_whose_files_state_no_terms_is_promised_none(factless_shop, tmp_path):
    replies = await converse(factless_shop, ORDER, tmp_path)
    assert_only_the_shops_facts(replies, FACTLESS_SCRIPTS)
    summary = replies[-2]
    assert "Ваш заказ" in summary and "Доставка:" not in summary
    everything = "\n".join(replies)
    assert not _DAYS_RE.search(everything), everything
    assert "менеджер" in replies[3].lower()  # the shop's own words: the manager agrees it


async def test_a_named_shop_is_greeted_by_its_own_name(tmp_path):
    settings = Settings(
        data_dir=SAMPLE_DATA,
        chroma_dir=tmp_path / "chroma",
        photo_index_path=tmp_path / "photos.json",
    )
    shop = load_shop(settings)
    store = await SQLiteStore.open(tmp_path / "named.db")
    engine = wiring.make_engine(shop, store, Templates.load(settings.data_dir), [])
    greetings = []
    try:
        for number in range(12):
            outgoing = await engine.handle_message(
                IncomingMessage(f"7701555{number:04d}@c.us", f"g{number}", "Здравствуйте", None)
            )
            greetings.append(outgoing[0].text)
    finally:
        await store.close()
    assert any("«Оттенок»" in greeting for greeting in greetings), greetings
