"""The shop's own facts: its name, the assistant's name, delivery per place, payment,
installments and returns.

These are facts a reply states as the shop's promise, so each comes from the shop's files or is
left out: `DATA_DIR/shop.yaml` (the one documented place, see README "The shop's data"), else
what `knowledge.shop_info` derives from the shop's sales scripts. Nothing here has a default:
a shop that wrote no delivery terms gets no delivery days in any reply, and a shop that gave no
name is never greeted in one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ottenok.places import Place, PlaceKind, find_places


class Topic(StrEnum):
    """The shop facts customers ask about, each with the words that name it."""

    DELIVERY = "delivery"
    PAYMENT = "payment"
    INSTALLMENTS = "installments"
    RETURNS = "returns"


# General Russian (and a little Kazakh and English) vocabulary of each topic, as script
# headings, script sentences and customers' questions use it.
TOPIC_WORDS: dict[Topic, re.Pattern[str]] = {
    Topic.DELIVERY: re.compile(
        r"доставк|достав(?:ля|и|ит|ят|ка)|привез|привоз|отправ|(?<![а-я])(?:дойд[её]т|дойдут"
        r"|прид[её]т)|посылк|курьер|казпочт|почт(?:ой|а|у|ы)(?![а-я])|сдэк|cdek|самовывоз"
        r"|жеткіз|delivery|shipping",
        re.IGNORECASE,
    ),
    Topic.PAYMENT: re.compile(
        r"оплат|оплач|заплат|плат[её]ж|каспи|kaspi|налич(?:н|к)|картой|карт(?:а|у|ы)(?![а-я])|перевод"
        r"|qr|предоплат|наложенн|halyk|халык|төлем|payment|pay(?![a-z])",
        re.IGNORECASE,
    ),
    Topic.INSTALLMENTS: re.compile(
        r"рассроч|кредит|0-0-\d+|частями|(?:kaspi|каспи)\s*(?:red|ред)|(?<![a-zа-я])(?:red|ред)"
        r"(?![a-zа-я])|бөліп|installment",
        re.IGNORECASE,
    ),
    Topic.RETURNS: re.compile(
        r"возврат|вернуть|верн[уёе]т|верну(?![а-я])|обмен|обменя|сдать\s+обратно|қайтар"
        r"|return|exchange|refund",
        re.IGNORECASE,
    ),
}


def mentions_topic(text: str, topic: Topic) -> bool:
    return bool(TOPIC_WORDS[topic].search(text))


def topics_of(text: str) -> list[Topic]:
    """The shop-fact topics a text names, installments before payment (a question about
    "рассрочка Kaspi" asks about installments)."""
    return [topic for topic in ORDER if mentions_topic(text, topic)]


ORDER = (Topic.INSTALLMENTS, Topic.RETURNS, Topic.DELIVERY, Topic.PAYMENT)

#: `DeliveryRow.rank_for` of terms stated for no place: after the country's row.
GENERAL_RANK = 3

_AMOUNT_RE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+")
_FREE_RE = re.compile(r"бесплатн|free|тегін", re.IGNORECASE)


def parse_amount(value: Any) -> int | None:
    """A price as a shop writes it: 1500, "1 500 ₸", "1500 тг", "бесплатно" (0)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value)
    match = _AMOUNT_RE.search(text)
    if match:
        return int(re.sub(r"\D", "", match.group(0)))
    if _FREE_RE.search(text):
        return 0
    raise ValueError(f"not a price: {text!r} (write a number of tenge, e.g. 1500)")


class DeliveryRow(BaseModel):
    """Delivery to one place, in the shop's words.

    `where`: a city ("Алматы"), a region ("Алматинская область") or the whole country ("по
    Казахстану", "другие города"); one row may name several ("Алматы и область"). A row
    without `where` holds terms the shop states for every place ("при заказе от 60 000 ₸
    доставка бесплатная"): `ShopInfo` gives them to each row that does not say otherwise.
    `days` as the shop wrote them ("2–5 рабочих дней", "в тот же день при заказе до 15:00");
    `price` in tenge (0: free; `price_from`: "от 2 500 ₸"); `free_from`: the order sum from
    which delivery is free.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    where: str | None = None
    days: str | None = None
    price: int | None = None
    price_from: bool = False
    free_from: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _price_from(cls, data: Any) -> Any:
        """ "от 2 500 ₸" as the price: a starting price."""
        if isinstance(data, dict) and re.match(r"\s*(?:от|from)\s", str(data.get("price", ""))):
            data = {**data, "price_from": True}
        return data

    @field_validator("price", "free_from", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int | None:
        return parse_amount(value)

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> str | None:
        return None if value is None else str(value).strip() or None

    @cached_property
    def places(self) -> tuple[Place, ...]:
        return tuple(find_places(self.where)) if self.where else ()

    @property
    def is_general(self) -> bool:
        """Terms stated for no place in particular: they hold wherever no row says otherwise."""
        return self.where is None

    def rank_for(self, city: str) -> int | None:
        """How specifically the row covers a customer in `city` (0: the city's own row, 1: its
        region's, 2: the whole country's, 3: terms stated for no place); None when it does not
        cover it."""
        if self.is_general:
            return GENERAL_RANK
        ranks = [place.rank for place in self.places if place.covers(city)]
        return min(ranks) if ranks else None

    def under(self, general: DeliveryRow) -> DeliveryRow:
        """This row with the terms it leaves out taken from the shop's general ones; its own
        terms win ("по Алматы бесплатно от 30 000 ₸" keeps its threshold), and a row that is
        free anyway takes no threshold."""
        update: dict[str, Any] = {}
        if self.days is None and general.days is not None:
            update["days"] = general.days
        if self.price is None and general.price is not None:
            update["price"], update["price_from"] = general.price, general.price_from
        free = update.get("price", self.price) == 0
        if self.free_from is None and general.free_from is not None and not free:
            update["free_from"] = general.free_from
        return self.model_copy(update=update) if update else self

    @property
    def is_country_wide(self) -> bool:
        return any(place.kind == PlaceKind.COUNTRY for place in self.places)

    @property
    def has_terms(self) -> bool:
        return self.days is not None or self.price is not None or self.free_from is not None


class ShopInfo(BaseModel):
    """Every shop fact a reply may state; all optional. `sources` says where each given field
    came from ("shop.yaml" or "scripts"), for `ottenok check-shop` and the logs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    assistant: str | None = None
    delivery: tuple[DeliveryRow, ...] = ()
    payment: str | None = None
    installments: str | None = None
    returns: str | None = None
    sources: dict[str, str] = Field(default_factory=dict, exclude=True)

    @field_validator("delivery", mode="after")
    @classmethod
    def _spread_general_terms(cls, rows: tuple[DeliveryRow, ...]) -> tuple[DeliveryRow, ...]:
        return spread_general_terms(rows)

    @field_validator("name", "assistant", "payment", "installments", "returns", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = " ".join(str(value).split())
        return text or None

    def delivery_for(self, city: str | None) -> DeliveryRow | None:
        """The row that applies to a customer in `city`: the city's own row beats its
        region's, which beats the whole country's. None without a city or a row covering it."""
        if not city:
            return None
        ranked = [
            (rank, number, row)
            for number, row in enumerate(self.delivery)
            if row.has_terms and (rank := row.rank_for(city)) is not None
        ]
        return min(ranked, key=lambda item: item[:2])[2] if ranked else None

    def merged_over(self, derived: ShopInfo) -> ShopInfo:
        """This (the shop's own file) over facts derived from its scripts: every field the
        file gives wins whole, the others come from the scripts."""
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name in ("name", "assistant", "delivery", "payment", "installments", "returns"):
            own, other = getattr(self, name), getattr(derived, name)
            if own:
                values[name], sources[name] = own, self.sources.get(name, "shop.yaml")
            elif other:
                values[name], sources[name] = other, derived.sources.get(name, "scripts")
        return ShopInfo(**values, sources=sources)

    def missing(self) -> list[str]:
        """The facts a customer may ask about that the shop's files do not give."""
        return [
            name
            for name in ("name", "delivery", "payment", "installments", "returns")
            if not getattr(self, name)
        ]


def spread_general_terms(rows: Sequence[DeliveryRow]) -> tuple[DeliveryRow, ...]:
    """The rows with the terms stated for no place given to every place row that does not
    state its own. The general terms stay a row of their own only when no row names a place
    (then they are the shop's only delivery terms, for any city)."""
    general = [row for row in rows if row.is_general]
    placed = [row for row in rows if not row.is_general]
    if not general:
        return tuple(rows)
    merged = general[0]
    for row in general[1:]:
        merged = merged.under(row)
    if not placed:
        return (merged,)
    return tuple(row.under(merged) for row in placed)
