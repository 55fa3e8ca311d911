"""The commands about missions already in Ocean: ``status`` and ``delete``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from importer.errors import DeclinedError, UsageError
from importer.messages import t

from .help import TranslatedHelp
from .options import (
    command_settings,
    days,
    environment,
    global_options,
    is_quiet,
    journal,
    missions,
    network,
    output,
    with_password,
)
from .outcome import print_report

YES = frozenset({"y", "yes", "o", "oui"})


@click.command(cls=TranslatedHelp)
@click.argument("file", required=False, type=click.Path(path_type=Path))
@missions
@days
@network
@journal
@output
@global_options
@click.pass_context
def status(
    ctx: click.Context,
    file: Path | None,
    source: SimpleNamespace,
    days: SimpleNamespace,
    out: Any,
) -> Any:
    """Ask Ocean for the status of each mission of a file, of --id ones, or of the journal's
    missions planned on some days (--from/--to, --week).

    Each mission is found, refused (by its driver) or not_found. Exit code 0 only when
    every mission was found and none refused, else 1. With days, the missions are those
    the journal sent to this API with this login (and --customer-id, if given) whose
    intervention falls on those days in --timezone.

    \b
    Examples:
      mission-importer status planning.xlsx
      mission-importer status --id M-0001 --id M-0002 -o statuses.xlsx
      mission-importer status --from 07/12/2026 --to 11/12/2026
      mission-importer status --week -q --log-file status.jsonl
    """
    from importer.commands.status import status_missions
    from importer.commands.targets import Targets, days_from_options

    settings = command_settings(ctx)
    now = environment(ctx).now()
    chosen = days_from_options(
        days.day_from, days.day_to, days.week, now=now, timezone=settings.timezone
    )
    Targets(file, source.ids, days=chosen).check()
    settings = with_password(ctx, settings)
    return _run(ctx, status_missions, file, source, settings, out, chosen)


@click.command(cls=TranslatedHelp)
@click.argument("file", required=False, type=click.Path(path_type=Path))
@missions
@click.option(
    "-y",
    "--yes",
    is_flag=True,
    help="Do not ask for confirmation (required when not run from a terminal).",
)
@network
@journal
@output
@global_options
@click.pass_context
def delete(
    ctx: click.Context, file: Path | None, source: SimpleNamespace, yes: bool, out: Any
) -> Any:
    """Delete the missions of a file (its idMission column) or given with --id.

    Declining the confirmation does nothing and exits 130.

    \b
    Examples:
      mission-importer delete cancelled.xlsx
      mission-importer delete --id M-0001 --yes
    """
    from importer.commands.delete import delete_missions

    if not file and not source.ids:
        raise UsageError(t("cli.file_or_ids"))
    settings = with_password(ctx, command_settings(ctx))
    if not yes:
        count = len(source.ids) if source.ids else t("cli.every_row_of", file=file)
        confirm(ctx, t("cli.confirm_delete", count=count))
    return _run(ctx, delete_missions, file, source, settings, out)


def _run(
    ctx: click.Context,
    command: Callable[..., Any],
    file: Path | None,
    source: SimpleNamespace,
    settings: Any,
    out: Any,
    chosen: Any = None,
) -> Any:
    """Run ``status_missions`` or ``delete_missions`` and print its report."""
    from importer.commands.targets import Targets

    quiet, env = is_quiet(ctx), environment(ctx)
    show_progress = not (quiet or out.as_json)
    targets = Targets(file, source.ids, source.output, chosen)
    report = command(targets, settings, env=env if show_progress else None)
    return print_report(report, env, quiet=quiet, as_json=out.as_json)


def confirm(ctx: click.Context, question: str) -> None:
    """Ask a yes/no question on the terminal (y/yes, o/oui); DeclinedError unless yes."""
    env = environment(ctx)
    if not env.stdin_isatty:
        raise UsageError(t("cli.yes_required"))
    try:
        answer = click.prompt(
            f"{question} {t('cli.confirm_choices')}",
            default="",
            show_default=False,
            prompt_suffix=" ",
            err=True,
        )
    except click.Abort:  # Ctrl-D or Ctrl-C at the question
        answer = ""
    if answer.strip().lower() not in YES:
        raise DeclinedError(t("cli.declined"))


COMMANDS = (status, delete)
