"""Alina's offline voice: Russian templates per state, filled from the turn's outcome.

This module only decides which pieces a turn needs and in what order; the words are in the
shop's templates (`ottenok/phrasing/templates.py`).
"""

from __future__ import annotations

import random
import zlib

from ottenok.assortment import Assortment
from ottenok.catalog import Catalog
from ottenok.conversation import IssueKind
from ottenok.outcome import TurnOutcome
from ottenok.phrasing.delivery_terms import delivery_terms
from ottenok.phrasing.templates import SPLIT, Templates
from ottenok.phrasing.words import join_words, price_text
from ottenok.shop_info import ShopInfo
from ottenok.slots import OrderSlots
from ottenok.states.order import QUESTIONS, OrderState, TurnEvent

#: The template each turn event is said with.
EVENT_TEMPLATES: dict[TurnEvent, str] = {
    TurnEvent.HANDOFF: "handoff",
    TurnEvent.CANCELLED: "cancelled",
    TurnEvent.CONFIRMED: "confirmed",
    TurnEvent.CORRECTED: "corrected",
    TurnEvent.DENY: "deny_at_summary",
    TurnEvent.ALREADY_CONFIRMED: "already_confirmed",
    TurnEvent.ALREADY_CANCELLED: "already_cancelled",
    TurnEvent.NON_TEXT: "non_text",
    TurnEvent.DIDNT_UNDERSTAND: "didnt_understand",
    TurnEvent.NO_ANSWER: "no_answer",
    TurnEvent.THANKS: "thanks",
    TurnEvent.NEW_ORDER: "new_order",
}
#: Events that end the reply: nothing about the order follows them.
FINAL_EVENTS = (TurnEvent.HANDOFF, TurnEvent.CANCELLED, TurnEvent.CONFIRMED)
#: Events a greeting already covers: a first "Здравствуйте" is no misunderstanding.
GREETING_COVERS = (TurnEvent.NEW_ORDER, TurnEvent.DIDNT_UNDERSTAND)


class OfflinePhraser:
    """Phrases a turn from templates; what runs without an LLM and whenever the LLM fails."""

    def __init__(
        self, templates: Templates, catalog: Catalog, shop: ShopInfo | None = None
    ) -> None:
        self.shop = shop or ShopInfo()
        self.t = templates.with_names(self.shop.name, self.shop.assistant)
        self.catalog = catalog
        self.assortment = Assortment(catalog)

    @property
    def kinds(self) -> str:
        """What this shop sells today, by kind, most common first ("сумки, лоферы и кеды")."""
        return join_words(self.assortment.kinds(), limit=5)

    def product_name(self, product_id: str | None) -> str:
        product = self.catalog.get(product_id)
        return product.name if product else ""

    async def phrase(self, outcome: TurnOutcome) -> str:
        return self.compose(outcome)

    def compose(self, o: TurnOutcome) -> str:
        rng = random.Random(zlib.crc32(o.seed.encode()))
        messages: list[str] = []
        if o.greet:
            name = f", {o.customer_name}" if o.customer_name else ""
            messages.append(self.t.pick(rng, "greeting", name=name))
        body: list[str] = []
        event_text = self._event(rng, o)
        if event_text is not None:
            body.append(event_text)
        if o.event in FINAL_EVENTS:
            messages.append(" ".join(body))
            return SPLIT.join(m for m in messages if m)
        if o.answer:
            body.append(o.answer)
        if o.photo_note:
            body.append(self.t.get("photos", o.photo_note))
        if o.foreign_city:
            body.append(self.t.pick(rng, "foreign_city"))
        if o.unsold:
            item = o.unsold
            body.append(
                self.t.pick(
                    rng, "unsold", item=item, Item=item[:1].upper() + item[1:], kinds=self.kinds
                )
            )
        body.extend(self._issue(rng, o))
        if o.new_product and o.slots.product and not o.issue:
            body.append(
                self.t.pick(
                    rng,
                    "product_chosen",
                    product=self.product_name(o.slots.product),
                    price=self._price(o.slots),
                )
            )
        if o.candidates:
            body.append(self.t.pick(rng, "ambiguous", options=self._options(o.candidates)))
        if o.event in (TurnEvent.ALREADY_CONFIRMED, TurnEvent.ALREADY_CANCELLED):
            messages.append(" ".join(body))
            return SPLIT.join(m for m in messages if m)
        if o.state == OrderState.CONFIRMING and o.event != TurnEvent.DENY:
            messages.append(" ".join(body))
            messages.append(self.summary(o.slots))
            messages.append(self.t.pick(rng, "ask", OrderState.CONFIRMING))
            return SPLIT.join(m for m in messages if m)
        question = self._question(rng, o)
        asks_product = o.state == OrderState.ASK_PRODUCT
        if question and not o.candidates and not (o.unsold and asks_product):
            body.append(question)
        messages.append(" ".join(b for b in body if b))
        return SPLIT.join(m for m in messages if m)

    def _event(self, rng: random.Random, o: TurnOutcome) -> str | None:
        event = o.event
        if event is None or (o.greet and event in GREETING_COVERS):
            return None
        if event == TurnEvent.DIDNT_UNDERSTAND and o.unsold:
            return None  # "we do not sell that" is the answer
        if event == TurnEvent.CORRECTED:
            return self.t.pick(rng, "corrected", changes=self._changes(o))
        return self.t.pick(rng, EVENT_TEMPLATES[event])

    def _changes(self, o: TurnOutcome) -> str:
        """ "размер 39 и цвет бежевый": what a correction changed, as the customer reads it."""
        labels = self.t.get("slot_labels")
        parts = []
        for name, value in o.corrected.items():
            if name == "product":
                parts.append(self.product_name(value))
            elif name in labels:
                parts.append(f"{labels[name]} {value}")
        return join_words(parts)

    def _question(self, rng: random.Random, o: TurnOutcome) -> str | None:
        if o.state not in QUESTIONS or o.state == OrderState.CONFIRMING:
            return None
        product = o.slots.product
        values: dict[str, str] = {"kinds": self.kinds}
        if product:
            availability = self.catalog.check_availability(product, None, o.slots.color)
            values["sizes"] = join_words(availability.sizes, limit=12) or "уточню"
            values["colors"] = join_words(
                self.catalog.check_availability(product, o.slots.size, None).colors
            )
        return self.t.pick(rng, "ask", o.state, **values)

    def _issue(self, rng: random.Random, o: TurnOutcome) -> list[str]:
        issue = o.issue
        if issue is None:
            if o.bad_color and o.slots.product:
                return [
                    self.t.pick(
                        rng,
                        "unknown_color",
                        colors=join_words(self.catalog.colors(o.slots.product)),
                    )
                ]
            return []
        if issue.kind == IssueKind.SIZE:
            alternatives = join_words(issue.alternatives)
            return [self.t.pick(rng, "issue", "size", size=issue.size, alternatives=alternatives)]
        if issue.kind == IssueKind.SIZE_COLOR:
            return [
                self.t.pick(
                    rng,
                    "issue",
                    "size_color",
                    color=issue.color,
                    size=issue.size,
                    sizes=join_words(issue.sizes, limit=10),
                    colors=join_words(issue.colors),
                )
            ]
        if issue.kind == IssueKind.COLOR:
            colors = join_words(issue.colors)
            return [self.t.pick(rng, "issue", "color", color=issue.color, colors=colors)]
        lines = [self.t.pick(rng, "issue", "product", product=self.product_name(issue.product_id))]
        similar = self.similar(issue.product_id)
        if similar:
            lines.append(self.t.pick(rng, "issue", "similar", options=join_words(similar, limit=3)))
        return lines

    def similar(self, product_id: str) -> list[str]:
        """In-stock products of the same type, closest in price first."""
        base = self.catalog.get(product_id)
        if base is None:
            return []
        base_price = self.catalog.price(product_id) or 0
        others = [
            p
            for p in self.catalog.products.values()
            if p.id != product_id
            and p.type == base.type
            and self.catalog.check_availability(p.id).in_stock
        ]
        others.sort(key=lambda p: abs((self.catalog.price(p.id) or 0) - base_price))
        return [f"{p.name} ({price_text(self.catalog.price(p.id))})" for p in others[:3]]

    def _options(self, product_ids: list[str]) -> str:
        return "\n".join(
            f"{n}) {self.product_name(pid)} — {price_text(self.catalog.price(pid))}"
            for n, pid in enumerate(product_ids, start=1)
        )

    def _price(self, slots: OrderSlots) -> str:
        assert slots.product is not None
        return price_text(self.catalog.price(slots.product, slots.size, slots.color))

    def delivery(self, slots: OrderSlots) -> str | None:
        """The delivery terms for the order's city from the shop's files; None when they give
        none (the summary then says nothing about delivery)."""
        row = self.shop.delivery_for(slots.city)
        if row is None:
            return None
        price = None
        if slots.product:
            price = self.catalog.price(slots.product, slots.size, slots.color)
        return delivery_terms(self.t, row, price)

    def summary_lines(self, slots: OrderSlots) -> str:
        """The order, one "• " line per fact, delivery last when the shop's files give it."""
        lines = self._order_lines(slots)
        terms = self.delivery(slots)
        if terms:
            lines.append("• " + self.t.get("delivery", "summary").format(terms=terms))
        return "\n".join(lines)

    def _order_lines(self, slots: OrderSlots) -> list[str]:
        lines = [f"• {self.product_name(slots.product)}"]
        details = []
        if slots.size:
            details.append(f"размер {slots.size}")
        if slots.color:
            details.append(f"цвет {slots.color}")
        if details:
            lines.append("• " + ", ".join(details))
        if slots.product:
            lines.append(f"• Цена: {self._price(slots)}")
        if slots.city:
            lines.append(f"• Город: {slots.city}")
        if slots.address:
            lines.append(f"• Адрес: {slots.address}")
        return lines

    def summary(self, slots: OrderSlots) -> str:
        """The order block. A shop's own older template may carry a {delivery} line: it is
        filled from the shop's facts, or dropped when they give none."""
        template = self.t.get("summary")
        if "{delivery}" not in template:
            return template.format(lines=self.summary_lines(slots))
        terms = self.delivery(slots)
        if terms is None:
            template = "\n".join(t for t in template.split("\n") if "{delivery}" not in t)
        return template.format(lines="\n".join(self._order_lines(slots)), delivery=terms or "")
