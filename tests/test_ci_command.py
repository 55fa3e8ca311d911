"""CI runs the README's test command, word for word (and so on pytest-xdist's workers)."""

from __future__ import annotations

from helpers import PROJECT_ROOT


def _commands(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if "-m pytest" in line]


def test_ci_runs_the_quick_start_test_command() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (command,) = _commands(quick_start)
    (ci_command,) = _commands((PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert ci_command == command
    assert " -n auto " in command  # on every core (see tests/conftest.py)
