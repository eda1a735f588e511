"""Staging of feed rows: the only step that renames and casts them. A raw batch becomes typed feed
rows or quarantine rows.

Every row is checked against the feed format (``etl.feeds.format``, docs/feeds.md); a row that
breaks any rule is quarantined with a reason listing every rule it breaks (``etl.stage.Rules``),
never quoting a value read (a reason names a field and the rule, at most a published county code).

Rules beyond the field shapes:

- ``department`` and ``item`` are known, and the item is one the department reports;
- ``county_code`` is a county of the hierarchy, an older code staged as its current code, or
  unknown, as ``etl.codebook`` decides (as for records);
- ``period`` lies in the reporting window (``etl.dates.PeriodWindow``);
- ``submitted_at`` is not before the period's month has ended (the report is on that month), nor
  after ``today``;
- a zero report (``zero_report`` 1) has ``count`` 0, and ``count`` 0 is flagged as a zero report;
- ``count_checked`` is given, and at most ``count``, exactly for the items with a rate.

A *staged feed row*: ``period`` (YYYY-MM), ``department`` and ``item`` (codes), ``county_code``
(6 digits), ``submitted_at`` (timestamp, seconds, Beijing time as read), ``count``,
``count_checked`` (null for items without a rate) and ``zero_report``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl import dates
from etl.casting import (
    BAD,
    IMPOSSIBLE,
    MISSING,
    OK,
    Parser,
    column,
    lookup_parser,
    parse_code,
    parse_count,
    parse_period,
    parse_timestamp,
    parse_with_trim,
)
from etl.codebook import CodeBook
from etl.errors import InputFormatError
from etl.feeds.format import (
    DEPARTMENT_VALUES,
    DEPARTMENTS,
    FEED_FIELD_NAMES,
    ITEM_BY_KEY,
    ITEM_CODES,
    ITEM_VALUES,
    ZERO_VALUES,
)
from etl.redact import library_reason
from etl.stage import Rules

T = TypeVar("T")
DAY = 86_400

FEED_SCHEMA = pa.schema(
    [
        ("period", pa.string()),
        ("department", pa.string()),
        ("county_code", pa.string()),
        ("item", pa.string()),
        ("submitted_at", pa.timestamp("s")),
        ("count", pa.int64()),
        ("count_checked", pa.int64()),
        ("zero_report", pa.bool_()),
    ]
)
"""The columns of a staged feed row (and of the store's ``feed_reports``, with ``run_id``)."""

# (department index, item index) -> the item has a rate; pairs that are no item are absent
_DEPARTMENT_CODES = np.array([d.code for d in DEPARTMENTS], dtype=object)
_ITEM_CODES = np.array(ITEM_CODES, dtype=object)
_KNOWN = np.zeros((len(DEPARTMENTS), len(ITEM_CODES)), dtype=bool)
_CHECKED = np.zeros_like(_KNOWN)
for (_dept, _item), _spec in ITEM_BY_KEY.items():
    _d, _i = DEPARTMENT_VALUES[_dept], ITEM_CODES.index(_item)
    _KNOWN[_d, _i] = True
    _CHECKED[_d, _i] = _spec.checked


@dataclass
class StagedFeeds:
    """One batch after staging: ``rows`` (``FEED_SCHEMA``) that pass every rule, in input order,
    with their ``row_numbers``; ``keys`` an int64 per row identifying its (period, department,
    county, item) for de-duplication; ``quarantine`` (``row_number``, ``reason``) the others."""

    rows: pa.Table
    row_numbers: np.ndarray
    keys: np.ndarray
    quarantine: pa.Table
    rule_counts: dict[str, int]


def feed_key(months: np.ndarray, department: np.ndarray, county: np.ndarray, item: np.ndarray) -> np.ndarray:
    """An int64 naming a (period month number, department, county code, item) report."""
    return ((months.astype(np.int64) * 8 + department) * 1_000_000 + county) * 16 + item


def stage_feed_batch(
    raw: pa.Table,
    columns: dict[str, str],
    first_row: int,
    codes: CodeBook,
    window: dates.PeriodWindow,
    today: date,
) -> StagedFeeds:
    """Validate and cast one raw batch of feed rows (see the module docstring).

    ``columns`` maps field names to the batch's columns (``count_checked`` may be absent);
    ``first_row`` is the row number of the batch's first row. Raises ``InputFormatError`` naming
    the column and rows (never a value) when a library cannot read a column at all.
    """
    n = raw.num_rows
    rules = Rules(n)

    def guarded(call: Callable[[], T], name: str) -> T:
        try:
            return call()
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            raise InputFormatError(
                f"rows {first_row}-{first_row + n - 1}, column {columns[name]} ({name}): "
                f"cannot be read: {library_reason(exc)}"
            ) from None

    def read(name: str, parse: Parser) -> tuple[np.ndarray, np.ndarray]:
        if name not in columns:
            return np.zeros(n, np.int64), np.full(n, MISSING, np.int8)
        return guarded(lambda: parse_with_trim(parse, column(raw[columns[name]])), name)

    months, st = read("period", parse_period)
    rules.add("period: missing", st == MISSING)
    rules.add("period: not a YYYY-MM month", st >= BAD)
    period_ok = st == OK
    first_month, last_month = window.months()
    rules.add(f"period: before the reporting window (starts {window.first})", period_ok & (months < first_month))
    rules.add(f"period: after the reporting window (ends {window.last})", period_ok & (months > last_month))

    department, st = read("department", lookup_parser(DEPARTMENT_VALUES))
    rules.add("department: missing", st == MISSING)
    rules.add("department: not a known department (docs/feeds.md)", st >= BAD)
    department_ok = st == OK

    value, st = read("county_code", parse_code)
    rules.add("county_code: missing", st == MISSING)
    rules.add("county_code: malformed code (not 6 digits)", st >= BAD)
    checked = codes.check(value, st == OK, period_ok, months)
    rules.add("county_code: unknown code", checked.unknown, checked.detail)
    rules.add("county_code: outside the census coverage:", checked.outside, checked.detail)
    county = checked.value

    stamp, st = read("submitted_at", parse_timestamp)
    rules.add("submitted_at: missing", st == MISSING)
    rules.add("submitted_at: not YYYY-MM-DD[ HH:MM[:SS]]", st == BAD)
    rules.add("submitted_at: impossible date or time", st == IMPOSSIBLE)
    stamp_ok = st == OK
    month_end = dates.first_day(months + 1) * DAY
    rules.add("submitted_at: before the period's month ended", stamp_ok & period_ok & (stamp < month_end))
    tomorrow = (date.fromordinal(today.toordinal() + 1) - date(1970, 1, 1)).days * DAY
    rules.add("submitted_at: after today", stamp_ok & (stamp >= tomorrow))

    item, st = read("item", lookup_parser(ITEM_VALUES))
    rules.add("item: missing", st == MISSING)
    rules.add("item: not a known item (docs/feeds.md)", st >= BAD)
    item_ok = st == OK
    pair_ok = department_ok & item_ok
    safe_d, safe_i = np.where(pair_ok, department, 0), np.where(pair_ok, item, 0)
    known = pair_ok & _KNOWN[safe_d, safe_i]
    rules.add("item: not an item this department reports", pair_ok & ~known)
    has_rate = known & _CHECKED[safe_d, safe_i]

    count, st = read("count", parse_count)
    rules.add("count: missing", st == MISSING)
    rules.add("count: not a whole number >= 0", st >= BAD)
    count_ok = st == OK

    zero, st = read("zero_report", lookup_parser(ZERO_VALUES))
    rules.add("zero_report: missing", st == MISSING)
    rules.add("zero_report: not 1/0/是/否", st >= BAD)
    zero_ok = st == OK
    rules.add("zero_report: 1 but count above 0", zero_ok & count_ok & (zero == 1) & (count > 0))
    rules.add(
        "count: 0 but not flagged a zero report (zero_report 1)",
        zero_ok & count_ok & (zero == 0) & (count == 0),
    )

    done, st = read("count_checked", parse_count)
    given = st != MISSING
    rules.add("count_checked: missing (this item has a rate)", has_rate & ~given)
    rules.add("count_checked: not a whole number >= 0", given & (st >= BAD))
    rules.add("count_checked: given for an item without a rate", known & ~has_rate & given)
    rules.add("count_checked: above count", has_rate & (st == OK) & count_ok & (done > count))

    rules.items.sort(key=lambda entry: _ORDER.get(entry[0].split(":")[0], 99))
    bad = rules.bad()
    good = ~bad
    bad_idx = np.flatnonzero(bad)
    row_numbers = np.arange(first_row, first_row + n, dtype=np.int64)
    quarantine = pa.table(
        {"row_number": pa.array(row_numbers[bad_idx]), "reason": rules.reasons(bad_idx)}
    )
    g_months, g_dept, g_item = months[good], department[good], item[good]
    g_county = county[good].astype(np.int64)
    rows = pa.table(
        {
            "period": dates.period_text(g_months).cast(pa.string()),
            "department": pa.array(_DEPARTMENT_CODES[g_dept], pa.string()),
            "county_code": pc.utf8_lpad(pa.array(g_county).cast(pa.string()), 6, "0"),
            "item": pa.array(_ITEM_CODES[g_item], pa.string()),
            "submitted_at": pa.array(stamp[good], pa.int64()).cast(pa.timestamp("s")),
            "count": pa.array(count[good], pa.int64()),
            "count_checked": pa.array(done[good], pa.int64(), mask=~has_rate[good]),
            "zero_report": pa.array(zero[good] == 1),
        },
        schema=FEED_SCHEMA,
    )
    return StagedFeeds(
        rows=rows,
        row_numbers=row_numbers[good],
        keys=feed_key(g_months, g_dept, g_county, g_item),
        quarantine=quarantine,
        rule_counts=rules.counts(),
    )


_ORDER = {name: i for i, name in enumerate(FEED_FIELD_NAMES)}
