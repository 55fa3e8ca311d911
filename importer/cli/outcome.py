"""How a command ends: its exit code, decided here only, and what it prints.

:func:`exit_status` maps whatever a command ended with (a report, an exception, nothing)
to an :class:`~importer.errors.ExitCode`, as httpie's ``status.py``; :func:`show_error`
prints the one sentence of an error, click's own usage errors included, in the user's
language; :func:`print_report` prints the end-of-run summary.
"""

from __future__ import annotations

import re
from typing import Any

import click

from importer.environment import Environment
from importer.errors import DeclinedError, ExitCode, ImporterError
from importer.messages import t


def exit_status(outcome: object) -> ExitCode:
    """The exit code of what a command ended with: a report, an exception, or nothing."""
    if outcome is None:
        return ExitCode.OK
    if isinstance(outcome, ImporterError):
        return outcome.exit_code
    if isinstance(outcome, click.exceptions.Exit):
        return ExitCode(outcome.exit_code)
    if isinstance(outcome, click.Abort | KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(outcome, click.ClickException):  # usage errors, unreadable --config...
        return ExitCode.BAD_INPUT
    if isinstance(outcome, int):
        return ExitCode(outcome)
    return ExitCode(int(outcome.exit_code))  # type: ignore[attr-defined]  # a report


def error_sentence(error: BaseException) -> str:
    """The sentence that tells a person what went wrong, in their language."""
    if isinstance(error, DeclinedError):
        return error.message  # not an error: the person said no
    if isinstance(error, ImporterError):
        return t("common.error_prefix", message=error.message)
    if isinstance(error, click.Abort | KeyboardInterrupt):
        return t("cli.aborted")
    if isinstance(error, click.UsageError):
        return t("common.error_prefix", message=_usage_message(error))
    if isinstance(error, click.ClickException):
        return t("common.error_prefix", message=error.format_message())
    return str(error)


def show_error(error: BaseException, env: Environment) -> None:
    """Print the error's sentence on stderr; a usage error first gets the usage and a hint."""
    if isinstance(error, click.UsageError) and error.ctx is not None:
        ctx = error.ctx
        click.echo(ctx.get_usage(), file=env.stderr)
        hint = t("cli.click.try_help", command=ctx.command_path, option=ctx.help_option_names[0])
        click.echo(hint + "\n", file=env.stderr)
    click.echo(error_sentence(error), file=env.stderr)


def _usage_message(error: click.UsageError) -> str:
    """Click's usage errors, said in the catalogue's words."""
    if isinstance(error, click.NoSuchOption):
        text = t("cli.click.no_such_option", option=error.option_name)
        if error.possibilities:
            suggestion = ", ".join(sorted(error.possibilities))
            text += " " + t("cli.click.did_you_mean", suggestion=suggestion)
        return text
    if isinstance(error, click.BadOptionUsage):
        key = "takes_no_value" if "does not take" in error.message else "needs_value"
        return t(f"cli.click.{key}", option=error.option_name)
    if isinstance(error, click.MissingParameter) and error.param is not None:
        key = "missing_argument" if isinstance(error.param, click.Argument) else "missing_option"
        return t(f"cli.click.{key}", name=error.param.human_readable_name)
    if isinstance(error, click.BadParameter):
        name = error.param_hint
        if name is None and error.param is not None and error.ctx is not None:
            name = error.param.get_error_hint(error.ctx).replace("'", "")
        if isinstance(name, list | tuple):
            name = " / ".join(name)
        return t("cli.click.bad_value", name=name or "", reason=error.message)
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", error.message)
    if extra:
        return t("cli.click.extra_arguments", arguments=extra.group(1))
    return error.message


def print_report(report: Any, env: Environment, *, quiet: bool, as_json: bool) -> Any:
    """Print the summary (or JSON), log it; return the report (its exit code is mapped above).

    ``--quiet`` prints nothing on success and one sentence on stderr otherwise.
    """
    from importer.report import audit_log as audit
    from importer.report.console import failure_sentence, summary_dict, summary_json, summary_lines

    audit.event("summary", **summary_dict(report))
    if as_json:
        click.echo(summary_json(report), file=env.stdout)
    elif quiet:
        sentence = failure_sentence(report)
        if sentence:
            click.echo(t("common.error_prefix", message=sentence), file=env.stderr)
    else:
        style = click.style if env.colors else None
        for line in summary_lines(report, style=style):
            click.echo(line, file=env.stdout, color=env.colors)
    return report
