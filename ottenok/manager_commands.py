"""Manager commands sent from a manager's own WhatsApp: /handoff, /orders, /help.

Only chats whose phone is in MANAGER_NUMBERS get here; the same text from anyone else is an
ordinary customer message. A handoff moves the order machine (`handoff` / `release`), the one
record of who has the chat; the words are the `manager:` reply templates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ottenok.catalog import Catalog
from ottenok.chat_locks import ChatLocks
from ottenok.conversation import Conversation
from ottenok.machines import order_machine
from ottenok.nudge_policy import NudgePolicy
from ottenok.nudges import after_turn
from ottenok.phones import chat_id_for, normalize_phone
from ottenok.phrasing.templates import Templates
from ottenok.phrasing.words import price_text
from ottenok.protocols import Storage
from ottenok.records import ConversationRow, TurnRecord
from ottenok.states.order import OrderState, Trigger

log = logging.getLogger("ottenok.managers")

ORDERS_LISTED = 20


@dataclass(slots=True)
class Command:
    name: str  # handoff_on | handoff_off | handoff_status | orders | help | invalid
    phone: str | None = None
    today: bool = False
    error: str | None = None  # the `manager:` template key explaining what is wrong
    given: str = ""  # the phone as typed, when it could not be read


def parse_command(text: str) -> Command | None:
    """Parse a manager's text; None when it is not a command at all."""
    text = text.strip()
    if not text.startswith("/"):
        return None
    head, _, rest = text.partition(" ")
    head = head.lower()
    if head == "/help":
        return Command("help")
    if head == "/orders":
        return Command("orders", today=rest.strip().lower() in ("today", "сегодня"))
    if head == "/handoff":
        action, _, phone_text = rest.strip().partition(" ")
        action = action.lower()
        if action not in ("on", "off", "status"):
            return Command("invalid", error="handoff_usage")
        phone = normalize_phone(phone_text)
        if phone is None:
            return Command("invalid", error="bad_phone", given=phone_text.strip())
        return Command(f"handoff_{action}", phone=phone)
    return Command("invalid", error="unknown_command")


class ManagerDesk:
    """Carries out managers' commands and takeovers on the chats they name."""

    def __init__(
        self,
        store: Storage,
        catalog: Catalog,
        templates: Templates,
        locks: ChatLocks,
        tz: ZoneInfo,
        nudge_policy: NudgePolicy | None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.t = templates
        self.locks = locks
        self.tz = tz
        self.nudge_policy = nudge_policy
        self.machine = order_machine()

    def _text(self, key: str, **values: object) -> str:
        return str(self.t.get("manager", key)).format(**values)

    async def run(self, command: Command, by: str) -> str:
        """The reply to the manager; handoff commands take the named chat's lock."""
        if command.name == "help":
            return self._text("help")
        if command.name == "invalid":
            return self._text(command.error or "help", given=command.given)
        if command.name == "orders":
            return await self._orders(command.today)
        assert command.phone is not None
        chat_id = chat_id_for(command.phone)
        async with self.locks.hold(chat_id):
            row = await self.store.load_conversation(chat_id)
            if command.name == "handoff_status":
                return self._status(command.phone, row)
            trigger = Trigger.HANDOFF if command.name == "handoff_on" else Trigger.RELEASE
            await self._move(row, trigger, by, reason="")
            key = "handoff_on" if trigger == Trigger.HANDOFF else "handoff_off"
            return self._text(key, phone=command.phone, state=row.state)

    async def take_over(self, chat_id: str, by: str) -> None:
        """A manager typed in the customer's chat from the shop's phone: Alina steps aside."""
        async with self.locks.hold(chat_id):
            row = await self.store.load_conversation(chat_id)
            if row.state == OrderState.HANDOFF:
                return
            await self._move(row, Trigger.HANDOFF, by, reason="typed on the shop's phone")
            log.info("manager took over", extra={"chat_id": chat_id})

    async def release(self, chat_id: str, by: str) -> None:
        """A manager gives the chat back (the console's button): Alina resumes the order."""
        async with self.locks.hold(chat_id):
            row = await self.store.load_conversation(chat_id)
            if row.state != OrderState.HANDOFF:
                return
            await self._move(row, Trigger.RELEASE, by, reason="")
            log.info("manager gave the chat back", extra={"chat_id": chat_id})

    async def _move(self, row: ConversationRow, trigger: Trigger, by: str, reason: str) -> None:
        """Fire a handoff or release and save it with the nudge machine's answer to it."""
        conv = Conversation.of(row, self.catalog)
        self.machine.fire(conv, trigger)
        row.state, row.slots, row.previous_state = conv.state, conv.slots, conv.previous_state
        nudge = after_turn(
            row.nudge, self.nudge_policy, row.state, customer_wrote=False, bot_spoke_at=None
        )
        await self.store.save_turn(
            TurnRecord(
                conversation=row,
                processed_id=None,
                nudge=nudge,
                changes=conv.changes,
                handoff_by=by,
                handoff_reason=reason,
            )
        )

    def _status(self, phone: str, row: ConversationRow) -> str:
        manager_has_it = row.state == OrderState.HANDOFF
        who = self._text("manager_has_chat" if manager_has_it else "alina_has_chat")
        slots = ", ".join(f"{k}: {v}" for k, v in row.slots.filled().items())
        return self._text("status", phone=phone, who=who, state=row.state, slots=slots).strip()

    async def _orders(self, today: bool) -> str:
        since = None
        if today:
            local = datetime.now(UTC).astimezone(self.tz)
            since = local.replace(hour=0, minute=0, second=0, microsecond=0)
        orders = await self.store.list_orders("confirmed", since)
        if not orders:
            return self._text("no_orders")
        lines = [
            f"#{o.id} +{o.phone} — {o.product_name}"
            f"{' ' + o.size if o.size else ''}{' ' + o.color if o.color else ''},"
            f" {o.city}, {price_text(o.price)}"
            for o in orders[:ORDERS_LISTED]
        ]
        return self._text("orders", lines="\n".join(lines))
