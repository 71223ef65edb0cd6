"""The offline embedding: Russian meaning, spelling tolerance, determinism, chromadb protocol."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embeddings import (
    NavecHashEmbedding,
    OpenAIEmbedding,
    content_lemmas,
    embedding_for,
)


@pytest.fixture(scope="module")
def embed() -> NavecHashEmbedding:
    return NavecHashEmbedding()


def similarity(embed: NavecHashEmbedding, a: str, b: str) -> float:
    first, second = embed([a, b])
    return float(np.dot(first, second))


@pytest.mark.parametrize(
    ("text", "paraphrase", "unrelated"),
    [
        (
            "Сколько стоит доставка по Алматы?",
            "цена доставки по городу",
            "какая у вас кожа на сумке",
        ),
        (
            "можно оплатить в рассрочку",
            "есть ли рассрочка или кредит",
            "доставка курьером до двери",
        ),
        (
            "если размер не подойдёт, можно обменять?",
            "обмен и возврат обуви",
            "сколько стоит доставка",
        ),
        ("это оригинал?", "подлинность товара, оригинальные бренды", "оплата картой при получении"),
        ("покажите чёрные туфли", "черные туфельки", "рюкзак коричневый"),
    ],
)
def test_paraphrase_is_closer_than_unrelated_text(embed, text, paraphrase, unrelated):
    assert similarity(embed, text, paraphrase) > similarity(embed, text, unrelated)


def test_inflections_of_the_same_words_are_nearly_identical(embed):
    assert similarity(embed, "бордовые ботильоны", "бордовых ботильонов") > 0.95


@pytest.mark.parametrize(
    ("typo", "brand", "other"),
    [
        ("ботильены вайцмен", "Ботильоны Стюарт Вайцман", "Лодочки Шанель"),
        ("шанэль", "Шанель", "Мартинс"),
        ("weitzmann", "Stuart Weitzman", "Jimmy Choo"),
    ],
)
def test_brand_typos_stay_close_to_the_brand(embed, typo, brand, other):
    assert similarity(embed, typo, brand) > similarity(embed, typo, other)


def test_vectors_are_unit_length_and_deterministic(embed):
    texts = ["Доставка в Астану", "кеды белые 38"]
    first = embed(texts)
    second = NavecHashEmbedding.build_from_config(embed.get_config())(texts)
    assert all(len(v) == embed.dims for v in first)
    for a, b in zip(first, second, strict=True):
        assert np.linalg.norm(a) == pytest.approx(1.0, abs=1e-5)
        assert np.array_equal(a, b)


def test_config_identifies_the_vectors_and_round_trips(embed):
    config = embed.get_config()
    rebuilt = NavecHashEmbedding.build_from_config(config)
    assert rebuilt.get_config() == config
    assert NavecHashEmbedding(ngram_dims=128).get_config() != config
    assert embed.name() == "ottenok-navec-hash"
    assert not embed.is_legacy()


def test_function_words_are_dropped_unless_nothing_else_is_left():
    lemmas = content_lemmas("а у вас есть бордовые ботильоны?")
    assert "бордовый" in lemmas
    assert not {"а", "у", "вы", "есть"} & set(lemmas)
    assert content_lemmas("а вы?") == ["а", "вы"]


def test_embedding_for_picks_openai_only_when_asked_for(monkeypatch):
    monkeypatch.delenv("EMBEDDINGS", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert isinstance(embedding_for(None), NavecHashEmbedding)  # a key alone changes nothing
    assert isinstance(embedding_for({"openai_api_key": "sk-test"}), NavecHashEmbedding)
    chosen = embedding_for(
        {"embeddings": "openai", "openai_api_key": "sk-test",
         "openai_embedding_model": "text-embedding-3-large"}
    )  # fmt: skip
    assert isinstance(chosen, OpenAIEmbedding)
    assert chosen.get_config()["model"] == "text-embedding-3-large"
    assert "sk-test" not in str(chosen.get_config())
    monkeypatch.setenv("EMBEDDINGS", "openai")
    assert isinstance(embedding_for(None), OpenAIEmbedding)
