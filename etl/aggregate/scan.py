"""The DuckDB queries over the staged Parquet files: one GROUP BY per period's files.

``pairs_sql`` counts each county pair's records of every cohort and the outflow measures,
``inflow_sql`` each residence county's inflow measures. Counts of several populations travel in
one BIGINT sum of ``FIELD_BITS``-bit fields (``unpack``) when a period is small enough.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from etl.indicators import DENOMINATORS, INDICATORS
from etl.records import COHORTS, MARRIED_CODES

_MARRIED = f"marital_status IN ({', '.join(str(c) for c in sorted(MARRIED_CODES))})"
_WOMEN = "sex = 2 AND age BETWEEN 15 AND 49"
POPULATION_SQL: dict[str, str] = {
    "all": "TRUE",
    "women_15_49": _WOMEN,
    "married_women_15_49": f"{_WOMEN} AND {_MARRIED}",
    "married_15_49": f"age BETWEEN 15 AND 49 AND {_MARRIED}",
    "adults_18p": "age >= 18",
}
"""SQL predicate over staged records of each cohort and denominator."""

_unknown = (set(DENOMINATORS) | set(COHORTS)) - set(POPULATION_SQL)
if _unknown:  # pragma: no cover - guards the contract in etl.records
    raise RuntimeError(f"etl.aggregate has no definition for populations {_unknown}")


FIELD_BITS = 21
"""Width of one population's count inside a packed BIGINT sum (three fields per sum)."""


def side_measures(side: str) -> dict[str, str]:
    """Count columns a side needs -> SQL predicate over a staged record.

    ``n_<population>`` counts a denominator (and, on the outflow side, the cohorts of the flow
    table); ``num_<flag>`` counts an indicator's numerator: persons of its denominator with the flag.
    """
    indicators = [i for i in INDICATORS if i.side == side]
    populations = {i.denominator for i in indicators}
    if side == "outflow":
        populations |= set(COHORTS) - {"all"}
    measures = {f"n_{p}": f"({POPULATION_SQL[p]})" for p in sorted(populations)}
    measures.update(
        {f"num_{i.flag}": f"({POPULATION_SQL[i.denominator]}) AND {i.flag}" for i in indicators}
    )
    return measures


def pairs_sql(period_files: dict[str, list[Path]], packed: bool) -> str:
    """Per period (``p``, the period's position) and county pair: ``n_all`` and the outflow measures.

    With ``packed`` the measures travel three to a ``packed_<k>`` column (see ``unpack``): one
    aggregate state per group instead of three is what makes the 20 M-group national table fast.
    """
    measures = side_measures("outflow")
    if packed:
        names = list(measures)
        sums = [
            "sum("
            + " + ".join(
                f"CASE WHEN {measures[name]} THEN {1 << (FIELD_BITS * j)} ELSE 0 END"
                for j, name in enumerate(names[k : k + 3])
            )
            + f")::BIGINT AS packed_{k // 3}"
            for k in range(0, len(names), 3)
        ]
    else:
        sums = [f"sum(({sql})::INTEGER)::BIGINT AS {name}" for name, sql in measures.items()]
    return _per_period(
        period_files, "hukou_code, residence_code", ["count(*)::BIGINT AS n_all", *sums]
    )


def inflow_sql(period_files: dict[str, list[Path]]) -> str:
    """Per period and residence county: the inflow measures (few groups, so plain sums are fastest)."""
    sums = [
        f"sum(({sql})::INTEGER)::BIGINT AS {name}" for name, sql in side_measures("inflow").items()
    ]
    return _per_period(period_files, "residence_code", sums)


def _per_period(period_files: dict[str, list[Path]], keys: str, aggregates: list[str]) -> str:
    """One GROUP BY per period's files (a period's folder holds its runs), stacked."""
    return " UNION ALL ".join(
        f"SELECT {p}::SMALLINT AS p, {keys}, {', '.join(aggregates)} "  # nosec B608 # names and file lists built here, no input
        f"FROM read_parquet({file_list(files)}, hive_partitioning = false) GROUP BY {keys}"
        for p, files in enumerate(period_files.values())
    )


def unpack(table: pa.Table, names: list[str], packed: bool) -> dict[str, np.ndarray]:
    """The measure columns of a ``pairs_sql`` result as int64 arrays, unpacked if need be."""
    if not packed:
        return {name: table.column(name).to_numpy() for name in names}
    mask = (1 << FIELD_BITS) - 1
    out = {}
    for k in range(0, len(names), 3):
        column = table.column(f"packed_{k // 3}").to_numpy()
        for j, name in enumerate(names[k : k + 3]):
            out[name] = (column >> (FIELD_BITS * j)) & mask
    return out


def file_list(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def by_period(files: list[Path]) -> dict[str, list[Path]]:
    """Staged files grouped by the period folder they sit in (``period=YYYY-MM``)."""
    out: dict[str, list[Path]] = {}
    for f in files:
        name = Path(f).parent.name
        if not name.startswith("period="):
            raise ValueError(f"{f} is not in a period=YYYY-MM folder of the staging area")
        out.setdefault(name.removeprefix("period="), []).append(Path(f))
    return dict(sorted(out.items()))


def row_count(files: list[Path]) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)
