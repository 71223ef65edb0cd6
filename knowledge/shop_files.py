"""Load a whole shop from its documented folder layout (see README, "Shop data").

    DATA_DIR/inventory.xlsx                      stock, one row per variant
    DATA_DIR/knowledge_base/catalog/*.docx       product descriptions
    DATA_DIR/knowledge_base/scripts/*.docx       sales scripts
    DATA_DIR/knowledge_base/chats/<name>/*.txt   WhatsApp exports

Start-up, the CLI and the knowledge builder all read the shop through here, so a broken file
fails the same way everywhere: with an error that names it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from adapters.inventory_excel import ExcelInventory, read_inventory
from knowledge.catalog_docx import parse_catalog
from knowledge.chat_export import parse_chat_export
from knowledge.documents import ChatMessage, ScriptSection
from knowledge.scripts_docx import parse_scripts
from ottenok.catalog import Catalog, CatalogEntry
from ottenok.catalog_merge import merge_catalog

log = logging.getLogger(__name__)


def load_catalog(
    data_dir: Path | str,
    inventory_path: Path | str | None = None,
    live: ExcelInventory | None = None,
) -> Catalog:
    """Every catalog document plus the inventory, merged.

    With `live` (an inventory already loaded), its rows are used and the catalog reads its
    stock from it, so a running bot sees the spreadsheet change. Otherwise the spreadsheet is
    read once: an explicitly given one must exist; the default `inventory.xlsx` may be absent
    (a shop that only has documents yet), which is logged.
    """
    data_dir = Path(data_dir)
    entries: list[CatalogEntry] = []
    for path in documents(data_dir / "knowledge_base" / "catalog", "*.docx"):
        entries.extend(parse_catalog(path))
    if live is not None:
        return merge_catalog(entries, live.rows(), stock=live)
    default_inventory = data_dir / "inventory.xlsx"
    if inventory_path is None and not default_inventory.exists():
        log.warning("%s: no inventory file, products come from the catalog only", default_inventory)
        rows = []
    else:
        rows = read_inventory(inventory_path or default_inventory)
    return merge_catalog(entries, rows)


def load_scripts(data_dir: Path | str) -> list[ScriptSection]:
    sections: list[ScriptSection] = []
    for path in documents(Path(data_dir) / "knowledge_base" / "scripts", "*.docx"):
        sections.extend(parse_scripts(path))
    return sections


def load_chats(data_dir: Path | str) -> list[ChatMessage]:
    """Messages of every export: `chats/<name>/*.txt` is chat <name>, a loose
    `chats/<file>.txt` is chat <file>."""
    root = Path(data_dir) / "knowledge_base" / "chats"
    messages: list[ChatMessage] = []
    for path in documents(root, "**/*.txt"):
        chat = path.stem if path.parent == root else path.relative_to(root).parts[0]
        messages.extend(parse_chat_export(path, chat=chat))
    return messages


def documents(folder: Path, pattern: str) -> list[Path]:
    """Files in a stable order, without Word's "~$" lock files and hidden files."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith(("~$", "."))
    )
