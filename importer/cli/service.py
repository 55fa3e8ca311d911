"""The commands that set things up or keep running: ``check``, ``template``, ``sandbox``,
``serve`` and ``watch``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from importer.errors import ApiUnavailableError, ExitCode, UsageError
from importer.messages import get_language, t

from .help import TranslatedHelp
from .options import (
    OptionGroup,
    command_settings,
    environment,
    global_options,
    is_quiet,
    journal,
    log_option,
    network,
    page_limits,
    with_password,
)

SHARE = click.FloatRange(0, 1)  # a share of the calls or sendings, 0 to 1


def option_with_default(flag: str, kind: Any, default: Any, help: str) -> Callable[[Any], Any]:
    """An option whose default ``--help`` shows (``[default: 8765]``)."""
    return click.option(flag, type=kind, default=default, show_default=True, help=help)


listening = OptionGroup(
    "listen",
    click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Address to listen on (loopback only, unless --allow-remote).",
    ),
    click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host."),
)


@click.command(cls=TranslatedHelp)
@network
@journal
@click.option("--json", "as_json", is_flag=True, help="Print the settings and the result as JSON.")
@log_option
@global_options
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Show each setting in effect and where it came from, log in, make one harmless read call.

    \b
    Examples:
      OCEAN_LOGIN=me mission-importer check
      mission-importer check --json
    """
    from importer.commands.check import check_connection, check_json, effective_table, table_lines

    env = environment(ctx)
    settings = with_password(ctx, command_settings(ctx))
    configuration = ctx.meta["configuration"]
    table = effective_table(configuration, settings)
    if not as_json:  # shown before connecting: a connection that hangs still shows them
        for line in table_lines(configuration, table):
            click.echo(line, file=env.stdout)
    outcome = check_connection(settings)
    if as_json:
        click.echo(check_json(configuration, table, outcome), file=env.stdout)
    if not outcome.ok:
        raise ApiUnavailableError(outcome.message)
    if not as_json:
        click.echo(outcome.message, file=env.stdout)


@click.command(cls=TranslatedHelp)
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@log_option
@global_options
@click.pass_context
def template(ctx: click.Context, path: Path | None) -> None:
    """Write the blank planning workbook (labels, help on each column, drop-down lists).

    \b
    Example:
      mission-importer --lang fr template planning.xlsx
    """
    from importer.report.template import write_template

    command_settings(ctx)
    written = write_template(path or Path("missions_template.xlsx"), lang=get_language())
    if not is_quiet(ctx):
        click.echo(t("cli.template_written", path=written), file=environment(ctx).stdout)


@click.command(cls=TranslatedHelp)
@listening
@option_with_default("--port", int, 8765, "0 picks a free port.")
@option_with_default("--latency-ms", float, 0.0, "Delay added to each mission call.")
@option_with_default(
    "--fault-rate", SHARE, 0.0, "Share of mission calls that get an injected fault."
)
@click.option(
    "--seed", type=int,
    help="Seed of the faults and of the drivers' answers (refusals, timings), for repeatable runs.",
)  # fmt: skip
@option_with_default(
    "--step-seconds", click.FloatRange(0), 60.0,
    "About how long each status of a sent mission lasts (sent, accepted, in progress, done); "
    "0: at once.",
)  # fmt: skip
@option_with_default(
    "--refusal-rate", SHARE, 0.2, "Share of sendings that the driver refuses, with a reason."
)
@option_with_default(
    "--max-refusals", click.IntRange(0), 1,
    "Times a mission can be refused; once reached, a mission sent again is accepted.",
)  # fmt: skip
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file keeping the missions across restarts.",
)
@log_option
@global_options
@click.pass_context
def sandbox(
    ctx: click.Context,
    listen: Any,
    step_seconds: float,
    state: Path | None,
    **simulator: Any,  # port, latency_ms, fault_rate, seed, refusal_rate, max_refusals
) -> None:
    """Run a local simulator of the Ocean API, to rehearse an import safely.

    \b
    A sent mission's status moves as a driver would answer: sent, then accepted or (about
    one in five) refused with a reason, in progress, done. Modifying a refused mission sends
    it to a driver again.

    \b
    Example:
      mission-importer sandbox --latency-ms 50 --fault-rate 0.1
      mission-importer sandbox --step-seconds 1 --seed 7
      OCEAN_API_URL=http://127.0.0.1:8765 OCEAN_LOGIN=demo OCEAN_PASSWORD=demo \\
        mission-importer import planning.xlsx
    """
    from importer.sandbox import serve

    command_settings(ctx)
    env = environment(ctx)
    serve(
        host=listen.host,
        allow_remote=listen.allow_remote,
        status_step_seconds=step_seconds,
        state_path=state,
        on_ready=lambda running: click.echo(running.banner(), file=env.stdout),
        **simulator,  # the options named as the Sandbox's arguments
    )


@click.command(cls=TranslatedHelp)
@listening
@option_with_default("--port", int, 8080, "0 picks a free port.")
@click.option(
    "--sandbox",
    is_flag=True,
    help="Also start an embedded sandbox and send there (sign in with demo / demo).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Uploads, results and history [default: in your state folder].",
)
@option_with_default(
    "--idle-minutes", click.FloatRange(min=1), 60.0,
    "Sign people out after this long without a request.",
)  # fmt: skip
@option_with_default(
    "--keep-days",
    click.FloatRange(min=0.01),
    30.0,
    "Days the past runs and their workbooks are kept.",
)
@page_limits
@network
@journal
@global_options
@click.pass_context
def serve(
    ctx: click.Context,
    listen: Any,
    port: int,
    sandbox: bool,
    data_dir: Path | None,
    idle_minutes: float,
    keep_days: float,
) -> None:
    """Serve the import page: staff sign in with their Ocean login, drop a planning,
    fix it in the grid, preview, send and download the results.

    \b
    Examples:
      mission-importer serve --sandbox          # try it: sign in with demo / demo
      mission-importer serve --port 8080 --proxy 127.0.0.1   # behind a TLS proxy here
    """
    try:
        from importer.web.app import WebConfig
        from importer.web.serve import default_data_dir
        from importer.web.serve import serve as serve_page
    except ImportError:
        raise UsageError(t("web.serve.missing_extra")) from None

    settings = command_settings(ctx)
    env = environment(ctx)
    config = WebConfig.from_settings(
        settings, data_dir or default_data_dir(), idle_minutes=idle_minutes, keep_days=keep_days
    )
    serve_page(
        settings, config, host=listen.host, port=port, allow_remote=listen.allow_remote,
        sandbox=sandbox, on_ready=lambda sentence: click.echo(sentence, file=env.stderr),
    )  # fmt: skip


@click.command(cls=TranslatedHelp)
@click.argument("inbox", required=False, type=click.Path(file_okay=False, path_type=Path))
@OptionGroup("", settings=("outbox", "watch_interval", "watch_settle_seconds", "timezone"))
@click.option("--once", is_flag=True, help="Process what is in the inbox, then exit (cron).")
@network
@journal
@log_option
@global_options
@click.pass_context
def watch(ctx: click.Context, inbox: Path | None, once: bool) -> ExitCode:
    """Import every spreadsheet dropped into INBOX; results go to INBOX/results.

    INBOX defaults to inbox in the [watch] section of the config file. A file leaves
    INBOX only when its fate is final: INBOX/done when every row went through,
    INBOX/to_fix (results workbook beside it) when rows need a person, INBOX/failed (with
    the reason) when it cannot be read. A file with rows not sent yet stays in INBOX and is
    tried again. Drop files under a .part or hidden name, then rename them. SIGTERM or
    Ctrl-C stops the service after the current file. Exit code with --once: 0 all fine,
    1 rows invalid, failed or waiting, 2 a file unreadable, 3 API unreachable.

    \b
    Examples:
      mission-importer watch /srv/planning/inbox
      mission-importer watch --once /srv/planning/inbox     # from cron
    """
    from importer.watch.service import Watcher, stop_on_signals

    settings = with_password(ctx, command_settings(ctx))
    inbox = inbox or settings.inbox
    if inbox is None:
        raise UsageError(t("cli.no_inbox"))
    if not inbox.is_dir():
        raise UsageError(t("watch.no_inbox", inbox=inbox))
    log = logging.getLogger("importer.watch")
    log.setLevel(logging.INFO)  # one line per file
    watcher = Watcher(
        inbox,
        settings,
        outbox=settings.outbox,
        interval=settings.watch_interval,
        settle=settings.watch_settle_seconds,
    )
    if once:
        log.info(t("watch.started_once", inbox=inbox, outbox=watcher.outbox))
    else:
        log.info(t("watch.started", inbox=inbox, interval=watcher.interval, outbox=watcher.outbox))
    with stop_on_signals(watcher):
        count = watcher.run(once=once)
    log.info(t("watch.stopped", count=count))
    if once or watcher.exit_code == ExitCode.INTERRUPTED:
        return ExitCode(watcher.exit_code)
    return ExitCode.OK


COMMANDS = (check, template, sandbox, serve, watch)
