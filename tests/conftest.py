"""Shared fixtures: a local Ocean sandbox on 127.0.0.1 (see importer/sandbox).

The README's command runs the suite on one pytest-xdist worker per core (``-n auto --dist
worksteal``); ``pytest tests/x.py`` runs one file in one process. So a test may run beside
any other: it writes only under its ``tmp_path``, listens on port 0, and bounds the time
of what it measures with room for a loaded machine. The tests marked ``slow`` run first,
so that no worker is left alone with a long one at the end (the two chaos runs take two
minutes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

# Hypothesis' 200 ms deadline and "too slow" check measure the machine, not the code: the
# suite shares 2 cores between its workers.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

# Variables of the person running the tests that would change what a command does.
OUTSIDE_SETTINGS = (
    "OCEAN_API_URL",
    "OCEAN_LOGIN",
    "OCEAN_PASSWORD",
    "OCEAN_CUSTOMER_ID",
    "LANG",
    "LC_ALL",
    "LC_MESSAGES",
    "MISSION_IMPORTER_RATE",
    "NO_COLOR",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``slow`` tests first, each group in its own order (see the module's docstring)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def cli_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    """A clean place to run the command line: no outside settings, no stray config file."""
    for name in OUTSIDE_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray mission-importer.toml
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


@pytest.fixture
def runner(cli_home: Any) -> CliRunner:
    """A CliRunner in :func:`cli_home`."""
    return CliRunner()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A started sandbox with no faults and no latency, stopped after the test."""
    with Sandbox() as started:
        yield started


@pytest.fixture
def demo(sandbox: Sandbox) -> dict[str, str]:
    """The environment variables that point at the test's sandbox, signed in."""
    return {
        "OCEAN_API_URL": sandbox.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
    }


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with given ``Sandbox(**kwargs)``; every one is stopped at teardown."""
    started: list[Sandbox] = []

    def start(**kwargs: Any) -> Sandbox:
        box = Sandbox(**kwargs).start()
        started.append(box)
        return box

    yield start
    for box in reversed(started):
        box.stop()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """The language is process-wide: a test that switches to French must not leak it."""
    yield
    from importer.messages import set_language

    set_language("en")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """No test may reach beyond this machine: refuse any non-loopback connection."""
    import ipaddress
    import socket

    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
