"""The sandbox chat and the manager console in a real headless Chromium, against `ottenok
serve` on 127.0.0.1 with a real SQLite file and a shop the tests write (tests/shops.py).

Set OTTENOK_SCREENSHOTS=docs/screenshots (`make screenshots`) to refresh the README's
screenshots; otherwise they are written to a temporary folder.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from shops import write_second_shop
from web_server import MANAGER, Served, start

pytestmark = pytest.mark.timeout(240)

WAIT = 20


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    shop = write_second_shop(tmp_path_factory.mktemp("shop"))
    app = start(shop, tmp_path_factory.mktemp("service"))
    yield app
    app.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("OTTENOK_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait_until(browser, condition, timeout: float = WAIT, what: str = "condition"):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.1).until(
        lambda driver: condition(driver), message=f"waited {timeout}s for {what}"
    )


def by_css(browser, selector: str):
    from selenium.webdriver.common.by import By

    return browser.find_elements(By.CSS_SELECTOR, selector)


def alina_texts(browser) -> list[str]:
    """Alina's texts in the sandbox, in one round trip."""
    return browser.execute_script(
        "return [...document.querySelectorAll('#messages .bubble.in .text')]"
        ".map(e => e.textContent)"
    )


def start_chat(browser, served: Served, phone: str, name: str, pace: int = 0) -> None:
    browser.get(f"{served.url}/?pace={pace}")
    field = wait_until(browser, lambda b: by_css(b, "#new-phone"), what="the form")[0]
    field.clear()
    field.send_keys(phone)
    by_css(browser, "#new-name")[0].send_keys(name)
    by_css(browser, "#new-chat button")[0].click()
    wait_until(browser, lambda b: b.find_element("id", "chat").is_displayed(), what="the chat")


def say(browser, text: str, expect: str | None = None) -> list[str]:
    """Type as the customer; wait for Alina's answer (containing `expect`, when given)."""
    before = len(alina_texts(browser))
    box = by_css(browser, "#text")[0]
    box.send_keys(text)
    by_css(browser, "#send")[0].click()
    if expect is None:
        wait_until(browser, lambda b: len(alina_texts(b)) > before, what=f"a reply to {text!r}")
        settled(browser)
    else:
        wait_until(
            browser,
            lambda b: any(expect in t for t in alina_texts(b)[before:]),
            what=f"{expect!r} in the reply to {text!r}",
        )
    return alina_texts(browser)[before:]


def settled(browser, quiet: float = 0.4) -> None:
    """Wait until Alina's parts stop arriving (a customer reads the whole reply first)."""
    count, since = len(alina_texts(browser)), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.1)
        now = len(alina_texts(browser))
        if now != count:
            count, since = now, time.monotonic()


def login(browser, served: Served) -> None:
    browser.get(f"{served.url}/manager/login")
    if "/login" not in browser.current_url:
        return
    by_css(browser, "#token")[0].send_keys(served.token)
    by_css(browser, "#login")[0].click()
    wait_until(browser, lambda b: "/manager/funnel" in b.current_url, what="the funnel")


@pytest.fixture(scope="module")
def ordered(browser, served: Served, shots: Path) -> str:
    """A whole order placed through the sandbox chat, as a customer writes it."""
    phone = "77015550101"
    start_chat(browser, served, "+7 701 555 01 01", "Айгерим")
    say(browser, "Здравствуйте! я из Шымкента 🙂")
    say(browser, "хочу мокасины аврора, 37 размер, серые")
    wait_until(
        browser,
        lambda b: len(by_css(b, "#messages .bubble.in img.photo")) >= 1
        and all(
            b.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img)
            for img in by_css(b, "#messages .bubble.in img.photo")
        ),
        what="product photos shown",
    )
    say(browser, "ул. Тауке хана 12, кв 4")
    say(browser, "да, всё верно", expect="")
    wait_until(
        browser,
        lambda b: any(w in " ".join(alina_texts(b)[-3:]) for w in ("принят", "оформлен")),
        what="the order confirmed",
    )
    settled(browser)
    browser.save_screenshot(str(shots / "sandbox-chat.png"))
    return phone


def test_console_refuses_a_wrong_token(browser, served: Served) -> None:
    browser.delete_all_cookies()
    browser.get(f"{served.url}/manager/funnel")
    wait_until(browser, lambda b: "/manager/login" in b.current_url, what="the login form")
    by_css(browser, "#token")[0].send_keys("not-the-token-at-all")
    by_css(browser, "#login")[0].click()
    error = wait_until(browser, lambda b: by_css(b, "#login-error"), what="the refusal")[0]
    assert error.text == "Неверный токен"
    assert "/manager/login" in browser.current_url
    assert browser.get_cookie("ottenok_console") is None
    browser.get(f"{served.url}/manager/orders")
    assert "/manager/login" in browser.current_url
    login(browser, served)
    assert browser.get_cookie("ottenok_console")["httpOnly"] is True


def test_full_order_through_the_sandbox_chat_with_photos(ordered: str, served: Served) -> None:
    orders = served.rows(
        "SELECT status, product_name, size, color, city, phone FROM orders WHERE chat_id = ?",
        (f"{ordered}@c.us",),
    )
    assert orders == [("confirmed", "Мокасины Aurora Drive", "37", "серый", "Шымкент", ordered)]
    photos = served.rows(
        "SELECT COUNT(*) FROM messages WHERE chat_id = ? AND kind = 'photo'", (f"{ordered}@c.us",)
    )
    assert photos[0][0] >= 1


def test_voice_note_image_with_caption_and_typing(browser, served: Served, tmp_path) -> None:
    from PIL import Image

    start_chat(browser, served, "87015550202", "Dana", pace=1)
    say(browser, "Салем! Я из Шымкента")
    before = len(alina_texts(browser))
    by_css(browser, "#voice")[0].click()
    by_css(browser, "#voice")[0].click()  # a second tap sends the voice note
    wait_until(browser, lambda b: by_css(b, "#typing"), what="the typing indicator")
    wait_until(
        browser,
        lambda b: any("текст" in t for t in alina_texts(b)[before:]),
        what="the polite request to write in text",
    )
    picture = tmp_path / "shoe.png"
    Image.new("RGB", (640, 480), (120, 90, 60)).save(picture)
    before = len(alina_texts(browser))
    by_css(browser, "#attach-file")[0].send_keys(str(picture))
    caption = wait_until(browser, lambda b: by_css(b, "#attach-caption"), what="the preview")[0]
    wait_until(browser, lambda b: caption.is_displayed(), what="the caption field")
    caption.send_keys("а такие есть? шарф нимбус")
    by_css(browser, "#attach-send")[0].click()
    wait_until(browser, lambda b: len(alina_texts(b)) > before, what="a reply to the photo")
    sent = served.rows(
        "SELECT kind, text, wa_id FROM messages WHERE chat_id = '77015550202@c.us'"
        " AND direction = 'in' ORDER BY id"
    )
    assert [k for k, _, _ in sent] == ["text", "audio", "text"]
    assert sent[2][1] == "а такие есть? шарф нимбус" and sent[2][2].startswith("web-img-")
    image = by_css(browser, "#messages .bubble.out img.photo")[0]
    assert browser.execute_script("return arguments[0].naturalWidth", image) > 0


def test_handoff_silences_alina_and_a_manager_message_reaches_the_customer(
    browser, served: Served, shots: Path
) -> None:
    chat_id = "77015550303@c.us"
    start_chat(browser, served, "+7 701 555 03 03", "Мадина")
    say(browser, "Добрый день, мне нужен шарф нимбус, я в Шымкенте")
    login(browser, served)
    browser.get(f"{served.url}/manager/chats/{chat_id}")
    by_css(browser, "#handoff-on")[0].click()
    wait_until(browser, lambda b: by_css(b, "#handoff-off"), what="handoff on")
    assert served.rows("SELECT state FROM conversations WHERE chat_id = ?", (chat_id,)) == [
        ("handoff",)
    ]
    browser.get(f"{served.url}/?pace=0&chat=77015550303")
    wait_until(browser, lambda b: alina_texts(b), what="the history")
    before = len(alina_texts(browser))
    by_css(browser, "#text")[0].send_keys("а скидка будет?")
    by_css(browser, "#send")[0].click()
    wait_until(
        browser,
        lambda b: served.rows(
            "SELECT COUNT(*) FROM processed_messages p JOIN messages m ON m.wa_id = p.wa_id"
            " WHERE m.chat_id = ? AND m.text = 'а скидка будет?'",
            (chat_id,),
        )[0][0]
        == 1,
        what="the message stored and processed",
    )
    time.sleep(0.5)
    assert len(alina_texts(browser)) == before  # Alina stayed silent
    browser.get(f"{served.url}/manager/chats/{chat_id}")
    box = wait_until(browser, lambda b: by_css(b, "#manager-text"), what="the reply box")[0]
    box.send_keys("Здравствуйте, Мадина! Это Дина, менеджер. Да, на шарф скидка 10% 🙂")
    by_css(browser, "#manager-send")[0].click()
    wait_until(browser, lambda b: "done=sent" in b.current_url, what="sent")
    assert "скидка 10%" in by_css(browser, "#transcript")[0].text
    assert by_css(browser, '.diagram svg g.node.current[data-state="handoff"]')
    browser.set_window_size(1360, 1480)  # tall enough for the whole diagram
    browser.save_screenshot(str(shots / "console-conversation.png"))
    browser.set_window_size(1360, 900)
    browser.get(f"{served.url}/?pace=0&chat=77015550303")
    wait_until(
        browser, lambda b: any("скидка 10%" in t for t in alina_texts(b)), what="the manager"
    )
    browser.get(f"{served.url}/manager/chats/{chat_id}")
    by_css(browser, "#handoff-off")[0].click()
    wait_until(browser, lambda b: by_css(b, "#handoff-on"), what="handoff off")
    browser.get(f"{served.url}/?pace=0&chat=77015550303")
    wait_until(browser, lambda b: alina_texts(b), what="the history")
    say(browser, "хорошо, тогда серый")


def test_funnel_and_orders_show_the_order(
    browser, served: Served, ordered: str, shots: Path
) -> None:
    login(browser, served)
    browser.get(f"{served.url}/manager/funnel?period=today")
    confirmed = by_css(browser, "#kpi-confirmed")[0]
    assert int(confirmed.text) >= 1
    step = by_css(browser, '#funnel-steps li[data-state="confirmed"] .step-n')[0]
    assert int(step.text) >= 1
    browser.save_screenshot(str(shots / "console-funnel.png"))
    browser.get(f"{served.url}/manager/orders?status=confirmed")
    rows = by_css(browser, "#orders tbody tr")
    assert any("Мокасины Aurora Drive" in r.text and "Айгерим" in r.text for r in rows)
    browser.get(f"{served.url}/manager/chats")
    listed = by_css(browser, f'#chats tr[data-chat="{ordered}@c.us"]')[0].text
    assert "Заказ оформлен" in listed and "Алина" in listed
    assert not by_css(browser, f'#chats tr[data-chat="{MANAGER}@c.us"]')


def test_csv_and_excel_exports_open_with_pandas(browser, served: Served, ordered: str) -> None:
    login(browser, served)
    browser.get(f"{served.url}/manager/orders")
    for link, suffix in (("#export-csv", ".csv"), ("#export-xlsx", ".xlsx")):
        by_css(browser, link)[0].click()
        found = wait_until(
            browser,
            lambda b, s=suffix: [p for p in b.downloads.glob(f"*{s}") if p.stat().st_size],
            what=f"the {suffix} download",
        )
        path = found[0]
        frame = pd.read_csv(path) if suffix == ".csv" else pd.read_excel(path)
        mine = frame[frame["Телефон"].astype(str).str.contains(ordered[1:])]
        assert list(mine["Товар"]) == ["Мокасины Aurora Drive"]
        assert list(mine["Статус"]) == ["Подтверждён"]
        assert int(mine["Сумма, ₸"].iloc[0]) == 41500
