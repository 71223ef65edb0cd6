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
from ottenok.states.order import OrderState, Trigger

#: Triggers that move a handoff rather than answer a question; their reason says who moved it.
HANDOFF_TRIGGERS = (Trigger.HANDOFF, Trigger.RELEASE)


@dataclass(slots=True)
class Step:
    state: OrderState
    reached: int  # conversations that were in this state in the period (a bag skips the size)
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
    outcomes: dict[OrderState, int] = field(default_factory=dict)  # stopped cancelled/handoff
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
    # A state was visited when a transition of the period left it or entered it.
    visits = await queries.fetch(
        "WITH rows AS (SELECT chat_id, source, dest FROM state_changes WHERE at >= ? AND at < ?)"
        " SELECT state, COUNT(DISTINCT chat_id) AS n FROM (SELECT chat_id, source AS state"
        " FROM rows UNION SELECT chat_id, dest FROM rows) GROUP BY state",
        window,
    )
    last = await queries.fetch(
        "SELECT dest, COUNT(*) AS n FROM state_changes WHERE id IN (SELECT MAX(id)"
        " FROM state_changes WHERE at >= ? AND at < ? GROUP BY chat_id) GROUP BY dest",
        window,
    )
    chats = await queries.fetch(
        "SELECT COUNT(DISTINCT chat_id) FROM state_changes WHERE at >= ? AND at < ?", window
    )
    reached = {row["state"]: row["n"] for row in visits}
    stopped = {row["dest"]: row["n"] for row in last}
    report.conversations = chats[0][0]
    report.steps = [
        Step(state, reached.get(state, 0), stopped.get(state, 0)) for state in FUNNEL
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
        " WHERE at >= ? AND at < ? AND trigger = ? GROUP BY who ORDER BY n DESC",
        [*window, Trigger.HANDOFF],
    )
    report.handoffs = [(row["who"], row["n"]) for row in handoffs]
    return report


async def _nudges(queries: ConsoleQueries, since: datetime, until: datetime) -> list[NudgeEffect]:
    """Each reminder sent in the period, and whether the customer wrote before the next one."""
    confirmed, params = "0", [iso(since), iso(until)]
    if await queries.has_table("state_changes"):
        confirmed = (
            "EXISTS (SELECT 1 FROM state_changes s WHERE s.chat_id = n.chat_id"
            " AND s.dest = ? AND s.at > n.sent_at)"
        )
        params.append(OrderState.CONFIRMED)
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
        params,
    )
    return [
        NudgeEffect(row["step"], row["sent"], row["answered"] or 0, row["confirmed"] or 0)
        for row in rows
    ]
