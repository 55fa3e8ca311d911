"""The commands that take a planning file: ``validate`` and ``import``."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from importer.messages import t

from .help import TranslatedHelp
from .options import (
    command_settings,
    environment,
    global_options,
    is_quiet,
    journal,
    network,
    output,
    planning,
    sending_mode,
    with_password,
)
from .outcome import print_report


@click.command(cls=TranslatedHelp)
@click.argument("file", type=click.Path(path_type=Path))
@planning
@click.option("--only-failed", is_flag=True, help="Write only the invalid rows.")
@output
@global_options
@click.pass_context
def validate(
    ctx: click.Context, file: Path, source: SimpleNamespace, only_failed: bool, out: Any
) -> Any:
    """Check a planning file without sending anything; write the results workbook.

    \b
    Example:
      mission-importer validate planning.xlsx
    """
    from importer.commands.validate import validate_file

    settings = command_settings(ctx)
    report = validate_file(file, settings, output=source.output, only_failed=only_failed)
    return print_report(report, environment(ctx), quiet=is_quiet(ctx), as_json=out.as_json)


@click.command(name="import", cls=TranslatedHelp)
@click.argument("file", type=click.Path(path_type=Path))
@planning
@network
@journal
@sending_mode
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
@output
@global_options
@click.pass_context
def import_(
    ctx: click.Context,
    file: Path,
    source: SimpleNamespace,
    sandbox: bool,
    out: Any,
    **flags: bool,  # dry_run, force, all_or_nothing, only_failed: import_file's own words
) -> Any:
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

    settings = command_settings(ctx)
    env = environment(ctx)
    quiet = is_quiet(ctx)
    show_progress = not (quiet or out.as_json)
    run = dict(output=source.output, show_progress=show_progress, env=env, **flags)
    if sandbox:
        with sandbox_settings(settings) as sandboxed:
            if show_progress:
                click.echo(t("cli.sandbox_started", url=sandboxed.api_url), file=env.stderr)
            report = import_file(file, sandboxed, **run)
    else:
        report = import_file(file, with_password(ctx, settings), **run)
    return print_report(report, env, quiet=quiet, as_json=out.as_json)


COMMANDS = (validate, import_)
