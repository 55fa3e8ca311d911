"""Import throughput against the sandbox, beside the physical limit and a naive loop.

    python bench/import_bench.py [--rows 2000] [--latencies 0,20,50] [--workers 16]
    python bench/import_bench.py --memory-rows 100000     # peak memory of a big import

The sandbox runs in its own process (so it does not share our GIL). For each latency it
measures, each in its own process:
- ours, ``--mode create`` and the default upsert (status + create) on a fresh sandbox,
  then the same file again (every row unchanged);
- a naive sequential ``requests.post`` loop (one call per row, new connection each time),
  on a sample of rows so it stays short;
and prints rows/s, calls/s, the theoretical limit ``workers / latency``, client CPU ms per
call (everything included: reading, validation, journal, results workbook) and peak memory.
Figures, not a timed test.
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
from validate_bench import make_rows, write_inputs


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
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def child_ours(path: Path, url: str, mode: str, workers: int, journal: Path) -> None:
    from importer.config import Settings
    from importer.jobs import import_file
    from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD

    settings = Settings(
        api_url=url,
        login=DEMO_LOGIN,
        password=DEMO_PASSWORD,
        mode=mode,
        workers=workers,
        journal=journal,
    )
    cpu0 = time.process_time()
    started = time.perf_counter()
    report = import_file(path, settings, output=path.with_suffix(".out.xlsx"), show_progress=False)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    calls = sum(
        report.calls.get(name, 0)
        for name in ("ajoutMission", "modifierMission", "statutMission", "supprimerMission")
    )
    print(
        json.dumps(
            {
                "rows": len(report.outcomes),
                "seconds": seconds,
                "cpu": cpu,
                "calls": calls,
                "counts": dict(report.counts),
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def child_naive(url: str, rows: int) -> None:
    import requests

    from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD

    token = requests.post(
        f"{url}/restapi/auth/authenticate2",
        timeout=10,
        json={"login": DEMO_LOGIN, "password": DEMO_PASSWORD},
    ).json()["token"]
    started = time.perf_counter()
    for i, row in enumerate(make_rows(rows, seed=99)):
        data = {
            "idMission": f"NAIVE-{i}",
            "jourHeureInter": row[1].strftime("%d/%m/%Y %H:%M")
            if hasattr(row[1], "strftime")
            else "01/03/2027 08:00",
            "nomVeh": row[4],
            "ville": row[12],
            "aEnvoyer": "true",
        }
        requests.post(
            f"{url}/restapi/geomission/ajoutMission",
            data=data,
            timeout=30,
            headers={"X-AUTH-TOKEN": token},
        )
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds}))


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
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "ours":
            child_ours(Path(rest[0]), rest[1], rest[2], int(rest[3]), Path(rest[4]))
        else:
            child_naive(rest[0], int(rest[1]))
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
        for mode in ("create", "upsert"):
            with sandbox_process(latency) as url:
                journal = folder / f"journal-{mode}-{latency}.sqlite3"
                first = run_child("ours", str(path), url, mode, str(args.workers), str(journal))
                again = run_child("ours", str(path), url, mode, str(args.workers), str(journal))
            calls_s = first["calls"] / first["seconds"]
            share = f" ({calls_s / limit:.0%} of limit)" if limit != float("inf") else ""
            print(
                f"  ours --mode {mode:<6} {first['rows'] / first['seconds']:8,.0f} rows/s "
                f"{calls_s:8,.0f} calls/s{share}  {first['calls'] / first['rows']:.2f} calls/row"
                f"  {first['cpu'] * 1000 / max(first['calls'], 1):.2f} ms CPU/call"
                f"  peak {first['peak_mb']:.0f} MB"
            )
            print(
                f"    rerun (unchanged): {again['calls']} calls, "
                f"{again['seconds']:.2f} s, {again['counts']}"
            )
        with sandbox_process(latency) as url:
            naive = run_child("naive", url, str(args.naive_rows))
        print(
            f"  naive sequential requests.post loop: "
            f"{naive['rows'] / naive['seconds']:8,.0f} rows/s"
        )
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
