"""Settings, read from CEASEFIRE_* environment variables (and an optional .env) by app and CLI only."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data directory (e.g. ~/.local/share/ceasefire on Linux)."""
    return Path(user_data_dir("ceasefire", appauthor=False))


class ReportChannel(BaseModel):
    """One way for the public to report a violation, shown on the "how to report" page."""

    kind: str = Field(description="hotline, sms, email, whatsapp, post or office.")
    label: str = Field(description="Who answers, e.g. 'Coordination centre hotline'.")
    value: str = Field(description="The number, address or place.")
    hours: str | None = Field(default=None, description="When it is answered, e.g. '24/7'.")


def default_report_channels() -> list[ReportChannel]:
    """The demo's channels (placeholders from the reserved documentation ranges, not real numbers)."""
    return [
        ReportChannel(
            kind="hotline", label="Ceasefire task force hotline", value="+41 22 555 0100", hours="24/7"
        ),
        ReportChannel(kind="sms", label="SMS reporting line", value="+41 22 555 0101", hours="24/7"),
        ReportChannel(kind="email", label="Task force secretariat", value="report@ceasefire.example"),
    ]


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
    session_hours: float = Field(
        default=12, gt=0, le=24 * 30, description="How long a web sign-in lasts before signing in again."
    )
    login_max_failures: int = Field(
        default=5, ge=1, le=100, description="Wrong passwords in a row that lock an account."
    )
    login_lockout_minutes: int = Field(
        default=15, ge=1, description="How long a locked account stays locked."
    )
    login_rate_limit: str = Field(
        default="10/minute", description="Sign-in attempts allowed per client address (limits syntax)."
    )
    public_report_rate_limit: str = Field(
        default="5/minute;30/day",
        description="Public report submissions allowed per client address (limits syntax).",
    )
    receipt_rate_limit: str = Field(
        default="20/minute;200/day",
        description=(
            "Look-ups of, and additions to, public reports by reference code allowed per client address "
            "(limits syntax): enough for a sender, far too few to guess codes."
        ),
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where rate-limit counters live: memory:// (one process) or redis://host:6379.",
    )
    report_channels: list[ReportChannel] = Field(
        default_factory=default_report_channels,
        description=(
            "How the public can report (JSON list of {kind, label, value, hours}), shown on the home page."
        ),
    )
    map_tile_url: str | None = Field(
        default=None,
        description=(
            "Tile server URL template (e.g. https://tiles.example/{z}/{x}/{y}.png). Unset: the map draws an "
            "offline basemap from shipped data, so it works without internet."
        ),
    )
    map_tile_attribution: str = Field(
        default="", description="Attribution shown under the map when a tile server is used."
    )
    correlation_on_intake: bool = Field(
        default=True,
        description="Correlate each new report with the incidents and reports on file as it is received.",
    )
    correlation_attach_threshold: float = Field(
        default=0.55,
        ge=0.0,
        le=1.0,
        description="Score (0-1) at or above which the correlator groups a report automatically.",
    )
    correlation_propose_threshold: float = Field(
        default=0.4,
        ge=0.0,
        le=1.0,
        description="Score (0-1) at or above which a pairing is proposed to an analyst (below: left apart).",
    )
    correlation_opens_incidents: bool = Field(
        default=False,
        description=(
            "Let the correlator open an incident when a new report matches an ungrouped report above "
            "the attach threshold (default: it proposes the pairing; a batch run or an analyst opens it)."
        ),
    )
    correlation_max_proposals: int = Field(
        default=5, ge=0, le=100, description="Most proposals the correlator makes for one report."
    )
    log_level: str = Field(default="info", description="Log level of the server.")
    sql_echo: bool = Field(default=False, description="Log every SQL statement (debugging).")

    def correlation_thresholds(self) -> tuple[float, float, int, bool]:
        """Attach and propose thresholds, the proposals cap and whether incidents may be opened, as
        plain values for the domain."""
        return (
            self.correlation_attach_threshold,
            self.correlation_propose_threshold,
            self.correlation_max_proposals,
            self.correlation_opens_incidents,
        )

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
