"""Run the import page with uvicorn (``mission-importer serve``)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

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
    with _api(settings, sandbox) as api_settings, open_journal(api_settings) as journal:
        app = create_app(api_settings, config, journal)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                proxy_headers=True,  # X-Forwarded-Proto from the TLS proxy: Secure cookies
                log_level="warning",
                access_log=False,  # URLs only, but nothing a person needs
            )
        )
        if on_ready:
            if sandbox:
                on_ready(t("web.serve.sandbox", url=api_settings.api_url))
            on_ready(t("web.serve.listening", url=f"http://{host}:{port}"))
        server.run()


class BackgroundServer:
    """The page served by uvicorn in a thread on a loopback port (tests and benchmarks)."""

    def __init__(self, app: object, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
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
