"""GreenAPIClient against the loopback emulator: every call, the retry policy, and the token
staying out of logs and exceptions. (Failure classification, Retry-After and the journals:
test_greenapi_delivery.py.)"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from aiohttp import web
from greenapi_emulator import (
    GreenAPIEmulator,
    RecordedSleep,
    post_webhook,
    status_body,
    text_body,
)

from adapters.greenapi import (
    AuthError,
    GreenAPIClient,
    GreenAPIError,
    MalformedNotification,
    QuotaExceeded,
    clamp_receive_timeout,
    classify,
)

INSTANCE = "1101000001"
TOKEN = "secret-token-9f8e7d6c5b4a"
CHAT = "77011234567@c.us"


@pytest.fixture
async def emu():
    async with GreenAPIEmulator(id_instance=INSTANCE, token=TOKEN, max_wait=0.2) as emulator:
        yield emulator


@pytest.fixture
def sleep() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
async def api(emu: GreenAPIEmulator, sleep: RecordedSleep):
    async with GreenAPIClient(
        emu.api_url, emu.media_url, INSTANCE, TOKEN, sleep=sleep, request_timeout=5
    ) as client:
        yield client


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text


# ---- the calls -------------------------------------------------------------------------------


async def test_send_text_returns_the_message_id_and_reaches_the_chat(api, emu):
    id_message = await api.send_text(CHAT, "Здравствуйте! Да, лоферы есть в 38 размере.")

    assert emu.sent == [
        {
            "method": "sendMessage",
            "chatId": CHAT,
            "message": "Здравствуйте! Да, лоферы есть в 38 размере.",
            "idMessage": id_message,
        }
    ]


async def test_send_file_by_upload_posts_multipart_to_the_media_host(api, emu, tmp_path):
    photo = tmp_path / "black_1.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)

    from_path = await api.send_file_by_upload(CHAT, photo, "black_1.jpg", caption="Чёрные, 38")
    from_bytes = await api.send_file_by_upload(CHAT, b"\x89PNG-bytes", "bag.png")

    first, second = emu.sent
    assert first == {
        "method": "sendFileByUpload",
        "chatId": CHAT,
        "fileName": "black_1.jpg",
        "caption": "Чёрные, 38",
        "size": photo.stat().st_size,
        "idMessage": from_path,
    }
    assert (second["fileName"], second["caption"], second["size"]) == ("bag.png", None, 10)
    assert second["idMessage"] == from_bytes != from_path


async def test_send_file_by_url(api, emu):
    url = "https://example.org/photos/red_2.jpg"
    id_message = await api.send_file_by_url(CHAT, url, "red_2.jpg", caption="Красные")

    assert emu.sent == [
        {
            "method": "sendFileByUrl",
            "chatId": CHAT,
            "urlFile": url,
            "fileName": "red_2.jpg",
            "caption": "Красные",
            "idMessage": id_message,
        }
    ]


async def test_receive_returns_the_head_until_it_is_deleted(api, emu):
    first = emu.push(text_body(CHAT, "Здравствуйте, есть ботильоны?", "AAA1"))
    second = emu.push(status_body(CHAT, "BAE5000000000001", status="read"))

    head = await api.receive()
    again = await api.receive()
    assert head is not None and again is not None
    assert head.receiptId == again.receiptId == first
    assert head.body.messageData.textMessageData.textMessage == "Здравствуйте, есть ботильоны?"

    assert await api.delete(first) is True
    assert await api.delete(first) is False
    following = await api.receive()
    assert following is not None and following.receiptId == second
    assert following.body.status == "read"
    assert await api.delete(second) is True


async def test_receive_of_an_empty_queue_is_none(api, emu):
    assert await api.receive(timeout_seconds=5) is None
    assert emu.count("receiveNotification") == 1


async def test_receive_waits_for_a_notification_that_arrives_during_the_poll(emu, sleep):
    emu.max_wait = 2.0
    async with GreenAPIClient(emu.api_url, emu.media_url, INSTANCE, TOKEN, sleep=sleep) as api:
        poll = asyncio.create_task(api.receive(timeout_seconds=5))
        await asyncio.sleep(0.05)
        receipt = emu.push(text_body(CHAT, "Алло", "AAA2"))
        notification = await poll
    assert notification is not None and notification.receiptId == receipt


@pytest.mark.parametrize(("asked", "sent"), [(0, 5), (1.5, 5), (20, 20), (45.9, 45), (300, 60)])
async def test_receive_timeout_is_clamped_to_what_green_api_accepts(api, emu, asked, sent):
    assert clamp_receive_timeout(asked) == sent
    assert await api.receive(timeout_seconds=asked) is None
    assert emu.receive_timeouts == [sent]


async def test_state(api, emu):
    assert await api.state() == "authorized"
    emu.state = "notAuthorized"
    assert await api.state() == "notAuthorized"


async def test_malformed_notification_carries_its_receipt_so_it_can_be_dropped(api, emu):
    receipt = emu.push({"timestamp": 1764000000, "idMessage": "NO-TYPE"})

    with pytest.raises(MalformedNotification) as caught:
        await api.receive()
    assert caught.value.receipt_id == receipt
    assert await api.delete(receipt) is True
    assert await api.receive() is None


async def test_api_echo_of_a_sent_message_is_classified(api, emu):
    emu.echo_sent = True
    id_message = await api.send_text(CHAT, "Добрый день!")

    echo = await api.receive()
    assert echo is not None
    assert echo.body.idMessage == id_message
    assert classify(echo.body) == "api_echo"


# ---- retries ---------------------------------------------------------------------------------


async def test_429_twice_then_success(api, emu, sleep):
    emu.fail_next("sendMessage", status=429, times=2)

    id_message = await api.send_text(CHAT, "Сейчас уточню наличие")

    assert emu.count("sendMessage") == 3
    assert [entry["idMessage"] for entry in emu.sent] == [id_message]
    assert len(sleep.delays) == 2


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_a_send_that_certainly_did_not_arrive_is_retried_up_to_send_tries(
    api, emu, sleep, status
):
    emu.fail_next("sendMessage", status=status, times=3)

    with pytest.raises(GreenAPIError) as caught:
        await api.send_text(CHAT, "Сейчас уточню наличие")

    failure = caught.value
    assert (failure.status, failure.retryable, failure.ambiguous) == (status, True, False)
    assert emu.count("sendMessage") == 3
    assert len(sleep.delays) == 2
    assert emu.sent == []


async def test_a_500_on_a_send_is_ambiguous_and_never_retried_by_the_client(api, emu, sleep):
    emu.fail_next("sendMessage", status=500, times=3)

    with pytest.raises(GreenAPIError) as caught:
        await api.send_text(CHAT, "Заказ принят!")

    failure = caught.value
    assert (failure.status, failure.retryable, failure.ambiguous) == (500, True, True)
    assert emu.count("sendMessage") == 1
    assert sleep.delays == []


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_idempotent_calls_retry_every_retryable_status(api, emu, sleep, status):
    emu.fail_next("getStateInstance", status=status, times=3)

    with pytest.raises(GreenAPIError) as caught:
        await api.state()

    assert caught.value.status == status
    assert emu.count("getStateInstance") == 3
    assert len(sleep.delays) == 2


async def test_backoff_is_exponential_with_full_jitter_and_capped(emu, sleep):
    emu.fail_next("getStateInstance", status=503, times=5)
    client = GreenAPIClient(
        emu.api_url, emu.media_url, INSTANCE, TOKEN,
        sleep=sleep, max_tries=6, backoff_base=0.5, backoff_cap=1.5,
    )  # fmt: skip
    async with client:
        assert await client.state() == "authorized"

    bounds = [0.5, 1.0, 1.5, 1.5, 1.5]
    assert len(sleep.delays) == len(bounds)
    for delay, bound in zip(sleep.delays, bounds, strict=True):
        assert 0 <= delay <= bound
    assert len(set(sleep.delays)) > 1  # jittered, not a fixed schedule


@pytest.mark.parametrize("status", [400, 404, 501])
async def test_other_failures_are_not_retried(api, emu, sleep, status):
    emu.fail_next("sendFileByUrl", status=status)

    with pytest.raises(GreenAPIError) as caught:
        await api.send_file_by_url(CHAT, "https://example.org/a.jpg", "a.jpg")

    assert (caught.value.method, caught.value.status) == ("sendFileByUrl", status)
    assert emu.count("sendFileByUrl") == 1
    assert sleep.delays == []


async def test_quota_exceeded_is_not_retried(api, emu, sleep):
    emu.fail_next("sendMessage", status=466, times=3)

    with pytest.raises(QuotaExceeded) as caught:
        await api.send_text(CHAT, "Здравствуйте")

    assert caught.value.status == 466
    assert emu.count("sendMessage") == 1
    assert sleep.delays == []


async def test_long_poll_504_means_nothing_arrived(api, emu, sleep):
    emu.fail_next("receiveNotification", status=504)

    assert await api.receive() is None
    assert emu.count("receiveNotification") == 1
    assert sleep.delays == []


async def test_timeouts_of_idempotent_calls_are_retried(emu, sleep):
    emu.stall_next("getStateInstance", seconds=2.0, times=2)
    client = GreenAPIClient(
        emu.api_url, emu.media_url, INSTANCE, TOKEN, sleep=sleep, request_timeout=0.2
    )
    async with client:
        assert await client.state() == "authorized"

    assert emu.count("getStateInstance") == 3
    assert len(sleep.delays) == 2


async def test_a_send_that_timed_out_is_ambiguous_and_not_retried(emu, sleep):
    emu.stall_next("sendMessage", seconds=2.0)
    client = GreenAPIClient(
        emu.api_url, emu.media_url, INSTANCE, TOKEN, sleep=sleep, request_timeout=0.2
    )
    async with client:
        with pytest.raises(GreenAPIError) as caught:
            await client.send_text(CHAT, "Добрый вечер")

    assert (caught.value.status, caught.value.ambiguous, caught.value.retryable) == (
        None,
        True,
        True,
    )
    assert "timed out" in str(caught.value)
    assert emu.count("sendMessage") == 1
    assert sleep.delays == []


async def test_timeouts_give_up_after_max_tries(emu, sleep):
    emu.stall_next("getStateInstance", seconds=2.0, times=3)
    client = GreenAPIClient(
        emu.api_url, emu.media_url, INSTANCE, TOKEN, sleep=sleep, request_timeout=0.2
    )
    async with client:
        with pytest.raises(GreenAPIError) as caught:
            await client.state()

    assert caught.value.status is None
    assert "timed out" in str(caught.value)
    assert emu.count("getStateInstance") == 3
    assert_no_token(str(caught.value))
    assert caught.value.__cause__ is None and caught.value.__context__ is None


async def test_connection_errors_are_retried_then_reported_without_the_url(sleep, caplog):
    async with GreenAPIEmulator(id_instance=INSTANCE, token=TOKEN) as gone:
        url = gone.api_url  # the port is closed once the emulator stops
    caplog.set_level(logging.DEBUG)
    async with GreenAPIClient(url, url, INSTANCE, TOKEN, sleep=sleep) as client:
        with pytest.raises(GreenAPIError) as caught:
            await client.send_text(CHAT, "Здравствуйте")

    assert caught.value.status is None
    assert "connection refused" in str(caught.value)
    assert (caught.value.retryable, caught.value.ambiguous) == (True, False)
    assert len(sleep.delays) == 2
    assert_no_token(str(caught.value), repr(caught.value), caplog.text)
    assert caught.value.__context__ is None


# ---- credentials and the token ---------------------------------------------------------------


async def test_wrong_token_is_reported_clearly_and_not_retried(emu, sleep, caplog):
    wrong = "wrong-token-0123456789"
    caplog.set_level(logging.DEBUG)
    async with GreenAPIClient(emu.api_url, emu.media_url, INSTANCE, wrong, sleep=sleep) as client:
        with pytest.raises(AuthError) as caught:
            await client.send_text(CHAT, "Здравствуйте")

    message = str(caught.value)
    assert "(401)" in message
    assert "GREEN_API_ID_INSTANCE" in message and "GREEN_API_TOKEN" in message
    assert wrong not in message and wrong not in caplog.text
    assert emu.count("sendMessage") == 1
    assert sleep.delays == []


async def test_wrong_instance_is_an_auth_error(emu, sleep):
    async with GreenAPIClient(emu.api_url, emu.media_url, "1101999999", TOKEN, sleep=sleep) as c:
        with pytest.raises(AuthError) as caught:
            await c.state()
    assert caught.value.status == 403


async def test_a_400_echoing_the_url_leaks_the_token_nowhere(api, emu, caplog):
    caplog.set_level(logging.DEBUG)
    echoed = f"/waInstance{INSTANCE}/sendMessage/{TOKEN}"
    emu.fail_next("sendMessage", status=400, body={"message": "bad chatId", "path": echoed})

    with pytest.raises(GreenAPIError) as caught:
        await api.send_text("not-a-chat", "Здравствуйте")

    assert caught.value.status == 400
    assert "bad chatId" in caplog.text  # the answer is logged, redacted
    assert_no_token(str(caught.value), repr(caught.value), caught.value.reason, caplog.text)


async def test_polling_is_refused_while_a_webhook_is_set(api, emu, caplog):
    caplog.set_level(logging.DEBUG)
    emu.webhook_url = "https://shop.example.kz/greenapi/webhook"
    emu.push(text_body(CHAT, "Здравствуйте", "AAA3"))

    with pytest.raises(GreenAPIError) as caught:
        await api.receive()

    assert caught.value.status == 400
    assert "webhook" in str(caught.value)
    assert emu.count("receiveNotification") == 1
    assert_no_token(str(caught.value), caplog.text)


async def test_redact_masks_the_token(api):
    text = f"POST https://7103.api.greenapi.com/waInstance{INSTANCE}/sendMessage/{TOKEN}"
    redacted = api.redact(text)
    assert TOKEN not in redacted
    assert redacted.startswith("POST https://7103.api.greenapi.com/waInstance")
    assert TOKEN not in repr(api)


# ---- session handling and the webhook helper -------------------------------------------------


async def test_a_given_session_is_shared_and_left_open(emu, sleep):
    async with aiohttp.ClientSession() as session:
        client = GreenAPIClient(
            emu.api_url, emu.media_url, INSTANCE, TOKEN, session=session, sleep=sleep
        )
        await client.send_text(CHAT, "Раз")
        await client.state()
        await client.close()
        assert not session.closed
        assert await client.send_text(CHAT, "Два")
    assert [entry["message"] for entry in emu.sent] == ["Раз", "Два"]


async def test_post_webhook_sends_the_body_with_a_bearer_token():
    seen: list[tuple[str | None, dict]] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.headers.get("Authorization"), await request.json()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    body = text_body(CHAT, "Здравствуйте", "AAA4")
    try:
        assert await post_webhook(f"http://{host}:{port}/hook", body, token="hook-secret") == 200
        assert await post_webhook(f"http://{host}:{port}/hook", body) == 200
        assert await post_webhook(f"http://{host}:{port}/elsewhere", body) == 404
    finally:
        await runner.cleanup()
    assert seen == [("Bearer hook-secret", body), (None, body)]
