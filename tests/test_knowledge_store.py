"""The ChromaDB knowledge store on disk: idempotent writes, embedding guard, scored search."""

from __future__ import annotations

import pytest

from adapters.chroma_store import (
    CHATS,
    PRODUCTS,
    SCRIPTS,
    EmbeddingMismatchError,
    KnowledgeStore,
    StoreDocument,
    persistent_client,
)
from knowledge.embeddings import NavecHashEmbedding

SCRIPTS_DOCS = [
    StoreDocument("s1", "Доставка по Алматы\nКурьер привезёт заказ в день покупки, 1 500 ₸.",
                  {"topic": "Доставка по Алматы"}),
    StoreDocument("s2", "Рассрочка\nОформим рассрочку Kaspi Red на 3, 6 или 12 месяцев.",
                  {"topic": "Рассрочка"}),
    StoreDocument("s3", "Возврат и обмен\nЕсли размер не подошёл, обменяем в течение 14 дней.",
                  {"topic": "Возврат и обмен"}),
]  # fmt: skip
PRODUCT_DOCS = [
    StoreDocument("p1", "Мюли Aster\nБренд: Aster / Астер\nЦвета: молочный, черный",
                  {"product_id": "myuli-aster", "colors": ["молочный", "черный"], "price": 45900}),
    StoreDocument("p2", "Сумка-тоут Lumen\nБренд: Lumen / Люмен\nЦвета: коричневый",
                  {"product_id": "sumka-tout-lumen", "brand": None, "price": 78000}),
]  # fmt: skip


@pytest.fixture(scope="module")
def embedding() -> NavecHashEmbedding:
    return NavecHashEmbedding()


@pytest.fixture
def store(tmp_path, embedding) -> KnowledgeStore:
    store = KnowledgeStore(tmp_path / "chroma", embedding)
    store.replace(SCRIPTS, SCRIPTS_DOCS)
    store.replace(PRODUCTS, PRODUCT_DOCS)
    return store


def test_writing_twice_keeps_the_same_documents(store, tmp_path, embedding):
    assert store.counts() == {PRODUCTS: 2, SCRIPTS: 3, CHATS: 0}
    store.replace(SCRIPTS, SCRIPTS_DOCS)
    reopened = KnowledgeStore(tmp_path / "chroma", embedding)
    assert reopened.counts() == {PRODUCTS: 2, SCRIPTS: 3, CHATS: 0}


def test_documents_gone_from_the_shop_leave_the_store(store):
    store.replace(SCRIPTS, SCRIPTS_DOCS[:2])
    assert store.counts()[SCRIPTS] == 2
    assert all(hit.id != "s3" for hit in store.search_scripts("обмен и возврат", k=3))


def test_search_returns_scored_hits_best_first_with_metadata(store):
    hits = store.search_scripts("можно в рассрочку?", k=3)
    assert [hit.id for hit in hits][0] == "s2"
    assert hits[0].metadata == {"topic": "Рассрочка"}
    assert hits[0].text.startswith("Рассрочка")
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)

    product = store.search_products("мюли астер молочные", k=1)[0]
    assert product.metadata["product_id"] == "myuli-aster"
    assert product.metadata["colors"] == "молочный, черный"
    assert "brand" not in store.search_products("тоут люмен", k=1)[0].metadata


def test_k_caps_the_number_of_hits(store):
    assert len(store.search_scripts("доставка", k=1)) == 1
    assert len(store.search_products("обувь", k=10)) == 2


def test_an_unbuilt_store_answers_nothing(tmp_path, embedding):
    store = KnowledgeStore(tmp_path / "empty", embedding)
    assert store.is_empty()
    assert store.search_scripts("доставка") == []
    assert store.search_chats("доставка") == []


def test_a_different_embedding_is_refused_until_rebuilt(store, tmp_path):
    other = NavecHashEmbedding(ngram_dims=128)
    with pytest.raises(EmbeddingMismatchError, match="rebuild"):
        KnowledgeStore(tmp_path / "chroma", other)

    rebuilt = KnowledgeStore(tmp_path / "chroma", other, rebuild=True)
    assert rebuilt.is_empty()
    rebuilt.replace(SCRIPTS, SCRIPTS_DOCS)
    assert rebuilt.search_scripts("рассрочка", k=1)[0].id == "s2"
    with pytest.raises(EmbeddingMismatchError):
        KnowledgeStore(tmp_path / "chroma", NavecHashEmbedding())


def test_duplicate_ids_are_rejected(store):
    with pytest.raises(ValueError, match="duplicate"):
        store.replace(SCRIPTS, [SCRIPTS_DOCS[0], SCRIPTS_DOCS[0]])


def test_one_client_per_directory(tmp_path):
    assert persistent_client(tmp_path / "c") is persistent_client(tmp_path / "c" / ".." / "c")
