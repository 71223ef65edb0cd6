"""Settings: the seed system's names still work, and the README's table and `.env.example`
list exactly the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.settings import SEED_NAMES, Settings

ROOT = Path(__file__).resolve().parent.parent


def readme_table() -> dict[str, set[str]]:
    """Variable → the older names its row accepts, from README's Configuration table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = set(re.findall(r"`([A-Z0-9_]+)`", cells[3]))
    return rows


def test_readme_configuration_table_matches_the_settings_class() -> None:
    table = readme_table()
    assert set(table) == {name.upper() for name in Settings.model_fields}
    for field in Settings.model_fields:
        assert table[field.upper()] == set(SEED_NAMES.get(field, ())), field


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", text, re.M))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_a_seed_env_file_keeps_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for names in SEED_NAMES.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GREEN_API_ID_INSTANCE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "GREEN_API_INSTANCE_ID=1101000001\nGREEN_API_API_TOKEN=abc\n"
        "MANAGER_PHONES=+7 701 123 45 67\nWORKING_HOURS=10-20\nHTTP_PORT=9000\n",
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.green_api_id_instance == "1101000001" and settings.green_api_token == "abc"
    assert settings.managers == ["77011234567"] and settings.work_hours == "10-20"
    assert settings.port == 9000 and settings.whatsapp_configured
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", "2202000002")  # the current name wins
    assert Settings().green_api_id_instance == "2202000002"
    assert Settings(green_api_id_instance="3").green_api_id_instance == "3"
