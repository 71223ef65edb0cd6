"""Every reply reaches the customer once: the engine's outbox, the outbox sender and the real
GREEN-API transport against the loopback emulator with injected faults, on a real SQLite file.

Customers write whole conversations in ten chats at once while the gateway fails a share of
the sends; afterwards every outbox row must be delivered exactly once, in order, and a failure
that may have delivered (a 500 after delivering) must not become a second copy.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from greenapi_emulator import FaultRates, GreenAPIEmulator, serve_env, text_body
from shops import write_second_shop

from adapters.greenapi import GreenAPIClient
from adapters.greenapi.sender import WhatsAppSender
from adapters.outbox_store import OutboxStore
from adapters.sqlite_store import SQLiteStore
from app import wiring
from app.settings import Settings
from ottenok.delivery import Backoff, OutboxSender
from ottenok.messages import IncomingMessage, Outgoing
from ottenok.phrasing.templates import Templates

TOKEN = "secret-token"
MANAGER = "77000000009"
CONVERSATION = [
    "Здравствуйте",
    "я из Шымкента",
    "мокасины аврора",
    "38",
    "серые",
    "ул. Тауке хана 5, кв 3",
    "да",
    "спасибо большое!",
]
CHATS = [f"7701666{n:04d}@c.us" for n in range(10)]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=write_second_shop(tmp_path_factory.mktemp("shop")))
    return settings, wiring.load_shop(settings)


class Line:
    """The engine, the outbox sender and the WhatsApp transport on one database."""

    def __init__(
        self,
        emu: GreenAPIEmulator,
        shop,
        db: Path,
        drive=None,
        request_timeout: float = 2.0,
        **sender_options,
    ) -> None:
        self.emu, self.shop, self.db, self.drive = emu, shop, db, drive
        self.request_timeout = request_timeout
        self.sender_options = sender_options

    async def __aenter__(self) -> Line:
        settings, shop = self.shop
        self.store = await SQLiteStore.open(self.db)
        self.engine = wiring.make_engine(
            shop, self.store, Templates.load(settings.data_dir), [MANAGER]
        )
        self.client = GreenAPIClient(
            self.emu.api_url,
            self.emu.media_url,
            self.emu.id_instance,
            TOKEN,
            send_tries=1,
            max_tries=1,
            request_timeout=self.request_timeout,
            journal_interval=0.05,
        )
        self.outbox = await OutboxStore.open(self.db)
        options = {
            "backoff": Backoff(base=0.02, cap=0.3),
            "journal_lag": timedelta(seconds=0.3),
            "journal_recheck_seconds": 0.1,
            "undelivered": self.engine.undelivered,
        } | self.sender_options
        self.whatsapp = WhatsAppSender(self.client, self.drive)
        self.sender = OutboxSender(self.outbox, self.whatsapp, **options)
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.sender.run_forever(self.stop, idle_seconds=0.05))
        return self

    async def __aexit__(self, *exc) -> None:
        self.stop.set()
        await self.task
        await self.client.close()
        await self.outbox.close()
        await self.store.close()

    async def converse(self, chat: str, texts: list[str]) -> None:
        for n, text in enumerate(texts):
            await self.engine.handle_message(IncomingMessage(chat, f"{chat}-{n}", text, "Айгерим"))
            self.sender.wakeup.set()

    async def settle(self, timeout: float = 180.0) -> None:
        """Until nothing waits in the outbox."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (await self.outbox.backlog(datetime.now(UTC)))[0]:
            assert asyncio.get_running_loop().time() < deadline, "the outbox never emptied"
            await asyncio.sleep(0.05)

    async def outgoing(self, chat: str) -> list[dict]:
        return await self.outbox.rows(chat)


def delivered(emu: GreenAPIEmulator, chat: str) -> list[str]:
    """What the gateway delivered to a chat, in order: texts and uploaded file names."""
    return [
        s["message"] if s["method"] == "sendMessage" else f"[{s['fileName']}]"
        for s in emu.sent
        if s["chatId"] == chat
    ]


def expected(rows: list[dict]) -> list[str]:
    names = []
    for row in rows:
        if row["kind"] == "text":
            names.append(row["text"])
        else:
            names.append(f"[{Path(json.loads(row['payload'])['path']).name}]")
    return names


@pytest.mark.parametrize(
    "faults",
    [
        FaultRates(error_500=0.3),
        FaultRates(error_429=0.3, retry_after="0"),
        # Past the client's 2 s timeout; half of them delivered before hanging.
        FaultRates(timeout=0.15, timeout_after_delivery=0.15, hang_seconds=3.0),
    ],
    ids=["30% 500", "30% 429", "30% timeouts"],
)
async def test_no_reply_part_is_lost_or_sent_twice_under_send_faults(shop, tmp_path, faults):
    async with GreenAPIEmulator(token=TOKEN, journal_interval=0.05) as emu:
        for method in ("sendMessage", "sendFileByUpload"):
            emu.inject(method, faults)
        async with Line(emu, shop, tmp_path / "faults.db") as line:
            await asyncio.gather(*(line.converse(chat, CONVERSATION) for chat in CHATS))
            await line.settle()
            lost = partial = duplicates = 0
            for chat in CHATS:
                rows = await line.outgoing(chat)
                assert rows and all(row["status"] == "sent" for row in rows)
                want, got = expected(rows), delivered(emu, chat)
                duplicates += sum(n - 1 for n in Counter(got).values() if n > 1)
                missing = [text for text in want if text not in got]
                lost += len(missing)
                partial += bool(missing)
                assert got == want, chat  # every part, once, in the order of the turns
        assert len(emu.faults) > 20  # the gateway really failed that often
    assert (lost, partial, duplicates) == (0, 0, 0)


async def test_a_500_after_delivering_does_not_become_a_second_copy(shop, tmp_path):
    """The journal shows the message arrived, so the sender marks it sent instead of resending."""
    async with GreenAPIEmulator(token=TOKEN, journal_interval=0.05) as emu:
        emu.inject("sendMessage", FaultRates(error_500_after_delivery=0.3))
        async with Line(emu, shop, tmp_path / "ambiguous.db") as line:
            await asyncio.gather(*(line.converse(chat, CONVERSATION[:4]) for chat in CHATS[:5]))
            await line.settle()
            duplicates = 0
            for chat in CHATS[:5]:
                rows = await line.outgoing(chat)
                got = delivered(emu, chat)
                duplicates += len(got) - len(set(got))
                assert sorted(set(got)) == sorted(set(expected(rows)))
        ambiguous = sum(1 for _, fault in emu.faults if fault == "500_after_delivery")
    assert ambiguous >= 5
    assert duplicates == 0


async def test_without_a_journal_an_ambiguous_send_is_repeated_once(shop, tmp_path):
    """The first send arrives but answers 500, and the journal is down: the message is checked,
    then sent once more — a possible duplicate beats a lost message. The rest of the reply
    waits behind it and goes once."""
    async with GreenAPIEmulator(token=TOKEN, journal_interval=0.05) as emu:
        emu.inject("sendMessage", FaultRates(error_500_after_delivery=1.0))
        emu.inject("lastOutgoingMessages", FaultRates(error_500=1.0))
        chat = CHATS[0]
        async with Line(emu, shop, tmp_path / "blind.db") as line:
            await line.converse(chat, ["Здравствуйте"])
            await wait_for(lambda: len(delivered(emu, chat)) >= 1, timeout=30)
            emu.inject("sendMessage", FaultRates())  # the gateway answers properly again
            await line.settle()
            want = expected(await line.outgoing(chat))
        copies = Counter(delivered(emu, chat))
    first, *rest = want
    assert copies[first] == 2 and all(copies[text] == 1 for text in rest)


async def test_with_the_journal_down_no_message_goes_out_more_than_twice(shop, tmp_path):
    """Half the sends deliver and answer 500 while the journal is down: each such message is
    resent at most once without the journal's word, then waits for it. When the journal is
    back, the waiting ones are found there and nothing more is sent."""
    chats = CHATS[:4]
    texts = {chat: [f"Сообщение {n} для {chat[:11]}" for n in range(5)] for chat in chats}
    async with GreenAPIEmulator(token=TOKEN, journal_interval=0.05) as emu:
        emu.inject("sendMessage", FaultRates(error_500_after_delivery=0.5))
        emu.inject("lastOutgoingMessages", FaultRates(error_500=1.0))
        async with Line(emu, shop, tmp_path / "journal_down.db") as line:
            for chat in chats:
                await line.store.record_outgoing([Outgoing(chat, "text", t) for t in texts[chat]])
            line.sender.wakeup.set()

            async def quiet() -> bool:
                """Every chat is done or waits behind a message sent twice already."""
                for chat in chats:
                    pending = [r for r in await line.outgoing(chat) if r["status"] == "pending"]
                    if pending and pending[0]["ambiguous"] < 2:
                        return False
                return True

            deadline = asyncio.get_running_loop().time() + 120
            while not await quiet():
                assert asyncio.get_running_loop().time() < deadline, "the outbox never settled"
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # a few more rounds of checks: still no third copy
            during = Counter(m for chat in chats for m in delivered(emu, chat))
            emu.clear_faults()
            await line.settle()
            rows = [row for chat in chats for row in await line.outgoing(chat)]
        after = Counter(m for chat in chats for m in delivered(emu, chat))
        ambiguous = sum(1 for _, fault in emu.faults if fault == "500_after_delivery")
    assert ambiguous >= 5 and max(during.values()) == 2  # the journal was needed, and missed
    assert all(after[text] == n for text, n in during.items())  # no copy after the journal's word
    assert all(row["status"] == "sent" for row in rows)
    assert set(after) == {t for chat in chats for t in texts[chat]}
    assert sum(after.values()) <= 2 * len(rows)


async def test_an_identical_later_text_is_not_mistaken_for_an_earlier_copy(shop, tmp_path):
    """The first "Спасибо!" arrives but answers 500 and is found in the journal; the second
    fails for real. The first copy's id is kept, so the second is sent instead of being taken
    for the first."""
    async with GreenAPIEmulator(token=TOKEN, journal_interval=0.05) as emu:
        emu.fail_next("sendMessage", status=500, deliver=True)
        emu.fail_next("sendMessage", status=500)
        chat = CHATS[0]
        async with Line(emu, shop, tmp_path / "twins.db") as line:
            thanks = [Outgoing(chat, "text", "Спасибо!"), Outgoing(chat, "text", "Спасибо!")]
            await line.store.record_outgoing(thanks)
            line.sender.wakeup.set()
            await line.settle()
            rows = await line.outgoing(chat)
    assert delivered(emu, chat) == ["Спасибо!", "Спасибо!"]
    assert [row["wa_id"] for row in rows] == [s["idMessage"] for s in emu.sent]


async def test_a_hanging_send_holds_up_its_own_chat_only(shop, tmp_path):
    """One chat's send hangs for 6 s; another chat's five messages go out meanwhile, not one
    per delivery round behind it. (They take milliseconds; the bound is generous.)"""
    slow, quick = CHATS[0], CHATS[1]
    async with GreenAPIEmulator(token=TOKEN) as emu:
        emu.stall_next("sendMessage", seconds=6)
        async with Line(emu, shop, tmp_path / "hang.db", request_timeout=10) as line:
            await line.store.record_outgoing([Outgoing(slow, "text", "Минутку, уточняю")])
            line.sender.wakeup.set()
            await wait_for(lambda: emu.count("sendMessage") == 1, timeout=30)
            texts = [f"Ответ {n}" for n in range(5)]
            await line.store.record_outgoing([Outgoing(quick, "text", t) for t in texts])
            line.sender.wakeup.set()
            await wait_for(lambda: len(delivered(emu, quick)) == 5, timeout=4)
            assert delivered(emu, slow) == []  # still on the wire
            await line.settle()
    assert delivered(emu, quick) == texts and delivered(emu, slow) == ["Минутку, уточняю"]


async def test_retry_after_is_honoured(shop, tmp_path):
    async with GreenAPIEmulator(token=TOKEN) as emu:
        emu.fail_next("sendMessage", status=429, headers={"Retry-After": "2"})
        async with Line(emu, shop, tmp_path / "retry.db") as line:
            chat = CHATS[0]
            started = asyncio.get_running_loop().time()
            await line.converse(chat, ["Здравствуйте"])
            await line.settle()
            waited = asyncio.get_running_loop().time() - started
            assert delivered(emu, chat) == expected(await line.outgoing(chat))
    assert waited >= 2.0


async def test_messages_too_old_are_not_sent_and_the_managers_are_told_once(shop, tmp_path):
    """Replies that waited past the limit (the gateway was down for a day) are not sent: the
    customer would get yesterday's answers. The managers hear it once, and that notice goes."""
    async with GreenAPIEmulator(token=TOKEN) as emu:
        db = tmp_path / "old.db"
        chat = CHATS[0]
        async with Line(emu, shop, db) as line:
            line.stop.set()  # the gateway is down: nothing goes out
            await line.task
            await line.converse(chat, ["Здравствуйте", "я из Шымкента"])
        day_ago = (datetime.now(UTC) - timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE messages SET created_at = ? WHERE chat_id = ?", (day_ago, chat))
        async with Line(emu, shop, db, max_age=timedelta(hours=24)) as line:
            line.sender.wakeup.set()
            # The notice is queued just after the last row expires: wait for it to go out.
            await wait_for(lambda: delivered(emu, f"{MANAGER}@c.us"), timeout=60)
            await line.settle()
            rows = await line.outgoing(chat)
            notices = await line.outgoing(f"{MANAGER}@c.us")
    assert rows and {row["status"] for row in rows} == {"expired"}
    assert delivered(emu, chat) == []
    [notice] = [row for row in notices if "не удалось доставить" in row["text"]]
    assert notice["status"] == "sent" and "77016660000" in notice["text"]
    assert len(delivered(emu, f"{MANAGER}@c.us")) == 1


async def test_a_photo_counts_as_shown_only_once_delivered(shop, tmp_path):
    """A photo whose file is gone cannot be sent: it is not recorded as seen, and the next
    request for photos offers it again."""
    async with GreenAPIEmulator(token=TOKEN) as emu:
        async with Line(emu, shop, tmp_path / "photo.db") as line:
            chat = CHATS[0]
            store = line.store
            photo = Outgoing(
                chat, "photo", photo_path=tmp_path / "gone.jpg", photo_key="aurora/grey_1.jpg"
            )
            await store.record_outgoing([photo])
            assert await store.sent_photo_keys(chat) == {"aurora/grey_1.jpg"}  # on its way
            line.sender.wakeup.set()
            await line.settle()
            [row] = await line.outgoing(chat)
            assert row["status"] == "failed"
            assert await store.sent_photo_keys(chat) == set()


async def test_a_logged_out_instance_holds_replies_until_it_is_back(shop, tmp_path):
    """GREEN-API answers 400 while the instance is not authorized: the order confirmation waits
    for the QR code to be scanned instead of being dropped as bad data."""
    async with GreenAPIEmulator(token=TOKEN, journal_interval=0.05) as emu:
        emu.state = "notAuthorized"
        chat = CHATS[0]
        async with Line(emu, shop, tmp_path / "logged_out.db") as line:
            await line.converse(chat, CONVERSATION[:7])  # up to "да": the order is confirmed
            await wait_for(lambda: len(emu.refused) >= 5, timeout=60)
            assert delivered(emu, chat) == []
            emu.state = "authorized"
            await line.settle()
            rows = await line.outgoing(chat)
            notices = await line.outgoing(f"{MANAGER}@c.us")
    assert {row["status"] for row in rows + notices} == {"sent"}
    assert delivered(emu, chat) == expected(rows)
    assert any("заказ принят" in text for text in delivered(emu, chat))
    assert len(delivered(emu, f"{MANAGER}@c.us")) == len(notices) >= 1


async def test_a_400_from_an_authorized_instance_is_final(shop, tmp_path):
    """A malformed chat id will never be accepted: one try, one state check, given up, and the
    managers hear of it."""
    async with GreenAPIEmulator(token=TOKEN) as emu:
        async with Line(emu, shop, tmp_path / "bad_chat.db") as line:
            await line.store.record_outgoing([Outgoing("12@c.us", "text", "Здравствуйте")])
            line.sender.wakeup.set()
            await line.settle()
            [row] = await line.outgoing("12@c.us")
    assert row["status"] == "failed" and "400" in row["last_error"]
    [notice] = delivered(emu, f"{MANAGER}@c.us")
    assert "не удалось доставить" in notice
    assert (emu.count("sendMessage"), emu.count("getStateInstance")) == (2, 1)


class FlakyDrive:
    """A Drive folder whose first download drops the connection."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.calls = 0

    def download(self, file_id: str) -> bytes:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionResetError(104, "Connection reset by peer")
        return self.content


async def test_a_drive_photo_that_failed_to_download_is_sent_later(shop, tmp_path):
    """A network error fetching a Drive photo is not a missing photo: it is tried again, and
    only then counts as shown."""
    drive = FlakyDrive(b"\xff\xd8jpeg")
    async with GreenAPIEmulator(token=TOKEN) as emu:
        async with Line(emu, shop, tmp_path / "drive.db", drive=drive) as line:
            chat = CHATS[0]
            photo = Outgoing(chat, "photo", photo_key="aurora/grey_1.jpg", photo_file_id="f1")
            await line.store.record_outgoing([photo])
            line.sender.wakeup.set()
            await line.settle()
            [row] = await line.outgoing(chat)
            shown = await line.store.sent_photo_keys(chat)
    assert drive.calls == 2 and row["status"] == "sent"
    assert delivered(emu, chat) == ["[grey_1.jpg]"] and shown == {"aurora/grey_1.jpg"}


async def test_sigkill_between_saving_a_turn_and_sending_it_loses_nothing(shop, tmp_path):
    """The first process saves the turn and dies while its reply is on the wire; the second
    resumes the outbox at once and the customer gets the reply exactly once."""
    settings, _ = shop
    db = tmp_path / "kill.db"
    chat = "77015550404@c.us"
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2, journal_interval=0.05) as emu:
        env = serve_env(emu, settings.data_dir, db, TOKEN, MANAGER_NUMBERS=MANAGER)
        emu.fail_next("sendMessage", status=500, delay=120)  # held on the wire, never delivered
        emu.push(text_body(chat, "Здравствуйте, я из Шымкента", "K1"))
        first = await asyncio.create_subprocess_exec(*SERVE, env=env)
        await wait_for(lambda: emu.count("sendMessage") == 1, timeout=120)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        with sqlite3.connect(db) as conn:
            pending = conn.execute(
                "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'pending'"
            ).fetchone()[0]
        assert pending >= 1
        second = await asyncio.create_subprocess_exec(*SERVE, env=env)
        try:
            await wait_for(lambda: len(delivered(emu, chat)) >= pending, timeout=60)
            await asyncio.sleep(0.5)
        finally:
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), timeout=60) == 0
        got = delivered(emu, chat)
    assert len(got) == pending and len(set(got)) == len(got)
    with sqlite3.connect(db) as conn:
        statuses = conn.execute(
            "SELECT status FROM messages WHERE direction = 'out' AND chat_id = ?", (chat,)
        ).fetchall()
    assert statuses and set(statuses) == {("sent",)}


async def test_send_faults_and_two_sigkills_lose_no_reply_part(shop, tmp_path):
    """Ten customers order at once (photos included) while 30% of the sends are refused with
    429, and the service is killed twice mid-run. In the end every message is answered, every
    saved reply part was delivered exactly once and in order, and no notification is left."""
    settings, _ = shop
    db = tmp_path / "kills.db"
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2, journal_interval=0.05) as emu:
        for method in ("sendMessage", "sendFileByUpload"):
            emu.inject(method, FaultRates(error_429=0.3))
        for n, text in enumerate(CONVERSATION):
            for chat in CHATS:
                emu.push(text_body(chat, text, f"{chat}-{n}"))
        env = serve_env(emu, settings.data_dir, db, TOKEN, MANAGER_NUMBERS=MANAGER)
        for sends in (30, 120):  # killed at these counts of delivered parts
            doomed = await asyncio.create_subprocess_exec(*SERVE, env=env)
            await wait_for(lambda n=sends: len(emu.sent) >= n, timeout=180)
            doomed.send_signal(signal.SIGKILL)
            await doomed.wait()
        last = await asyncio.create_subprocess_exec(*SERVE, env=env)
        try:
            deadline = asyncio.get_running_loop().time() + 300
            while emu.queue or not all_answered_and_sent(db):
                assert asyncio.get_running_loop().time() < deadline, "never settled"
                await asyncio.sleep(0.2)
        finally:
            last.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(last.wait(), timeout=60) == 0
        with sqlite3.connect(db) as conn:
            conn.row_factory = sqlite3.Row
            rows = {
                chat: [
                    dict(row)
                    for row in conn.execute(
                        "SELECT kind, text, payload FROM messages WHERE chat_id = ?"
                        " AND direction = 'out' ORDER BY id",
                        (chat,),
                    )
                ]
                for chat in CHATS
            }
        assert sum(1 for _, fault in emu.faults if fault == "429") > 30
        for chat in CHATS:
            assert delivered(emu, chat) == expected(rows[chat]), chat
    photos = [part for chat in CHATS for part in delivered(emu, chat) if part.startswith("[")]
    assert len(photos) >= len(CHATS)
    assert all(len(rows[chat]) >= len(CONVERSATION) for chat in CHATS)


def all_answered_and_sent(db: Path) -> bool:
    """Every customer message processed and no outgoing message waiting."""
    with sqlite3.connect(db, timeout=30) as conn:
        [(waiting,)] = conn.execute(
            "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'pending'"
        )
        [(unanswered,)] = conn.execute(
            "SELECT COUNT(*) FROM messages AS m WHERE direction = 'in' AND NOT EXISTS"
            " (SELECT 1 FROM processed_messages AS p WHERE p.wa_id = m.wa_id)"
        )
        [(answered,)] = conn.execute("SELECT COUNT(*) FROM processed_messages")
    return waiting == unanswered == 0 and answered == len(CHATS) * len(CONVERSATION)


SERVE = [sys.executable, "-m", "app.cli", "serve"]


async def wait_for(condition, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
