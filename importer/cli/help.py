"""The help machinery: --help in the user's language, and the help of setting options.

The English help lives where click expects it (command docstrings, option help); French
comes from :mod:`importer.messages.help_fr`. A setting's option gets its ``[default: ...]``
and its bounds from the table of settings, in either language.
"""

from __future__ import annotations

import click

from importer.messages import get_language, t
from importer.messages.help_fr import FR_HELP
from importer.settings.table import Setting

_FACTS_JOIN = {"en": "; ", "fr": "\u202f; "}  # French: a narrow no-break space before ";"


class SettingOption(click.Option):
    """A click option for one row of the table of settings (kept as ``self.setting``)."""

    def __init__(self, *args: object, setting: Setting, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.setting = setting


def setting_help(setting: Setting, lang: str) -> str:
    """The option's help with its default and bounds from the table, in ``lang``."""
    text = FR_HELP.get(f"opt.{setting.name}", setting.help) if lang == "fr" else setting.help
    facts = []
    if setting.shown_default:
        shown = t(f"cli.default.{setting.name}", lang=lang)
        facts.append(t("cli.help.default", lang=lang, value=shown))
    elif setting.default is not None and setting.default != ():  # () : an empty list
        facts.append(t("cli.help.default", lang=lang, value=setting.default))
    if setting.high is not None:
        facts.append(t("cli.help.between", lang=lang, low=setting.low, high=setting.high))
    elif setting.low is not None:
        key = "cli.help.above" if setting.above else "cli.help.at_least"
        facts.append(t(key, lang=lang, low=setting.low))
    return f"{text.rstrip('.')} [{_FACTS_JOIN[lang].join(facts)}]." if facts else text


def _number(value: object, lang: str) -> str:
    """50.0 as 50, 0.1 as 0,1 in French: a number as the person writes it."""
    if not isinstance(value, float):
        return str(value)
    text = str(int(value)) if value.is_integer() else str(value)
    return text.replace(".", ",") if lang == "fr" else text


def _with_facts(param: click.Option, text: str | None) -> str | None:
    """A plain option's help with its default and bounds in words, as a setting's."""
    lang = get_language()
    facts = []
    if param.show_default and param.default is not None and not param.is_flag:
        shown = _number(param.default, lang)
        facts.append(t("cli.help.default", lang=lang, value=shown))
    kind = param.type
    if isinstance(kind, click.types._NumberRangeBase):
        low, high = _number(kind.min, lang), _number(kind.max, lang)
        if kind.min is not None and kind.max is not None:
            facts.append(t("cli.help.between", lang=lang, low=low, high=high))
        elif kind.min is not None:
            key = "cli.help.above" if kind.min_open else "cli.help.at_least"
            facts.append(t(key, lang=lang, low=low))
    if not facts:
        return text
    return f"{(text or '').rstrip('.')} [{_FACTS_JOIN[lang].join(facts)}]."


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
            original = param.help, param.show_default, param.type
            param.help = self._option_help(param)
            if not isinstance(param, SettingOption):  # click's "[default: 50.0; x>=0.1]"
                param.help = _with_facts(param, param.help)
                param.show_default = False
                if isinstance(param.type, click.types._NumberRangeBase):
                    param.type = (
                        click.FLOAT if isinstance(param.type, click.FloatRange) else click.INT
                    )
            try:
                record = param.get_help_record(ctx)
            finally:
                param.help, param.show_default, param.type = original
            if record is not None:
                rows.append(record)
        if rows:
            with formatter.section(self._heading("heading.options", "Options")):
                formatter.write_dl(rows)

    def _option_help(self, param: click.Option) -> str | None:
        if isinstance(param, SettingOption):
            return setting_help(param.setting, get_language())
        name = "help" if "--help" in param.opts else param.name
        return self._french(f"{self.name}.{name}", self._french(f"opt.{name}", param.help))

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


class TranslatedGroup(TranslatedHelp, click.Group):
    """A group whose help, and its list of commands, follow the language."""

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
