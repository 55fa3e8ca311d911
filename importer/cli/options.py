"""The options shared by several commands, each group declared once.

A group (:class:`OptionGroup`) adds its options to a command and, when the command runs,
collects their values: the values of settings go to the context (read by
:func:`command_settings`, which loads every setting), the others to one object passed to
the command under the group's name. Setting options are made from the table of settings,
so their bounds and defaults are the table's; their values are converted and checked by
the same code as the environment's and the file's.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import click

from importer.environment import Environment
from importer.errors import UsageError
from importer.messages import set_language, t
from importer.settings.table import BY_NAME, LANGUAGE_CODES

from .help import SettingOption, setting_help

if TYPE_CHECKING:
    from importer.settings.load import Settings

SETTING_VALUES = "importer.setting_values"  # ctx.meta key: setting -> command line value
GLOBALS = "importer.globals"  # ctx.meta key: --lang, --config, -v, -q wherever given
_METAVARS = {"int": "INTEGER", "float": "NUMBER", "path": "PATH", "path_text": "PATH"}


def setting_option(name: str) -> Callable[[Any], Any]:
    """The option of setting ``name``, from its row in the table of settings."""
    setting = BY_NAME[name]
    return click.option(
        setting.cli_option,
        setting.name,
        cls=SettingOption,
        setting=setting,
        metavar=f"[{'|'.join(setting.choices)}]"
        if setting.choices
        else _METAVARS.get(setting.kind, "TEXT"),
        help=setting_help(setting, "en"),
        multiple=setting.kind == "list",  # a list option is repeated: --proxy A --proxy B
    )


class OptionGroup:
    """Options declared once and added to every command that takes them.

    Setting values go to ``ctx.meta[SETTING_VALUES]``; the other values, as one object,
    to the command's keyword argument ``name`` (none when ``name`` is empty).
    """

    def __init__(
        self, name: str, *options: Callable[[Any], Any], settings: tuple[str, ...] = ()
    ) -> None:
        self.name = name
        self.settings = settings
        self.options = [*(setting_option(s) for s in settings), *options]

    def __call__(self, command: Callable[..., Any]) -> Callable[..., Any]:
        before = {id(p) for p in getattr(command, "__click_params__", [])}
        own: list[str] = []

        @functools.wraps(command)
        def collect(*args: Any, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            values = ctx.meta.setdefault(SETTING_VALUES, {})
            for name in self.settings:
                value = kwargs.pop(name)
                if value is not None and value != ():  # () : a list option not given
                    values[name] = value
            taken = {name: kwargs.pop(name) for name in own}
            if self.name:
                kwargs[self.name] = SimpleNamespace(**taken)
            return command(*args, **kwargs)

        for option in reversed(self.options):
            collect = option(collect)
        own.extend(
            p.name
            for p in collect.__click_params__  # type: ignore[attr-defined]
            if id(p) not in before and p.expose_value and p.name not in self.settings
        )
        return collect


# -- the global options: before or after the command -----------------------------------------


def _lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    if value not in LANGUAGE_CODES:
        where = t("config.where.cli", option="--lang")
        choices = ", ".join(LANGUAGE_CODES)
        raise UsageError(t("config.bad_choice", where=where, value=value, choices=choices))
    set_language(value)  # at once (eager), so that --help is in that language
    environment = ctx.find_object(Environment)
    if environment is not None:
        environment.lang = value
    ctx.meta.setdefault(GLOBALS, {})["lang"] = value
    return value


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value:
        ctx.meta.setdefault(GLOBALS, {})[param.name] = value
    return value


def _verbose(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """Set the log level at once: -v one line per API call, -vv every HTTP request."""
    if value:
        total = ctx.meta.setdefault(GLOBALS, {}).get("verbose", 0) + value
        ctx.meta[GLOBALS]["verbose"] = total
        logging.getLogger().setLevel(logging.INFO if total == 1 else logging.DEBUG)
    return value


quiet_option = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    callback=_remember,
    help="Print nothing on success; on failure, one sentence on stderr.",
)


global_options = OptionGroup(
    "",
    click.option(
        "--lang",
        is_eager=True,  # before --help, so the help itself is in that language
        expose_value=False,
        callback=_lang,
        metavar=f"[{'|'.join(LANGUAGE_CODES)}]",
        help="Language of messages and workbooks [default: from the config file or your locale].",
    ),
    click.option(
        "--config",
        type=click.Path(dir_okay=False),
        expose_value=False,
        callback=_remember,
        help="TOML settings file [default: ./mission-importer.toml, then your config folder].",
    ),
    click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_verbose,
        help=(
            "Log more on stderr: -v one line per API call, -vv every HTTP request (never a secret)."
        ),
    ),
    quiet_option,
)


def _open_log(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """--log-file, taken first (eager), so that even a usage error is logged."""
    if value is not None:
        from importer.report import audit_log as audit

        try:
            audit.attach(value, ctx.info_name or "")
        except OSError as exc:
            raise UsageError(t("audit.cannot_open", path=value, reason=exc.strerror)) from None
    return value


log_option = click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    is_eager=True,
    expose_value=False,
    callback=_open_log,
    help="Append the audit log to this file: JSON lines (one per row, one summary).",
)
output_path = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=(
        "Results workbook [default: beside the input, <input>.results.xlsx, .status.xlsx or "
        ".delete.xlsx after the command; <command>-<time>.xlsx with --id; "
        "status-<days>-<time>.xlsx with --from or --week]."
    ),
)

# -- the groups ------------------------------------------------------------------------------

network = OptionGroup(
    "", settings=("api_url", "customer_id", "workers", "rate", "ca_bundle")
)  # fmt: skip
journal = OptionGroup("", settings=("journal",))
page_limits = OptionGroup("", settings=("serve_proxy", "serve_upload_limit_mb"))
sending_mode = OptionGroup("", settings=("mode",))
planning = OptionGroup("source", output_path, settings=("sheet", "timezone"))
missions = OptionGroup(
    "source",
    click.option("--id", "ids", multiple=True, help="A mission id (repeat for several)."),
    output_path,
    settings=("sheet", "timezone"),
)
days = OptionGroup(
    "days",
    click.option(
        "--from",
        "day_from",
        metavar="DATE",
        help=(
            "The journal's missions planned from this day (dd/mm/yyyy or yyyy-mm-dd, in "
            "--timezone); alone: that day onward."
        ),
    ),
    click.option(
        "--to",
        "day_to",
        metavar="DATE",
        help="The last day, included (with --from; dd/mm/yyyy or yyyy-mm-dd).",
    ),
    click.option(
        "--week",
        is_flag=False,
        flag_value="",
        default=None,
        metavar="[YYYY-Www]",
        help=(
            "The journal's missions planned in an ISO week, Monday to Sunday (e.g. 2026-W50); "
            "alone: this week."
        ),
    ),
)
output = OptionGroup(
    "out",
    click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout."),
    log_option,
)


def is_quiet(ctx: click.Context) -> bool:
    """Whether -q/--quiet was given, before or after the command."""
    return bool(ctx.meta.get(GLOBALS, {}).get("quiet"))


def environment(ctx: click.Context) -> Environment:
    """The run's environment, made once by ``main``."""
    return ctx.ensure_object(Environment)


def command_settings(ctx: click.Context) -> Settings:
    """Settings from command line > environment > file > defaults; language applied.

    The configuration (with where each value came from) stays in ``ctx.meta``.
    """
    from importer.settings.load import load_configuration, resolve_language

    values = dict(ctx.meta.get(SETTING_VALUES, {}))
    given = ctx.meta.get(GLOBALS, {})
    if given.get("lang"):
        values["lang"] = given["lang"]
    config = given.get("config")
    loaded = load_configuration(values, config_path=Path(config) if config else None)
    ctx.meta["configuration"] = loaded  # for `check`: where each value came from
    env = environment(ctx)
    env.lang = resolve_language(loaded.settings)
    set_language(env.lang)
    for note in loaded.notes:
        click.echo(click.style(f"! {note}", fg="yellow"), file=env.stderr, color=env.colors)
    return loaded.settings


def with_password(ctx: click.Context, settings: Settings) -> Settings:
    """Prompt for a missing password on a terminal; never take it from argv."""
    env = environment(ctx)
    if settings.login and not settings.password and env.stdin_isatty:
        settings.password = click.prompt(
            t("cli.password_prompt", login=settings.login), hide_input=True, err=True
        )
    return settings


def language_in(args: list[str]) -> str | None:
    """The --lang given anywhere in ``args`` (so that --help before it is in that language)."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
    return None
