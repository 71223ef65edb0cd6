"""Build the knowledge store (and the photo index) from the shop's files.

    ottenok knowledge [--data-dir DIR] [--chroma-dir DIR] [--if-missing]

Everything comes from the shop's own files under DATA_DIR, so pointing DATA_DIR at another shop
builds that shop with no code change. Rebuilding is idempotent: each collection ends up holding
exactly the current documents, under ids derived from the documents themselves.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from chromadb.api.types import EmbeddingFunction

from adapters.chroma_store import (
    CHATS,
    PRODUCTS,
    SCRIPTS,
    EmbeddingMismatchError,
    KnowledgeStore,
    StoreDocument,
)
from adapters.photos_local import build_local_photo_index, save_photo_index
from knowledge.documents import ChatMessage, ScriptSection
from knowledge.embeddings import NavecHashEmbedding
from knowledge.shop_files import load_catalog, load_chats, load_scripts
from ottenok.catalog import Catalog, Product
from ottenok.lookup import ProductMatcher
from ottenok.photos import PhotoIndex
from ottenok.product_vocabulary import TYPE_LABELS

log = logging.getLogger(__name__)

# A script chunk short enough that its vector still says one thing; the topic heading is
# repeated in every chunk so each one can be found on its own.
MAX_CHUNK_CHARS = 700
MAX_CHAT_ANSWER_CHARS = 600

Progress = Callable[[str], None]


class DrivePhotos(Protocol):
    """A remote photo folder (adapters.gdrive_photos.DrivePhotoSource)."""

    def build_index(self, catalog: Catalog, matcher: ProductMatcher) -> PhotoIndex: ...


@dataclass(slots=True)
class BuildReport:
    """What a build wrote: documents per collection, photos indexed and the time it took."""

    chroma_dir: Path
    embedding: str
    counts: dict[str, int] = field(default_factory=dict)
    photos: int | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [f"{name}={count}" for name, count in self.counts.items()]
        if self.photos is not None:
            parts.append(f"photos={self.photos}")
        return (
            f"knowledge store {self.chroma_dir} ({self.embedding}): {', '.join(parts)} "
            f"in {self.seconds:.1f} s"
        )


def product_documents(catalog: Catalog) -> list[StoreDocument]:
    """One document per product with everything a customer may search it by."""
    return [_product_document(catalog, product) for product in catalog.products.values()]


def _product_document(catalog: Catalog, product: Product) -> StoreDocument:
    colors = catalog.colors(product.id)
    sizes = catalog.sizes(product.id)
    price = catalog.price(product.id)
    brand = " / ".join(filter(None, [product.brand, *product.aliases]))
    lines = [
        product.name,
        f"Бренд: {brand}" if brand else "",
        f"Тип: {TYPE_LABELS[product.type]}",
        f"Цвета: {', '.join(colors)}" if colors else "",
        f"Размеры: {', '.join(sizes)}" if sizes else "",
        f"Цена: {price} ₸" if price is not None else "",
        f"Материал: {product.material}" if product.material else "",
        product.description or "",
    ]
    return StoreDocument(
        id=f"product:{product.id}",
        text="\n".join(line for line in lines if line),
        metadata={
            "kind": "product",
            "product_id": product.id,
            "name": product.name,
            "type": product.type.value,
            "brand": product.brand or "",
            "price": price if price is not None else "",
            "colors": colors,
            "sizes": sizes,
        },
    )


def script_documents(sections: Sequence[ScriptSection]) -> list[StoreDocument]:
    """One document per script section; long sections become several chunks, each with its topic.

    The topic is embedded twice: customers ask in the heading's words ("рассрочка", "доставка"),
    while the answer paragraphs are long and would otherwise outweigh it.
    """
    documents: list[StoreDocument] = []
    seen: dict[str, int] = {}
    for section in sections:
        base = f"script:{_short_hash(section.source)}:{_short_hash(section.topic)}"
        occurrence = seen[base] = seen.get(base, -1) + 1
        for number, chunk in enumerate(_chunks(section.text, MAX_CHUNK_CHARS)):
            documents.append(
                StoreDocument(
                    id=f"{base}:{occurrence}:{number}",
                    text=f"{section.topic}\n{chunk}",
                    embed_text=f"{section.topic}. {section.topic}. {chunk}",
                    metadata={
                        "kind": "script",
                        "topic": section.topic,
                        "source": section.source,
                        "chunk": number,
                    },
                )
            )
    return documents


def _chunks(text: str, limit: int) -> list[str]:
    """Split on paragraph boundaries into pieces of at most ~`limit` characters."""
    chunks: list[str] = []
    current = ""
    for paragraph in (p.strip() for p in text.split("\n")):
        if not paragraph:
            continue
        if current and len(current) + 1 + len(paragraph) > limit:
            chunks.append(current)
            current = paragraph
        else:
            current = f"{current}\n{paragraph}" if current else paragraph
    if current:
        chunks.append(current)
    return chunks or [text.strip()]


def chat_documents(messages: Sequence[ChatMessage]) -> list[StoreDocument]:
    """Customer question → shop answer pairs from past chats; searched by the question."""
    by_chat: dict[str, list[ChatMessage]] = {}
    for message in messages:
        by_chat.setdefault(message.chat, []).append(message)
    shop = _shop_author(by_chat)
    documents: list[StoreDocument] = []
    for chat, chat_messages in by_chat.items():
        for number, (question, answer) in enumerate(_question_answer_pairs(chat_messages, shop)):
            documents.append(
                StoreDocument(
                    id=f"chat:{_short_hash(chat)}:{number}",
                    text=f"Клиент: {question}\nМагазин: {answer[:MAX_CHAT_ANSWER_CHARS]}",
                    embed_text=question,
                    metadata={"kind": "chat", "chat": chat, "question": question, "answer": answer},
                )
            )
    return documents


def _shop_author(by_chat: dict[str, list[ChatMessage]]) -> str | None:
    """The shop's own name: it takes part in every chat, and a customer writes first."""
    presence: dict[str, int] = {}
    opened: dict[str, int] = {}
    for chat_messages in by_chat.values():
        for author in {m.author for m in chat_messages}:
            presence[author] = presence.get(author, 0) + 1
        if chat_messages:
            opened[chat_messages[0].author] = opened.get(chat_messages[0].author, 0) + 1
    if not presence:
        return None
    return max(presence, key=lambda author: (presence[author], -opened.get(author, 0)))


def _question_answer_pairs(
    messages: Sequence[ChatMessage], shop: str | None
) -> list[tuple[str, str]]:
    """Consecutive customer messages joined as a question, the shop's reply after them as answer."""
    pairs: list[tuple[str, str]] = []
    question: list[str] = []
    answer: list[str] = []
    for message in messages:
        if message.author == shop:
            if question:
                answer.append(message.text)
        else:
            if question and answer:
                pairs.append(("\n".join(question), "\n".join(answer)))
                question, answer = [], []
            question.append(message.text)
    if question and answer:
        pairs.append(("\n".join(question), "\n".join(answer)))
    return pairs


def _short_hash(text: str) -> str:
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def build_knowledge(
    data_dir: str | Path,
    chroma_dir: str | Path | None = None,
    embedding: EmbeddingFunction | None = None,
    inventory_path: str | Path | None = None,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
) -> BuildReport:
    """Parse the shop under `data_dir` and (re)write the store at `chroma_dir`.

    `chroma_dir` defaults to DATA_DIR/chroma_db and `embedding` to the offline one; pass
    `catalog` when it is already loaded. A store built with another embedding is rebuilt from
    scratch. Blocking: async callers use to_thread.
    """
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    data_dir = Path(data_dir)
    chroma_dir = Path(chroma_dir) if chroma_dir else data_dir / "chroma_db"
    embedding = embedding or NavecHashEmbedding()

    say(f"reading the shop in {data_dir}")
    catalog = catalog or load_catalog(data_dir, inventory_path)
    collections = {
        PRODUCTS: product_documents(catalog),
        SCRIPTS: script_documents(load_scripts(data_dir)),
        CHATS: chat_documents(load_chats(data_dir)),
    }
    store = KnowledgeStore(chroma_dir, embedding, rebuild=True)
    report = BuildReport(chroma_dir=chroma_dir, embedding=embedding.name())
    for name, documents in collections.items():
        stage = time.perf_counter()
        report.counts[name] = store.replace(name, documents)
        say(f"{name}: {report.counts[name]} documents in {time.perf_counter() - stage:.1f} s")
    report.seconds = time.perf_counter() - started
    return report


def store_needs_build(chroma_dir: Path, embedding: EmbeddingFunction) -> bool:
    """True when the store is absent, empty, or was built with another embedding."""
    if not chroma_dir.exists():
        return True
    try:
        return KnowledgeStore(chroma_dir, embedding).is_empty()
    except EmbeddingMismatchError:
        return True


def build_photo_index(
    catalog: Catalog,
    photos_dir: Path,
    index_path: Path,
    progress: Progress,
    matcher: ProductMatcher | None = None,
    drive: DrivePhotos | None = None,
) -> PhotoIndex | None:
    """Index the shop's photos (the Drive folder when given, else the local folder), save it
    as JSON and return it; pass the `matcher` already built for the catalog to reuse it."""
    matcher = matcher or ProductMatcher(catalog)
    if drive is not None:
        index = drive.build_index(catalog, matcher)
    elif photos_dir.is_dir():
        index = build_local_photo_index(photos_dir, catalog, matcher)
    else:
        progress(f"no photos at {photos_dir}; photo index skipped")
        return None
    save_photo_index(index, index_path)
    progress(f"photos: {len(index.photos)} in {len(index.folders)} folders -> {index_path}")
    return index
