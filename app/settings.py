"""Settings from the environment (and an optional `.env`), validated once at start-up.

Every variable has a default that runs the sample shop offline; the README lists them all, and
`.env.example` shows each one commented. A shop moving over from the seed system keeps its
`.env`: the older spellings in `SEED_NAMES` are read as well (the current name wins when both
are set, in whichever of the environment and `.env` each one is).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from ottenok.nudge_policy import NudgePolicy, parse_work_hours
from ottenok.phones import normalize_phone

#: Other names a setting is known by in older `.env` files (no seed settings table survives in
#: the repository history, so these are the spellings such files use for the same values).
#: Only names that say whose they are: a generic name that another program, or a CGI request's
#: headers (`HTTP_HOST`, `HTTP_PORT`), may set would configure the service by accident.
SEED_NAMES: dict[str, tuple[str, ...]] = {
    "data_dir": ("SHOP_DATA_DIR",),
    "openai_base_url": ("OPENAI_API_BASE",),
    "inventory_excel_path": ("INVENTORY_PATH", "INVENTORY_FILE"),
    "photos_dir": ("PHOTOS_PATH", "PHOTO_DIR"),
    "chroma_dir": ("CHROMA_PATH", "CHROMA_PERSIST_DIR", "CHROMADB_PATH"),
    "manager_numbers": ("MANAGER_PHONES", "MANAGER_PHONE", "MANAGER_NUMBER"),
    "timezone": ("SHOP_TIMEZONE",),
    "work_hours": ("WORKING_HOURS", "BUSINESS_HOURS"),
    "nudge_enabled": ("NUDGES_ENABLED", "FOLLOWUP_ENABLED"),
    "green_api_url": ("GREEN_API_API_URL", "GREEN_API_HOST"),
    "green_api_media_url": ("GREEN_API_MEDIA_HOST",),
    "green_api_id_instance": ("GREEN_API_INSTANCE_ID", "GREEN_API_IDINSTANCE"),
    "green_api_token": ("GREEN_API_API_TOKEN", "GREEN_API_TOKEN_INSTANCE"),
    "green_api_webhook_token": ("GREEN_API_WEBHOOK_URL_TOKEN",),
    "google_credentials_file": ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_SERVICE_ACCOUNT_FILE"),
    "google_drive_photos_folder_id": ("GOOGLE_DRIVE_FOLDER_ID",),
}


class SeedNames(PydanticBaseSettingsSource):
    """The seed's spellings, read only after every source's current names (the environment's
    and `.env`'s): the current name wins wherever each one is set. Among seed spellings the
    environment wins over `.env`, as for current names."""

    def __init__(self, settings_cls: type[BaseSettings], *sources: EnvSettingsSource) -> None:
        super().__init__(settings_cls)
        self.sources = sources

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        for source in self.sources:
            for name in SEED_NAMES.get(field_name, ()):
                if (value := source.env_vars.get(name.lower())) is not None:
                    return value, name, False
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values = {}
        for field_name, field in self.settings_cls.model_fields.items():
            value, _, _ = self.get_field_value(field, field_name)
            if value is not None:
                values[field_name] = value
        return values


#: Shortest console token accepted: the console is the shop's customer data.
MIN_CONSOLE_TOKEN = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the current names (environment, `.env`), then the seed's names."""
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, EnvSettingsSource)
        seed = SeedNames(settings_cls, env_settings, dotenv_settings)
        return init_settings, env_settings, dotenv_settings, seed, file_secret_settings

    data_dir: Path = Path("data")
    db_path: Path | None = None
    inventory_excel_path: Path | None = None
    photos_dir: Path | None = None
    chroma_dir: Path | None = None
    photo_index_path: Path | None = None

    # The LLM path (docs/llm.md). `auto`: the LLM when a key or a base URL is set; `offline`
    # never calls it. Either way the offline default answers whenever the LLM cannot.
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o"
    openai_embedding_model: str = "text-embedding-3-small"
    llm_backend: Literal["auto", "openai", "offline"] = "auto"
    llm_mode: Literal["tools", "json_schema", "json", "md_json"] = "tools"
    llm_timeout_seconds: float = Field(default=8.0, gt=0, le=120)
    # Knowledge embeddings stay offline unless asked for: a key alone never makes OpenAI
    # a dependency of answering questions.
    embeddings: Literal["offline", "openai"] = "offline"
    # For `ottenok usage`: price per 1M tokens (gpt-4o's list price in USD by default).
    llm_price_prompt_per_1m: float = Field(default=2.5, ge=0)
    llm_price_completion_per_1m: float = Field(default=10.0, ge=0)

    manager_numbers: str = ""
    timezone: str = "Asia/Almaty"
    work_hours: str = "9-19"
    nudge_enabled: bool = True
    nudge_tick_seconds: int = Field(default=60, ge=1)
    outbox_max_age_hours: float = Field(default=24, gt=0)
    outbox_journal_lag_seconds: float = Field(default=120, ge=0)

    green_api_url: str = "https://api.green-api.com"
    green_api_media_url: str = "https://media.green-api.com"
    green_api_id_instance: str | None = None
    green_api_token: str | None = None
    green_api_webhook_token: str | None = None
    green_api_polling: bool = True
    green_api_receive_timeout: int = Field(default=20, ge=5, le=60)
    port: int = Field(default=8080, ge=1, le=65535)
    host: str = "127.0.0.1"

    manager_console_token: SecretStr | None = None
    sandbox: bool | None = None

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

    @field_validator("openai_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("OPENAI_BASE_URL must start with http:// or https://")
        return value or None

    @model_validator(mode="after")
    def _llm_reachable(self) -> Settings:
        if self.llm_backend == "openai" and not (self.openai_api_key or self.openai_base_url):
            raise ValueError("LLM_BACKEND=openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
        return self

    @property
    def llm_enabled(self) -> bool:
        """Whether turns use the LLM (with the offline default behind it)."""
        if self.llm_backend == "auto":
            return bool(self.openai_api_key or self.openai_base_url)
        return self.llm_backend == "openai"

    @property
    def whatsapp_configured(self) -> bool:
        """Both GREEN-API credentials are set: `make run` starts the WhatsApp service."""
        return bool(self.green_api_id_instance and self.green_api_token)

    def require_whatsapp(self) -> None:
        """Raise ValueError naming the first missing or invalid GREEN-API setting."""
        if not self.green_api_id_instance:
            raise ValueError("GREEN_API_ID_INSTANCE is not set")
        if not self.green_api_id_instance.isdigit():
            raise ValueError("GREEN_API_ID_INSTANCE must be digits (the instance id)")
        if not self.green_api_token:
            raise ValueError("GREEN_API_TOKEN is not set")
        for name in ("green_api_url", "green_api_media_url"):
            if not getattr(self, name).startswith(("http://", "https://")):
                raise ValueError(f"{name.upper()} must start with http:// or https://")
        if not self.green_api_polling and not self.green_api_webhook_token:
            raise ValueError("GREEN_API_WEBHOOK_TOKEN is required in webhook mode")

    @property
    def sandbox_enabled(self) -> bool:
        """The browser chat runs when asked (`SANDBOX=1`), or by default when WhatsApp is not
        configured: a real shop must not expose a fake customer chat by accident."""
        return self.sandbox if self.sandbox is not None else not self.whatsapp_configured

    @property
    def loopback(self) -> bool:
        """HOST answers only this machine (127.0.0.1, ::1, localhost)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def require_serving(self) -> None:
        """Raise ValueError with a one-line reason when `ottenok serve` must not start."""
        if self.green_api_id_instance or self.green_api_token:
            self.require_whatsapp()
        token = self.manager_console_token.get_secret_value() if self.manager_console_token else ""
        if not token and not self.loopback:
            raise ValueError(
                f"MANAGER_CONSOLE_TOKEN is required when HOST is not 127.0.0.1 (HOST={self.host})"
            )
        if token and len(token) < MIN_CONSOLE_TOKEN:
            raise ValueError(
                f"MANAGER_CONSOLE_TOKEN must be at least {MIN_CONSOLE_TOKEN} characters"
            )

    @property
    def database(self) -> Path:
        return self.db_path or self.data_dir / "ottenok.db"

    @property
    def inventory_path(self) -> Path:
        return self.inventory_excel_path or self.data_dir / "inventory.xlsx"

    @property
    def inventory_snapshot(self) -> Path:
        """The last good inventory rows, next to the database they belong with."""
        return self.database.with_suffix(".inventory.json")

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
