"""The import page's memory under concurrent uploads, with and without the draft budget.

    python bench/serve_memory_bench.py [--uploads 20] [--rows 20000] [--budgets 0,2000000,500000]

For each budget (``serve_draft_cells``; 0: unbounded), starts `mission-importer serve` in its
own process, signs in three people (three owners: ``demo``, ``multi`` as 101 and as 102),
uploads ``--uploads`` copies of a ``--rows``-row workbook at once, and reports the server's
resident memory before, at its peak (VmHWM) and after, with the drafts it holds. Figures,
not a timed test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from serve_bench import Person, free_port, rss_mb, write_planning

from importer.sandbox import MULTI_LOGIN, MULTI_PASSWORD, Sandbox

UNBOUNDED = 10**12


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(api_url: str, folder: Path, budget: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = Path(sys.executable).with_name("mission-importer")
    env = {**os.environ, "MISSION_IMPORTER_SERVE_DRAFT_CELLS": str(budget or UNBOUNDED)}
    command = [
        str(exe), "serve", "--port", str(port), "--api-url", api_url,
        "--data-dir", str(folder / "data"), "--journal", str(folder / "journal.sqlite3"),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            Person(url).go("GET", "/signin")
            return process, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("serve did not start")


def sign_in(url: str, login: str, password: str, customer: str) -> Person:
    person = Person(url)
    person.go("GET", "/signin")
    form = {"csrf": person.csrf, "login": login, "password": password, "customer": customer}
    person.go("POST", "/signin", data=form)
    return person


def one_budget(api_url: str, folder: Path, budget: int, book: Path, uploads: int) -> str:
    process, url = start(api_url, folder / f"b{budget}", budget)
    try:
        people = [
            sign_in(url, "demo", "demo", ""),
            sign_in(url, MULTI_LOGIN, MULTI_PASSWORD, "101"),
            sign_in(url, MULTI_LOGIN, MULTI_PASSWORD, "102"),
        ]
        before = rss_mb(process.pid)
        drafts: list[tuple[Person, str]] = []
        threads = [
            threading.Thread(target=lambda p=people[n % 3]: drafts.append((p, p.upload(book))))
            for n in range(uploads)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        held = sum(1 for person, draft in drafts if person.go("GET", f"/drafts/{draft}/columns").ok)
        after, peak = rss_mb(process.pid), peak_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    shown = f"{budget:,}" if budget else "none"
    return (
        f"| {shown} | {before:.0f} MB | {peak:.0f} MB | {after:.0f} MB |"
        f" {held} of {len(drafts)} | {elapsed:.1f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--budgets", default="0,2000000,500000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as box:
        folder = Path(tmp)
        book = write_planning(folder / "week.xlsx", args.rows, "W")
        print(f"{args.uploads} concurrent uploads of a {args.rows:,}-row workbook (7 columns)")
        print("| draft budget (cells) | RSS before | peak | after | drafts held | time |")
        print("| --- | --- | --- | --- | --- | --- |")
        for budget in (int(b) for b in args.budgets.split(",")):
            print(one_budget(box.url, folder, budget, book, args.uploads), flush=True)


if __name__ == "__main__":
    main()
