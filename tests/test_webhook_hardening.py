"""The webhook of a running `ottenok serve` never answers a bad body with a 5xx: out-of-range
timestamps, deep or huge JSON, wrong types anywhere and message notifications missing what we
must store get a 4xx with a short reason, and the body is logged without secrets. Bodies of
unknown kinds are still taken (200) and ignored, as GREEN-API adds kinds over time."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from greenapi_emulator import GreenAPIEmulator, file_body, status_body, text_body
from shops import write_second_shop
from test_service import TOKEN, Running, settings_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

WEBHOOK_TOKEN = "hook-secret-0a1b2c3d"
CHAT = "77015550404@c.us"
GOOD = text_body(CHAT, "Здравствуйте", "H0", timestamp=1764000000)
GOOD_TEXT = json.dumps(GOOD, ensure_ascii=False)


def good_with(field: str, json_value: str) -> bytes:
    """The good body with one top-level field's JSON text replaced (so NaN, 1e15 stay literal)."""
    body = dict(GOOD)
    body[field] = "__PLACEHOLDER__"
    return json.dumps(body, ensure_ascii=False).replace('"__PLACEHOLDER__"', json_value).encode()


def changed(**changes) -> bytes:
    """The good body with nested fields changed (`senderData__chatId=…`; None removes)."""
    body = json.loads(GOOD_TEXT)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = body
        for part in parents:
            target = target[part]
        if value is None:
            target.pop(last)
        else:
            target[last] = value
    return json.dumps(body, ensure_ascii=False).encode()


def nested(depth: int) -> bytes:
    return good_with("extra", "[" * depth + "]" * depth)


MALFORMED: dict[str, tuple[bytes, str]] = {
    "timestamp 1e15": (good_with("timestamp", "1e15"), "timestamp"),
    "timestamp 10^15": (good_with("timestamp", "1000000000000000"), "timestamp"),
    "timestamp -1e12": (good_with("timestamp", "-1000000000000"), "timestamp"),
    "timestamp NaN": (good_with("timestamp", "NaN"), "timestamp"),
    "timestamp Infinity": (good_with("timestamp", "Infinity"), "timestamp"),
    "timestamp text": (good_with("timestamp", '"1764000000"'), "timestamp"),
    "timestamp 'NaN' text": (good_with("timestamp", '"NaN"'), "timestamp"),
    "timestamp fraction": (good_with("timestamp", "1764000000.5"), "timestamp"),
    "timestamp in ms": (good_with("timestamp", "1764000000123"), "timestamp"),
    "nested 100000 deep": (nested(100_000), "JSON"),
    "nested 300 deep": (nested(300), "JSON"),
    "no idMessage": (changed(idMessage=None), "idMessage"),
    "empty idMessage": (changed(idMessage=""), "idMessage"),
    "idMessage number": (changed(idMessage=17), "idMessage"),
    "no senderData": (changed(senderData=None), "senderData"),
    "senderData text": (changed(senderData="77015550404"), "senderData"),
    "chatId number": (changed(senderData__chatId=77015550404), "chatId"),
    "senderName list": (changed(senderData__senderName=["Ай"]), "senderName"),
    "no messageData": (changed(messageData=None), "messageData"),
    "messageData text": (changed(messageData="hi"), "messageData"),
    "typeMessage number": (changed(messageData__typeMessage=3), "typeMessage"),
    "text object": (changed(messageData__textMessageData__textMessage={"a": 1}), "textMessage"),
    "idInstance text": (changed(instanceData__idInstance="x"), "idInstance"),
    "typeWebhook number": (changed(typeWebhook=5), "typeWebhook"),
    "no typeWebhook": (changed(typeWebhook=None), "typeWebhook"),
    "not JSON": (b"{not json", "JSON"),
    "empty body": (b"", "JSON"),
    "bad UTF-8": (b'{"typeWebhook": "\xff\xfe"}', "JSON"),
    "null": (b"null", "body"),
    "array": (b'[{"typeWebhook": "incomingMessageReceived"}]', "body"),
    "number": (b"1e400", "body"),
}

ACCEPTED: dict[str, dict] = {
    "unknown typeWebhook": {"typeWebhook": "hologramReceived", "hologram": {"depth": 3}},
    "unknown typeMessage": text_body(CHAT, "", "H1")
    | {"messageData": {"typeMessage": "hologramMessage", "hologramMessageData": {"d": 1}}},
    "status": status_body(CHAT, "BAE5E1", "read"),
    "state changed": {"typeWebhook": "stateInstanceChanged", "stateInstance": "notAuthorized"},
    "quota": {"typeWebhook": "quotaExceeded", "quotaData": {"status": "QUOTA", "used": 3}},
    "deleted message": file_body(CHAT, "H2")
    | {"messageData": {"typeMessage": "deletedMessage", "deletedMessageData": {"stanzaId": "X"}}},
}


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_second_shop(tmp_path_factory.mktemp("shop"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def webhook(shop_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The URL of one running service in webhook mode, shared by the module's tests."""
    db = tmp_path_factory.mktemp("db") / "hook.db"
    async with GreenAPIEmulator(token=TOKEN, max_wait=0.2) as emu:
        settings = settings_for(
            emu, shop_dir, db, green_api_polling=False, green_api_webhook_token=WEBHOOK_TOKEN
        )
        async with Running(settings):
            yield f"http://127.0.0.1:{settings.port}/webhook"


async def post(url: str, data: bytes) -> tuple[int, dict | None]:
    headers = {"Authorization": f"Bearer {WEBHOOK_TOKEN}", "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers=headers) as response,
    ):
        try:
            answer = await response.json(content_type=None)
        except ValueError:
            answer = None
        return response.status, answer


@pytest.mark.parametrize(("data", "where"), MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_body_gets_a_400_with_a_reason(webhook, data, where, caplog):
    caplog.set_level(logging.WARNING)

    status, answer = await post(webhook, data)

    assert status == 400
    assert answer is not None and where in answer["error"] and len(answer["error"]) <= 200
    assert "webhook body rejected" in caplog.text


@pytest.mark.parametrize("body", ACCEPTED.values(), ids=ACCEPTED.keys())
async def test_unknown_and_unanswerable_kinds_are_taken_and_ignored(webhook, body):
    status, answer = await post(webhook, json.dumps(body, ensure_ascii=False).encode())
    assert (status, answer["ok"]) == (200, True)


async def test_a_huge_body_is_refused_before_it_is_read(webhook):
    huge = good_with("padding", json.dumps("я" * 2_000_000, ensure_ascii=False))
    status, _ = await post(webhook, huge)
    assert status == 413


async def test_the_logged_body_is_cut_and_carries_no_secret(webhook, caplog):
    caplog.set_level(logging.WARNING)
    body = changed(idMessage=None, leaked=f"{WEBHOOK_TOKEN} {TOKEN} " + "x" * 5000)

    status, _ = await post(webhook, body)

    assert status == 400
    [record] = [r for r in caplog.records if r.getMessage() == "webhook body rejected"]
    assert WEBHOOK_TOKEN not in record.body and TOKEN not in record.body
    assert "***" in record.body and len(record.body) <= 500


async def test_a_good_body_still_gets_in(webhook):
    status, answer = await post(webhook, GOOD_TEXT.encode())
    assert (status, answer["kind"]) == (200, "customer")
