"""Read + validate + normalise + write results for 100,000 rows, beside two references.

    python bench/validate_bench.py [--rows 100000] [--repeat 3]

For each input (.xlsx; the same .xlsx with every deletion date at 00:00, whose cells
calamine reads as bare dates so their number formats are read; .csv) it measures, each
in its own subprocess (so peak memory is the process's own):
- ours:  importer.commands.validate.validate_file (calamine read, header mapping, pandera checks,
         normalisation, XlsxWriter results workbook with highlights);
- naive: pandas.read_excel/read_csv with openpyxl, a per-row Python validation loop,
         an openpyxl normal-mode write of the same table;
- floor: python-calamine (or the csv module) read + XlsxWriter constant-memory write of
         the same table, nothing else.
It prints rows/s and peak memory (median of --repeat runs) and the ratios, plus the time
`mission-importer --help` takes. Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from importer.result_columns import result_headers
from importer.rows.columns import API_FIELDS

ADDED = result_headers("en")
HEADERS = [API_FIELDS[0], *API_FIELDS[2:], API_FIELDS[1]]  # idMission first, customerId last
CITIES = [
    ("Paris", "75011", 48.8566, 2.3522),
    ("Lyon", "69003", 45.7640, 4.8357),
    ("Bourg-en-Bresse", "01000", 46.2052, 5.2255),
    ("Lille", "59000", 50.6292, 3.0573),
    ("Nantes", "44000", 47.2184, -1.5536),
    ("Toulouse", "31000", 43.6047, 1.4442),
]


def make_rows(n: int, seed: int = 7) -> list[list[object]]:
    """Realistic planning rows: date cells, numeric postal codes, some typical mistakes."""
    rng = random.Random(seed)
    start = datetime(2027, 3, 1, 7, 0)
    rows = []
    for i in range(n):
        city, cp, lat, lon = rng.choice(CITIES)
        # working hours (07:00-18:45): calamine reads a cell at exactly 00:00 as a bare date
        when = start + timedelta(days=rng.randrange(0, 60), minutes=15 * rng.randrange(0, 48))
        rows.append(
            [
                f"M-{i:06d}",
                when,
                when + timedelta(days=2),
                rng.choice(["Livraison", "Maintenance"]),
                f"VL-{rng.randrange(1, 60):02d}",
                "Martin",
                "Léa",
                None,
                "Sonner à l'interphone" if i % 3 else None,
                f"Site {i % 500}",
                f"{rng.randrange(1, 200)} rue de la République",
                int(cp),
                city,
                rng.choice(["VRAI", "FAUX"]),
                round(lon + rng.uniform(-0.05, 0.05), 5),
                round(lat + rng.uniform(-0.05, 0.05), 5),
                None,
            ]
        )
        if i % 997 == 0:  # a typical mistake now and then
            rows[-1][1] = "32/13/2027 08:00"
    return rows


def write_inputs(folder: Path, n: int) -> dict[str, Path]:
    rows = make_rows(n)
    xlsx = write_xlsx(folder / f"planning_{n}.xlsx", rows)
    # an ERP export: every deletion date at 00:00 (calamine gives bare dates: formats are read)
    midnight = [[*row[:2], _midnight(row[2]), *row[3:]] for row in rows]
    xlsx_midnight = write_xlsx(folder / f"planning_{n}_midnight.xlsx", midnight)
    csv_path = folder / f"planning_{n}.csv"
    with csv_path.open("w", encoding="cp1252", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None
                    else v.strftime("%d/%m/%Y %H:%M")
                    if isinstance(v, datetime)
                    else str(v).replace(".", ",")
                    if isinstance(v, float)
                    else v
                    for v in row
                ]
            )
    return {"xlsx": xlsx, "xlsx-midnight": xlsx_midnight, "csv": csv_path}


def _midnight(value: object) -> object:
    return value.replace(hour=0, minute=0) if isinstance(value, datetime) else value


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Missions")
    date_format = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


# -- the three approaches, each run in a child process -----------------------------------------


def run_ours(path: Path, out: Path) -> int:
    from importer.commands.validate import validate_file
    from importer.settings.load import Settings

    report = validate_file(path, Settings(), output=out)
    return len(report.outcomes)


def run_naive(path: Path, out: Path) -> int:
    import openpyxl
    import pandas as pd

    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, engine="openpyxl", dtype=object)
    else:
        frame = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    outcomes = []
    for record in frame.to_dict("records"):  # the per-row loop a quick script would write
        errors = []
        if not record.get("idMission"):
            errors.append("idMission: required")
        when = record.get("jourHeureInter")
        if isinstance(when, str):
            try:
                datetime.strptime(when, "%d/%m/%Y %H:%M")
            except ValueError:
                errors.append("jourHeureInter: not a date")
        outcomes.append(("invalid" if errors else "valid", "; ".join(errors)))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*frame.columns, *ADDED])
    for r, (values, (outcome, errors)) in enumerate(
        zip(frame.itertuples(index=False), outcomes, strict=True), start=2
    ):
        sheet.append([*values, r, outcome, "", "", "", errors, "", 0, "", ""])
    book.save(out)
    return len(outcomes)


def run_floor(path: Path, out: Path) -> int:
    import xlsxwriter

    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    else:
        with path.open(encoding="cp1252", newline="") as source:
            rows = list(csv.reader(source, delimiter=";"))
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("Results")
    sheet.write_row(0, 0, [*rows[0], *ADDED])
    for r, row in enumerate(rows[1:], start=1):  # the same added cells as ours writes
        sheet.write_row(
            r,
            0,
            [*row, r + 1, "valid", "", "", "", "", "", 0, "01/03/2027 07:30", "03/03/2027 07:30"],
        )
    book.close()
    return len(rows) - 1


APPROACHES = {"ours": run_ours, "naive": run_naive, "floor": run_floor}


def child(approach: str, path: Path, out: Path) -> None:
    started = time.perf_counter()
    rows = APPROACHES[approach](path, out)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb}))


def measure(approach: str, path: Path, out: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", approach, str(path), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def help_time(repeat: int = 5) -> float:
    exe = Path(sys.executable).with_name("mission-importer")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/mission-importer-bench"))
    parser.add_argument(
        "--kinds", default="xlsx,xlsx-midnight,csv", help="inputs to measure, comma-separated"
    )
    parser.add_argument("--child", nargs=3, metavar=("APPROACH", "INPUT", "OUTPUT"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    inputs = write_inputs(args.folder, args.rows)
    print(
        f"{args.rows:,} rows x {len(HEADERS)} columns; median of {args.repeat} runs; "
        f"each approach in its own process"
    )
    ours: dict[str, float] = {}
    for kind in args.kinds.split(","):
        path = inputs[kind]
        medians = {}
        for approach in ("floor", "ours", "naive"):
            runs = [
                measure(approach, path, args.folder / f"{approach}.{kind}.results.xlsx")
                for _ in range(args.repeat if approach != "naive" else 1)
            ]
            seconds = statistics.median(r["seconds"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            medians[approach] = seconds
            print(
                f"  .{kind:<4} {approach:<5} {seconds:7.2f} s  {args.rows / seconds:9,.0f} rows/s"
                f"  peak {peak:6.0f} MB"
            )
        print(
            f"  .{kind:<4} ours / floor = {medians['ours'] / medians['floor']:.2f}x   "
            f"naive / ours = {medians['naive'] / medians['ours']:.2f}x faster"
        )
        ours[kind] = medians["ours"]
    if "xlsx" in ours and "xlsx-midnight" in ours:
        print(
            f"  deletion dates all at midnight / plain .xlsx (ours) = "
            f"{ours['xlsx-midnight'] / ours['xlsx']:.3f}x"
        )
    print(f"mission-importer --help: {help_time() * 1000:.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
