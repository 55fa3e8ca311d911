"""Validate every row of a table against the mission rules, and normalise the valid ones.

Each mapped column is parsed once (the parsers of :mod:`importer.rows.cells`; a value that
cannot be read is an issue on its cell), then the parsed values go through the pandera
schemas built from :data:`importer.rows.rules.RULES` with ``lazy=True`` so every failure of
every row is found at once: one schema for errors, one for warnings. Their failure cases
become :class:`RowIssue` records.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from importer.errors import UsageError
from importer.fields import API_FIELDS, DATE_FIELDS, FIELD_NAMES, FIELDS
from importer.messages import message_fields, t
from importer.model import Action, HeaderMap, RowIssue, SourceTable, ValidatedRow
from importer.rows.cells import DELETE_FIELDS, build_params_columns, parser_for, show_value
from importer.rows.options import RowOptions
from importer.rows.rules import ADR_REF_SHOWN, RULES_BY_CODE, failures, schema
from importer.rows.values import ValueProblem
from importer.zones import find_zone

# The frame the rules check holds every field they read (``ruled`` in importer/fields.toml):
# dates as UTC timestamps, decimal numbers as floats, anything else as text.
_RULED = [field for field in FIELDS if field.ruled]
TEXT_FIELDS = tuple(f.name for f in _RULED if f.kind not in ("date", "decimal"))
RULED_DATES = tuple(f.name for f in _RULED if f.kind == "date")
RULED_NUMBERS = tuple(f.name for f in _RULED if f.kind == "decimal")

COLUMN_MISSING = {
    "validation.id_required": "validation.id_column_missing",
    "validation.inter_required": "validation.inter_column_missing",
}


def validate_table(
    table: SourceTable,
    header_map: HeaderMap,
    options: RowOptions,
    *,
    now: datetime | None = None,
) -> list[ValidatedRow]:
    """Check and normalise every row; returns one :class:`ValidatedRow` per table row, in order.

    Raises UsageError when the configured time zone is unknown.
    """
    zone = load_zone(options.timezone)
    with paused_gc():
        return _validate(table, header_map, options, zone, now or datetime.now(UTC))


def _validate(
    table: SourceTable, header_map: HeaderMap, options: RowOptions, zone: ZoneInfo, now: datetime
) -> list[ValidatedRow]:
    now = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)
    check = _Validation(table, header_map, options)
    check.parse(zone)
    frame = check.frame()
    check.report(failures(schema("error", frame, options, now), frame), "error")
    moment = now.replace(second=0, microsecond=0)
    check.report(failures(schema("warning", frame, options, moment), frame), "warning")
    return check.validated_rows()


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while hundreds of thousands of small objects are made.

    Each collection would walk every object made so far (it tripled the time of a large
    file). On the way out, the survivors (our rows: no reference cycles) go straight to the
    oldest generation (freeze then unfreeze), so the next young collection does not walk
    them all at once either.

    The young generations are collected first (cheap: only what was made since the last
    pause). ``gc.freeze()`` resets the collection counters, so a process that pauses for
    every file (the drop-folder service) never collects the older generations by itself:
    cyclic garbage frozen with the survivors (the previous file's results workbook) would
    stay for good, a little more with every file.
    """
    gc.collect(1)
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def load_zone(name: str) -> ZoneInfo:
    """The time zone of the sheet's local times; UsageError when the name is unknown."""
    zone = find_zone(name)
    if zone is None:
        raise UsageError(t("validation.unknown_timezone", zone=name))
    return zone


def parse_column(
    raw: Sequence[Any], parse: Callable[[Any], Any]
) -> tuple[list[Any], list[tuple[int, ValueProblem]]]:
    """Parse one column, each distinct value once; returns the values and the problems."""
    kinds = set(map(type, raw))
    kinds.discard(type(None))
    if len(kinds) == 1:  # one type (the usual column): parse the distinct values, then map
        with contextlib.suppress(TypeError):  # (unhashable values: the loop below)
            return _parse_distinct(raw, parse)
    values: list[Any] = [None] * len(raw)
    problems: list[tuple[int, ValueProblem]] = []
    memo: dict[Any, tuple[type, Any]] = {}  # value -> (its type, as 1 == 1.0 == True; result)
    for pos, value in enumerate(raw):
        if value is None:
            continue
        kind = type(value)
        try:
            known = memo.get(value)
        except TypeError:  # an unhashable value: parse it every time
            known = (kind, _parse_one(parse, value))
        if known is None or known[0] is not kind:
            result = _parse_one(parse, value)
            if known is None:
                memo[value] = (kind, result)
        else:
            result = known[1]
        if type(result) is ValueProblem:
            problems.append((pos, result))
        else:
            values[pos] = result
    return values, problems


def _parse_distinct(
    raw: Sequence[Any], parse: Callable[[Any], Any]
) -> tuple[list[Any], list[tuple[int, ValueProblem]]]:
    """:func:`parse_column` for values of one hashable type (as 1 == 1.0 == True)."""
    results = {value: _parse_one(parse, value) for value in set(raw) if value is not None}
    bad = {value for value, result in results.items() if type(result) is ValueProblem}
    if not bad:
        return list(map(results.get, raw)), []
    problems = [(pos, results[value]) for pos, value in enumerate(raw) if value in bad]
    good = {value: result for value, result in results.items() if value not in bad}
    return list(map(good.get, raw)), problems


def _parse_one(parse: Callable[[Any], Any], value: Any) -> Any:
    try:
        return parse(value)
    except ValueProblem as problem:
        return problem


# -- the rows being checked -----------------------------------------------------------------


class _Validation:
    """The table's raw and parsed values, column by column, and each row's issues."""

    def __init__(self, table: SourceTable, header_map: HeaderMap, options: RowOptions) -> None:
        data = table.data
        self.options = options
        self.numbers = table.row_numbers
        self.size = len(self.numbers)
        self.headers = {
            name: header
            for name, header in header_map.field_to_column.items()
            if name in FIELD_NAMES and header in data.columns
        }
        self.position = {header: pos for pos, header in enumerate(data.columns)}
        self.raw = {name: data[header].tolist() for name, header in self.headers.items()}
        self.values: dict[str, list[Any]] = {}
        self.bad: dict[str, set[int]] = defaultdict(set)  # cells that could not be parsed
        self.errors: list[list[RowIssue]] = [[] for _ in range(self.size)]
        self.warnings: list[list[RowIssue]] = [[] for _ in range(self.size)]
        self.deleting = [False] * self.size
        self._ids: dict[str, list[int]] | None = None  # idMission -> positions, when needed
        self._columns: dict[str, dict[str, str]] = {}  # message key -> {field: its header}

    def parse(self, zone: ZoneInfo) -> None:
        """Parse every mapped column (the action first: a delete needs only its ID)."""
        actions = self._parse_field("action", parser_for("action", zone))
        self.deleting = [action is Action.DELETE for action in actions]
        for name in API_FIELDS:
            values = self._parse_field(name, parser_for(name, zone))
            if name in DATE_FIELDS:
                for pos, when in enumerate(values):
                    if when is not None and when.warning is not None:
                        problem = when.warning
                        self.add(pos, name, problem.code, "warning", **problem.details)
        if self.options.mission_types:
            self.values["typeMission"] = _canonical(
                self.values["typeMission"], self.options.mission_types
            )

    def _parse_field(self, name: str, parse: Callable[[Any], Any]) -> list[Any]:
        raw = self.raw.get(name)
        if raw is None:
            values: list[Any] = [None] * self.size
        else:
            values, problems = parse_column(raw, parse)
            for pos, problem in problems:
                self.bad[name].add(pos)
                self.add(pos, name, problem.code, **problem.details)
        self.values[name] = values
        return values

    def frame(self) -> pd.DataFrame:
        """The parsed values pandera checks (dates as UTC timestamps, coordinates as floats)."""
        columns: dict[str, Any] = {
            name: pd.Series(self.values[name], dtype=object) for name in TEXT_FIELDS
        }
        for name in RULED_DATES:
            minutes = [when.minutes if when is not None else None for when in self.values[name]]
            columns[name] = pd.to_datetime(pd.Series(minutes, dtype="float64"), unit="m", utc=True)
        for name in RULED_NUMBERS:
            columns[name] = pd.Series(self.values[name], dtype=object).astype("float64")
        return pd.DataFrame(columns, index=pd.RangeIndex(self.size))

    def add(
        self, pos: int, name: str | None, code: str, severity: str = "error", **details: Any
    ) -> None:
        """Record an issue on a row's cell (``name`` None: on the whole row)."""
        if self.deleting[pos] and name not in DELETE_FIELDS:
            return  # a delete sends only its ID: the other cells do not matter
        header = self.headers.get(name) if name else None
        raw = self.raw[name][pos] if header is not None and name is not None else None
        columns = self._columns.get(code)
        if columns is None:  # the file's headers of the fields the message names
            names = message_fields(code)
            columns = self._columns[code] = {n: self.headers[n] for n in names if n in self.headers}
        issue = RowIssue(
            self.numbers[pos],
            header,
            raw,
            code,
            {"value": shown(raw), **columns, **details},
            "warning" if severity == "warning" else "error",
        )
        (self.warnings if severity == "warning" else self.errors)[pos].append(issue)

    def report(self, found: dict[str, list[int]], severity: str) -> None:
        """Turn each failed rule's positions into issues (skipping cells already reported)."""
        for code, positions in found.items():
            rule = RULES_BY_CODE[code]
            name, reads = rule.column, rule.reads
            skip = set().union(*(self.bad[field] for field in (name, *reads) if field))
            for pos in positions:
                if pos not in skip:
                    self._report_one(code, name, pos, severity)

    def _report_one(self, code: str, name: str | None, pos: int, severity: str) -> None:
        raw, values = self.raw, self.values
        if code in COLUMN_MISSING and name not in self.headers:
            self.add(pos, name, COLUMN_MISSING[code], severity)  # names the field's label
        elif code == "validation.duplicate_id":
            others = [
                str(self.numbers[p]) for p in self._same_id(values["idMission"][pos]) if p != pos
            ]
            plural = "validation.duplicate_ids" if len(others) > 1 else code
            self.add(pos, name, plural, severity, rows=", ".join(others))
        elif code == "validation.peremp_before_inter":
            self.add(pos, name, code, severity, inter=show_value(raw["jourHeureInter"][pos]))
        elif code == "validation.recipient_missing":
            last, first = values["nomIndi"][pos], values["prenomIndi"][pos]
            if last and not first:
                self.add(pos, "nomIndi", "validation.recipient_no_first_name", severity)
            elif first and not last:
                self.add(pos, "prenomIndi", "validation.recipient_no_last_name", severity)
            else:
                self.add(pos, None, code, severity)
        elif code == "validation.mission_type":
            self.add(pos, name, code, severity, types=", ".join(self.options.mission_types))
        elif code == "validation.adr_ref_long":
            text = values["adrRefCli"][pos]
            self.add(pos, name, code, severity, length=len(text), shown=text[:ADR_REF_SHOWN])
        elif code == "validation.date_past":
            self.add(pos, name, code, severity, utc=values["jourHeureInter"][pos].text)
        elif code == "validation.coordinates_swapped":
            self.add(pos, name, code, severity, other=shown(raw["longitude"][pos]))
        else:
            self.add(pos, name, code, severity)

    def _same_id(self, id_mission: str) -> list[int]:
        if self._ids is None:
            self._ids = defaultdict(list)
            for pos, value in enumerate(self.values["idMission"]):
                if value is not None:
                    self._ids[value].append(pos)
        return self._ids[id_mission]

    def validated_rows(self) -> list[ValidatedRow]:
        """One :class:`ValidatedRow` per row; the valid ones carry their API parameters."""
        errors, warnings, actions = self.errors, self.warnings, self.values["action"]
        last = len(self.position)
        for issues in (*errors, *warnings):
            if len(issues) > 1:  # in the order of the source's columns, whole-row ones last
                issues.sort(key=lambda issue: self.position.get(issue.column, last))
        sent = {name: self.values[name] for name in API_FIELDS if name in self.headers}
        params = build_params_columns(
            sent,
            actions,
            default_a_envoyer=self.options.default_a_envoyer,
            keep=[not issues for issues in errors],
        )
        return [
            ValidatedRow(number, actions[pos], params[pos], errors[pos], warnings[pos])
            for pos, number in enumerate(self.numbers)
        ]


def shown(raw: Any) -> Any:
    """A cell value as the planner typed it, for a message.

    A decimal number stays a float: the catalogue writes it with a decimal comma in French.
    """
    if raw.__class__ is float and math.isfinite(raw) and not raw.is_integer():
        return raw
    return show_value(raw)


def _canonical(values: list[str | None], mission_types: Sequence[str]) -> list[str | None]:
    """Spell each mission type as configured when it matches but for case or spaces."""
    spelled = {kind.strip().casefold(): kind for kind in mission_types}
    return [spelled.get(value.casefold(), value) if value else value for value in values]
