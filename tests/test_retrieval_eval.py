"""Labelled customer questions over the SAMPLE shop's sales scripts: recall@3 of the vector
store's `search_scripts`, and recall@1 of the answerer's hybrid ranking (word stems + vectors +
the question's topic), which is what answers are taken from."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adapters.chroma_store import KnowledgeStore
from knowledge.builder import build_knowledge
from knowledge.embeddings import NavecHashEmbedding
from knowledge.shop_files import load_catalog, load_scripts
from ottenok.answers import Answerer
from ottenok.phrasing.templates import Templates

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CASES = yaml.safe_load((Path(__file__).parent / "data" / "script_eval.yaml").read_text("utf-8"))
MIN_RECALL_AT_3 = 0.9
#: The answerer's ranking, with the vector store and without it (the store missing or its
#: embedding API down).
MIN_RECALL_AT_1 = {"hybrid": 0.9, "lexical": 0.85}

pytestmark = pytest.mark.skipif(
    not (DATA_DIR / "knowledge_base" / "scripts").is_dir(),
    reason="the sample shop is not generated",
)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> KnowledgeStore:
    chroma_dir = tmp_path_factory.mktemp("sample_store")
    build_knowledge(DATA_DIR, chroma_dir)
    return KnowledgeStore(chroma_dir, NavecHashEmbedding())


def test_labels_name_real_script_topics():
    topics = {section.topic for section in load_scripts(DATA_DIR)}
    assert len(CASES) >= 45
    assert {case["topic"] for case in CASES} <= topics


def test_recall_at_3_over_the_sample_scripts(store):
    misses, first = [], 0
    for case in CASES:
        topics = [hit.metadata["topic"] for hit in store.search_scripts(case["question"], k=3)]
        first += bool(topics) and topics[0] == case["topic"]
        if case["topic"] not in topics:
            misses.append(f"{case['question']!r}: expected {case['topic']!r}, got {topics}")
    recall = 1 - len(misses) / len(CASES)
    print(f"\nvector retrieval: recall@1={first / len(CASES):.2f} recall@3={recall:.2f}")
    print("\n".join(misses))
    assert recall >= MIN_RECALL_AT_3, "\n".join(misses)


@pytest.mark.parametrize("with_vectors", [True, False], ids=["hybrid", "lexical_only"])
async def test_the_answerers_ranking_puts_the_labelled_topic_first(store, with_vectors):
    sections = [(s.topic, s.text) for s in load_scripts(DATA_DIR)]
    answerer = Answerer(
        load_catalog(DATA_DIR), Templates.load(), store if with_vectors else None, sections
    )
    misses = []
    for case in CASES:
        ranked = await answerer.rank_sections(case["question"])
        top = ranked[0][1] if ranked else None
        if top != case["topic"]:
            misses.append(f"{case['question']!r}: expected {case['topic']!r}, got {top!r}")
    recall = 1 - len(misses) / len(CASES)
    label = "hybrid" if with_vectors else "lexical"
    print(f"\n{label} ranking: recall@1={recall:.2f} over {len(CASES)} questions")
    print("\n".join(misses))
    assert recall >= MIN_RECALL_AT_1[label], "\n".join(misses)
