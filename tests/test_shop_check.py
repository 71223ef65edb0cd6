"""`ottenok check-shop`: what will hurt sales in a shop's folder, with the file and the fix.

Run on the sample shop, on the three shops the tests write (whose deliberate defects it must
find) and on broken shops: an unreadable file is an error naming it and the exit code is 1;
problems the service survives are warnings and the exit code is 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from shops import (
    SAMPLE_DATA,
    write_aru_shop,
    write_luxe_shop,
    write_second_shop,
)

from app.cli import main
from knowledge.shop_check import ShopReport, check_shop
from knowledge.shop_files import load_catalog
from tools.shop_writer import write_catalog_table, write_inventory, write_scripts


def problems(report: ShopReport, level: str | None = None) -> list[tuple[str, str]]:
    return [(f.file, f.problem) for f in report.findings if level in (None, f.level)]


def found(report: ShopReport, file: str, *words: str) -> bool:
    """A finding about `file` whose problem mentions every word."""
    return any(f == file and all(w in p for w in words) for f, p in problems(report))


@pytest.fixture(scope="module")
def luxe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_luxe_shop(tmp_path_factory.mktemp("luxe"))


@pytest.fixture
def second(tmp_path: Path) -> Path:
    return write_second_shop(tmp_path / "second")


def test_the_sample_shop_has_nothing_to_fix_but_its_facts_file() -> None:
    report = check_shop(SAMPLE_DATA)
    assert report.loadable
    assert report.products == 49 and report.variants == 520 and report.photos > 100
    assert all(f.file == "shop.yaml" and f.level == "warning" for f in report.findings)


def test_the_luxe_shop_defects_are_found_with_their_files(luxe: Path) -> None:
    report = check_shop(luxe)
    assert report.loadable and report.products == 23
    catalog = "knowledge_base/catalog/Сумки и аксессуары.docx"
    assert found(report, catalog, "Mansur Gavriel", "Russian spelling")
    assert not any(p.startswith(("brand Gucci", "brand Hermès")) for _, p in problems(report))
    assert found(report, "photos/archive_2024", "matches no product")
    assert found(report, "photos", "Кардхолдер Prada Saffiano", "no photos")
    assert found(report, "photos/gucci marmont bag/red/1.jpg", "красный", "not in the inventory")
    assert found(report, "shop.yaml", "no shop facts")
    # a sold-out product with photos, or one photographed in every colour, is no finding
    assert not any("Golden Goose" in p or "Loewe" in p for _, p in problems(report))


def test_a_shop_with_its_facts_file_and_clean_photos_has_no_findings(tmp_path: Path) -> None:
    report = check_shop(write_aru_shop(tmp_path / "aru"))
    assert report.loadable and report.products == 12
    assert report.findings == []


def test_a_missing_name_and_delivery_table_are_warnings(second: Path) -> None:
    (second / "shop.yaml").write_text("assistant: Алина\n", encoding="utf-8")
    report = check_shop(second)
    assert report.loadable
    assert found(report, "shop.yaml", "`name`")
    assert found(report, "shop.yaml", "`delivery`")


def test_catalog_and_inventory_mismatches_and_missing_topics(second: Path) -> None:
    write_inventory(
        second / "inventory.xlsx",
        [
            {"product_name": "Мокасины Aurora Drive", "size": 38, "color": "синий",
             "quantity": 2, "price": 41500},
            {"product_name": "Слипоны Orbit", "size": 38, "color": "белый",
             "quantity": 1, "price": 19900},
        ],
    )  # fmt: skip
    write_catalog_table(
        second / "knowledge_base" / "catalog" / "new.docx",
        [{"name": "Сумка Lumen Tote", "type": "сумка", "brand": "Lumen", "price": 30000}],
    )
    (second / "knowledge_base" / "catalog" / "old price list.doc").write_bytes(b"\xd0\xcf\x11")
    write_scripts(second / "knowledge_base" / "scripts" / "scripts.docx", {"Уход": "Щёткой."})
    report = check_shop(second)
    assert report.loadable
    assert found(report, "knowledge_base/catalog/other.docx", "Шарф Nimbus", "not in the inventory")
    assert found(report, "inventory.xlsx", "Слипоны Orbit", "no catalog document")
    assert found(report, "knowledge_base/catalog/new.docx", "Lumen", "Russian spelling")
    assert found(report, "knowledge_base/catalog/old price list.doc", "not a .docx")
    for topic in ("delivery", "payment", "returns"):
        assert found(report, "knowledge_base/scripts", f"about {topic}")
    assert not found(report, "inventory.xlsx", "Мокасины Aurora Drive")


def test_photo_names_without_a_colour_are_reported(second: Path) -> None:
    folder = second / "photos" / "mokasiny_aurora"
    shutil.copy(folder / "синий_1.jpg", folder / "IMG_2041.jpg")
    report = check_shop(second)
    assert found(report, "photos/mokasiny_aurora/IMG_2041.jpg", "no colour")


def test_an_unreadable_document_is_an_error_naming_it(second: Path) -> None:
    broken = second / "knowledge_base" / "catalog" / "shoes.docx"
    broken.write_bytes(b"this is not a zip")
    (second / "colors.yaml").write_text("бежевый: [шампань\n", encoding="utf-8")
    report = check_shop(second)
    assert not report.loadable
    assert found(report, "knowledge_base/catalog/shoes.docx", "unreadable catalog document")
    assert found(report, "colors.yaml", "not valid YAML")
    assert [f.level for f in report.findings if f.file == "colors.yaml"] == ["error"]
    with pytest.raises(ValueError, match="shoes.docx"):
        load_catalog(second)  # the service refuses what check-shop calls an error


def test_a_shop_without_stock_cannot_sell(second: Path) -> None:
    (second / "inventory.xlsx").unlink()
    report = check_shop(second)
    assert not report.loadable
    assert found(report, "inventory.xlsx", "no inventory")


def test_the_command_prints_files_and_fixes_and_sets_the_exit_code(second: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["check-shop", str(second)])
    assert ok.exit_code == 0, ok.output
    assert "shop.yaml" in ok.output and "fix:" in ok.output and "0 error(s)" in ok.output
    (second / "inventory.xlsx").write_bytes(b"PK\x03\x04 broken")
    failed = runner.invoke(main, ["check-shop", str(second)])
    assert failed.exit_code == 1
    assert "ERROR   inventory.xlsx:" in failed.output
    assert "1 error(s)" in failed.output


def test_the_command_defaults_to_data_dir(second: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_DIR", str(second))
    result = CliRunner().invoke(main, ["check-shop"])
    assert result.exit_code == 0 and f"shop {second}:" in result.output
