"""The sandbox and the console over HTTP against `ottenok serve` on 127.0.0.1: access rules,
CSRF, escaping, bad input, photos only from the index, and which channels run when."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from greenapi_emulator import GreenAPIEmulator
from shops import write_second_shop
from test_service import TOKEN, Running, settings_for, wait_for
from web_server import Served, code_under_test, start

from app.serve import addresses
from app.settings import Settings

SCRIPTED = {"X-Requested-With": "ottenok"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_second_shop(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def served(shop: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    app = start(shop, tmp_path_factory.mktemp("service"))
    yield app
    app.stop()


async def logged_in(session: aiohttp.ClientSession, served: Served) -> str:
    """Log in; returns the CSRF token of the session."""
    async with session.post(
        f"{served.url}/manager/login", data={"token": served.token}, allow_redirects=False
    ) as response:
        assert response.status == 303
    async with session.get(f"{served.url}/manager/chats") as response:
        page = await response.text()
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


async def customer_says(session, served: Served, phone: str, text: str) -> None:
    async with session.post(
        f"{served.url}/sandbox/api/chats", json={"phone": phone}, headers=SCRIPTED
    ) as response:
        assert response.status == 200
    async with session.post(
        f"{served.url}/sandbox/api/chats/{phone}/messages",
        json={"id": uuid.uuid4().hex, "text": text, "name": "Тест"},
        headers=SCRIPTED,
    ) as response:
        assert response.status == 202


async def test_console_login_cookie_and_csrf(served: Served) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(f"{served.url}/manager/orders", allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/manager/login"
        async with session.get(f"{served.url}/manager/events") as r:
            assert r.status == 401
        async with session.post(f"{served.url}/manager/login", data={"token": "nope"}) as r:
            assert r.status == 401 and "Неверный токен" in await r.text()
            assert "ottenok_console" not in r.cookies
        async with session.post(
            f"{served.url}/manager/login",
            data={"token": served.token},
            headers={"Origin": "https://evil.example"},
            allow_redirects=False,
        ) as r:
            assert r.status == 403
        async with session.post(
            f"{served.url}/manager/login", data={"token": served.token}, allow_redirects=False
        ) as r:
            assert r.status == 303
            cookie = r.headers["Set-Cookie"]
            assert all(part in cookie for part in ("HttpOnly", "SameSite=Strict", "Path=/;"))
        csrf = await logged_in(session, served)
        url = f"{served.url}/manager/chats/77015559999@c.us/handoff"
        for form in ({"active": "1"}, {"active": "1", "csrf": "0" * 64}):
            async with session.post(url, data=form, allow_redirects=False) as r:
                assert r.status == 403
        async with session.post(
            url, data={"active": "1", "csrf": csrf}, allow_redirects=False
        ) as r:
            assert r.status == 303
        async with session.get(f"{served.url}/manager/funnel") as r:
            assert r.status == 200
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
            assert r.headers["X-Frame-Options"] == "DENY"
        async with session.get(f"{served.url}/manager/llm") as r:
            assert r.status == 200 and "LLM не настроена" in await r.text()


async def test_a_product_the_shop_does_not_sell_is_a_reason_in_the_funnel(
    served: Served,
) -> None:
    chat_id = "77015550909@c.us"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        await customer_says(session, served, "77015550909", "Здравствуйте, я из Шымкента")
        await customer_says(session, served, "77015550909", "а платья у вас есть?")

        def recorded() -> list[tuple]:
            return served.rows(
                "SELECT source, dest, trigger FROM state_changes WHERE chat_id = ?"
                " AND reason = 'unsold'",
                (chat_id,),
            )

        await wait_for(lambda: bool(recorded()))
        assert recorded() == [("ask_product", "ask_product", "route")]
        await logged_in(session, served)
        async with session.get(f"{served.url}/manager/funnel?period=today") as r:
            page = await r.text()
        reasons = page.split('id="reasons"', 1)[1].split("</table>", 1)[0]
        assert "Спрашивали товар, которого в магазине нет" in reasons


async def test_a_message_posted_twice_is_stored_and_answered_once(served: Served) -> None:
    """The page retries a send it saw fail: the engine stores and dedupes it, as WhatsApp's."""
    chat_id, body = "77015551010@c.us", {"id": uuid.uuid4().hex, "text": "Здравствуйте"}
    url = f"{served.url}/sandbox/api/chats/77015551010/messages"
    count = "SELECT COUNT(*) FROM messages WHERE chat_id = ? AND direction = ?"
    async with aiohttp.ClientSession() as session:
        await customer_says(session, served, "77015551010", "Добрый день")
        async with session.post(url, json=body, headers=SCRIPTED) as r:
            assert r.status == 202
        await wait_for(
            lambda: served.rows(
                "SELECT COUNT(*) FROM processed_messages WHERE wa_id = ?", (f"web-{body['id']}",)
            )
            == [(1,)]
        )
        answered = served.rows(count, (chat_id, "out"))
        async with session.post(url, json=body, headers=SCRIPTED) as r:
            assert r.status == 202
        await asyncio.sleep(0.5)
    assert served.rows(count, (chat_id, "in")) == [(2,)]
    assert served.rows(count, (chat_id, "out")) == answered


async def test_what_a_customer_wrote_is_escaped_on_every_page(served: Served) -> None:
    nasty = '<script>alert("x")</script><img src=x onerror=alert(1)> *жирный*'
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        await customer_says(session, served, "77015550404", nasty)
        await logged_in(session, served)
        await asyncio.sleep(0.5)
        for page in ("chats/77015550404@c.us", "chats"):
            async with session.get(f"{served.url}/manager/{page}") as r:
                html = await r.text()
            assert "<script>alert" not in html and "<img src=x" not in html
            if page != "chats":
                assert "&lt;script&gt;alert(" in html
        async with session.get(f"{served.url}/sandbox/api/chats/77015550404/messages") as r:
            first = (await r.json())["messages"][0]
        assert first["text"] == nasty  # the page puts it in with textContent


async def test_sandbox_refuses_bad_input_with_a_clear_4xx(served: Served) -> None:
    base = f"{served.url}/sandbox/api/chats"
    async with aiohttp.ClientSession() as session:
        await customer_says(session, served, "77015550505", "Здравствуйте")
        url = f"{base}/77015550505/messages"
        ok_id = uuid.uuid4().hex
        cases = [
            ({"id": ok_id, "text": "привет"}, {}, 403),  # a cross-site form cannot send this
            ({"id": "123", "text": "привет"}, SCRIPTED, 400),
            ({"id": ok_id, "text": "   "}, SCRIPTED, 400),
            ({"id": ok_id, "text": "я" * 4001}, SCRIPTED, 400),
            ({"id": ok_id, "kind": "sticker"}, SCRIPTED, 400),
            ([1, 2], SCRIPTED, 400),
        ]
        for body, headers, status in cases:
            async with session.post(url, json=body, headers=headers) as r:
                assert r.status == status, body
                assert "error" in await r.json()
        async with session.post(f"{base}/77019999999/messages", json={}, headers=SCRIPTED) as r:
            assert r.status == 404
        async with session.post(base, json={"phone": "12345"}, headers=SCRIPTED) as r:
            assert r.status == 400 and "+7" in (await r.json())["error"]
        form = aiohttp.FormData()
        form.add_field("id", uuid.uuid4().hex)
        form.add_field("image", b"#!/bin/sh\necho not an image", filename="x.jpg")
        async with session.post(url, data=form, headers=SCRIPTED) as r:
            assert r.status == 400
        with sqlite3.connect(served.db) as conn:  # a real customer's chat is never borrowed
            conn.execute(
                "INSERT INTO clients (chat_id, phone, created_at, last_activity_at)"
                " VALUES ('77015550606@c.us', '77015550606', 'x', 'x')"
            )
        async with session.post(base, json={"phone": "87015550606"}, headers=SCRIPTED) as r:
            assert r.status == 409
    counted = served.rows("SELECT COUNT(*) FROM messages WHERE chat_id = '77015550505@c.us'"
                          " AND direction = 'in'")  # fmt: skip
    assert counted == [(1,)]


async def test_only_indexed_photos_are_served(served: Served) -> None:
    async with aiohttp.ClientSession() as session:
        await customer_says(session, served, "77015550707", "Шымкент, шарф нимбус покажите фото")
        for _ in range(100):
            rows = served.rows(
                "SELECT payload FROM messages WHERE chat_id = '77015550707@c.us' AND kind = 'photo'"
            )
            if rows:
                break
            await asyncio.sleep(0.1)
        async with session.get(f"{served.url}/sandbox/api/chats/77015550707/messages") as r:
            photo = next(m for m in (await r.json())["messages"] if m["photo_url"])
        async with session.get(served.url + photo["photo_url"]) as r:
            assert r.status == 200 and r.content_type.startswith("image/")
        for bad in ("..%2F..%2Finventory.xlsx", "%2Fetc%2Fpasswd", "inventory.xlsx", "..", "%00"):
            async with session.get(f"{served.url}/sandbox/photos/{bad}") as r:
                assert r.status == 404, bad
        async with session.get(f"{served.url}/sandbox/uploads/..%2Fottenok.db") as r:
            assert r.status == 404


def test_a_public_host_without_a_token_stops_start_up_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, **code_under_test(), "DB_PATH": str(tmp_path / "x.db"), "HOST": "0.0.0.0"}
    env.pop("MANAGER_CONSOLE_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"], capture_output=True, text=True, env=env,
        timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: MANAGER_CONSOLE_TOKEN is required when HOST is not 127.0.0.1 (HOST=0.0.0.0)"
    )
    with pytest.raises(ValueError, match="at least 16 characters"):
        Settings(host="0.0.0.0", manager_console_token="short").require_serving()
    Settings(host="0.0.0.0", manager_console_token="x" * 16).require_serving()
    Settings(host="::1").require_serving()


async def test_console_without_token_answers_only_to_loopback_names(
    shop: Path, tmp_path: Path
) -> None:
    app = start(shop, tmp_path, MANAGER_CONSOLE_TOKEN="")
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            for page in ("/manager/funnel", "/", "/sandbox/api/chats"):
                async with session.get(app.url + page, headers={"Host": "attacker.example"}) as r:
                    assert r.status == 403, page
            async with session.get(f"{app.url}/manager/funnel") as r:
                assert r.status == 200 and "login" not in str(r.url)
                assert "ottenok_console" in r.cookies
    finally:
        app.stop()


async def test_on_a_public_host_the_sandbox_needs_the_console_login(
    shop: Path, tmp_path: Path
) -> None:
    """Bound to 0.0.0.0 the sandbox would be a chat for the whole internet, with uploads."""
    app = start(shop, tmp_path, HOST="0.0.0.0")
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(f"{app.url}/", allow_redirects=False) as r:
                assert r.status == 303 and r.headers["Location"] == "/manager/login?next=/"
            for method, path in (("POST", "/sandbox/api/chats"), ("GET", "/sandbox/api/chats")):
                async with session.request(
                    method, app.url + path, json={"phone": "77015551111"}, headers=SCRIPTED
                ) as r:
                    assert r.status == 401, path
                    assert (await r.json())["error"] == "Войдите в консоль менеджера"
            async with session.get(f"{app.url}/manager/login?next=/") as r:
                assert 'name="next" value="/"' in await r.text()
            async with session.post(
                f"{app.url}/manager/login",
                data={"token": app.token, "next": "/"},
                allow_redirects=False,
            ) as r:
                assert r.status == 303 and r.headers["Location"] == "/"
            async with session.get(f"{app.url}/") as r:
                assert r.status == 200 and 'id="new-chat"' in await r.text()
            await customer_says(session, app, "77015551111", "Здравствуйте")
            async with session.post(
                f"{app.url}/manager/login",
                data={"token": app.token, "next": "//evil.example/"},
                allow_redirects=False,
            ) as r:
                assert r.headers["Location"] == "/manager/funnel"
    finally:
        app.stop()


def test_sandbox_runs_without_whatsapp_or_when_asked() -> None:
    assert Settings().sandbox_enabled
    whatsapp = {"green_api_id_instance": "1101000001", "green_api_token": "t"}
    assert not Settings(**whatsapp).sandbox_enabled
    assert Settings(**whatsapp, sandbox=True).sandbox_enabled
    assert not Settings(sandbox=False).sandbox_enabled
    assert addresses(Settings(port=8080)) == {
        "sandbox": "http://127.0.0.1:8080/", "console": "http://127.0.0.1:8080/manager"
    }  # fmt: skip
    assert addresses(Settings(host="::1", port=8081)) == {
        "sandbox": "http://[::1]:8081/", "console": "http://[::1]:8081/manager"
    }  # fmt: skip
    assert addresses(Settings(host="0.0.0.0", port=80))["console"] == "http://127.0.0.1:80/manager"


async def test_with_whatsapp_the_sandbox_is_off_unless_asked_and_never_uses_whatsapp(
    shop: Path, tmp_path: Path
) -> None:
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(emu, shop, tmp_path / "wa.db")
        async with Running(settings), aiohttp.ClientSession() as session:
            base = f"http://127.0.0.1:{settings.port}"
            async with session.get(f"{base}/") as r:
                assert r.status == 404
            async with session.get(f"{base}/manager/funnel") as r:
                assert r.status == 200
        settings = settings_for(emu, shop, tmp_path / "both.db", sandbox=True)
        async with Running(settings), aiohttp.ClientSession() as session:
            base = f"http://127.0.0.1:{settings.port}"
            async with session.post(
                f"{base}/sandbox/api/chats", json={"phone": "77015550808"}, headers=SCRIPTED
            ) as r:
                assert (await r.json())["chat_id"] == "77015550808@sandbox"
            async with session.post(
                f"{base}/sandbox/api/chats/77015550808/messages",
                json={"id": uuid.uuid4().hex, "text": "Здравствуйте, я из Шымкента"},
                headers=SCRIPTED,
            ) as r:
                assert r.status == 202

            def answered() -> bool:
                with sqlite3.connect(tmp_path / "both.db") as conn:
                    return conn.execute(
                        "SELECT COUNT(*) FROM messages WHERE chat_id = '77015550808@sandbox'"
                        " AND direction = 'out'"
                    ).fetchone()[0] >= 1

            await wait_for(answered)
            await asyncio.sleep(0.3)
        assert not [s for s in emu.sent if "77015550808" in s["chatId"]]
