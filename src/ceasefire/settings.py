"""Settings, read from CEASEFIRE_* environment variables (and an optional .env) by app and CLI only."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data directory (e.g. ~/.local/share/ceasefire on Linux)."""
    return Path(user_data_dir("ceasefire", appauthor=False))


class Settings(BaseSettings):
    """Every setting of ceasefire; docs/settings.md is generated from these fields."""

    model_config = SettingsConfigDict(env_prefix="CEASEFIRE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory for the embedded SQLite database and other local files.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database, e.g. postgresql://user@host/db (psycopg 3). "
            "Unset: an SQLite file ceasefire.db in the data directory."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `ceasefire serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `ceasefire serve` listens on.")
    workers: int = Field(default=1, ge=1, le=64, description="Uvicorn worker processes.")
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        description="Largest request body the API accepts (bytes); larger ones get 413.",
    )
    page_size: int = Field(default=50, ge=1, le=1000, description="Default page size of lists.")
    max_page_size: int = Field(default=500, ge=1, le=10000, description="Largest page size allowed.")
    demo_mode: bool = Field(
        default=False, description="Set by `ceasefire demo`: demo accounts and relaxed key checks."
    )
    encryption_keys: list[SecretStr] = Field(
        default_factory=list,
        description=(
            "Fernet keys (JSON list, newest first) encrypting reporters' contact details at rest; "
            "make one with `ceasefire keys generate`. Required outside demo mode."
        ),
    )
    evidence_dir: Path | None = Field(
        default=None,
        description="Where evidence files are stored by SHA-256 (default: evidence/ in the data directory).",
    )
    max_evidence_bytes: int = Field(
        default=25 * 1024 * 1024, ge=1, description="Largest evidence file accepted (bytes)."
    )
    evidence_types: list[str] = Field(
        default_factory=lambda: [
            "image/jpeg",
            "image/png",
            "image/webp",
            "image/gif",
            "video/mp4",
            "video/webm",
            "audio/mpeg",
            "audio/ogg",
            "application/pdf",
            "text/plain",
        ],
        description="Media types accepted as evidence, as sniffed from the bytes (not as declared).",
    )
    log_level: str = Field(default="info", description="Log level of the server.")
    sql_echo: bool = Field(default=False, description="Log every SQL statement (debugging).")

    def resolved_evidence_dir(self) -> Path:
        """The evidence store: the setting, or evidence/ in the data directory."""
        return self.evidence_dir or self.data_dir / "evidence"

    def resolved_database_url(self) -> str:
        """The database URL in force: the setting, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ceasefire.db').as_posix()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings now (never at import), with explicit overrides winning."""
    return Settings(**overrides)  # type: ignore[arg-type]
