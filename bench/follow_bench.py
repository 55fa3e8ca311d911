"""The follow-up page's load time with a full week: `/follow` while the statuses refresh.

    python bench/follow_bench.py [--missions 2000] [--loads 40] [--follow-rate 20]

Imports ``--missions`` missions into one week (1 to 7 March 2027) of the sandbox with the
command line's import, serves the page (uvicorn, in this process, with the sandbox and
the refresher), signs in, then loads ``/follow?week=2027-W09`` ``--loads`` times while the
background refresher reads the week's statuses at ``--follow-rate`` per second, and the
page's poll (``/follow/table``) as often. Prints the median and the 95th centile.
Figures, not a timed test (target: median under 300 ms).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

from importer.commands.importing import import_file
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.send.journal.ledger import Journal
from importer.settings.load import Settings
from importer.web.app import WebConfig, create_app
from importer.web.serve import BackgroundServer

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
WEEK = "2027-W09"


def planning(path: Path, missions: int) -> Path:
    lines = ["idMission;jourHeureInter;typeMission;nomVeh;rue;codPost;ville"]
    for n in range(missions):
        day, minute = 1 + n % 7, (n // 7) % (12 * 60)
        lines.append(
            f"W-{n:05d};{day:02d}/03/2027 {7 + minute // 60:02d}:{minute % 60:02d};"
            f"Dépannage;VL-{n % 40:02d};3 rue Pasteur;69003;Lyon"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(session: requests.Session, url: str) -> float:
    start = time.perf_counter()
    answer = session.get(url, timeout=60)
    answer.raise_for_status()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--missions", type=int, default=2000)
    parser.add_argument("--loads", type=int, default=40)
    parser.add_argument("--follow-rate", type=float, default=20.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, Sandbox(status_step_seconds=5) as sandbox:
        folder = Path(tmp)
        journal_path = folder / "journal.sqlite3"
        settings = Settings(
            api_url=sandbox.url, login=DEMO_LOGIN, password=DEMO_PASSWORD,
            journal=journal_path, workers=8, follow_rate=args.follow_rate,
        )  # fmt: skip
        start = time.perf_counter()
        result = import_file(planning(folder / "week.csv", args.missions), settings,
                             show_progress=False)  # fmt: skip
        print(f"imported {result.counts} in {time.perf_counter() - start:.1f} s")
        page_settings = Settings(api_url=sandbox.url, follow_rate=args.follow_rate)
        with Journal(journal_path) as journal:
            config = WebConfig(data_dir=folder / "data", follow_poll_seconds=30)
            app = create_app(page_settings, config, journal)
            with BackgroundServer(app) as server:
                person = requests.Session()
                token = CSRF.search(person.get(server.url + "/signin").text)
                assert token is not None
                form = {"csrf": token.group(1), "login": DEMO_LOGIN, "password": DEMO_PASSWORD}
                person.post(server.url + "/signin", data=form).raise_for_status()
                statuses = sandbox.counters()["calls"]["statutMission"]
                first = timed(person, f"{server.url}/follow?week={WEEK}")  # starts the refresher
                pages, polls = [], []
                for _ in range(args.loads):
                    pages.append(timed(person, f"{server.url}/follow?week={WEEK}"))
                    polls.append(timed(person, f"{server.url}/follow/table?week={WEEK}"))
                read = sandbox.counters()["calls"]["statutMission"] - statuses
                page = person.get(f"{server.url}/follow?week={WEEK}").text
                size = len(page.encode()) // 1024
                shown = page.count("data-mission=")
                print(f"{shown} missions in the week, page {size} KB; first load {first:.0f} ms")
                for name, times in (("/follow", pages), ("/follow/table (poll)", polls)):
                    p95 = statistics.quantiles(times, n=20)[-1]
                    print(
                        f"{name}: median {statistics.median(times):.0f} ms,"
                        f" p95 {p95:.0f} ms over {len(times)} loads"
                    )
                print(f"statutMission calls meanwhile: {read} (follow_rate {args.follow_rate:g}/s)")


if __name__ == "__main__":
    main(sys.argv[1:])
