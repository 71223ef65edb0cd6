"""Sales scripts and WhatsApp exports, and loading them from a shop folder."""

from __future__ import annotations

from datetime import datetime

import docx
import pytest

from knowledge.catalog_docx import DocumentError
from knowledge.chat_export import parse_chat_export
from knowledge.scripts_docx import parse_scripts
from knowledge.shop_files import load_chats, load_scripts
from tools.shop_writer import write_chat_export, write_scripts

SCRIPTS = {
    "Доставка": ["По Алматы привезём сегодня.", "В регионы — Казпочтой, 3–5 дней."],
    "Возврат": "Вернуть можно в течение 14 дней.",
}


def test_scripts_heading_and_following_paragraphs(tmp_path):
    path = write_scripts(tmp_path / "scripts.docx", SCRIPTS)
    sections = parse_scripts(path)
    assert [(s.topic, s.text) for s in sections] == [
        ("Доставка", "По Алматы привезём сегодня.\nВ регионы — Казпочтой, 3–5 дней."),
        ("Возврат", "Вернуть можно в течение 14 дней."),
    ]
    assert {s.source for s in sections} == {"scripts.docx"}


def test_scripts_keep_intro_text_and_tables(tmp_path):
    document = docx.Document()
    document.add_paragraph("Общие правила общения с клиентами.")
    document.add_heading("Тарифы доставки", level=2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Астана", "2 500 ₸"
    table.cell(1, 0).text, table.cell(1, 1).text = "Шымкент", "3 000 ₸"
    document.save(tmp_path / "pravila.docx")
    intro, tariffs = parse_scripts(tmp_path / "pravila.docx")
    assert (intro.topic, intro.text) == ("pravila", "Общие правила общения с клиентами.")
    assert tariffs.text == "Астана — 2 500 ₸\nШымкент — 3 000 ₸"


@pytest.mark.parametrize("style", ["android", "ios"])
def test_chat_export_both_formats_with_multiline_messages(tmp_path, style):
    messages = [
        (datetime(2026, 3, 12, 10, 15, 2), "Айгерим", "Здравствуйте!\nЛоферы есть в 38?"),
        (datetime(2026, 3, 12, 10, 17, 40), "Оттенок", "Да, есть: черные и молочные."),
    ]
    path = write_chat_export(tmp_path / "aigerim" / "chat.txt", messages, style=style)
    parsed = parse_chat_export(path)
    assert [(m.chat, m.author, m.text) for m in parsed] == [
        ("aigerim", "Айгерим", "Здравствуйте!\nЛоферы есть в 38?"),
        ("aigerim", "Оттенок", "Да, есть: черные и молочные."),
    ]
    sent = messages[0][0]
    assert parsed[0].timestamp == (sent.replace(second=0) if style == "android" else sent)


def test_chat_export_skips_system_lines_and_invisible_marks(tmp_path):
    text = (
        "\ufeff12.03.2026, 10:00 - Сообщения и звонки защищены сквозным шифрованием.\n"
        "продолжение системной строки\n"
        "\u200e[12.03.2026, 10:15:02] Дана: Добрый\u202fдень\n"
        "[12.03.26, 10:16:00] \u200eОттенок: \u200eизображение отсутствует\n"
        "3/12/26, 9:05\u202fPM - Дана: Спасибо\n"
    )
    path = tmp_path / "dana.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_chat_export(path, chat="dana")
    assert [(m.author, m.text) for m in parsed] == [
        ("Дана", "Добрый день"),
        ("Оттенок", "изображение отсутствует"),
        ("Дана", "Спасибо"),
    ]
    assert parsed[1].timestamp == datetime(2026, 3, 12, 10, 16)
    assert parsed[2].timestamp == datetime(2026, 12, 3, 21, 5)


def test_shop_folder_loaders(tmp_path):
    write_scripts(tmp_path / "knowledge_base" / "scripts" / "a.docx", SCRIPTS)
    (tmp_path / "knowledge_base" / "scripts" / "~$a.docx").write_bytes(b"lock")
    chats = tmp_path / "knowledge_base" / "chats"
    write_chat_export(
        chats / "madina" / "chat.txt", [(datetime(2026, 1, 2, 3, 4), "Мадина", "Салам")]
    )
    write_chat_export(chats / "loose.txt", [(datetime(2026, 1, 2, 3, 5), "Жанна", "Привет")], "ios")
    assert [s.topic for s in load_scripts(tmp_path)] == ["Доставка", "Возврат"]
    assert sorted((m.chat, m.text) for m in load_chats(tmp_path)) == [
        ("loose", "Привет"),
        ("madina", "Салам"),
    ]


def test_broken_script_names_the_file(tmp_path):
    folder = tmp_path / "knowledge_base" / "scripts"
    folder.mkdir(parents=True)
    (folder / "old.docx").write_text("это не docx", encoding="utf-8")
    with pytest.raises(DocumentError, match="old.docx"):
        load_scripts(tmp_path)
