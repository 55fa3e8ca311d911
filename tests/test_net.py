"""The network helpers the front ends and the sandbox share."""

from __future__ import annotations

import pytest

from importer.net import is_loopback


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.3.2.1", "localhost", "LOCALHOST", "::1", "[::1]"]
)
def test_loopback_names(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "192.0.2.1", "::", "example.org", ""])
def test_other_names_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)
