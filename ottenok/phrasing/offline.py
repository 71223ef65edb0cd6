"""Alina's offline voice: Russian templates per state, filled from the turn's outcome.

This module only decides which pieces a turn needs and in what order; the words are in the
shop's templates (`ottenok/phrasing/templates.py`).
"""

from __future__ import annotations

import random
import zlib
from functools import cached_property

from ottenok.assortment import Assortment
from ottenok.catalog import Catalog
from ottenok.conversation import IssueKind
from ottenok.filling.product_words import ProductKinds
from ottenok.outcome import TurnOutcome
from ottenok.phrasing.delivery_terms import delivery_terms
from ottenok.phrasing.templates import SPLIT, Templates
from ottenok.phrasing.words import (
    capitalized,
    inflect_phrase,
    join_words,
    joined,
    mid_sentence,
    price_text,
    size_text,
)
from ottenok.product_vocabulary import TYPE_PLURALS
from ottenok.shop_info import ShopInfo
from ottenok.slots import OrderSlots, ProductType
from ottenok.states.order import OPTIONS_AFTER_MISSES, QUESTIONS, OrderState, TurnEvent

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
    TurnEvent.REPEAT: "repeat",
    TurnEvent.HELP: "help",
    TurnEvent.NEW_ORDER: "new_order",
}
#: Kinds named when the reply says what the shop sells: enough to show a shoe boutique's range.
KINDS_LISTED = 7
#: Beyond that, kinds are named by type, with this many examples each.
KINDS_PER_TYPE = 3
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
        """What this shop sells today, by kind, most common first ("сумки, лоферы и кеды");
        a shop of many kinds by type: "обувь (кроссовки, кеды, туфли…), сумки и аксессуары
        (кошельки, очки)", so no kind it sells goes unmentioned."""
        kinds = self.assortment.kinds()
        if len(kinds) <= KINDS_LISTED:
            return join_words(kinds, limit=KINDS_LISTED)
        groups = []
        for product_type, _, of_type in self.assortment.kinds_by_type():
            label = TYPE_PLURALS[product_type]
            examples = [kind for kind in of_type if kind != label]
            if len(of_type) <= 2 or product_type == ProductType.OTHER or not examples:
                groups.extend(of_type)
                continue
            more = "…" if len(examples) > KINDS_PER_TYPE else ""
            groups.append(f"{label} ({', '.join(examples[:KINDS_PER_TYPE])}{more})")
        return join_words(groups, limit=len(groups))

    def product_name(self, product_id: str | None) -> str:
        product = self.catalog.get(product_id)
        return product.name if product else ""

    async def phrase(self, outcome: TurnOutcome) -> str:
        return self.compose(outcome)

    def compose(self, o: TurnOutcome) -> str:
        """The reply's parts, joined with SPLIT: greeting, what happened, facts, the question."""
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
            messages.append(joined(body))
            return SPLIT.join(m for m in messages if m)
        body.extend(self._said_back(rng, o))
        labels = self.t.get("slot_labels")
        noted = [labels[name] for name in o.noted if name in labels]
        if noted:
            body.append(capitalized(self.t.pick(rng, "noted", what=join_words(noted))))
        if o.answer and not self._said_by_issue(o):
            body.append(o.answer)
        if o.photo_note:
            body.append(self.t.get("photos", o.photo_note))
        if o.foreign_city:
            body.append(self.t.pick(rng, "foreign_city"))
        if o.unsold:
            body.append(self._unsold(rng, o.unsold))
        body.extend(self._issue(rng, o))
        summary_follows = o.state == OrderState.CONFIRMING and o.event != TurnEvent.DENY
        sellable = o.slots.product and self.catalog.check_availability(o.slots.product).in_stock
        if o.new_product and sellable and not o.issue and not summary_follows:
            name, price = self.product_name(o.slots.product), self._price(o.slots)
            if o.answer and name in o.answer:  # the answer named it: only the price is new
                if price not in o.answer:
                    body.append(self.t.pick(rng, "product_price", price=price))
            else:
                body.append(self.t.pick(rng, "product_chosen", product=name, price=price))
        if o.candidates:
            # Asked to choose now, or shown while another question (the city) comes first.
            key = "ambiguous" if o.state == OrderState.ASK_PRODUCT else "options_first"
            body.append(self.t.pick(rng, key, options=self._options(o.candidates)))
        if o.event in (TurnEvent.ALREADY_CONFIRMED, TurnEvent.ALREADY_CANCELLED):
            messages.append(joined(body))
            return SPLIT.join(m for m in messages if m)
        if summary_follows:
            messages.append(joined(body))
            messages.append(self.summary(o.slots))
            key = "ask_options" if o.misses >= OPTIONS_AFTER_MISSES else "ask"
            messages.append(self.t.pick(rng, key, OrderState.CONFIRMING))
            return SPLIT.join(m for m in messages if m)
        question = self._question(rng, o)
        asks_product = o.state == OrderState.ASK_PRODUCT
        chooses_now = o.candidates and asks_product
        if question and not chooses_now and not (o.unsold and asks_product):
            if o.has_photos:  # the photos go between the body and the question
                said = joined(body)
                messages.append(said or self.t.get("photos", "here"))
                body = []
            body.append(question)
        messages.append(joined(body))
        return SPLIT.join(m for m in messages if m)

    def _said_by_issue(self, o: TurnOutcome) -> bool:
        """An answer about the product a stock issue is about: the issue line says it better
        (what is missing and what there is), and once."""
        if o.issue is None or not o.answer:
            return False
        return self.product_name(o.issue.product_id) in o.answer

    def _said_back(self, rng: random.Random, o: TurnOutcome) -> list[str]:
        """What the customer said in another form than the shop's: a foot length read as a
        size (by whose table), a shade read as the shop's nearest colour."""
        lines = []
        if o.foot_size is not None:
            cm, size, table = o.foot_size
            key = "shop" if table == "shop" else "default"
            length = f"{cm:g}".replace(".", ",")
            lines.append(self.t.pick(rng, "foot_size", key, cm=length, size=size_text(size)))
        if o.nearest_color is not None:
            said, color = o.nearest_color
            lines.append(self.t.pick(rng, "nearest_color", said=said, color=color))
        return lines

    def _unsold(self, rng: random.Random, item: str) -> str:
        """ "Мужской обуви у нас нет": the kind asked for, agreed in case."""
        return self.t.pick(
            rng,
            "unsold",
            item_gen=inflect_phrase(item, "gent", plural=True),
            Item_gen=capitalized(inflect_phrase(item, "gent", plural=True)),
            kinds=self.kinds,
        )

    def _event(self, rng: random.Random, o: TurnOutcome) -> str | None:
        event = o.event
        if event is None or (o.greet and event in GREETING_COVERS):
            return None
        if event == TurnEvent.DIDNT_UNDERSTAND and o.unsold:
            return None  # "we do not sell that" is the answer
        if event == TurnEvent.CORRECTED:
            if o.state == OrderState.CONFIRMING:
                return self.t.pick(rng, "corrected_in_summary")
            changes = self._changes(o)
            return self.t.pick(rng, "corrected", changes=changes) if changes else None
        return self.t.pick(rng, EVENT_TEMPLATES[event])

    def _changes(self, o: TurnOutcome) -> str:
        """ "размер 39 и цвет бежевый": what a correction changed, as the customer reads it.
        A new product is left to the line that presents it with its price."""
        labels = self.t.get("slot_labels")
        parts = []
        for name, value in o.corrected.items():
            if name == "product":
                if not o.new_product:
                    parts.append(self.product_name(value))
            elif name in labels:
                parts.append(f"{labels[name]} {value}")
        return join_words(parts)

    def _question(self, rng: random.Random, o: TurnOutcome) -> str | None:
        """The pending question: with the concrete options once it was missed twice (or the
        customer is not sure), briefly when a stock issue just listed the options."""
        if o.state not in QUESTIONS or o.state == OrderState.CONFIRMING:
            return None
        if o.state == OrderState.ASK_PRODUCT and o.listed:
            return self.t.pick(rng, "ask_choice")
        product = o.slots.product
        values: dict[str, str] = {}
        if o.state == OrderState.ASK_PRODUCT:  # only the product question names the kinds
            values["kinds"] = self._kinds_to_offer(o)
        options: list[str] = []
        if product:
            availability = self.catalog.check_availability(product, None, o.slots.color)
            colors = self.catalog.check_availability(product, o.slots.size, None).colors
            values["sizes"] = join_words(availability.sizes, limit=12) or "уточню"
            values["colors"] = join_words(colors)
            values["example"] = size_text(
                availability.sizes[len(availability.sizes) // 2] if availability.sizes else "38"
            )
            options = availability.sizes if o.state == OrderState.ASK_SIZE else colors
        if len(options) == 1 and o.state in (OrderState.ASK_SIZE, OrderState.ASK_COLOR):
            return self.t.pick(rng, "ask_single", o.state, **values)  # a yes takes it
        if o.misses >= OPTIONS_AFTER_MISSES or o.event == TurnEvent.HELP:
            return self.t.pick(rng, "ask_options", o.state, **values)
        listed = values.get("sizes" if o.state == OrderState.ASK_SIZE else "colors")
        already_said = (
            o.issue is not None
            or o.bad_color is not None
            or bool(listed and o.answer and listed in o.answer)
        )
        if already_said and o.state in (OrderState.ASK_SIZE, OrderState.ASK_COLOR):
            return self.t.pick(rng, "ask_short", o.state)
        return self.t.pick(rng, "ask", o.state, **values)

    def _kinds_to_offer(self, o: TurnOutcome) -> str:
        """The shop's kinds; after a pair sold out, the other kinds of its type ("ботинки,
        челси"), not the bags."""
        if o.issue is not None and o.issue.kind == IssueKind.PRODUCT:
            kinds = self.assortment.kinds(self.catalog.product_type(o.issue.product_id))
            if kinds:
                return join_words(kinds, limit=KINDS_LISTED)
        return self.kinds

    def _issue(self, rng: random.Random, o: TurnOutcome) -> list[str]:
        issue = o.issue
        if issue is None:
            if o.bad_color and o.slots.product:
                # What can be had, in the size chosen: the question after it is short.
                live = self.catalog.check_availability(o.slots.product, o.slots.size).colors
                colors = join_words(live or self.catalog.colors(o.slots.product))
                return [self.t.pick(rng, "unknown_color", colors=colors)]
            return []
        if issue.kind == IssueKind.SIZE:
            alternatives = join_words(issue.alternatives)
            size = size_text(issue.size or "")
            return [self.t.pick(rng, "issue", "size", size=size, alternatives=alternatives)]
        if issue.kind == IssueKind.SIZE_COLOR:
            return [
                self.t.pick(
                    rng,
                    "issue",
                    "size_color",
                    color=issue.color,
                    size=size_text(issue.size or ""),
                    sizes=join_words(issue.sizes, limit=10),
                    colors=join_words(issue.colors),
                )
            ]
        if issue.kind == IssueKind.COLOR:
            colors = join_words(issue.colors)
            return [self.t.pick(rng, "issue", "color", color=issue.color, colors=colors)]
        name = mid_sentence(self.product_name(issue.product_id))
        lines = [self.t.pick(rng, "issue", "product", product=name)]
        similar = self.similar(issue.product_id)
        if similar:
            lines.append(self.t.pick(rng, "issue", "similar", options=join_words(similar, limit=3)))
        return lines

    def similar(self, product_id: str) -> list[str]:
        """Other products of the same kind in stock, with prices, closest in price first."""
        return [
            f"{self.product_name(pid)} ({price_text(self.catalog.price(pid))})"
            for pid in self.alternatives(product_id)[:3]
        ]

    def alternatives(self, product_id: str) -> list[str]:
        """In-stock products of the kind the product's name names ("лоферы" for a loafer),
        closest in price first: what a shop assistant offers instead, never another kind."""
        base = self.catalog.get(product_id)
        if base is None:
            return []
        base_price = self.catalog.price(product_id) or 0
        others = [
            pid
            for pid in self.product_kinds.products_for(base.name)
            if pid != product_id and self.catalog.check_availability(pid).in_stock
        ]
        return sorted(others, key=lambda pid: abs((self.catalog.price(pid) or 0) - base_price))

    @cached_property
    def product_kinds(self) -> ProductKinds:
        return ProductKinds(self.catalog)

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
            details.append(f"размер {size_text(slots.size)}")
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
