"""Value parsers and API parameters (importer.rows.cells)."""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from importer.messages import t
from importer.model import Action
from importer.rows.cells import (
    build_params,
    build_params_columns,
    format_decimal,
    parse_action,
    parse_boolean,
    parse_coordinate,
    parse_customer_id,
    parse_postcode,
    parse_text,
    parser_for,
    show_value,
)
from importer.rows.dates import EXCEL_EPOCH, When, parse_datetime
from importer.rows.values import ValueProblem

PARIS = ZoneInfo("Europe/Paris")


def utc_text(value: object, zone: ZoneInfo = PARIS) -> str:
    when = parse_datetime(value, zone)
    assert when is not None
    return when.text


def problem_code(parse, value: object) -> str:
    with pytest.raises(ValueProblem) as caught:
        parse(value)
    return caught.value.code


def serial(moment: datetime) -> float:
    """An Excel serial number, as a workbook cell read as a number holds it."""
    return (moment - EXCEL_EPOCH) / timedelta(days=1)


# -- dates: examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03/12/2026 08:30", "03/12/2026 07:30"),  # winter: UTC+1
        ("03/07/2026 08:30", "03/07/2026 06:30"),  # summer: UTC+2
        ("3/7/2026 8:30", "03/07/2026 06:30"),
        ("03/12/2026 8h30", "03/12/2026 07:30"),
        ("03/12/2026 08:30:59", "03/12/2026 07:30"),  # seconds dropped, not rounded
        ("03/12/26 08:30", "03/12/2026 07:30"),
        ("03-12-2026 08:30", "03/12/2026 07:30"),
        ("03.12.2026 08:30", "03/12/2026 07:30"),
        ("2026-12-03 08:30", "03/12/2026 07:30"),
        ("2026-12-03 08:30:15", "03/12/2026 07:30"),
        ("2026-12-03T08:30", "03/12/2026 07:30"),
        ("2026-12-03T08:30:00Z", "03/12/2026 08:30"),  # aware: its own offset
        ("2026-12-03T08:30:00.250+05:30", "03/12/2026 03:00"),
        ("2026-12-03T08:30-0300", "03/12/2026 11:30"),
        ("  03/12/2026 08:30  ", "03/12/2026 07:30"),
        ("01/01/2027 00:30", "31/12/2026 23:30"),  # the UTC day is the day before
        (datetime(2026, 12, 3, 8, 30), "03/12/2026 07:30"),  # an Excel date cell
        (datetime(2026, 12, 3, 8, 30, 45, 999), "03/12/2026 07:30"),
        (datetime(2026, 12, 3, 8, 30, tzinfo=UTC), "03/12/2026 08:30"),
        (pd.Timestamp("2026-12-03 08:30"), "03/12/2026 07:30"),
        (serial(datetime(2026, 12, 3, 8, 30)), "03/12/2026 07:30"),  # a serial number
    ],
    ids=repr,
)
def test_dates_are_converted_to_utc(value: object, expected: str) -> None:
    assert utc_text(value) == expected


def test_when_gives_the_utc_moment() -> None:
    when = parse_datetime("03/12/2026 08:30", PARIS)
    assert when is not None
    assert when.utc == datetime(2026, 12, 3, 7, 30, tzinfo=UTC)
    assert when.warning is None


def test_another_time_zone() -> None:
    assert utc_text("03/12/2026 08:30", ZoneInfo("America/New_York")) == "03/12/2026 13:30"
    assert utc_text("03/12/2026 08:30", ZoneInfo("UTC")) == "03/12/2026 08:30"


@pytest.mark.parametrize("value", [None, "", "   ", float("nan"), pd.NaT])
def test_empty_date_is_none(value: object) -> None:
    assert parse_datetime(value, PARIS) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("32/13/2026 08:00", "validation.month_impossible"),
        ("31/02/2026 08:00", "validation.day_impossible"),
        ("03/12/2026 24:00", "validation.time_impossible"),
        ("03/12/2026 08:60", "validation.time_impossible"),
        ("03/12/2026 08:30:61", "validation.time_impossible"),
        ("12/31/2026 08:00", "validation.month_impossible_swapped"),  # month first: not ours
        ("2026-12-03T08:30+25:00", "validation.date_format"),
        ("tomorrow 8am", "validation.date_format"),
        ("03/12/2026", "validation.date_no_time"),
        ("2026-12-03", "validation.date_no_time"),
        (date(2026, 12, 3), "validation.date_no_time"),
        (46359, "validation.date_no_time"),  # a whole serial number: midnight, no time
        (time(8, 30), "validation.time_no_date"),
        (True, "validation.date_format"),
        (-5.5, "validation.date_format"),
        (float("inf"), "validation.date_format"),
        (10**30, "validation.date_format"),
        ("03/12/0026 08:00", "validation.date_range"),
        (datetime(1, 1, 1, 0, 30), "validation.date_range"),
        (
            datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=5))),
            "validation.date_range",
        ),
        ("29/03/2026 02:30", "validation.date_gap"),
    ],
    ids=repr,
)
def test_date_problems(value: object, code: str) -> None:
    assert problem_code(lambda v: parse_datetime(v, PARIS), value) == code


def test_date_without_time_suggests_the_same_day() -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_datetime("03/12/2026", PARIS)
    assert caught.value.details == {"example": "03/12/2026 08:30"}


def test_gap_suggests_the_time_the_clocks_show() -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_datetime("29/03/2026 02:30", PARIS)
    assert caught.value.details == {"zone": "Europe/Paris", "suggestion": "29/03/2026 03:30"}


def test_ambiguous_time_takes_the_first_and_warns() -> None:
    when = parse_datetime("25/10/2026 02:30", PARIS)
    assert when is not None
    assert when.text == "25/10/2026 00:30"  # the first 02:30, still summer time (UTC+2)
    assert when.warning is not None
    assert when.warning.code == "validation.date_ambiguous"
    assert when.warning.details == {
        "zone": "Europe/Paris",
        "utc": "25/10/2026 00:30",
        "other": "25/10/2026 01:30",
        "iso": "2026-10-25T02:30+01:00",
    }
    # with an explicit offset there is no doubt
    second = parse_datetime("2026-10-25T02:30+01:00", PARIS)
    assert second is not None
    assert (second.text, second.warning) == ("25/10/2026 01:30", None)


# -- dates: properties -------------------------------------------------------------------------

NAIVE_FORMATS = {
    "dd/mm/yyyy HH:MM": lambda d: d.strftime("%d/%m/%Y %H:%M"),
    "dd/mm/yyyy HH:MM:SS": lambda d: d.strftime("%d/%m/%Y %H:%M:%S"),
    "dd/mm/yy HH:MM": lambda d: d.strftime("%d/%m/%y %H:%M"),
    "d/m/yyyy H:MM": lambda d: f"{d.day}/{d.month}/{d.year} {d.hour}:{d.minute:02d}",
    "dd-mm-yyyy HH:MM": lambda d: d.strftime("%d-%m-%Y %H:%M"),
    "dd.mm.yyyy HH:MM": lambda d: d.strftime("%d.%m.%Y %H:%M"),
    "yyyy-mm-dd HH:MM": lambda d: d.strftime("%Y-%m-%d %H:%M"),
    "yyyy-mm-dd HH:MM:SS": lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
    "yyyy-mm-ddTHH:MM:SS": lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"),
    "Excel date cell": lambda d: d,
    "Excel serial number": lambda d: serial(d.replace(microsecond=0)),
}
INSTANTS = st.datetimes(
    min_value=datetime(1912, 1, 1), max_value=datetime(2199, 12, 31), timezones=st.just(UTC)
)


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@settings(max_examples=300, deadline=None)
@given(instant=INSTANTS, name=st.sampled_from(sorted(NAIVE_FORMATS)))
@example(instant=datetime(2026, 10, 25, 0, 30, tzinfo=UTC), name="dd/mm/yyyy HH:MM")
@example(instant=datetime(2026, 10, 25, 1, 30, tzinfo=UTC), name="dd/mm/yyyy HH:MM")
@example(instant=datetime(2026, 3, 29, 1, 0, tzinfo=UTC), name="Excel date cell")
def test_local_times_in_paris_give_back_the_same_utc_minute(instant: datetime, name: str) -> None:
    local = instant.astimezone(PARIS).replace(tzinfo=None, fold=0)  # as a sheet shows it
    if name == "dd/mm/yy HH:MM":
        assume(1969 <= local.year <= 2068)
    when = parse_datetime(NAIVE_FORMATS[name](local), PARIS)
    assert when is not None
    ambiguous = (
        local.replace(fold=1, tzinfo=PARIS).utcoffset() != local.replace(tzinfo=PARIS).utcoffset()
    )
    if ambiguous:  # a time the clocks show twice: the first one is taken, with a warning
        assert when.warning is not None
        assert when.utc == minute(local.replace(tzinfo=PARIS, fold=0).astimezone(UTC))
    else:
        assert when.warning is None
        assert when.utc == minute(instant)
    assert when.text == minute(when.utc).strftime("%d/%m/%Y %H:%M")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", when.text)


@settings(max_examples=200, deadline=None)
@given(instant=INSTANTS, offset=st.integers(-14 * 60, 14 * 60), z=st.booleans())
def test_aware_times_keep_their_offset(instant: datetime, offset: int, z: bool) -> None:
    zone = UTC if z else timezone(timedelta(minutes=offset))
    local = instant.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%SZ") if z else local.isoformat()
    when = parse_datetime(text, PARIS)
    assert when is not None
    assert when.utc == minute(instant)
    assert when.warning is None


def last_sunday_of_march(year: int) -> date:
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


GAP_FORMATS = ("dd/mm/yyyy HH:MM", "yyyy-mm-dd HH:MM:SS", "Excel date cell", "Excel serial number")


@settings(max_examples=150, deadline=None)
@given(
    year=st.integers(1981, 2199),
    minutes=st.integers(0, 59),
    seconds=st.integers(0, 59),
    name=st.sampled_from(GAP_FORMATS),
)
def test_times_in_the_spring_forward_gap_always_fail(
    year: int, minutes: int, seconds: int, name: str
) -> None:
    day = last_sunday_of_march(year)
    local = datetime(day.year, day.month, day.day, 2, minutes, seconds)
    # (the clocks really do skip it: the round trip through UTC does not come back)
    assert local.replace(tzinfo=PARIS).astimezone(UTC).astimezone(PARIS).hour == 3
    with pytest.raises(ValueProblem) as caught:
        parse_datetime(NAIVE_FORMATS[name](local), PARIS)
    assert caught.value.code == "validation.date_gap"


ANY_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.from_regex(
        r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}([ T]\d{1,2}[:h]\d{1,2}(:\d{1,2})?)?", fullmatch=True
    ),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.dates(),
    st.times(),
)
FIELDS = ("jourHeureInter", "aEnvoyer", "latitude", "codPost", "customerId", "idMission", "action")


@settings(max_examples=400, deadline=None)
@given(value=ANY_CELL, field=st.sampled_from(FIELDS))
def test_any_cell_gives_a_value_or_a_value_problem(value: object, field: str) -> None:
    parse = parser_for(field, PARIS)
    try:
        result = parse(value)
    except ValueProblem as problem:
        assert problem.code.startswith("validation.")
    else:
        assert result is None or isinstance(result, str | When | Action)


@settings(max_examples=200, deadline=None)
@given(value=st.text())
def test_any_text_as_a_date_gives_a_value_or_a_value_problem(value: str) -> None:
    try:
        when = parse_datetime(value, PARIS)
    except ValueProblem as problem:
        assert problem.code.startswith("validation.date") or problem.code.startswith(
            "validation.time"
        )
    else:
        assert when is None or re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", when.text)


# -- booleans ----------------------------------------------------------------------------------

TRUE_WORDS = ["TRUE", "true", "Vrai", "VRAI", "oui", "Oui", "yes", "Y", "o", "1", "x", "X"]
FALSE_WORDS = ["FALSE", "false", "Faux", "FAUX", "non", "NON", "no", "n", "0"]


@settings(max_examples=100, deadline=None)
@given(
    word=st.sampled_from(TRUE_WORDS + FALSE_WORDS),
    left=st.sampled_from(["", " ", "  "]),
    right=st.sampled_from(["", " ", "\t"]),
)
def test_boolean_words(word: str, left: str, right: str) -> None:
    expected = "true" if word in TRUE_WORDS else "false"
    assert parse_boolean(left + word + right) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (1, "true"),
        (0, "false"),
        (1.0, "true"),
        (0.0, "false"),
        (None, None),
        ("", None),
        ("  ", None),
    ],
    ids=repr,
)
def test_boolean_values(value: object, expected: str | None) -> None:
    assert parse_boolean(value) == expected


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(), st.integers(), st.floats()))
def test_other_booleans_are_refused(value: object) -> None:
    words = {w.casefold() for w in TRUE_WORDS + FALSE_WORDS} | {"1.0", "0.0"}
    if isinstance(value, str):
        assume(value.strip().casefold() not in words and value.strip())
    else:
        assume(value not in (0, 1) and not (isinstance(value, float) and math.isnan(value)))
    assert problem_code(parse_boolean, value) == "validation.boolean"


# -- coordinates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.3522, "2.3522"),
        ("2,3522", "2.3522"),
        (" 48.8566 ", "48.8566"),
        (48, "48"),
        (48.0, "48"),
        ("-0,5", "-0.5"),
        ("\u22121,25", "-1.25"),
        (0.1 + 0.2, "0.3"),
        (1.123456789, "1.1234568"),
        (-0.0, "0"),
        ("1e-9", "0"),
    ],
    ids=repr,
)
def test_coordinates(value: object, expected: str) -> None:
    assert parse_coordinate(value) == expected


@pytest.mark.parametrize(
    "value",
    ["abc", "48°51'", "1,234.5", "1,2,3", "nan", "inf", True, float("inf"), date(2026, 1, 1)],
    ids=repr,
)
def test_bad_coordinates(value: object) -> None:
    assert problem_code(parse_coordinate, value) == "validation.coordinate"


@settings(max_examples=300, deadline=None)
@given(number=st.floats(min_value=-180, max_value=180))
def test_coordinate_text_has_a_dot_and_no_float_noise(number: float) -> None:
    text = parse_coordinate(number)
    assert text is not None
    assert parse_coordinate(repr(number)) == text
    assert parse_coordinate(repr(number).replace(".", ",")) == text
    assert re.fullmatch(r"-?\d+(\.\d{0,6}[1-9])?", text), text
    assert abs(float(text) - number) <= 5e-8


def test_format_decimal() -> None:
    assert [format_decimal(x) for x in (2.5, 2.0, -7.25, 1e-12)] == ["2.5", "2", "-7.25", "0"]


# -- postal codes, customer IDs, text ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (75001, "75001"),
        (1000, "01000"),
        (1000.0, "01000"),
        ("01000", "01000"),
        (" 75001 ", "75001"),
        ("1000", "1000"),
        ("1000.0", "01000"),
        ("B-1000", "B-1000"),
        (123, "123"),
        (None, None),
        ("", None),
    ],
    ids=repr,
)
def test_postcodes(value: object, expected: str | None) -> None:
    assert parse_postcode(value) == expected


@pytest.mark.parametrize("value", [75001.5, -1000, True, datetime(2026, 1, 1)], ids=repr)
def test_bad_postcodes(value: object) -> None:
    assert problem_code(parse_postcode, value) == "validation.postcode"


@settings(max_examples=200, deadline=None)
@given(number=st.integers(0, 99_999), as_float=st.booleans())
def test_numeric_postcodes_never_show_a_decimal(number: int, as_float: bool) -> None:
    text = parse_postcode(float(number) if as_float else number)
    assert text is not None
    assert "." not in text and int(text) == number
    assert len(text) == (5 if 1000 <= number <= 9999 else len(str(number)))


@settings(max_examples=200, deadline=None)
@given(text=st.text().filter(lambda s: s.strip() and not re.fullmatch(r"\d+\.0*", s.strip())))
def test_text_postcodes_are_kept(text: str) -> None:
    assert parse_postcode(text) == text.strip()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100, "100"),
        (100.0, "100"),
        ("100", "100"),
        (" 0100 ", "100"),
        ("100.0", "100"),
        (None, None),
        ("", None),
    ],
    ids=repr,
)
def test_customer_ids(value: object, expected: str | None) -> None:
    assert parse_customer_id(value) == expected


@pytest.mark.parametrize(
    "value", ["abc", 1.5, -3, "-3", True, "1e3", "١٢", 2**63, "10 0"], ids=repr
)
def test_bad_customer_ids(value: object) -> None:
    assert problem_code(parse_customer_id, value) == "validation.customer_id"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Paris  ", "Paris"),
        (1234.0, "1234"),
        (1234, "1234"),
        (12.5, "12.5"),
        (True, "true"),
        (datetime(2026, 12, 3, 8, 30), "03/12/2026 08:30"),
        (date(2026, 12, 3), "03/12/2026"),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
        ("a\nb", "a\nb"),
    ],
    ids=repr,
)
def test_text(value: object, expected: str | None) -> None:
    assert parse_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234.0, "1234"),
        (True, "TRUE"),
        (datetime(2026, 12, 3, 8, 30, 5), "03/12/2026 08:30:05"),
        (" x ", "x"),
        (None, ""),
        (time(8, 5), "08:05"),
    ],
    ids=repr,
)
def test_show_value(value: object, expected: str) -> None:
    assert show_value(value) == expected


# -- actions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("create", Action.CREATE),
        ("Ajout", Action.CREATE),
        ("création", Action.CREATE),
        ("CREATION", Action.CREATE),
        ("add", Action.CREATE),
        ("modify", Action.MODIFY),
        ("Modification", Action.MODIFY),
        ("modifier", Action.MODIFY),
        ("update", Action.MODIFY),
        ("delete", Action.DELETE),
        ("Suppression", Action.DELETE),
        ("supprimer", Action.DELETE),
        ("supprimé", Action.DELETE),
        ("remove", Action.DELETE),
        (" UPSERT ", Action.UPSERT),
        (None, None),
        ("", None),
    ],
    ids=repr,
)
def test_actions(value: object, expected: Action | None) -> None:
    assert parse_action(value) == expected


@pytest.mark.parametrize("value", ["créer ou pas", "archive", 1, True], ids=repr)
def test_unknown_actions(value: object) -> None:
    assert problem_code(parse_action, value) == "validation.action"


# -- the API parameters ------------------------------------------------------------------------


def test_build_params_keeps_only_what_is_filled() -> None:
    inter = parse_datetime("03/12/2026 08:30", PARIS)
    params = build_params(
        {
            "idMission": "M1",
            "jourHeureInter": inter,
            "jourHeurePeremp": None,
            "nomVeh": "VH1",
            "commentaire": None,
            "codPost": "01000",
            "longitude": "2.3522",
            "latitude": "48.8566",
        }
    )
    assert params == {
        "idMission": "M1",
        "jourHeureInter": "03/12/2026 07:30",
        "nomVeh": "VH1",
        "codPost": "01000",
        "aEnvoyer": "true",
        "longitude": "2.3522",
        "latitude": "48.8566",
    }
    assert all(isinstance(v, str) for v in params.values())


def test_build_params_a_envoyer() -> None:
    assert build_params({"idMission": "M1"}, default_a_envoyer=False)["aEnvoyer"] == "false"
    assert (
        build_params({"idMission": "M1", "aEnvoyer": "true"}, default_a_envoyer=False)["aEnvoyer"]
        == "true"
    )
    assert build_params({"idMission": "M1", "aEnvoyer": "false"})["aEnvoyer"] == "false"


def test_build_params_for_a_delete_sends_only_the_ids() -> None:
    values = {"idMission": "M1", "customerId": "100", "nomVeh": "VH1", "aEnvoyer": "true"}
    assert build_params(values, action=Action.DELETE) == {"idMission": "M1", "customerId": "100"}
    assert build_params({"idMission": "M1"}, action=Action.DELETE) == {"idMission": "M1"}


def test_build_params_columns_matches_row_by_row() -> None:
    columns = {
        "idMission": ["M1", "M2", "M3"],
        "nomVeh": ["V", None, "W"],
        "aEnvoyer": [None, "false", None],
    }
    actions = [None, Action.DELETE, Action.CREATE]
    rows = build_params_columns(columns, actions, keep=[True, True, False])
    assert rows == [
        {"idMission": "M1", "nomVeh": "V", "aEnvoyer": "true"},
        {"idMission": "M2"},
        None,
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1901, 9997),
    st.integers(1, 12),
    st.integers(0, 99),
    st.sampled_from(["", " 08:30", " 23:59"]),
)
def test_an_impossible_day_names_the_last_day_and_the_next_month(
    year: int, month: int, day: int, clock: str
) -> None:
    last = calendar.monthrange(year, month)[1]
    assume(day == 0 or day > last)
    typed = f"{day:02d}/{month:02d}/{year}{clock}"
    with pytest.raises(ValueProblem) as caught:
        parse_datetime(typed, PARIS)
    problem = caught.value
    assert problem.code == "validation.day_impossible"
    first = date(year, month, 1)
    before, after = (
        (date(year, month, last), first + timedelta(days=last))
        if day
        else (first - timedelta(days=1), first)
    )
    assert problem.details["before"] == before.strftime("%d/%m/%Y") + clock
    assert problem.details["after"] == after.strftime("%d/%m/%Y") + clock
    message = t(problem.code, value=typed, **problem.details)
    assert message.startswith(f'"{typed}" is not a real date')
