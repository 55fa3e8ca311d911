"""Property-based tests: header matching, value parsers and the CSV reader never crash.

No exception escapes but the tool's own (ValueProblem from a parser, InputError from the
reader), and what is accepted comes back unchanged (round trips).
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
import unicodedata
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from importer.errors import InputError
from importer.read.table import read_table
from importer.rows.cells import parse_boolean, parse_coordinate, parse_postcode, parser_for
from importer.rows.columns import FIELD_NAMES, FIELDS, match_header, normalise_header
from importer.rows.dates import (
    EXCEL_EPOCH,
    api_date_text,
    api_time_in_zone,
    parse_datetime,
    read_api_date,
    shown_date_time,
)
from importer.rows.values import ValueProblem

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ZONES = [UTC, PARIS, zoneinfo.ZoneInfo("America/New_York"), zoneinfo.ZoneInfo("Asia/Kolkata")]
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What a cell can hold once read (see importer.model.SourceTable), plus what pandas adds.
CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["", " ", "\t", "NaN", "nan", "inf", "-0", "1e400", "٣", "²", "½", "\x00"]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.datetimes(timezones=st.timezones()),
    st.dates(),
    st.times(),
    st.just(pd.NaT),
)

# --- header matching ---------------------------------------------------------------------------

SEPARATORS = [" ", "_", "-", "  ", "\t", "\u00a0", "'", "."]
ACCENTS = ["\u0301", "\u0300", "\u0302", "\u0308"]  # acute, grave, circumflex, diaeresis


@SOME
@given(header=st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.binary()))
def test_match_header_never_raises_and_names_a_field_or_nothing(header):
    field = match_header(header)
    assert field is None or field in FIELD_NAMES
    folded = normalise_header(header)
    assert normalise_header(folded) == folded  # folding twice changes nothing


@SOME
@given(
    header=st.text(),
    mapping=st.dictionaries(st.text(max_size=10), st.sampled_from(FIELD_NAMES)),
)
def test_a_user_mapping_never_makes_matching_raise_and_wins(header, mapping):
    field = match_header(header, mapping)
    assert field is None or field in FIELD_NAMES
    key = normalise_header(header)
    theirs = [k for k in mapping if normalise_header(k) == key]
    if key and theirs:
        assert field == mapping[theirs[0]]  # the user's mapping wins over built-in names


SPELLINGS = [
    pytest.param(f.name, spelling, id=f"{f.name}:{spelling}")
    for f in FIELDS
    for spelling in dict.fromkeys((f.name, f.label_en, f.label_fr, *f.aliases))
]


@st.composite
def disguised(draw, spelling: str) -> str:
    """The spelling with random case, separators and accents, as a person might type it."""
    out = [draw(st.sampled_from(["", " ", "  ", "\t"]))]
    for char in spelling:
        if char.isalpha():
            char = char.upper() if draw(st.booleans()) else char.lower()
            if char.isascii() and draw(st.integers(0, 4)) == 0:
                char = unicodedata.normalize("NFC", char + draw(st.sampled_from(ACCENTS)))
        out.append(char)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
    out.append(draw(st.sampled_from(["", " ", "\n"])))
    return "".join(out)


@pytest.mark.parametrize(("field", "spelling"), SPELLINGS)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_every_label_maps_to_its_field_however_it_is_typed(field, spelling, data):
    variant = data.draw(disguised(spelling))
    assert match_header(variant) == field, variant


# --- value parsers -----------------------------------------------------------------------------


@SOME
@given(value=CELLS, field=st.sampled_from(FIELD_NAMES), zone=st.sampled_from(ZONES))
def test_parsers_raise_nothing_but_value_problem(value, field, zone):
    try:
        parsed = parser_for(field, zone)(value)
    except ValueProblem as problem:
        assert problem.code.startswith("validation.")
        return
    if parsed is not None and field not in ("jourHeureInter", "jourHeurePeremp", "action"):
        assert isinstance(parsed, str)
        assert parsed == parsed.strip() and parsed


MINUTES = st.datetimes(min_value=datetime(1901, 1, 2), max_value=datetime(9997, 12, 30)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)
TEXT_FORMATS = [
    "{d:%d}/{d:%m}/{d:%Y} {d:%H}:{d:%M}",
    "{d:%d}-{d:%m}-{d:%Y} {d:%H}:{d:%M}",
    "{d:%d}.{d:%m}.{d:%Y} {d:%H}h{d:%M}",
    "{d:%Y}-{d:%m}-{d:%d}T{d:%H}:{d:%M}:00",
    "{d:%Y}/{d:%m}/{d:%d} {d:%H}:{d:%M}",
    " {d:%d}/{d:%m}/{d:%Y} {d:%H}:{d:%M} ",
]


def local_back(utc_minutes_text: str, zone) -> datetime:
    moment = datetime.strptime(utc_minutes_text, "%d/%m/%Y %H:%M").replace(tzinfo=UTC)
    return moment.astimezone(zone).replace(tzinfo=None)


@SOME
@given(moment=MINUTES, pattern=st.sampled_from(TEXT_FORMATS), zone=st.sampled_from(ZONES))
@example(moment=datetime(2026, 3, 29, 2, 30), pattern=TEXT_FORMATS[0], zone=PARIS)  # gap
@example(moment=datetime(2026, 10, 25, 2, 30), pattern=TEXT_FORMATS[0], zone=PARIS)  # fold
@example(moment=datetime(1911, 1, 1, 0, 0), pattern=TEXT_FORMATS[0], zone=PARIS)  # +00:09:21
def test_accepted_dates_round_trip(moment, pattern, zone):
    text = pattern.format(d=moment)
    try:
        when = parse_datetime(text, zone)
    except ValueProblem as problem:
        assert problem.code == "validation.date_gap"  # only a time the clocks skip
        assert zone.utcoffset(moment) != zone.utcoffset(moment.replace(fold=1))
        return
    assert when is not None
    back = local_back(when.text, zone)  # the UTC sent is this local time...
    if zone.utcoffset(moment).seconds % 60:  # ...to the minute, under a local mean time
        assert abs(back - moment) < timedelta(minutes=1)  # (Paris before 1911): no seconds
    else:
        assert back == moment
    assert parse_datetime(when.text, UTC).text == when.text  # and reads back as itself
    assert when.text == shown_date_time(when.utc)
    assert parse_datetime(moment, zone).text == when.text  # a real datetime cell agrees


@SOME
@given(moment=MINUTES.filter(lambda m: m.time() != time(0, 0)), zone=st.sampled_from(ZONES))
def test_the_sandbox_reads_the_utc_text_the_client_sends_as_the_same_moment(moment, zone):
    try:
        when = parse_datetime(moment, zone)
    except ValueProblem:  # a local time the clocks skip: nothing is sent
        return
    assert when is not None
    assert read_api_date(when.text) == when.utc  # the sandbox's check accepts it, same minute
    assert api_date_text(when.utc) == when.text
    local = api_time_in_zone(when.text, str(zone))  # and `status` shows it back, local
    assert local == shown_date_time(when.utc.astimezone(zone))


@pytest.mark.parametrize(
    "text", ["31/02/2027 08:30", "3/12/2026 08:30", "03/12/2026 8:30", "03/12/2026 08:30\n"]
)
def test_the_sandbox_refuses_a_utc_text_that_is_not_exactly_the_api_format(text):
    assert read_api_date(text) is None


@SOME
@given(moment=MINUTES.filter(lambda m: m.time() != time(0, 0)), zone=st.sampled_from(ZONES))
@example(moment=datetime(2000, 10, 29, 2, 0), zone=PARIS)  # a fold: both carry a warning
def test_excel_serial_numbers_mean_the_same_moment_as_the_date(moment, zone):
    serial = (moment - EXCEL_EPOCH) / timedelta(days=1)
    try:
        from_serial = parse_datetime(serial, zone)
    except ValueProblem as problem:
        assert problem.code == "validation.date_gap"
        return
    expected = parse_datetime(moment, zone)
    assert (from_serial.minutes, from_serial.text) == (expected.minutes, expected.text)
    warnings = [w and (w.code, w.details) for w in (from_serial.warning, expected.warning)]
    assert warnings[0] == warnings[1]  # (a ValueProblem compares by identity)


@SOME
@given(day=st.dates(min_value=date(1901, 1, 1), max_value=date(9997, 1, 1)))
def test_a_date_without_a_time_is_refused_with_an_example(day):
    for value in (day, f"{day:%d/%m/%Y}", datetime.combine(day, time()) - EXCEL_EPOCH):
        if isinstance(value, timedelta):
            value = value / timedelta(days=1)
        with pytest.raises(ValueProblem) as problem:
            parse_datetime(value, PARIS)
        assert problem.value.code == "validation.date_no_time"


BOOLEAN_WORDS = {
    "true": ["true", "vrai", "oui", "yes", "y", "o", "1", "x"],
    "false": ["false", "faux", "non", "no", "n", "0"],
}


@SOME
@given(
    expected=st.sampled_from(["true", "false"]),
    data=st.data(),
    pad=st.sampled_from(["", " ", "\t", "  "]),
)
def test_booleans_in_any_case_and_spacing(expected, data, pad):
    word = data.draw(st.sampled_from(BOOLEAN_WORDS[expected]))
    typed = "".join(c.upper() if data.draw(st.booleans()) else c for c in word)
    assert parse_boolean(f"{pad}{typed}{pad}") == expected
    assert parse_boolean(expected) == expected  # the normalised value reads back as itself
    assert parse_boolean(expected == "true") == expected
    assert parse_boolean(1 if expected == "true" else 0) == expected


@SOME
@given(value=CELLS)
def test_booleans_are_true_false_empty_or_a_value_problem(value):
    try:
        parsed = parse_boolean(value)
    except ValueProblem as problem:
        assert problem.code == "validation.boolean"
        return
    assert parsed in ("true", "false", None)


@SOME
@given(
    number=st.floats(min_value=-180, max_value=180, allow_nan=False),
    decimals=st.integers(0, 7),
    comma=st.booleans(),
    sign_space=st.sampled_from(["", " "]),
)
def test_numbers_with_a_decimal_comma_or_dot_mean_the_same(number, decimals, comma, sign_space):
    text = f"{number:.{decimals}f}"
    typed = text.replace(".", ",") if comma else text
    parsed = parse_coordinate(f"{sign_space}{typed}{sign_space}")
    assert parsed == parse_coordinate(text) == parse_coordinate(float(text))
    assert "," not in parsed and "e" not in parsed.lower()
    assert math.isclose(float(parsed), float(text), abs_tol=1e-7)
    assert parse_coordinate(parsed) == parsed  # idempotent


@SOME
@given(value=CELLS)
def test_coordinates_are_plain_decimal_text_or_a_value_problem(value):
    try:
        parsed = parse_coordinate(value)
    except ValueProblem as problem:
        assert problem.code == "validation.coordinate"
        return
    if parsed is not None:
        assert isinstance(parsed, str)
        assert math.isfinite(float(parsed))
        assert "e" not in parsed.lower() and "," not in parsed


@SOME
@given(code=st.integers(0, 99_999), width=st.sampled_from([0, 5]))
def test_postcodes_stay_text_with_their_leading_zero(code, width):
    text = f"{code:0{width}d}"
    as_text = parse_postcode(text)
    assert as_text == text  # typed text is kept as typed (a person chose it)
    for number in (code, float(code), f"{code}.0"):  # numbers (and their exports) are padded
        parsed = parse_postcode(number)
        assert isinstance(parsed, str) and parsed.isdigit(), parsed
        assert int(parsed) == code
        if 1000 <= code <= 9999:
            assert parsed == f"{code:05d}"


@SOME
@given(value=CELLS)
def test_postcodes_never_become_floats(value):
    try:
        parsed = parse_postcode(value)
    except ValueProblem as problem:
        assert problem.code == "validation.postcode"
        return
    assert parsed is None or isinstance(parsed, str)
    if isinstance(value, int | float) and not isinstance(value, bool) and parsed is not None:
        assert parsed.isdigit()  # never "69003.0" nor "6.9e4"


# --- the CSV reader ----------------------------------------------------------------------------

HEADERS = ["idMission", "jourHeureInter", "ville", "commentaire"]
CELL_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=15
)
SPECIAL = st.sampled_from(['"', '""', ";", ",", "\t", "\n", " ", "é", "€", "=1+1", "'", "\ufeff"])
CELL = st.one_of(CELL_TEXT, SPECIAL, st.lists(SPECIAL, max_size=4).map("".join))


def write_csv(rows, delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def read_bytes(data: bytes, name: str = "planning.csv"):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return read_table(path)


@FEW
@given(
    rows=st.lists(st.lists(CELL, min_size=4, max_size=4), min_size=1, max_size=6),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_csv_values_come_back_exactly(rows, delimiter, encoding):
    assume(not rows[0][0].startswith("\ufeff"))
    kept = [row for row in rows if any(cell.strip() for cell in row)]
    data = write_csv(rows, delimiter, encoding)
    if not kept:
        with pytest.raises(InputError):
            read_bytes(data)
        return
    table = read_bytes(data)
    assert table.headers == HEADERS
    got = [[None if v is None else v for v in record] for record in table.data.values.tolist()]
    assert got == [[cell or None for cell in row] for row in kept]
    assert list(table.data.index) == sorted(set(table.data.index))  # row numbers increase


FRAGMENTS = st.sampled_from(
    [
        b"idMission;jourHeureInter\r\n",
        b"idMission,ville\n",
        b'"',
        b'""',
        b";",
        b"\r",
        b"\n",
        b"\x00",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
        b"\xc3\xa9",
        b"\xe9",
        b"\x81",
        b"PK\x03\x04",
        b"M-1;01/02/2027 08:30\r\n",
    ]
)


@SOME
@given(
    parts=st.lists(st.one_of(FRAGMENTS, st.binary(max_size=30)), max_size=12),
    ext=st.sampled_from([".csv", ".tsv", ".txt"]),
)
def test_arbitrary_bytes_in_a_csv_only_raise_input_error(parts, ext):
    data = b"".join(parts)
    try:
        table = read_bytes(data, f"planning{ext}")
    except InputError as error:
        message = str(error)
        assert f"planning{ext}" in message and "\n" not in message.strip()
        return
    assert len(table.headers) == len(set(table.headers))  # columns made unique
    assert len(table.data) >= 1
    assert all(number >= 1 for number in table.data.index)


# --- the client's form encoding ------------------------------------------------------------------


@SOME
@given(params=st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=8))
def test_form_encoding_is_urlencode(params):
    from urllib.parse import urlencode

    from importer.send.transport import form_encode

    assert form_encode(params) == urlencode(params)
    assert form_encode(params) == urlencode(params)  # the second time from the cache
