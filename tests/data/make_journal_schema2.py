"""Write a real journal of schema 2, for the test of the migration to schema 3.

It was run once with the importer of schema 2 (commit f91ba6d, before the migration
existed) and its outputs committed; the code of schema 3 would write a schema-3 journal,
so the script refuses to run then. What it does, against a sandbox on loopback:

1. ``demo`` (a single-customer account, no customerId) imports the six rows of
   ``journal-schema2.csv``: keys (url, "", M-00000..M-00005);
2. ``multi`` imports the same file for customer 101: keys (url, "101", M-...);
3. ``demo`` deletes M-00005 (absent in the journal);
4. a modify of ``demo``'s M-00004 is begun and never finished (the run then ends, as a
   killed run would): an attempt left in flight for the next run to settle.

    python tests/data/make_journal_schema2.py   # writes tests/data/journal-schema2.*
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLANNING = HERE / "journal-schema2.csv"
JOURNAL = HERE / "journal-schema2.sqlite"
HEADERS = ["idMission", "jourHeureInter", "nomVeh", "ville", "codPost", "commentaire", "aEnvoyer"]


def write_planning(path: Path) -> None:
    """Six valid rows, M-00000 to M-00005."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADERS)
        for i in range(6):
            day, hour = 1 + i, 8 + i
            row = [f"M-{i:05d}", f"{day:02d}/03/2027 {hour:02d}:30", f"VL-{i:02d}", "Lyon"]
            writer.writerow([*row, "69003", "first version", "VRAI"])


def main() -> int:
    from importer.commands.delete import delete_missions
    from importer.commands.importing import import_file
    from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, MULTI_LOGIN, MULTI_PASSWORD, Sandbox
    from importer.send.journal import database
    from importer.send.journal.keys import params_hash
    from importer.send.journal.ledger import Journal
    from importer.settings.load import Settings

    if database.SCHEMA_VERSION != 2:
        print("this script writes schema 2: run it with the importer of commit f91ba6d")
        return 2
    write_planning(PLANNING)
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sb:
        url = sb.url
        journal = Path(tmp) / "journal.sqlite3"
        demo = Settings(
            api_url=sb.url, login=DEMO_LOGIN, password=DEMO_PASSWORD, journal=journal, workers=2
        )
        multi = dataclasses.replace(
            demo, login=MULTI_LOGIN, password=MULTI_PASSWORD, customer_id=101
        )
        out = Path(tmp)
        for who, name in ((demo, "demo"), (multi, "multi")):
            result = import_file(PLANNING, who, output=out / f"{name}.xlsx", show_progress=False)
            assert result.counts.get("created") == 6, result.counts
        gone = delete_missions(None, ["M-00005"], demo, output=out / "delete.xlsx")
        assert gone.counts.get("deleted") == 1, gone.counts
        with Journal(journal) as ledger:
            params = {"idMission": "M-00004", "jourHeureInter": "05/03/2027 11:30"}
            ledger.begin(sb.url, "", "M-00004", "modifierMission", params_hash(params), params)
        shutil.copyfile(journal, JOURNAL)
    with sqlite3.connect(JOURNAL) as conn:
        (version,) = conn.execute("SELECT schema_version FROM meta").fetchone()
        counts = conn.execute("SELECT COUNT(*), SUM(present) FROM missions").fetchone()
        (attempts,) = conn.execute("SELECT COUNT(*) FROM attempts").fetchone()
    conn.close()
    print(f"{JOURNAL.name}: schema {version}, missions {counts}, attempts {attempts}")
    print(f"the sandbox was {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
