"""Exports as a contract: CSV files whose columns (names and order) are only ever added to.

- flows: ``period,hukou_code,residence_code,cohort,persons,suppressed`` (county level, every
  cohort, the diagonal included: hukou_code = residence_code);
- coverage: ``period,county_code,side,indicator,numerator,denominator,suppressed`` (side
  ``inflow`` or ``outflow``, indicator = the flag name of ``etl.indicators.INDICATORS``);
- quarantine: ``source,row_number,reason``.

Small cells are suppressed (``etl.disclosure``): a flow under the store's small-cell threshold has
``persons`` blank, a coverage row whose denominator is under it has numerator and denominator
blank, and ``suppressed`` is ``True`` on those rows (``False`` elsewhere). The files name a flow's
ends as the record format does (``hukou_code``, ``residence_code``: ``origin_code`` and
``destination_code`` of ``etl.marts``).

UTF-8 without BOM, comma-separated, header line first, rows sorted by the key columns. Research
centres and our own checks depend on these: add a new export rather than change one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from etl import marts, store
from etl.disclosure import SUPPRESSED, suppress
from etl.scope import Scope

FLOWS_COLUMNS = ("period", "hukou_code", "residence_code", "cohort", "persons", SUPPRESSED)
COVERAGE_COLUMNS = (
    "period", "county_code", "side", "indicator", "numerator", "denominator", SUPPRESSED,
)  # fmt: skip
QUARANTINE_COLUMNS = ("source", "row_number", "reason")
_FLOWS_FROM = ("period", "origin_code", "destination_code", "cohort", "persons")
"""The marts' columns written as ``FLOWS_COLUMNS`` (the file's names, in its order)."""
_COVERAGE_FROM = ("period", "unit_code", "side", "indicator", "numerator", "denominator")


def export_flows(engine: sa.Engine, out: str | Path, *, scope: Scope) -> int:
    """Write the county flows of ``scope``; returns the number of rows written."""
    return _write_frames(
        (
            suppress(part[list(_FLOWS_FROM)], ["persons"], part["small_cell"])
            for part in marts.stream_flows(engine, scope=scope)
        ),
        FLOWS_COLUMNS,
        out,
    )


def export_coverage(engine: sa.Engine, out: str | Path, *, scope: Scope) -> int:
    """Write every indicator's numerator and denominator per county of ``scope``, period and side."""
    return _write_frames(
        (
            suppress(part[list(_COVERAGE_FROM)], ["numerator", "denominator"], part["small_cell"])
            for part in marts.stream_coverage(engine, scope=scope)
        ),
        COVERAGE_COLUMNS,
        out,
    )


def export_quarantine(engine: sa.Engine, out: str | Path) -> int:
    """Write the quarantine: where each rejected row was and why (no personal data)."""
    t = store.quarantine
    query = sa.select(*[t.c[c] for c in QUARANTINE_COLUMNS]).order_by(
        t.c.run_id, t.c.source, t.c.row_number
    )
    path, tmp = _paths(out)
    n = 0
    with engine.connect() as conn, tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(QUARANTINE_COLUMNS)
        result = conn.execution_options(stream_results=True, yield_per=50_000).execute(query)
        for rows in result.partitions():
            writer.writerows(rows)
            n += len(rows)
    tmp.replace(path)
    return n


def _write_frames(frames: Iterator[pd.DataFrame], columns: tuple[str, ...], out: str | Path) -> int:
    """Write frames (in ``columns``' order, under their names) to a CSV file, atomically."""
    path, tmp = _paths(out)
    n = 0
    with tmp.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(columns) + "\n")
        for frame in frames:
            frame.to_csv(f, header=False, index=False, lineterminator="\n")
            n += len(frame)
    tmp.replace(path)
    return n


def _paths(out: str | Path) -> tuple[Path, Path]:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, path.with_name(path.name + ".part")
