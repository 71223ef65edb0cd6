"""Wiring: read the shop, open storage and knowledge, build the engine and the nudge clock.

Everything slow (Excel, docx, ChromaDB, the photo walk) runs in a worker thread, so the same
code serves the console chat and the async service.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from adapters.chroma_store import KnowledgeStore
from adapters.gdrive_photos import DrivePhotoSource
from adapters.inventory_excel import ExcelInventory
from adapters.nudge_scheduler import NudgeScheduler
from adapters.nudge_store import NudgeStore
from adapters.photos_local import load_photo_index
from adapters.sqlite_store import SQLiteStore
from app.settings import Settings
from knowledge.builder import build_knowledge, build_photo_index, store_needs_build
from knowledge.embeddings import embedding_for
from knowledge.shop_files import load_catalog, load_scripts
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

log = logging.getLogger("ottenok.wiring")


@dataclass(slots=True)
class Shop:
    catalog: Catalog
    matcher: ProductMatcher
    knowledge: KnowledgeStore | None
    photos: PhotoIndex | None
    scripts: list[tuple[str, str]]


def drive_photos(settings: Settings) -> DrivePhotoSource | None:
    """The Google Drive photo folder when one is configured."""
    if not settings.google_drive_photos_folder_id:
        return None
    return DrivePhotoSource.from_settings(settings)


def photo_index(
    settings: Settings, catalog: Catalog, matcher: ProductMatcher | None = None
) -> PhotoIndex | None:
    """Index the shop's photos (Drive when configured, else the local folder) and save it."""
    return build_photo_index(
        catalog, settings.photos, settings.photo_index, log.info, matcher, drive_photos(settings)
    )


def load_shop(settings: Settings, inventory: ExcelInventory | None = None) -> Shop:
    """Read the shop's files; build the knowledge store first when it is missing (blocking).

    With a loaded `inventory`, the catalog takes its rows and reads its live stock from it.
    """
    catalog = load_catalog(settings.data_dir, settings.inventory_path, live=inventory)
    matcher = ProductMatcher(catalog)
    embedding = embedding_for(settings)
    knowledge = None
    if store_needs_build(settings.chroma, embedding):
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
    return Shop(catalog, matcher, knowledge, photos, scripts)


def make_engine(
    shop: Shop, store: SQLiteStore, templates: Templates, managers: list[str], **options: Any
) -> Engine:
    """The offline-default engine over a loaded shop."""
    colors = ColorLexicon(_all_colors(shop.catalog))
    return Engine(
        store=store,
        catalog=shop.catalog,
        filler=OfflineSlotFiller(shop.catalog, shop.matcher, colors),
        phraser=OfflinePhraser(templates, shop.catalog),
        answerer=Answerer(shop.catalog, templates, shop.knowledge, shop.scripts),
        photos=shop.photos,
        managers=managers,
        **options,
    )


async def open_engine(settings: Settings, **options: Any) -> Engine:
    """A ready engine over the shop in `settings.data_dir`; close it with `close_engine`."""
    store = await SQLiteStore.open(settings.database)
    inventory = None
    if settings.inventory_path.is_file():
        inventory = ExcelInventory(settings.inventory_path)
        await inventory.load()
    shop = await asyncio.to_thread(load_shop, settings, inventory)
    templates = Templates.load(settings.data_dir)
    policy = settings.nudge_policy()
    return make_engine(
        shop, store, templates, settings.managers, tz=policy.tz, inventory=inventory,
        nudge_policy=policy if settings.nudge_enabled else None, **options,
    )  # fmt: skip


async def close_engine(engine: Engine) -> None:
    await engine.store.close()  # type: ignore[attr-defined]


async def start_nudges(
    settings: Settings,
    store: SQLiteStore,
    sender: NudgeSender,
    catalog: Catalog | None = None,
) -> NudgeScheduler:
    """Wire and start the nudge scheduler for `ottenok serve`.

    `store` is the open (migrated) engine store; nudges get their own connection to its file.
    Pass the engine's `catalog` to skip reading the shop's files a second time.
    """
    if catalog is None:
        catalog = await asyncio.to_thread(load_catalog, settings.data_dir, settings.inventory_path)
    nudge_store = await NudgeStore.open(store.path)
    service = NudgeService(
        nudge_store,
        sender,
        settings.nudge_policy(),
        NudgeTexts(Templates.load(settings.data_dir), catalog),
    )
    scheduler = NudgeScheduler(service, nudge_store, settings.nudge_tick_seconds)
    scheduler.start()
    return scheduler


def _all_colors(catalog: Catalog) -> list[str]:
    colors: dict[str, None] = {}
    for product_id in catalog.products:
        for color in catalog.colors(product_id):
            colors.setdefault(color, None)
    return list(colors)
