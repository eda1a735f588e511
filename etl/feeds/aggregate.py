"""The ``feed_submissions`` mart, computed by DuckDB from feed rows.

A *submission* is a department's report for one county and period: its feed rows. Every
*expected* submission is a row: each county of the hierarchy x each department x each period
with feeds (a county that sent nothing is a row with ``received`` false: the absence of rows is
what a missing submission is). Per submission:

- ``submitted_at``: the latest ``submitted_at`` of its rows (a report is in when its last item is);
- ``on_time``: received, and ``submitted_at`` falls on or before ``due_date`` (any time of that
  day; ``etl.feeds.due``);
- ``zero``: received, and every row of it is a zero report (零通报: nothing to report);
- ``n_items``: its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import pyarrow as pa

from etl.feeds.due import due_date
from etl.feeds.format import DEPARTMENTS

SUBMISSION_SQL = """
WITH sent AS (
    SELECT period, department, county_code, count(*)::INTEGER AS n_items,
           max(submitted_at) AS submitted_at, bool_and(zero_report) AS zero
    FROM reports GROUP BY period, department, county_code
)
SELECT g.period, d.department, c.county_code, g.due_date,
       s.n_items IS NOT NULL AS received,
       coalesce(s.submitted_at < g.due_date + INTERVAL 1 DAY, false) AS on_time,
       coalesce(s.zero, false) AS zero,
       coalesce(s.n_items, 0)::INTEGER AS n_items,
       s.submitted_at
FROM due AS g CROSS JOIN departments AS d CROSS JOIN counties AS c
LEFT JOIN sent AS s
  ON s.period = g.period AND s.department = d.department AND s.county_code = c.county_code
ORDER BY g.period, d.department, c.county_code
"""


def due_dates(periods: Sequence[str]) -> dict[str, date]:
    """Each period's due date (``CalendarError`` for a year the official calendar lacks)."""
    return {p: due_date(p) for p in periods}


def submissions(
    reports: pa.Table, counties: Sequence[str], due: dict[str, date]
) -> pa.Table:
    """The ``feed_submissions`` rows of the periods of ``due`` (period -> due date) from the feed
    ``reports`` of those periods (``etl.feeds.stage.FEED_SCHEMA`` columns), for ``counties``."""
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        con.register("reports", reports)
        con.register("departments", pa.table({"department": [d.code for d in DEPARTMENTS]}))
        con.register("counties", pa.table({"county_code": pa.array(list(counties), pa.string())}))
        con.register(
            "due",
            pa.table(
                {
                    "period": pa.array(list(due), pa.string()),
                    "due_date": pa.array(list(due.values()), pa.date32()),
                }
            ),
        )
        out = con.sql(SUBMISSION_SQL).to_arrow_table()
    finally:
        con.close()
    return out.cast(
        pa.schema(
            [
                ("period", pa.string()),
                ("department", pa.string()),
                ("county_code", pa.string()),
                ("due_date", pa.date32()),
                ("received", pa.bool_()),
                ("on_time", pa.bool_()),
                ("zero", pa.bool_()),
                ("n_items", pa.int32()),
                ("submitted_at", pa.timestamp("s")),
            ]
        )
    )
