"""The knowledge store: products, sales-script sections and chat snippets in ChromaDB.

We compute embeddings ourselves and hand ChromaDB plain vectors, so ChromaDB never reaches for its
default (network-downloaded) model. Which embedding built a collection is written into the
collection's metadata; opening it with a different one is refused, because vectors from two
embeddings are not comparable and mixing them silently ruins search.

All methods are synchronous and may block (ChromaDB's Rust core, navec loading on first query).
Async callers wrap them: `hits = await asyncio.to_thread(store.search_scripts, text)`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import EmbeddingFunction
from chromadb.config import Settings
from chromadb.errors import NotFoundError

log = logging.getLogger(__name__)

PRODUCTS = "products"
SCRIPTS = "scripts"
CHATS = "chats"
COLLECTIONS: tuple[str, ...] = (PRODUCTS, SCRIPTS, CHATS)

_EMBEDDING_KEY = "embedding"
_EMBEDDING_CONFIG_KEY = "embedding_config"
_BATCH = 256

_clients: dict[Path, ClientAPI] = {}
_clients_lock = threading.Lock()


class EmbeddingMismatchError(RuntimeError):
    """The store on disk was built with another embedding than the one given."""


@dataclass(frozen=True, slots=True)
class StoreDocument:
    """One document to index: a stable id (so rebuilds replace, not duplicate), text, metadata.

    `embed_text`, when given, is what the vector is computed from instead of `text`: a chat
    snippet is found by the customer's question but returned with the shop's answer.
    """

    id: str
    text: str
    metadata: dict[str, str | int | float | bool | list] = field(default_factory=dict)
    embed_text: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """A search result; `score` is cosine similarity clamped to 0..1, higher is better."""

    id: str
    text: str
    score: float
    metadata: dict[str, Any]


def persistent_client(chroma_dir: str | Path) -> ClientAPI:
    """The one ChromaDB client per store directory in this process (telemetry off: no network)."""
    path = Path(chroma_dir).resolve()
    with _clients_lock:
        client = _clients.get(path)
        if client is None:
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(path), settings=Settings(anonymized_telemetry=False)
            )
            _clients[path] = client
        return client


def embedding_identity(embedding: EmbeddingFunction) -> tuple[str, str]:
    """(name, canonical JSON config): what must match for two vectors to be comparable."""
    return embedding.name(), json.dumps(embedding.get_config(), sort_keys=True, ensure_ascii=False)


class KnowledgeStore:
    """Search and (re)write the `products`, `scripts` and `chats` collections under `chroma_dir`.

    With `rebuild=False` (searching) a collection built by another embedding raises
    `EmbeddingMismatchError`; with `rebuild=True` (the builder) such a collection is dropped and
    written afresh by `replace`.
    """

    def __init__(
        self,
        chroma_dir: str | Path,
        embedding: EmbeddingFunction,
        rebuild: bool = False,
    ) -> None:
        self.chroma_dir = Path(chroma_dir)
        self.embedding = embedding
        self._identity = embedding_identity(embedding)
        self._rebuild = rebuild
        self._client = persistent_client(chroma_dir)
        self._collections: dict[str, Collection] = {}
        for name in COLLECTIONS:
            collection = self._open(name)
            if collection is not None:
                self._collections[name] = collection

    def _open(self, name: str) -> Collection | None:
        """The collection if it exists and our embedding built it; None when absent or dropped."""
        try:
            collection = self._client.get_collection(name, embedding_function=None)
        except (NotFoundError, ValueError):
            return None
        metadata = collection.metadata or {}
        built_with = (metadata.get(_EMBEDDING_KEY), metadata.get(_EMBEDDING_CONFIG_KEY))
        if built_with == self._identity:
            return collection
        if self._rebuild:
            log.info(
                "dropping %s: built with %s, rebuilding with %s", name, built_with, self._identity
            )
            self._client.delete_collection(name)
            return None
        raise EmbeddingMismatchError(
            f"knowledge store {self.chroma_dir} ({name}) was built with embedding "
            f"{built_with[0]} {built_with[1]}, but {self._identity[0]} {self._identity[1]} is "
            "configured now; rebuild it with `python -m knowledge.builder` (or `make knowledge`)"
        )

    def counts(self) -> dict[str, int]:
        """Documents per collection (0 for a collection not built yet)."""
        return {
            name: (self._collections[name].count() if name in self._collections else 0)
            for name in COLLECTIONS
        }

    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def replace(self, name: str, documents: Sequence[StoreDocument]) -> int:
        """Make collection `name` hold exactly `documents`: upsert by id, delete the rest.

        Upserting by stable ids keeps a live store searchable while it is rebuilt, and running
        the builder twice leaves the same documents, never duplicates.
        """
        if name not in COLLECTIONS:
            raise ValueError(f"unknown collection {name!r}; expected one of {COLLECTIONS}")
        ids = [doc.id for doc in documents]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate document ids in {name}")
        collection = self._collections.get(name) or self._create(name)
        for start in range(0, len(documents), _BATCH):
            batch = documents[start : start + _BATCH]
            collection.upsert(
                ids=[doc.id for doc in batch],
                documents=[doc.text for doc in batch],
                embeddings=self.embedding([doc.embed_text or doc.text for doc in batch]),
                metadatas=[_clean_metadata(doc.metadata) or None for doc in batch],
            )
        stale = sorted(set(collection.get(include=[])["ids"]) - set(ids))
        for start in range(0, len(stale), _BATCH):
            collection.delete(ids=stale[start : start + _BATCH])
        return collection.count()

    def _create(self, name: str) -> Collection:
        collection = self._client.create_collection(
            name,
            embedding_function=None,
            metadata={_EMBEDDING_KEY: self._identity[0], _EMBEDDING_CONFIG_KEY: self._identity[1]},
            configuration={"hnsw": {"space": "cosine"}},
        )
        self._collections[name] = collection
        return collection

    def search(
        self, name: str, query: str, k: int, where: dict[str, Any] | None = None
    ) -> list[Hit]:
        """The k documents of collection `name` closest to `query`, best first."""
        if not query.strip():
            return []
        return self._search_vector(name, self.embedding([query])[0], k, where)

    def _search_vector(
        self, name: str, vector: Any, k: int, where: dict[str, Any] | None = None
    ) -> list[Hit]:
        collection = self._collections.get(name)
        if collection is None or k <= 0:
            return []
        result = collection.query(
            query_embeddings=[vector],
            n_results=max(1, min(k, collection.count())),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return list(_hits(result))

    def search_products(
        self, query: str, k: int = 5, where: dict[str, Any] | None = None
    ) -> list[Hit]:
        return self.search(PRODUCTS, query, k, where)

    def search_scripts(self, query: str, k: int = 3) -> list[Hit]:
        return self.search(SCRIPTS, query, k)

    def search_chats(self, query: str, k: int = 3) -> list[Hit]:
        return self.search(CHATS, query, k)


def _hits(result: Any) -> Iterable[Hit]:
    ids = result["ids"][0]
    documents = (result.get("documents") or [[None] * len(ids)])[0]
    metadatas = (result.get("metadatas") or [[None] * len(ids)])[0]
    distances = result["distances"][0]
    for doc_id, text, metadata, distance in zip(ids, documents, metadatas, distances, strict=True):
        # ChromaDB's cosine distance is 1 - cos, in 0..2.
        score = min(1.0, max(0.0, 1.0 - float(distance)))
        yield Hit(id=doc_id, text=text or "", score=score, metadata=dict(metadata or {}))


def _clean_metadata(metadata: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """ChromaDB metadata takes scalars only: drop None/empty, join lists into text."""
    clean: dict[str, str | int | float | bool] = {}
    for key, value in metadata.items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        if value is None or value == "":
            continue
        clean[key] = value
    return clean
