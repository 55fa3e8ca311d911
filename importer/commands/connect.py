"""The Ocean client and the journal a command sends with, from the settings.

:func:`sandbox_settings` points the settings at an embedded sandbox instead (``--sandbox``).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importer.errors import UsageError
from importer.messages import t
from importer.settings.load import Settings

if TYPE_CHECKING:
    from importer.send.client import OceanClient
    from importer.send.journal.ledger import Journal


# The keyword arguments of OceanClient that are settings of the same name.
CLIENT_SETTINGS = (
    "connect_timeout",
    "read_timeout",
    "ca_bundle",
    "max_attempts",
    "max_retry_seconds",
    "call_timeout",
    "failure_patterns",
    "rate",
)


def make_client(settings: Settings) -> OceanClient:
    """An Ocean client for these settings, not yet authenticated."""
    from importer.send.client import OceanClient

    account = (settings.api_url, settings.login, settings.password, settings.customer_id)
    return OceanClient(*account, **settings.as_keywords(CLIENT_SETTINGS))


@contextlib.contextmanager
def open_client(settings: Settings) -> Iterator[OceanClient]:
    """An authenticated Ocean client for these settings (raises exit-3 errors)."""
    if not settings.login or not settings.password:
        raise UsageError(t("cli.credentials_missing"))
    client = make_client(settings)
    try:
        client.authenticate()
        yield client
    finally:
        client.close()


def call_counts(client: Any) -> dict[str, int]:
    """HTTP requests per API call, plus retries, renewals... as one flat dict."""
    snapshot = client.stats.snapshot()
    return {**snapshot.pop("requests"), **snapshot}


@contextlib.contextmanager
def open_journal(settings: Settings) -> Iterator[Journal]:
    """The journal at the configured path (or the user's state folder)."""
    from importer.send.journal.database import default_journal_path
    from importer.send.journal.ledger import Journal

    path = Path(settings.journal) if settings.journal else default_journal_path()
    journal = Journal(path, keep_values_days=settings.keep_values_days)
    try:
        yield journal
    finally:
        journal.close()


@contextlib.contextmanager
def sandbox_settings(settings: Settings) -> Iterator[Settings]:
    """Start an embedded sandbox and point the settings at it (demo credentials).

    Unless a journal was chosen, a throwaway one is used: the sandbox's state lives only
    as long as this run, so a lasting journal would remember missions that no longer exist.
    """
    from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

    with Sandbox() as sandbox, tempfile.TemporaryDirectory(prefix="mission-importer-") as tmp:
        yield replace(
            settings,
            api_url=sandbox.url,
            login=DEMO_LOGIN,
            password=DEMO_PASSWORD,
            customer_id=None,
            journal=settings.journal or Path(tmp) / "journal.sqlite3",
        )
