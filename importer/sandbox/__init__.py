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

from importer.sandbox.api import STATUS_CODES
from importer.sandbox.faults import FAULT_KINDS
from importer.sandbox.server import Sandbox, is_loopback, serve
from importer.sandbox.state import (
    DEMO_CUSTOMER,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    MULTI_CUSTOMERS,
    MULTI_LOGIN,
    MULTI_PASSWORD,
)

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
    "is_loopback",
    "serve",
]
