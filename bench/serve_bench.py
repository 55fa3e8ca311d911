"""The import page under load: `mission-importer serve` in its own process.

    python bench/serve_bench.py [--rows 2000,20000] [--sessions 5] [--latency-ms 50]

Measures, with the page served by uvicorn in a child process and the sandbox in this one:
- upload to check grid: POST the file (.xlsx), then GET the grid's first page, for each
  ``--rows`` (the same reading and validation as the command line);
- ``--sessions`` people importing ``--session-rows`` rows each at once into the sandbox at
  ``--latency-ms``: every mission created exactly once, the wall time, and the time of
  page loads (history and run pages) made meanwhile by another signed-in person;
- the server's resident memory before and after ``--uploads`` uploads.
Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import requests
import xlsxwriter

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
HEADERS = ["idMission", "jourHeureInter", "typeMission", "nomVeh", "rue", "codPost", "ville"]


def write_planning(path: Path, rows: int, prefix: str) -> Path:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Missions")
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, HEADERS)
    start = datetime(2027, 3, 1, 8, 0)
    for n in range(rows):
        sheet.write(n + 1, 0, f"{prefix}-{n:06d}")
        sheet.write_datetime(
            n + 1, 1, start + timedelta(days=n // 40 % 300, minutes=15 * (n % 40)), when
        )
        sheet.write_row(n + 1, 2, ["Dépannage", "VL-07", "3 rue Pasteur", "69003", "Lyon"])
    book.close()
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Person(requests.Session):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.csrf = ""

    def go(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.request(method, self.url + path, timeout=600, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def sign_in(self) -> None:
        self.go("GET", "/signin")
        form = {"csrf": self.csrf, "login": DEMO_LOGIN, "password": DEMO_PASSWORD}
        self.go("POST", "/signin", data=form)

    def upload(self, path: Path) -> str:
        with open(path, "rb") as handle:
            files = {"file": (path.name, handle)}
            response = self.go("POST", "/upload", data={"csrf": self.csrf}, files=files)
        return response.url.split("/")[4]

    def send_draft(self, draft: str) -> str:
        response = self.go("POST", f"/drafts/{draft}/send", data={"csrf": self.csrf})
        return response.url.split("/")[4]

    def wait(self, run: str) -> None:
        while 'id="outcome-counts"' not in self.go("GET", f"/runs/{run}").text:
            time.sleep(0.5)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(api_url: str, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = Path(sys.executable).with_name("mission-importer")
    command = [
        str(exe), "serve", "--port", str(port), "--api-url", api_url, "--workers", "8",
        "--data-dir", str(folder / "data"), "--journal", str(folder / "journal.sqlite3"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("serve did not start")


def upload_to_grid(url: str, folder: Path, sizes: list[int]) -> None:
    person = Person(url)
    person.sign_in()
    for rows in sizes:
        path = write_planning(folder / f"grid_{rows}.xlsx", rows, f"G{rows}")
        start = time.perf_counter()
        draft = person.upload(path)
        page = person.go("GET", f"/drafts/{draft}/check").text
        elapsed = time.perf_counter() - start
        assert f"{rows} rows" in page, "the grid does not show the rows"
        print(f"upload -> check grid, {rows:>6} rows: {elapsed:6.2f} s")
        start = time.perf_counter()
        form = {"row": "2", "column": "ville", "value": "Paris"}
        headers = {"X-CSRF-Token": person.csrf, "HX-Request": "true"}
        person.go("POST", f"/drafts/{draft}/cell", data=form, headers=headers)
        edit = time.perf_counter() - start
        start = time.perf_counter()
        person.go("GET", f"/drafts/{draft}/check?page=200", headers={"HX-Request": "true"})
        paging = time.perf_counter() - start
        print(f"  edit one cell (every row validated again): {edit:5.2f} s")
        print(f"  another grid page: {paging:5.2f} s")


def concurrent_sessions(url: str, box: Sandbox, folder: Path, sessions: int, rows: int) -> None:
    people = [Person(url) for _ in range(sessions)]
    drafts = []
    for n, person in enumerate(people):
        person.sign_in()
        drafts.append(person.upload(write_planning(folder / f"s{n}.xlsx", rows, f"S{n}")))
    watcher = Person(url)
    watcher.sign_in()
    loads: list[float] = []
    done = threading.Event()
    runs: dict[int, str] = {}

    def look() -> None:
        while not done.is_set():
            for path in ["/history", *(f"/runs/{r}" for r in list(runs.values())[:1])]:
                start = time.perf_counter()
                watcher.go("GET", path)
                loads.append(time.perf_counter() - start)
            time.sleep(0.2)

    def one(n: int) -> None:
        runs[n] = people[n].send_draft(drafts[n])
        people[n].wait(runs[n])

    start = time.perf_counter()
    threads = [threading.Thread(target=one, args=(n,)) for n in range(sessions)]
    looker = threading.Thread(target=look)
    looker.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    done.set()
    looker.join()
    missions = [m for m in box.missions() if m["idMission"].startswith("S")]
    once = sum(1 for m in missions if m["creates"] == 1)
    print(
        f"{sessions} sessions x {rows} rows at {box.latency_ms:g} ms: {elapsed:.1f} s,"
        f" {len(missions)} missions, {once} created exactly once"
    )
    print(
        f"page loads during the run: {len(loads)}, median {statistics.median(loads) * 1000:.0f} ms,"
        f" p95 {sorted(loads)[int(len(loads) * 0.95)] * 1000:.0f} ms"
    )


def memory_after_uploads(url: str, pid: int, folder: Path, uploads: int) -> None:
    person = Person(url)
    person.sign_in()
    path = write_planning(folder / "mem.xlsx", 2000, "M")
    before = rss_mb(pid)
    for _ in range(uploads):
        person.upload(path)
    print(f"server memory: {before:.0f} MB before, {rss_mb(pid):.0f} MB after {uploads} uploads")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="2000,20000")
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--session-rows", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--uploads", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Sandbox(latency_ms=args.latency_ms) as box:
        folder = Path(tmp)
        process, url = start_server(box.url, folder)
        try:
            upload_to_grid(url, folder, [int(n) for n in args.rows.split(",")])
            concurrent_sessions(url, box, folder, args.sessions, args.session_rows)
            memory_after_uploads(url, process.pid, folder, args.uploads)
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
