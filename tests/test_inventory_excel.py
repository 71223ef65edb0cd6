"""The stock spreadsheet reader and the cached, self-refreshing inventory."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from adapters import inventory_excel
from adapters.inventory_excel import ExcelInventory, InventoryError, InventoryRow, read_inventory
from ottenok.catalog_merge import product_id
from tools.shop_writer import write_inventory

BOOTS = "Ботильоны Casadei Blade"
BOOTS_ID = product_id(BOOTS)
BAG = "Сумка Longchamp Le Pliage"
BAG_ID = product_id(BAG)


def _rows(boots_quantity: int = 2) -> list[dict]:
    return [
        {"product_name": BOOTS, "size": 38, "color": "Чёрный", "quantity": boots_quantity,
         "price": 189000},
        {"product_name": BOOTS, "size": 38.0, "color": "черный", "quantity": 0, "price": 189000},
        {"product_name": BOOTS, "size": "38,5", "color": "БОРДОВЫЙ", "quantity": 1,
         "price": "189 000 ₸"},
        {"product_name": BOOTS, "size": "37.5", "color": "бордовый", "quantity": None,
         "price": 189000.0},
        {"product_name": BAG, "size": None, "color": "Бежевый", "quantity": 3, "price": "64 900"},
    ]  # fmt: skip


def _write_sheet(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("russian", [False, True])
def test_reads_english_and_russian_headers_normalising_values(tmp_path, russian):
    path = write_inventory(tmp_path / "inventory.xlsx", _rows(), russian_headers=russian)
    rows = read_inventory(path)
    assert [(r.size, r.color, r.quantity, r.price) for r in rows] == [
        ("38", "черный", 2, 189000),
        ("38", "черный", 0, 189000),
        ("38.5", "бордовый", 1, 189000),
        ("37.5", "бордовый", 0, 189000),
        (None, "бежевый", 3, 64900),
    ]
    assert {r.product_name for r in rows} == {BOOTS, BAG}


def test_shuffled_columns_and_loose_header_spelling(tmp_path):
    path = _write_sheet(
        tmp_path / "stock.xlsx",
        [" ЦЕНА ", "Остаток", "Цвет", "Товар", "размер"],
        [["24 900 ₸", "5 шт", "Молочный", "Мюли Лотос", "39"], [24900, 1, "молочный", "", 40]],
    )
    assert read_inventory(path) == [InventoryRow("Мюли Лотос", "39", "молочный", 5, 24900)]


def test_title_rows_above_the_header_are_skipped(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Остатки на 1 марта"])
    sheet.append([])
    sheet.append(["Product Name", "Size", "Colour", "Qty", "Price"])
    sheet.append(["Кеды Veja Campo", 37, "white", 4, 59900])
    workbook.save(tmp_path / "inventory.xlsx")
    rows = read_inventory(tmp_path / "inventory.xlsx")
    assert rows == [InventoryRow("Кеды Veja Campo", "37", "white", 4, 59900)]


def test_missing_column_names_file_and_column(tmp_path):
    path = _write_sheet(tmp_path / "inventory.xlsx", ["Наименование", "Цвет", "Остаток", "Цена"],
                        [["Кеды", "белый", 1, 100]])  # fmt: skip
    with pytest.raises(InventoryError, match=r"inventory\.xlsx: missing column 'size' \(Размер\)"):
        read_inventory(path)


def test_not_an_xlsx_file(tmp_path):
    path = tmp_path / "inventory.xlsx"
    path.write_text("Наименование;Размер\nКеды;38\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"inventory\.xlsx: not an xlsx file"):
        read_inventory(path)


def test_empty_first_sheet(tmp_path):
    workbook = Workbook()
    workbook.create_sheet("Второй").append(["product_name", "size", "color", "quantity", "price"])
    workbook.save(tmp_path / "inventory.xlsx")
    with pytest.raises(InventoryError, match="the first sheet is empty"):
        read_inventory(tmp_path / "inventory.xlsx")


def test_missing_file(tmp_path):
    with pytest.raises(InventoryError, match="nope.xlsx: file not found"):
        read_inventory(tmp_path / "nope.xlsx")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _count_reads(monkeypatch) -> list[Path]:
    reads: list[Path] = []
    real = inventory_excel.read_inventory

    def counting(path):
        reads.append(path)
        return real(path)

    monkeypatch.setattr(inventory_excel, "read_inventory", counting)
    return reads


def _rewrite_keeping_mtime(path: Path, rows: list[dict]) -> None:
    """Change the content but not mtime/size-visible state: only the TTL can notice it."""
    stat = path.stat()
    write_inventory(path, rows)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


async def test_cache_lives_for_the_ttl_then_reloads(tmp_path, monkeypatch):
    path = write_inventory(tmp_path / "inventory.xlsx", _rows(boots_quantity=2))
    reads = _count_reads(monkeypatch)
    clock = FakeClock()
    inventory = ExcelInventory(path, ttl_seconds=300, clock=clock)
    await inventory.load()
    _rewrite_keeping_mtime(path, _rows(boots_quantity=7))  # same length of digits: same size
    clock.now += 299
    await inventory.load()
    assert len(reads) == 1
    assert inventory.stock.check_availability(BOOTS_ID, "38", "черный").in_stock
    clock.now += 1
    rows = await inventory.load()
    assert len(reads) == 2
    assert rows[0].quantity == 7


async def test_changed_file_reloads_before_the_ttl(tmp_path):
    path = write_inventory(tmp_path / "inventory.xlsx", _rows(boots_quantity=2))
    clock = FakeClock()
    inventory = ExcelInventory(path, ttl_seconds=300, clock=clock)
    await inventory.load()
    assert inventory.stock.check_availability(BOOTS_ID, "38", "черный").in_stock
    stat = path.stat()
    write_inventory(path, _rows(boots_quantity=0))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    await inventory.load()
    availability = inventory.stock.check_availability(BOOTS_ID, "38", "черный")
    assert not availability.in_stock and availability.known


async def test_broken_file_after_a_good_load_keeps_last_good_data(tmp_path, caplog):
    path = write_inventory(tmp_path / "inventory.xlsx", _rows())
    clock = FakeClock()
    inventory = ExcelInventory(path, ttl_seconds=300, clock=clock)
    good = await inventory.load()
    path.write_bytes(b"half-saved garbage")
    with caplog.at_level(logging.ERROR, logger="adapters.inventory_excel"):
        again = await inventory.load()
    assert again == good == inventory.rows()
    assert "not an xlsx file" in caplog.text
    assert inventory.stock.check_availability(BAG_ID, color="бежевый").in_stock


async def test_first_load_of_a_broken_file_raises(tmp_path):
    path = tmp_path / "inventory.xlsx"
    path.write_bytes(b"\x00\x01")
    with pytest.raises(InventoryError):
        await ExcelInventory(path).load()


async def test_load_reads_in_a_thread_without_blocking_the_loop(tmp_path, monkeypatch):
    path = write_inventory(tmp_path / "inventory.xlsx", _rows())
    reader_threads: list[threading.Thread] = []
    real = inventory_excel.read_inventory

    def slow_read(p):
        reader_threads.append(threading.current_thread())
        time.sleep(0.2)
        return real(p)

    monkeypatch.setattr(inventory_excel, "read_inventory", slow_read)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await ExcelInventory(path).load()
    task.cancel()
    assert reader_threads and reader_threads[0] is not threading.main_thread()
    assert ticks >= 5


async def test_stock_offers_alternatives_after_the_first_load(tmp_path):
    inventory = ExcelInventory(write_inventory(tmp_path / "inventory.xlsx", _rows()))
    assert inventory.rows() == []
    await inventory.load()
    sold_out = inventory.stock.check_availability(BOOTS_ID, "37.5", "бордовый")
    assert sold_out.known and not sold_out.in_stock
    assert sold_out.alternatives[0] == "38.5"
    assert inventory.stock.check_availability(BOOTS_ID, "38.5", "бордовый").in_stock
    assert not inventory.stock.check_availability(product_id("Туфли которых нет")).known
