"""Accuracy of product lookup on labelled customer messages over the sample shop in data/.

The labels are what a customer means; when this test fails, fix the matcher, not the labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.shop_files import load_catalog
from ottenok.catalog_merge import name_key
from ottenok.colors import ColorLexicon
from ottenok.lookup import ProductMatcher
from ottenok.normalize import normalize_color

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
EVAL_FILE = Path(__file__).with_name("data") / "lookup_eval.yaml"
MIN_ACCURACY = 0.95

pytestmark = pytest.mark.skipif(
    not (DATA_DIR / "inventory.xlsx").exists(), reason="the sample shop has not been generated"
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(DATA_DIR)


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    return yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["queries"]


def test_eval_set_is_big_enough_and_names_real_products(catalog, queries):
    names = {name_key(p.name) for p in catalog.products.values()}
    assert len(queries) >= 60
    unknown = [q["product"] for q in queries if name_key(q["product"]) not in names]
    assert not unknown, f"labels naming no product of the sample shop: {unknown}"


def test_best_product_accuracy(catalog, queries):
    matcher = ProductMatcher(catalog)
    id_by_name = {name_key(p.name): p.id for p in catalog.products.values()}
    misses = []
    for query in queries:
        expected = id_by_name[name_key(query["product"])]
        match = matcher.best(query["text"])
        if match is None or match.product_id != expected:
            misses.append((query["text"], query["product"], matcher.find(query["text"])))
    accuracy = 1 - len(misses) / len(queries)
    for text, product, found in misses:
        print(f"MISS {text!r}: want {product!r}, got {[(m.product_id, m.score) for m in found]}")
    print(f"lookup accuracy {accuracy:.3f} over {len(queries)} queries")
    assert accuracy >= MIN_ACCURACY


def test_colour_accuracy(catalog, queries):
    lexicon = ColorLexicon.for_catalog(catalog)
    labelled = [q for q in queries if q.get("color")]
    misses = [
        (q["text"], q["color"], found)
        for q in labelled
        if (found := lexicon.find(q["text"]))[:1] != [normalize_color(q["color"])]
    ]
    for text, color, found in misses:
        print(f"COLOUR MISS {text!r}: want {color!r}, got {found}")
    print(f"colour accuracy {1 - len(misses) / len(labelled):.3f} over {len(labelled)} queries")
    assert len(labelled) >= 30
    assert 1 - len(misses) / len(labelled) >= MIN_ACCURACY


def test_no_guess_on_messages_without_a_product(catalog):
    matcher = ProductMatcher(catalog)
    texts = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["not_products"]
    guesses = [(t, m.product_id) for t in texts if (m := matcher.best(t)) is not None]
    for text, product in guesses:
        print(f"GUESS {text!r}: {product}")
    print(f"no-guess rate {1 - len(guesses) / len(texts):.3f} over {len(texts)} messages")
    assert len(texts) >= 15
    assert len(guesses) / len(texts) <= 1 - MIN_ACCURACY
