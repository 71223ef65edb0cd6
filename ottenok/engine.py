"""One customer turn, as a short pipeline:

store the message → dedupe → manager command? → handoff? → fill slots → validate against
catalog and stock → fire the machine → phrase → act (texts, photos, notifications) → store.

No language model is called inside a machine callback: the slot filler runs before the
machine and the phraser after it. One chat's turns run strictly in order (a lock per chat),
different chats concurrently.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ottenok.actions.order import NOTIFY_HANDOFF, NOTIFY_ORDER_CONFIRMED
from ottenok.answers import Answerer
from ottenok.catalog import Catalog
from ottenok.chat_locks import ChatLocks
from ottenok.commands import HELP, Command, parse_command
from ottenok.conversation import Conversation
from ottenok.machines import order_machine
from ottenok.messages import IncomingMessage, Outgoing, first_name
from ottenok.nudge_policy import NudgePolicy
from ottenok.nudges import first_nudge_after_turn
from ottenok.outcome import TurnOutcome
from ottenok.phones import chat_id_for, normalize_phone
from ottenok.photos import PhotoIndex, PhotoRef, photos_to_send
from ottenok.phrasing.offline import OfflinePhraser
from ottenok.phrasing.templates import SPLIT
from ottenok.phrasing.words import price_text
from ottenok.protocols import SlotFiller, StockSource, Storage
from ottenok.records import ConversationRow, TurnRecord
from ottenok.slot_merge import merge_update
from ottenok.slots import FillContext, Intent, SlotUpdate
from ottenok.states.order import FINAL_STATES, OPEN_STATES

log = logging.getLogger("ottenok.engine")


@dataclass(slots=True)
class TurnResult:
    """What a turn decided before phrasing: the outcome plus the side effects to carry out."""

    outcome: TurnOutcome
    effects: list[str] = field(default_factory=list)
    photos: list[PhotoRef] = field(default_factory=list)
    previous_state: str | None = None
    restarted: bool = False


class Engine:
    def __init__(
        self,
        store: Storage,
        catalog: Catalog,
        filler: SlotFiller,
        phraser: OfflinePhraser,
        answerer: Answerer,
        photos: PhotoIndex | None = None,
        managers: list[str] | None = None,
        tz: ZoneInfo | None = None,
        inventory: StockSource | None = None,
        nudge_policy: NudgePolicy | None = None,
    ) -> None:
        self.inventory = inventory
        self.nudge_policy = nudge_policy  # None: this engine schedules no nudges
        self.tz = tz or ZoneInfo("Asia/Almaty")
        self.store = store
        self.catalog = catalog
        self.filler = filler
        self.phraser = phraser
        self.answerer = answerer
        self.photos = photos
        self.managers = set(managers or [])
        self.locks = ChatLocks()
        self.machine = order_machine()

    # -- the turn ---------------------------------------------------------------------------

    async def handle_message(self, msg: IncomingMessage) -> list[Outgoing]:
        """Run one whole turn and return what to send (already stored)."""
        async with self.locks.hold(msg.chat_id):
            started = time.perf_counter()
            phone = normalize_phone(msg.chat_id)
            is_new = await self.store.store_incoming(msg, phone)
            if not is_new and await self.store.is_processed(msg.message_id):
                log.info("duplicate", extra={"chat_id": msg.chat_id, "id": msg.message_id})
                return []
            if phone in self.managers and (command := parse_command(msg.text)) is not None:
                return await self._manager_command(msg, command)
            if await self.store.handoff_active(msg.chat_id):
                await self.store.mark_processed(msg.message_id)
                log.info("stored during handoff, no reply", extra={"chat_id": msg.chat_id})
                return []
            if self.inventory is not None:
                await self.inventory.load()
                self.catalog.stock = self.inventory.stock
            row = await self.store.load_conversation(msg.chat_id)
            result = await self._decide(msg, row)
            outgoing = await self._act(msg, row, result)
            log.info(
                "turn",
                extra={
                    "chat_id": msg.chat_id,
                    "state": row.state,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return outgoing

    async def _decide(self, msg: IncomingMessage, row: ConversationRow) -> TurnResult:
        conv = self._conversation(row)
        outcome = TurnOutcome(
            chat_id=row.chat_id,
            state=row.state,
            slots=row.slots,
            customer_name=first_name(msg.sender_name),
            seed=f"{row.chat_id}:{msg.message_id}",
        )
        result = TurnResult(outcome, previous_state=row.previous_state)
        if msg.kind != "text" or not msg.text.strip():
            outcome.greet = row.turns == 0
            outcome.event = "non_text"
            return result
        update = await self.filler.fill(msg.text, FillContext(state=row.state, slots=row.slots))
        outcome.greet = row.turns == 0 or update.intent == Intent.GREETING
        self._validate(update, outcome)
        self._fire(conv, update, outcome, result)
        outcome.state, outcome.slots, outcome.issue = conv.state, conv.slots, conv.issue
        result.effects = list(conv.effects)
        result.previous_state = conv.previous_state
        wants_answer = (
            update.intent == Intent.QUESTION and not update.wants_photos and not outcome.unsold
        )
        if wants_answer and outcome.event not in ("handoff", "cancelled"):
            question = update.question or msg.text
            outcome.answer = await self.answerer.answer(question, conv.slots.product)
            if outcome.answer is None and not update.slot_values():
                outcome.event = outcome.event or "no_answer"
        if conv.slots.product and conv.state not in ("handoff", "cancelled"):
            if outcome.new_product or update.wants_photos:
                await self._choose_photos(msg.chat_id, conv.slots.product, update, result)
        if update.product is None and conv.state == "ask_product":
            outcome.candidates = update.candidates[:5]
        return result

    def _conversation(self, row: ConversationRow) -> Conversation:
        """The machine's per-turn model for a stored conversation."""
        return Conversation(
            facts=self.catalog,
            chat_id=row.chat_id,
            state=row.state,
            slots=row.slots,
            previous_state=row.previous_state,
        )

    def _validate(self, update: SlotUpdate, outcome: TurnOutcome) -> None:
        """Keep only values the shop can act on; remember why the others were dropped."""
        if update.product is not None and self.catalog.get(update.product) is None:
            update.product = None
        if update.product is not None:
            update.product_type = self.catalog.product_type(update.product)
        if update.foreign_city and update.city is None:
            outcome.foreign_city = update.foreign_city
        if update.unsold_product and update.product is None:
            outcome.unsold = update.unsold_product

    def _fire(
        self, conv: Conversation, update: SlotUpdate, outcome: TurnOutcome, result: TurnResult
    ) -> None:
        machine = self.machine
        values = update.slot_values()
        if update.intent == Intent.ASK_MANAGER:
            machine.fire(conv, "handoff")
            outcome.event = "handoff"
            return
        if update.intent == Intent.CANCEL and conv.state in OPEN_STATES:
            machine.fire(conv, "cancel")
            outcome.event = "cancelled"
            return
        if conv.state in FINAL_STATES:
            if not (values or update.intent in (Intent.GREETING, Intent.PROVIDE_INFO)):
                outcome.event = f"already_{conv.state}"
                return
            machine.fire(conv, "restart")
            result.restarted = True
            if not outcome.greet:
                outcome.event = "new_order"
        if conv.state == "confirming" and not values:
            if update.intent == Intent.CONFIRM:
                machine.fire(conv, "confirm")
                if conv.state == "confirmed":
                    outcome.event = "confirmed"
                return
            if update.intent == Intent.DENY:
                outcome.event = "deny"
                return
        old_product = conv.slots.product
        conv.slots = merge_update(conv.slots, update, self.catalog)
        outcome.new_product = conv.slots.product is not None and conv.slots.product != old_product
        if (
            update.color
            and conv.slots.product
            and update.color not in self.catalog.colors(conv.slots.product)
        ):
            outcome.bad_color = update.color
            conv.slots = conv.slots.model_copy(update={"color": None})
        machine.fire(conv, "route")
        if update.intent in (Intent.SMALLTALK, Intent.UNKNOWN) and not values:
            if update.intent == Intent.SMALLTALK:
                outcome.event = outcome.event or "thanks"
            elif not outcome.greet and not outcome.unsold:
                outcome.event = outcome.event or "didnt_understand"

    async def _choose_photos(
        self, chat_id: str, product_id: str, update: SlotUpdate, result: TurnResult
    ) -> None:
        """Up to three new photos; when none is left to show, say why instead."""
        color = update.color if update.wants_photos else None
        sent = await self.store.sent_photo_keys(chat_id)
        result.photos = photos_to_send(self.photos, product_id, color, sent)
        if result.photos or not update.wants_photos:
            return
        if color and not photos_to_send(self.photos, product_id, color, set()):
            result.outcome.photo_note = "none_in_color"
        elif photos_to_send(self.photos, product_id, None, set()):
            result.outcome.photo_note = "already_sent"
        else:
            result.outcome.photo_note = "none"

    async def _act(
        self, msg: IncomingMessage, row: ConversationRow, result: TurnResult
    ) -> list[Outgoing]:
        outcome = result.outcome
        text = await self.phraser.phrase(outcome)
        outgoing = [
            Outgoing(msg.chat_id, "text", part.strip())
            for part in text.split(SPLIT)
            if part.strip()
        ]
        outgoing += [_photo_outgoing(msg.chat_id, photo) for photo in result.photos]
        photo_keys = [photo.key for photo in result.photos]
        phone = normalize_phone(msg.chat_id)
        row.state, row.slots, row.turns = outcome.state, outcome.slots, row.turns + 1
        row.previous_state = result.previous_state
        if result.restarted:
            row.order_id = None
        status, fields = self._order_status(outcome, row)
        turn = TurnRecord(
            conversation=row,
            processed_id=msg.message_id,
            outgoing=outgoing,
            photo_keys=photo_keys,
            order_status=status,
            order_fields=fields,
            phone=phone,
            handoff_reason=msg.text[:200],
        )
        turn.next_nudge_at = first_nudge_after_turn(self.nudge_policy, row.state, outgoing, turn.at)
        await self.store.save_turn(turn)
        notices = self._manager_notices(msg, result, row)
        if notices:
            await self.store.record_outgoing(notices)
        return outgoing + notices

    def _order_status(
        self, outcome: TurnOutcome, row: ConversationRow
    ) -> tuple[str | None, dict[str, Any]]:
        slots = outcome.slots
        if outcome.event == "confirmed":
            status = "confirmed"
        elif outcome.event == "cancelled":
            status = "cancelled" if row.order_id is not None or slots.product else None
        elif slots.product and outcome.state in (*OPEN_STATES, "handoff"):
            status = "open"
        else:
            status = None
        if status is None:
            return None, {}
        product = self.catalog.get(slots.product)
        size = slots.size if slots.product_type == "shoes" else None
        price = self.catalog.price(slots.product, size, slots.color) if slots.product else None
        return status, {"product_name": product.name if product else None, "price": price}

    def _manager_notices(
        self, msg: IncomingMessage, result: TurnResult, row: ConversationRow
    ) -> list[Outgoing]:
        if not self.managers:
            return []
        template = None
        if NOTIFY_ORDER_CONFIRMED in result.effects:
            template = "order"
        elif NOTIFY_HANDOFF in result.effects:
            template = "handoff"
        if template is None:
            return []
        slots = result.outcome.slots
        text = self.phraser.t.get("manager", template).format(
            order_id=row.order_id,
            customer=msg.sender_name or "без имени",
            phone=normalize_phone(msg.chat_id) or msg.chat_id,
            state=row.previous_state or row.state,
            lines=self.phraser.summary_lines(slots) if slots.product else "",
        )
        return [
            Outgoing(chat_id_for(manager), "text", text.strip(), to_manager=True)
            for manager in sorted(self.managers)
        ]

    # -- managers ---------------------------------------------------------------------------

    async def _manager_command(self, msg: IncomingMessage, command: Command) -> list[Outgoing]:
        reply = await self.run_command(command, by=normalize_phone(msg.chat_id) or msg.chat_id)
        outgoing = [Outgoing(msg.chat_id, "text", reply, to_manager=True)]
        await self.store.record_outgoing(outgoing)
        await self.store.mark_processed(msg.message_id)
        return outgoing

    async def run_command(self, command: Command, by: str) -> str:
        if command.name == "help":
            return HELP
        if command.name == "invalid":
            return command.error or HELP
        if command.name == "orders":
            since = None
            if command.today:
                local = datetime.now(UTC).astimezone(self.tz)
                since = local.replace(hour=0, minute=0, second=0, microsecond=0)
            orders = await self.store.list_orders("confirmed", since)
            if not orders:
                return "Подтверждённых заказов нет."
            lines = [
                f"#{o.id} +{o.phone} — {o.product_name}"
                f"{' ' + o.size if o.size else ''}{' ' + o.color if o.color else ''},"
                f" {o.city}, {price_text(o.price)}"
                for o in orders[:20]
            ]
            return "Заказы:\n" + "\n".join(lines)
        assert command.phone is not None
        chat_id = chat_id_for(command.phone)
        async with self.locks.hold(chat_id):
            return await self._handoff_command(command, chat_id, by)

    async def take_over(self, chat_id: str, by: str) -> None:
        """A manager typed in the customer's chat from the shop's phone: Alina steps aside."""
        async with self.locks.hold(chat_id):
            if await self.store.handoff_active(chat_id):
                return
            row = await self.store.load_conversation(chat_id)
            conv = self._conversation(row)
            self.machine.fire(conv, "handoff")
            row.state, row.previous_state = conv.state, conv.previous_state
            await self.store.save_turn(
                TurnRecord(
                    conversation=row,
                    processed_id=None,
                    handoff_by=by,
                    handoff_reason="typed on the shop's phone",
                )
            )
            log.info("manager took over", extra={"chat_id": chat_id})

    async def _handoff_command(self, command: Command, chat_id: str, by: str) -> str:
        row = await self.store.load_conversation(chat_id)
        conv = self._conversation(row)
        phone = command.phone
        if command.name == "handoff_status":
            active = await self.store.handoff_active(chat_id)
            who = "менеджер" if active else "Алина"
            slots = ", ".join(f"{k}: {v}" for k, v in row.slots.filled().items())
            return f"+{phone}: чат ведёт {who}. Этап: {row.state}. {slots}".strip()
        if command.name == "handoff_on":
            self.machine.fire(conv, "handoff")
            reply = f"+{phone}: чат у вас, Алина молчит. Вернуть: /handoff off {phone}"
        else:
            self.machine.fire(conv, "release")
            reply = f"+{phone}: чат снова ведёт Алина (этап: {conv.state})."
        row.state, row.slots, row.previous_state = conv.state, conv.slots, conv.previous_state
        await self.store.save_turn(TurnRecord(conversation=row, processed_id=None, handoff_by=by))
        return reply


def _photo_outgoing(chat_id: str, photo: PhotoRef) -> Outgoing:
    if photo.source == "local":
        return Outgoing(
            chat_id, "photo", photo_path=Path(photo.path_or_file_id), photo_key=photo.key
        )
    return Outgoing(chat_id, "photo", photo_file_id=photo.path_or_file_id, photo_key=photo.key)
