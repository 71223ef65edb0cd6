"""Nudges through the database: the timing table, resets, stops, exactly-once delivery under
restarts, failures and two concurrent schedulers, the preview command and the APScheduler job.

Every scenario uses a real SQLite file, an injected clock and a fake WhatsApp sender that
records what it sends; no scenario may deliver the same nudge twice.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from shops import write_second_shop

from adapters.nudge_scheduler import NudgeScheduler
from adapters.nudge_store import NudgeStore
from adapters.sqlite_store import SQLiteStore, from_iso, iso
from app.cli import main as cli
from app.settings import Settings
from app.wiring import Shop, make_engine, start_nudges
from knowledge.shop_files import load_catalog
from ottenok.catalog import Catalog
from ottenok.lookup import ProductMatcher
from ottenok.messages import IncomingMessage, Outgoing
from ottenok.nudge_policy import NudgePolicy
from ottenok.nudges import NudgeService, NudgeTexts, after_turn
from ottenok.phrasing.templates import Templates
from ottenok.records import TurnRecord
from ottenok.slots import OrderSlots, ProductType

ALMATY = ZoneInfo("Asia/Almaty")
POLICY = NudgePolicy()
MINUTE = timedelta(minutes=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Almaty in late November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ALMATY)


@pytest.fixture(scope="module")
def shop_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_second_shop(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def catalog(shop_root: Path) -> Catalog:
    return load_catalog(shop_root, shop_root / "inventory.xlsx")


@pytest.fixture(scope="module")
def shoe(catalog: Catalog) -> str:
    return next(p.id for p in catalog.products.values() if p.type == ProductType.SHOES)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeSender:
    """Records deliveries; fails the next `failures` sends; `hang` blocks sends forever."""

    clock: Clock
    failures: int = 0
    hang: bool = False
    sent: list[tuple[str, str, datetime]] = field(default_factory=list)
    attempts: int = 0
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_text(self, chat_id: str, text: str) -> str | None:
        self.attempts += 1
        self.entered.set()
        await asyncio.sleep(0)  # let concurrent workers interleave
        if self.hang:
            await asyncio.Event().wait()
        if self.failures:
            self.failures -= 1
            raise ConnectionError("GREEN-API is down")
        self.sent.append((chat_id, text, self.clock()))
        return f"wa-{len(self.sent)}"


@dataclass
class Shopfront:
    """One database with the engine's store, a clock and a nudge service on its own connection."""

    path: Path
    store: SQLiteStore
    clock: Clock
    sender: FakeSender
    texts: NudgeTexts
    services: list[tuple[NudgeService, NudgeStore]] = field(default_factory=list)
    policy: NudgePolicy = POLICY

    async def service(self, sender: FakeSender | None = None, **options) -> NudgeService:
        nudge_store = await NudgeStore.open(self.path)
        service = NudgeService(
            nudge_store, sender or self.sender, self.policy, self.texts, clock=self.clock, **options
        )
        self.services.append((service, nudge_store))
        return service

    async def bot_asks(
        self,
        chat_id: str,
        moment: datetime,
        state: str = "ask_size",
        slots: OrderSlots | None = None,
        name: str | None = "Айгерим Садыкова",
    ) -> None:
        """The customer writes a minute before `moment`; the bot answers at `moment`."""
        await self.customer_writes(chat_id, moment - MINUTE, name)
        row = await self.store.load_conversation(chat_id)
        row.state, row.slots = state, slots or OrderSlots(city="Алматы")
        outgoing = [Outgoing(chat_id, "text", "Подскажите, пожалуйста, ваш размер?")]
        nudge = after_turn(
            row.nudge, self.policy, row.state, customer_wrote=True, bot_spoke_at=moment
        )
        await self.store.save_turn(
            TurnRecord(
                conversation=row,
                processed_id=f"{chat_id}:{moment.isoformat()}",
                outgoing=outgoing,
                at=moment,
                nudge=nudge,
            )
        )

    async def customer_writes(
        self, chat_id: str, moment: datetime, name: str | None = "Айгерим Садыкова"
    ) -> None:
        """Stored, and the nudge machine told, as the engine does before it answers."""
        msg = IncomingMessage(
            chat_id, f"{chat_id}:{moment.isoformat()}:in", "Я подумаю", name, timestamp=moment
        )
        await self.store.store_incoming(msg, chat_id.split("@")[0])
        row = await self.store.load_conversation(chat_id)
        nudge = after_turn(
            row.nudge, self.policy, row.state, customer_wrote=True, bot_spoke_at=None
        )
        await self.store.save_turn(TurnRecord(conversation=row, processed_id=None, nudge=nudge))

    async def finish(self, chat_id: str, state: str) -> None:
        """A turn that ends the order (confirmed, cancelled) or hands the chat to a manager."""
        row = await self.store.load_conversation(chat_id)
        row.state = state
        now = self.clock()
        await self.store.save_turn(
            TurnRecord(
                conversation=row,
                processed_id=None,
                outgoing=[Outgoing(chat_id, "text", "Спасибо!")],
                nudge=after_turn(
                    row.nudge, self.policy, state, customer_wrote=False, bot_spoke_at=now
                ),
            )
        )

    async def tick_until(self, end: datetime, step: timedelta = MINUTE) -> None:
        while self.clock.now <= end:
            for service, _ in self.services:
                await service.tick()
            self.clock.now += step

    async def client(self, chat_id: str) -> dict:
        return await self.store.client(chat_id)

    async def outbox(self, chat_id: str | None = None) -> list[dict]:
        return await self.services[0][1].outbox(chat_id)

    async def close(self) -> None:
        for _, nudge_store in self.services:
            await nudge_store.close()
        await self.store.close()


@pytest.fixture
async def front(tmp_path: Path, catalog: Catalog):
    path = tmp_path / "ottenok.db"
    clock = Clock(at(24, 8))
    front = Shopfront(
        path=path,
        store=await SQLiteStore.open(path),
        clock=clock,
        sender=FakeSender(clock),
        texts=NudgeTexts(Templates.load(), catalog),
    )
    yield front
    await front.close()


async def assert_each_sent_once(front: Shopfront, *senders: FakeSender) -> None:
    """The invariant of every scenario: each delivery is one outbox row, sent exactly once."""
    delivered = Counter((c, t) for sender in senders or (front.sender,) for c, t, _ in sender.sent)
    recorded = Counter(
        (r["chat_id"], r["text"]) for r in await front.outbox() if r["status"] == "sent"
    )
    assert delivered == recorded


def send_times(sender: FakeSender, chat_id: str) -> list[datetime]:
    return [moment for chat, _, moment in sender.sent if chat == chat_id]


# Silence start -> first nudge -> second nudge (the day after the first, at 13:00).
TIMING_TABLE = [
    (at(24, 8, 0), at(24, 11, 0), at(25, 13, 0)),
    (at(24, 10, 0), at(24, 13, 0), at(25, 13, 0)),
    (at(24, 16, 30), at(25, 9, 0), at(26, 13, 0)),
    (at(24, 18, 59), at(25, 9, 0), at(26, 13, 0)),
    (at(24, 23, 0), at(25, 9, 0), at(26, 13, 0)),
]


async def test_timing_table_through_the_database(front: Shopfront, shoe: str) -> None:
    """Ticking every minute for three days: each chat gets exactly its two nudges, on time."""
    await front.service()
    chats = {f"7701000000{n}@c.us": row for n, row in enumerate(TIMING_TABLE)}
    starts = sorted((silence, chat) for chat, (silence, _, _) in chats.items())
    slots = OrderSlots(city="Алматы", product=shoe, product_type="shoes", size="38")
    while front.clock.now <= at(27, 14):
        while starts and starts[0][0] == front.clock.now:
            await front.bot_asks(starts.pop(0)[1], front.clock.now, slots=slots)
        for service, _ in front.services:
            await service.tick()
        front.clock.now += MINUTE
    await assert_each_sent_once(front)
    for chat_id, (_, first, second) in chats.items():
        assert send_times(front.sender, chat_id) == [first, second], chat_id
        client = await front.client(chat_id)
        assert client["nudge_state"] == "stopped" and client["nudge_count"] == 2
        assert client["next_nudge_at"] is None
        outbox = await front.outbox(chat_id)
        assert [(row["step"], row["status"], row["attempts"]) for row in outbox] == [
            (1, "sent", 1),
            (2, "sent", 1),
        ]
        stored = [m for m in await front.store.messages(chat_id) if m["direction"] == "out"]
        assert [m["text"] for m in stored[-2:]] == [row["text"] for row in outbox]


async def test_texts_name_the_product_and_size_or_stay_generic(
    front: Shopfront, catalog: Catalog, shoe: str
) -> None:
    await front.service()
    shoe_name = catalog.get(shoe).name
    slots = OrderSlots(city="Алматы", product=shoe, product_type="shoes", size="38")
    await front.bot_asks("77011111111@c.us", at(24, 8), slots=slots)
    await front.bot_asks("77012222222@c.us", at(24, 8), state="ask_product", name="🌸 Мама")
    await front.tick_until(at(24, 11))
    texts = {chat: text for chat, text, _ in front.sender.sent}
    with_product = texts["77011111111@c.us"]
    assert with_product.startswith("Айгерим, ")
    assert shoe_name[:1].lower() + shoe_name[1:] in with_product and "38 размер" in with_product
    generic = texts["77012222222@c.us"]
    assert generic[:1].isupper() and "{" not in generic and "Мама" not in generic
    assert shoe_name.lower() not in generic.lower()


async def test_a_rewriter_phrases_the_reminder_that_is_claimed_and_sent(
    front: Shopfront, catalog: Catalog, shoe: str
) -> None:
    """The LLM path rewrites a reminder before it is claimed; what is sent is what was stored."""
    seen = []

    async def rewrite(chat_id: str, state: str, slots: OrderSlots, draft: str) -> str:
        seen.append((chat_id, state, slots.product, draft))
        return "Айгерим, вы ещё думаете? 😊"

    await front.service(rewrite=rewrite)
    slots = OrderSlots(city="Алматы", product=shoe, product_type="shoes", size="38")
    await front.bot_asks("77011111112@c.us", at(24, 8), slots=slots)
    await front.tick_until(at(24, 11))
    [(chat, state, product, draft)] = seen
    assert (chat, state, product) == ("77011111112@c.us", "ask_size", shoe) and "38" in draft
    assert [text for _, text, _ in front.sender.sent] == ["Айгерим, вы ещё думаете? 😊"]
    [row] = await front.outbox("77011111112@c.us")
    assert row["text"] == "Айгерим, вы ещё думаете? 😊" and row["status"] == "sent"


async def test_reply_between_nudges_starts_counting_again(front: Shopfront) -> None:
    await front.service()
    chat = "77013333333@c.us"
    await front.bot_asks(chat, at(24, 10))
    await front.tick_until(at(24, 13))
    assert send_times(front.sender, chat) == [at(24, 13)]
    front.clock.now = at(25, 10)
    await front.customer_writes(chat, at(25, 10))
    client = await front.client(chat)
    assert (client["nudge_state"], client["nudge_count"], client["next_nudge_at"]) == (
        "active",
        0,
        None,
    )
    await front.bot_asks(chat, at(25, 10, 1))
    await front.tick_until(at(26, 14))
    assert send_times(front.sender, chat) == [at(24, 13), at(25, 13, 1), at(26, 13)]
    await assert_each_sent_once(front)


async def test_customer_speaking_last_is_never_nudged(front: Shopfront) -> None:
    await front.service()
    chat = "77014444444@c.us"
    await front.bot_asks(chat, at(24, 10))
    await front.customer_writes(chat, at(24, 10, 5))  # the turn is still being answered
    await front.tick_until(at(25, 18), step=timedelta(minutes=10))
    assert front.sender.sent == []


@pytest.mark.parametrize("ending", ["handoff", "confirmed", "cancelled"])
async def test_no_nudges_after_handoff_or_finished_order(front: Shopfront, ending: str) -> None:
    await front.service()
    chat = "77015555555@c.us"
    await front.bot_asks(chat, at(24, 10))
    front.clock.now = at(24, 11)
    await front.finish(chat, ending)
    client = await front.client(chat)
    assert client["nudge_state"] == "stopped" and client["next_nudge_at"] is None
    await front.tick_until(at(26, 14), step=timedelta(minutes=10))
    assert front.sender.sent == []


async def test_handoff_alone_stops_the_machine_at_the_due_tick(front: Shopfront) -> None:
    """The chat went to a manager while its nudge columns were left as they were: the
    machine's own guard stops the chat at the due tick."""
    service = await front.service()
    chat = "77016666666@c.us"
    await front.bot_asks(chat, at(24, 10))
    row = await front.store.load_conversation(chat)
    row.state = "handoff"
    await front.store.save_turn(TurnRecord(conversation=row, processed_id=None))
    report = await service.tick(at(24, 13))
    assert report.stopped == 1 and front.sender.sent == []
    client = await front.client(chat)
    assert client["nudge_state"] == "stopped" and client["next_nudge_at"] is None


async def test_restart_between_claim_and_send_sends_once(front: Shopfront) -> None:
    chat = "77017777777@c.us"
    await front.bot_asks(chat, at(24, 10))
    dying = await front.service()
    await dying.claim_due(at(24, 13))  # committed, then the process dies before sending
    await front.services.pop()[1].close()
    with sqlite3.connect(front.path) as db:
        assert db.execute("SELECT status, attempts FROM nudges").fetchall() == [("pending", 0)]
    fresh = await front.service()
    front.clock.now = at(24, 13, 1)
    await front.tick_until(at(24, 14))
    assert send_times(front.sender, chat) == [at(24, 13, 1)]
    assert (await fresh.tick(at(24, 14, 30))).sent == 0
    await assert_each_sent_once(front)


async def test_crash_during_the_send_waits_for_the_lease_then_sends_once(
    front: Shopfront,
) -> None:
    chat = "77018888888@c.us"
    await front.bot_asks(chat, at(24, 10))
    hanging = FakeSender(front.clock, hang=True)
    dying = await front.service(sender=hanging)
    front.clock.now = at(24, 13)
    task = asyncio.create_task(dying.tick())
    await asyncio.wait_for(hanging.entered.wait(), 5)
    task.cancel()  # the process dies in the middle of the send
    await asyncio.gather(task, return_exceptions=True)
    await front.services.pop()[1].close()
    fresh = await front.service()
    sent = []
    for minute in (1, 2, 3):
        front.clock.now = at(24, 13, minute)
        sent.append((await fresh.tick()).sent)
    assert sent == [0, 1, 0]  # the dead worker's lease (2 min) holds, then runs out
    assert send_times(front.sender, chat) == [at(24, 13, 2)]
    await assert_each_sent_once(front, front.sender, hanging)


async def test_two_schedulers_on_one_database_send_each_nudge_once(front: Shopfront) -> None:
    chats = [f"770190000{n:02d}@c.us" for n in range(30)]
    for chat in chats:
        await front.bot_asks(chat, at(24, 10))
    first = await front.service(sender=FakeSender(front.clock))
    second = await front.service(sender=FakeSender(front.clock))
    for moment in (at(24, 13), at(24, 13, 1), at(25, 13), at(25, 13, 1), at(25, 13, 2)):
        front.clock.now = moment
        await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    await assert_each_sent_once(front, first.sender, second.sender)
    both = first.sender.sent + second.sender.sent
    assert Counter(chat for chat, _, _ in both) == {chat: 2 for chat in chats}
    assert {moment for *_, moment in both} == {at(24, 13), at(25, 13)}


async def test_failed_send_is_retried_on_the_next_tick(front: Shopfront) -> None:
    await front.service(sender=FakeSender(front.clock, failures=1))
    chat = "77020000000@c.us"
    await front.bot_asks(chat, at(24, 10))
    front.clock.now = at(24, 13)
    await front.tick_until(at(24, 13))
    sender = front.services[0][0].sender
    assert sender.sent == [] and sender.attempts == 1
    [row] = await front.outbox(chat)
    assert row["status"] == "pending" and "GREEN-API is down" in row["last_error"]
    await front.tick_until(at(24, 14))
    assert send_times(sender, chat) == [at(24, 13, 1)]
    [row] = await front.outbox(chat)
    assert (row["status"], row["attempts"]) == ("sent", 2)
    await assert_each_sent_once(front, sender)
    client = await front.client(chat)
    assert client["next_nudge_at"] == iso(POLICY.second_nudge_at(at(24, 13, 1)))


async def test_a_send_that_keeps_failing_is_given_up(front: Shopfront) -> None:
    await front.service(sender=FakeSender(front.clock, failures=100), max_attempts=3)
    chat = "77021000000@c.us"
    await front.bot_asks(chat, at(24, 10))
    front.clock.now = at(24, 13)
    await front.tick_until(at(24, 18))
    assert front.services[0][0].sender.attempts == 3
    [row] = await front.outbox(chat)
    assert row["status"] == "failed"


async def test_customer_reply_cancels_a_pending_nudge(front: Shopfront) -> None:
    await front.service(sender=FakeSender(front.clock, failures=1))
    chat = "77022000000@c.us"
    await front.bot_asks(chat, at(24, 10))
    front.clock.now = at(24, 13)
    await front.tick_until(at(24, 13))
    await front.customer_writes(chat, at(24, 13, 0))
    await front.tick_until(at(24, 15))
    assert front.services[0][0].sender.sent == []
    [row] = await front.outbox(chat)
    assert row["status"] == "failed" and row["last_error"] == "customer replied"


async def test_missed_night_gives_one_catch_up_nudge_at_opening(front: Shopfront) -> None:
    await front.service()
    chats = {
        "77030000001@c.us": at(24, 10),
        "77030000002@c.us": at(24, 12),
        "77030000003@c.us": at(24, 15),
    }
    for chat, moment in chats.items():
        front.clock.now = moment
        await front.bot_asks(chat, moment)
    front.clock.now = at(24, 23)  # the service was down from 15:00 until 23:00
    await front.tick_until(at(25, 8, 59))
    assert front.sender.sent == []
    await front.tick_until(at(26, 14), step=timedelta(minutes=5))
    await assert_each_sent_once(front)
    for chat in chats:
        assert send_times(front.sender, chat) == [at(25, 9), at(26, 13)]


def test_preview_lists_who_would_be_nudged_and_changes_nothing(
    tmp_path: Path, shop_root: Path, catalog: Catalog, shoe: str
) -> None:
    db_path = tmp_path / "preview.db"

    async def prepare() -> None:
        store = await SQLiteStore.open(db_path)
        clock = Clock(at(24, 8))
        front = Shopfront(
            db_path, store, clock, FakeSender(clock), NudgeTexts(Templates.load(), catalog)
        )
        slots = OrderSlots(city="Алматы", product=shoe, product_type="shoes", size="38")
        await front.bot_asks("77040000001@c.us", at(24, 10), slots=slots)  # nudge 1 at 13:00
        await front.bot_asks("77040000002@c.us", at(25, 10, 30))  # due at 13:30: not yet
        await front.bot_asks("77040000003@c.us", at(24, 16))  # nudged at 09:00, 2nd at 13:00
        await front.bot_asks("77040000004@c.us", at(24, 11))
        await front.finish("77040000004@c.us", "confirmed")
        await front.service()
        await front.tick_until(at(25, 9))
        assert [c for c, *_ in front.sender.sent] == ["77040000001@c.us", "77040000003@c.us"]
        await front.close()

    asyncio.run(prepare())
    with sqlite3.connect(db_path) as db:
        before = list(db.iterdump())
    env = {"DATA_DIR": str(shop_root), "DB_PATH": str(db_path), "TIMEZONE": "Asia/Almaty"}
    result = CliRunner().invoke(cli, ["nudges", "--at", "2026-11-26T13:00"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    due = [line for line in lines if "@c.us" in line]
    assert any("77040000001@c.us" in line and "nudge 2" in line for line in due)
    assert any("77040000003@c.us" in line and "nudge 2" in line for line in due)
    assert any("77040000002@c.us" in line and "nudge 1" in line for line in due)
    assert not any("77040000004@c.us" in line for line in due)
    assert any(line.strip().startswith("Айгерим, ") for line in lines)
    closed = CliRunner().invoke(cli, ["nudges", "--at", "2026-11-26T20:00"], env=env)
    assert closed.exit_code == 0 and "closed" in closed.output
    assert "nudge 1" not in closed.output and "nudge 2" not in closed.output
    with sqlite3.connect(db_path) as db:
        assert list(db.iterdump()) == before


async def test_scheduler_job_ticks_and_stops(front: Shopfront) -> None:
    chat = "77050000000@c.us"
    await front.bot_asks(chat, at(24, 10))
    front.clock.now = at(24, 13)
    service = await front.service()
    nudge_store = front.services.pop()[1]  # the scheduler owns and closes it
    ticks: list[datetime] = []
    tick = service.tick

    async def counted_tick(now: datetime | None = None):
        ticks.append(front.clock())
        return await tick(now)

    service.tick = counted_tick  # type: ignore[method-assign]
    scheduler = NudgeScheduler(service, nudge_store, interval_seconds=0.1)
    scheduler.start()
    await asyncio.sleep(0.45)
    await scheduler.aclose()
    assert len(ticks) >= 3
    count = len(ticks)
    await asyncio.sleep(0.25)
    assert len(ticks) == count  # no tick after shutdown
    assert send_times(front.sender, chat) == [at(24, 13)]
    await front.service()  # a connection to read the outbox with
    await assert_each_sent_once(front)


async def test_start_nudges_wires_the_service_from_settings(
    tmp_path: Path, shop_root: Path, catalog: Catalog
) -> None:
    """Real clock: work hours 0-24 keep the shop open whenever the test runs."""
    settings = Settings(data_dir=shop_root, db_path=tmp_path / "live.db", work_hours="0-24")
    store = await SQLiteStore.open(settings.database)
    clock = Clock(datetime.now(UTC))
    front = Shopfront(
        settings.database,
        store,
        clock,
        FakeSender(clock),
        NudgeTexts(Templates.load(), catalog),
        policy=settings.nudge_policy(),
    )
    await front.bot_asks("77060000000@c.us", datetime.now(UTC) - timedelta(hours=4))
    scheduler = await start_nudges(settings, store, front.sender, catalog=catalog)
    for _ in range(50):
        if front.sender.sent:
            break
        await asyncio.sleep(0.05)
    await scheduler.aclose()
    assert [chat for chat, *_ in front.sender.sent] == ["77060000000@c.us"]
    await store.close()


async def test_engine_schedules_the_first_nudge_only_with_a_policy(
    tmp_path: Path, catalog: Catalog
) -> None:
    store = await SQLiteStore.open(tmp_path / "engine.db")
    shop = Shop(catalog, ProductMatcher(catalog), None, None, [])
    for policy, chat in ((POLICY, "77070000001@c.us"), (None, "77070000002@c.us")):
        engine = make_engine(shop, store, Templates.load(), [], nudge_policy=policy)
        await engine.handle_message(IncomingMessage(chat, f"{chat}-1", "Здравствуйте"))
        client = await store.client(chat)
        if policy is None:
            assert client["next_nudge_at"] is None and client["nudge_state"] == "stopped"
            continue
        expected = policy.first_nudge_at(from_iso(client["last_bot_at"]))
        assert client["nudge_state"] == "active" and client["next_nudge_at"] == iso(expected)
    await store.close()
