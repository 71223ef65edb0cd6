"""Offline text embeddings for the knowledge store, tuned for Russian shop talk.

Why not chromadb's default: it downloads an ONNX model at first use, and nothing here may touch the
network. Instead we combine two cheap, local signals:

* meaning: navec word vectors (shipped inside the natasha wheel) averaged over pymorphy3 lemmas, so
  "сколько стоит доставка" and "цена доставки" land close together;
* spelling: hashed character 3-/4-grams of the lemmas, so brand names navec does not know and typos
  ("вайцмен" for "вайцман") still match.

Both parts are L2-normalised, weighted and concatenated, and the result is L2-normalised again,
so the dot product of two vectors is a weighted mix of the two cosine similarities.

Loading navec takes ~0.7 s and pymorphy3 a little less; both happen lazily, once per process.
They are blocking calls: async callers must run embedding (and anything that triggers it) in
`asyncio.to_thread`.

`OpenAIEmbedding` is the alternative, only with EMBEDDINGS=openai (a key alone changes
nothing); `embedding_for` picks one. A failing OpenAI embedding call raises at once (short timeout,
no retries, a circuit breaker): the answerer then searches the scripts lexically for that question.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from adapters.llm.breaker import CircuitBreaker
from ottenok.morphology import morph, to_cyrillic

_WORD_RE = re.compile(r"[a-zа-я0-9]+")
# Parts of speech that carry no topic: prepositions, conjunctions, particles, pronouns,
# interjections.
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "NPRO", "INTJ"})
# Verbs and adverbs every question uses ("а можно …", "есть ли …", "подскажите …"): they carry no
# topic, and in an average of a few words they drown the one word that does.
_GENERIC_LEMMAS = frozenset(
    {"быть", "есть", "мочь", "можно", "хотеть", "подсказать", "сказать", "знать", "это", "весь",
     "вот", "ещё", "еще", "уже", "очень", "который", "такой", "так", "какой", "пожалуйста"}
)  # fmt: skip
_NAVEC_FILE_GLOB = "navec_*.tar"

_navec_lock = threading.Lock()
_navec_by_path: dict[Path, Any] = {}


@dataclass(frozen=True, slots=True)
class Word:
    """One analysed word.

    `spelling` feeds the character n-grams: the lemma, read in Cyrillic when it is Latin, so
    "Kaspi Red" meets "каспи ред" and "Weitzman" meets "Вайцман". `navec_keys` are the forms to
    try in navec, whose vocabulary holds word forms from news ("кеды", "ботильоны", "можно")
    rather than lemmas ("кед", "ботильон", "мочь").
    """

    lemma: str
    meaningful: bool
    navec_keys: tuple[str, ...]
    spelling: str


@lru_cache(maxsize=200_000)
def analyse(form: str) -> Word:
    """Analyse one folded word form; cached, since customers and documents repeat words."""
    if not form.isalpha():
        return Word(form, True, (form,), form)
    if form.isascii():
        return Word(form, True, (form,), to_cyrillic(form))
    parse = morph().parse(form)[0]  # the process-wide analyzer shared with product lookup
    lemma = parse.normal_form.replace("ё", "е")
    plural = parse.inflect({"nomn", "plur"}) if parse.tag.POS == "NOUN" else None
    keys = dict.fromkeys([lemma, *([plural.word] if plural else []), form])
    meaningful = parse.tag.POS not in _FUNCTION_POS and lemma not in _GENERIC_LEMMAS
    return Word(lemma, meaningful, tuple(keys), lemma)


def content_words(text: str) -> list[Word]:
    """The words that carry meaning; every word when the text has only function words."""
    words = [analyse(form) for form in _WORD_RE.findall(text.lower().replace("ё", "е"))]
    return [word for word in words if word.meaningful] or words


def content_lemmas(text: str) -> list[str]:
    return [word.lemma for word in content_words(text)]


def default_navec_path() -> Path:
    """The navec archive inside the installed natasha wheel, found without importing natasha.

    Importing natasha would pull in pymorphy2, which is broken on Python 3.11; find_spec only
    locates the package directory.
    """
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("natasha is not installed: its wheel ships the navec vectors we need")
    emb_dir = Path(next(iter(spec.submodule_search_locations))) / "data" / "emb"
    found = sorted(emb_dir.glob(_NAVEC_FILE_GLOB))
    if not found:
        raise RuntimeError(f"no navec archive ({_NAVEC_FILE_GLOB}) in {emb_dir}")
    return found[0]


def _load_navec(path: Path) -> Any:
    """Load a navec archive once per process, whichever thread asks first."""
    with _navec_lock:
        navec = _navec_by_path.get(path)
        if navec is None:
            from navec import Navec

            navec = Navec.load(str(path))
            _navec_by_path[path] = navec
        return navec


def _hash_index(gram: str, dims: int) -> tuple[int, float]:
    """Stable bucket and sign of an n-gram (crc32, unlike hash(), is the same in every process)."""
    code = zlib.crc32(gram.encode("utf-8"))
    return code % dims, (1.0 if (code >> 31) & 1 else -1.0)


def char_ngram_vector(
    spellings: list[str], dims: int, sizes: tuple[int, ...] = (3, 4)
) -> np.ndarray:
    """Signed feature-hashing of boundary-padded character n-grams, L2-normalised."""
    vector = np.zeros(dims, dtype=np.float32)
    for spelling in spellings:
        padded = f"<{spelling}>"
        for size in sizes:
            for start in range(max(1, len(padded) - size + 1)):
                bucket, sign = _hash_index(padded[start : start + size], dims)
                vector[bucket] += sign
    return _unit(vector)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@register_embedding_function
class NavecHashEmbedding(EmbeddingFunction[Documents]):
    """navec lemma average (300 dims) + hashed character n-grams (`ngram_dims`), offline.

    `semantic_weight` is the share of the cosine similarity that comes from navec; the rest comes
    from the n-grams. Deterministic: the same text always gives the same vector.
    """

    VERSION = 2

    def __init__(
        self,
        ngram_dims: int = 256,
        semantic_weight: float = 0.6,
        navec_path: str | None = None,
    ) -> None:
        if not 0.0 <= semantic_weight <= 1.0:
            raise ValueError("semantic_weight must be within 0..1")
        self.ngram_dims = ngram_dims
        self.semantic_weight = semantic_weight
        self._navec_path = Path(navec_path) if navec_path else None
        self._semantic_scale = math.sqrt(semantic_weight)
        self._ngram_scale = math.sqrt(1.0 - semantic_weight)
        self._word_vectors: dict[tuple[str, ...], np.ndarray | None] = {}

    @property
    def navec_path(self) -> Path:
        if self._navec_path is None:
            self._navec_path = default_navec_path()
        return self._navec_path

    @property
    def dims(self) -> int:
        return 300 + self.ngram_dims

    def __call__(self, input: Documents) -> Embeddings:
        return [self.embed_text(text) for text in input]

    def embed_text(self, text: str) -> np.ndarray:
        """One text's vector (float32, unit length unless the text has no words at all)."""
        words = content_words(text)
        semantic = self._semantic_vector(words)
        spelling = char_ngram_vector([word.spelling for word in words], self.ngram_dims)
        return _unit(
            np.concatenate([semantic * self._semantic_scale, spelling * self._ngram_scale])
        )

    def _semantic_vector(self, words: list[Word]) -> np.ndarray:
        found = [v for v in map(self._word_vector, words) if v is not None]
        if not found:
            return np.zeros(300, dtype=np.float32)
        return _unit(np.mean(found, axis=0).astype(np.float32))

    def _word_vector(self, word: Word) -> np.ndarray | None:
        """navec's vector for the first of the word's spellings it knows."""
        if word.navec_keys not in self._word_vectors:
            navec = _load_navec(self.navec_path)
            vector = next((v for v in map(navec.get, word.navec_keys) if v is not None), None)
            self._word_vectors[word.navec_keys] = (
                None if vector is None else _unit(vector.astype(np.float32))
            )
        return self._word_vectors[word.navec_keys]

    @staticmethod
    def name() -> str:
        return "ottenok-navec-hash"

    def get_config(self) -> dict[str, Any]:
        # The navec file name (not its path) identifies the vectors; the path differs per machine.
        return {
            "version": self.VERSION,
            "ngram_dims": self.ngram_dims,
            "semantic_weight": self.semantic_weight,
            "navec": self.navec_path.name,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> NavecHashEmbedding:
        return NavecHashEmbedding(
            ngram_dims=int(config.get("ngram_dims", 256)),
            semantic_weight=float(config.get("semantic_weight", 0.6)),
        )

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def is_legacy(self) -> bool:
        return False


@register_embedding_function
class OpenAIEmbedding(EmbeddingFunction[Documents]):
    """OpenAI (or any OpenAI-compatible server's) embeddings, with EMBEDDINGS=openai.

    The key is read from the environment variable named in `api_key_env` and never stored in the
    config (the config is written into the ChromaDB files), nor is the server's address. The
    openai client is created on first use, so importing or building this opens no connection.
    Calls run in worker threads; the breaker lets a dead endpoint fail fast instead of costing
    every question the timeout.
    """

    TIMEOUT_SECONDS = 5.0

    def __init__(
        self,
        model: str = "text-embedding-3-small",
        api_key: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        dimensions: int | None = None,
        base_url: str | None = None,
    ) -> None:
        self.model = model
        self.api_key_env = api_key_env
        self.dimensions = dimensions
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self._api_key = api_key
        self._client: Any = None
        self._lock = threading.Lock()
        self.breaker = CircuitBreaker("embedding")

    def _openai(self) -> Any:
        if self._client is None:
            from openai import OpenAI

            key = self._api_key or os.environ.get(self.api_key_env)
            if not key and not self.base_url:
                raise RuntimeError(f"OpenAI embeddings need an API key in ${self.api_key_env}")
            self._client = OpenAI(
                api_key=key or "not-needed",
                base_url=self.base_url,
                timeout=self.TIMEOUT_SECONDS,
                max_retries=0,
            )
        return self._client

    def __call__(self, input: Documents) -> Embeddings:
        if not input:
            return []
        with self._lock:
            if not self.breaker.allow():
                raise RuntimeError("embedding endpoint failing: circuit breaker open")
        extra = {"dimensions": self.dimensions} if self.dimensions else {}
        try:
            response = self._openai().embeddings.create(
                model=self.model, input=list(input), **extra
            )
        except Exception as err:
            with self._lock:
                self.breaker.record_failure(type(err).__name__)
            raise
        with self._lock:
            self.breaker.record_success()
        ordered = sorted(response.data, key=lambda item: item.index)
        return [np.asarray(item.embedding, dtype=np.float32) for item in ordered]

    @staticmethod
    def name() -> str:
        return "ottenok-openai"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "api_key_env": self.api_key_env, "dimensions": self.dimensions}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedding:
        return OpenAIEmbedding(
            model=config.get("model", "text-embedding-3-small"),
            api_key_env=config.get("api_key_env", "OPENAI_API_KEY"),
            dimensions=config.get("dimensions"),
        )

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def is_legacy(self) -> bool:
        return False


def embedding_for(settings_like: object | None = None) -> EmbeddingFunction[Documents]:
    """OpenAI embeddings with EMBEDDINGS=openai, else the offline default (even with a key).

    `settings_like` may be a settings object (attributes `embeddings`, `openai_api_key`,
    `openai_base_url`, `openai_embedding_model`), a mapping with those keys or with env-style
    names, or None to read the environment. Note that a store built with one embedding cannot
    be searched with the other: switching means rebuilding the knowledge store.
    """
    if (_setting(settings_like, "embeddings", "EMBEDDINGS") or "offline") != "openai":
        return NavecHashEmbedding()
    model = _setting(settings_like, "openai_embedding_model", "OPENAI_EMBEDDING_MODEL")
    return OpenAIEmbedding(
        model=model or "text-embedding-3-small",
        api_key=_setting(settings_like, "openai_api_key", "OPENAI_API_KEY"),
        base_url=_setting(settings_like, "openai_base_url", "OPENAI_BASE_URL"),
    )


def _setting(settings_like: object | None, attribute: str, env_name: str) -> str | None:
    if settings_like is None:
        value = os.environ.get(env_name)
    elif isinstance(settings_like, Mapping):
        value = settings_like.get(attribute, settings_like.get(env_name))
    else:
        value = getattr(settings_like, attribute, None)
    if value is not None and hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return str(value) if value else None
