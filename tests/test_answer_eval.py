"""Labelled customer questions with the facts their answers must (and must not) state, over the
sample shop, the second test shop and the delivery-table shop (`tests/data/answer_eval.yaml`).

Each question goes through the wired answerer (catalog, live stock, the shop's facts from its
files, hybrid script retrieval with a real ChromaDB store): the score is the share of answers
stating every expected fact and none of the forbidden ones, printed with the misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from delivery_shop import write_delivery_shop
from shops import SAMPLE_DATA, write_second_shop

from app import wiring
from app.settings import Settings
from app.wiring import Shop, load_shop
from ottenok.answers import Answerer
from ottenok.phrasing.templates import Templates

CASES = yaml.safe_load((Path(__file__).parent / "data" / "answer_eval.yaml").read_text("utf-8"))
MIN_EXACT_FACT_HITS = 0.95


@pytest.fixture(scope="module")
def answerers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Shop, Answerer]]:
    root = tmp_path_factory.mktemp("answer_eval")
    settings = {
        "sample": Settings(
            data_dir=SAMPLE_DATA, chroma_dir=root / "chroma", photo_index_path=root / "p.json"
        ),
        "second": Settings(data_dir=write_second_shop(root / "second")),
        "delivery": Settings(data_dir=write_delivery_shop(root / "delivery")),
    }
    found = {}
    for name, shop_settings in settings.items():
        shop = load_shop(shop_settings)
        engine = wiring.make_engine(shop, None, Templates.load(shop_settings.data_dir), [])  # type: ignore[arg-type]
        found[name] = (shop, engine.answerer)
    return found


def test_cases_cover_every_shop_and_kind_of_question():
    assert len(CASES) >= 45
    assert {case["shop"] for case in CASES} == {"sample", "second", "delivery"}
    assert sum(case.get("answer") == "none" for case in CASES) >= 3


async def test_answers_state_the_fact_asked_for(answerers):
    misses = []
    for case in CASES:
        shop, answerer = answerers[case["shop"]]
        named = [p.id for p in shop.catalog.products.values() if p.name == case.get("product")]
        assert named or not case.get("product"), f"no product {case['product']!r}"
        product = named[0] if named else None
        answer = await answerer.answer(case["question"], product, city=case.get("city"))
        if case.get("answer") == "none":
            if answer is not None:
                misses.append(f"{case['question']!r}: expected no answer, got {answer!r}")
            continue
        text = (answer or "").lower()
        missing = [fact for fact in case.get("expect", []) if fact.lower() not in text]
        wrong = [fact for fact in case.get("lacks", []) if fact.lower() in text]
        if answer is None or missing or wrong:
            where = f"[{case['shop']}] {case['question']!r}"
            misses.append(f"{where}: missing {missing}, wrong {wrong}: {answer!r}")
    score = 1 - len(misses) / len(CASES)
    print(f"\nanswers: exact-fact hits={score:.2f} over {len(CASES)} questions")
    print("\n".join(misses))
    assert score >= MIN_EXACT_FACT_HITS, "\n".join(misses)
