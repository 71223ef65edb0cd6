"""Read the shop's stock spreadsheet (`inventory.xlsx`) and keep it as live stock.

The owner edits the file by hand while the bot runs: headers may be English or Russian in any
order, sizes come as 38, 38.0 or "38,5", prices as "24 900 ₸". `ExcelInventory` rereads the
file when it changes (or its TTL runs out) in a worker thread, and if a half-saved or broken
file appears it keeps answering from the last good copy instead of going silent. The last good
rows are also saved as a JSON snapshot (next to the database), so a service restarted while the
file is broken starts from them instead of not starting at all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from ottenok.catalog_merge import build_stock
from ottenok.normalize import fold, normalize_color, normalize_price, normalize_size
from ottenok.stock import Stock

log = logging.getLogger(__name__)


class InventoryError(ValueError):
    """The spreadsheet cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class InventoryRow:
    """One variant of the spreadsheet, normalised (fits `ottenok.catalog_merge.InventoryRecord`)."""

    product_name: str
    size: str | None
    color: str | None
    quantity: int
    price: int | None


# Accepted headers per column, compared without case, spaces and underscores.
_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "product_name": ("Наименование", ("productname", "product", "name", "наименование", "товар",
                                      "название", "модель")),
    "size": ("Размер", ("size", "размер")),
    "color": ("Цвет", ("color", "colour", "цвет")),
    "quantity": ("Количество", ("quantity", "qty", "stock", "количество", "остаток", "кол-во",
                                "колво")),
    "price": ("Цена", ("price", "цена", "стоимость")),
}  # fmt: skip
_HEADER_SEARCH_ROWS = 10  # owners sometimes put a title line or two above the header


def read_inventory(path: Path | str) -> list[InventoryRow]:
    """Every variant row of the first sheet, normalised; raises `InventoryError` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InventoryError(f"{path}: file not found")
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as err:
        raise InventoryError(f"{path}: not an xlsx file ({err})") from err
    except Exception as err:  # a valid zip with a broken sheet inside (XML ParseError, …)
        problem = f"{type(err).__name__}: {err}"
        raise InventoryError(f"{path}: the sheet cannot be read ({problem})") from err
    sheet = sheet.dropna(how="all").dropna(axis=1, how="all")
    if sheet.empty:
        raise InventoryError(f"{path}: the first sheet is empty")
    header_row, columns = _find_header(sheet, path)
    rows = []
    for index, record in sheet.loc[header_row:].iloc[1:].iterrows():
        name = _text(record[columns["product_name"]])
        if not name:
            continue
        rows.append(
            InventoryRow(
                product_name=name,
                size=_size(record[columns["size"]], path, index),
                color=normalize_color(_text(record[columns["color"]]) or None),
                quantity=_quantity(record[columns["quantity"]], path, index),
                price=normalize_price(record[columns["price"]]),
            )
        )
    return rows


def _find_header(sheet: pd.DataFrame, path: Path) -> tuple[object, dict[str, object]]:
    """The first row naming the product column, and where each column is."""
    for index, row in sheet.head(_HEADER_SEARCH_ROWS).iterrows():
        found: dict[str, object] = {}
        for column, cell in row.items():
            key = _header_key(cell)
            for field, (_, aliases) in _COLUMNS.items():
                if key in aliases:
                    found.setdefault(field, column)
        if "product_name" in found:
            for field, (russian, _) in _COLUMNS.items():
                if field not in found:
                    raise InventoryError(f"{path}: missing column '{field}' ({russian})")
            return index, found
    raise InventoryError(f"{path}: missing column 'product_name' (Наименование)")


def _header_key(cell: object) -> str:
    return re.sub(r"[\s_]+", "", fold(_text(cell)))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _size(value: object, path: Path, index: object) -> str | None:
    size = normalize_size(value)
    if size is None and _text(value):
        log.warning("%s: row %s: unreadable size %r, treated as no size", path, index, value)
    return size


def _quantity(value: object, path: Path, index: object) -> int:
    """Blank means none on the shelf; "3 шт" means 3; negatives (oversold) mean none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 0 if isinstance(value, float) and math.isnan(value) else max(0, int(value))
    match = re.search(r"-?\d+", _text(value))
    if match is None:
        if _text(value):
            log.warning("%s: row %s: unreadable quantity %r, treated as 0", path, index, value)
        return 0
    return max(0, int(match.group(0)))


def save_snapshot(path: Path, rows: list[InventoryRow], loaded_at: datetime) -> None:
    """Keep the last good rows; written whole, then renamed, so a crash leaves the old copy."""
    data = {"loaded_at": loaded_at.isoformat(), "rows": [asdict(row) for row in rows]}
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def load_snapshot(path: Path) -> tuple[list[InventoryRow], datetime] | None:
    """The rows of the last good load and when it was, or None without a usable snapshot."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = [InventoryRow(**row) for row in data["rows"]]
        return rows, datetime.fromisoformat(data["loaded_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.error("%s: inventory snapshot unreadable, not used: %s", path, err)
        return None


class ExcelInventory:
    """The spreadsheet as a live stock source: cached, refreshed on change, never blocking.

    `snapshot`: where the last good rows are kept (None keeps none)."""

    def __init__(
        self,
        path: Path | str,
        ttl_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
        snapshot: Path | None = None,
    ) -> None:
        self.path = Path(path)
        self.snapshot = snapshot
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._rows: list[InventoryRow] | None = None
        self._stock = Stock(())
        self._checked_at: float | None = None
        self._signature: tuple[int, int] | None = None
        self._lock = asyncio.Lock()
        #: When the rows in service were read (wall clock), and why the last reload failed.
        self.loaded_at: datetime | None = None
        self.last_error: str | None = None

    async def load(self) -> list[InventoryRow]:
        """Fresh rows: reread when the TTL ran out or the file's mtime/size changed.

        Failures are logged and the last good rows stay in service until the file is fixed;
        at the first load they come from the snapshot, and only without one does it raise
        `InventoryError`. `last_error` names the file and the problem meanwhile.
        """
        async with self._lock:
            signature = self._file_signature()
            expired = (
                self._checked_at is None or self._clock() - self._checked_at >= self.ttl_seconds
            )
            if self._rows is not None and not expired and signature == self._signature:
                return list(self._rows)
            try:
                rows = await asyncio.to_thread(read_inventory, self.path)
            except Exception as err:
                if self._rows is None:
                    await self._start_from_snapshot(err)
                else:
                    log.error("inventory reload failed, keeping the last good data: %s", err)
                self.last_error = str(err)
            else:
                changed = rows != self._rows
                self._rows, self._stock = rows, build_stock(rows)
                self.loaded_at, self.last_error = datetime.now(UTC), None
                if changed and self.snapshot is not None:
                    await asyncio.to_thread(save_snapshot, self.snapshot, rows, self.loaded_at)
            self._signature, self._checked_at = signature, self._clock()
            assert self._rows is not None
            return list(self._rows)

    async def _start_from_snapshot(self, error: Exception) -> None:
        """The file is broken at start-up: serve the last good rows, or raise `error`."""
        saved = None
        if self.snapshot is not None:
            saved = await asyncio.to_thread(load_snapshot, self.snapshot)
        if saved is None:
            raise error
        self._rows, self.loaded_at = saved
        self._stock = build_stock(self._rows)
        log.error(
            "inventory unreadable, serving the last good data from %s (%s): %s",
            self.snapshot, self.loaded_at.isoformat(), error,
        )  # fmt: skip

    def rows(self) -> list[InventoryRow]:
        """The rows of the last successful load (empty before the first one)."""
        return list(self._rows or [])

    @property
    def stock(self) -> Stock:
        return self._stock

    def _file_signature(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size
