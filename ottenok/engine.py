"""One customer turn, as a short pipeline:

store the message → dedupe → manager command? → handoff? → fill slots → validate against
catalog and stock → fire the machine → phrase → outbox (texts, photos, notices) → store.

No language model is called inside a machine callback: the slot filler runs before the
machine and the phraser after it. One chat's turns run strictly in order (a lock per chat),
different chats concurrently. The turn's messages go into the outbox in the turn's own
transaction; `ottenok.delivery` sends them. A turn that keeps failing never ends in silence:
the customer hears that a manager will answer, and the managers get the chat.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ottenok.actions.order import NOTIFY_HANDOFF, NOTIFY_ORDER_CONFIRMED
from ottenok.answers import Answerer, Reply
from ottenok.catalog import Catalog
from ottenok.chat_locks import ChatLocks
from ottenok.conversation import Conversation
from ottenok.delivery import PendingMessage, texts_of
from ottenok.machines import order_intents, order_machine
from ottenok.manager_commands import ManagerDesk, parse_command
from ottenok.messages import IncomingMessage, Outgoing, first_name
from ottenok.morphology import has_cyrillic, russian_from_latin
from ottenok.nudge_policy import NudgePolicy
from ottenok.nudges import after_turn
from ottenok.outcome import TurnOutcome
from ottenok.phones import chat_id_for, normalize_phone
from ottenok.photos import PhotoIndex, PhotoRef, choose_photos
from ottenok.phrasing.templates import SPLIT
from ottenok.protocols import Phraser, SlotFiller, StockSource, Storage
from ottenok.records import ConversationRow, TurnRecord
from ottenok.slot_merge import merge_update
from ottenok.slots import FillContext, Intent, OrderSlots, SlotUpdate
from ottenok.states.order import FINAL_STATES, OPEN_STATES, OrderState, Trigger, TurnEvent

log = logging.getLogger("ottenok.engine")

#: A turn that raises is tried this often before the customer gets the polite fallback.
TURN_TRIES = 3
#: Only the start of a very long message is read (the whole text is stored), now and as history
#: of later turns: reading stays fast, so one 100 KB message cannot hold up every other chat.
MAX_ANALYSED_CHARS = 2000
#: Earlier messages a slot filler sees (an LLM reads the next one in their light).
HISTORY_MESSAGES = 6
#: Products offered to choose among in one reply.
MAX_OFFERED = 5
#: An edited message with values in it is a correction, unless it asks for more than that.
EDITABLE_INTENTS = (Intent.PROVIDE_INFO, Intent.CONFIRM, Intent.DENY, Intent.UNKNOWN)


@dataclass(slots=True)
class TurnResult:
    """What a turn decided before phrasing: the outcome plus the side effects to carry out."""

    outcome: TurnOutcome
    conversation: Conversation
    photos: list[PhotoRef] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)  # the products the reply asks to choose
    restarted: bool = False


class Engine:
    def __init__(
        self,
        store: Storage,
        catalog: Catalog,
        filler: SlotFiller,
        phraser: Phraser,
        answerer: Answerer,
        photos: PhotoIndex | None = None,
        managers: list[str] | None = None,
        tz: ZoneInfo | None = None,
        inventory: StockSource | None = None,
        nudge_policy: NudgePolicy | None = None,
        retry_pause: float = 0.2,
    ) -> None:
        self.retry_pause = retry_pause
        self.inventory = inventory
        #: The LLM path's parts when it is on (wrapped into `filler` and `phraser` already);
        #: kept for /health, the typing indicator and shutdown.
        self.llm: Any | None = None
        self.nudge_policy = nudge_policy  # None: nudges are switched off
        self.store = store
        self.catalog = catalog
        self.filler = filler
        self.phraser = phraser
        self.answerer = answerer
        self.photos = photos
        self.managers = set(managers or [])
        self.locks = ChatLocks()
        self.machine = order_machine()
        self.intents = order_intents()
        self.desk = ManagerDesk(
            store,
            catalog,
            phraser.t,
            self.locks,
            tz or ZoneInfo("Asia/Almaty"),
            nudge_policy,
        )

    # -- the turn ---------------------------------------------------------------------------

    async def handle_message(self, msg: IncomingMessage) -> list[Outgoing]:
        """Store the message, then run its turn; returns what the turn queued to send."""
        if not await self.receive(msg):
            return []
        return await self.process(msg)

    async def receive(self, msg: IncomingMessage) -> bool:
        """Store a message before anything else; False when it was answered before."""
        is_new = await self.store.store_incoming(msg, normalize_phone(msg.chat_id))
        if not is_new and await self.store.is_processed(msg.message_id):
            log.info("duplicate", extra={"chat_id": msg.chat_id, "id": msg.message_id})
            return False
        return True

    async def process(self, msg: IncomingMessage) -> list[Outgoing]:
        """The turn of a stored message, after the chat's earlier turns. A turn that raises
        is retried; if it still fails the customer gets the polite fallback."""
        async with self.locks.hold(msg.chat_id):
            if await self.store.is_processed(msg.message_id):
                return []  # a redelivery that waited for the first copy's turn
            started = time.perf_counter()
            for attempt in range(1, TURN_TRIES + 1):
                try:
                    outgoing = await self._turn(msg)
                    break
                except Exception as err:
                    extra = {"chat_id": msg.chat_id, "id": msg.message_id, "attempt": attempt}
                    log.exception("turn failed", extra=extra)
                    if attempt == TURN_TRIES:
                        outgoing = await self._fail_safe(msg, err)
                        break
                    await asyncio.sleep(self.retry_pause * 2 ** (attempt - 1))
            ms = round((time.perf_counter() - started) * 1000, 1)
            log.info("turn", extra={"chat_id": msg.chat_id, "ms": ms})
            return outgoing

    async def _turn(self, msg: IncomingMessage) -> list[Outgoing]:
        phone = normalize_phone(msg.chat_id)
        if phone in self.managers and (command := parse_command(msg.text[:200])) is not None:
            reply = await self.desk.run(command, by=phone or msg.chat_id)
            outgoing = [Outgoing(msg.chat_id, "text", reply, to_manager=True)]
            await self.store.record_outgoing(outgoing, processed_id=msg.message_id)
            released = chat_id_for(command.phone) if command.name == "handoff_off" else None
            if released is not None and released != msg.chat_id:  # never our own lock again
                outgoing += await self.resume(released)
            return outgoing
        row = await self.store.load_conversation(msg.chat_id)
        if row.state == OrderState.HANDOFF:
            if await self.store.is_held(msg.message_id):
                log.info("held until the chat is released", extra={"chat_id": msg.chat_id})
                return []
            await self.store.mark_processed(msg.message_id)
            log.info("stored during handoff, no reply", extra={"chat_id": msg.chat_id})
            return []
        if self.inventory is not None:
            await self.inventory.load()  # the catalog reads the refreshed stock from it
        result = await self._decide(msg, row)
        return await self._act(msg, row, result)

    async def take_over(self, chat_id: str, by: str) -> None:
        """A manager typed in the customer's chat from the shop's phone: Alina steps aside."""
        await self.desk.take_over(chat_id, by)

    async def release(self, chat_id: str, by: str) -> list[Outgoing]:
        """A manager gives the chat back (the console's button); returns what was queued."""
        await self.desk.release(chat_id, by)
        return await self.resume(chat_id)

    async def resume(self, chat_id: str) -> list[Outgoing]:
        """The chat is Alina's again: answer, in order, the messages held by failed turns."""
        outgoing: list[Outgoing] = []
        try:
            for msg in await self.store.unprocessed_incoming(chat_id):
                outgoing += await self.process(msg)
        except Exception:  # they stay held: the next release or restart answers them
            log.exception("held messages not answered", extra={"chat_id": chat_id})
        return outgoing

    async def _decide(self, msg: IncomingMessage, row: ConversationRow) -> TurnResult:
        conv = Conversation.of(row, self.catalog)
        outcome = TurnOutcome(
            chat_id=row.chat_id,
            state=row.state,
            slots=row.slots,
            customer_name=first_name(msg.sender_name),
            seed=f"{row.chat_id}:{msg.message_id}",
        )
        result = TurnResult(outcome, conv)
        if msg.kind != "text" or not msg.text.strip():
            outcome.greet = row.turns == 0
            outcome.event = TurnEvent.NON_TEXT
            return result
        text = msg.text[:MAX_ANALYSED_CHARS]
        history = await self.store.recent_messages(
            msg.chat_id, msg.message_id, HISTORY_MESSAGES, MAX_ANALYSED_CHARS
        )
        pending = row.state  # an edit answers the question its original message answered
        if msg.edits:
            pending = await self.store.state_when_processed(msg.chat_id, msg.edits) or pending
        context = FillContext(state=pending, slots=row.slots, history=history, offered=row.offered)
        update = await self.filler.fill(text, context)
        if msg.edits and update.slot_values() and update.intent in EDITABLE_INTENTS:
            update.intent = Intent.CORRECT  # an edited message corrects what it said before
        outcome.greet = row.turns == 0 or update.intent == Intent.GREETING
        self._validate(update, outcome)
        reply = await self._answer(text, update, row, history)
        previous_product = conv.slots.product
        result.restarted = self._fire(conv, update, outcome)
        outcome.state, outcome.slots, outcome.issue = conv.state, conv.slots, conv.issue
        outcome.misses = conv.misses
        if (
            conv.state == row.state
            and update.intent != Intent.QUESTION
            and not (outcome.corrected or outcome.new_product or outcome.issue)
        ):
            # The same question again, but the message gave something else: say it was noted.
            filled, given = conv.slots.filled(), row.slots.filled()
            outcome.noted = [
                name for name in update.slot_values() if name in filled and name not in given
            ]
        listed: tuple[str, ...] = ()
        if reply is not None and outcome.event not in (TurnEvent.HANDOFF, TurnEvent.CANCELLED):
            outcome.answer = reply.text
            outcome.listed = listed = reply.listed
            if reply.text is None and reply.asked and not update.slot_values():
                outcome.event = outcome.event or TurnEvent.NO_ANSWER
        if conv.slots.product and conv.state not in (OrderState.HANDOFF, OrderState.CANCELLED):
            if outcome.new_product or update.wants_photos:
                await self._choose_photos(msg.chat_id, conv.slots.product, update, result)
        if conv.slots.product is not None or conv.state in (OrderState.HANDOFF, *FINAL_STATES):
            return result
        others = update.candidates
        if update.wants_other_product and previous_product and not others:
            others = self.phraser.alternatives(previous_product)
        if listed:  # the answer listed them already: they are the choice offered
            result.offered = list(listed)
        elif others:  # shown now, even while the city is asked: the customer sees what there is
            outcome.candidates = self._sellable(others, conv.slots)[:MAX_OFFERED]
            result.offered = list(outcome.candidates)
        else:  # shown before: still the choice, until something else is shown
            result.offered = list(row.offered)
            came_back = row.state != OrderState.ASK_PRODUCT  # the city came: which of them?
            if conv.state == OrderState.ASK_PRODUCT and row.offered and came_back:
                outcome.listed = tuple(row.offered)
            if update.wants_photos and row.offered:  # photos of which of them?
                outcome.photo_note, outcome.listed = "choose_first", tuple(row.offered)
        return result

    def _sellable(self, product_ids: list[str], slots: OrderSlots) -> list[str]:
        """The products worth offering: in stock, and in the size and colour the customer gave
        when some are; a sold-out one only when nothing else is (choosing it says so)."""
        live = [p for p in product_ids if self.catalog.check_availability(p).in_stock]
        fitting = [
            p for p in live if self.catalog.check_availability(p, slots.size, slots.color).in_stock
        ]
        return fitting or live or product_ids

    async def _answer(
        self, text: str, update: SlotUpdate, row: ConversationRow, history: list[tuple[str, str]]
    ) -> Reply | None:
        """The answer to a question, from the shop's data, about the product and colour the
        message names or the order has. A "question" without a question mark that the shop's
        data cannot answer ("как у блогерши одной") is no question: it is not understood."""
        if update.intent != Intent.QUESTION or update.wants_photos or update.unsold_product:
            if update.unsold_product or update.product or row.slots.product:
                return None
            return self.answerer.remark(text)  # "хочу сумку фурла", "сумки до 30к"
        slots = row.slots
        before = next((said for role, said in reversed(history) if role == "customer"), None)
        asked = update.question or text
        # Russian typed in Latin letters ("a vozvrat esli ne podoidet?") is asked in Cyrillic
        # when the Latin reading finds no answer.
        readings = [asked] if has_cyrillic(asked) else [asked, russian_from_latin(asked)]
        for question in readings:
            reply = await self.answerer.reply(
                question,
                update.product or slots.product,
                update.city or slots.city,
                update.color or slots.color,
                before,
                row.offered,
            )
            if reply.text is not None:
                break
        if reply.text is None and "?" not in text and not update.slot_values():
            update.intent = Intent.UNKNOWN
            return None
        return reply

    def _validate(self, update: SlotUpdate, outcome: TurnOutcome) -> None:
        """Keep only values the shop can act on; remember why the others were dropped, and
        what the reply should say back (a size read from a foot length, the nearest colour)."""
        if update.product is not None and self.catalog.get(update.product) is None:
            update.product = None
        if update.product is not None:
            update.product_type = self.catalog.product_type(update.product)
        if update.foreign_city and update.city is None:
            outcome.foreign_city = update.foreign_city
        if update.unsold_product and update.product is None:
            outcome.unsold = update.unsold_product
        if update.size is not None and update.size_from_foot_cm is not None:
            outcome.foot_size = (update.size_from_foot_cm, update.size, update.size_table)
        if update.color is not None and update.color_approximate and update.color_said:
            outcome.nearest_color = (update.color_said, update.color)

    def _fire(self, conv: Conversation, update: SlotUpdate, outcome: TurnOutcome) -> bool:
        """The intent table says which triggers this message fires; `route` first applies the
        message's values. Returns whether a new order was started."""
        conv.update = update
        rule = self.intents.lookup(conv, update.intent)
        for trigger in rule.triggers:
            if trigger == Trigger.ROUTE:
                self._merge(conv, update, outcome)
            self.machine.fire(conv, trigger)
        outcome.event = conv.event or rule.event
        return Trigger.RESTART in rule.triggers

    def _merge(self, conv: Conversation, update: SlotUpdate, outcome: TurnOutcome) -> None:
        """A new value replaces the old one; a colour the product never came in is dropped and
        the reply names the colours it has."""
        before = conv.slots
        conv.slots = merge_update(before, update, self.catalog)
        product = conv.slots.product
        outcome.new_product = product is not None and product != before.product
        if update.color and product and update.color not in self.catalog.colors(product):
            outcome.bad_color = update.color
            conv.slots = conv.slots.model_copy(update={"color": None})
        outcome.corrected = {
            name: value
            for name, value in conv.slots.filled().items()
            if name in update.slot_values() and before.filled().get(name) not in (None, value)
        }

    async def _choose_photos(
        self, chat_id: str, product_id: str, update: SlotUpdate, result: TurnResult
    ) -> None:
        """Photos of what can be sold today (in the customer's size, once known), of the colour
        the message or the order names; when asked for and none can go, the reply says why."""
        slots = result.conversation.slots
        choice = choose_photos(
            self.photos,
            product_id,
            update.color or slots.color,
            update.wants_photos,
            await self.store.sent_photo_keys(chat_id),
            self.catalog.check_availability(product_id, slots.size).colors,
        )
        result.photos, result.outcome.photo_note = choice.photos, choice.note
        result.outcome.has_photos = bool(choice.photos)

    async def _act(
        self, msg: IncomingMessage, row: ConversationRow, result: TurnResult
    ) -> list[Outgoing]:
        outcome, conv = result.outcome, result.conversation
        text = await self.phraser.phrase(outcome)
        outgoing = [
            Outgoing(msg.chat_id, "text", part.strip())
            for part in text.split(SPLIT)
            if part.strip()
        ]
        # Photos come before the question that follows them, not after "Всё верно?".
        at = max(0, len(outgoing) - 1) if len(outgoing) > 1 else len(outgoing)
        outgoing[at:at] = [_photo_outgoing(msg.chat_id, photo) for photo in result.photos]
        row.state, row.slots, row.turns = outcome.state, outcome.slots, row.turns + 1
        row.previous_state, row.misses = conv.previous_state, conv.misses
        row.offered = result.offered
        if result.restarted:
            row.order_id = None
        status, fields = self._order_status(outcome, row)
        # Written with the turn: an order is saved open from the turn its product was chosen,
        # so a confirmation's notice already knows its number.
        notices = self._manager_notices(msg, conv.effects, row)
        turn = TurnRecord(
            conversation=row,
            processed_id=msg.message_id,
            outgoing=outgoing + notices,
            order_status=status,
            order_fields=fields,
            phone=normalize_phone(msg.chat_id),
            changes=conv.changes,
            handoff_reason=msg.text[:200],
        )
        turn.nudge = after_turn(
            row.nudge,
            self.nudge_policy,
            row.state,
            customer_wrote=True,
            bot_spoke_at=turn.at if outgoing else None,
        )
        await self.store.save_turn(turn)
        return outgoing + notices

    async def _fail_safe(self, msg: IncomingMessage, error: Exception) -> list[Outgoing]:
        """The turn failed for good: a polite word to the customer, the chat to the managers
        with the error, and the message held unprocessed until the chat is given back to Alina
        (the log keeps the traceback)."""
        row = await self.store.load_conversation(msg.chat_id)
        conv = Conversation.of(row, self.catalog)
        self.machine.fire(conv, Trigger.HANDOFF)
        row.state, row.previous_state = conv.state, conv.previous_state
        t = self.phraser.t
        rng = random.Random(zlib.crc32(msg.message_id.encode()))
        outgoing = [Outgoing(msg.chat_id, "text", t.pick(rng, "internal_error"))]
        summary = f"{type(error).__name__}: {error}"[:300]
        notices = self._notices(
            "turn_failed",
            customer=msg.sender_name or t.get("manager", "unnamed_customer"),
            phone=normalize_phone(msg.chat_id) or msg.chat_id,
            error=summary,
        )
        turn = TurnRecord(
            conversation=row,
            processed_id=None,
            outgoing=outgoing + notices,
            changes=conv.changes,
            handoff_by="alina",
            handoff_reason=f"error: {summary}"[:200],
            held_id=msg.message_id,
        )
        turn.nudge = after_turn(
            row.nudge, self.nudge_policy, row.state, customer_wrote=True, bot_spoke_at=turn.at
        )
        await self.store.save_turn(turn)
        return outgoing + notices

    async def undelivered(self, chat_id: str, messages: list[PendingMessage]) -> None:
        """The outbox gave up on these messages to a customer: the managers hear it once."""
        notices = self._notices(
            "undelivered",
            phone=normalize_phone(chat_id) or chat_id,
            count=len(messages),
            texts="\n".join(f"• {text[:120]}" for text in texts_of(messages)),
        )
        if notices:
            await self.store.record_outgoing(notices)

    def _notices(self, template: str, **values: object) -> list[Outgoing]:
        """One message per manager from a `manager:` template."""
        text = str(self.phraser.t.get("manager", template)).format(**values).strip()
        return [
            Outgoing(chat_id_for(manager), "text", text, to_manager=True)
            for manager in sorted(self.managers)
        ]

    def _order_status(self, outcome: TurnOutcome, row: ConversationRow) -> tuple[str | None, dict]:
        slots = outcome.slots
        if outcome.event == TurnEvent.CONFIRMED:
            status = "confirmed"
        elif outcome.event == TurnEvent.CANCELLED:
            status = "cancelled" if row.order_id is not None or slots.product else None
        elif slots.product and (
            outcome.state in OPEN_STATES
            or (outcome.state == OrderState.HANDOFF and row.previous_state not in FINAL_STATES)
        ):
            status = "open"  # a handoff after the order was finished leaves the order as it is
        else:
            status = None
        if status is None:
            return None, {}
        product = self.catalog.get(slots.product)
        if product is None:
            return status, {"product_name": None, "price": None}
        price = self.catalog.price(product.id, slots.size, slots.color)
        return status, {"product_name": product.name, "price": price}

    def _manager_notices(
        self, msg: IncomingMessage, effects: list[str], row: ConversationRow
    ) -> list[Outgoing]:
        if NOTIFY_ORDER_CONFIRMED in effects:
            template = "order"
        elif NOTIFY_HANDOFF in effects:
            template = "handoff"
        else:
            return []
        return self._notices(
            template,
            order_id=row.order_id,
            customer=msg.sender_name or self.phraser.t.get("manager", "unnamed_customer"),
            phone=normalize_phone(msg.chat_id) or msg.chat_id,
            state=row.previous_state or row.state,
            lines=self.phraser.summary_lines(row.slots) if row.slots.product else "",
            said=msg.text[:300],
        )


def _photo_outgoing(chat_id: str, photo: PhotoRef) -> Outgoing:
    if photo.source == "local":
        return Outgoing(
            chat_id, "photo", photo_path=Path(photo.path_or_file_id), photo_key=photo.key
        )
    return Outgoing(chat_id, "photo", photo_file_id=photo.path_or_file_id, photo_key=photo.key)
