"""Answers to customer questions from the shop's own data: catalog facts and sales scripts.

Product facts (price, material, sizes, colours) come straight from the catalog, so they are
never wrong; everything else (delivery, payment, returns, size advice, objections) comes from
the best-matching sales-script section, trimmed to the paragraph that fits the question.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Protocol

from ottenok.catalog import Catalog
from ottenok.morphology import tokens
from ottenok.replies import Templates, join_words, price_text

PRICE_RE = re.compile(r"сколько\s+стои|цен[аыуе]|стоимост|почем|прайс|\bprice\b")
MATERIAL_RE = re.compile(r"материал|из\s+чего|кож[аиу]|замш|натуральн|экокож|текстил")
SIZES_RE = re.compile(r"как(ие|ой)\s+размер|размерн|размеры\s+есть|есть\s+размер")
COLORS_RE = re.compile(r"как(ие|ой)\s+цвет|в\s+каких\s+цвет|цвета\s+есть|есть\s+цвет")

MIN_SCRIPT_SCORE = 0.3
MAX_ANSWER_CHARS = 600


class ScriptSearch(Protocol):
    """The knowledge store as answers use it (adapters.chroma_store.KnowledgeStore)."""

    def search_scripts(self, query: str, k: int = 3) -> list[Any]: ...


class Answerer:
    def __init__(
        self, catalog: Catalog, templates: Templates, scripts: ScriptSearch | None = None
    ) -> None:
        self.catalog = catalog
        self.t = templates
        self.scripts = scripts

    def product_fact(self, question: str, product_id: str | None) -> str | None:
        product = self.catalog.get(product_id)
        if product is None:
            return None
        text = question.lower()
        values = {"product": product.name}
        if PRICE_RE.search(text):
            return self.t.get("answer_price").format(
                price=price_text(self.catalog.price(product.id)), **values
            )
        if MATERIAL_RE.search(text) and product.material:
            return self.t.get("answer_material").format(material=product.material, **values)
        if SIZES_RE.search(text):
            sizes = self.catalog.check_availability(product.id).sizes
            if sizes:
                return self.t.get("answer_sizes").format(sizes=join_words(sizes, 12), **values)
        if COLORS_RE.search(text):
            colors = self.catalog.check_availability(product.id).colors
            return self.t.get("answer_colors").format(colors=join_words(colors), **values)
        return None

    async def answer(self, question: str, product_id: str | None) -> str | None:
        fact = self.product_fact(question, product_id)
        if fact is not None:
            return fact
        if self.scripts is None:
            return None
        hits = await asyncio.to_thread(self.scripts.search_scripts, question, 3)
        if not hits or hits[0].score < MIN_SCRIPT_SCORE:
            return None
        return best_paragraph(hits[0].text, question)


def best_paragraph(section: str, question: str) -> str:
    """The paragraph of a script section sharing most words with the question."""
    paragraphs = [p.strip() for p in section.split("\n") if len(p.strip()) > 20]
    if not paragraphs:
        return section.strip()[:MAX_ANSWER_CHARS]
    asked = set(tokens(question))
    best = max(paragraphs, key=lambda p: (len(asked & set(tokens(p))), -paragraphs.index(p)))
    return best[:MAX_ANSWER_CHARS]
