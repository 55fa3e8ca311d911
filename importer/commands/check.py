"""`check`: every effective setting with where it came from, then one harmless call."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from importer.messages import t
from importer.settings.load import Configuration, Settings, effective_settings, resolve_language


@dataclass
class CheckOutcome:
    """Whether the API answered a read call with these credentials, and the sentence."""

    ok: bool
    message: str


def _locale_origin() -> str:
    """Where the language came from when no setting chose it: the locale variable."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return t("check.where.locale", name=var, value=os.environ[var])
    return t("check.where.system_locale")


def effective_table(configuration: Configuration, settings: Settings) -> dict[str, tuple[str, str]]:
    """Setting -> (value as shown, where it came from); journal and lang as resolved."""
    from importer.send.journal.database import default_journal_path

    shown = effective_settings(settings)
    origins = configuration.origins
    table = {key: (value, origins.get(key, "")) for key, value in shown.items()}
    if settings.journal is None:
        table["journal"] = (str(default_journal_path()), t("check.where.state_folder"))
    if settings.lang is None:
        table["lang"] = (resolve_language(settings), _locale_origin())
    return table


def check_connection(settings: Settings) -> CheckOutcome:
    """Log in and read one (absent) mission; raises the exit-3 errors of a failed login."""
    from importer.commands.connect import open_client

    with open_client(settings) as client:
        result = client.status("mission-importer-check", settings.customer_id)
    if result.ok or result.not_found:
        customer = (
            t("check.customer", customer=settings.customer_id) if settings.customer_id else ""
        )
        return CheckOutcome(
            True, t("check.ok", url=settings.api_url, login=settings.login, customer=customer)
        )
    if result.http_status == 403:
        return CheckOutcome(False, t("check.forbidden", message=result.message))
    return CheckOutcome(False, t("check.failed", reason=result.error or result.message))


def table_lines(configuration: Configuration, table: dict[str, tuple[str, str]]) -> list[str]:
    """The settings as lines for a terminal: ``  key = value   [origin]``, file first."""
    lines = [t("check.settings")]
    if configuration.file:
        lines.append(t("check.config_file", path=configuration.file))
    width = max(len(key) for key in table)
    lines += [f"  {key:<{width}} = {value}   [{origin}]" for key, (value, origin) in table.items()]
    return lines


def check_json(
    configuration: Configuration, table: dict[str, tuple[str, str]], outcome: CheckOutcome
) -> str:
    """The settings, their origins and the outcome of the call, as one JSON text."""
    return json.dumps(
        {
            "config_file": str(configuration.file) if configuration.file else None,
            "settings": {k: {"value": v, "origin": o} for k, (v, o) in table.items()},
            "ok": outcome.ok,
            "message": outcome.message,
        },
        ensure_ascii=False,
    )
