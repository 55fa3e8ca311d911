"""Cell values -> the exact Ocean API parameters (UTC dates, booleans, coordinates...).

Each ``parse_*`` function takes one raw cell value (str, int, float, bool, datetime, date,
time or None) and returns its normalised value, ``None`` for an empty cell, or raises
:class:`ValueProblem` naming a ``validation.*`` message (date cells: :mod:`importer.rows.dates`).
:func:`build_params` turns one row of normalised values into the parameters the API receives.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

from importer.fields import API_FIELDS, BY_NAME, DATE_FIELDS
from importer.model import Action
from importer.rows.dates import parse_datetime, shown_date_time
from importer.rows.values import ValueProblem, is_empty

_INT64_MAX = 2**63 - 1
DELETE_FIELDS = ("idMission", "customerId")  # all that supprimerMission receives


SHOWN_VALUE_MAX = 60  # a longer value is cut in messages (a 32,767-character cell stays readable)


def show_value(value: object) -> str:
    """A raw cell value as a person would recognise it in a message (long text cut)."""
    if is_empty(value):
        return ""
    if isinstance(value, str):
        text = value.strip()
        return text if len(text) <= SHOWN_VALUE_MAX else text[: SHOWN_VALUE_MAX - 1] + "…"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):
        shown = shown_date_time(value)
        return f"{shown}:{value.second:02d}" if value.second else shown
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    return str(value)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


# -- other values --------------------------------------------------------------------------

_TRUE = frozenset({"true", "vrai", "oui", "yes", "y", "o", "1", "x", "1.0"})
_FALSE = frozenset({"false", "faux", "non", "no", "n", "0", "0.0"})


def parse_boolean(value: object) -> str | None:
    """A yes/no cell -> ``"true"``/``"false"``; None when empty (the default applies)."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if value in (0, 1):
            return "true" if value == 1 else "false"
        raise ValueProblem("validation.boolean")
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return "true"
        if word in _FALSE:
            return "false"
    raise ValueProblem("validation.boolean")


def parse_coordinate(value: object) -> str | None:
    """A coordinate (number, or text with a decimal comma or dot) -> text with a dot."""
    if type(value) is float and math.isfinite(value):  # the usual number cell, made quick
        return format_decimal(value)
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem("validation.coordinate")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u2212", "-").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueProblem("validation.coordinate") from None
    else:
        raise ValueProblem("validation.coordinate")
    if not math.isfinite(number):
        raise ValueProblem("validation.coordinate")
    return format_decimal(number)


def format_decimal(number: float) -> str:
    """A decimal with a dot, at most 7 decimals, no trailing zeros: 2.3522, 48, -0.5."""
    text = f"{number:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_NUMERIC_TEXT = re.compile(r"(\d+)\.0*")


def parse_postcode(value: object) -> str | None:
    """A postal code -> text; a 4-digit number regains its leading zero (1000 -> "01000")."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if match := _NUMERIC_TEXT.fullmatch(text):  # "1000.0" from a spreadsheet export
            return _pad_postcode(match.group(1))
        return text
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueProblem("validation.postcode")
    if (isinstance(value, float) and not value.is_integer()) or value < 0:
        raise ValueProblem("validation.postcode")
    return _pad_postcode(str(int(value)))


def _pad_postcode(digits: str) -> str:
    return digits.zfill(5) if len(digits) == 4 else digits


def parse_customer_id(value: object) -> str | None:
    """A customer ID -> the text of a whole number ("100")."""
    if is_empty(value):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if match := _NUMERIC_TEXT.fullmatch(text):
            text = match.group(1)
        if text.isascii() and text.isdigit():
            number = int(text)
    if number is None or not 0 <= number <= _INT64_MAX:
        raise ValueProblem("validation.customer_id")
    return str(number)


def parse_text(value: object) -> str | None:
    """Any cell -> trimmed text (a whole number 1234.0 -> "1234"); None when empty."""
    if value is None:
        return None
    if type(value) is str:
        return value.strip() or None
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, date | time):
        return show_value(value)
    return str(value).strip() or None


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s_\-']+", " ", folded).strip()


_ACTION_WORDS: dict[Action, str] = {
    Action.CREATE: "create, creation, creer, ajout, ajouter, add, new, nouveau, nouvelle",
    Action.MODIFY: "modify, modification, modifier, update, maj, mise a jour, change",
    Action.DELETE: "delete, suppression, supprimer, supprime, remove, del",
    Action.UPSERT: "upsert, create or update, ajout ou modification",
}
ACTIONS: dict[str, Action] = {
    _fold(word): action for action, words in _ACTION_WORDS.items() for word in words.split(", ")
}


def parse_action(value: object) -> Action | None:
    """The action column -> :class:`Action` (English or French, any case or accents)."""
    if is_empty(value):
        return None
    action = ACTIONS.get(_fold(value)) if isinstance(value, str) else None
    if action is None:
        raise ValueProblem("validation.action")
    return action


def parser_for(field_name: str, zone: tzinfo) -> Callable[[object], Any]:
    """The parser of one field, named by its ``parser`` (dates read their times in ``zone``)."""
    field = BY_NAME.get(field_name)
    name = field.parser if field is not None else "text"
    if name == "datetime":
        return lambda value: parse_datetime(value, zone)
    return PARSERS[name]


# A field's ``parser`` (importer/fields.toml) -> its function ("datetime": parse_datetime).
PARSERS: dict[str, Callable[[object], Any]] = {
    "text": parse_text,
    "customer_id": parse_customer_id,
    "boolean": parse_boolean,
    "coordinate": parse_coordinate,
    "postcode": parse_postcode,
    "action": parse_action,
}


def build_params(
    values: Mapping[str, Any], *, default_a_envoyer: bool = True, action: Action | None = None
) -> dict[str, str]:
    """One row's normalised values -> exactly the parameters the API receives.

    ``values`` maps API fields to what the parsers returned (text, :class:`When` or None).
    Returns only the non-empty ones, with ``aEnvoyer`` always present; for a delete, only
    ``idMission`` and ``customerId``.
    """
    columns = {name: [value or None] for name, value in values.items()}
    params = build_params_columns(columns, [action], default_a_envoyer=default_a_envoyer)[0]
    assert params is not None
    return params


def build_params_columns(
    columns: Mapping[str, Sequence[Any]],
    actions: Sequence[Action | None],
    *,
    default_a_envoyer: bool = True,
    keep: Sequence[bool] | None = None,
) -> list[dict[str, str] | None]:
    """:func:`build_params` for a whole table given column by column (fast).

    ``columns`` maps API fields to the parsed values of every row (None where empty);
    returns each row's parameters, or None for a row whose ``keep`` is False.
    """
    size = len(actions)
    default = "true" if default_a_envoyer else "false"
    full: dict[str, Sequence[str]] = {}  # the columns filled on every row
    sparse: dict[str, Sequence[str | None]] = {}
    for name in API_FIELDS:
        column = columns.get(name)
        if name == "aEnvoyer":
            column = [value or default for value in column] if column else [default] * size
        elif column is None:
            continue
        elif name in DATE_FIELDS:
            column = [when.text if when is not None else None for when in column]
        if None not in column:
            full[name] = column
        elif column.count(None) < size:
            sparse[name] = column
    names = list(full)
    rows: list[dict[str, str]] = [
        dict(zip(names, row, strict=True)) for row in zip(*full.values(), strict=True)
    ]
    for name, column in sparse.items():
        for row, value in zip(rows, column, strict=True):
            if value is not None:
                row[name] = value
    params: list[dict[str, str] | None] = list(rows)
    if Action.DELETE in actions:
        for pos, action in enumerate(actions):
            if action is Action.DELETE:
                params[pos] = {k: v for k, v in rows[pos].items() if k in DELETE_FIELDS}
    if keep is not None and not all(keep):
        for pos, kept in enumerate(keep):
            if not kept:
                params[pos] = None
    return params
