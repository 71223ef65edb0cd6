"""Typed slots: the only thing a slot filler (offline or LLM) may produce.

Business rules are decided by guards over these values, so every field is typed and
optional until the customer has given it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ProductType(StrEnum):
    SHOES = "shoes"
    BAG = "bag"
    ACCESSORY = "accessory"
    OTHER = "other"

    @property
    def has_sizes(self) -> bool:
        """Only shoes come in sizes: bags and accessories are never asked for one."""
        return self is ProductType.SHOES


class Intent(StrEnum):
    GREETING = "greeting"
    PROVIDE_INFO = "provide_info"
    QUESTION = "question"
    CONFIRM = "confirm"
    DENY = "deny"
    CORRECT = "correct"
    CANCEL = "cancel"
    ASK_MANAGER = "ask_manager"
    SMALLTALK = "smalltalk"
    REPEAT = "repeat"  # "повторите", "не поняла", a bare "?"
    NOT_SURE = "not_sure"  # "не знаю размер": help with the pending question, do not skip it
    UNKNOWN = "unknown"


SLOT_NAMES: tuple[str, ...] = ("city", "product", "product_type", "size", "color", "address")


class OrderSlots(BaseModel):
    """What the customer has told us about the order so far.

    `product` is the catalog product id; `size` is a normalised EU size string ("38", "37.5"),
    always None once a product without sizes is chosen (`slot_merge` keeps that true);
    `color` is a normalised catalog colour (lower case, "ё" folded to "е").
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    city: str | None = None
    product: str | None = None
    product_type: ProductType | None = None
    size: str | None = None
    color: str | None = None
    address: str | None = None

    def filled(self) -> dict[str, str]:
        """The slots that hold a value, for summaries and logs."""
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}


class SlotUpdate(BaseModel):
    """What one customer message contributed: slot values found plus the intent."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent = Intent.UNKNOWN
    city: str | None = None
    product: str | None = None
    product_type: ProductType | None = None
    size: str | None = None
    color: str | None = None
    address: str | None = None
    wants_photos: bool = False
    foreign_city: str | None = Field(
        default=None, description="A city outside Kazakhstan: the shop does not deliver there."
    )
    candidates: list[str] = Field(
        default_factory=list,
        description="Product ids the message may mean when it names no single product.",
    )
    unsold_product: str | None = Field(
        default=None,
        description="A kind of product the customer asked for that the shop does not sell.",
    )
    question: str | None = Field(
        default=None, description="The customer's question, when the message asks something."
    )
    wants_other_product: bool = Field(
        default=False, description='"хочу другие": another product, not another size or colour.'
    )
    size_from_foot_cm: float | None = Field(
        default=None, description="The size was converted from this foot length in cm."
    )
    size_table: str | None = Field(
        default=None, description='Whose size table converted it: "shop" or "default".'
    )
    color_said: str | None = Field(
        default=None, description="The customer's own colour word, when it was a shade."
    )
    color_approximate: bool = Field(
        default=False, description="The colour is the shop's nearest to the shade named."
    )

    def slot_values(self) -> dict[str, str]:
        """Only the slot fields that this message filled."""
        return {name: value for name in SLOT_NAMES if (value := getattr(self, name)) is not None}


class FillContext(BaseModel):
    """What a slot filler may know besides the message: where the dialogue stands.

    `history` (the last few messages, oldest first, role "customer" or "alina") lets an LLM
    read "да, те самые" in the light of what was said.
    """

    state: str = "greeting"
    slots: OrderSlots = Field(default_factory=OrderSlots)
    history: list[tuple[str, str]] = Field(default_factory=list)
    #: The products the last reply asked the customer to choose among ("лоферы или мюли?").
    offered: list[str] = Field(default_factory=list)

    @property
    def asking(self) -> str | None:
        """The slot the state just asked for, so a bare "38" or "Караганда" fills it."""
        # Imported here: the declarations import this module for `Intent`.
        from ottenok.states.order import QUESTIONS, OrderState

        return QUESTIONS.get(OrderState(self.state))
