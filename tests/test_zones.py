"""One time-zone lookup for the settings and the rows: IANA names, case ignored."""

from __future__ import annotations

import pytest

from importer.errors import UsageError
from importer.rows.validation import load_zone
from importer.settings.load import load_configuration
from importer.zones import find_zone


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("europe/paris", "Europe/Paris"),
        ("  America/Cayenne ", "America/Cayenne"),
        ("UTC", "UTC"),
        ("Paris time", None),
        ("../etc/passwd", None),
        ("", None),
    ],
    ids=["exact", "case-ignored", "spaces", "utc", "unknown", "a-path", "empty"],
)
def test_find_zone(name: str, key: str | None) -> None:
    zone = find_zone(name)
    assert (zone.key if zone else None) == key


def test_settings_and_rows_agree_on_a_zone(tmp_path) -> None:
    loaded = load_configuration({"timezone": "europe/paris"}, environ={}, cwd=tmp_path)
    settings = loaded.settings
    assert settings.timezone == "Europe/Paris"
    assert load_zone("europe/paris").key == "Europe/Paris"
    with pytest.raises(UsageError, match="Mars/Olympus"):
        load_zone("Mars/Olympus")
