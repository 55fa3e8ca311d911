"""Network helpers shared by the front ends and the sandbox."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """Return True when ``host`` names this computer only (localhost, 127.x, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
