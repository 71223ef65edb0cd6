"""Write a shop in the documented data layout from plain Python data.

The sample-shop generator and the tests that build their own small shops both go through
these functions, so every file a parser ever sees was produced the same way a shop owner
would produce it: a real xlsx, real docx documents, WhatsApp-style text exports and JPEGs.

Office files are written reproducibly (fixed zip and core-property timestamps) so that
regenerating the sample shop does not churn the repository.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import docx
import yaml
from openpyxl import Workbook
from PIL import Image, ImageDraw

from knowledge.documents import ChatMessage
from ottenok.normalize import fold
from ottenok.phrasing.words import price_text

INVENTORY_HEADERS_EN = ("product_name", "size", "color", "quantity", "price")
INVENTORY_HEADERS_RU = ("Наименование", "Размер", "Цвет", "Остаток", "Цена")
CATALOG_TABLE_HEADERS = (
    "Наименование",
    "Тип",
    "Бренд",
    "Цена",
    "Цвета",
    "Размеры",
    "Материал",
    "Описание",
)

# Colour words a shop may use in photo file names, Russian -> (English, RGB). The English
# word lets generators and tests name files the way foreign suppliers do; the RGB only
# paints the placeholder photo.
COLOR_WORDS: dict[str, tuple[str, tuple[int, int, int]]] = {
    "черный": ("black", (25, 25, 28)),
    "белый": ("white", (245, 245, 240)),
    "бежевый": ("beige", (222, 200, 165)),
    "бордовый": ("burgundy", (110, 20, 40)),
    "коричневый": ("brown", (110, 70, 40)),
    "молочный": ("milk", (248, 240, 222)),
    "серый": ("grey", (140, 140, 145)),
    "красный": ("red", (200, 30, 35)),
    "пудровый": ("powder", (232, 190, 185)),
    "хаки": ("khaki", (125, 120, 80)),
    "синий": ("blue", (30, 55, 140)),
    "золотой": ("gold", (212, 175, 55)),
    "серебристый": ("silver", (192, 192, 200)),
    "розовый": ("pink", (240, 150, 180)),
    "зеленый": ("green", (40, 120, 60)),
}

_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_FIXED_W3CDTF = "2026-01-01T00:00:00Z"
_CORE_DATE_RE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def english_color(color: str) -> str | None:
    """The English file-name word for a Russian colour, None when the vocabulary lacks it."""
    entry = COLOR_WORDS.get(fold(color))
    return entry[0] if entry else None


def write_inventory(
    path: Path | str,
    rows: Iterable[Mapping[str, Any]],
    russian_headers: bool = False,
    columns: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Path:
    """Write the stock spreadsheet: one row per variant on the first sheet.

    Cell values are written exactly as given (38, "38,5", "Чёрный", empty size for bags),
    because exercising the readers' normalisation is the point of a realistic file. A float
    size gets the "0.0" number format, so 38.0 is shown as typed: xlsx stores no int/float
    distinction of its own.

    `columns` maps each field (`product_name`, `size`, `color`, `quantity`, `price`) to the
    header the owner typed, in the owner's column order ("Артикул/модель", "Кол-во"…);
    `title` is a line above the header, as owners often put one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if columns is None:
        headers = INVENTORY_HEADERS_RU if russian_headers else INVENTORY_HEADERS_EN
        columns = dict(zip(INVENTORY_HEADERS_EN, headers, strict=True))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Остатки" if russian_headers else "Inventory"
    if title:
        sheet.append([title])
    sheet.append(list(columns.values()))
    size_column = list(columns).index("size") + 1 if "size" in columns else None
    for row in rows:
        size = row.get("size")
        values = {**row, "size": None if size in ("", None) else size}
        sheet.append([values.get(field) for field in columns])
        if isinstance(size, float) and size_column:
            sheet.cell(row=sheet.max_row, column=size_column).number_format = "0.0"
    workbook.save(path)
    _freeze_office_file(path)
    return path


def write_catalog_headings(
    path: Path | str, products: Iterable[Mapping[str, Any]], levels: Sequence[int] = (2,)
) -> Path:
    """Catalog layout one: a heading per product, then `Ключ: значение` paragraphs.

    `levels` is cycled over the products, because real catalogs mix heading levels.
    A product without `type` gets no `Тип` line, so readers must infer it from the name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for index, product in enumerate(products):
        document.add_heading(product["name"], level=levels[index % len(levels)])
        for key, value in _catalog_fields(product):
            if value:
                document.add_paragraph(f"{key}: {value}")
    document.save(path)
    _freeze_office_file(path)
    return path


def write_catalog_table(path: Path | str, products: Iterable[Mapping[str, Any]]) -> Path:
    """Catalog layout two: one table, a header row and a row per product."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    products = list(products)
    document = docx.Document()
    table = document.add_table(rows=1, cols=len(CATALOG_TABLE_HEADERS))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, CATALOG_TABLE_HEADERS, strict=True):
        cell.text = header
    for product in products:
        values = [product["name"], *(value for _, value in _catalog_fields(product))]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value or ""
    document.save(path)
    _freeze_office_file(path)
    return path


def write_scripts(path: Path | str, sections: Mapping[str, Sequence[str] | str]) -> Path:
    """Sales scripts: a heading per topic followed by its answer paragraphs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for topic, paragraphs in sections.items():
        document.add_heading(topic, level=1)
        for paragraph in [paragraphs] if isinstance(paragraphs, str) else paragraphs:
            document.add_paragraph(paragraph)
    document.save(path)
    _freeze_office_file(path)
    return path


def write_shop_info(path: Path | str, facts: Mapping[str, Any]) -> Path:
    """The shop's own facts, `shop.yaml` (README "The shop's data"): name, assistant,
    delivery rows, payment, installments, returns."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(dict(facts), allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")
    return path


def write_chat_export(
    path: Path | str,
    messages: Iterable[ChatMessage | tuple[datetime, str, str]],
    style: Literal["android", "ios"] = "android",
) -> Path:
    """A WhatsApp "export chat" text file in the Android or iOS line format.

    Continuation lines of a multi-line message are written bare, exactly as WhatsApp does,
    so parsers must attach them to the message above.
    """
    if style not in ("android", "ios"):
        raise ValueError(f"unknown chat export style: {style!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for message in messages:
        if isinstance(message, ChatMessage):
            when, author, text = message.timestamp, message.author, message.text
        else:
            when, author, text = message
        if style == "android":
            prefix = f"{when:%d.%m.%Y, %H:%M} - {author}: "
        else:
            prefix = f"[{when:%d.%m.%Y, %H:%M:%S}] {author}: "
        lines.append(prefix + text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_photos(
    directory: Path | str,
    folder: str,
    colors: Iterable[str],
    per_color: int = 1,
    color_style: Literal["file", "subfolder"] = "file",
) -> list[Path]:
    """Placeholder product photos: `<folder>/<colour>_<n>.jpg` or `<folder>/<colour>/<n>.jpg`.

    Colours are used verbatim in the names (English or Russian, as the shop writes them);
    each image is painted in that colour so a human browsing the folder sees the difference.
    """
    if color_style not in ("file", "subfolder"):
        raise ValueError(f"unknown colour style: {color_style!r}")
    root = Path(directory) / folder
    written = []
    for color in colors:
        for number in range(1, per_color + 1):
            if color_style == "file":
                target = root / f"{color}_{number}.jpg"
            else:
                target = root / color / f"{number}.jpg"
            target.parent.mkdir(parents=True, exist_ok=True)
            _placeholder_photo(_rgb(color), variant=number).save(
                target, "JPEG", quality=60, optimize=True
            )
            written.append(target)
    return written


def _catalog_fields(product: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """The `Ключ: значение` pairs of a product, in the column order of the table layout."""
    brand = product.get("brand")
    if brand and product.get("brand_ru"):
        brand = f"{brand} ({product['brand_ru']})"
    price = product.get("price")
    return [
        ("Тип", product.get("type")),
        ("Бренд", brand),
        ("Цена", price_text(price) if price is not None else None),
        ("Цвета", ", ".join(product.get("colors") or ()) or None),
        ("Размеры", ", ".join(str(s) for s in product.get("sizes") or ()) or None),
        ("Материал", product.get("material")),
        ("Описание", product.get("description")),
    ]


def _placeholder_photo(rgb: tuple[int, int, int], variant: int) -> Image.Image:
    """A 160x160 image: the colour as background and a shoe-like shape in a darker shade."""
    image = Image.new("RGB", (160, 160), rgb)
    draw = ImageDraw.Draw(image)
    shade = tuple(max(0, int(c * 0.6)) for c in rgb)
    light = tuple(min(255, int(c * 0.4 + 160)) for c in rgb)
    offset = (variant - 1) * 12 % 40
    draw.ellipse((20 + offset, 80, 140, 125), fill=shade)
    draw.rectangle((30 + offset, 45, 70 + offset, 100), fill=shade)
    draw.line((10, 140, 150, 140), fill=light, width=3)
    return image


def _rgb(color: str) -> tuple[int, int, int]:
    """The paint colour for a Russian or English colour word; a stable tint otherwise."""
    key = fold(color)
    if key in COLOR_WORDS:
        return COLOR_WORDS[key][1]
    for english, rgb in COLOR_WORDS.values():
        if english == key:
            return rgb
    digest = zlib.crc32(key.encode("utf-8"))
    return (digest & 0xFF, (digest >> 8) & 0xFF, (digest >> 16) & 0xFF)


def _freeze_office_file(path: Path) -> None:
    """Rewrite an xlsx/docx archive with fixed timestamps, so identical input gives identical bytes.

    openpyxl stamps the save time into docProps/core.xml and every zip entry carries the
    wall-clock time; both would make each regeneration a spurious change.
    """
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_DATE_RE.sub(rb"\g<1>" + _FIXED_W3CDTF.encode() + rb"\g<2>", data)
            frozen = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            frozen.compress_type = zipfile.ZIP_DEFLATED
            frozen.external_attr = info.external_attr
            target.writestr(frozen, data)
