"""Full Russian dialogues, written as data (tests/dialogues/*.yaml), run through the engine
with a real SQLite file, the real shop files and a real ChromaDB knowledge store.

Each step sends one customer message and may assert:
`state`, `slots` (product by its catalog NAME), `reply_contains` / `reply_lacks`
(case-insensitive substrings of the whole reply), `photos` (exact count) or `photos_min`,
`managers_notified` (bool), `order_status` (of the chat's latest order), `silent` (no reply).
A step with `sender` comes from that phone (a manager) instead of the customer.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from shops import SAMPLE_DATA, write_second_shop

from adapters.sqlite_store import SQLiteStore
from app import wiring
from app.settings import Settings
from app.wiring import Shop, load_shop
from ottenok.engine import Engine
from ottenok.messages import IncomingMessage
from ottenok.phrasing.templates import Templates

DIALOGUES = sorted((Path(__file__).parent / "dialogues").glob("*.yaml"))
MANAGER = "77000000001"


@pytest.fixture(scope="session")
def shops(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Settings, Shop]]:
    sample = Settings(
        data_dir=SAMPLE_DATA,
        chroma_dir=tmp_path_factory.mktemp("chroma"),
        photo_index_path=tmp_path_factory.mktemp("photos") / "index.json",
    )
    second_root = write_second_shop(tmp_path_factory.mktemp("second_shop"))
    second = Settings(data_dir=second_root)
    return {name: (s, load_shop(s)) for name, s in (("sample", sample), ("second", second))}


def make_engine(settings: Settings, shop: Shop, store: SQLiteStore) -> Engine:
    return wiring.make_engine(shop, store, Templates.load(settings.data_dir), [MANAGER])


def product_id(shop: Shop, name: str) -> str:
    matches = [p.id for p in shop.catalog.products.values() if p.name == name]
    assert matches, f"no product named {name!r} in the shop"
    return matches[0]


@pytest.mark.parametrize("path", DIALOGUES, ids=[p.stem for p in DIALOGUES])
async def test_dialogue(path: Path, shops, tmp_path: Path) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings, shop = shops[spec.get("shop", "sample")]
    store = await SQLiteStore.open(tmp_path / "ottenok.db")
    engine = make_engine(settings, shop, store)
    chat_id = f"{spec.get('phone', '77015550101')}@c.us"
    try:
        for n, step in enumerate(spec["steps"], start=1):
            where = f"{path.name} step {n} ({step['user']!r})"
            sender = f"{step['sender']}@c.us" if "sender" in step else chat_id
            outgoing = await engine.handle_message(
                IncomingMessage(sender, f"{path.stem}-{n}", step["user"], spec.get("name"))
            )
            await check_step(step, outgoing, engine, shop, chat_id, sender, where)
    finally:
        await store.close()


async def check_step(
    step, outgoing, engine: Engine, shop: Shop, chat_id: str, sender: str, where: str
) -> None:
    to_customer = [o for o in outgoing if o.chat_id == sender]
    reply = "\n".join(o.text for o in to_customer if o.kind == "text")
    photos = [o for o in to_customer if o.kind == "photo"]
    context = f"{where}\nreply: {reply}"
    row = await engine.store.load_conversation(chat_id)
    if "state" in step:
        assert row.state == step["state"], context
    for slot, expected in (step.get("slots") or {}).items():
        actual = getattr(row.slots, slot)
        if slot == "product" and expected is not None:
            expected = product_id(shop, expected)
        assert actual == expected, f"{context}\nslot {slot}: {actual!r} != {expected!r}"
    for text in step.get("reply_contains", []):
        assert text.lower() in reply.lower(), f"{context}\nmissing {text!r}"
    for text in step.get("reply_lacks", []):
        assert text.lower() not in reply.lower(), f"{context}\nunexpected {text!r}"
    if "photos" in step:
        assert len(photos) == step["photos"], context
    if "photos_min" in step:
        assert len(photos) >= step["photos_min"], context
    if "managers_notified" in step:
        notified = any(o.to_manager for o in outgoing)
        assert notified == step["managers_notified"], context
    if step.get("silent"):
        assert not to_customer, context
    if "order_status" in step:
        orders = [o for o in await engine.store.list_orders() if o.chat_id == chat_id]
        assert orders and orders[0].status == step["order_status"], context


def test_dialogue_suite_is_big_enough() -> None:
    assert len(DIALOGUES) >= 30


async def test_burst_in_one_chat_is_processed_in_order(shops, tmp_path: Path) -> None:
    settings, shop = shops["sample"]
    store = await SQLiteStore.open(tmp_path / "burst.db")
    engine = make_engine(settings, shop, store)
    chat = "77015550999@c.us"
    texts = ["Здравствуйте", "я из Астаны", "хочу ботинки мартинсы 1460", "38", "черные"]
    try:
        await asyncio.gather(
            *(engine.handle_message(IncomingMessage(chat, f"b{i}", t)) for i, t in enumerate(texts))
        )
        incoming = [m["text"] for m in await store.messages(chat) if m["direction"] == "in"]
        assert incoming == texts
        row = await store.load_conversation(chat)
        assert row.state == "ask_address"
        assert row.slots.city == "Астана" and row.slots.size == "38"
        assert len(engine.locks) == 0
    finally:
        await store.close()
