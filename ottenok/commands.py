"""Manager commands sent from a manager's own WhatsApp: /handoff, /orders, /help.

Only chats whose phone is in MANAGER_NUMBERS get here; the same text from anyone else is an
ordinary customer message.
"""

from __future__ import annotations

from dataclasses import dataclass

from ottenok.phones import normalize_phone

HELP = (
    "Команды:\n"
    "/handoff on <телефон> — забрать чат у Алины\n"
    "/handoff off <телефон> — вернуть чат Алине\n"
    "/handoff status <телефон> — кто ведёт чат\n"
    "/orders [today] — подтверждённые заказы\n"
    "/help — эта справка"
)


@dataclass(slots=True)
class Command:
    name: str  # handoff_on | handoff_off | handoff_status | orders | help | invalid
    phone: str | None = None
    today: bool = False
    error: str | None = None


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
            return Command("invalid", error="Нужно: /handoff on|off|status <телефон>")
        phone = normalize_phone(phone_text)
        if phone is None:
            return Command(
                "invalid", error=f"Не понял номер «{phone_text.strip()}». Пример: +7 701 123 45 67"
            )
        return Command(f"handoff_{action}", phone=phone)
    return Command("invalid", error="Неизвестная команда. /help — список команд")
