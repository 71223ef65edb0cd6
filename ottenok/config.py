"""Settings from the environment (and an optional `.env`), validated once at start-up.

Every variable has a default that runs the sample shop offline; the README lists them all.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ottenok.phones import normalize_phone
from ottenok.worktime import NudgePolicy, parse_work_hours


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    db_path: Path | None = None
    inventory_excel_path: Path | None = None
    photos_dir: Path | None = None
    chroma_dir: Path | None = None
    photo_index_path: Path | None = None

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"

    manager_numbers: str = ""
    timezone: str = "Asia/Almaty"
    work_hours: str = "9-19"
    nudge_enabled: bool = True
    nudge_tick_seconds: int = Field(default=60, ge=1)

    google_credentials_file: Path | None = None
    google_drive_photos_folder_id: str | None = None

    log_level: str = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown timezone {value!r}") from err
        return value

    @field_validator("work_hours")
    @classmethod
    def _valid_hours(cls, value: str) -> str:
        parse_work_hours(value)
        return value

    @property
    def database(self) -> Path:
        return self.db_path or self.data_dir / "ottenok.db"

    @property
    def inventory_path(self) -> Path:
        return self.inventory_excel_path or self.data_dir / "inventory.xlsx"

    @property
    def photos(self) -> Path:
        return self.photos_dir or self.data_dir / "photos"

    @property
    def chroma(self) -> Path:
        return self.chroma_dir or self.data_dir / "chroma_db"

    @property
    def photo_index(self) -> Path:
        return self.photo_index_path or self.data_dir / "photo_index.json"

    @property
    def managers(self) -> list[str]:
        """Manager phones as bare digits (77011234567), from a comma-separated list."""
        phones = (normalize_phone(part) for part in self.manager_numbers.split(","))
        return [p for p in phones if p]

    def nudge_policy(self) -> NudgePolicy:
        start, end = parse_work_hours(self.work_hours)
        return NudgePolicy(tz=ZoneInfo(self.timezone), open_hour=start, close_hour=end)
