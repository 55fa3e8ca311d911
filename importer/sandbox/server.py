"""The sandbox itself: start, inspect and stop a local Ocean API (see the package docs)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from importer.errors import UsageError
from importer.messages import t
from importer.net import is_loopback
from importer.sandbox.api import OceanApi
from importer.sandbox.driver import Driver
from importer.sandbox.faults import FAULT_KINDS, FaultPlan
from importer.sandbox.handler import SandboxServer
from importer.sandbox.state import (
    DEMO_CUSTOMER,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    MULTI_CUSTOMERS,
    MULTI_LOGIN,
    MULTI_PASSWORD,
    Counters,
    MissionStore,
    TokenRegistry,
)

logger = logging.getLogger("importer.sandbox")


class Sandbox:
    """A local Ocean API: ``with Sandbox() as sb: ... sb.url ...``.

    Knobs: ``latency_ms`` (added to every mission call), ``auth_latency_ms`` (to every
    ``authenticate2``), ``fault_rate`` in [0, 1] and
    ``faults`` (kinds, default all of FAULT_KINDS) with ``seed``; ``slow_seconds`` (default
    2.0) for the slow faults; ``retry_after_seconds`` (default 1) sent with 429;
    ``token_ttl_seconds`` (12 h) and ``token_max_calls`` (None: unlimited) for token expiry;
    the driver (:mod:`importer.sandbox.driver`): ``status_step_seconds`` (60; about how long
    each step SENT, ACCEPTED/REFUSED, IN_PROGRESS, DONE lasts, 0: at once), ``refusal_rate``
    (0.2) and ``max_refusals`` (1 per mission, None: no limit), seeded by ``seed``;
    ``state_path`` for a SQLite file that survives restarts; ``api_lang`` ("fr") for the
    API's messages.
    Binds to loopback only unless ``allow_remote=True`` (then logs a warning).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency_ms: float = 0,
        auth_latency_ms: float = 0,
        fault_rate: float = 0.0,
        faults: Iterable[str] | None = None,
        seed: int | None = None,
        token_ttl_seconds: float = 12 * 3600,
        token_max_calls: int | None = None,
        state_path: Path | str | None = None,
        slow_seconds: float | None = None,
        retry_after_seconds: float = 1,
        status_step_seconds: float = 60.0,
        refusal_rate: float = 0.2,
        max_refusals: int | None = 1,
        allow_remote: bool = False,
        api_lang: str = "fr",
    ) -> None:
        if not is_loopback(host) and not allow_remote:
            raise UsageError(t("sandbox.remote_refused", host=host))
        self.host = host
        self.port = port
        self.latency_ms = float(latency_ms)
        self.auth_latency_ms = float(auth_latency_ms)
        self.slow_seconds = 2.0 if slow_seconds is None else float(slow_seconds)
        self.retry_after_seconds = retry_after_seconds
        self.api_lang = api_lang
        self.stopping = threading.Event()
        self._faults = FaultPlan(fault_rate, faults, seed)
        self._counters = Counters(FAULT_KINDS)
        self._tokens = TokenRegistry(token_ttl_seconds, token_max_calls)
        self._store = MissionStore(state_path)
        self.api = OceanApi(
            self._store,
            self._tokens,
            self._counters,
            driver=Driver(
                seed=seed,
                step_seconds=status_step_seconds,
                refusal_rate=refusal_rate,
                max_refusals=max_refusals,
            ),
            lang=api_lang,
        )
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind and serve in a background thread; return self. Raise UsageError if it cannot."""
        if self._server is not None:
            return self
        if self.stopping.is_set():
            raise RuntimeError("a stopped sandbox cannot start again; create a new one")
        if not is_loopback(self.host):
            logger.warning(t("sandbox.remote_warning", host=self.host))
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            server = SandboxServer((self.host.strip("[]"), self.port), self, family)
        except OSError as exc:
            self._store.close()
            raise UsageError(
                t("sandbox.cannot_bind", host=self.host, port=self.port, reason=exc.strerror or exc)
            ) from exc
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            name="ocean-sandbox",
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        logger.info("sandbox listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and the state file (idempotent)."""
        self.stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
        self._store.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:50123`` (API paths are appended to it)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host, port = self._server.server_name, self._server.server_port
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    # --- inspection and knobs -----------------------------------------------------------------

    def missions(self) -> list[dict[str, Any]]:
        """Return every mission (deleted ones too) as plain dicts, in creation order.

        Keys: customerId, idMission, params, externalMissionId, creates, modifies, deletes,
        refused_creates, deleted, attempt (times sent to a driver), refusals (refused, then
        sent again), created_at, modified_at, deleted_at, status (the status code now, None
        if deleted) and statutMission (what that call answers now, None if deleted).
        """
        rows = []
        now = time.time()
        with self._store.lock:  # a consistent view while calls go on
            for record in self._store.all():
                row = record.to_public()
                fields = None if record.deleted else self.api.status_fields(record, now)
                row["status"] = None if fields is None else fields["statusCode"]
                row["statutMission"] = fields
                rows.append(row)
        return rows

    def counters(self) -> dict[str, Any]:
        """Return the counters (every key present from the start, zero until counted).

        ``{"calls": {endpoint: n}, "faults": {kind: n}, "responses": {"200": n, ...},
        "duplicate_creates_refused": n, "tokens_issued": n, "unauthorized": n,
        "connections": n}`` (connections accepted: 1 for one keep-alive session).
        """
        return self._counters.snapshot()

    def issued_tokens(self) -> list[str]:
        """Return every token issued so far (for secret-leak scans)."""
        return self._tokens.issued()

    def set_faults(
        self, rate: float | None = None, kinds: Iterable[str] | None = None, seed: int | None = None
    ) -> None:
        """Change fault injection at runtime (None keeps a setting)."""
        self._faults.configure(rate, kinds, seed)

    def set_token_max_calls(self, max_calls: int | None) -> None:
        """Change how many calls a token serves before it dies (None: unlimited), from now
        on; a token that already served that many dies at its next call."""
        self._tokens.max_calls = max_calls

    def fail_next(self, count: int, kind: str = "500") -> None:
        """Inject fault ``kind`` on each of the next ``count`` mission calls."""
        self._faults.fail_next(count, kind)

    def banner(self) -> str:
        """Return the sentence a command prints once the sandbox listens (URL, accounts)."""
        return t(
            "sandbox.serving",
            url=self.url,
            login=DEMO_LOGIN,
            password=DEMO_PASSWORD,
            customer=DEMO_CUSTOMER,
            multi_login=MULTI_LOGIN,
            multi_password=MULTI_PASSWORD,
            multi_customers=", ".join(str(c) for c in MULTI_CUSTOMERS),
        )


def serve(
    *,
    on_ready: Callable[[Sandbox], None] | None = None,
    stop_event: threading.Event | None = None,
    **options: Any,
) -> None:
    """Run a sandbox until Ctrl-C (or until ``stop_event`` is set), printing nothing.

    ``options`` are :class:`Sandbox` arguments; ``on_ready(sandbox)`` is called once it
    listens (to print ``sandbox.banner()``). Returns normally after Ctrl-C.
    """
    event = stop_event or threading.Event()
    with Sandbox(**options) as sandbox:
        if on_ready is not None:
            on_ready(sandbox)
        try:
            while not event.wait(0.5):
                pass
        except KeyboardInterrupt:
            logger.info("sandbox interrupted")
