"""Read product descriptions from the shop's catalog documents (.docx), in either layout.

Layout one is a heading per product (any level) followed by `Ключ: значение` paragraphs;
layout two is a table whose header row names the columns. Shop owners write these by hand,
so keys and headers are matched loosely and values ("89 900 ₸", "35–41") are normalised here,
once, instead of in every consumer.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from ottenok.catalog import CatalogEntry
from ottenok.normalize import fold, normalize_color, normalize_price, normalize_size, size_key
from ottenok.product_vocabulary import TYPE_LABELS, infer_type, parse_type

__all__ = [
    "DocumentError",
    "infer_type",
    "is_heading",
    "iter_blocks",
    "open_docx",
    "parse_brand",
    "parse_catalog",
    "parse_colors",
    "parse_sizes",
]


class DocumentError(ValueError):
    """A shop document that cannot be read; the message names the file."""


# Field names as shop owners write them (folded, without the trailing colon).
_FIELD_NAMES: dict[str, str] = {
    "наименование": "name", "название": "name", "товар": "name", "модель": "name",
    "name": "name", "product": "name", "product name": "name",
    "тип": "type", "категория": "type", "type": "type",
    "бренд": "brand", "марка": "brand", "brand": "brand",
    "цена": "price", "стоимость": "price", "price": "price",
    "цвета": "colors", "цвет": "colors", "colors": "colors", "color": "colors",
    "размеры": "sizes", "размер": "sizes", "размерный ряд": "sizes", "sizes": "sizes",
    "size": "sizes",
    "материал": "material", "материалы": "material", "material": "material",
    "описание": "description", "description": "description",
}  # fmt: skip

_KEY_VALUE_RE = re.compile(r"^\s*([^:]{1,30}?)\s*:\s*(.*)$", re.S)
_BRAND_RE = re.compile(r"^(?P<brand>[^()]+?)\s*\((?P<aliases>[^()]*)\)\s*$")
_SIZE_TOKEN = r"\d{2}(?:[.,]\d(?!\d))?"
_SIZE_RANGE_RE = re.compile(rf"({_SIZE_TOKEN})\s*[-–—]\s*({_SIZE_TOKEN})")
_SIZE_RE = re.compile(_SIZE_TOKEN)
_LIST_SPLIT_RE = re.compile(r"\s*(?:[,;/]|\bи\b)\s*")
_MAX_RANGE_STEPS = 30


def open_docx(path: Path) -> Document:
    """Open a .docx, turning python-docx's assorted failures into one error naming the file."""
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise DocumentError(f"{path}: not a readable .docx document ({err})") from err


def iter_blocks(document: Document) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in reading order (headings and tables may interleave)."""
    yield from document.iter_inner_content()


def is_heading(paragraph: Paragraph) -> bool:
    """Word headings of any level, the title style, or a bold-only line (a hand-made heading)."""
    style = fold(paragraph.style.name if paragraph.style is not None else "")
    if style.startswith(("heading", "заголовок", "title", "название")):
        return True
    runs = [r for r in paragraph.runs if r.text.strip()]
    text = paragraph.text.strip()
    return bool(runs) and all(r.bold for r in runs) and ":" not in text and len(text) < 120


def parse_catalog(path: Path | str) -> list[CatalogEntry]:
    """Every product described in the document, from headings and from tables."""
    path = Path(path)
    document = open_docx(path)
    entries: list[CatalogEntry] = []
    current: dict[str, str] | None = None
    current_name = ""

    def flush() -> None:
        if current is not None and set(current) - {"extra"}:
            entries.append(_entry(current_name, current, path.name))

    for block in iter_blocks(document):
        if isinstance(block, Table):
            flush()
            current = None
            entries.extend(_table_entries(block, path.name))
            continue
        text = block.text.strip()
        if not text:
            continue
        if is_heading(block):
            flush()
            current, current_name = {}, text
        elif current is not None:
            _add_paragraph(current, text)
    flush()
    return entries


def _add_paragraph(fields: dict[str, str], text: str) -> None:
    """A `Ключ: значение` line fills a field; any other line continues the description."""
    match = _KEY_VALUE_RE.match(text)
    field = _FIELD_NAMES.get(_header(match.group(1))) if match else None
    if match and field:
        fields[field] = match.group(2).strip()
    elif "description" in fields:
        fields["description"] += "\n" + text
    else:
        fields["extra"] = (fields.get("extra", "") + "\n" + text).strip()


def _table_entries(table: Table, source: str) -> list[CatalogEntry]:
    rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
    if not rows:
        return []
    columns = [_FIELD_NAMES.get(_header(h)) for h in rows[0]]
    if "name" not in columns:
        return []
    entries = []
    for row in rows[1:]:
        fields = {f: v for f, v in zip(columns, row, strict=False) if f and v}
        name = fields.pop("name", "")
        if name:
            entries.append(_entry(name, fields, source))
    return entries


def _entry(name: str, fields: dict[str, str], source: str) -> CatalogEntry:
    brand, aliases = parse_brand(fields.get("brand"))
    kind = parse_type(fields.get("type")) or infer_type(name)
    description = fields.get("description") or fields.get("extra") or None
    return CatalogEntry(
        name=name,
        type=TYPE_LABELS[kind] if kind else None,
        brand=brand,
        brand_aliases=aliases,
        price=normalize_price(fields.get("price")),
        colors=parse_colors(fields.get("colors")),
        sizes=parse_sizes(fields.get("sizes")),
        material=fields.get("material") or None,
        description=description,
        source=source,
    )


def parse_brand(value: str | None) -> tuple[str | None, list[str]]:
    """Split the bracketed spelling off: "Stuart Weitzman (Стюарт Вайцман)" → brand, aliases."""
    if not value or not value.strip():
        return None, []
    match = _BRAND_RE.match(value.strip())
    if not match:
        return value.strip(), []
    aliases = [a.strip() for a in re.split(r"[,;/]", match.group("aliases")) if a.strip()]
    return match.group("brand").strip(), aliases


def parse_colors(value: str | None) -> list[str]:
    """A colour list ("Чёрный, бордовый и бежевый") as normalised colours."""
    if not value:
        return []
    colors = (normalize_color(part) for part in _LIST_SPLIT_RE.split(value))
    return list(dict.fromkeys(c for c in colors if c))


def parse_sizes(value: str | None) -> list[str]:
    """A size list ("35, 36,5; 37.5") or range ("35–41") as sorted normalised sizes."""
    if not value:
        return []
    sizes: list[str] = []
    for start, end in _SIZE_RANGE_RE.findall(value):
        sizes.extend(_expand_range(start, end))
    for token in _SIZE_RE.findall(_SIZE_RANGE_RE.sub(" ", value)):
        if size := normalize_size(token):
            sizes.append(size)
    return sorted(dict.fromkeys(sizes), key=size_key)


def _expand_range(start: str, end: str) -> list[str]:
    low, high = normalize_size(start), normalize_size(end)
    if low is None or high is None:
        return []
    step = 1.0 if low.isdigit() and high.isdigit() else 0.5
    first, last = size_key(low), size_key(high)
    if last < first or (last - first) / step > _MAX_RANGE_STEPS:
        return [low, high]
    count = int(round((last - first) / step)) + 1
    return [s for i in range(count) if (s := normalize_size(first + i * step))]


def _header(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text).replace("_", " ").strip(" :*"))
