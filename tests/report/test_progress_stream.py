"""Progress is shown on the environment's stderr, timed by its clock: a bar on a terminal,
a line now and then elsewhere, nothing under --json or without an environment."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable

import pytest
from helpers import write_planning

from importer.cli.app import cli
from importer.environment import Environment
from importer.messages import set_language
from importer.model import RunFinished, RunProgress
from importer.report.progress import Progress, progress_values


class Terminal(io.StringIO):
    """A stream that says it is a terminal (the environment says so too, as main would)."""

    def isatty(self) -> bool:
        return True


def ticking(times: Iterable[float]) -> Callable[[], float]:
    """A clock that gives ``times`` one call after the other (and fails past the end)."""
    it = iter(times)
    return lambda: next(it)


def stepping(step: float) -> Callable[[], float]:
    """A clock that moves ``step`` seconds at each reading."""
    counter = itertools.count()
    return lambda: next(counter) * step


@pytest.fixture(autouse=True)
def english():
    set_language("en")


def feed(progress: Progress, total: int, times: Iterable[float], failed_last: bool = False):
    """Progress events as the run API sends them: one per row done, at ``times``."""
    times = list(times)
    for done, elapsed in enumerate(times, start=1):
        failures = int(failed_last and done == total)
        progress(RunProgress.at(done, total, failures, elapsed))


def test_a_terminal_gets_a_bar_redrawn_at_most_five_times_a_second():
    stream = Terminal()
    progress = Progress(Environment(stderr=stream, stderr_isatty=True))
    # t=1: drawn; t=1.1: too soon after the last drawing; t=3: drawn; t=4: the last row,
    # drawn and its line ended
    feed(progress, 4, [1, 1.1, 3, 4], failed_last=True)
    assert stream.getvalue() == (
        "\r[######..................] 1/4 rows, 1 rows/s, ETA 3s, 0 failed"
        "\r[##################......] 3/4 rows, 1 rows/s, ETA 1s, 0 failed"
        "\r[########################] 4/4 rows, 1 rows/s, ETA 0s, 1 failed\n"
    )


def test_an_interrupted_bar_gets_its_line_ended():
    stream = Terminal()
    progress = Progress(Environment(stderr=stream, stderr_isatty=True))
    feed(progress, 3, [2])
    progress(RunFinished({"created": 1, "not_sent": 2}, interrupted=True, elapsed=2.5))
    assert (
        stream.getvalue() == "\r[########................] 1/3 rows, 0 rows/s, ETA 4s, 0 failed\n"
    )


def test_a_stream_that_is_not_a_terminal_gets_a_line_once_the_interval_has_passed():
    # The environment, not the stream, says what stderr is: a stream that claims to be a
    # terminal still gets plain lines when main found that stderr was not one.
    stream = Terminal()
    progress = Progress(Environment(stderr=stream), log_every=10)
    feed(progress, 5, [4, 8, 12, 16, 30])
    assert stream.getvalue() == (
        "3/5 rows, 0 rows/s, ETA 8s, 0 failed\n"  # t=12: the first 10 s are over
        "5/5 rows, 0 rows/s, ETA 0s, 0 failed\n"  # t=30 (not t=16: only 4 s after)
    )


def test_the_rate_and_time_left_are_computed_once_by_the_event():
    event = RunProgress.at(done=30, total=90, failures=2, elapsed=10.0)
    assert (event.rate, event.seconds_left) == (3.0, 20.0)
    assert RunProgress.at(0, 5, 0, 0.0).seconds_left == 0.0
    assert progress_values(RunProgress.at(10, 4010, 0, 2.0))["eta"] == "13m20s"


def progress_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if " rows/s, ETA " in line]


def test_import_prints_plain_lines_on_a_stderr_that_is_not_a_terminal(
    runner, demo, cli_home, sandbox
):
    planning = write_planning(cli_home / "week.csv", 10)
    env = Environment(monotonic=stepping(4.0))  # 4 s a row: a line every third row
    result = runner.invoke(cli, ["import", str(planning), "--lang", "en"], env=demo, obj=env)
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr and "[#" not in result.stderr
    assert [line.split(",")[0] for line in progress_lines(result.stderr)] == [
        "3/10 rows",  # t=12 s, not before: 10 s must pass first
        "6/10 rows",  # t=24 s
        "9/10 rows",  # t=36 s; the last row at t=40 s gets the summary instead
    ]
    assert len(sandbox.missions()) == 10


def test_import_draws_the_bar_when_stderr_is_a_terminal(runner, demo, cli_home):
    planning = write_planning(cli_home / "week.csv", 3)
    env = Environment(stderr_isatty=True, monotonic=stepping(1.0))
    result = runner.invoke(cli, ["import", str(planning), "--lang", "en"], env=demo, obj=env)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        "\r[########################] 3/3 rows, 1 rows/s, ETA 0s, 0 failed\n"
    )
    assert result.stderr.count("\r[") == 3  # a second between rows: each one drawn
    assert "ETA" not in result.stdout  # the summary's stream stays clean


@pytest.mark.parametrize("flag", ["--json", "-q"], ids=["json", "quiet"])
def test_json_and_quiet_show_no_progress(runner, demo, cli_home, flag):
    planning = write_planning(cli_home / "week.csv", 4)
    env = Environment(stderr_isatty=True, monotonic=stepping(20.0))
    result = runner.invoke(cli, ["import", str(planning), flag], env=demo, obj=env)
    assert result.exit_code == 0, result.output
    assert progress_lines(result.stderr) == [] and "\r[" not in result.stderr
