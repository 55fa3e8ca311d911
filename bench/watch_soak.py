"""Soak: the drop-folder service processing many small files against the sandbox.

    python bench/watch_soak.py [--files 200] [--rows 50]

Starts the sandbox in its own process and `mission-importer watch` in another, drops the
files one by one, and reports files/min, the service's resident memory (VmRSS) and its
open file descriptors at the start and at the end (the target: memory does not grow by
more than 50 MB). Figures, not a test.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import sandbox_process


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_fds(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def write_file(path: Path, index: int, rows: int) -> None:
    tmp = path.with_name("." + path.name)  # hidden while written, then renamed: atomic drop
    with tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["idMission", "jourHeureInter", "nomVeh", "ville", "aEnvoyer"])
        for r in range(rows):
            writer.writerow(
                [
                    f"F{index:04d}-{r:03d}",
                    f"{1 + r % 28:02d}/03/2027 09:30",
                    "VL-01",
                    "Lyon",
                    "VRAI",
                ]
            )
    tmp.rename(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rows", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="watch-soak-"))
    inbox = folder / "inbox"
    inbox.mkdir()
    exe = Path(sys.executable).with_name("mission-importer")
    with sandbox_process(0) as url:
        env = {
            **os.environ,
            "OCEAN_API_URL": url,
            "OCEAN_LOGIN": "demo",
            "OCEAN_PASSWORD": "demo",
            "MISSION_IMPORTER_JOURNAL": str(folder / "j.sqlite3"),
        }
        service = subprocess.Popen(
            [str(exe), "--lang", "en", "watch", str(inbox), "--interval", "0.2", "--settle", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(2.0)
        write_file(inbox / "warmup.csv", 9999, args.rows)
        while not (inbox / "done" / "warmup.csv").exists():
            time.sleep(0.1)
        start_rss, start_fds = rss_mb(service.pid), open_fds(service.pid)
        started = time.perf_counter()
        samples = []
        for i in range(args.files):
            write_file(inbox / f"drop-{i:04d}.csv", i, args.rows)
            while len(list((inbox / "done").iterdir())) < i + 2:
                time.sleep(0.05)
            if i % 20 == 19:
                samples.append(rss_mb(service.pid))
        seconds = time.perf_counter() - started
        end_rss, end_fds = rss_mb(service.pid), open_fds(service.pid)
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=30)
    print(
        f"{args.files} files of {args.rows} rows: {args.files / seconds * 60:.0f} files/min "
        f"({args.files * args.rows / seconds:.0f} rows/s)"
    )
    print(
        f"service memory: {start_rss:.0f} MB after the first file, {end_rss:.0f} MB at the "
        f"end ({end_rss - start_rss:+.0f} MB); every 20 files: "
        + ", ".join(f"{s:.0f}" for s in samples)
    )
    print(f"open file descriptors: {start_fds} after the first file, {end_fds} at the end")


if __name__ == "__main__":
    main()
