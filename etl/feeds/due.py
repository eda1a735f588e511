"""Due dates of the monthly feeds: "每月的3日(遇休息日顺延)前" (seed 002).

A period's report is due on the 3rd of the following month; when that day is not a working day
it rolls to the next working day. Working days are those of the official calendar as the
``chinese-calendar`` package records the State Council's yearly holiday notices (国务院办公厅关于
部分节假日安排的通知), make-up working days (调休上班, a Saturday or Sunday that is a working day)
included: such a day counts as working. No holiday list is written here.

The package covers a fixed range of years (1.11.0: 2004-2026); a date outside it is a one-line
``CalendarError``, never a guess. A report is *on time* when its ``submitted_at`` falls on or
before its due date (any time of that day, Beijing time).
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import chinese_calendar

from etl.dates import month_number
from etl.errors import EtlError

DUE_DAY = 3
MAX_ROLL_DAYS = 31  # no official holiday is that long: a longer roll means a broken calendar


class CalendarError(EtlError):
    """The official working-day calendar does not cover a year a due date needs."""


def is_working_day(day: date) -> bool:
    """Whether ``day`` is an official working day (make-up working days included)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        version = getattr(chinese_calendar, "__version__", "?")
        raise CalendarError(
            f"the official holiday calendar (chinese-calendar {version}) has no data for "
            f"{day.year}: update the package (pip install -U chinese-calendar)"
        ) from None


@functools.lru_cache(maxsize=1024)
def due_date(period: str) -> date:
    """The day by which ``period``'s (YYYY-MM) report is due: the 3rd of the next month, or the
    first working day after it. Raises ``CalendarError`` for a year the calendar lacks."""
    month = month_number(period) + 1
    day = date(month // 12, month % 12 + 1, DUE_DAY)
    for _ in range(MAX_ROLL_DAYS):
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    raise CalendarError(f"no working day within {MAX_ROLL_DAYS} days of {period}'s due date")
