"""Wiring: read the shop, open storage and knowledge, build the engine and the nudge clock.

Everything slow (Excel, docx, ChromaDB, the photo walk) runs in a worker thread, so the same
code serves the console chat and the async service.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from adapters.chroma_store import KnowledgeStore
from adapters.gdrive_photos import DrivePhotoSource
from adapters.inventory_excel import ExcelInventory
from adapters.nudge_scheduler import NudgeScheduler
from adapters.nudge_store import NudgeStore
from adapters.photos_local import load_photo_index
from adapters.sqlite_store import SQLiteStore
from app.settings import Settings
from knowledge.builder import build_knowledge, build_photo_index, store_needs_build
from knowledge.color_synonyms import load_color_synonyms
from knowledge.embeddings import OpenAIEmbedding, embedding_for
from knowledge.shop_files import load_catalog, load_scripts
from knowledge.shop_info import FILE_NAME as SHOP_FILE
from knowledge.shop_info import load_shop_info, read_shop_file
from ottenok.answers import Answerer
from ottenok.catalog import Catalog
from ottenok.colors import ColorLexicon
from ottenok.engine import Engine
from ottenok.filling import OfflineSlotFiller
from ottenok.lookup import ProductMatcher
from ottenok.nudges import NudgeSender, NudgeService, NudgeTexts
from ottenok.photos import PhotoIndex
from ottenok.phrasing.offline import OfflinePhraser
from ottenok.phrasing.templates import Templates
from ottenok.shop_info import ShopInfo
from ottenok.size_table import SizeTable

if TYPE_CHECKING:  # the LLM path imports openai and instructor only when it is on
    from adapters.llm.client import LLMClient
    from adapters.llm.filler import LLMSlotFiller
    from adapters.llm.phraser import LLMPhraser
    from adapters.llm_usage_store import LLMUsageStore

log = logging.getLogger("ottenok.wiring")


@dataclass(slots=True)
class Shop:
    catalog: Catalog
    matcher: ProductMatcher
    knowledge: KnowledgeStore | None
    photos: PhotoIndex | None
    scripts: list[tuple[str, str]]
    info: ShopInfo = field(default_factory=ShopInfo)


def drive_photos(settings: Settings) -> DrivePhotoSource | None:
    """The Google Drive photo folder when one is configured."""
    if not settings.google_drive_photos_folder_id:
        return None
    return DrivePhotoSource.from_settings(settings)


def photo_index(
    settings: Settings, catalog: Catalog, matcher: ProductMatcher | None = None
) -> PhotoIndex | None:
    """Index the shop's photos (Drive when configured, else the local folder) and save it."""
    matcher = matcher or shop_matcher(settings, catalog)
    return build_photo_index(
        catalog, settings.photos, settings.photo_index, log.info, matcher, drive_photos(settings)
    )


def shop_matcher(settings: Settings, catalog: Catalog) -> ProductMatcher:
    """The product matcher with the shop's one colour lexicon (its `colors.yaml` included),
    which the slot filler and the photo index share."""
    colors = ColorLexicon.for_catalog(catalog, load_color_synonyms(settings.data_dir))
    return ProductMatcher(catalog, colors)


def load_shop(settings: Settings, inventory: ExcelInventory | None = None) -> Shop:
    """Read the shop's files; build the knowledge store first when it is missing (blocking).

    With a loaded `inventory`, the catalog takes its rows and reads its live stock from it.
    """
    catalog = load_catalog(settings.data_dir, settings.inventory_path, live=inventory)
    matcher = shop_matcher(settings, catalog)
    embedding = embedding_for(settings)
    knowledge = None
    if store_needs_build(settings.chroma, embedding) and isinstance(embedding, OpenAIEmbedding):
        # Building would call the embedding API at start-up: a dead endpoint must not stop
        # the service. Questions are answered from the scripts' words until it is built.
        log.warning(
            "knowledge store %s missing; with EMBEDDINGS=openai it is built by"
            " `ottenok knowledge`, not at start-up: lexical search meanwhile",
            settings.chroma,
        )
    elif store_needs_build(settings.chroma, embedding):
        log.info("knowledge store %s missing: building it", settings.chroma)
        build_knowledge(
            settings.data_dir, settings.chroma, embedding, settings.inventory_path,
            log.info, catalog,
        )  # fmt: skip
    if not store_needs_build(settings.chroma, embedding):
        knowledge = KnowledgeStore(settings.chroma, embedding)
    if settings.google_drive_photos_folder_id and settings.photo_index.is_file():
        photos = load_photo_index(settings.photo_index)
    else:
        photos = photo_index(settings, catalog, matcher)
    scripts = [(section.topic, section.text) for section in load_scripts(settings.data_dir)]
    info = load_shop_info(settings.data_dir, scripts)
    log.info("shop facts: %s", info.sources or "none given")
    return Shop(catalog, matcher, knowledge, photos, scripts, info)


def make_engine(
    shop: Shop, store: SQLiteStore, templates: Templates, managers: list[str], **options: Any
) -> Engine:
    """The offline-default engine over a loaded shop."""
    return Engine(
        store=store,
        catalog=shop.catalog,
        filler=OfflineSlotFiller(
            shop.catalog, shop.matcher, shop.matcher.colors, SizeTable.from_scripts(shop.scripts)
        ),
        phraser=OfflinePhraser(templates, shop.catalog, shop.info),
        answerer=Answerer(
            shop.catalog, templates, shop.knowledge, shop.scripts, shop.info, shop.matcher
        ),
        photos=shop.photos,
        managers=managers,
        **options,
    )


async def open_engine(settings: Settings, **options: Any) -> Engine:
    """A ready engine over the shop in `settings.data_dir`; close it with `close_engine`."""
    store = await SQLiteStore.open(settings.database)
    inventory = None
    if settings.inventory_path.is_file():
        inventory = ExcelInventory(settings.inventory_path, snapshot=settings.inventory_snapshot)
        try:
            await inventory.load()
        except BaseException:  # nothing good to serve: stop start-up, leave nothing open
            await store.close()
            raise
    shop = await asyncio.to_thread(load_shop, settings, inventory)
    templates = Templates.load(settings.data_dir)
    policy = settings.nudge_policy()
    engine = make_engine(
        shop, store, templates, settings.managers, tz=policy.tz, inventory=inventory,
        nudge_policy=policy if settings.nudge_enabled else None, **options,
    )  # fmt: skip
    engine.llm = await open_llm(settings, engine, shop.matcher.colors)
    return engine


async def close_engine(engine: Engine) -> None:
    llm = getattr(engine, "llm", None)
    if llm is not None:
        await llm.aclose()
    await engine.store.close()  # type: ignore[attr-defined]


@dataclass(slots=True)
class LLMParts:
    """The LLM filler and phraser installed in an engine, and what they hold open."""

    filler: LLMSlotFiller
    phraser: LLMPhraser
    client: LLMClient
    usage: LLMUsageStore
    probe: asyncio.Task[bool] | None = None

    def status(self) -> dict[str, Any]:
        """For /health: the endpoint's breaker; `degraded` while it is not known to work
        (the offline default answers meanwhile, so it never makes the service down)."""
        status = self.client.status()
        return {"ok": not status["degraded"], **status}

    async def aclose(self) -> None:
        if self.probe is not None:
            self.probe.cancel()
            await asyncio.gather(self.probe, return_exceptions=True)
        await self.client.close()
        await self.usage.close()


async def open_llm(settings: Settings, engine: Engine, colors: ColorLexicon) -> LLMParts | None:
    """Wrap the engine's offline filler and phraser in the LLM ones when the settings enable
    the LLM; None (and the engine untouched) otherwise. `colors` is the shop's one colour
    lexicon (`Shop.matcher.colors`), which the output guard and the LLM filler read with too.

    No request is awaited here: the endpoint is probed in the background, so a dead one is
    logged once and shows as degraded in the status, and every turn still gets the offline
    default. openai and instructor are imported only on this path (about 2 s, in a thread).
    """
    if not settings.llm_enabled:
        return None

    def build() -> tuple[Any, Any, Any]:
        from adapters.llm.client import LLMClient, LLMConfig
        from ottenok.phrasing.guard import OutputGuard
        from ottenok.states.prompts import StatePrompts

        config = LLMConfig(
            model=settings.openai_model,
            mode=settings.llm_mode,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout_seconds,
        )
        return LLMClient(config), OutputGuard(engine.catalog, colors), StatePrompts.load()

    from adapters.llm.filler import LLMSlotFiller
    from adapters.llm.phraser import LLMPhraser
    from adapters.llm.usage import Accounting
    from adapters.llm_usage_store import LLMUsageStore

    client, guard, prompts = await asyncio.to_thread(build)
    usage = await LLMUsageStore.open(engine.store.path)  # type: ignore[attr-defined]
    accounting = Accounting(usage, settings.nudge_policy().tz)  # the shop's day
    budget = settings.llm_timeout_seconds
    filler = LLMSlotFiller(engine.filler, client, prompts, accounting, budget, colors)  # type: ignore[arg-type]
    phraser = LLMPhraser(engine.phraser, client, guard, prompts, accounting, budget)
    engine.filler, engine.phraser = filler, phraser
    log.info(
        "LLM on: %s at %s (%s mode), offline default behind it",
        settings.openai_model, settings.openai_base_url or "api.openai.com", settings.llm_mode,
    )  # fmt: skip
    return LLMParts(filler, phraser, client, usage, asyncio.create_task(client.probe()))


async def start_nudges(
    settings: Settings,
    store: SQLiteStore,
    sender: NudgeSender,
    catalog: Catalog | None = None,
    llm: LLMParts | None = None,
) -> NudgeScheduler:
    """Wire and start the nudge scheduler for `ottenok serve`.

    `store` is the open (migrated) engine store; nudges get their own connection to its file.
    Pass the engine's `catalog` to skip reading the shop's files a second time, and its `llm`
    to phrase the reminders under the output guard.
    """
    if catalog is None:
        catalog = await asyncio.to_thread(load_catalog, settings.data_dir, settings.inventory_path)
    nudge_store = await NudgeStore.open(store.path)
    own = await asyncio.to_thread(read_shop_file, settings.data_dir / SHOP_FILE)
    templates = Templates.load(settings.data_dir).with_names(own.name, own.assistant)
    service = NudgeService(
        nudge_store,
        sender,
        settings.nudge_policy(),
        NudgeTexts(templates, catalog),
        rewrite=llm.phraser.phrase_nudge if llm is not None else None,
    )
    scheduler = NudgeScheduler(service, nudge_store, settings.nudge_tick_seconds)
    scheduler.start()
    return scheduler

