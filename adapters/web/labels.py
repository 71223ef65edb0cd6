"""Russian words for what the console shows: order states, nudge states, reasons, kinds.

The machines' declarations own the names (ottenok/states/): every table here is keyed by their
enums, and tests/test_web_read_model.py checks that the funnel and the labels cover every
state of the order machine.
"""

from __future__ import annotations

from collections.abc import Mapping

from ottenok.actions.order import UNSOLD
from ottenok.conversation import IssueKind
from ottenok.diagrams import BUT
from ottenok.product_vocabulary import TYPE_LABELS
from ottenok.states.nudge import NudgeState
from ottenok.states.order import INITIAL, QUESTIONS, STATES, OrderState

#: The machine's path to an order: where it starts, its questions in the order it asks them,
#: and the confirmed order.
FUNNEL: tuple[OrderState, ...] = (INITIAL, *QUESTIONS, OrderState.CONFIRMED)
#: Where a conversation can leave the funnel (cancelled, a manager took it).
SIDE_OUTCOMES: tuple[OrderState, ...] = tuple(s for s in STATES if s not in FUNNEL)
#: How the funnel colours each way out.
OUTCOME_TONES: dict[OrderState, str] = {OrderState.CANCELLED: "bad", OrderState.HANDOFF: "warn"}

STATE_LABELS: dict[OrderState, str] = {
    OrderState.GREETING: "Приветствие",
    OrderState.ASK_CITY: "Город",
    OrderState.ASK_PRODUCT: "Выбор товара",
    OrderState.ASK_SIZE: "Размер",
    OrderState.ASK_COLOR: "Цвет",
    OrderState.ASK_ADDRESS: "Адрес",
    OrderState.CONFIRMING: "Подтверждение",
    OrderState.CONFIRMED: "Заказ оформлен",
    OrderState.CANCELLED: "Отменён",
    OrderState.HANDOFF: "У менеджера",
}

#: The groups the diagram draws once for all their states (ottenok/states/order.py).
GROUP_LABELS: dict[str, str] = {
    "open": "Любой этап до заказа",
    "finished": "Заказ завершён или отменён",
    "any": "Любой этап",
}

NUDGE_LABELS: dict[NudgeState, str] = {
    NudgeState.ACTIVE: "ждём ответа",
    NudgeState.NUDGED_ONCE: "напомнили 1 раз",
    NudgeState.NUDGED_TWICE: "напомнили 2 раза",
    NudgeState.STOPPED: "не напоминаем",
}

#: Why the machine asked a customer again (state_changes.reason): what was out of stock, or a
#: product the shop does not sell.
REASON_LABELS: dict[str, str] = {
    IssueKind.PRODUCT: "Товар закончился",
    IssueKind.SIZE: "Нет нужного размера",
    IssueKind.COLOR: "Нет нужного цвета",
    IssueKind.SIZE_COLOR: "Нет цвета в этом размере",
    UNSOLD: "Спрашивали товар, которого в магазине нет",
}

ORDER_STATUS_LABELS: dict[str, str] = {
    "open": "В работе",
    "confirmed": "Подтверждён",
    "cancelled": "Отменён",
}

KIND_LABELS: dict[str, str] = {
    "audio": "Голосовое сообщение",
    "image": "Фото",
    "video": "Видео",
    "document": "Документ",
    "sticker": "Стикер",
    "location": "Геолокация",
}

SLOT_LABELS: dict[str, str] = {
    "city": "Город",
    "product": "Товар",
    "product_type": "Тип",
    "size": "Размер",
    "color": "Цвет",
    "address": "Адрес",
}

#: The catalog's own words for the product types.
PRODUCT_TYPE_LABELS = TYPE_LABELS

#: Who moved a chat to a manager (state_changes.reason of a handoff); a phone shows as is.
HANDOFF_BY_LABELS: dict[str, str] = {
    "customer": "по просьбе клиента",
    "console": "из консоли",
    "shop phone": "с телефона магазина",
    "": "без пометки",
}

CHANNEL_LABELS: dict[str, str] = {"whatsapp": "WhatsApp", "sandbox": "Песочница"}


def state_label(state: object) -> str:
    name = str(getattr(state, "value", state) or "")
    return STATE_LABELS.get(name, name or "—")


def group_label(box: str) -> str:
    """A diagram box: "Любой этап до заказа", or "Любой этап, кроме «У менеджера»" for a group
    less one state (ottenok/diagrams.py)."""
    group, _, but = box.partition(BUT)
    name = GROUP_LABELS.get(group, group)
    return f"{name}, кроме «{state_label(but)}»" if but else name


def label(table: Mapping[str, str], key: object) -> str:
    """A label from `table`, or the raw value when the table does not know it yet."""
    name = str(getattr(key, "value", key) or "")
    return table.get(name, name or "—")
