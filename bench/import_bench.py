"""Import throughput against the sandbox, beside the physical limit and a naive loop.

    python bench/import_bench.py [--rows 2000] [--latencies 0,20,50] [--workers 16]
    python bench/import_bench.py --memory-rows 100000     # peak memory of a big import
    python bench/import_bench.py --page      # also the page's sending rate against the CLI's

The sandbox runs in its own process (so it does not share our GIL). For each latency it
measures, each in its own process:
- a reference: ``--workers`` threads, each with its own ``requests.Session``, posting the
  same form parameters (what plain requests reaches on this machine, right now);
- ours, ``--mode create`` and the default upsert (status + create) on a fresh sandbox,
  then the same file again (every row unchanged);
- a naive sequential ``requests.post`` loop (one call per row, new connection each time),
  on a sample of rows so it stays short;
- the whole process, ``python -m importer import --mode create`` timed from outside;
and prints calls/s while sending and end to end (reading, validating and writing the
results workbook included), the theoretical limit ``workers / latency``, client CPU ms per
call (while sending; the whole import; the whole process, start-up included; each against
the reference's) and peak memory. With ``--page``, the import page (``serve`` in its own
process, driven over HTTP) against the command line at 50 ms, 8 workers. Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_bench import write_inputs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def sandbox_process(latency_ms: float):
    port = free_port()
    exe = Path(sys.executable).with_name("mission-importer")
    process = subprocess.Popen(
        [str(exe), "sandbox", "--port", str(port), "--latency-ms", str(latency_ms)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_for_port(port)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def child_ours(path: Path, url: str, mode: str, workers: int, journal: Path) -> None:
    from importer.commands.importing import import_file
    from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD
    from importer.settings.load import Settings

    settings = Settings(
        api_url=url,
        login=DEMO_LOGIN,
        password=DEMO_PASSWORD,
        mode=mode,
        workers=workers,
        journal=journal,
    )
    import importer.commands.importing as importing

    sending_cpu = []
    run_rows = importing.run_rows

    def timed_run_rows(*args, **kwargs):  # the CPU while sending (the results rows too)
        cpu = time.process_time()
        try:
            return run_rows(*args, **kwargs)
        finally:
            sending_cpu.append(time.process_time() - cpu)

    importing.run_rows = timed_run_rows
    cpu0 = time.process_time() + _children_cpu()
    started = time.perf_counter()
    report = import_file(path, settings, output=path.with_suffix(".out.xlsx"), show_progress=False)
    seconds = time.perf_counter() - started
    cpu = time.process_time() + _children_cpu() - cpu0  # the calamine reader is a child
    whole = resource.getrusage(resource.RUSAGE_SELF)
    calls = sum(
        report.calls.get(name, 0)
        for name in ("ajoutMission", "modifierMission", "statutMission", "supprimerMission")
    )
    print(
        json.dumps(
            {
                "rows": len(report.outcomes),
                "seconds": seconds,
                "sending": report.sending_seconds,
                "cpu": cpu,
                "sending_cpu": sum(sending_cpu),
                "process_cpu": whole.ru_utime + whole.ru_stime + _children_cpu(),
                "calls": calls,
                "counts": dict(report.counts),
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _forms(path: Path) -> list[dict[str, str]]:
    """The API parameters our import sends for this file (prepared before any timing)."""
    from importer.commands.validate import prepare
    from importer.settings.load import Settings

    return [row.params for row in prepare(path, Settings()).rows if row.params]


def _token(url: str) -> str:
    import requests

    from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD

    answer = requests.post(
        f"{url}/restapi/auth/authenticate2",
        timeout=10,
        json={"login": DEMO_LOGIN, "password": DEMO_PASSWORD},
    )
    return answer.json()["token"]


def child_reference(path: Path, url: str, workers: int) -> None:
    """Plain requests: each thread its own Session, POSTing our parameters; nothing else."""
    import threading

    import requests

    forms = _forms(path)
    token = _token(url)
    pending = iter(forms)
    lock = threading.Lock()

    def work() -> None:
        session = requests.Session()
        while True:
            with lock:
                form = next(pending, None)
            if form is None:
                return
            session.post(
                f"{url}/restapi/geomission/ajoutMission",
                data=form,
                timeout=30,
                headers={"X-AUTH-TOKEN": token},
            )

    threads = [threading.Thread(target=work) for _ in range(workers)]
    cpu0 = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    print(json.dumps({"calls": len(forms), "seconds": seconds, "cpu": cpu}))


def child_naive(path: Path, url: str, rows: int) -> None:
    """One requests.post after the other, a new connection each time."""
    import requests

    forms = _forms(path)[:rows]
    token = _token(url)
    started = time.perf_counter()
    for form in forms:
        requests.post(
            f"{url}/restapi/geomission/ajoutMission",
            data=form,
            timeout=30,
            headers={"X-AUTH-TOKEN": token},
        )
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": len(forms), "seconds": seconds}))


def whole_process(path: Path, url: str, workers: int, journal: Path, python: str) -> dict:
    """``python -m importer import --mode create`` timed from outside: start-up, reading,
    validation, sending and the results workbook, as a person or a batch job sees it."""
    from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD

    env = {**os.environ, "OCEAN_API_URL": url, "OCEAN_LOGIN": DEMO_LOGIN}
    env["OCEAN_PASSWORD"] = DEMO_PASSWORD
    command = [python, "-m", "importer", "import", "--mode", "create", "--json"]
    command += ["--workers", str(workers), "--journal", str(journal)]
    command += ["-o", str(journal.with_suffix(".xlsx")), str(path)]
    before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: the bench's file has invalid rows on purpose
        raise SystemExit(f"import failed:\n{done.stderr[-2000:]}")
    counts = json.loads(done.stdout)["counts"]
    return {"seconds": seconds, "calls": counts.get("created", 0), "cpu": _children_cpu() - before}


def page_against_command_line(rows: int, latency: float, workers: int, folder: Path) -> None:
    """The page's sending rate beside the command line's, each on a fresh sandbox."""
    from serve_bench import Person, write_planning

    path = write_planning(folder / f"page_{rows}.xlsx", rows, "P")
    limit = workers / (latency / 1000)
    with sandbox_process(latency) as api:
        line = run_child(
            "ours", str(path), api, "upsert", str(workers), str(folder / "journal-line.sqlite3")
        )  # the page's mode: the default upsert (statutMission, then ajoutMission)
    with sandbox_process(latency) as api:
        data = folder / "page"
        command = [str(Path(sys.executable).with_name("mission-importer")), "serve"]
        port = free_port()
        command += ["--port", str(port), "--api-url", api, "--workers", str(workers)]
        command += ["--data-dir", str(data), "--journal", str(folder / "journal-page.sqlite3")]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for_port(port)
            person = Person(url)
            person.sign_in()
            draft = person.upload(path)
            run = person.send_draft(draft)
            time.sleep(rows / limit)  # (each look renders the run's page: not too often)
            while 'id="outcome-counts"' not in person.go("GET", f"/runs/{run}").text:
                time.sleep(1)
            meta = json.loads(next(data.rglob("run.json")).read_text())
        finally:
            server.terminate()
            server.wait(timeout=10)
    from datetime import datetime

    seconds = (
        datetime.fromisoformat(meta["finished_at"]) - datetime.fromisoformat(meta["started_at"])
    ).total_seconds()
    page = meta["total"] / seconds
    sending = line["rows"] / line["sending"]
    print(
        f"page against command line, {rows:,} rows at {latency:.0f} ms, {workers} workers,"
        f" upsert (2 calls a row; limit {limit / 2:,.0f} rows/s): the page {page:,.0f} rows/s"
        f"{share(page, limit / 2)} (its run's start to its end, its results workbook"
        f" included); the command line {sending:,.0f} rows/s sending{share(sending, limit / 2)},"
        f" {line['rows'] / line['seconds']:,.0f} end to end; page / command line sending"
        f" {page / sending:.2f}"
    )


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)


def share(rate: float, limit: float) -> str:
    """`` (87%)``: a rate as a share of the limit (nothing when unbounded)."""
    return f" ({rate / limit:.0%})" if limit != float("inf") else ""


def run_child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--latencies", default="0,20,50")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--naive-rows", type=int, default=200)
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=0,
        help="also import this many rows once (mode create, 0 ms) for memory",
    )
    parser.add_argument(
        "--page",
        action="store_true",
        help="also compare the page's sending rate with the command line's (50 ms, 8 workers)",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter of the whole-process import: one of a venv made as the README's"
        " first Quick start command makes it (`pip install -e .`, no test extras: with"
        " hypothesis installed, pandera imports it at the first check, +0.1 s); default: this one",
    )
    parser.add_argument("--only-whole", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "ours":
            child_ours(Path(rest[0]), rest[1], rest[2], int(rest[3]), Path(rest[4]))
        elif kind == "reference":
            child_reference(Path(rest[0]), rest[1], int(rest[2]))
        else:
            child_naive(Path(rest[0]), rest[1], int(rest[2]))
        return

    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    path = write_inputs(folder, args.rows)["xlsx"]
    print(
        f"{args.rows:,} rows, {args.workers} workers, sandbox in its own process, "
        f"{os.cpu_count()} cores"
    )
    for latency in (float(x) for x in args.latencies.split(",")):
        limit = args.workers / (latency / 1000) if latency else float("inf")
        print(
            f"latency {latency:.0f} ms: limit workers/latency = "
            f"{'unbounded' if limit == float('inf') else f'{limit:,.0f} calls/s'}"
        )
        with sandbox_process(latency) as url:
            ref = run_child("reference", str(path), url, str(args.workers))
        rate = ref["calls"] / ref["seconds"]
        print(
            f"  reference, {args.workers} threads of plain requests (a Session each, the same"
            f" parameters, no journal, no file): {rate:,.0f} calls/s{share(rate, limit)},"
            f" {ref['cpu'] * 1000 / ref['calls']:.2f} ms CPU/call"
        )
        with sandbox_process(latency) as url:
            whole = whole_process(
                path, url, args.workers, folder / f"whole-{latency}.sqlite3", args.python
            )
        whole_rate = whole["calls"] / whole["seconds"]
        print(
            f"  whole process, `python -m importer import --mode create` timed from outside"
            f" (start-up, reading, validation, sending, workbook): {whole['seconds']:.2f} s,"
            f" {whole_rate:,.0f} calls/s{share(whole_rate, limit)},"
            f" {whole['cpu'] * 1000 / max(whole['calls'], 1):.2f} ms CPU/call"
        )
        if args.only_whole:
            continue
        rows_per_second = {}
        for mode in ("create", "upsert"):
            with sandbox_process(latency) as url:
                journal = folder / f"journal-{mode}-{latency}.sqlite3"
                first = run_child("ours", str(path), url, mode, str(args.workers), str(journal))
                again = run_child("ours", str(path), url, mode, str(args.workers), str(journal))
            calls = max(first["calls"], 1)
            rows_per_second[mode] = first["rows"] / first["seconds"]
            sending = first["calls"] / first["sending"]
            end_to_end = first["calls"] / first["seconds"]
            print(
                f"  ours --mode {mode:<6} {first['calls'] / first['rows']:.2f} calls/row;"
                f" sending {sending:,.0f} calls/s{share(sending, limit)};"
                f" end to end {end_to_end:,.0f} calls/s{share(end_to_end, limit)},"
                f" {first['rows'] / first['seconds']:,.0f} rows/s"
            )
            print(
                f"    CPU per call: whole import {first['cpu'] * 1000 / calls:.2f} ms"
                f" (reading, validation, journal, results), whole process"
                f" {first['process_cpu'] * 1000 / calls:.2f} ms (start-up included);"
                f" per row: {first['cpu'] * 1000 / max(first['rows'], 1):.2f} ms;"
                f" peak {first['peak_mb']:.0f} MB"
            )
            ref_cpu = ref["cpu"] / ref["calls"]
            print(
                f"    against the reference's {ref_cpu * 1000:.2f} ms CPU/call:"
                f" while sending {first['sending_cpu'] / calls / ref_cpu:.2f}x,"
                f" whole import {first['cpu'] / calls / ref_cpu:.2f}x"
            )
            print(
                f"    rerun (unchanged): {again['calls']} calls, "
                f"{again['seconds']:.2f} s, {again['counts']}"
            )
        if not args.naive_rows:
            continue
        with sandbox_process(latency) as url:
            naive = run_child("naive", str(path), url, str(args.naive_rows))
        naive_rate = naive["rows"] / naive["seconds"]
        print(
            f"  naive sequential requests.post loop: {naive_rate:,.0f} rows/s;"
            f" ours --mode create, end to end: {rows_per_second['create'] / naive_rate:.1f}x that"
        )
    if args.page:
        page_against_command_line(args.rows, 50, 8, folder)
    if args.memory_rows:
        big = write_inputs(folder, args.memory_rows)["xlsx"]
        with sandbox_process(0) as url:
            result = run_child(
                "ours",
                str(big),
                url,
                "create",
                str(args.workers),
                str(folder / "journal-big.sqlite3"),
            )
        print(
            f"{args.memory_rows:,} rows --mode create at 0 ms: "
            f"{result['rows'] / result['seconds']:,.0f} rows/s, peak {result['peak_mb']:.0f} MB,"
            f" {result['cpu'] * 1000 / max(result['calls'], 1):.2f} ms CPU/call"
        )


if __name__ == "__main__":
    main()
