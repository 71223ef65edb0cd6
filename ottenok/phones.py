"""Kazakhstan phone numbers in the forms people type them, folded to 77011234567."""

from __future__ import annotations

import re


def normalize_phone(text: str) -> str | None:
    """Accept "+7 701 123 45 67", "87011234567", "77011234567", "77011234567@c.us".

    Returns the 11 digits starting with 7, or None when the text is not a phone number.
    """
    text = text.strip()
    if "@" in text:
        user, _, domain = text.partition("@")
        if domain != "c.us":
            return None
        text = user
    digits = re.sub(r"[\s()+\-.]", "", text)
    if not digits.isdigit():
        return None
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) == 10 and digits[0] == "7":
        digits = "7" + digits
    return digits if len(digits) == 11 and digits[0] == "7" else None


def chat_id_for(phone: str) -> str:
    return f"{phone}@c.us"
