"""Helpers shared by the tests: a planning file, settings for a sandbox, the sandbox's state."""

from __future__ import annotations

import csv
import dataclasses
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.settings.load import Settings

# Where things are, whichever folder of tests/ a test file sits in.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = PROJECT_ROOT / "tests" / "data"
SAMPLE_DATA = PROJECT_ROOT / "sample_data"
DOCS = PROJECT_ROOT / "docs"

HEADERS = ["idMission", "jourHeureInter", "nomVeh", "ville", "codPost", "commentaire", "aEnvoyer"]


def mission(id_mission: str = "M-1", **extra: str) -> dict[str, str]:
    """Parameters of a valid mission."""
    return {
        "idMission": id_mission,
        "jourHeureInter": "03/12/2026 07:30",
        "typeMission": "Livraison",
        "nomVeh": "VL-12",
        "ville": "Lyon",
        "aEnvoyer": "false",
        **extra,
    }


def write_planning(
    path: Path, n: int, *, version: dict[int, str] | None = None, prefix: str = "M"
) -> Path:
    """A CSV planning of n valid rows; ``version`` changes the comment of some rows."""
    version = version or {}
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADERS)
        for i in range(n):
            day = 1 + i % 28
            writer.writerow(
                [
                    f"{prefix}-{i:05d}",
                    f"{day:02d}/03/2027 {8 + i % 9:02d}:30",
                    f"VL-{i % 40:02d}",
                    "Lyon",
                    "69003",
                    version.get(i, "first version"),
                    "VRAI",
                ]
            )
    return path


def excel_workbook(path: Path, headers: list[str], *rows: list[object]) -> Path:
    """A real .xlsx as Excel writes it: date cells with a date-time number format."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    book.save(path)
    return path


def settings_for(sb: Sandbox, tmp_path: Path, **changes: object) -> Settings:
    base = Settings(
        api_url=sb.url,
        login=DEMO_LOGIN,
        password=DEMO_PASSWORD,
        journal=tmp_path / "journal.sqlite3",
        workers=8,
        read_timeout=2.0,
        connect_timeout=1.0,
        max_attempts=6,
        max_retry_seconds=20.0,
    )
    return dataclasses.replace(base, **changes)


def live(sb: Sandbox) -> dict[str, dict]:
    return {m["idMission"]: m for m in sb.missions() if not m.get("deleted")}


def assert_state_equals_file(
    sb: Sandbox, n: int, version: dict[int, str] | None = None, prefix: str = "M"
) -> None:
    version = version or {}
    missions = live(sb)
    assert len(missions) == n
    for i in range(n):
        mission = missions[f"{prefix}-{i:05d}"]
        assert mission["creates"] == 1, mission
        assert mission["params"]["commentaire"] == version.get(i, "first version")


def mission_calls(sb: Sandbox) -> int:
    counters = sb.counters()
    calls = counters.get("calls", counters)
    return sum(
        v
        for k, v in calls.items()
        if k in ("ajoutMission", "modifierMission", "statutMission", "supprimerMission")
    )


def run_import(sb: Sandbox, path: Path, journal: Path, *extra: str) -> subprocess.Popen:
    """Start `mission-importer import PATH --quiet` in a child process against ``sb``."""
    env = {
        **os.environ,
        "OCEAN_API_URL": sb.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(journal),
        "MISSION_IMPORTER_WORKERS": "8",
        "NO_COLOR": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "importer", "--lang", "en", "import", str(path), "--quiet", *extra],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
