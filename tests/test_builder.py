"""The knowledge builder over shops written to disk: counts, idempotence, any shop via DATA_DIR."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from adapters.chroma_store import CHATS, PRODUCTS, SCRIPTS, KnowledgeStore
from app.cli import main as cli
from knowledge import builder
from knowledge.builder import build_knowledge, chat_documents, script_documents
from knowledge.documents import ChatMessage, ScriptSection
from knowledge.embeddings import NavecHashEmbedding
from tools.shop_writer import (
    write_catalog_headings,
    write_catalog_table,
    write_chat_export,
    write_inventory,
    write_photos,
    write_scripts,
)


def knowledge_command(args: list[str]) -> int:
    """`ottenok knowledge ARGS` in this process, so capsys sees what it prints."""
    cli(["knowledge", *args], standalone_mode=False)
    return 0


SHOP_A_PRODUCTS = [
    {"name": "Мюли Aster Soft", "type": "обувь", "brand": "Aster", "brand_ru": "Астер",
     "price": 45900, "colors": ["молочный", "черный"], "sizes": [36, 37, 38],
     "material": "натуральная кожа", "description": "Мягкие мюли на плоском ходу."},
    {"name": "Сумка-тоут Lumen", "type": "сумка", "brand": "Lumen", "brand_ru": "Люмен",
     "price": 78000, "colors": ["коричневый"], "material": "замша",
     "description": "Вместительная сумка для города."},
]  # fmt: skip
SHOP_A_SCRIPTS = {
    "Доставка": ["По городу курьером за 1 день, 1 000 ₸.", "В регионы отправляем почтой."],
    "Рассрочка": "Оформим рассрочку Kaspi Red на 12 месяцев без переплат.",
    "Возврат": "Вернуть или обменять можно в течение 14 дней при сохранении бирок.",
}
SHOP_B_PRODUCTS = [
    {"name": "Кеды Polar Wave", "type": "обувь", "brand": "Polar", "brand_ru": "Полар",
     "price": 32000, "colors": ["белый"], "sizes": [39, 40]},
    {"name": "Ремень Orion", "brand": "Orion", "price": 15000, "colors": ["черный"]},
    {"name": "Клатч Nova", "price": 27000, "colors": ["золотой"]},
]  # fmt: skip


def inventory_rows(products):
    for product in products:
        for color in product["colors"]:
            for size in product.get("sizes") or [None]:
                yield {"product_name": product["name"], "size": size, "color": color,
                       "quantity": 2, "price": product["price"]}  # fmt: skip


def chat(start: datetime, lines: list[tuple[str, str]]) -> list[tuple[datetime, str, str]]:
    return [(start + timedelta(minutes=i), author, text) for i, (author, text) in enumerate(lines)]


def write_shop_a(root):
    write_inventory(root / "inventory.xlsx", inventory_rows(SHOP_A_PRODUCTS), russian_headers=True)
    write_catalog_headings(
        root / "knowledge_base/catalog/catalog.docx", SHOP_A_PRODUCTS, levels=(1, 2)
    )
    write_scripts(root / "knowledge_base/scripts/scripts.docx", SHOP_A_SCRIPTS)
    customers = [
        ("alina", "Алина К", "А в рассрочку можно?"),
        ("zhanna", "Жанна", "Доставка в Шымкент сколько?"),
    ]
    for name, customer, question in customers:
        lines = [
            (customer, "Здравствуйте!"),
            (customer, question),
            ("Магазин", "Здравствуйте! Да, конечно.\nПодробности ниже."),
        ]
        write_chat_export(
            root / f"knowledge_base/chats/{name}/chat.txt", chat(datetime(2026, 3, 1, 10), lines)
        )
    return root


def write_shop_b(root):
    write_inventory(root / "inventory.xlsx", inventory_rows(SHOP_B_PRODUCTS))
    write_catalog_table(root / "knowledge_base/catalog/table.docx", SHOP_B_PRODUCTS)
    write_scripts(
        root / "knowledge_base/scripts/faq.docx", {"Самовывоз": "Забрать заказ можно в ТЦ Мега."}
    )
    write_chat_export(
        root / "knowledge_base/chats/ios_chat/chat.txt",
        chat(
            datetime(2026, 4, 2, 9), [("Ира", "Есть белые кеды 40?"), ("Polar Shop", "Да, есть!")]
        ),
        style="ios",
    )
    write_photos(root / "photos", "polar_wave_kedy", ["white"], per_color=2)
    return root


@pytest.fixture(scope="module")
def embedding():
    return NavecHashEmbedding()


def stored_ids(chroma_dir, embedding) -> dict[str, set[str]]:
    store = KnowledgeStore(chroma_dir, embedding)
    return {
        name: set(store._collections[name].get(include=[])["ids"]) for name in store._collections
    }


def test_build_writes_one_document_per_product_section_and_question(tmp_path, embedding):
    shop = write_shop_a(tmp_path / "shop")
    report = build_knowledge(shop, embedding=embedding)

    assert report.chroma_dir == shop / "chroma_db"
    assert report.counts == {PRODUCTS: 2, SCRIPTS: 3, CHATS: 2}
    store = KnowledgeStore(shop / "chroma_db", embedding)
    assert store.search_scripts("можно в рассрочку?", k=1)[0].metadata["topic"] == "Рассрочка"
    product = store.search_products("тоут люмен", k=1)[0]
    assert product.metadata["name"] == "Сумка-тоут Lumen"
    assert product.metadata["type"] == "bag"
    assert "Люмен" in product.text and "коричневый" in product.text
    chat_hit = store.search_chats("рассрочка есть?", k=1)[0]
    assert chat_hit.text.startswith("Клиент: Здравствуйте!\nА в рассрочку можно?")
    assert "Магазин: Здравствуйте! Да, конечно." in chat_hit.text


def test_rebuilding_replaces_and_never_duplicates(tmp_path, embedding):
    shop = write_shop_a(tmp_path / "shop")
    first = build_knowledge(shop, tmp_path / "store", embedding)
    ids = stored_ids(tmp_path / "store", embedding)
    second = build_knowledge(shop, tmp_path / "store", embedding)
    assert second.counts == first.counts
    assert stored_ids(tmp_path / "store", embedding) == ids

    write_scripts(shop / "knowledge_base/scripts/scripts.docx", {"Доставка": "Только курьером."})
    third = build_knowledge(shop, tmp_path / "store", embedding)
    assert third.counts[SCRIPTS] == 1
    hits = KnowledgeStore(tmp_path / "store", embedding).search_scripts("рассрочка", k=3)
    assert [hit.metadata["topic"] for hit in hits] == ["Доставка"]


def test_another_shop_builds_through_data_dir_with_no_code_change(tmp_path, monkeypatch, capsys):
    write_shop_a(tmp_path / "a")
    shop_b = write_shop_b(tmp_path / "b")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_DRIVE_PHOTOS_FOLDER_ID", raising=False)
    monkeypatch.setenv("DATA_DIR", str(shop_b))
    monkeypatch.setenv("CHROMA_DIR", str(tmp_path / "b_store"))

    assert knowledge_command([]) == 0

    out = capsys.readouterr()
    assert "products=3, scripts=1, chats=1, photos=2" in out.out
    assert "products: 3 documents" in out.err
    store = KnowledgeStore(tmp_path / "b_store", NavecHashEmbedding())
    names = {hit.metadata["name"] for hit in store.search_products("обувь сумка ремень", k=10)}
    assert names == {"Кеды Polar Wave", "Ремень Orion", "Клатч Nova"}
    assert store.search_products("ремень", k=1)[0].metadata["type"] == "accessory"
    assert store.search_products("клатч", k=1)[0].metadata["type"] == "bag"
    photo_index = json.loads((shop_b / "photo_index.json").read_text(encoding="utf-8"))
    assert {p["color"] for p in photo_index["photos"]} == {"белый"}
    assert not (tmp_path / "a" / "chroma_db").exists()


def test_if_missing_builds_only_an_absent_store(tmp_path, monkeypatch, capsys):
    shop = write_shop_a(tmp_path / "shop")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    args = ["--data-dir", str(shop), "--chroma-dir", str(tmp_path / "store"), "--if-missing"]
    assert knowledge_command(args) == 0
    assert "products=2" in capsys.readouterr().out
    assert knowledge_command(args) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_long_sections_are_chunked_with_the_topic_in_every_chunk():
    paragraphs = [f"Абзац номер {i}: " + "подробное пояснение " * 12 for i in range(8)]
    documents = script_documents([ScriptSection("Оплата частями", "\n".join(paragraphs), "s.docx")])
    assert len(documents) > 1
    assert all(doc.text.startswith("Оплата частями\n") for doc in documents)
    assert all(len(doc.text) < builder.MAX_CHUNK_CHARS + 60 for doc in documents)
    assert "".join(doc.text for doc in documents).count("Абзац номер") == 8
    assert len({doc.id for doc in documents}) == len(documents)


def test_chat_pairs_group_consecutive_messages_and_find_the_shop_by_presence():
    t = datetime(2026, 1, 5, 12)
    lines = [
        ("c1", "Оля", "Привет"),
        ("c1", "Оля", "Есть бежевые лоферы?"),
        ("c1", "Бутик", "Есть, 38 и 39."),
        ("c1", "Бутик", "Прислать фото?"),
        ("c1", "Оля", "Да"),
        ("c2", "Ася", "Сколько доставка?"),
        ("c2", "Бутик", "2 000 ₸."),
    ]
    messages = [ChatMessage(chat, t, author, text) for chat, author, text in lines]
    texts = [doc.text for doc in chat_documents(messages)]
    assert texts == [
        "Клиент: Привет\nЕсть бежевые лоферы?\nМагазин: Есть, 38 и 39.\nПрислать фото?",
        "Клиент: Сколько доставка?\nМагазин: 2 000 ₸.",
    ]
