"""Check a shop's folder for what will hurt sales: `ottenok check-shop [DATA_DIR]`.

A shop owner fills DATA_DIR by hand (README, "The shop's data"), and most mistakes do not stop
the bot — they make Alina say "sold out" about a product on the shelf, send no photo, miss a
customer's brand or answer "no exact answer" to "сколько доставка?". This module reads the shop
through the same loaders the service uses and lists each such problem with the file it is in
and the fix, so the owner can repair it before customers notice.

Findings are errors (the service would not start, or could sell nothing) or warnings (it runs,
but sells worse). Nothing here is a second parser: documents go through `knowledge.shop_files`,
stock through `adapters.inventory_excel`, photos through `adapters.photos_local` and names
through `ottenok.lookup.ProductMatcher`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

import yaml

from adapters.inventory_excel import InventoryError, InventoryRow, read_inventory
from adapters.photos_local import build_local_photo_index
from knowledge.catalog_docx import DocumentError, parse_catalog
from knowledge.color_synonyms import ColorSynonymsError, load_color_synonyms
from knowledge.documents import ScriptSection
from knowledge.scripts_docx import parse_scripts
from knowledge.shop_files import documents
from ottenok.catalog import Catalog, CatalogEntry
from ottenok.catalog_merge import BRAND_NICKNAMES, merge_catalog, name_key
from ottenok.colors import ColorLexicon
from ottenok.lookup import ProductMatcher
from ottenok.morphology import has_cyrillic
from ottenok.normalize import fold
from ottenok.photos import PhotoIndex
from ottenok.phrasing.templates import Templates

Level = Literal["error", "warning"]

CATALOG_DIR = Path("knowledge_base") / "catalog"
SCRIPTS_DIR = Path("knowledge_base") / "scripts"
#: The shop's own facts: its name, the assistant's name and the delivery table.
SHOP_FACTS_FILE = "shop.yaml"

# What customers ask before they buy, and the words a script heading about it uses.
SCRIPT_TOPICS: dict[str, tuple[str, str]] = {
    "delivery": (r"достав|отправ|курьер", "«Доставка»: days and price per city or region"),
    "payment": (r"оплат|рассроч|kaspi|каспи", "«Оплата»: how to pay, installments if any"),
    "returns": (r"возврат|обмен|вернут", "«Обмен и возврат»: the days and the conditions"),
}
_KNOWN_BRANDS = frozenset(name_key(brand) for brand in BRAND_NICKNAMES)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: how bad, in which file (relative to DATA_DIR), what and how to fix it."""

    level: Level
    file: str
    problem: str
    fix: str

    def line(self) -> str:
        return f"{self.level.upper():<7} {self.file}: {self.problem}\n        fix: {self.fix}"


@dataclass(slots=True)
class ShopReport:
    """Everything `check_shop` found, plus what it could read."""

    data_dir: Path
    findings: list[Finding] = field(default_factory=list)
    products: int = 0
    variants: int = 0
    photos: int = 0

    @property
    def loadable(self) -> bool:
        """False when the service would refuse this folder or could sell nothing from it."""
        return not any(f.level == "error" for f in self.findings)

    def add(self, level: Level, file: Path | str, problem: str, fix: str) -> None:
        self.findings.append(Finding(level, self._relative(file), problem, fix))

    def lines(self) -> list[str]:
        errors = sum(f.level == "error" for f in self.findings)
        warnings = len(self.findings) - errors
        head = (
            f"shop {self.data_dir}: {self.products} products, {self.variants} inventory rows,"
            f" {self.photos} photos"
        )
        tail = f"{errors} error(s), {warnings} warning(s)" if self.findings else "no problems found"
        ordered = sorted(self.findings, key=lambda f: (f.level != "error", f.file))
        return [head, *(f.line() for f in ordered), tail]

    def _relative(self, file: Path | str) -> str:
        path = Path(file)
        try:
            return path.relative_to(self.data_dir).as_posix()
        except ValueError:
            return str(path)


def check_shop(
    data_dir: Path | str,
    inventory_path: Path | str | None = None,
    photos_dir: Path | str | None = None,
) -> ShopReport:
    """Read the shop in `data_dir` and report what will hurt sales (never raises for the
    shop's own files: an unreadable file is a finding)."""
    data_dir = Path(data_dir)
    report = ShopReport(data_dir)
    inventory = Path(inventory_path) if inventory_path else data_dir / "inventory.xlsx"
    photos = Path(photos_dir) if photos_dir else data_dir / "photos"

    rows = _inventory(report, inventory)
    entries = _read_each(report, data_dir / CATALOG_DIR, parse_catalog, "catalog document")
    sections = _read_each(report, data_dir / SCRIPTS_DIR, parse_scripts, "sales script")
    catalog = merge_catalog(entries, rows or [])
    report.products, report.variants = len(catalog.products), len(rows or [])

    if not entries:
        report.add(
            "warning",
            data_dir / CATALOG_DIR,
            "no catalog documents: products have no brand, type or description",
            "add a .docx with a heading or a table row per product (Тип, Бренд, Цена, Описание)",
        )
    if rows is not None:
        _compare_catalog_and_inventory(report, entries, rows, inventory)
    _brands(report, entries)
    _scripts(report, sections, data_dir / SCRIPTS_DIR)
    _shop_facts(report, data_dir)
    _templates(report, data_dir)
    colors = _color_lexicon(report, data_dir, catalog)
    if photos.is_dir():
        matcher = ProductMatcher(catalog, colors)
        index = build_local_photo_index(photos, catalog, matcher)
        report.photos = len(index.photos)
        _photos(report, index, catalog, matcher, photos)
    else:
        report.add(
            "warning",
            photos,
            "no photo folder: Alina cannot show any product",
            "create photos/<product name>/ folders with the colour in each file name",
        )
    return report


def _inventory(report: ShopReport, path: Path) -> list[InventoryRow] | None:
    """The inventory rows, or None when there are none to sell from (an error either way)."""
    if not path.is_file():
        report.add(
            "error",
            path,
            "no inventory: every product reads as sold out",
            "put the stock spreadsheet here (columns Наименование, Размер, Цвет, Остаток, Цена)",
        )
        return None
    try:
        rows = read_inventory(path)
    except InventoryError as err:
        report.add("error", path, _one_line(err), "save it as .xlsx with a header row")
        return None
    if not any(row.quantity > 0 for row in rows):
        report.add(
            "error",
            path,
            "no row has a quantity above 0: every product reads as sold out",
            "fill in the Остаток/quantity column",
        )
    return rows


def _read_each(
    report: ShopReport, folder: Path, parse: Callable[[Path], list[T]], what: str
) -> list[T]:
    """Every document of a folder, each on its own: one broken file is one finding; a file
    that is not .docx is never read, which the owner may not know."""
    for path in documents(folder, "*"):
        if path.suffix.lower() != ".docx":
            report.add(
                "warning",
                path,
                f"not a .docx file: this {what} is never read",
                "open it in Word and save it as .docx",
            )
    found: list[T] = []
    for path in documents(folder, "*.docx"):
        try:
            found.extend(parse(path))
        except DocumentError as err:
            report.add(
                "error",
                path,
                f"unreadable {what}: {_one_line(err).removeprefix(f'{path}: ')}",
                "open it in Word and save it again as .docx (not .doc, not a renamed file)",
            )
    return found


def _compare_catalog_and_inventory(
    report: ShopReport, entries: Sequence[CatalogEntry], rows: Sequence[InventoryRow], path: Path
) -> None:
    """Products described but not stocked, and stocked but not described."""
    stocked = {name_key(row.product_name): row.product_name for row in rows}
    described = {name_key(entry.name): entry for entry in entries}
    for key, entry in described.items():
        if key not in stocked:
            report.add(
                "warning",
                Path(report.data_dir / CATALOG_DIR / entry.source),
                f"«{entry.name}» is not in the inventory: Alina will call it sold out",
                f"add its rows to {path.name}, or spell its name there exactly as in the catalog",
            )
    for key, name in stocked.items():
        if key not in described and entries:
            report.add(
                "warning",
                path,
                f"«{name}» is in no catalog document: no brand, type or description to tell",
                "describe it in a catalog .docx under exactly this name",
            )


def _brands(report: ShopReport, entries: Sequence[CatalogEntry]) -> None:
    """A Latin brand customers will write in Cyrillic ("Мансур Гавриэль") needs that spelling."""
    seen: set[str] = set()
    for entry in entries:
        brand = entry.brand
        if not brand or has_cyrillic(brand) or name_key(brand) in seen:
            continue
        seen.add(name_key(brand))
        if name_key(brand) in _KNOWN_BRANDS or any(map(has_cyrillic, entry.brand_aliases)):
            continue
        report.add(
            "warning",
            report.data_dir / CATALOG_DIR / entry.source,
            f"brand {brand} has no Russian spelling: customers who type it in Cyrillic"
            " are not understood",
            f"write it as «Бренд: {brand} (<how customers spell it in Russian>)»",
        )


def _scripts(report: ShopReport, sections: Sequence[ScriptSection], folder: Path) -> None:
    """The questions every customer asks need a script section to be answered from."""
    headings = " ".join(fold(section.topic) for section in sections)
    for topic, (pattern, heading) in SCRIPT_TOPICS.items():
        if not re.search(pattern, headings):
            report.add(
                "warning",
                folder,
                f"no script section about {topic}: such questions get no answer",
                f"add a heading {heading}",
            )


def _shop_facts(report: ShopReport, data_dir: Path) -> None:
    """The shop's name and delivery table: never filled in from our defaults."""
    path = data_dir / SHOP_FACTS_FILE
    if not path.is_file():
        report.add(
            "warning",
            path,
            "no shop facts file: Alina cannot name the shop or state delivery terms per city",
            "create it with `name:`, `assistant:` and `delivery:` rows (city, days, price)",
        )
        return
    try:
        facts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        report.add("error", path, f"not valid YAML ({_one_line(err)})", "fix the indentation")
        return
    if not isinstance(facts, dict):
        report.add("error", path, "expected `key: value` lines", "see README, The shop's data")
        return
    if not facts.get("name"):
        report.add("warning", path, "no `name`: Alina greets in no shop's name", "add `name:`")
    if not facts.get("delivery"):
        report.add(
            "warning",
            path,
            "no `delivery` rows: delivery days and prices are left out of every summary",
            "add `delivery:` rows with city, days and price",
        )


def _templates(report: ShopReport, data_dir: Path) -> None:
    if not (data_dir / "replies.yaml").is_file():
        return
    try:
        Templates.load(data_dir)
    except (yaml.YAMLError, OSError) as err:
        report.add(
            "error",
            data_dir / "replies.yaml",
            f"unreadable reply templates ({_one_line(err)})",
            "fix the YAML or delete the file to use the default templates",
        )


def _color_lexicon(report: ShopReport, data_dir: Path, catalog: Catalog) -> ColorLexicon:
    """The shop's colour words (its `colors.yaml` included), as the service builds them."""
    try:
        synonyms = load_color_synonyms(data_dir)
    except ColorSynonymsError as err:
        report.add("error", data_dir / "colors.yaml", _one_line(err), "fix the YAML")
        synonyms = {}
    lexicon = ColorLexicon.for_catalog(catalog, synonyms)
    for color in lexicon.ignored_synonyms:
        report.add(
            "warning",
            data_dir / "colors.yaml",
            f"«{color}» is a colour no product has in the inventory: its words are ignored",
            "use the colour as the inventory spells it",
        )
    return lexicon


def _photos(
    report: ShopReport, index: PhotoIndex, catalog: Catalog, matcher: ProductMatcher, root: Path
) -> None:
    """Folders that match no product, in-stock products with no photo, photo colours the
    inventory does not have (they could show a colour that cannot be ordered)."""
    for folder in index.unmatched_folders():
        guess = matcher.find(folder, limit=1)
        hint = f" (perhaps «{catalog.products[guess[0].product_id].name}»)" if guess else ""
        report.add(
            "warning",
            root / folder,
            "photo folder matches no product: its photos are never sent",
            f"name the folder after the product{hint}",
        )
    photographed = set(index.products())
    for product in catalog.products.values():
        in_stock = catalog.check_availability(product.id).in_stock
        if in_stock and product.id not in photographed:
            report.add(
                "warning",
                root,
                f"«{product.name}» has no photos: customers ask for them before they buy",
                f"add a folder photos/{product.name}/ with the colour in each file name",
            )
    for photo in index.photos:
        colors = catalog.colors(photo.product_id)
        if photo.color is not None and colors and photo.color not in colors:
            report.add(
                "warning",
                root / photo.key,
                f"colour «{photo.color}» is not in the inventory for"
                f" «{catalog.products[photo.product_id].name}»",
                "add the colour to the inventory, or remove or rename the photo",
            )
        elif photo.color is None and len(colors) > 1:
            report.add(
                "warning",
                root / photo.key,
                "no colour in the file or folder name: it is never sent for a colour asked",
                f"put the colour in its name ({', '.join(colors)})",
            )


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
