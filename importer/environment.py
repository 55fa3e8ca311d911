"""The environment a command runs in: its streams, whether they are terminals, colour,
language and clock (as httpie's ``Environment``).

``main`` makes one from the process (:meth:`Environment.from_process`) and passes it down,
so no code below the command line asks ``sys.stdout.isatty()`` or reads a global; a test
builds its own.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@dataclass
class Environment:
    """Streams, terminal or not, colour, language and clock of one run."""

    stdin: TextIO = None  # type: ignore[assignment]  # None: the process's, see completed()
    stdout: TextIO = None  # type: ignore[assignment]
    stderr: TextIO = None  # type: ignore[assignment]
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    colors: bool = False  # colour the summary: stdout is a terminal and NO_COLOR is unset
    lang: str = "en"
    monotonic: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @classmethod
    def from_process(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """The process's own streams (as they are now: a test runner may have replaced them)."""
        from importer.messages import detect_language

        env = os.environ if environ is None else environ
        stdout_isatty = _is_terminal(sys.stdout)
        return cls(
            stdin=sys.stdin,
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin_isatty=_is_terminal(sys.stdin),
            stdout_isatty=stdout_isatty,
            stderr_isatty=_is_terminal(sys.stderr),
            colors=stdout_isatty and not env.get("NO_COLOR"),
            lang=detect_language(env),
        )

    def completed(self) -> Environment:
        """This environment with the process's streams where none was given (tests)."""
        self.stdin = self.stdin or sys.stdin
        self.stdout = self.stdout or sys.stdout
        self.stderr = self.stderr or sys.stderr
        return self
