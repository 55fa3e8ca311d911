"""Run the import page with uvicorn (``mission-importer serve``)."""

from __future__ import annotations

import contextlib
import ipaddress
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from importer.commands.connect import open_journal, sandbox_settings
from importer.errors import UsageError
from importer.messages import t
from importer.net import is_loopback
from importer.settings.load import Settings
from importer.web.app import WebConfig, create_app


def default_data_dir() -> Path:
    """Uploads, results workbooks and the run history: in the user's state folder."""
    from platformdirs import user_state_path

    return user_state_path("ocean-mission-importer") / "serve"


@contextlib.contextmanager
def _api(settings: Settings, sandbox: bool) -> Iterator[Settings]:
    if not sandbox:
        yield settings
        return
    with sandbox_settings(settings) as sandboxed:
        # Sign in on the page with demo / demo: the page never uses configured credentials.
        yield replace(sandboxed, login=None, password=None)


def check_proxies(proxies: tuple[str, ...]) -> None:
    """Each trusted proxy must be an address or a network (UsageError naming the first not)."""
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise UsageError(t("web.serve.bad_proxy", value=proxy)) from None


def uvicorn_config(app: object, host: str, port: int, proxies: tuple[str, ...]) -> Any:
    """uvicorn's settings: ``X-Forwarded-*`` believed only from ``proxies`` (none: never;
    uvicorn's own default would believe them from 127.0.0.1)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=bool(proxies),  # X-Forwarded-Proto from the TLS proxy: Secure cookies
        forwarded_allow_ips=list(proxies) if proxies else None,
        log_level="warning",
        access_log=False,  # URLs only, but nothing a person needs
    )


def serve(
    settings: Settings,
    config: WebConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    allow_remote: bool = False,
    sandbox: bool = False,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the page until Ctrl-C or SIGTERM (uvicorn handles both); ``on_ready`` is
    given the sentences to show once it is set up (where it listens, the sandbox)."""
    import uvicorn

    if not is_loopback(host) and not allow_remote:
        raise UsageError(t("web.serve.remote_refused", host=host))
    check_proxies(config.proxies)
    if sandbox:  # its port changes at each start: its history is kept under one name
        config = replace(config, api_name=config.api_name or "sandbox")
    with _api(settings, sandbox) as api_settings, open_journal(api_settings) as journal:
        app = create_app(api_settings, config, journal)
        server = uvicorn.Server(uvicorn_config(app, host, port, config.proxies))
        if on_ready:
            if sandbox:
                on_ready(t("web.serve.sandbox", url=api_settings.api_url))
            on_ready(t("web.serve.listening", url=f"http://{host}:{port}"))
        server.run()


class BackgroundServer:
    """The page served by uvicorn in a thread on a loopback port (tests and benchmarks)."""

    def __init__(
        self, app: object, host: str = "127.0.0.1", port: int = 0, proxies: tuple[str, ...] = ()
    ) -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn_config(app, host, port, proxies))
        self.thread = threading.Thread(target=self.server.run, name="web", daemon=True)

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the page's server did not start")
            time.sleep(0.02)
        return self

    @property
    def url(self) -> str:
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
