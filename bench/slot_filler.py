"""Fill time of the offline slot filler, the floor every turn stands on.

Replays every labelled message of tests/data/slot_filler_cases.yaml (in their dialogue states)
through the filler over the sample shop in data/, and prints the build time of the shop's
vocabularies, the first (cold-cache) pass, and p50/p99/mean of warm passes in milliseconds.
It is a benchmark, not a test.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import yaml

from knowledge.shop_files import load_catalog, load_scripts
from ottenok.filling import OfflineSlotFiller
from ottenok.size_table import SizeTable
from ottenok.slots import FillContext

ROOT = Path(__file__).resolve().parent.parent
WARM_PASSES = 5


def main() -> None:
    cases = yaml.safe_load((ROOT / "tests/data/slot_filler_cases.yaml").read_text("utf-8"))
    catalog = load_catalog(ROOT / "data")
    scripts = [(s.topic, s.text) for s in load_scripts(ROOT / "data")]
    started = time.perf_counter()
    filler = OfflineSlotFiller(catalog, sizes=SizeTable.from_scripts(scripts))
    built = time.perf_counter() - started
    # Slots name products of the labelled set's own shop: only the states matter here.
    messages = [(case["text"], FillContext(state=case["state"])) for case in cases]
    started = time.perf_counter()
    for text, context in messages:
        filler.fill_sync(text, context)
    cold = (time.perf_counter() - started) / len(messages)
    times = []
    for _ in range(WARM_PASSES):
        for text, context in messages:
            started = time.perf_counter()
            filler.fill_sync(text, context)
            times.append(time.perf_counter() - started)
    times.sort()
    print(f"{len(catalog.products)} products, {len(messages)} messages")
    print(f"build (matcher, colour lexicon, kinds): {built * 1000:.0f} ms")
    print(f"first pass, mean: {cold * 1000:.2f} ms per message")
    print(
        f"warm: p50 {statistics.median(times) * 1000:.2f} ms, "
        f"p99 {times[int(len(times) * 0.99)] * 1000:.2f} ms, "
        f"mean {statistics.fmean(times) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
