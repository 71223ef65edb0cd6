"""Knowledge benchmark: build time, product lookup and script search latency.

    python -m bench.retrieval   (from the repository root; `make bench` runs every benchmark)

Runs on the sample shop in data/ and on a synthetic shop 20x larger, generated into a temp dir
from the sample's own vocabulary (kinds of product, brands, colours, scripts, chats) with
tools.shop_writer. Prints figures; asserts nothing.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from adapters.chroma_store import KnowledgeStore
from knowledge.builder import build_knowledge
from knowledge.embeddings import NavecHashEmbedding
from knowledge.shop_files import load_catalog, load_chats, load_scripts
from ottenok.catalog import Catalog
from ottenok.lookup import ProductMatcher
from tools.shop_writer import (
    write_catalog_headings,
    write_chat_export,
    write_inventory,
    write_scripts,
)

ROOT = Path(__file__).resolve().parents[1]


SAMPLE_DIR = ROOT / "data"
SCALE = 20
TYPE_WORDS = {"shoes": "обувь", "bag": "сумка", "accessory": "аксессуар", "other": "другое"}


def percentiles(timings: Sequence[float]) -> str:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms (n={len(ordered)})"


def timed(call: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        call(query)
        timings.append(time.perf_counter() - started)
    return timings


def product_queries(catalog: Catalog, rng: random.Random) -> list[str]:
    """What customers type: a kind word plus a brand or model word, a colour, maybe a size."""
    queries = []
    for product in catalog.products.values():
        words = product.name.split()
        colors = catalog.colors(product.id) or [""]
        sizes = catalog.sizes(product.id) or [""]
        alias = rng.choice(product.aliases) if product.aliases else words[-1]
        queries.append(
            f"а {words[0].lower()} {alias} {rng.choice(colors)} {rng.choice(sizes)} есть?"
        )
    return queries


def script_queries() -> list[str]:
    cases = yaml.safe_load((ROOT / "tests" / "data" / "script_eval.yaml").read_text("utf-8"))
    return [case["question"] for case in cases]


def measure(label: str, data_dir: Path, work_dir: Path) -> None:
    rng = random.Random(7)
    started = time.perf_counter()
    report = build_knowledge(data_dir, work_dir / "chroma")
    build_seconds = time.perf_counter() - started
    catalog = load_catalog(data_dir)
    matcher_started = time.perf_counter()
    matcher = ProductMatcher(catalog)
    matcher_seconds = time.perf_counter() - matcher_started
    store = KnowledgeStore(work_dir / "chroma", NavecHashEmbedding())

    queries = product_queries(catalog, rng) * 3
    matcher.find(queries[0])  # warm caches, as a running bot would have
    store.search_scripts("доставка")
    lookups = timed(matcher.find, queries)
    searches = timed(store.search_scripts, script_queries() * 3)

    print(f"== {label}: {report.summary()}")
    print(f"   build (parse + embed + write): {build_seconds:.2f} s")
    print(f"   ProductMatcher index build:    {matcher_seconds * 1000:.1f} ms")
    print(f"   ProductMatcher.find:           {percentiles(lookups)}")
    print(f"   search_scripts:                {percentiles(searches)}")


def write_synthetic_shop(target: Path, scale: int) -> None:
    """A shop `scale` times the sample: new products recombined from the sample's vocabulary."""
    rng = random.Random(42)
    catalog = load_catalog(SAMPLE_DIR)
    products = list(catalog.products.values())
    brands = sorted({(p.brand, (p.aliases or [None])[0]) for p in products if p.brand})
    model_words = sorted({w for p in products for w in p.name.split()[1:] if w.isalpha()})
    synthetic, rows = [], []
    for number in range(len(products) * scale):
        base = products[number % len(products)]
        brand, brand_ru = rng.choice(brands)
        model = f"{rng.choice(model_words)} {number}"
        name = f"{base.name.split()[0]} {brand} {model}"
        colors = rng.sample(
            catalog.colors(base.id) or ["черный"], k=min(2, len(catalog.colors(base.id)) or 1)
        )
        sizes = (catalog.sizes(base.id) or [])[:4]
        price = (catalog.price(base.id) or 30000) + rng.randrange(-5, 6) * 1000
        synthetic.append({
            "name": name, "type": TYPE_WORDS[base.type.value], "brand": brand, "brand_ru": brand_ru,
            "price": price, "colors": colors, "sizes": sizes, "material": base.material,
            "description": base.description,
        })  # fmt: skip
        for color in colors:
            for size in sizes or [None]:
                rows.append({"product_name": name, "size": size, "color": color,
                             "quantity": rng.randrange(0, 4), "price": price})  # fmt: skip
    write_inventory(target / "inventory.xlsx", rows, russian_headers=True)
    write_catalog_headings(
        target / "knowledge_base" / "catalog" / "catalog.docx", synthetic, (1, 2, 3)
    )
    sections = load_scripts(SAMPLE_DIR)
    for copy in range(scale):
        write_scripts(
            target / "knowledge_base" / "scripts" / f"scripts_{copy}.docx",
            {f"{s.topic} ({copy})" if copy else s.topic: s.text.split("\n") for s in sections},
        )
    messages = load_chats(SAMPLE_DIR)
    for copy in range(scale):
        for chat in sorted({m.chat for m in messages}):
            write_chat_export(
                target / "knowledge_base" / "chats" / f"{chat}_{copy}" / "chat.txt",
                [m for m in messages if m.chat == chat],
            )


def main() -> None:
    if not (SAMPLE_DIR / "inventory.xlsx").exists():
        sys.exit("the sample shop is missing: run `python -m tools.make_sample_shop` first")
    with tempfile.TemporaryDirectory(prefix="ottenok-bench-") as temp:
        temp_dir = Path(temp)
        measure("sample shop", SAMPLE_DIR, temp_dir / "sample")
        started = time.perf_counter()
        write_synthetic_shop(temp_dir / "large", SCALE)
        print(f"-- wrote a {SCALE}x synthetic shop in {time.perf_counter() - started:.1f} s")
        measure(f"synthetic shop x{SCALE}", temp_dir / "large", temp_dir / "large_work")


if __name__ == "__main__":
    main()
