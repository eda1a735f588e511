"""Numbers, shares and periods as the current language writes them (Babel, CLDR data).

- *count*: an integer with the locale's thousands separators (``12,345``);
- *compact count*: in Chinese, large counts in 万 (10^4) or 亿 (10^8) with one decimal
  (``3,400万``, ``1.2亿``) from 100,000 up; in English the full count with separators;
- *persons*: a count of persons with its unit (``1,234 人``, ``1,234 persons``);
- *percent*: a share (0-1) with one decimal (``98.3%``); *rate*: a coverage rate by the one
  display rule of ``etl.indicators.shown_rate`` (rounded to 0.1 point, never shown as a target
  it falls short of); *period*: ``YYYY-MM`` as a month
  (``2012年3月``, ``Mar 2012``).
"""

from __future__ import annotations

import datetime as dt
import math
import re

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal, format_decimal, format_percent

from dashboard.i18n import current_language, locale, ngettext, pgettext
from etl.indicators import shown_rate

COMPACT_FROM = 100_000  # Chinese counts from here on are written in 万 / 亿


def count(value: float) -> str:
    """An integer count with thousands separators."""
    return format_decimal(round(value), format="#,##0", locale=locale())


def signed(value: float) -> str:
    """A count with its sign (``+1,871``, ``-12``; zero as ``0``)."""
    text = count(value)
    return f"+{text}" if round(value) > 0 else text


def compact(value: float) -> str:
    """A count for a headline: 万 / 亿 in Chinese from 100,000 up, else :func:`count`."""
    if current_language() != "zh" or abs(value) < COMPACT_FROM:
        return count(value)
    text = format_compact_decimal(value, locale=locale(), fraction_digits=1)
    return re.sub(r"\d+", lambda m: count(int(m.group())), text, count=1)


def persons(value: float, *, compact_count: bool = False) -> str:
    """A count of persons with its unit."""
    n = round(value)
    shown = compact(n) if compact_count else count(n)
    if not shown[-1].isdigit():  # ends in 万 or 亿: the unit follows without a space
        return pgettext("a count in 万 or 亿", "{n} persons").format(n=shown)
    return ngettext("{n} person", "{n} persons", n).format(n=shown)


def percent(share: float, digits: int = 1) -> str:
    """A share (0-1) as a percentage."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(share, format=pattern, locale=locale())


def target_percent(share: float) -> str:
    """A target (0-1) as every page writes it: a whole percentage (98%), or with the one or two
    decimals a target file may set (97.5%), never rounded to a different target."""
    bp = round(share * 10_000)
    return percent(share, 0 if bp % 100 == 0 else 1 if bp % 10 == 0 else 2)


def rate(share: float | None, target: float | None = None) -> str:
    """A coverage rate as every page writes it (``etl.indicators.shown_rate``): 0.1 point, and
    never the ``target`` when short of it (97.96% against 98% is 97.9%); "–" for no value."""
    if share is None or not math.isfinite(share):
        return "–"
    return percent(shown_rate(share, target))


def period(period: str) -> str:
    """A ``YYYY-MM`` period as a month (2012年3月, Mar 2012)."""
    year, month = period.split("-")
    return format_skeleton("yMMM", dt.date(int(year), int(month), 1), locale=locale())
