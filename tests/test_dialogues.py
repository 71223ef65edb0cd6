"""Full Russian dialogues, written as data (tests/dialogues/*.yaml), run through the engine
with a real SQLite file, the real shop files and a real ChromaDB knowledge store.

A dialogue names its `shop` (sample, second, luxe, aru: see tests/shops.py), the customer's
WhatsApp `name` and `phone`, and its `steps`. Each step sends one customer message and may
assert:

- `state` (exact) or `state_in` (any of a list); `slots` (product by its catalog NAME);
- `reply_contains` / `reply_lacks` (case-insensitive substrings of the whole reply);
  `reply_matches` / `reply_lacks_match` (case-insensitive regular expressions that must /
  must not match somewhere);
- `photos` (exact count), `photos_min`; `photos_colors` (every photo sent is of one of these
  colours); `photos_before_question` (no photo comes after the reply's last question);
- `managers_notified` (bool), `silent` (no reply to the customer);
- `order_status` (of the chat's latest order) and `order`: fields of that order
  (`status`, `product` by catalog name, `size`, `color`, `city`, `address`, `price`) plus
  `address_has` (substrings the stored address must keep).

A step with `sender` comes from that phone (a manager) instead of the customer; a step with
`kind` (audio, sticker…) is a message of that kind instead of text.

Whole-dialogue checks, on every reply of the dialogue:
- `facts_only: true`: no reply states a price, size, colour, delivery term, term of sale or
  shop/assistant name that is neither in the shop's files nor in what the customer wrote;
- `no_repeat: true`: no reply says a sentence, a product name or a list of sizes twice;
- `asked_again_at_most: N`: the same question (same state, nothing new learnt, no manager
  offered) is asked again at most N times in a row.

Dialogues under tests/dialogues/pending/ describe behaviour not built yet: they are not run,
only checked to be well-formed, until the behaviour lands and they move up. Each says in
`pending:` which step fails today and why (the issue's item); delete that key when moving it.
`DIALOGUES_PENDING=1` plays them too.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from dialogue_checks import ShopFacts, invented_facts, repetitions
from shops import SAMPLE_DATA, write_aru_shop, write_luxe_shop, write_second_shop

from adapters.sqlite_store import SQLiteStore
from app import wiring
from app.settings import Settings
from app.wiring import Shop, load_shop
from ottenok.engine import Engine
from ottenok.messages import IncomingMessage
from ottenok.phrasing.templates import Templates
from ottenok.states.order import QUESTIONS

HERE = Path(__file__).parent / "dialogues"
DIALOGUES = sorted(HERE.glob("*.yaml"))
PENDING = sorted((HERE / "pending").glob("*.yaml"))
#: `DIALOGUES_PENDING=1 pytest tests/test_dialogues.py` also plays the pending ones, to see
#: which a change has made pass (they then move up, without their `pending:` key).
PLAYED = DIALOGUES + (PENDING if os.environ.get("DIALOGUES_PENDING") == "1" else [])
MANAGER = "77000000001"

#: Test shops written by the tests, by the name dialogues use.
WRITTEN_SHOPS: dict[str, Callable[[Path], Path]] = {
    "second": write_second_shop,
    "luxe": write_luxe_shop,
    "aru": write_aru_shop,
}
DIALOGUE_KEYS = {
    "about", "pending", "shop", "name", "phone", "steps", "facts_only", "no_repeat",
    "asked_again_at_most",
}  # fmt: skip
STEP_KEYS = {
    "user", "sender", "kind", "state", "state_in", "slots", "reply_contains", "reply_lacks",
    "reply_matches", "reply_lacks_match", "photos", "photos_min", "photos_colors",
    "photos_before_question", "managers_notified", "silent", "order_status", "order",
}  # fmt: skip
ORDER_KEYS = {"status", "product", "size", "color", "city", "address", "address_has", "price"}


class LoadedShop:
    """A shop loaded once per session: its settings, the loaded shop and its stated facts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.shop: Shop = load_shop(settings)
        self.facts = ShopFacts.of(settings.data_dir, self.shop.catalog, self.shop.scripts)


class Shops:
    """Each shop is written and loaded on first use, so a run of a few dialogues is quick."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.loaded: dict[str, LoadedShop] = {}

    def __getitem__(self, name: str) -> LoadedShop:
        if name not in self.loaded:
            self.loaded[name] = LoadedShop(self._settings(name))
        return self.loaded[name]

    def _settings(self, name: str) -> Settings:
        if name == "sample":
            return Settings(
                data_dir=SAMPLE_DATA,
                chroma_dir=self.factory.mktemp("chroma"),
                photo_index_path=self.factory.mktemp("photos") / "index.json",
            )
        return Settings(data_dir=WRITTEN_SHOPS[name](self.factory.mktemp(f"{name}_shop")))


@pytest.fixture(scope="session")
def shops(tmp_path_factory: pytest.TempPathFactory) -> Shops:
    return Shops(tmp_path_factory)


def make_engine(loaded: LoadedShop, store: SQLiteStore) -> Engine:
    templates = Templates.load(loaded.settings.data_dir)
    return wiring.make_engine(loaded.shop, store, templates, [MANAGER])


def product_id(shop: Shop, name: str) -> str:
    matches = [p.id for p in shop.catalog.products.values() if p.name == name]
    assert matches, f"no product named {name!r} in the shop"
    return matches[0]


@pytest.mark.parametrize("path", PLAYED, ids=[p.stem for p in PLAYED])
async def test_dialogue(path: Path, shops: Shops, tmp_path: Path) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    loaded = shops[spec.get("shop", "sample")]
    store = await SQLiteStore.open(tmp_path / "ottenok.db")
    try:
        failures = await run_dialogue(spec, path.stem, loaded, make_engine(loaded, store))
    finally:
        await store.close()
    assert not failures, f"{path.name}: {len(failures)} step(s) failed\n\n" + "\n\n".join(failures)


async def run_dialogue(spec: dict, stem: str, loaded: LoadedShop, engine: Engine) -> list[str]:
    """Play every step on the engine and check it; returns what failed, step by step (the
    first failure is the cause, later ones may follow from it)."""
    store = engine.store
    chat_id = f"{spec.get('phone', '77015550101')}@c.us"
    said: list[str] = []
    failures: list[str] = []
    asked_again = 0
    for n, step in enumerate(spec["steps"], start=1):
        sender = f"{step['sender']}@c.us" if "sender" in step else chat_id
        before = await store.load_conversation(chat_id)
        message = IncomingMessage(
            sender, f"{stem}-{n}", step["user"], spec.get("name"), step.get("kind", "text")
        )
        outgoing = await engine.handle_message(message)
        if sender == chat_id:
            said.append(step["user"])
        to_customer = [o for o in outgoing if o.chat_id == sender]
        reply = "\n".join(o.text for o in to_customer if o.kind == "text")
        after = await store.load_conversation(chat_id)
        problems = await check_step(step, outgoing, to_customer, engine, loaded, after)
        if spec.get("facts_only"):
            invented = invented_facts(reply, loaded.facts, "\n".join(said))
            problems += [f"not in the shop's files: {invented}"] if invented else []
        if spec.get("no_repeat"):
            repeated = repetitions(reply, loaded.facts.product_names)
            problems += [f"said twice: {repeated}"] if repeated else []
        if "asked_again_at_most" in spec and sender == chat_id:
            same = (
                after.state == before.state
                and after.state in QUESTIONS
                and after.slots == before.slots
                and "менеджер" not in reply.lower()
            )
            asked_again = asked_again + 1 if same else 0
            if asked_again > spec["asked_again_at_most"]:
                problems.append(
                    f"the same question ({after.state}) asked again {asked_again} times in a"
                    " row without offering a manager"
                )
        if problems:
            failures.append(
                f"step {n} ({step['user']!r}) -> {after.state}\nreply: {reply}\n- "
                + "\n- ".join(problems)
            )
    return failures


async def check_step(
    step: dict, outgoing, to_customer, engine: Engine, loaded: LoadedShop, row
) -> list[str]:
    """What of the step's expectations did not hold."""
    shop = loaded.shop
    problems: list[str] = []

    def expect(holds: object, problem: str) -> None:
        if not holds:
            problems.append(problem)

    reply = "\n".join(o.text for o in to_customer if o.kind == "text")
    photos = [o for o in to_customer if o.kind == "photo"]
    if "state" in step:
        expect(row.state == step["state"], f"state {row.state} != {step['state']}")
    if "state_in" in step:
        expect(row.state in step["state_in"], f"state {row.state} not in {step['state_in']}")
    for slot, expected in (step.get("slots") or {}).items():
        actual = getattr(row.slots, slot)
        if slot == "product" and expected is not None:
            expected = product_id(shop, expected)
        expect(actual == expected, f"slot {slot}: {actual!r} != {expected!r}")
    for text in step.get("reply_contains", []):
        expect(text.lower() in reply.lower(), f"missing {text!r}")
    for text in step.get("reply_lacks", []):
        expect(text.lower() not in reply.lower(), f"unexpected {text!r}")
    for pattern in step.get("reply_matches", []):
        expect(re.search(pattern, reply, re.IGNORECASE), f"no match for {pattern!r}")
    for pattern in step.get("reply_lacks_match", []):
        found = re.search(pattern, reply, re.IGNORECASE)
        expect(not found, f"unexpected {found.group(0) if found else ''!r} ({pattern})")
    if "photos" in step:
        expect(len(photos) == step["photos"], f"{len(photos)} photos != {step['photos']}")
    if "photos_min" in step:
        expect(len(photos) >= step["photos_min"], f"{len(photos)} photos < {step['photos_min']}")
    if "photos_colors" in step:
        colors = {p.key: p.color for p in shop.photos.photos} if shop.photos else {}
        sent = [colors.get(o.photo_key) for o in photos]
        expect(all(c in step["photos_colors"] for c in sent), f"photo colours {sent}")
    if step.get("photos_before_question") and photos:
        questions = [i for i, o in enumerate(to_customer) if o.kind == "text" and "?" in o.text]
        last_photo = max(i for i, o in enumerate(to_customer) if o.kind == "photo")
        expect(questions and last_photo < questions[-1], "photos after the question")
    if "managers_notified" in step:
        notified = any(o.to_manager for o in outgoing)
        expect(notified == step["managers_notified"], f"managers notified: {notified}")
    if step.get("silent"):
        expect(not to_customer, "not silent")
    if "order_status" in step or "order" in step:
        orders = [o for o in await engine.store.list_orders() if o.chat_id == row.chat_id]
        expect(orders, "no order")
        if orders and "order_status" in step:
            status = orders[0].status
            expect(status == step["order_status"], f"order {status} != {step['order_status']}")
        if orders:
            problems += order_problems(step.get("order") or {}, orders[0], shop)
    return problems


def order_problems(expected: dict, order, shop: Shop) -> list[str]:
    """Every field the shop's manager will act on, as the dialogue says it must be."""
    problems = []
    for field, value in expected.items():
        if field == "address_has":
            address = order.address or ""
            problems += [
                f"order address {address!r} lacks {part!r}"
                for part in value
                if part.lower() not in address.lower()
            ]
            continue
        actual = getattr(order, field)
        if field == "product":
            value = product_id(shop, value)
        if field == "size" and value is not None:
            value = str(value)
        if actual != value:
            problems.append(f"order {field}: {actual!r} != {value!r}")
    return problems


def check_well_formed(path: Path, shops: Shops) -> None:
    """Keys a runner understands and products the shop has: a typo must not pass silently."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(spec) <= DIALOGUE_KEYS, f"{path.name}: unknown keys {set(spec) - DIALOGUE_KEYS}"
    is_pending = path.parent.name == "pending"
    assert bool(spec.get("pending")) == is_pending, (
        f"{path.name}: a pending dialogue says why in `pending:`; a running one has no `pending:`"
    )
    shop = shops[spec.get("shop", "sample")].shop
    assert spec["steps"], path.name
    for n, step in enumerate(spec["steps"], start=1):
        where = f"{path.name} step {n}"
        assert "user" in step, where
        assert set(step) <= STEP_KEYS, f"{where}: unknown keys {set(step) - STEP_KEYS}"
        order = step.get("order") or {}
        assert set(order) <= ORDER_KEYS, f"{where}: unknown order keys {set(order) - ORDER_KEYS}"
        for name in filter(None, [(step.get("slots") or {}).get("product"), order.get("product")]):
            product_id(shop, name)


@pytest.mark.parametrize("path", DIALOGUES + PENDING, ids=[p.stem for p in DIALOGUES + PENDING])
def test_dialogue_is_well_formed(path: Path, shops: Shops) -> None:
    check_well_formed(path, shops)


def test_pending_dialogues_are_not_run() -> None:
    names = {p.name for p in DIALOGUES}
    assert not names & {p.name for p in PENDING}
    assert all(p.parent == HERE for p in DIALOGUES)


def test_dialogue_suite_is_big_enough() -> None:
    assert len(DIALOGUES) >= 30
    assert len(DIALOGUES) + len(PENDING) >= 74


async def test_burst_in_one_chat_is_processed_in_order(shops: Shops, tmp_path: Path) -> None:
    loaded = shops["sample"]
    store = await SQLiteStore.open(tmp_path / "burst.db")
    engine = make_engine(loaded, store)
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
