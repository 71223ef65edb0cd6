"""A broken stock spreadsheet never leaves a customer without an answer.

The owner saves `inventory.xlsx` half-way or with a broken sheet inside a valid zip (the XML cut
short: openpyxl's ParseError). A running service keeps answering from the last good rows; a
service started while the file is broken starts from the snapshot of the last good rows kept
next to the database, and `/health` names the file and says "degraded".
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from shops import write_second_shop

from app.health import Health
from app.settings import Settings
from app.wiring import close_engine, open_engine
from ottenok.engine import Engine
from ottenok.messages import IncomingMessage

CUSTOMER = "77015550505@c.us"
ORDER = "Здравствуйте, я из Шымкента, мокасины аврора 38 серые"


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_second_shop(tmp_path_factory.mktemp("shop"))


def settings_for(shop_dir: Path, tmp_path: Path) -> Settings:
    """The shop's own files, with its spreadsheet copied where the test may break it."""
    inventory = shutil.copy(shop_dir / "inventory.xlsx", tmp_path / "inventory.xlsx")
    return Settings(
        data_dir=shop_dir,
        db_path=tmp_path / "ottenok.db",
        inventory_excel_path=Path(inventory),
        nudge_enabled=False,
    )


def break_sheet(path: Path) -> None:
    """Keep the zip valid but cut the first sheet's XML in half, as a save interrupted inside
    the archive leaves it."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]
    with zipfile.ZipFile(path, "w") as broken:
        for name, content in parts.items():
            broken.writestr(name, content)


async def order_summary(engine: Engine) -> str:
    out = await engine.handle_message(IncomingMessage(CUSTOMER, "B1", ORDER, "Айгерим"))
    return "\n".join(o.text for o in out if o.chat_id == CUSTOMER)


async def test_a_running_service_answers_from_the_last_good_inventory(shop_dir, tmp_path):
    settings = settings_for(shop_dir, tmp_path)
    engine = await open_engine(settings)
    try:
        break_sheet(settings.inventory_path)
        reply = await order_summary(engine)
        error = engine.inventory.last_error
    finally:
        await close_engine(engine)
    assert "Куда доставить?" in reply  # 38 серые is in stock: the address is asked next
    assert error is not None and "ParseError" in error and str(settings.inventory_path) in error


async def test_a_service_started_with_a_broken_file_serves_the_last_good_rows(shop_dir, tmp_path):
    settings = settings_for(shop_dir, tmp_path)
    engine = await open_engine(settings)  # a good start keeps the rows beside the database
    await close_engine(engine)
    saved = datetime.now(UTC)
    assert settings.inventory_snapshot.is_file()
    break_sheet(settings.inventory_path)

    engine = await open_engine(settings)  # the restart: the file is broken now
    try:
        code, health = await Health(
            store=engine.store, inventory=engine.inventory, knowledge=True, ready=True
        ).report()
        reply = await order_summary(engine)
        loaded_at = engine.inventory.loaded_at
    finally:
        await close_engine(engine)
    inventory = health["components"]["inventory"]
    assert (code, health["status"], inventory["ok"]) == (200, "degraded", False)
    assert str(settings.inventory_path) in inventory["error"] and "ParseError" in inventory["error"]
    assert loaded_at is not None and loaded_at <= saved  # the age of the data really served
    assert "Куда доставить?" in reply


async def test_without_a_snapshot_a_broken_file_still_stops_start_up(shop_dir, tmp_path):
    """Nothing good to serve: the service must not pretend the shop has no stock."""
    settings = settings_for(shop_dir, tmp_path)
    break_sheet(settings.inventory_path)
    with pytest.raises(ValueError, match="ParseError"):
        await open_engine(settings)
