"""Impossible dates explained: which real dates are nearest 31/02/2027, what month 13 means.

:func:`impossible_day` gives the message key and details naming the nearest real dates,
or how to write the date day first; :mod:`importer.rows.cells` raises them as a problem.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

MIN_YEAR, MAX_YEAR = 1900, 9998  # plausible dates; keeps every UTC conversion in range


def impossible_day(
    year: int, month: int, day: int, shown_time: str
) -> tuple[str, dict[str, Any]] | None:
    """None for a real date, else (message key, details) naming the nearest real dates.

    ``shown_time`` (" 08:30" or "") is added to the dates suggested.
    """
    if not 1 <= month <= 12:
        swapped = ""
        if 1 <= day <= 12 and 1 <= month <= calendar.monthrange(year, day)[1]:
            swapped = f"{month:02d}/{day:02d}/{year:04d}{shown_time}"
        key = "validation.month_impossible_swapped" if swapped else "validation.month_impossible"
        return key, {"month": month, "swapped": swapped}
    last = calendar.monthrange(year, month)[1]
    if 1 <= day <= last:
        return None
    first_of_month = date(year, month, 1)
    if day > last:
        before = date(year, month, last)
        after = first_of_month + timedelta(days=last) if year < MAX_YEAR or month < 12 else None
    else:  # day 0
        before = first_of_month - timedelta(days=1) if year > MIN_YEAR or month > 1 else None
        after = first_of_month
    before, after = before or after, after or before  # (1900 and 9998 have one side only)
    return "validation.day_impossible", {
        "day": day,
        "last": last,
        "before": _day_month_year(before) + shown_time,
        "after": _day_month_year(after) + shown_time,
    }


def _day_month_year(day: date | None) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""
