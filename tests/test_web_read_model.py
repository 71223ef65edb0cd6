"""The console's read model on a real SQLite file: the funnel from stored transitions, nudges
that brought customers back, LLM usage, the machine diagram, exports, and migrations that land
out of order."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from openpyxl import load_workbook

from adapters.llm.usage import Prices, Usage, UsageRecord
from adapters.llm_usage_store import LLMUsageStore
from adapters.sqlite_store import MIGRATIONS_DIR, SQLiteStore, iso
from adapters.web.diagram import parse_mermaid, render_svg
from adapters.web.export import orders_csv, orders_xlsx
from adapters.web.funnel import funnel
from adapters.web.labels import FUNNEL, SIDE_OUTCOMES, STATE_LABELS
from adapters.web.llm_usage import llm_usage
from adapters.web.queries import ConsoleQueries, OrderLine
from ottenok.diagrams import drawn_groups, mermaid
from ottenok.machines import order_machine

NOW = datetime.now(UTC)


def at(minutes: float) -> str:
    return iso(NOW - timedelta(hours=2) + timedelta(minutes=minutes))


@pytest.fixture
async def db(tmp_path: Path):
    path = tmp_path / "ottenok.db"
    store = await SQLiteStore.open(path)
    await store.close()
    return path


def moves(conn: sqlite3.Connection, chat: str, path: list[tuple], start: float) -> None:
    """(source, dest, trigger, reason) rows, a minute apart."""
    conn.executemany(
        "INSERT INTO state_changes (chat_id, source, dest, trigger, reason, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(chat, *row, at(start + i)) for i, row in enumerate(path)],
    )


def test_the_console_names_every_state_of_the_order_machine() -> None:
    assert set(FUNNEL) | set(SIDE_OUTCOMES) == set(order_machine().states) == set(STATE_LABELS)
    assert FUNNEL[0] == order_machine().declaration["initial"]


async def test_funnel_counts_reach_stops_reasons_handoffs_and_nudges(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        moves(conn, "A", [
            ("greeting", "ask_product", "route", None),
            ("ask_product", "ask_size", "route", None),
            ("ask_size", "ask_color", "route", None),
            ("ask_color", "ask_size", "route", "size"),  # 38 sold out in that colour
            ("ask_size", "ask_address", "route", None),
            ("ask_address", "confirming", "route", None),
            ("confirming", "confirmed", "confirm", None),
        ], 0)  # fmt: skip
        moves(conn, "B", [
            ("greeting", "ask_city", "route", None),
            ("ask_city", "ask_product", "route", "product"),
            ("ask_product", "ask_product", "route", "unsold"),  # "а платья есть?"
            ("ask_product", "cancelled", "cancel", None),
        ], 10)  # fmt: skip
        moves(conn, "C", [
            ("greeting", "ask_city", "route", None),
            ("ask_city", "handoff", "handoff", "customer"),
        ], 20)  # fmt: skip
        moves(conn, "OLD", [("greeting", "ask_city", "route", None)], -60 * 24 * 3)
        conn.execute(
            "INSERT INTO nudges (chat_id, step, text, status, created_at, sent_at)"
            " VALUES ('B', 1, 'Напоминаю о заказе', 'sent', ?, ?),"
            " ('C', 1, 'Напоминаю', 'sent', ?, ?)",
            (at(30), at(30), at(31), at(31)),
        )
        conn.execute(
            "INSERT INTO messages (chat_id, direction, wa_id, text, created_at)"
            " VALUES ('B', 'in', 'x1', 'да, ещё думаю', ?)",
            (at(40),),
        )
    queries = await ConsoleQueries.open(db)
    try:
        report = await funnel(queries, NOW - timedelta(days=1), NOW + timedelta(minutes=1))
    finally:
        await queries.close()
    assert report.available and report.conversations == 3
    reached = {step.state: step.reached for step in report.steps}
    assert reached["greeting"] == 3 and reached["ask_city"] == 2  # A skipped the city question
    assert reached["ask_product"] == 2 and reached["confirmed"] == 1
    assert reached["ask_size"] == 1 and reached["ask_color"] == 1 and reached["confirming"] == 1
    stopped = {step.state: step.stopped for step in report.steps}
    assert stopped["confirmed"] == 1 and sum(stopped.values()) == 1
    assert report.outcomes == {"cancelled": 1, "handoff": 1}
    assert sorted(report.reasons) == [("product", 1, 1), ("size", 1, 1), ("unsold", 1, 1)]
    assert report.handoffs == [("customer", 1)]
    assert [(n.step, n.sent, n.answered, n.confirmed) for n in report.nudges] == [(1, 2, 1, 0)]
    assert report.conversion == pytest.approx(1 / 3)


async def test_llm_usage_panel_sums_days_and_conversations_with_the_cost(db: Path) -> None:
    day = NOW.date()
    store = await LLMUsageStore.open(db)
    try:
        for chat, calls, p, c, events in (
            ("A", 2, 900, 80, {"rejected:price": 1}),
            ("A", 1, 950, 70, {}),
            ("B", 0, 0, 0, {"fallback:timeout": 1}),
        ):
            usage = Usage(turns=1, rules_only=int(not calls), calls=calls, prompt_tokens=p,
                          completion_tokens=c, events=events)  # fmt: skip
            await store.add(UsageRecord(day.isoformat(), f"{chat}@c.us", usage))
        report = await llm_usage(store, Prices(2.5, 10.0), day, day, configured=False)
        assert not report.empty  # recorded use shows even after the LLM was switched off
        total = report.total
        assert (total.usage.calls, total.usage.turns, total.usage.rules_only) == (3, 3, 1)
        assert (total.rejected, total.fallbacks) == (1, 1)
        assert total.cost == pytest.approx((1850 * 2.5 + 150 * 10.0) / 1_000_000)
        assert [line.key for line in report.per_chat] == ["A@c.us", "B@c.us"]
        yesterday = day - timedelta(days=1)
        assert (await llm_usage(store, Prices(), yesterday, yesterday, True)).empty
    finally:
        await store.close()


def test_diagram_highlights_the_current_state_and_escapes_labels() -> None:
    groups = drawn_groups("order")
    graph = parse_mermaid(mermaid("order"))
    assert {str(s) for s in order_machine().states} <= set(graph.states)
    assert graph.initial == "greeting"
    svg = str(render_svg(graph, "ask_size", groups))
    assert svg.count('class="node current"') == 1
    assert 'class="node current" data-state="ask_size"' in svg
    leaving = {src for src, _ in graph.edges if src == "ask_size"}
    leaving |= {g for g, members in groups.items() if "ask_size" in {str(m) for m in members}}
    assert leaving, "some arrow leaves the state the customer is in"
    hot = [src for src, dst in graph.edges if src in leaving]
    assert svg.count('class="edge hot"') >= len(hot)
    in_handoff = str(render_svg(graph, "handoff", groups))
    hot_titles = [
        part.split("<title>", 1)[1].split("</title>", 1)[0]
        for part in in_handoff.split('<path d=')
        if 'class="edge hot"' in part
    ]
    # In handoff only the manager's release leaves (to the next question): never handoff again.
    assert {t.split(" → ")[0] for t in hot_titles} == {"У менеджера", "Следующий вопрос"}
    assert "Любой этап, кроме «У менеджера» → У менеджера: handoff" in in_handoff
    odd = parse_mermaid('state "x" as a\na --> b: route [<script>]\n')
    assert "<script>" not in str(render_svg(odd, "a"))


def _order(**fields) -> OrderLine:
    base = dict(
        id=7, chat_id="77015550101@c.us", status="confirmed", phone="77015550101", name="Айгерим",
        city="Шымкент", product_name="Мокасины Aurora Drive", product_type="shoes", size="37",
        color="серый", address="ул. Тауке хана 12", price=41500,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    return OrderLine(**{**base, **fields})


def test_exports_open_with_pandas_and_never_carry_a_formula() -> None:
    tz = ZoneInfo("Asia/Almaty")
    orders = [_order(), _order(id=8, address="=HYPERLINK(\"http://x\",\"y\")", name="@Dana")]
    frame = pd.read_csv(io.BytesIO(orders_csv(orders, tz)))
    assert list(frame["Товар"]) == ["Мокасины Aurora Drive"] * 2
    assert frame["Адрес"][1].startswith("'=") and frame["Клиент"][1] == "'@Dana"
    assert str(frame["Телефон"][0]).lstrip("+") == "77015550101"  # a phone is not a formula
    data = orders_xlsx(orders, tz)
    sheet = load_workbook(io.BytesIO(data)).active
    address = sheet.cell(row=3, column=11)
    assert address.data_type == "s" and address.value.startswith("=HYPERLINK")
    assert sheet.cell(row=2, column=12).value == 41500
    assert pd.read_excel(io.BytesIO(data))["Сумма, ₸"].sum() == 83000


async def test_a_migration_number_below_the_newest_is_still_applied(tmp_path: Path) -> None:
    """Branches land migrations in any order: a database that got 0006 first still gets the
    lower numbers when they arrive."""
    path = tmp_path / "ottenok.db"
    store = await SQLiteStore.open(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE nudges")
        conn.execute("DELETE FROM schema_migrations WHERE version = 2")
    store = await SQLiteStore.open(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM nudges").fetchone() == (0,)
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert sorted(versions) == sorted(int(p.name[:4]) for p in MIGRATIONS_DIR.glob("0*.sql"))
