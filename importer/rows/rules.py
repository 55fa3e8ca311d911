"""The mission rules as records, and the pandera schemas built from them.

Each :class:`Rule` says its message key, the column whose cell a problem is on, the other
columns it reads, and its check (True where a row passes) over the parsed values of every
row at once (:func:`importer.rows.validation.validate_table` makes that frame). Adding a
rule: one record in :data:`RULES` and its ``validation.*`` texts in the catalogue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from importer.fields import BY_NAME
from importer.rows.options import RowOptions

ADR_REF_SHOWN = BY_NAME["adrRefCli"].shown_length  # characters the Ocean screens show

# A check: (the parsed values of every row, the options, now in UTC) -> True where a row passes
Check = Callable[[pd.DataFrame, RowOptions, datetime], "pd.Series[bool]"]


@dataclass(frozen=True)
class Rule:
    """One validation rule: its message key, where its problem goes, and its check."""

    code: str  # message catalogue key
    column: str | None  # the field whose cell the problem is on (None: the whole row)
    reads: tuple[str, ...]  # fields it also reads: a cell among them that could not be
    # parsed was already reported, so the rule stays silent on that row
    check: Check | None  # None: the column must not be empty
    severity: Literal["error", "warning"] = "error"
    applies: Callable[[RowOptions], bool] = lambda options: True
    host: str = ""  # the frame column pandera hangs a whole-row rule on

    @property
    def frame_column(self) -> str:
        """The column of the frame the schema checks this rule under."""
        return self.column or self.host


def has_destination(frame: pd.DataFrame) -> pd.Series:
    """Rows with a destination: coordinates, a city, a postal code or a reference address."""
    return (
        frame["ville"].notna()
        | frame["codPost"].notna()
        | frame["adrRefCli"].notna()
        | frame["latitude"].notna()
        | frame["longitude"].notna()
    )


def _empty_or(name: str, passes: Callable[[pd.Series], pd.Series]) -> Check:
    """A check on one column that an empty cell passes."""
    return lambda frame, options, now: frame[name].isna() | passes(frame[name])


def _within(name: str, low: float, high: float) -> Check:
    """Empty, or a number from ``low`` to ``high``."""
    return _empty_or(name, lambda numbers: numbers.between(low, high))


def _needs(name: str, other: str) -> Check:
    """Empty, or given with ``other`` (a latitude needs its longitude)."""
    return lambda frame, options, now: frame[name].isna() | frame[other].notna()


def _recipient(f: pd.DataFrame, options: RowOptions, now: datetime) -> pd.Series:
    named = f["nomIndi"].notna() & f["prenomIndi"].notna()
    return f["nomVeh"].notna() | named | f["nomPrenom"].notna()


def _peremp_after_inter(f: pd.DataFrame, options: RowOptions, now: datetime) -> pd.Series:
    peremp, inter = f["jourHeurePeremp"], f["jourHeureInter"]
    return peremp.isna() | inter.isna() | (peremp > inter)


def _not_swapped(f: pd.DataFrame, options: RowOptions, now: datetime) -> pd.Series:
    return ~(f["latitude"].between(-6, 10) & f["longitude"].between(41, 52))


def _street_located(f: pd.DataFrame, options: RowOptions, now: datetime) -> pd.Series:
    return f["rue"].isna() | f["ville"].notna() | f["codPost"].notna()


def _some_place(f: pd.DataFrame, options: RowOptions, now: datetime) -> pd.Series:
    return has_destination(f) | f["rue"].notna()


RULES: tuple[Rule, ...] = (
    # -- errors: the row is not sent
    Rule("validation.id_required", "idMission", (), None),
    Rule(
        "validation.duplicate_id",
        "idMission",
        (),
        lambda f, o, now: f["idMission"].isna() | ~f["idMission"].duplicated(keep=False),
    ),
    Rule("validation.inter_required", "jourHeureInter", ("jourHeureInter",), None),
    Rule(
        "validation.peremp_before_inter",
        "jourHeurePeremp",
        ("jourHeureInter", "jourHeurePeremp"),
        _peremp_after_inter,
    ),
    Rule("validation.recipient_missing", None, (), _recipient, host="nomVeh"),
    Rule(
        "validation.destination_missing",
        None,
        ("latitude", "longitude"),
        lambda f, o, now: has_destination(f),
        applies=lambda options: options.require_destination,
        host="ville",
    ),
    Rule("validation.latitude_range", "latitude", (), _within("latitude", -90, 90)),
    Rule("validation.latitude_alone", "latitude", ("longitude",), _needs("latitude", "longitude")),
    Rule("validation.longitude_range", "longitude", (), _within("longitude", -180, 180)),
    Rule("validation.longitude_alone", "longitude", ("latitude",), _needs("longitude", "latitude")),
    Rule(
        "validation.mission_type",
        "typeMission",
        (),
        lambda f, o, now: f["typeMission"].isna() | f["typeMission"].isin(o.mission_types),
        applies=lambda options: bool(options.mission_types),
    ),
    # -- warnings: the row is sent, but deserves a look
    Rule(
        "validation.destination_none",
        None,
        ("latitude", "longitude"),
        _some_place,
        "warning",
        applies=lambda options: not options.require_destination,
        host="ville",
    ),
    Rule("validation.street_alone", "rue", ("latitude", "longitude"), _street_located, "warning"),
    Rule(
        "validation.adr_ref_long",
        "adrRefCli",
        (),
        _empty_or("adrRefCli", lambda text: text.str.len() <= ADR_REF_SHOWN),
        "warning",
    ),
    Rule(
        "validation.date_past",
        "jourHeureInter",
        (),
        lambda f, o, now: f["jourHeureInter"].isna() | (f["jourHeureInter"] >= now),
        "warning",
    ),
    Rule("validation.coordinates_swapped", "latitude", (), _not_swapped, "warning"),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}
# pandera names a failed ``nullable=False`` "not_nullable": which rule that is, per column
REQUIRED = {rule.frame_column: rule.code for rule in RULES if rule.check is None}


def schema(
    severity: str, frame: pd.DataFrame, options: RowOptions, now: datetime
) -> pa.DataFrameSchema:
    """The pandera schema of the rules of one severity that apply under ``options``."""
    chosen = [rule for rule in RULES if rule.severity == severity and rule.applies(options)]
    checks: dict[str, list[pa.Check]] = {rule.frame_column: [] for rule in chosen}
    required = {rule.frame_column for rule in chosen if rule.check is None}
    for rule in chosen:
        if rule.check is not None:
            checks[rule.frame_column].append(_pandera_check(rule, frame, options, now))
    return pa.DataFrameSchema(
        {name: pa.Column(nullable=name not in required, checks=c) for name, c in checks.items()}
    )


def _pandera_check(rule: Rule, frame: pd.DataFrame, options: RowOptions, now: datetime) -> pa.Check:
    """The rule as a pandera check that sees empty cells too (named by its message key)."""
    check = rule.check
    assert check is not None
    return pa.Check(lambda column: check(frame, options, now), error=rule.code, ignore_na=False)


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> dict[str, list[int]]:
    """Validate lazily; returns each failed rule's message key -> the failing row positions."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as failed:
        found: dict[str, set[int]] = defaultdict(set)
        cases = failed.failure_cases
        for check, column, index in zip(
            cases["check"], cases["column"], cases["index"], strict=True
        ):
            code = REQUIRED.get(column, "") if check == "not_nullable" else check
            if code not in RULES_BY_CODE or index is None:
                raise RuntimeError(f"unexpected schema failure: {check} on {column}") from failed
            found[code].add(int(index))
        return {code: sorted(positions) for code, positions in found.items()}
    return {}
