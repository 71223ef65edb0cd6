"""What the LLM may answer when it reads a message, and how each value is checked.

The model chooses among the shop's real options: product ids from the candidates it was shown,
sizes and colours that product is made in, an intent the intent table of
ottenok/states/order.py gives a row in the current state (`intents_in`). Every value is checked
against the turn's `ReadingContext` (instructor's validation context); a failed check goes back
to the model with the validator's message (instructor's re-ask). Values a customer must have
said (a city, an address) must be found in what the customer wrote: the model may normalise
them, not invent them.

Sizes and colours are checked against every variant of the product in the live inventory (read
this turn), sold out or not: a size the product was never made in is the model's mistake and is
re-asked; a sold-out one is what the customer asked for, and the machine answers it (sold out,
here is what is left). Rejecting it would make the model swap in a size nobody asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ottenok.morphology import to_latin, words
from ottenok.normalize import normalize_color, normalize_size
from ottenok.slots import Intent
from ottenok.states.order import ANY, INTENTS

#: The key of the `ReadingContext` in instructor's validation context (which must be a dict).
CONTEXT_KEY = "reading"
#: Share of an address's names that must appear in what the customer wrote.
ADDRESS_GROUNDING = 0.5
# Words a model may spell out or shorten in an address ("ул." → "улица"): not names.
_ADDRESS_WORDS = frozenset(
    "улица ул проспект пр просп переулок пер бульвар бр шоссе микрорайон мкр мкрн квартира кв"
    " дом д корпус корп подъезд этаж офис блок город г село поселок пос".split()
)


def intents_in(state: str, table: list[dict[str, Any]] = INTENTS) -> frozenset[Intent]:
    """The intents the intent table gives a row in `state` (a row's guards aside): what a
    reading may say a message does there. With today's table every intent has a row in every
    state a message is read in (the last row takes any intent in an open state); the check
    keeps the model inside the table when rows change."""
    found: set[Intent] = set()
    for row in table:
        sources = row["source"]
        if sources != ANY and state not in (sources if isinstance(sources, list) else [sources]):
            continue
        found |= set(Intent) if row["intent"] == ANY else set(row["intent"])
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class ProductOptions:
    """A candidate product as the model sees it: every size and colour it is made in, in stock
    or not (see the module's docstring)."""

    sizes: tuple[str, ...]
    colors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReadingContext:
    """What the values of one reading are checked against."""

    products: dict[str, ProductOptions]
    current_product: str | None
    shop_sizes: frozenset[str]
    shop_colors: frozenset[str]
    said: str  # what the customer wrote: the message and their recent messages, folded
    intents: frozenset[Intent]  # what a message may do in this state
    lenient: bool = False  # salvage: drop invalid values instead of failing

    def lenient_copy(self) -> ReadingContext:
        return replace(self, lenient=True)


class SlotReading(BaseModel):
    """One customer message, read into the order's typed fields."""

    intent: Intent = Field(description="What the message does (see the intents).")
    product_id: str | None = Field(
        default=None, description="The id of the product meant, from Candidate products."
    )
    size: str | None = Field(default=None, description="EU shoe size as listed, e.g. 38 or 37.5")
    color: str | None = Field(default=None, description="A colour exactly as listed.")
    city: str | None = Field(default=None, description="The delivery city the customer names.")
    address: str | None = Field(default=None, description="Street, house, flat as written.")
    question: str | None = Field(default=None, description="The customer's question, if any.")
    wants_photos: bool = Field(default=False, description="Asks to see photos or videos.")

    @field_validator("size", mode="before")
    @classmethod
    def _size_form(cls, value: Any) -> Any:
        return normalize_size(value) if value is not None else None

    @field_validator("color", mode="before")
    @classmethod
    def _color_form(cls, value: Any) -> Any:
        return normalize_color(value) if isinstance(value, str) else value

    @field_validator("city", "address", "question", "product_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return value.strip() or None if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_against_shop(self, info: ValidationInfo) -> SlotReading:
        context = (info.context or {}).get(CONTEXT_KEY)
        if context is None:
            return self
        found = problems(self, context)
        if not found:
            return self
        if context.lenient:
            for name in found:
                setattr(self, name, Intent.UNKNOWN if name == "intent" else None)
            return self
        raise ValueError("; ".join(f"{name}: {why}" for name, why in found.items()))


def problems(reading: SlotReading, context: ReadingContext) -> dict[str, str]:
    """Field → why its value cannot be used, for every field that fails a shop check."""
    found: dict[str, str] = {}
    if reading.intent not in context.intents:
        allowed = ", ".join(i.value for i in Intent if i in context.intents) or "none"
        found["intent"] = f"{reading.intent.value!r} is not an intent here; use one of: {allowed}"
    product = reading.product_id
    if product is not None and product not in context.products:
        ids = ", ".join(context.products) or "none"
        found["product_id"] = f"unknown id {product!r}; use one of: {ids}; or null"
        product = None
    product = product or context.current_product
    options = context.products.get(product) if product else None
    if reading.size is not None:
        sizes = options.sizes if options else tuple(sorted(context.shop_sizes))
        if reading.size not in sizes:
            found["size"] = f"{reading.size!r} is not a size this product is made in: " + (
                ", ".join(sizes) or "none (no size needed)"
            )
    if reading.color is not None:
        colors = options.colors if options else tuple(sorted(context.shop_colors))
        if reading.color not in colors:
            found["color"] = f"{reading.color!r} is not a colour this product is made in: " + (
                ", ".join(colors) or "none"
            )
    if reading.city is not None and not _grounded_name(reading.city, context.said):
        found["city"] = "the customer did not name this city; null unless they did"
    if reading.address is not None and not _grounded_address(reading.address, context.said):
        found["address"] = "use the address exactly as the customer wrote it, or null"
    return found


def salvage(arguments: dict[str, Any] | None, context: ReadingContext) -> SlotReading | None:
    """The valid part of an answer that failed validation after every re-ask: type errors
    and failed checks drop their fields; None when nothing usable is left."""
    if not arguments:
        return None
    data = {k: v for k, v in arguments.items() if k in SlotReading.model_fields}
    for _ in range(len(SlotReading.model_fields)):
        try:
            reading = SlotReading.model_validate(
                data, context={CONTEXT_KEY: context.lenient_copy()}
            )
        except ValidationError as err:
            names = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
            if not names:
                return None
            for name in names:
                data.pop(name, None)
            data.setdefault("intent", Intent.UNKNOWN.value)
            continue
        empty = reading.intent == Intent.UNKNOWN and not reading.model_dump(
            exclude={"intent", "wants_photos"}, exclude_none=True
        )
        return None if empty else reading
    return None


def _stems(text: str) -> set[str]:
    stems = set()
    for word in words(text):
        stem = word[:5]
        stems |= {stem, to_latin(stem)}
    return stems


def _grounded_name(name: str, said: str) -> bool:
    """Every word of a name (from three letters) was written by the customer, inflected or
    transliterated: "Караганда" for "из караганды", "Алматы" for "almaty"."""
    said_stems = _stems(said)
    parts = [w for w in words(name) if len(w) >= 3]
    return bool(parts) and all({w[:5], to_latin(w[:5])} & said_stems for w in parts)


def _grounded_address(address: str, said: str) -> bool:
    """Its numbers were all written by the customer, and most of its words."""
    parts = words(address)
    said_stems = _stems(said)
    said_words = set(words(said))
    numbers = [w for w in parts if w.isdigit()]
    if any(n not in said_words for n in numbers):
        return False
    names = [w for w in parts if not w.isdigit() and w not in _ADDRESS_WORDS]
    if not names:
        return bool(numbers)
    hits = sum(1 for w in names if {w[:5], to_latin(w[:5])} & said_stems)
    return hits >= ADDRESS_GROUNDING * len(names)
