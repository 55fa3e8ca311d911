"""The command line: parse options, call the library, print, exit with the right code.

Heavy libraries (pandas, pandera, requests) are imported inside the commands that need
them, so ``mission-importer --help`` stays instant.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from importer import __version__
from importer.errors import ApiUnavailableError, ExitCode, ImporterError, UsageError
from importer.messages import detect_language, get_language, set_language, t
from importer.messages.help_fr import FR_HELP

MODES = ("upsert", "create", "modify", "delete")


class TranslatedHelp(click.Command):
    """Shows --help in French when the language is French (English is click's own text)."""

    def _french(self, key: str, default: str | None) -> str | None:
        return FR_HELP.get(key, default) if get_language() == "fr" else default

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        original = self.help
        self.help = self._french(f"cmd.{self.name}", original)
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = original

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        prefix = self._french("heading.usage", "Usage:")
        formatter.write_usage(
            ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=f"{prefix} "
        )

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):
            if not isinstance(param, click.Option):
                continue
            original = param.help
            name = "help" if "--help" in param.opts else param.name
            param.help = self._french(f"{self.name}.{name}", self._french(f"opt.{name}", original))
            try:
                record = param.get_help_record(ctx)
            finally:
                param.help = original
            if record is not None:
                rows.append(record)
        if rows:
            with formatter.section(self._heading("heading.options", "Options")):
                formatter.write_dl(rows)

    def _heading(self, key: str, default: str) -> str:
        """A section heading; click adds the colon, after a narrow no-break space in French."""
        french = self._french(key, None)
        return f"{french}\u202f" if french else default

    def get_short_help_str(self, limit: int = 45) -> str:
        """The first sentence, whole: the help formatter wraps it (never cut to "...")."""
        french = self._french(f"cmd.{self.name}", None)
        if french:
            return french.split("\n", 1)[0].rstrip(".")
        return super().get_short_help_str(limit=10_000)


class ImporterGroup(TranslatedHelp, click.Group):
    """Turns the tool's exceptions into clean messages and exit codes, in one place."""

    command_class = TranslatedHelp

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        TranslatedHelp.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section(self._heading("heading.commands", "Commands")):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from importer.report import audit_log as audit

        try:
            return super().invoke(ctx)
        except ImporterError as error:  # the tool's errors: one sentence and the exit code
            audit.event("run_failed", exit_code=int(error.exit_code), reason=error.message)
            click.echo(t("common.error_prefix", message=error.message), err=True)
            ctx.exit(int(error.exit_code))
        except click.ClickException as error:  # a usage error found while parsing
            audit.event("run_failed", exit_code=error.exit_code, reason=error.format_message())
            raise
        except KeyboardInterrupt:
            audit.event("run_failed", exit_code=int(ExitCode.INTERRUPTED), reason=t("cli.aborted"))
            click.echo(t("cli.aborted"), err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))
        finally:
            audit.detach_all()


def _apply_language(lang: str | None) -> str | None:
    if lang:
        set_language(lang)
    return lang


def _settings(ctx: click.Context, **cli_values: Any) -> Any:
    """Settings from command line > environment > file > defaults; language applied."""
    from importer.settings.load import load_configuration, resolve_language

    root = ctx.find_root().params
    values = {k: v for k, v in cli_values.items() if v is not None and v != ()}
    if root.get("lang"):
        values["lang"] = root["lang"]
    config = root.get("config")
    loaded = load_configuration(values, config_path=Path(config) if config else None)
    ctx.meta["configuration"] = loaded  # for `check`: where each value came from
    settings = loaded.settings
    set_language(resolve_language(settings))
    for note in loaded.notes:
        click.echo(click.style(f"! {note}", fg="yellow"), err=True)
    return settings


def _ask_password(settings: Any) -> Any:
    """Prompt for a missing password on a terminal; never take it from argv."""
    if settings.login and not settings.password and sys.stdin.isatty():
        settings.password = click.prompt(
            t("cli.password_prompt", login=settings.login), hide_input=True, err=True
        )
    return settings


def _finish(report: Any, *, quiet: bool, as_json: bool) -> None:
    """Print the summary (or JSON), log it, exit with the report's code.

    ``--quiet`` prints nothing on success and one sentence on stderr otherwise.
    """
    from importer.report import audit_log as audit
    from importer.report.console import failure_sentence, summary_dict, summary_json, summary_lines

    audit.event("summary", **summary_dict(report))
    if as_json:
        click.echo(summary_json(report))
    elif quiet:
        sentence = failure_sentence(report)
        if sentence:
            click.echo(t("common.error_prefix", message=sentence), err=True)
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        for line in summary_lines(report, style=click.style if colour else None):
            click.echo(line, color=colour)
    click.get_current_context().exit(int(report.exit_code))


def _open_log(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """--log-file, taken first (eager), so that even a usage error is logged."""
    if value is not None:
        from importer.report import audit_log as audit

        try:
            audit.attach(value, ctx.info_name or "")
        except OSError as exc:
            raise UsageError(t("audit.cannot_open", path=value, reason=exc.strerror)) from None
    return value


# -- options shared by several commands ---------------------------------------------------------


def _options(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(func: Any) -> Any:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


input_options = _options(
    click.option("--sheet", help="Sheet to read (default: the first sheet with data)."),
    click.option(
        "--timezone", help="Time zone of the times typed in the sheet [default: Europe/Paris]."
    ),
    click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Results workbook [default: <input>.results.xlsx beside the input].",
    ),
)
api_options = _options(
    click.option(
        "--api-url",
        help="Ocean base URL (env OCEAN_API_URL) [default: https://v3.oceansystem.com/ocean].",
    ),
    click.option(
        "--customer-id",
        type=int,
        help="customerId, for accounts that manage several customers (env OCEAN_CUSTOMER_ID).",
    ),
    click.option("--workers", type=click.IntRange(1, 64), help="Parallel requests [default: 8]."),
    click.option(
        "--rate",
        type=click.FloatRange(min=0.1),
        help="At most this many requests per second, all workers together.",
    ),
    click.option(
        "--ca-bundle",
        type=click.Path(dir_okay=False),  # checked with the settings (tls_trust)
        help="CA certificates to trust, e.g. a company proxy's (TLS is always verified).",
    ),
)
journal_option = click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Journal file [default: in your state folder].",
)
log_option = click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    is_eager=True,
    expose_value=False,
    callback=_open_log,
    help="Append the audit log to this file: JSON lines (one per row, one summary).",
)
output_options = _options(
    click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="Print nothing on success; on failure, one sentence on stderr.",
    ),
    click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout."),
    log_option,
)


# -- the commands ----------------------------------------------------------------------------


@click.group(cls=ImporterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mission-importer")
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    is_eager=True,  # before --help, so the help itself is in that language
    callback=lambda ctx, param, value: _apply_language(value),
    help="Language of messages and workbooks [default: from the config file or your locale].",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="TOML settings file [default: ./mission-importer.toml, then your config folder].",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log more on stderr: -v one line per API call, -vv every HTTP request (never a secret).",
)
def cli(lang: str | None, config: str | None, verbose: int) -> None:
    """Turn spreadsheets of planned interventions into Ocean GéoMission missions.

    \b
    Try it on the bundled sample, against an embedded sandbox:
      mission-importer import --sandbox sample_data/weekly_planning.xlsx
    Credentials come from OCEAN_LOGIN / OCEAN_PASSWORD (or the config file, or a prompt).
    Exit codes: 0 all rows done, 1 some rows invalid or failed, 2 unreadable input or
    usage error (nothing sent), 3 API unreachable or credentials refused, 130 interrupted.
    """
    set_language(lang or detect_language())
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@input_options
@click.option("--only-failed", is_flag=True, help="Write only the invalid rows.")
@output_options
@click.pass_context
def validate(
    ctx: click.Context,
    file: Path,
    sheet: str | None,
    timezone: str | None,
    output: Path | None,
    only_failed: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Check a planning file without sending anything; write the results workbook.

    \b
    Example:
      mission-importer validate planning.xlsx
    """
    from importer.commands.validate import validate_file

    settings = _settings(ctx, sheet=sheet, timezone=timezone)
    report = validate_file(file, settings, output=output, only_failed=only_failed)
    _finish(report, quiet=quiet, as_json=as_json)


@cli.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@input_options
@api_options
@journal_option
@click.option(
    "--mode",
    type=click.Choice(MODES),
    help="Action for rows without an action column [default: upsert: create or modify as needed].",
)
@click.option("--dry-run", is_flag=True, help="Check everything with the API, change nothing.")
@click.option("--force", is_flag=True, help="Resend rows the journal says are unchanged.")
@click.option("--all-or-nothing", is_flag=True, help="Send nothing if any row is invalid.")
@click.option(
    "--only-failed",
    is_flag=True,
    help="Write only the rows that are invalid, failed or not sent in the results workbook.",
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Import into an embedded local sandbox (demo and rehearsal: nothing leaves this machine).",
)
@output_options
@click.pass_context
def import_(
    ctx: click.Context,
    file: Path,
    sheet: str | None,
    timezone: str | None,
    output: Path | None,
    api_url: str | None,
    customer_id: int | None,
    workers: int | None,
    rate: float | None,
    journal: Path | None,
    ca_bundle: str | None,
    mode: str | None,
    dry_run: bool,
    force: bool,
    all_or_nothing: bool,
    only_failed: bool,
    sandbox: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Validate a planning file, then create, modify or delete each mission.

    Rows already sent with the same content are skipped (the journal remembers them),
    so running the same file twice sends nothing twice.

    \b
    Examples:
      mission-importer import --sandbox sample_data/weekly_planning.xlsx
      OCEAN_LOGIN=me OCEAN_PASSWORD=... mission-importer import planning.xlsx
      mission-importer import --dry-run planning.xlsx
    """
    from importer.commands.connect import sandbox_settings
    from importer.commands.importing import import_file

    settings = _settings(
        ctx,
        sheet=sheet,
        timezone=timezone,
        api_url=api_url,
        ca_bundle=ca_bundle,
        customer_id=customer_id,
        workers=workers,
        rate=rate,
        journal=journal,
        mode=mode,
    )
    show_progress = not (quiet or as_json)
    if sandbox:
        with sandbox_settings(settings) as sandboxed:
            if show_progress:
                click.echo(t("cli.sandbox_started", url=sandboxed.api_url), err=True)
            report = import_file(
                file,
                sandboxed,
                output=output,
                dry_run=dry_run,
                force=force,
                all_or_nothing=all_or_nothing,
                only_failed=only_failed,
                show_progress=show_progress,
            )
    else:
        settings = _ask_password(settings)
        report = import_file(
            file,
            settings,
            output=output,
            dry_run=dry_run,
            force=force,
            all_or_nothing=all_or_nothing,
            only_failed=only_failed,
            show_progress=show_progress,
        )
    _finish(report, quiet=quiet, as_json=as_json)


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--id", "ids", multiple=True, help="A mission id (repeat for several).")
@click.option("--sheet", help="Sheet to read (default: the first sheet with data).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results workbook [default: <input>.status.xlsx, or status-<time>.xlsx with --id].",
)
@api_options
@output_options
@click.pass_context
def status(
    ctx: click.Context,
    file: Path | None,
    ids: tuple[str, ...],
    sheet: str | None,
    output: Path | None,
    api_url: str | None,
    customer_id: int | None,
    workers: int | None,
    rate: float | None,
    ca_bundle: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Ask Ocean for the status of each mission of a file (or of --id ones).

    Each mission is found, refused (by its driver) or not_found. Exit code 0 only when
    every mission was found and none refused, else 1.

    \b
    Examples:
      mission-importer status planning.xlsx
      mission-importer status --id M-0001 --id M-0002 -o statuses.xlsx
    """
    from importer.commands.status import status_missions

    settings = _ask_password(
        _settings(
            ctx,
            sheet=sheet,
            api_url=api_url,
            ca_bundle=ca_bundle,
            customer_id=customer_id,
            workers=workers,
            rate=rate,
        )
    )
    report = status_missions(
        file, ids, settings, output=output, show_progress=not (quiet or as_json)
    )
    _finish(report, quiet=quiet, as_json=as_json)


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--id", "ids", multiple=True, help="A mission id (repeat for several).")
@click.option("--sheet", help="Sheet to read (default: the first sheet with data).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results workbook [default: <input>.delete.xlsx, or delete-<time>.xlsx with --id].",
)
@click.option(
    "-y",
    "--yes",
    is_flag=True,
    help="Do not ask for confirmation (required when not run from a terminal).",
)
@api_options
@journal_option
@output_options
@click.pass_context
def delete(
    ctx: click.Context,
    file: Path | None,
    ids: tuple[str, ...],
    sheet: str | None,
    output: Path | None,
    yes: bool,
    api_url: str | None,
    customer_id: int | None,
    workers: int | None,
    rate: float | None,
    journal: Path | None,
    ca_bundle: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Delete the missions of a file (its idMission column) or given with --id.

    \b
    Examples:
      mission-importer delete cancelled.xlsx
      mission-importer delete --id M-0001 --yes
    """
    from importer.commands.delete import delete_missions

    if not file and not ids:
        raise UsageError(t("cli.file_or_ids"))
    settings = _ask_password(
        _settings(
            ctx,
            sheet=sheet,
            api_url=api_url,
            ca_bundle=ca_bundle,
            customer_id=customer_id,
            workers=workers,
            rate=rate,
            journal=journal,
        )
    )
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(t("cli.yes_required"))
        count = len(ids) if ids else t("cli.every_row_of", file=file)
        click.confirm(t("cli.confirm_delete", count=count), abort=True, err=True)
    report = delete_missions(
        file, ids, settings, output=output, show_progress=not (quiet or as_json)
    )
    _finish(report, quiet=quiet, as_json=as_json)


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@log_option
@click.pass_context
def template(ctx: click.Context, path: Path | None) -> None:
    """Write the blank planning workbook (labels, help on each column, drop-down lists).

    \b
    Example:
      mission-importer --lang fr template planning.xlsx
    """
    from importer.messages import get_language
    from importer.report.template import write_template

    _settings(ctx)
    target = path or Path("missions_template.xlsx")
    written = write_template(target, lang=get_language())
    click.echo(t("cli.template_written", path=written))


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback only, unless --allow-remote).",
)
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host.")
@click.option("--port", type=int, default=8765, show_default=True, help="0 picks a free port.")
@click.option(
    "--latency-ms",
    type=float,
    default=0.0,
    show_default=True,
    help="Delay added to each mission call.",
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of mission calls that get an injected fault.",
)
@click.option("--seed", type=int, help="Seed of the fault injection, for repeatable runs.")
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file keeping the missions across restarts.",
)
@log_option
@click.pass_context
def sandbox(
    ctx: click.Context,
    host: str,
    allow_remote: bool,
    port: int,
    latency_ms: float,
    fault_rate: float,
    seed: int | None,
    state: Path | None,
) -> None:
    """Run a local simulator of the Ocean API, to rehearse an import safely.

    \b
    Example:
      mission-importer sandbox --latency-ms 50 --fault-rate 0.1
      OCEAN_API_URL=http://127.0.0.1:8765 OCEAN_LOGIN=demo OCEAN_PASSWORD=demo \\
        mission-importer import planning.xlsx
    """
    from importer.sandbox import serve

    _settings(ctx)

    def ready(running: Any) -> None:
        click.echo(running.banner())

    serve(
        host=host,
        port=port,
        latency_ms=latency_ms,
        fault_rate=fault_rate,
        seed=seed,
        state_path=state,
        allow_remote=allow_remote,
        on_ready=ready,
    )


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback only, unless --allow-remote).",
)
@click.option("--port", type=int, default=8080, show_default=True, help="0 picks a free port.")
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host.")
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
@click.option(
    "--upload-limit-mb", type=click.FloatRange(min=0.1), default=50.0, show_default=True,
    help="Largest file accepted.",
)  # fmt: skip
@click.option(
    "--idle-minutes", type=click.FloatRange(min=1), default=60.0, show_default=True,
    help="Sign people out after this long without a request.",
)  # fmt: skip
@click.option(
    "--keep-days", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
    help="Days the past runs and their workbooks are kept.",
)  # fmt: skip
@api_options
@journal_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    allow_remote: bool,
    sandbox: bool,
    data_dir: Path | None,
    upload_limit_mb: float,
    idle_minutes: float,
    keep_days: float,
    api_url: str | None,
    customer_id: int | None,
    workers: int | None,
    rate: float | None,
    journal: Path | None,
    ca_bundle: str | None,
) -> None:
    """Serve the import page: staff sign in with their Ocean login, drop a planning,
    fix it in the grid, preview, send and download the results.

    \b
    Examples:
      mission-importer serve --sandbox          # try it: sign in with demo / demo
      mission-importer serve --port 8080        # behind a TLS reverse proxy
    """
    try:
        from importer.web.app import WebConfig
        from importer.web.serve import default_data_dir
        from importer.web.serve import serve as serve_page
    except ImportError:
        raise UsageError(t("web.serve.missing_extra")) from None

    settings = _settings(
        ctx, api_url=api_url, ca_bundle=ca_bundle, customer_id=customer_id, workers=workers,
        rate=rate, journal=journal,
    )  # fmt: skip
    config = WebConfig(
        data_dir=data_dir or default_data_dir(),
        upload_limit_mb=upload_limit_mb,
        idle_minutes=idle_minutes,
        keep_days=keep_days,
    )

    def ready(sentence: str) -> None:
        click.echo(sentence, err=True)

    serve_page(
        settings, config, host=host, port=port, allow_remote=allow_remote, sandbox=sandbox,
        on_ready=ready,
    )  # fmt: skip


@cli.command()
@click.argument("inbox", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--outbox",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where results workbooks go [default: INBOX/results].",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    help="Seconds between two looks at the inbox [default: 5].",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    help="Seconds a file must stay unchanged before it is taken [default: 15].",
)
@click.option("--once", is_flag=True, help="Process what is in the inbox, then exit (cron).")
@api_options
@journal_option
@log_option
@click.pass_context
def watch(
    ctx: click.Context,
    inbox: Path,
    outbox: Path | None,
    interval: float | None,
    settle: float | None,
    once: bool,
    api_url: str | None,
    customer_id: int | None,
    workers: int | None,
    rate: float | None,
    journal: Path | None,
    ca_bundle: str | None,
) -> None:
    """Import every spreadsheet dropped into INBOX; results go to INBOX/results.

    A file leaves INBOX only when its fate is final: INBOX/done when every row went
    through, INBOX/to_fix (results workbook beside it) when rows need a person,
    INBOX/failed (with the reason) when it cannot be read. A file with rows not sent yet
    stays in INBOX and is tried again. Drop files under a .part or hidden name, then
    rename them. SIGTERM or Ctrl-C stops the service after the current file. Exit code
    with --once: 0 all fine, 1 rows invalid, failed or waiting, 2 a file unreadable,
    3 API unreachable.

    \b
    Examples:
      mission-importer watch /srv/planning/inbox
      mission-importer watch --once /srv/planning/inbox     # from cron
    """
    from importer.watch import Watcher, stop_on_signals

    settings = _ask_password(
        _settings(
            ctx,
            api_url=api_url,
            ca_bundle=ca_bundle,
            customer_id=customer_id,
            workers=workers,
            rate=rate,
            journal=journal,
            outbox=outbox,
            watch_interval=interval,
            watch_settle_seconds=settle,
        )
    )
    if not inbox.is_dir():
        raise UsageError(t("watch.no_inbox", inbox=inbox))
    logging.getLogger("importer.watch").setLevel(logging.INFO)  # one line per file
    watcher = Watcher(
        inbox,
        settings,
        outbox=settings.outbox,
        interval=settings.watch_interval,
        settle=settings.watch_settle_seconds,
    )
    started = (
        t("watch.started_once", inbox=inbox, outbox=watcher.outbox)
        if once
        else t("watch.started", inbox=inbox, interval=watcher.interval, outbox=watcher.outbox)
    )
    logging.getLogger("importer.watch").info(started)
    with stop_on_signals(watcher):
        count = watcher.run(once=once)
    logging.getLogger("importer.watch").info(t("watch.stopped", count=count))
    if once or watcher.exit_code == ExitCode.INTERRUPTED:
        ctx.exit(int(watcher.exit_code))


@cli.command()
@api_options
@journal_option
@click.option("--json", "as_json", is_flag=True, help="Print the settings and the result as JSON.")
@log_option
@click.pass_context
def check(
    ctx: click.Context,
    api_url: str | None,
    customer_id: int | None,
    workers: int | None,
    rate: float | None,
    journal: Path | None,
    ca_bundle: str | None,
    as_json: bool,
) -> None:
    """Show each setting in effect and where it came from, log in, make one harmless read call.

    \b
    Examples:
      OCEAN_LOGIN=me mission-importer check
      mission-importer check --json
    """
    from importer.commands.check import check_connection, effective_table

    settings = _ask_password(
        _settings(
            ctx,
            api_url=api_url,
            ca_bundle=ca_bundle,
            customer_id=customer_id,
            workers=workers,
            rate=rate,
            journal=journal,
        )
    )
    configuration = ctx.meta["configuration"]
    table = effective_table(configuration, settings)
    if not as_json:
        click.echo(t("check.settings"))
        if configuration.file:
            click.echo(t("check.config_file", path=configuration.file))
        width = max(len(key) for key in table)
        for key, (value, origin) in table.items():
            click.echo(f"  {key:<{width}} = {value}   [{origin}]")
    outcome = check_connection(settings)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "config_file": str(configuration.file) if configuration.file else None,
                    "settings": {k: {"value": v, "origin": o} for k, (v, o) in table.items()},
                    "ok": outcome.ok,
                    "message": outcome.message,
                },
                ensure_ascii=False,
            )
        )
    if not outcome.ok:
        raise ApiUnavailableError(outcome.message)
    if not as_json:
        click.echo(outcome.message)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    set_language(detect_language())  # for a --help given before any --lang
    cli.main(args=argv, prog_name="mission-importer")
