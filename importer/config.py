"""Settings: command line > environment > TOML file > defaults.

This module holds the :class:`Settings` every step reads. Loading them from the
environment and the TOML file lives here too (see :func:`load_settings`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://v3.oceansystem.com/ocean"
DEFAULT_FAILURE_PATTERNS: tuple[str, ...] = (
    "échec", "echec", "erreur", "existe déjà", "existe deja", "impossible", "refus", "invalide",
    "error", "failed", "failure", "already exists", "not found", "invalid", "denied",
)


@dataclass
class Settings:
    """Every setting of the tool, with its default."""

    api_url: str = DEFAULT_API_URL
    login: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed
    customer_id: int | None = None
    timezone: str = "Europe/Paris"
    lang: str | None = None  # None: from the environment's locale
    # reading and validation
    sheet: str | None = None
    max_rows: int = 1_000_000
    columns: dict[str, str] = field(default_factory=dict)  # "Their header" -> apiField
    mission_types: list[str] = field(default_factory=list)  # empty: any type accepted
    default_a_envoyer: bool = True
    # sending
    mode: str = "upsert"
    workers: int = 8
    rate: float | None = None  # requests per second, shared by all workers
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5
    max_retry_seconds: float = 120.0
    ca_bundle: str | None = None
    failure_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_FAILURE_PATTERNS))
    journal: Path | None = None  # None: the user's state folder
    # drop folder
    watch_interval: float = 5.0
    watch_settle_seconds: float = 2.0
    outbox: Path | None = None
