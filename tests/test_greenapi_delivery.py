"""What a sender needs from the GREEN-API client to deliver every message once: failures sorted
into "certainly not delivered" and "ambiguous", `Retry-After` honoured, the journals read at
their rate limit, and `was_delivered` for one ambiguous send. Against the loopback emulator with
its seeded fault injection."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import pytest
from aiohttp import web
from greenapi_emulator import FaultRates, GreenAPIEmulator, RecordedSleep, text_body

from adapters.greenapi import (
    AuthError,
    GreenAPIClient,
    GreenAPIError,
    QuotaExceeded,
    parse_retry_after,
    same_chat,
)

INSTANCE = "1101000001"
TOKEN = "secret-token-5e6f7a8b9c0d"
CHAT = "77011234567@c.us"
OTHER = "77029876543@c.us"
FAST_JOURNAL = 0.05


@pytest.fixture
async def emu():
    async with GreenAPIEmulator(INSTANCE, TOKEN, journal_interval=FAST_JOURNAL) as emulator:
        yield emulator


def client_for(emu: GreenAPIEmulator, **options) -> GreenAPIClient:
    options.setdefault("journal_interval", FAST_JOURNAL)
    return GreenAPIClient(emu.api_url, emu.media_url, INSTANCE, TOKEN, **options)


def started() -> datetime:
    """`since` for a send about to be attempted (the journal counts whole seconds)."""
    return datetime.now(UTC)


# ---- what a failed call says -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "retryable", "ambiguous"),
    [
        (400, GreenAPIError, False, False),
        (401, AuthError, False, False),
        (403, AuthError, False, False),
        (404, GreenAPIError, False, False),
        (429, GreenAPIError, True, False),
        (466, QuotaExceeded, False, False),
        (500, GreenAPIError, True, True),
        (501, GreenAPIError, False, False),
        (502, GreenAPIError, True, False),
        (503, GreenAPIError, True, False),
        (504, GreenAPIError, True, False),
    ],
)
async def test_one_attempt_tells_what_happened(emu, status, kind, retryable, ambiguous):
    emu.fail_next("sendMessage", status=status)
    sleep = RecordedSleep()

    async with client_for(emu, send_tries=1, sleep=sleep) as api:
        with pytest.raises(GreenAPIError) as caught:
            await api.send_text(CHAT, "Ваш заказ принят!")

    failure = caught.value
    assert type(failure) is kind
    assert (failure.status, failure.retryable, failure.ambiguous) == (status, retryable, ambiguous)
    assert emu.count("sendMessage") == 1 and sleep.delays == []


async def test_a_connection_dropped_after_sending_is_ambiguous():
    arrived: list[str] = []

    async def drop(request: web.Request) -> web.StreamResponse:
        arrived.append((await request.json())["message"])
        assert request.transport is not None
        request.transport.close()  # the gateway took the message, the answer never comes
        return web.Response()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", drop)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    sleep = RecordedSleep()
    try:
        url = f"http://{host}:{port}"
        async with GreenAPIClient(url, url, INSTANCE, TOKEN, sleep=sleep) as api:
            with pytest.raises(GreenAPIError) as caught:
                await api.send_text(CHAT, "Фото отправила 👆")
    finally:
        await runner.cleanup()

    assert (caught.value.status, caught.value.ambiguous) == (None, True)
    assert arrived == ["Фото отправила 👆"] and sleep.delays == []
    assert TOKEN not in str(caught.value)


async def test_a_200_without_an_id_is_ambiguous(emu):
    emu.fail_next("sendMessage", status=200, body={"unexpected": True})

    async with client_for(emu) as api:
        with pytest.raises(GreenAPIError) as caught:
            await api.send_text(CHAT, "Здравствуйте")

    assert (caught.value.status, caught.value.ambiguous) == (200, True)
    assert emu.count("sendMessage") == 1


# ---- Retry-After -----------------------------------------------------------------------------


NOW = datetime(2026, 3, 12, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-4", 0.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        ("Thu, 12 Mar 2026 10:17:00 GMT", 120.0),
        ("soon", None),
        ("inf", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(header, seconds):
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("header", ["2", "date"])
async def test_a_short_retry_after_is_waited_out_before_the_next_try(emu, status, header):
    if header == "date":
        header = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    emu.fail_next("sendMessage", status=status, times=2, headers={"Retry-After": header})
    sleep = RecordedSleep()

    async with client_for(emu, sleep=sleep, backoff_base=0.01, backoff_cap=8) as api:
        id_message = await api.send_text(CHAT, "Минутку, уточню")

    assert len(sleep.delays) == 2 and all(1.0 <= delay <= 3.0 for delay in sleep.delays)
    assert [entry["idMessage"] for entry in emu.sent] == [id_message]


async def test_retry_after_from_the_gateway_sets_the_delay(emu):
    emu.inject("sendMessage", FaultRates(error_429=1.0, retry_after="3"))
    sleep = RecordedSleep()

    async with client_for(emu, sleep=sleep, send_tries=2, backoff_base=0.01) as api:
        with pytest.raises(GreenAPIError) as caught:
            await api.send_text(CHAT, "Минутку, уточню")

    assert sleep.delays == [3.0]  # at least what was asked, not the 0.01 s backoff
    assert (caught.value.status, caught.value.retry_after) == (429, 3.0)
    assert emu.count("sendMessage") == 2 and emu.sent == []


async def test_a_long_retry_after_is_handed_to_the_caller_not_slept(emu):
    when = format_datetime(datetime.now(UTC) + timedelta(minutes=2), usegmt=True)
    emu.inject("sendMessage", FaultRates(error_429=1.0, retry_after=when))
    sleep = RecordedSleep()

    async with client_for(emu, sleep=sleep, backoff_cap=8) as api:
        with pytest.raises(GreenAPIError) as caught:
            await api.send_text(CHAT, "Минутку, уточню")

    assert sleep.delays == [] and emu.count("sendMessage") == 1
    assert 100 < caught.value.retry_after <= 120
    assert (caught.value.retryable, caught.value.ambiguous) == (True, False)


# ---- the emulator's faults -------------------------------------------------------------------


async def faults_of(seed: int, rates: FaultRates, sends: int) -> list[tuple[str, str]]:
    async with (
        GreenAPIEmulator(INSTANCE, TOKEN, seed=seed) as emulator,
        client_for(emulator, send_tries=1) as api,
    ):
        emulator.inject("sendMessage", rates)
        for n in range(sends):
            try:
                await api.send_text(CHAT, f"часть {n}")
            except GreenAPIError:
                pass
        return emulator.faults


async def test_fault_injection_is_seeded_and_keeps_its_rates():
    rates = FaultRates(error_500=0.2, error_429=0.2, error_500_after_delivery=0.2)

    first = await faults_of(7, rates, 150)
    again = await faults_of(7, rates, 150)
    other = await faults_of(8, rates, 150)

    assert first == again != other
    for kind in ("500", "429", "500_after_delivery"):
        assert 15 <= sum(1 for _, k in first if k == kind) <= 45  # 30 expected of 150


def test_fault_rates_cannot_exceed_certainty():
    with pytest.raises(ValueError):
        FaultRates(error_500=0.6, error_429=0.5)


async def test_500_after_delivery_delivers_and_a_plain_500_does_not(emu):
    async with client_for(emu, send_tries=1) as api:
        emu.inject("sendMessage", FaultRates(error_500_after_delivery=1.0))
        with pytest.raises(GreenAPIError) as delivered:
            await api.send_text(CHAT, "первое")
        emu.inject("sendMessage", FaultRates(error_500=1.0))
        with pytest.raises(GreenAPIError) as lost:
            await api.send_text(CHAT, "второе")

    assert delivered.value.ambiguous and lost.value.ambiguous  # the client cannot tell
    assert [entry["message"] for entry in emu.sent] == ["первое"]


@pytest.mark.parametrize(("fault", "arrived"), [("timeout", []), ("timeout_after_delivery", ["я"])])
async def test_hangs_past_the_client_timeout(emu, fault, arrived):
    rates = FaultRates(
        timeout=1.0 if fault == "timeout" else 0.0,
        timeout_after_delivery=1.0 if fault != "timeout" else 0.0,
        hang_seconds=2.0,
    )
    emu.inject("sendMessage", rates)

    async with client_for(emu, request_timeout=0.2) as api:
        with pytest.raises(GreenAPIError) as caught:
            await api.send_text(CHAT, "я")

    assert (caught.value.status, caught.value.ambiguous) == (None, True)
    assert [entry["message"] for entry in emu.sent] == arrived
    assert emu.count("sendMessage") == 1


# ---- journals --------------------------------------------------------------------------------


async def test_last_outgoing_messages_lists_what_was_delivered(emu, tmp_path):
    photo = tmp_path / "black_1.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(100))
    async with client_for(emu) as api:
        first = await api.send_text(CHAT, "Здравствуйте! Лоферы есть 😊")
        link = await api.send_text(OTHER, "Каталог: https://shop.example.kz/catalog")
        upload = await api.send_file_by_upload(CHAT, photo, "black_1.jpg")

        journal = await api.last_outgoing_messages(minutes=5)

    assert [entry.idMessage for entry in journal] == [upload, link, first]  # newest first
    assert all(e.type == "outgoing" and e.sendByApi for e in journal)
    by_id = {entry.idMessage: entry for entry in journal}
    assert (by_id[first].typeMessage, by_id[first].text) == (
        "textMessage",
        "Здравствуйте! Лоферы есть 😊",
    )
    assert (by_id[link].typeMessage, by_id[link].text) == (
        "extendedTextMessage",
        "Каталог: https://shop.example.kz/catalog",
    )
    assert (by_id[upload].typeMessage, by_id[upload].fileName) == ("imageMessage", "black_1.jpg")
    assert by_id[upload].chatId == CHAT and by_id[link].chatId == OTHER


async def test_chat_history_has_both_directions_of_one_chat(emu):
    emu.push(text_body(CHAT, "Есть ботильоны 38?", "IN1"))
    emu.push(text_body(OTHER, "Алло", "IN2"))
    async with client_for(emu) as api:
        out = await api.send_text(CHAT, "Да, есть 😊")
        history = await api.get_chat_history(CHAT, count=10)
        newest = await api.get_chat_history(CHAT, count=1)

    assert [(e.type, e.idMessage, e.text) for e in history] == [
        ("outgoing", out, "Да, есть 😊"),
        ("incoming", "IN1", "Есть ботильоны 38?"),
    ]
    assert [e.idMessage for e in newest] == [out]


async def test_the_journals_allow_about_one_request_a_second():
    async with (
        GreenAPIEmulator(INSTANCE, TOKEN) as emu,
        aiohttp.ClientSession() as session,
    ):
        url = f"{emu.api_url}/waInstance{INSTANCE}/lastOutgoingMessages/{TOKEN}"
        statuses, waits = [], []
        for _ in range(2):
            async with session.get(url) as response:
                statuses.append(response.status)
                waits.append(response.headers.get("Retry-After"))
        assert statuses == [200, 429] and waits[1] == "1"

        async with client_for(emu, journal_interval=1.0) as api:
            began = time.monotonic()
            await api.last_outgoing_messages(1)
            await api.get_chat_history(CHAT, 5)
            await api.last_outgoing_messages(1)
            elapsed = time.monotonic() - began
    # The client's first call met the raw request's second and was refused once; it waited the
    # Retry-After, and spaced the following calls itself.
    assert emu.journal_refusals == 2
    assert elapsed >= 2.0


async def test_concurrent_journal_calls_queue_behind_each_other(emu):
    async with client_for(emu) as api:
        await asyncio.gather(*(api.get_chat_history(CHAT, 3) for _ in range(5)))
    assert emu.journal_refusals == 0 and emu.count("getChatHistory") == 5


# ---- was_delivered ---------------------------------------------------------------------------


async def test_was_delivered_finds_an_ambiguous_send_that_arrived(emu):
    async with client_for(emu, send_tries=1) as api:
        since = started()
        emu.inject("sendMessage", FaultRates(error_500_after_delivery=1.0))
        with pytest.raises(GreenAPIError):
            await api.send_text(CHAT, "Заказ принят! Менеджер свяжется с вами 🙏")
        emu.inject("sendMessage", FaultRates(error_500=1.0))
        with pytest.raises(GreenAPIError):
            await api.send_text(CHAT, "Спасибо за заказ!")

        arrived = await api.was_delivered(
            CHAT, "  Заказ принят! Менеджер свяжется с вами 🙏", since
        )
        lost = await api.was_delivered(CHAT, "Спасибо за заказ!", since)
        elsewhere = await api.was_delivered(
            OTHER, "Заказ принят! Менеджер свяжется с вами 🙏", since
        )

    first_copy = emu.sent[0]["idMessage"]
    assert (arrived, lost, elsewhere) == (first_copy, False, False)


async def test_was_delivered_ignores_earlier_copies(emu):
    async with client_for(emu) as api:
        earlier = await api.send_text(CHAT, "Какой размер нужен?")
        since = started() + timedelta(seconds=30)

        assert await api.was_delivered(CHAT, "Какой размер нужен?", started()) == earlier
        assert await api.was_delivered(CHAT, "Какой размер нужен?", since) is False
        assert (
            await api.was_delivered(CHAT, "Какой размер нужен?", started(), exclude={earlier})
            is False
        )


async def test_was_delivered_recognises_photos_and_links(emu):
    async with client_for(emu) as api:
        since = started()
        photo = await api.send_file_by_upload("77011234567@c.us", b"\x89PNG-bytes", "gold_2.png")
        await api.send_text(CHAT, "Отзывы: https://instagram.com/p/xyz")

        assert await api.was_delivered("+77011234567@c.us", "gold_2.png", since) == photo
        assert await api.was_delivered(CHAT, "Отзывы: https://instagram.com/p/xyz", since)
        assert await api.was_delivered(CHAT, "gold_1.png", since) is False


async def test_was_delivered_is_unknown_when_the_journal_fails(emu, caplog):
    caplog.set_level(logging.DEBUG)
    emu.inject("lastOutgoingMessages", FaultRates(error_500=1.0))
    sleep = RecordedSleep()

    async with client_for(emu, sleep=sleep, max_tries=2) as api:
        await api.send_text(CHAT, "Здравствуйте")
        assert await api.was_delivered(CHAT, "Здравствуйте", started()) is None

    assert emu.count("lastOutgoingMessages") == 2
    assert TOKEN not in caplog.text


async def test_a_message_late_in_the_journal_is_not_found_yet():
    async with (
        GreenAPIEmulator(INSTANCE, TOKEN, journal_interval=FAST_JOURNAL, journal_lag=0.6) as emu,
        client_for(emu) as api,
    ):
        since = started()
        sent = await api.send_text(CHAT, "Доставка 2 дня")
        assert await api.was_delivered(CHAT, "Доставка 2 дня", since) is False
        await asyncio.sleep(0.7)
        assert await api.was_delivered(CHAT, "Доставка 2 дня", since) == sent


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (CHAT, CHAT, True),
        (CHAT, "+77011234567@c.us", True),
        (CHAT, OTHER, False),
        (CHAT, "77011234567@lid", False),
        ("262146192551936@lid", "262146192551936@lid", True),
    ],
)
def test_same_chat(a, b, same):
    assert same_chat(a, b) is same


# ---- a sender built on this API loses nothing and duplicates nothing -------------------------


async def deliver(api: GreenAPIClient, chat: str, text: str, known: set[str]) -> None:
    """A minimal outbox policy on the client's contract: one attempt at a time; a certain
    failure is retried after its Retry-After; an ambiguous one only after the journal says the
    message did not arrive."""
    since = started()
    while True:
        try:
            known.add(await api.send_text(chat, text))
            return
        except GreenAPIError as failure:
            assert failure.retryable
            if failure.ambiguous:
                found = await api.was_delivered(chat, text, since, exclude=known)
                if found:
                    return
            await asyncio.sleep(min(failure.retry_after or 0.0, 0.01))


async def test_every_part_arrives_exactly_once_under_injected_faults():
    rates = FaultRates(error_500=0.1, error_429=0.1, error_500_after_delivery=0.1, retry_after="0")
    texts = [f"Часть {n}: ботильоны 38, чёрные" for n in range(40)]
    async with GreenAPIEmulator(INSTANCE, TOKEN, seed=3, journal_interval=0.01) as emu:
        emu.inject("sendMessage", rates)
        async with client_for(emu, send_tries=1, journal_interval=0.01) as api:
            known: set[str] = set()
            for text in texts:
                await deliver(api, CHAT, text, known)

    assert [entry["message"] for entry in emu.sent] == texts
    kinds = {kind for _, kind in emu.faults}
    assert kinds == {"500", "429", "500_after_delivery"}


# ---- typing ----------------------------------------------------------------------------------


async def test_send_typing_is_clamped_to_what_green_api_accepts(emu):
    async with client_for(emu) as api:
        await api.send_typing(CHAT, 4000)
        await api.send_typing(CHAT, 50)
        await api.send_typing(CHAT, 90_000)

    assert [entry["typingTime"] for entry in emu.typing] == [4000, 1000, 20000]
    assert emu.sent == []
