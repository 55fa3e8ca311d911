"""A faithful local simulator of the Ocean GéoMission API, for tests and rehearsals.

Usage::

    from importer.sandbox import Sandbox, DEMO_LOGIN, DEMO_PASSWORD

    with Sandbox(latency_ms=0, fault_rate=0.0, seed=1) as sb:
        sb.url          # "http://127.0.0.1:PORT"; API paths /restapi/... are appended
        sb.missions()   # what the service holds, and how many times each was created
        sb.counters()   # calls per endpoint, faults injected, duplicate creates refused

It binds to 127.0.0.1 only, unless ``allow_remote=True``. ``serve()`` runs one until
Ctrl-C for the ``mission-importer sandbox`` command.
"""

from importlib import import_module
from typing import Any

from importer.messages import register
from importer.sandbox import texts

# The sandbox owns its texts; they join the message catalogue once the sandbox is imported.
register(texts.EN, texts.FR)

# Where each public name lives. They are imported on first use, so that importing the
# package (for one constant, or its texts) does not load its server.
_HOMES = {
    "STATUS_CODES": "driver",
    "FAULT_KINDS": "faults",
    "Sandbox": "server",
    "serve": "server",
    "DEMO_CUSTOMER": "state",
    "DEMO_LOGIN": "state",
    "DEMO_PASSWORD": "state",
    "MULTI_CUSTOMERS": "state",
    "MULTI_LOGIN": "state",
    "MULTI_PASSWORD": "state",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)


__all__ = [
    "DEMO_CUSTOMER",
    "DEMO_LOGIN",
    "DEMO_PASSWORD",
    "FAULT_KINDS",
    "MULTI_CUSTOMERS",
    "MULTI_LOGIN",
    "MULTI_PASSWORD",
    "STATUS_CODES",
    "Sandbox",
    "serve",
]
