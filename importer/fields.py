"""The mission fields: one record per parameter of ``ajoutMission`` / ``modifierMission``.

The records are the rows of ``importer/fields.toml`` (one ``[[field]]`` table per field),
read once at import into :data:`FIELDS`, which is the contract the rest derives from: the
header matcher (:mod:`importer.rows.columns`), the cell parsers and the frame the rules check
(:mod:`importer.rows.cells`, :mod:`importer.rows.validation`), the planning template
(:mod:`importer.report.template`), the catalogue's field names and template help
(:mod:`importer.messages`), the import page's column list and the sandbox's stored fields
(:mod:`importer.sandbox.api`). Adding a field means one ``[[field]]`` table in
``fields.toml``, with its two labels.

This module imports nothing of the project: it sits at the ground floor, beside
:mod:`importer.ocean_api`. Parsers are named (``parser``) and resolved in
:mod:`importer.rows.cells`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import MISSING, dataclass
from dataclasses import fields as dataclass_fields
from typing import Any, Literal, get_args

# The format a column holds: the template's column format and its "Format" text
# (``results.template.fmt.<kind>``); "date" and "decimal" are also how the rules see the value.
Kind = Literal["text", "short_text", "date", "integer", "decimal", "postcode", "bool", "action"]
# How the template says a field is required (``results.template.req.<need>``): "recipient"
# and "destination" are groups of which one way must be filled.
Need = Literal["required", "multi_client", "recipient", "destination", "optional"]
# The parse_* function of importer.rows.cells that reads a cell of the field.
Parser = Literal["text", "datetime", "customer_id", "boolean", "coordinate", "postcode", "action"]


@dataclass(frozen=True)
class MissionField:
    """One mission field: its API name, what a planner reads, how a cell of it is read."""

    name: str  # the API parameter name (or "action", which is read but not sent)
    label_en: str  # what a planner reads in English: the template's header, the page's list
    label_fr: str  # the same in French
    aliases: tuple[str, ...] = ()  # other headers that mean it (compared without accents, case)
    kind: Kind = "text"
    need: Need = "optional"
    parser: Parser = "text"
    ruled: bool = False  # the validation rules read it (a column of the frame they check)
    sent: bool = True  # an API parameter (False: read by the importer only)
    stored: bool = True  # the sandbox keeps it (an API parameter the real service stores)
    width: int = 0  # the template's column width (0: from the header's length)
    shown_length: int = 0  # characters the Ocean screens show (0: no limit known)
    help_en: str = ""  # the template's help on the column (Excel: 255 characters at most)
    help_fr: str = ""
    example_en: str = ""
    example_fr: str = ""  # "": the English example

    def label(self, lang: str) -> str:
        """What a planner reads for this field in ``lang`` ("fr" or "en")."""
        return self.label_fr if lang == "fr" else self.label_en

    def help(self, lang: str) -> str:
        """The template's help on this field in ``lang``."""
        return self.help_fr if lang == "fr" else self.help_en

    def example(self, lang: str) -> str:
        """An example value, written as a planner of ``lang`` would type it."""
        return (self.example_fr or self.example_en) if lang == "fr" else self.example_en


# The file of the records, shipped beside this module (package data in pyproject.toml).
TABLE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fields.toml")


class FieldTableError(ValueError):
    """The field table's file holds something :class:`MissionField` cannot be built from."""


# The values a key may take, where the Literal types say it.
_CHOICES: dict[str, tuple[str, ...]] = {
    "kind": get_args(Kind),
    "need": get_args(Need),
    "parser": get_args(Parser),
}


def _check(where: str, key: str, value: Any, default: Any) -> Any:
    """The value of ``key`` for :class:`MissionField`; FieldTableError when it cannot be."""
    if isinstance(default, tuple):
        if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            raise FieldTableError(f"{where}: {key} must be a list of texts, not {value!r}")
        return tuple(value)
    expected = str if default is MISSING else type(default)
    if type(value) is not expected:
        raise FieldTableError(f"{where}: {key} must be a {expected.__name__}, not {value!r}")
    if key in _CHOICES and value not in _CHOICES[key]:
        choices = ", ".join(_CHOICES[key])
        raise FieldTableError(f"{where}: {key} {value!r} is not one of: {choices}")
    return value


def load_fields(path: str | os.PathLike[str] = TABLE_FILE) -> tuple[MissionField, ...]:
    """The records of the field table's file ``path``, in its order.

    Raises FieldTableError, naming the file and the field, for an unknown key, a missing
    name or label, a value of the wrong type, a kind/need/parser its Literal does not list,
    or a name given twice.
    """
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise FieldTableError(f"{path}: {exc}") from exc
    if set(data) - {"field"} or not isinstance(data.get("field"), list):
        raise FieldTableError(f"{path}: expected [[field]] tables only, found {sorted(data)}")
    defaults = {spec.name: spec.default for spec in dataclass_fields(MissionField)}
    records: list[MissionField] = []
    for number, table in enumerate(data["field"], start=1):
        name = table.get("name")
        where = f"{path}, field {name!r}" if isinstance(name, str) else f"{path}, field {number}"
        unknown = sorted(set(table) - set(defaults))
        if unknown:
            known = ", ".join(defaults)
            raise FieldTableError(f"{where}: unknown key {unknown[0]!r} (known keys: {known})")
        missing = [key for key, default in defaults.items() if default is MISSING]
        absent = [key for key in missing if key not in table]
        if absent:
            raise FieldTableError(f"{where}: {absent[0]} is required")
        values = {key: _check(where, key, value, defaults[key]) for key, value in table.items()}
        if any(record.name == name for record in records):
            raise FieldTableError(f"{where}: the name is given twice")
        records.append(MissionField(**values))
    return tuple(records)


FIELDS: tuple[MissionField, ...] = load_fields()

BY_NAME: dict[str, MissionField] = {field.name: field for field in FIELDS}
FIELD_NAMES: tuple[str, ...] = tuple(BY_NAME)
API_FIELDS: tuple[str, ...] = tuple(field.name for field in FIELDS if field.sent)
STORED_FIELDS: tuple[str, ...] = tuple(
    field.name for field in FIELDS if field.sent and field.stored
)
DATE_FIELDS: tuple[str, ...] = tuple(field.name for field in FIELDS if field.kind == "date")


def by_name(name: str) -> MissionField:
    """The field named ``name`` (its API name); KeyError when there is none."""
    return BY_NAME[name]
