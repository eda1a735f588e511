"""Exports as a contract: CSV files whose columns (names and order) never change.

- flows: ``period,hukou_code,residence_code,cohort,persons`` (county level, every cohort, the
  diagonal included: hukou_code = residence_code);
- coverage: ``period,county_code,side,indicator,numerator,denominator`` (side ``inflow`` or
  ``outflow``, indicator = the flag name of ``etl.records.INDICATORS``);
- quarantine: ``source,row_number,reason``.

UTF-8 without BOM, comma-separated, header line first, rows sorted by the key columns. Research
centres and our own checks depend on these: add a new export rather than change one.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from etl import store

FLOWS_COLUMNS = ("period", "hukou_code", "residence_code", "cohort", "persons")
COVERAGE_COLUMNS = ("period", "county_code", "side", "indicator", "numerator", "denominator")
QUARANTINE_COLUMNS = ("source", "row_number", "reason")


def export_flows(engine: sa.Engine, out: str | Path) -> int:
    """Write the county flow table; returns the number of rows written."""
    t = store._county_flows_query(None, None)
    query = sa.select(*[t.c[c] for c in FLOWS_COLUMNS]).order_by(
        t.c.period, t.c.hukou_code, t.c.residence_code, t.c.cohort_order
    )
    return _write(engine, query, FLOWS_COLUMNS, out)


def export_coverage(engine: sa.Engine, out: str | Path) -> int:
    """Write every indicator's numerator and denominator per county, period and side."""
    t = store.coverage
    query = sa.select(*[t.c[c] for c in COVERAGE_COLUMNS]).order_by(
        t.c.period, t.c.county_code, t.c.side, t.c.indicator
    )
    return _write(engine, query, COVERAGE_COLUMNS, out)


def export_quarantine(engine: sa.Engine, out: str | Path) -> int:
    """Write the quarantine: where each rejected row was and why (no personal data)."""
    t = store.quarantine
    query = sa.select(*[t.c[c] for c in QUARANTINE_COLUMNS]).order_by(t.c.run_id, t.c.source, t.c.row_number)
    return _write(engine, query, QUARANTINE_COLUMNS, out)


def _write(engine: sa.Engine, query: sa.Select, columns: tuple[str, ...], out: str | Path) -> int:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    n = 0
    with engine.connect() as conn, tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        result = conn.execution_options(stream_results=True, yield_per=50_000).execute(query)
        for rows in result.partitions():
            writer.writerows(rows)
            n += len(rows)
    tmp.replace(path)
    return n
