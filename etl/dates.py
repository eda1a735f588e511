"""Periods, days and completed ages of the record format, vectorised with numpy.

Terms
-----
*Period*: a reporting month, written ``YYYY-MM``. In arrays a period is a *month number*, months
since year 0: ``year * 12 + month - 1`` (2009-01 is 24108), so consecutive months are consecutive
integers, ``m // 12`` is the year and ``m % 12 + 1`` the month.

*Day*: a date as days since 1970-01-01 (proleptic Gregorian), int64, as Arrow's ``date32`` and
numpy's ``datetime64[D]`` count them. Days are looked up in a table of the first day of every
month of the years :data:`FIRST_YEAR` .. :data:`LAST_YEAR`; a date outside those years does not
exist here (:func:`day_number`), and month numbers outside them are clipped to the nearest end.

*Reporting window*: the periods a record may carry (:class:`PeriodWindow`), from the programme's
first reporting month to the month of the run's date (or a configured last month); staging
quarantines a period outside it.

*Age*: completed years on the first day of the period (DESIGN.md §3). A person born on the 1st of
the period's month has the birthday on that first day; one born on the 2nd or later does not yet,
so a child born during the period is 0 (or -1 when born after its first day: callers clip).

Both the staging step (``etl.stage``) and the synthetic generator (``synthetic.generate``) use
these functions, so a generated record and its staged form agree on every date and age.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

FIRST_YEAR, LAST_YEAR = 1800, 2200
_PERIOD = re.compile(r"(\d{4})-(\d{2})")
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_EPOCH_MONTH = 1970 * 12


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_TABLE_MONTHS = np.arange(FIRST_YEAR * 12, (LAST_YEAR + 1) * 12 + 1, dtype=np.int64)
_MONTH_START = _days_from_civil(
    _TABLE_MONTHS // 12, _TABLE_MONTHS % 12 + 1, np.ones_like(_TABLE_MONTHS)
)
"""Day of the first day of every month from FIRST_YEAR-01 to (LAST_YEAR + 1)-01."""


# --- periods as text ------------------------------------------------------------------------------


def month_number(period: str) -> int:
    """The month number of a ``YYYY-MM`` period; ``ValueError`` for anything else."""
    match = _PERIOD.fullmatch(period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"a period is YYYY-MM, got {period!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def period_label(month: int) -> str:
    """``YYYY-MM`` of a month number."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """The periods ``first`` .. ``last``, both included (none when ``last`` is before ``first``)."""
    return [period_label(m) for m in range(month_number(first), month_number(last) + 1)]


def period_text(months: np.ndarray) -> pa.Array:
    """Month numbers as dictionary-encoded ``YYYY-MM`` text."""
    if len(months) == 0:
        return pa.array([], pa.string())
    unique, index = np.unique(months, return_inverse=True)
    labels = pa.array([period_label(m) for m in unique.tolist()])
    return pa.DictionaryArray.from_arrays(pa.array(index.astype(np.int32)), labels)


@dataclass(frozen=True)
class PeriodWindow:
    """The periods ``first`` .. ``last`` (``YYYY-MM``, both included) a record may carry.

    ``ValueError`` when either is not a ``YYYY-MM`` month or ``last`` comes before ``first``.
    """

    first: str
    last: str

    def __post_init__(self) -> None:
        if month_number(self.first) > month_number(self.last):
            raise ValueError(f"the reporting window {self.first}..{self.last} ends before it starts")

    @classmethod
    def through(cls, first: str, last: str | None, today: date) -> PeriodWindow:
        """``first`` .. ``last``, or .. the month of ``today`` (no later period has happened)."""
        return cls(first, last or f"{today.year:04d}-{today.month:02d}")

    def months(self) -> tuple[int, int]:
        """The month numbers of ``first`` and ``last``."""
        return month_number(self.first), month_number(self.last)


# --- days ---------------------------------------------------------------------------------------


def first_day(months: np.ndarray) -> np.ndarray:
    """Day of the first day of each month number."""
    return _MONTH_START[np.clip(months - FIRST_YEAR * 12, 0, len(_MONTH_START) - 1)]


def last_day(months: np.ndarray) -> np.ndarray:
    """Day of the last day of each month number."""
    return first_day(months + 1) - 1


def day_number(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Day of each (year, month, day), and whether that date exists (in FIRST_YEAR..LAST_YEAR).

    A date that does not exist (2010-02-30, month 13) gets day 0 (1970-01-01).
    """
    month_ok = (month >= 1) & (month <= 12)
    mi = np.clip(month, 1, 12) - 1
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    length = _DAYS_IN_MONTH[mi] + ((mi == 1) & leap)
    exists = month_ok & (day >= 1) & (day <= length) & (year >= FIRST_YEAR) & (year <= LAST_YEAR)
    days = first_day(np.where(exists, year * 12 + mi, _EPOCH_MONTH)) + np.where(exists, day - 1, 0)
    return days, exists


def month_and_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Month number and day of the month (1-31) of each day."""
    index = np.searchsorted(_MONTH_START, days, side="right") - 1
    day = days - _MONTH_START[np.clip(index, 0, None)] + 1
    return index + FIRST_YEAR * 12, day


def calendar_date(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of the month of each day."""
    months, day = month_and_day(np.asarray(days, dtype=np.int64))
    return months // 12, months % 12 + 1, day


# --- ages ---------------------------------------------------------------------------------------


def completed_years(
    birth_month: np.ndarray, birth_day: np.ndarray, months: np.ndarray
) -> np.ndarray:
    """Age on the first day of the periods ``months`` of people born on day ``birth_day`` of month
    number ``birth_month`` (see :func:`month_and_day`)."""
    not_yet = (months % 12 < birth_month % 12) | (
        (months % 12 == birth_month % 12) & (birth_day > 1)
    )
    return months // 12 - birth_month // 12 - not_yet


def completed_age(birth_days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Age on the first day of the periods ``months`` of people born on the days ``birth_days``."""
    birth_month, birth_day = month_and_day(birth_days)
    return completed_years(birth_month, birth_day, months)
