"""Russian words for what the console shows: order states, nudge states, reasons, kinds.

The order machine's state names are the contract (ottenok/states/order.py); `FUNNEL` and
`SIDE_OUTCOMES` must cover exactly its states, which tests/test_web_queries.py checks.
"""

from __future__ import annotations

#: The questions in the order the machine asks them, ending with a confirmed order.
FUNNEL: tuple[str, ...] = (
    "greeting",
    "ask_city",
    "ask_product",
    "ask_size",
    "ask_color",
    "ask_address",
    "confirming",
    "confirmed",
)
#: Where a conversation can leave the funnel.
SIDE_OUTCOMES: tuple[str, ...] = ("cancelled", "handoff")

HANDOFF_STATE = "handoff"

STATE_LABELS: dict[str, str] = {
    "greeting": "Приветствие",
    "ask_city": "Город",
    "ask_product": "Выбор товара",
    "ask_size": "Размер",
    "ask_color": "Цвет",
    "ask_address": "Адрес",
    "confirming": "Подтверждение",
    "confirmed": "Заказ оформлен",
    "cancelled": "Отменён",
    "handoff": "У менеджера",
}

#: The groups the diagram draws once for all their states (ottenok/states/order.py).
GROUP_LABELS: dict[str, str] = {
    "open": "Любой этап до заказа",
    "finished": "Заказ завершён или отменён",
    "any": "Любой этап",
}

NUDGE_LABELS: dict[str, str] = {
    "active": "ждём ответа",
    "nudged_once": "напомнили 1 раз",
    "nudged_twice": "напомнили 2 раза",
    "stopped": "не напоминаем",
}

#: Why the machine sent a customer back to an earlier question (state_changes.reason).
REASON_LABELS: dict[str, str] = {
    "product": "Товар закончился",
    "size": "Нет нужного размера",
    "color": "Нет нужного цвета",
    "size_color": "Нет цвета в этом размере",
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

PRODUCT_TYPE_LABELS: dict[str, str] = {
    "shoes": "обувь",
    "bag": "сумка",
    "accessory": "аксессуар",
    "other": "другое",
}

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


def label(table: dict[str, str], key: object) -> str:
    """A label from `table`, or the raw value when the table does not know it yet."""
    name = str(getattr(key, "value", key) or "")
    return table.get(name, name or "—")
