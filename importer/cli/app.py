"""The ``mission-importer`` group and its entry point.

``main`` makes the run's :class:`~importer.environment.Environment`, runs the command and
turns what it ended with into the exit code (:mod:`importer.cli.outcome`), errors
included, in one place. Heavy libraries (pandas, pandera, requests) are imported inside
the commands that need them, so ``mission-importer --help`` stays instant.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Sequence
from typing import Any

import click

from importer import __version__
from importer.environment import Environment
from importer.errors import ImporterError
from importer.messages import set_language, t
from importer.settings.table import LANGUAGE_CODES

from . import files, missions, service
from .help import TranslatedGroup
from .options import global_options, language_in
from .outcome import error_sentence, exit_status, show_error


class ImporterGroup(TranslatedGroup):
    """The group: runs a command with the environment, maps its end to the exit code."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            raise click.UsageError(t("cli.click.no_such_command", name=name), ctx)
        return super().resolve_command(ctx, args)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> int:
        """Run the command line; exit (or return, with ``standalone_mode=False``) its code."""
        given = extra.pop("obj", None)  # a test's own environment
        env = given.completed() if isinstance(given, Environment) else Environment.from_process()
        arguments = list(sys.argv[1:] if args is None else args)
        early = language_in(arguments)  # --help may come before --lang
        set_language(early if early in LANGUAGE_CODES else env.lang)
        try:
            outcome = super().main(
                arguments, prog_name, complete_var, standalone_mode=False, obj=env, **extra
            )
        except (click.ClickException, click.Abort, ImporterError, KeyboardInterrupt) as error:
            outcome = error
            show_error(error, env)
            _log_failure(int(exit_status(error)), error_sentence(error))
        finally:
            _close_audit_log()
        code = int(exit_status(outcome))
        if standalone_mode:
            sys.exit(code)
        return code


def _log_failure(code: int, reason: str) -> None:
    audit = sys.modules.get("importer.report.audit_log")
    if audit is not None:
        audit.event("run_failed", exit_code=code, reason=reason)


def _close_audit_log() -> None:
    audit = sys.modules.get("importer.report.audit_log")
    if audit is not None:
        audit.detach_all()


@click.group(cls=ImporterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mission-importer")
@global_options
def cli() -> None:
    """Turn spreadsheets of planned interventions into Ocean GéoMission missions.

    \b
    Try it on the bundled sample, against an embedded sandbox:
      mission-importer import --sandbox sample_data/weekly_planning.xlsx
    Credentials come from OCEAN_LOGIN / OCEAN_PASSWORD (or the config file, or a prompt).
    Global options (--lang, --config, -v, -q) go before or after the command.
    Exit codes: 0 all rows done, 1 some rows invalid or failed, 2 unreadable input or
    usage error (nothing sent), 3 API unreachable or credentials refused, 130 interrupted
    or not confirmed (nothing more done).
    """
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")


for _command in (*files.COMMANDS, *missions.COMMANDS, *service.COMMANDS):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: the process ends with it."""
    try:
        cli.main(args=argv, prog_name="mission-importer")
    finally:
        # Spare the collector its last walk over every object of pandas and the rest on the
        # way out (0.2-0.3 s). The exit handlers still run, and objects freed by reference
        # counting are finalised; garbage in reference cycles is left to the OS: everything
        # the commands write is closed explicitly (workbooks, journal, logs).
        gc.freeze()
