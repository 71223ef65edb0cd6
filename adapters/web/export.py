"""Orders as CSV and Excel files for the shop's own bookkeeping.

Cells that a spreadsheet would read as a formula (a customer's address starting with "=") are
written as plain text: an export must never run what a customer typed.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from adapters.web.labels import ORDER_STATUS_LABELS, label
from adapters.web.queries import OrderLine

HEADERS = (
    "Номер", "Создан", "Обновлён", "Статус", "Клиент", "Телефон", "Город", "Товар", "Размер",
    "Цвет", "Адрес", "Сумма, ₸",
)  # fmt: skip
WIDTHS = (8, 17, 17, 13, 18, 14, 14, 32, 8, 14, 36, 12)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return moment.astimezone(tz).replace(tzinfo=None, microsecond=0) if moment else None


def _row(order: OrderLine, tz: ZoneInfo) -> list[object]:
    return [
        order.id,
        _local(order.created_at, tz),
        _local(order.updated_at, tz),
        label(ORDER_STATUS_LABELS, order.status),
        order.name or "",
        f"+{order.phone}" if order.phone else "",
        order.city or "",
        order.product_name or "",
        order.size or "",
        order.color or "",
        order.address or "",
        order.price,
    ]


def _inert(value: object) -> object:
    """Text that a spreadsheet would evaluate gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not value[1:].isdigit():
        return "'" + value
    return value


def orders_csv(orders: list[OrderLine], tz: ZoneInfo) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Cyrillic right; comma-separated (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for order in orders:
        row = _row(order, tz)
        writer.writerow(
            [
                v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else _inert(v)
                for v in row
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def orders_xlsx(orders: list[OrderLine], tz: ZoneInfo) -> bytes:
    """One sheet with a frozen, filterable header; dates as dates and sums as numbers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Заказы"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F6F5C")
        cell.alignment = Alignment(vertical="center")
    for order in orders:
        sheet.append(list(_row(order, tz)))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the customer typed
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for row in sheet.iter_rows(min_row=2):
        row[1].number_format = row[2].number_format = "dd.mm.yyyy hh:mm"
        row[11].number_format = "#,##0"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
