"""Due dates on real calendar dates.

Expected days are taken from the State Council's holiday notices (国务院办公厅关于…部分节假日安排的通知),
written here by hand, not from the library the code uses:

- 2012 (国办发明电〔2011〕39号): 中秋节、国庆节 9月30日至10月7日放假调休, 共8天; 9月29日(星期六)上班;
- 2011 (国办发明电〔2010〕40号): 国庆节 10月1日至7日放假调休, 共7天; 10月8日(星期六)、10月9日(星期日)上班;
  春节 2月2日至8日放假调休; 1月30日(星期日)、2月12日(星期六)上班;
- 2009 (国办发明电〔2008〕47号): 元旦 1月1日至3日放假调休; 1月4日(星期日)上班;
  国庆节、中秋节 10月1日至8日放假调休; 9月27日(星期日)、10月10日(星期六)上班.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from etl.feeds.due import CalendarError, due_date, is_working_day
from etl.feeds.format import DEPARTMENTS


@pytest.mark.parametrize(
    ("period", "due"),
    [
        ("2012-09", date(2012, 10, 8)),  # 3 Oct 2012 in the National Day holiday -> Monday 8 Oct
        ("2011-09", date(2011, 10, 8)),  # holiday to 7 Oct; 8 Oct 2011 a Saturday make-up day
        ("2008-12", date(2009, 1, 4)),  # 3 Jan 2009 holiday; 4 Jan a Sunday make-up day
        ("2009-09", date(2009, 10, 9)),  # holiday 1-8 Oct 2009 -> Friday 9 Oct
        ("2011-01", date(2011, 2, 9)),  # Spring Festival 2-8 Feb 2011 -> Wednesday 9 Feb
        ("2012-02", date(2012, 3, 5)),  # 3 Mar 2012 a Saturday, 4 Mar a Sunday -> Monday
        ("2012-07", date(2012, 8, 3)),  # an ordinary Friday: due that day
        ("2010-12", date(2011, 1, 4)),  # 元旦 2011: 1-3 Jan -> Tuesday 4 Jan
    ],
)
def test_due_dates_on_the_official_calendar(period: str, due: date) -> None:
    assert due_date(period) == due


def test_make_up_working_days_count_as_working() -> None:
    for day in (date(2011, 10, 8), date(2011, 10, 9), date(2012, 9, 29), date(2009, 1, 4)):
        assert day.weekday() >= 5  # a weekend day ...
        assert is_working_day(day)  # ... that the notice made a working day


def test_holidays_and_ordinary_weekends_do_not_count() -> None:
    for day in (date(2012, 10, 3), date(2012, 10, 7), date(2012, 9, 30), date(2012, 3, 4)):
        assert not is_working_day(day)


def test_every_period_of_the_synthetic_years_has_a_due_date_in_the_next_month() -> None:
    for year in range(2009, 2013):
        for month in range(1, 13):
            due = due_date(f"{year}-{month:02d}")
            assert (due.year * 12 + due.month) == year * 12 + month + 1
            assert 3 <= due.day <= 10
            assert chinese_calendar.is_workday(due)


def test_a_year_the_calendar_lacks_is_one_clear_error() -> None:
    with pytest.raises(CalendarError, match=r"no data for 2027: update the package") as info:
        due_date("2026-12")
    assert "\n" not in str(info.value)


def test_six_departments() -> None:
    assert len(DEPARTMENTS) == 6
