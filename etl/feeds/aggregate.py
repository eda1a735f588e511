"""The feeds' submission flags and expected submissions, computed by DuckDB from feed rows.

A *submission* is a department's report for one county and period: its feed rows. Every county
inside the census coverage owes each department's report for every period with feeds
(``feed_expected``, with the due date); a department's report it did not send is the absence of
rows: a *missing* submission. Per submission, on each of its rows:

- ``is_head``: true on exactly one of its rows (its first item by code), so a submission counts
  once;
- ``on_time``: its latest ``submitted_at`` (a report is in when its last item is) falls on or
  before the due date (any time of that day; ``etl.feeds.due``);
- ``zero``: every row of it is a zero report (零通报: nothing to report).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import pyarrow as pa

from etl.feeds.due import due_date

FLAG_SQL = """
WITH submissions AS (
    SELECT r.period, r.department, r.county_code, min(r.item) AS head_item,
           max(r.submitted_at) < any_value(d.due_date) + INTERVAL 1 DAY AS on_time,
           bool_and(r.count = 0) AS zero
    FROM reports AS r JOIN due AS d ON d.period = r.period
    GROUP BY r.period, r.department, r.county_code
)
SELECT r.*, r.item = s.head_item AS is_head, s.on_time, s.zero
FROM reports AS r JOIN submissions AS s
  ON s.period = r.period AND s.department = r.department AND s.county_code = r.county_code
"""
REPORT_COLUMNS = (
    "run_id", "period", "department", "county_code", "item", "submitted_at", "count",
    "count_checked", "is_head", "on_time", "zero",
)  # fmt: skip


def due_dates(periods: Sequence[str]) -> dict[str, date]:
    """Each period's due date (``CalendarError`` for a year the official calendar lacks)."""
    return {p: due_date(p) for p in periods}


def _due_table(due: dict[str, date]) -> pa.Table:
    return pa.table(
        {
            "period": pa.array(list(due), pa.string()),
            "due_date": pa.array(list(due.values()), pa.date32()),
        }
    )


def flagged(reports: pa.Table, due: dict[str, date]) -> pa.Table:
    """``reports`` (feed rows with ``run_id``, ``count`` and ``submitted_at`` among their columns,
    of the periods of ``due``) with their submission's
    ``is_head``, ``on_time`` and ``zero`` (``REPORT_COLUMNS``)."""
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        con.register("reports", reports)
        con.register("due", _due_table(due))
        out = con.sql(FLAG_SQL).to_arrow_table()
    finally:
        con.close()
    return out.select(list(REPORT_COLUMNS))


def expected(counties: Sequence[str], due: dict[str, date]) -> pa.Table:
    """``feed_expected`` rows: every county x period of ``due``, with its due date."""
    n = len(counties)
    periods = list(due)
    return pa.table(
        {
            "period": pa.array([p for p in periods for _ in range(n)], pa.string()),
            "county_code": pa.array(list(counties) * len(periods), pa.string()),
            "due_date": pa.array([due[p] for p in periods for _ in range(n)], pa.date32()),
        }
    )
