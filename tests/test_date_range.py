"""Ranges of local days (importer/date_range.py): days as planners write them, ISO weeks
across year ends, and day bounds in UTC on the days clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer.date_range import DayRange, day_start, parse_day, parse_week, week_name, week_of

PARIS = ZoneInfo("Europe/Paris")
# Zones whose changes fall at midnight or skip it (Santiago, Havana, Beirut), far from UTC
# (Auckland, Kiritimati) or by half an hour (Lord Howe), beside Paris and UTC.
ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/Paris",
        "UTC",
        "America/Santiago",
        "America/Havana",
        "Asia/Beirut",
        "Pacific/Auckland",
        "Pacific/Kiritimati",
        "Australia/Lord_Howe",
    )
]
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07/12/2026", date(2026, 12, 7)),
        ("7/12/2026", date(2026, 12, 7)),
        (" 31/12/2026 ", date(2026, 12, 31)),
        ("2026-12-07", date(2026, 12, 7)),
        ("29/02/2028", date(2028, 2, 29)),
    ],
    ids=["dd/mm/yyyy", "d/mm/yyyy", "spaces", "iso", "leap-day"],
)
def test_a_day_is_read_as_planners_write_it(text: str, expected: date) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31/02/2026", "29/02/2027", "12/07/26", "2026-12-7", "12-07-2026", "tomorrow", "", "2026-W50"],
)
def test_what_is_not_a_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a day|day is out of range|month must be"):
        parse_day(text)


def test_a_week_is_monday_to_sunday_and_named_as_iso_does() -> None:
    week = parse_week("2026-W50")
    assert (week.first, week.last, week.week) == (date(2026, 12, 7), date(2026, 12, 13), "2026-W50")
    assert parse_week("2026w50") == week and parse_week("2026-w50") == week
    # 2026 ends on a Thursday: its week 53 runs into 2027; 2027 has only 52 weeks.
    assert parse_week("2026-W53") == DayRange(date(2026, 12, 28), date(2027, 1, 3), "2026-W53")
    assert parse_week("2027-W01").first == date(2027, 1, 4)
    with pytest.raises(ValueError):
        parse_week("2027-W53")
    for wrong in ("2026-W00", "2026-W54", "W50", "2026-50", "50"):
        with pytest.raises(ValueError):
            parse_week(wrong)


@given(days)
def test_the_week_of_a_day_holds_it_and_its_name_gives_it_back(day: date) -> None:
    week = week_of(day)
    assert week.last is not None
    assert week.first.isoweekday() == 1 and week.last.isoweekday() == 7
    assert (week.last - week.first).days == 6
    assert week.first <= day <= week.last
    assert week.week == week_name(day)
    assert parse_week(week_name(day)) == week
    # the week's year is ISO's: around New Year it may be the year before or after the day's
    year = int(week_name(day)[:4])
    assert year in (day.year - 1, day.year, day.year + 1)
    assert year == (week.first + timedelta(days=3)).year  # the Thursday decides


@given(st.integers(min_value=2000, max_value=2060))
def test_weeks_run_on_across_new_year(year: int) -> None:
    last = parse_week(f"{year}-W{date(year, 12, 28).isocalendar()[1]:02d}")  # 28/12: last week
    after = parse_week(f"{year + 1}-W01")
    assert last.last is not None
    assert after.first == last.last + timedelta(days=1)
    assert after.first <= date(year + 1, 1, 4) <= after.last  # type: ignore[operator]
    assert last.first <= date(year, 12, 28) <= last.last


@given(days, st.sampled_from(ZONES))
def test_a_day_starts_at_its_first_local_moment(day: date, zone: ZoneInfo) -> None:
    start = day_start(day, zone)
    assert start.tzinfo is UTC
    assert start.astimezone(zone).date() == day
    assert (start - timedelta(microseconds=1)).astimezone(zone).date() < day


@given(
    days,
    st.integers(min_value=0, max_value=20),
    st.sampled_from(ZONES),
    st.integers(min_value=-3 * 24 * 60, max_value=25 * 24 * 60),
)
def test_the_utc_bounds_and_the_local_days_agree(
    first: date, length: int, zone: ZoneInfo, minutes: int
) -> None:
    days_ = DayRange(first, first + timedelta(days=length))
    start, end = days_.utc_bounds(zone)
    assert end is not None
    moment = start + timedelta(minutes=minutes)
    assert days_.contains(moment, zone) == (start <= moment < end)


def test_local_midnight_on_the_days_clocks_change_in_paris() -> None:
    # 29/03/2026 lasts 23 hours, 25/10/2026 lasts 25: each starts at its own midnight.
    spring = DayRange(date(2026, 3, 29), date(2026, 3, 29))
    assert spring.utc_bounds(PARIS) == (
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
    )
    autumn = DayRange(date(2026, 10, 25), date(2026, 10, 25))
    assert autumn.utc_bounds(PARIS) == (
        datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
    )
    onward = DayRange(date(2026, 10, 25))
    assert onward.utc_bounds(PARIS)[1] is None
    assert onward.contains(datetime(2099, 1, 1, tzinfo=UTC), PARIS)
    assert not onward.contains(datetime(2026, 10, 24, 21, 59, tzinfo=UTC), PARIS)


def test_a_range_ends_after_it_starts_and_names_itself_for_files() -> None:
    with pytest.raises(ValueError):
        DayRange(date(2026, 12, 8), date(2026, 12, 7))
    assert DayRange(date(2026, 12, 7), date(2026, 12, 11)).label() == "2026-12-07_2026-12-11"
    assert DayRange(date(2026, 12, 7)).label() == "2026-12-07_"
    assert parse_week("2026-W50").label() == "2026-W50"
    assert DayRange(date(2026, 12, 7)).shown() == ("07/12/2026", "")
