"""``etl.dates`` against Python's ``datetime`` (an independent calendar), value by value."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from etl import dates

EPOCH = dt.date(1970, 1, 1)


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def test_first_and_last_day_of_every_month_1800_2200():
    months = np.arange(1800 * 12, 2201 * 12)
    firsts, lasts = dates.first_day(months), dates.last_day(months)
    for m, first, last in zip(months.tolist(), firsts.tolist(), lasts.tolist(), strict=True):
        year, month = divmod(m, 12)
        assert first == _day(dt.date(year, month + 1, 1))
        following = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        assert last == _day(following) - 1


def test_day_number_knows_which_dates_exist():
    rng = np.random.default_rng(1)
    year = np.concatenate([rng.integers(1790, 2210, 20_000), [2000, 1900, 2012, 2011, 2010]])
    month = np.concatenate([rng.integers(0, 14, 20_000), [2, 2, 2, 2, 4]])
    day = np.concatenate([rng.integers(0, 33, 20_000), [29, 29, 29, 29, 31]])
    days, exists = dates.day_number(year, month, day)
    for y, m, d, got, ok in zip(year, month, day, days, exists, strict=True):
        try:
            expected = dt.date(int(y), int(m), int(d)) if 1800 <= y <= 2200 else None
        except ValueError:
            expected = None
        assert bool(ok) == (expected is not None), (y, m, d)
        assert got == (_day(expected) if expected else 0)


def test_calendar_date_and_month_and_day_invert_day_numbers():
    days = np.random.default_rng(2).integers(
        _day(dt.date(1800, 1, 1)), _day(dt.date(2200, 12, 31)), 20_000
    )
    year, month, day = dates.calendar_date(days)
    months, day_of_month = dates.month_and_day(days)
    for n, y, m, d, mn, dm in zip(days, year, month, day, months, day_of_month, strict=True):
        expected = EPOCH + dt.timedelta(days=int(n))
        assert (y, m, d) == (expected.year, expected.month, expected.day)
        assert (mn, dm) == (expected.year * 12 + expected.month - 1, expected.day)


def test_completed_age_on_the_first_day_of_the_period():
    rng = np.random.default_rng(3)
    birth = rng.integers(_day(dt.date(1890, 1, 1)), _day(dt.date(2012, 12, 31)), 20_000)
    months = rng.integers(2009 * 12, 2013 * 12, 20_000)
    ages = dates.completed_age(birth, months)
    for b, m, age in zip(birth, months, ages, strict=True):
        born = EPOCH + dt.timedelta(days=int(b))
        first = dt.date(int(m) // 12, int(m) % 12 + 1, 1)
        expected = first.year - born.year - ((first.month, first.day) < (born.month, born.day))
        assert age == expected, (born, first)
    # born on the 1st: the birthday is the period's first day; on the 2nd: not yet
    assert (
        dates.completed_age(np.array([_day(dt.date(1990, 5, 1))]), np.array([2010 * 12 + 4]))[0]
        == 20
    )
    assert (
        dates.completed_age(np.array([_day(dt.date(1990, 5, 2))]), np.array([2010 * 12 + 4]))[0]
        == 19
    )


def test_periods_as_text():
    assert dates.month_number("2009-01") == 2009 * 12
    assert dates.period_label(2012 * 12 + 11) == "2012-12"
    assert dates.month_range("2011-11", "2012-02") == ["2011-11", "2011-12", "2012-01", "2012-02"]
    assert dates.month_range("2012-02", "2011-11") == []
    for bad in ("2010-13", "2010-00", "2010-1", "201001", " 2010-01", ""):
        with pytest.raises(ValueError, match="a period is YYYY-MM"):
            dates.month_number(bad)
    months = np.array([2010 * 12 + 1, 2009 * 12, 2010 * 12 + 1])
    text = dates.period_text(months)
    assert text.to_pylist() == ["2010-02", "2009-01", "2010-02"]
    assert len(text.dictionary) == 2
    assert dates.period_text(np.array([], dtype=np.int64)).to_pylist() == []
