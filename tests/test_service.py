"""`ottenok serve` end to end against a GREEN-API emulator on 127.0.0.1: polling and webhook
modes, redelivery, a SIGKILL between receive and delete, bursts, manager commands, media."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from greenapi_emulator import (
    GreenAPIEmulator,
    file_body,
    free_port,
    post_webhook,
    quota_body,
    serve_env,
    text_body,
)
from shops import write_second_shop

from app.serve import serve
from app.settings import Settings

CUSTOMER = "77015550303@c.us"
MANAGER = "77000000009"
TOKEN = "secret-token"
WEBHOOK_TOKEN = "hook-secret"


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_second_shop(tmp_path_factory.mktemp("shop"))


def settings_for(emu: GreenAPIEmulator, shop_dir: Path, db: Path, **extra) -> Settings:
    return Settings(
        data_dir=shop_dir,
        db_path=db,
        green_api_url=emu.api_url,
        green_api_media_url=emu.media_url,
        green_api_id_instance=emu.id_instance,
        green_api_token=TOKEN,
        green_api_receive_timeout=5,
        manager_numbers=MANAGER,
        nudge_enabled=False,
        host="127.0.0.1",
        port=free_port(),
        **extra,
    )


async def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def wait_ready(port: int) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("service never became ready")


def texts_to(emu: GreenAPIEmulator, chat_id: str) -> list[str]:
    return [
        s["message"] for s in emu.sent if s["method"] == "sendMessage" and s["chatId"] == chat_id
    ]


def uploads_to(emu: GreenAPIEmulator, chat_id: str) -> list[dict]:
    return [s for s in emu.sent if s["method"] == "sendFileByUpload" and s["chatId"] == chat_id]


class Running:
    """`serve()` in a background task of the test's loop, stopped like a SIGTERM would."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop = asyncio.Event()

    async def __aenter__(self) -> Running:
        self.task = asyncio.create_task(serve(self.settings, self.stop))
        await wait_ready(self.settings.port)
        return self

    async def __aexit__(self, *exc) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=60)


async def test_polling_end_to_end_text_photos_and_order(shop_dir: Path, tmp_path: Path) -> None:
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(emu, shop_dir, tmp_path / "poll.db")
        async with Running(settings):
            emu.push(text_body(CUSTOMER, "Здравствуйте, я из Шымкента", "A1"))
            emu.push(text_body(CUSTOMER, "мокасины аврора 37 серые", "A2"))
            emu.push(text_body(CUSTOMER, "ул. Тауке хана 12, кв 4", "A3"))
            emu.push(text_body(CUSTOMER, "да", "A4"))
            await wait_for(
                lambda: any("принят" in t or "оформлен" in t for t in texts_to(emu, CUSTOMER))
            )
            await wait_for(lambda: any(MANAGER in s["chatId"] for s in emu.sent))
            await wait_for(lambda: not emu.queue)
        assert texts_to(emu, CUSTOMER)[0].startswith(("Здравствуйте", "Добрый день"))
        photos = uploads_to(emu, CUSTOMER)
        assert 1 <= len(photos) <= 3 and all(p["size"] > 0 for p in photos)
        assert emu.count("deleteNotification") == 4
    with sqlite3.connect(tmp_path / "poll.db") as db:
        status = db.execute("SELECT status, size, color FROM orders").fetchall()
    assert status == [("confirmed", "37", "серый")]


async def test_redelivered_message_is_answered_once(shop_dir: Path, tmp_path: Path) -> None:
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(emu, shop_dir, tmp_path / "dup.db")
        async with Running(settings):
            emu.push({"body": "not a notification"})  # malformed: dropped, never blocks the queue
            for _ in range(3):
                emu.push(text_body(CUSTOMER, "Здравствуйте", "SAME-ID"))
            await wait_for(lambda: not emu.queue and emu.count("deleteNotification") == 4)
            await asyncio.sleep(0.3)
        assert len(texts_to(emu, CUSTOMER)) == 2  # greeting + question, once


async def test_webhook_mode_tokens_bodies_and_dedupe(shop_dir: Path, tmp_path: Path) -> None:
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(
            emu, shop_dir, tmp_path / "hook.db",
            green_api_polling=False, green_api_webhook_token=WEBHOOK_TOKEN,
        )  # fmt: skip
        url = f"http://127.0.0.1:{settings.port}/webhook"
        async with Running(settings):
            body = text_body(CUSTOMER, "Здравствуйте, Шымкент, шарф нимбус", "W1")
            assert await post_webhook(url, body, token="wrong") == 401
            assert await post_webhook(url, body, token=None) == 401
            assert await post_webhook(url, body, token=WEBHOOK_TOKEN) == 200
            assert await post_webhook(url, body, token=WEBHOOK_TOKEN) == 200  # redelivery
            assert await post_webhook(url, {"no": "type"}, token=WEBHOOK_TOKEN) == 400
            assert await post_webhook(url, [1, 2], token=WEBHOOK_TOKEN) == 400
            async with aiohttp.ClientSession() as session:
                async with session.post(
                    url, data=b"{not json", headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"}
                ) as response:
                    assert response.status == 400
                    assert "JSON" in (await response.json())["error"]
            status = {"typeWebhook": "outgoingMessageStatus", "chatId": CUSTOMER,
                      "idMessage": "X", "status": "read", "timestamp": 1}  # fmt: skip
            assert await post_webhook(url, status, token=WEBHOOK_TOKEN) == 200
            await wait_for(lambda: len(texts_to(emu, CUSTOMER)) >= 1)
            await asyncio.sleep(0.3)
        replies = texts_to(emu, CUSTOMER)
        assert any("цвет" in t for t in replies)
        assert emu.count("receiveNotification") == 0
    with sqlite3.connect(tmp_path / "hook.db") as db:
        incoming = db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'in'").fetchone()
    assert incoming == (1,)


async def test_burst_of_twenty_in_one_chat_is_processed_in_order(
    shop_dir: Path, tmp_path: Path
) -> None:
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(emu, shop_dir, tmp_path / "burst.db")
        texts = [f"а доставка сколько идёт? ({n})" for n in range(18)] + ["Шымкент", "шарф нимбус"]
        for n, text in enumerate(texts):
            emu.push(text_body(CUSTOMER, text, f"B{n}"))
        async with Running(settings):
            await wait_for(lambda: not emu.queue)
            await wait_for(
                lambda: (
                    sqlite3.connect(tmp_path / "burst.db")
                    .execute("SELECT COUNT(*) FROM processed_messages")
                    .fetchone()[0]
                    == 20
                )
            )
    with sqlite3.connect(tmp_path / "burst.db") as db:
        stored = [
            r[0] for r in db.execute("SELECT text FROM messages WHERE direction='in' ORDER BY id")
        ]
        state = db.execute("SELECT state, slots FROM conversations").fetchone()
    assert stored == texts
    assert state[0] == "ask_color" and "Шымкент" in state[1]


async def test_media_groups_manager_commands_and_shop_phone_takeover(
    shop_dir: Path, tmp_path: Path
) -> None:
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(emu, shop_dir, tmp_path / "misc.db")
        other = "77015550404@c.us"
        async with Running(settings):
            emu.push(file_body(CUSTOMER, "M1", type_message="audioMessage"))
            emu.push(file_body(CUSTOMER, "M2", caption="Здравствуйте, Шымкент"))
            emu.push(text_body("120363000000000001@g.us", "Всем привет", "G1"))
            emu.push(text_body(other, "/handoff on 77015550303", "N1"))
            emu.push(text_body(f"{MANAGER}@c.us", "/handoff status 87015550303", "C1"))
            await wait_for(lambda: len(texts_to(emu, f"{MANAGER}@c.us")) >= 1)
            await wait_for(lambda: len(texts_to(emu, CUSTOMER)) >= 3)
            emu.push(
                text_body(other, "Менеджер на связи", "T1", type_webhook="outgoingMessageReceived")
            )
            await wait_for(lambda: not emu.queue)
            await asyncio.sleep(0.3)
            replies_before_takeover = len(texts_to(emu, other))
            emu.push(text_body(other, "спасибо", "T2"))
            await wait_for(lambda: not emu.queue)
            await asyncio.sleep(0.3)
        customer = texts_to(emu, CUSTOMER)
        assert "Алина" in customer[0] and "текстом" in customer[1]
        assert "мокасины" in customer[2]  # the caption was read as text: city filled, next question
        assert texts_to(emu, "120363000000000001@g.us") == []
        assert "Алина" in texts_to(emu, f"{MANAGER}@c.us")[0]
        other_replies = texts_to(emu, other)
        assert other_replies and not any("Алина молчит" in t for t in other_replies)
        assert len(other_replies) == replies_before_takeover  # silent after the takeover
    with sqlite3.connect(tmp_path / "misc.db") as db:
        handoffs = db.execute("SELECT chat_id, active FROM handoffs").fetchall()
        stored = db.execute("SELECT COUNT(*) FROM messages WHERE wa_id = 'T2'").fetchone()
    assert handoffs == [(other, 1)] and stored == (1,)


async def test_unauthorized_credentials_stop_the_service_clearly(
    shop_dir: Path, tmp_path: Path
) -> None:
    async with GreenAPIEmulator(token="another-token", max_wait=0.2) as emu:
        settings = settings_for(emu, shop_dir, tmp_path / "auth.db")
        with pytest.raises(Exception, match="401"):
            await asyncio.wait_for(serve(settings, asyncio.Event()), timeout=60)


def test_invalid_settings_stop_start_up_with_one_line(tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "GREEN_API_ID_INSTANCE": "abc", "GREEN_API_TOKEN": "t",
           "DB_PATH": str(tmp_path / "x.db")}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: GREEN_API_ID_INSTANCE must be digits (the instance id)"
    env["WORK_HOURS"] = "19-9"
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1 and "WORK_HOURS" in result.stderr


async def test_sigkill_between_receive_and_delete_loses_nothing(
    shop_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kill.db"
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(emu, shop_dir, db)
        env = serve_env(emu, shop_dir, db, TOKEN, PORT=str(settings.port))
        emu.stall_next("deleteNotification", seconds=120)
        emu.push(text_body(CUSTOMER, "Здравствуйте, я из Шымкента", "K1"))
        command = [sys.executable, "-m", "app.cli", "serve"]
        first = await asyncio.create_subprocess_exec(*command, env=env)

        def stored() -> bool:
            if not db.exists():
                return False
            with sqlite3.connect(db) as conn:
                try:
                    return (
                        conn.execute("SELECT COUNT(*) FROM messages WHERE wa_id='K1'").fetchone()[0]
                        == 1
                    )
                except sqlite3.OperationalError:
                    return False

        await wait_for(stored, timeout=120)
        await wait_for(lambda: emu.count("deleteNotification") == 1, timeout=30)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        assert emu.queue, "the notification must still be queued"
        second = await asyncio.create_subprocess_exec(*command, env=env)
        try:
            await wait_for(lambda: not emu.queue, timeout=120)
            await wait_for(lambda: len(texts_to(emu, CUSTOMER)) >= 2, timeout=60)
            await asyncio.sleep(0.5)
        finally:
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), timeout=60) == 0
        replies = texts_to(emu, CUSTOMER)
        assert len(replies) == 2 and "Шымкент" not in replies[0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages WHERE direction='in'").fetchone() == (1,)


async def test_health_reports_each_component_and_typing_shows_while_the_llm_reads(
    shop_dir: Path, tmp_path: Path
) -> None:
    from fake_openai import FakeOpenAI

    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu, FakeOpenAI() as llm:
        settings = settings_for(
            emu,
            shop_dir,
            tmp_path / "health.db",
            openai_api_key="sk-test",
            openai_base_url=llm.base_url,
        )
        async with Running(settings):
            emu.push(text_body(CUSTOMER, "Здравствуйте, я из Шымкента, что есть на осень?", "T1"))
            await wait_for(lambda: len(texts_to(emu, CUSTOMER)) >= 1)
            url = f"http://127.0.0.1:{settings.port}/health"
            for _ in range(100):  # until the whole reply has left the outbox
                async with aiohttp.ClientSession() as session, session.get(url) as response:
                    status, body = response.status, await response.json()
                if body["components"]["outbox"]["pending"] == 0:
                    break
                await asyncio.sleep(0.1)
            emu.state = "notAuthorized"
            instance = {"idInstance": 1, "wid": "7@c.us", "typeInstance": "whatsapp"}
            emu.push({"typeWebhook": "stateInstanceChanged", "stateInstance": "notAuthorized",
                      "instanceData": instance, "timestamp": 1764000000})  # fmt: skip
            await wait_for(lambda: not emu.queue)
            await asyncio.sleep(0.3)
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                alarmed, alarm = response.status, await response.json()
    assert status == 200 and body["status"] in ("ok", "degraded")
    components = body["components"]
    assert {"database", "channel", "outbox", "inventory", "knowledge", "llm"} <= set(components)
    assert components["database"]["ok"] and components["outbox"]["pending"] == 0
    assert components["inventory"]["file"].endswith("inventory.xlsx")
    assert components["llm"]["model"] == "gpt-4o"
    assert [t["chatId"] for t in emu.typing] == [CUSTOMER]  # "typing…" while the turn ran
    assert alarmed == 503 and alarm["status"] == "down"
    assert "notAuthorized" in alarm["components"]["channel"]["instance_alert"]


async def health_of(port: int) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/health") as response,
    ):
        return response.status, await response.json()


async def test_a_quota_alert_clears_once_a_send_goes_through(shop_dir: Path, tmp_path: Path):
    """The plan was changed in GREEN-API's console (no webhook says so): the first reply the
    gateway accepts ends the alert, so /health does not report the service down for good."""
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(emu, shop_dir, tmp_path / "quota.db")
        async with Running(settings):
            emu.push(quota_body())
            await wait_for(lambda: not emu.queue)
            await asyncio.sleep(0.3)
            alarmed, alarm = await health_of(settings.port)
            emu.push(text_body(CUSTOMER, "Здравствуйте", "Q1"))
            await wait_for(lambda: len(texts_to(emu, CUSTOMER)) >= 1)
            await asyncio.sleep(0.3)
            cleared, body = await health_of(settings.port)
    assert alarmed == 503 and "quota" in alarm["components"]["channel"]["instance_alert"]
    assert cleared == 200 and body["components"]["channel"]["instance_alert"] is None
