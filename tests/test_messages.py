"""Whom Alina addresses: the customer's given name from the WhatsApp name, or nobody."""

from __future__ import annotations

import pytest

from ottenok.messages import first_name


@pytest.mark.parametrize(
    ("sender", "name"),
    [
        ("Асель💕", "Асель"), ("💕Асель", "Асель"), ("Дана 🌸", "Дана"), ("мадина", "Мадина"),
        ("АЙГЕРИМ", "Айгерим"), ("Иванова Жанар", "Жанар"), ("Айгерим Б.", "Айгерим"),
        ("Tomiris", "Tomiris"), ("Назерке ✨ Алматы", "Назерке"), ("Әсем", "Әсем"),
        ("Анна-Мария", "Анна-Мария"),
    ],
)  # fmt: skip
def test_the_name_without_decorations(sender, name):
    assert first_name(sender) == name


@pytest.mark.parametrize(
    "sender",
    [
        None, "", ".", "🌸", "Клиент", "Покупатель", "Любимая", "Mama", "Client",
        "+7 701 123 45 67", "87011234567", "Shoes_KZ", "ТОО Ромашка", "Бутик Жанар",
        "shoes.kz", "А.С.", "AS", "А. Иванова", "Мама Алихана",
    ],
)  # fmt: skip
def test_no_name_for_what_is_not_a_persons_name(sender):
    assert first_name(sender) is None
