"""The funnel: for a period, how far conversations got in the order machine and where they
stopped, why the machine sent customers back, handoffs, and nudges that brought customers back.

Everything comes from the stored transitions (`state_changes`, one row per transition fired)
and the nudge outbox; no peer tool can draw this, because none has an explicit machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from adapters.sqlite_store import iso
from adapters.web.labels import FUNNEL, SIDE_OUTCOMES
from adapters.web.queries import ConsoleQueries, OrderTotals

#: Triggers that move a handoff rather than answer a question; their reason says who moved it.
HANDOFF_TRIGGERS = ("handoff", "release")


@dataclass(slots=True)
class Step:
    state: str
    reached: int  # conversations that got at least this far
    stopped: int  # conversations whose last state in the period is this one


@dataclass(slots=True)
class NudgeEffect:
    step: int
    sent: int
    answered: int  # the customer wrote again before the next reminder
    confirmed: int  # ... and the order was confirmed afterwards


@dataclass(slots=True)
class FunnelReport:
    since: datetime
    until: datetime
    available: bool  # False before migration 0003 brings `state_changes`
    conversations: int = 0
    steps: list[Step] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)  # cancelled/handoff: stopped there
    reasons: list[tuple[str, int, int]] = field(default_factory=list)  # reason, times, chats
    handoffs: list[tuple[str, int]] = field(default_factory=list)  # who, times
    nudges: list[NudgeEffect] = field(default_factory=list)
    orders: OrderTotals = field(default_factory=OrderTotals)

    @property
    def confirmed(self) -> int:
        return self.steps[-1].reached if self.steps else 0

    @property
    def conversion(self) -> float | None:
        return self.confirmed / self.conversations if self.conversations else None

    @property
    def handoff_total(self) -> int:
        return sum(n for _, n in self.handoffs)


async def funnel(queries: ConsoleQueries, since: datetime, until: datetime) -> FunnelReport:
    report = FunnelReport(since, until, available=await queries.has_table("state_changes"))
    report.orders = await queries.order_totals(since, until)
    report.nudges = await _nudges(queries, since, until)
    if not report.available:
        return report
    window = (iso(since), iso(until))
    order = ", ".join(f"(?, {i})" for i in range(len(FUNNEL)))
    furthest = await queries.fetch(
        f"WITH ord(state, idx) AS (VALUES {order}),"
        " rows AS (SELECT chat_id, source, dest FROM state_changes WHERE at >= ? AND at < ?)"
        " SELECT r.chat_id, MAX(COALESCE(o.idx, 0)) AS idx FROM rows r"
        " LEFT JOIN ord o ON o.state = r.dest OR o.state = r.source GROUP BY r.chat_id",
        [*FUNNEL, *window],
    )
    last = await queries.fetch(
        "SELECT dest, COUNT(*) AS n FROM state_changes WHERE id IN (SELECT MAX(id)"
        " FROM state_changes WHERE at >= ? AND at < ? GROUP BY chat_id) GROUP BY dest",
        window,
    )
    stopped = {row["dest"]: row["n"] for row in last}
    report.conversations = len(furthest)
    report.steps = [
        Step(state, sum(1 for row in furthest if row["idx"] >= i), stopped.get(state, 0))
        for i, state in enumerate(FUNNEL)
    ]
    report.outcomes = {state: stopped.get(state, 0) for state in SIDE_OUTCOMES}
    marks = ", ".join("?" for _ in HANDOFF_TRIGGERS)
    reasons = await queries.fetch(
        "SELECT reason, COUNT(*) AS n, COUNT(DISTINCT chat_id) AS chats FROM state_changes"
        f" WHERE at >= ? AND at < ? AND reason IS NOT NULL AND trigger NOT IN ({marks})"
        " GROUP BY reason ORDER BY n DESC",
        [*window, *HANDOFF_TRIGGERS],
    )
    report.reasons = [(row["reason"], row["n"], row["chats"]) for row in reasons]
    handoffs = await queries.fetch(
        "SELECT COALESCE(reason, '') AS who, COUNT(*) AS n FROM state_changes"
        " WHERE at >= ? AND at < ? AND trigger = 'handoff' GROUP BY who ORDER BY n DESC",
        window,
    )
    report.handoffs = [(row["who"], row["n"]) for row in handoffs]
    return report


async def _nudges(queries: ConsoleQueries, since: datetime, until: datetime) -> list[NudgeEffect]:
    """Each reminder sent in the period, and whether the customer wrote before the next one."""
    confirmed = "0"
    if await queries.has_table("state_changes"):
        confirmed = (
            "EXISTS (SELECT 1 FROM state_changes s WHERE s.chat_id = n.chat_id"
            " AND s.dest = 'confirmed' AND s.at > n.sent_at)"
        )
    rows = await queries.fetch(
        "WITH sent AS (SELECT n.id, n.chat_id, n.step, n.sent_at, (SELECT MIN(n2.sent_at)"
        " FROM nudges n2 WHERE n2.chat_id = n.chat_id AND n2.status = 'sent'"
        " AND n2.sent_at > n.sent_at) AS next_at FROM nudges n"
        " WHERE n.status = 'sent' AND n.sent_at >= ? AND n.sent_at < ?),"
        " answered AS (SELECT n.*, EXISTS (SELECT 1 FROM messages m WHERE m.chat_id = n.chat_id"
        " AND m.direction = 'in' AND m.created_at > n.sent_at"
        " AND (n.next_at IS NULL OR m.created_at < n.next_at)) AS back FROM sent n)"
        f" SELECT step, COUNT(*) AS sent, SUM(back) AS answered,"
        f" SUM(back AND {confirmed}) AS confirmed FROM answered n GROUP BY step ORDER BY step",
        (iso(since), iso(until)),
    )
    return [
        NudgeEffect(row["step"], row["sent"], row["answered"] or 0, row["confirmed"] or 0)
        for row in rows
    ]
