"""How source headers are matched to the mission fields (:data:`importer.fields.FIELDS`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from importer.errors import InputError, UsageError
from importer.fields import API_FIELDS, BY_NAME, FIELD_NAMES, FIELDS, MissionField
from importer.messages import t
from importer.model import HeaderMap

__all__ = [  # the table's names, also reachable from here
    "API_FIELDS",
    "FIELDS",
    "FIELDS_BY_NAME",
    "FIELD_NAMES",
    "aliases_of",
    "check_user_mapping",
    "count_known",
    "map_headers",
    "match_header",
    "normalise_header",
]

FIELDS_BY_NAME: dict[str, MissionField] = BY_NAME


def normalise_header(text: object) -> str:
    """Fold a header for comparison: no accents, case, spaces, underscores, hyphens, quotes."""
    folded = unicodedata.normalize("NFKD", str(text))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s_\-'’.°/()*:#]+", "", folded)


def aliases_of(fields: Iterable[MissionField]) -> dict[str, str]:
    """Every spelling of every field (name, both labels, aliases), folded -> the field's name."""
    table: dict[str, str] = {}
    for f in fields:
        for spelling in (f.name, f.label_en, f.label_fr, *f.aliases):
            table.setdefault(normalise_header(spelling), f.name)
    return table


ALIASES: dict[str, str] = aliases_of(FIELDS)


def match_header(header: object, user_mapping: Mapping[str, str] | None = None) -> str | None:
    """The field a header names, or None. A user mapping wins over the built-in names."""
    key = normalise_header(header)
    if not key:
        return None
    if user_mapping:
        for their_header, field_name in user_mapping.items():
            if normalise_header(their_header) == key:
                return field_name
    return ALIASES.get(key)


def check_user_mapping(user_mapping: Mapping[str, str]) -> None:
    """Refuse a configured mapping that targets a field that does not exist."""
    for their_header, field_name in user_mapping.items():
        if field_name not in FIELDS_BY_NAME:
            raise UsageError(t("columns.unknown_target", header=their_header, field=field_name))


def count_known(headers: Iterable[object], user_mapping: Mapping[str, str] | None = None) -> int:
    """How many distinct fields a candidate header row names (to find the header row)."""
    return len({f for h in headers if (f := match_header(h, user_mapping))})


def map_headers(
    headers: list[str], user_mapping: Mapping[str, str] | None = None, *, source: str = ""
) -> HeaderMap:
    """Map each source header to its field; refuse two columns for one field."""
    if user_mapping:
        check_user_mapping(user_mapping)
    field_to_column: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        field_name = match_header(header, user_mapping)
        if field_name is None:
            unknown.append(header)
        elif field_name in field_to_column:
            raise InputError(
                t(
                    "columns.duplicate_field",
                    file=source,
                    field=field_name,
                    first=field_to_column[field_name],
                    second=header,
                )
            )
        else:
            field_to_column[field_name] = header
    if not field_to_column:
        raise InputError(t("columns.none_recognised", file=source))
    return HeaderMap(field_to_column=field_to_column, unknown=unknown)
