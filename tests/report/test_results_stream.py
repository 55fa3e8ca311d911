"""The results workbook written while a run sends: the same workbook as written after it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from importer.errors import InputError
from importer.messages import language_context
from importer.model import Outcome, RowIssue, RowOutcome, SourceTable
from importer.report.results_stream import ResultsStream
from importer.report.summary_sheet import SummaryFacts
from importer.report.workbook import write_results

HEADERS = ["idMission", "jourHeureInter", "ville"]
ROWS = 12
PENDING = [0, 1, 2, 4, 5, 7, 8, 9, 10, 11]  # sent by the run; rows 3 and 6 are invalid


def make_table() -> SourceTable:
    rows = [[f"M{n}", datetime(2027, 3, 1, 8, n), "Lyon"] for n in range(ROWS)]
    data = pd.DataFrame(rows, columns=HEADERS, index=range(2, ROWS + 2), dtype=object)
    return SourceTable(path=Path("planning.xlsx"), headers=HEADERS, data=data, sheet="Planning")


def first_outcomes() -> list[RowOutcome]:
    outcomes = [RowOutcome(n + 2, Outcome.VALID, id_mission=f"M{n}") for n in range(ROWS)]
    for n in (3, 6):
        issue = RowIssue(n + 2, "jourHeureInter", "32/13", "validation.date_format", {"value": "x"})
        outcomes[n] = RowOutcome(n + 2, Outcome.INVALID, errors=[issue])
    return outcomes


def final_outcomes() -> list[RowOutcome]:
    outcomes = first_outcomes()
    for n in PENDING:
        outcomes[n] = RowOutcome(
            n + 2, Outcome.CREATED, "ajoutMission", 200, f"Mission M{n} créée", attempts=1
        )
    outcomes[11] = RowOutcome(13, Outcome.NOT_SENT, message="interrupted")  # never done
    return outcomes


def facts() -> SummaryFacts:
    moment = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
    return SummaryFacts("import", Path("/data/planning.xlsx"), moment, moment, {}, ["a note"])


def cells(path: Path) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book}


def test_rows_done_in_any_order_make_the_workbook_written_after_the_run(tmp_path: Path) -> None:
    table, final = make_table(), final_outcomes()
    expected = write_results(tmp_path / "after.xlsx", table, final, facts(), lang="fr")
    with language_context("fr"):
        stream = ResultsStream(tmp_path / "while.xlsx", table, first_outcomes(), PENDING, lang="fr")
    order = [5, 0, 2, 1, 10, 4, 9, 8, 7]  # row 11 never done: its final outcome comes at the end
    senders = [threading.Thread(target=stream.done, args=(n, final[n])) for n in order]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    written = stream.finish(final, facts())
    assert written == tmp_path / "while.xlsx"
    got, want = cells(written), cells(expected)
    assert list(got) == ["Résultats", "Erreurs", "Résumé"]
    assert got == want
    assert got["Résultats"][1][:3] == ["M0", datetime(2027, 3, 1, 8, 0), "Lyon"]
    assert "Mission M5 créée" in got["Résultats"][6]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["after.xlsx", "while.xlsx"]


def test_abandoned_leaves_no_file(tmp_path: Path) -> None:
    stream = ResultsStream(tmp_path / "out.xlsx", make_table(), first_outcomes(), PENDING)
    stream.done(0, final_outcomes()[0])
    stream.abandon()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_does_not_exist_is_said_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.xlsx"
    stream = ResultsStream(target, make_table(), first_outcomes(), PENDING)
    with pytest.raises(InputError):
        stream.finish(final_outcomes(), facts())
    assert not target.exists()
