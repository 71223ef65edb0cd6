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


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No setting from the machine's environment, and an empty working directory for `.env`."""
    for field, names in SEED_NAMES.items():
        for name in (field.upper(), *names):
            monkeypatch.delenv(name, raising=False)
    for name in GENERIC:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


#: Names other programs set, which must never configure the service.
GENERIC = {
    "HTTP_HOST": "example.com", "HTTP_PORT": "81", "BIND_HOST": "0.0.0.0",
    "MANAGERS": "87019999999",
    "ADMIN_TOKEN": "short", "CONSOLE_TOKEN": "short", "WEBHOOK_TOKEN": "x", "ID_INSTANCE": "7",
    "API_TOKEN_INSTANCE": "t", "DATABASE_PATH": "/var/lib/other.db", "SQLITE_PATH": "/x.db",
    "EXCEL_PATH": "/x.xlsx", "DRIVE_FOLDER_ID": "folder",
}  # fmt: skip


def test_a_seed_env_file_keeps_working(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text(
        "GREEN_API_INSTANCE_ID=1101000001\nGREEN_API_API_TOKEN=abc\n"
        "MANAGER_PHONES=+7 701 123 45 67\nWORKING_HOURS=10-20\nSHOP_TIMEZONE=Asia/Aqtobe\n",
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.green_api_id_instance == "1101000001" and settings.green_api_token == "abc"
    assert settings.managers == ["77011234567"] and settings.work_hours == "10-20"
    assert settings.timezone == "Asia/Aqtobe" and settings.whatsapp_configured
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", "2202000002")  # the current name wins
    assert Settings().green_api_id_instance == "2202000002"
    assert Settings(green_api_id_instance="3").green_api_id_instance == "3"


def test_the_current_name_wins_in_whichever_source_each_name_is(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seed name left in the service's environment must not override the `.env` a shop edits."""
    (clean_env / ".env").write_text(
        "GREEN_API_ID_INSTANCE=1101000001\nWORK_HOURS=10-20\nMANAGER_PHONE=87011111111\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GREEN_API_INSTANCE_ID", "2202000002")
    monkeypatch.setenv("WORKING_HOURS", "8-22")
    monkeypatch.setenv("MANAGER_PHONES", "87012222222")
    settings = Settings()
    assert settings.green_api_id_instance == "1101000001"
    assert settings.work_hours == "10-20"
    assert settings.managers == ["77012222222"]  # seed names only: the environment's wins


def test_generic_names_other_programs_set_never_configure_the_service(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in GENERIC.items():
        monkeypatch.setenv(name, value)
    (clean_env / ".env").write_text("HTTP_HOST=example.org\n", encoding="utf-8")
    settings = Settings()
    assert settings.host == "127.0.0.1" and settings.port == 8080 and settings.loopback
    assert settings.managers == [] and settings.manager_console_token is None
    assert settings.green_api_webhook_token is None and not settings.whatsapp_configured
    assert settings.database == Path("data/ottenok.db")
    assert settings.inventory_path == Path("data/inventory.xlsx")
    assert settings.google_drive_photos_folder_id is None
    settings.require_serving()
    assert not any(n.startswith("HTTP_") for names in SEED_NAMES.values() for n in names)
