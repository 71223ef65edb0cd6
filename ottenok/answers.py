"""Answers to customer questions from the shop's own data: catalog facts and sales scripts.

Product facts (price, material, sizes, colours) come straight from the catalog, so they are
never wrong; everything else (delivery, payment, returns, size advice, objections) comes from
the best-matching sales-script section, trimmed to the paragraph that fits the question.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from typing import Any, Protocol

from ottenok.catalog import Catalog
from ottenok.morphology import to_latin, tokens
from ottenok.phrasing.templates import Templates
from ottenok.phrasing.words import join_words, price_text

PRICE_RE = re.compile(r"сколько\s+стои|цен[аыуе]|стоимост|почем|прайс|\bprice\b")
MATERIAL_RE = re.compile(r"материал|из\s+чего|кож[аиу]|замш|натуральн|экокож|текстил")
SIZES_RE = re.compile(r"как(ие|ой)\s+размер|размерн|размеры\s+есть|есть\s+размер")
COLORS_RE = re.compile(r"как(ие|ой)\s+цвет|в\s+каких\s+цвет|цвета\s+есть|есть\s+цвет")

#: Lemmas that carry the question's form, not its topic: they match every section equally.
QUESTION_WORDS = frozenset(
    "сколько стоить можно если какой какая какие есть быть когда куда откуда почему зачем"
    " нужно надо хотеть мочь другой этот весь свой который очень просто также тоже вообще"
    " подсказать сказать пожалуйста скажите".split()
)
MIN_SCRIPT_SCORE = 0.25
LEXICAL_WEIGHT = 0.5
MAX_ANSWER_CHARS = 600

log = logging.getLogger("ottenok.answers")


class ScriptSearch(Protocol):
    """The knowledge store as answers use it (adapters.chroma_store.KnowledgeStore)."""

    def search_scripts(self, query: str, k: int = 3) -> list[Any]: ...


class ScriptIndex:
    """Lexical side of script retrieval: IDF-weighted overlap of word stems.

    Word vectors miss short questions whose key word differs in form from the script's
    ("обменять" vs "Обмен и возврат"); stems weighted by how rare they are across the shop's
    sections catch those, while words every section shares ("можно", "размер") count little.
    """

    def __init__(self, sections: list[tuple[str, str]]) -> None:
        self.sections = [(topic, text, stems(f"{topic} {text}")) for topic, text in sections]
        count = len(self.sections)
        document_frequency: dict[str, int] = {}
        for _, _, found in self.sections:
            for stem in found:
                document_frequency[stem] = document_frequency.get(stem, 0) + 1
        self.idf = {
            stem: math.log((count + 1) / (df + 0.5)) for stem, df in document_frequency.items()
        }

    def scores(self, question: str) -> dict[str, tuple[float, str]]:
        """Topic → (share of the question's word weight found in it, section text).

        A word the scripts never use weighs as much as the rarest one: a question about
        something the shop never wrote about must not match on its one common word.
        """
        unknown = math.log((len(self.sections) + 1) / 0.5)
        words = [
            (variants, max((self.idf[v] for v in variants if v in self.idf), default=unknown))
            for variants in word_stems(question)
        ]
        total = sum(weight for _, weight in words)
        result: dict[str, tuple[float, str]] = {}
        for topic, text, found in self.sections:
            matched = sum(weight for variants, weight in words if variants & found)
            share = matched / total if total else 0.0
            if share > result.get(topic, (-1.0, ""))[0]:
                result[topic] = (share, text)
        return result


class Answerer:
    def __init__(
        self,
        catalog: Catalog,
        templates: Templates,
        scripts: ScriptSearch | None = None,
        sections: list[tuple[str, str]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.t = templates
        self.scripts = scripts
        self.index = ScriptIndex(sections or [])

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
        vector: dict[str, tuple[float, str]] = {}
        hits = await self._vector_hits(question)
        for hit in hits or ():
            topic = str(hit.metadata.get("topic", hit.id))
            if hit.score > vector.get(topic, (-1.0, ""))[0]:
                vector[topic] = (hit.score, hit.text)
        lexical = self.index.scores(question)
        lexical_weight = LEXICAL_WEIGHT if hits is not None else 1.0
        best_score, best_text = 0.0, ""
        for topic in vector.keys() | lexical.keys():
            v_score, v_text = vector.get(topic, (0.0, ""))
            l_score, l_text = lexical.get(topic, (0.0, ""))
            score = lexical_weight * l_score + (1 - lexical_weight) * v_score
            if score > best_score:
                best_score, best_text = score, l_text or v_text
        if best_score < MIN_SCRIPT_SCORE:
            return None
        return best_paragraph(best_text, question)

    async def _vector_hits(self, question: str) -> list[Any] | None:
        """Script hits by meaning; None without a store or when its embedding call fails (an
        embedding API may be down): the lexical side then answers alone."""
        if self.scripts is None:
            return None
        try:
            return await asyncio.to_thread(self.scripts.search_scripts, question, 5)
        except Exception as err:
            log.warning("vector search failed, lexical search only: %s", err)
            return None


def word_stems(text: str) -> list[frozenset[str]]:
    """Per word, its stems for lexical overlap: the lemma cut to five letters, in Cyrillic and
    Latin spelling; short words and numbers dropped.

    Cutting the lemma makes "обменять" meet "обмен" and "рассрочку" meet "рассрочка", and the
    Latin spelling makes "каспи" meet "Kaspi": word vectors alone miss these in short questions.
    """
    return [
        frozenset({token[:5], to_latin(token)[:5]})
        for token in tokens(text)
        if len(token) >= 4 and not token.isdigit() and token not in QUESTION_WORDS
    ]


def stems(text: str) -> set[str]:
    return set().union(*word_stems(text))


def best_paragraph(section: str, question: str) -> str:
    """The paragraph of a script section sharing most word stems with the question."""
    paragraphs = [p.strip() for p in section.split("\n") if len(p.strip()) > 20]
    if not paragraphs:
        return section.strip()[:MAX_ANSWER_CHARS]
    asked = stems(question)
    best = max(paragraphs, key=lambda p: (len(asked & stems(p)), -paragraphs.index(p)))
    return best[:MAX_ANSWER_CHARS]
