"""The records' own events per county and period (``record_events``), by DuckDB over the staged
files, for comparison with what the departments report (``etl.feeds``).

``arrivals``: persons living in a county in a period (a staged record with that
``residence_code``) whose person hash has no record with that ``residence_code`` in the period
before. A period whose period before has no staged records has no arrivals row at all (unknown,
not 0). Counts are whole persons.

``departures``: the same new residences grouped by the person's household registration
(``hukou_code``), only those outside it (``residence_code`` other than ``hukou_code``): the
persons of a hukou county who took up residence in another county in the period, the origin-side
twin of ``arrivals`` that 公安's ``moves_out`` (迁出) is reconciled with (流入 against 流出).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from etl.aggregate.scan import by_period, file_list
from etl.dates import month_number, period_label

EVENTS = ("arrivals", "departures")


def event_periods(touched: set[str], staged: set[str]) -> list[str]:
    """The periods whose events a load touching ``touched`` changes: those periods and the
    period after each (its arrivals compare with it), where that has staged records."""
    after = {period_label(month_number(p) + 1) for p in touched}
    return sorted((touched | after) & staged)


def arrivals(files: list[Path], periods: list[str]) -> pa.Table:
    """``record_events`` rows (``period, county_code, event, persons``) of the arrivals and departures of
    ``periods``, from the staged ``files`` of those periods and the periods before them."""
    grouped = by_period(files)
    parts = []
    for period in periods:
        before = period_label(month_number(period) - 1)
        if period not in grouped or before not in grouped:
            continue
        new = (
            f"SELECT c.residence_code, c.hukou_code "  # nosec B608 # periods and file lists built here, no input
            f"FROM read_parquet({file_list(grouped[period])}, hive_partitioning = false) AS c "
            f"ANTI JOIN read_parquet({file_list(grouped[before])}, hive_partitioning = false) AS b "
            "ON c.person_hash = b.person_hash AND c.residence_code = b.residence_code"
        )
        parts.append(  # the new residences read once (materialised), counted both ways
            f"SELECT * FROM (WITH new AS MATERIALIZED ({new}) "  # nosec B608 # as above
            f"SELECT '{period}' AS period, 'arrivals' AS event, residence_code AS code, "
            "count(*)::BIGINT AS persons FROM new GROUP BY residence_code "
            f"UNION ALL SELECT '{period}' AS period, 'departures' AS event, hukou_code AS code, "
            "count(*)::BIGINT AS persons FROM new WHERE hukou_code <> residence_code "
            "GROUP BY hukou_code)"
        )
    if not parts:
        return _table([], [], np.zeros(0, np.int64), np.zeros(0, np.int64))
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        found = con.sql(" UNION ALL ".join(parts) + " ORDER BY 1, 2, 3").to_arrow_table()
    finally:
        con.close()
    return _table(
        found.column("period").to_pylist(),
        found.column("event").to_pylist(),
        found.column("code").to_numpy(),
        found.column("persons").to_numpy(),
    )


def _table(
    periods: list[str], kinds: list[str], codes: np.ndarray, persons: np.ndarray
) -> pa.Table:
    return pa.table(
        {
            "period": pa.array(periods, pa.string()),
            "county_code": pa.array([f"{int(c):06d}" for c in codes], pa.string()),
            "event": pa.array(kinds, pa.string()),
            "persons": pa.array(persons, pa.int64()),
        }
    )
