"""Every mart from Spark SQL over the staged records: the same tables, and numbers, as ``etl.aggregate``.

The definitions are those of ``etl.aggregate`` (its module docstring): the populations and
measures come from ``etl.aggregate.scan`` (``POPULATION_SQL``, ``side_measures``), the hierarchy
and region membership from ``etl.aggregate.sums.Units``, the indicators and targets from
``etl.indicators``. The SQL keeps to the subset both engines read alike (docs/spark-sql.md): a
``records`` view, ``CAST(floor(x / y) AS INT)`` for integer division, ``CAST(sum(..) AS BIGINT)``,
no division by a count that can be 0, and the assessment's score summed in the order numpy's
``nansum`` adds eight values (pairwise), so the doubles are equal to the bit.

``mart_chunks`` computes every period's marts in one Spark pass, writes them once as Parquet
partitioned by period in a scratch folder beside the staged records, and yields them a few periods
at a time (every mart is per period) as Arrow tables for the store (``etl.aggregate.Marts``), so
the driver holds one chunk at a time.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from etl import targets
from etl.aggregate import Marts, scan
from etl.aggregate.sums import Units
from etl.indicators import BASIS, INDICATORS
from etl.records import COHORTS
from etl.spark.load import staged_records

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PERIODS_PER_CHUNK = 12


def mart_chunks(
    spark: SparkSession,
    files: list[Path],
    hierarchy: pd.DataFrame,
    membership: pd.DataFrame,
    run_id: int,
    small_cell: int,
    periods_per_chunk: int = PERIODS_PER_CHUNK,
) -> Generator[Marts, None, None]:
    """The marts of the staged ``files``, ``periods_per_chunk`` periods at a time, in period order."""
    period_files = scan.by_period(files)
    periods = list(period_files)
    if not periods:
        return
    _register_units(spark, hierarchy, membership)
    staged_records(spark, files).createOrReplaceTempView("records")
    area = Path(files[0]).parent.parent  # the staging area (executors and driver both see it)
    scratch = Path(tempfile.mkdtemp(prefix=f".spark-marts-{run_id}-", dir=area))
    try:
        names = _write_marts(spark, run_id, small_cell, scratch)
        for start in range(0, len(periods), max(1, periods_per_chunk)):
            chunk = periods[start : start + periods_per_chunk]
            tables = {name: _read_chunk(scratch / name, chunk) for name in names}
            yield Marts({n: t for n, t in tables.items() if t is not None}, tuple(chunk))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _read_chunk(folder: Path, periods: list[str]) -> pa.Table | None:
    """A mart's rows of ``periods`` from its Parquet folders (``period=YYYY-MM``)."""
    parts = []
    for period in periods:
        for path in sorted((folder / f"period={period}").glob("*.parquet")):
            table = pq.read_table(path)
            parts.append(table.add_column(0, "period", pa.array([period] * table.num_rows, pa.string())))
    return pa.concat_tables(parts) if parts else None


def _register_units(spark: SparkSession, hierarchy: pd.DataFrame, membership: pd.DataFrame) -> None:
    """Views ``units`` (county_code INT -> prefecture and province code) and ``province_regions``
    (a province in two regions has two rows; provinces in no region are in ``other``)."""
    units = Units.build(hierarchy, membership)
    labels = units.labels.to_pylist()
    counties = hierarchy[["county_code", "prefecture_code", "province_code"]].astype(str)
    spark.createDataFrame(
        [(int(c), p, v) for c, p, v in counties.itertuples(index=False)],
        "county_code INT, prefecture_code STRING, province_code STRING",
    ).createOrReplaceTempView("units")
    spark.createDataFrame(
        [
            (labels[units.offset["province"] + int(p)], labels[units.offset["region"] + int(r)])
            for p, r in units.regions
        ],
        "province_code STRING, region_code STRING",
    ).createOrReplaceTempView("province_regions")


def _write_marts(spark: SparkSession, run_id: int, threshold: int, scratch: Path) -> list[str]:
    """Compute every mart and write each to ``scratch/<table>/period=YYYY-MM/``; their names."""
    pairs = spark.sql(_pairs_sql()).persist()
    pairs.createOrReplaceTempView("pairs")
    try:
        unknown = spark.sql(
            "SELECT DISTINCT code FROM (SELECT hukou_code AS code FROM pairs UNION ALL "
            "SELECT residence_code FROM pairs) LEFT ANTI JOIN units ON code = county_code "
            "ORDER BY code LIMIT 5"
        ).collect()
        if unknown:
            raise ValueError(
                "staged records name county codes missing from the hierarchy, e.g. "
                f"{[r.code for r in unknown]}"
            )
        levels = spark.sql(_level_pairs_sql()).persist()
        levels.createOrReplaceTempView("level_pairs")
        inflow = spark.sql(_side_sql("inflow"))
        outflow = spark.sql(_side_sql("outflow"))
        coverage = _coverage(outflow, "outflow", threshold).unionByName(
            _coverage(inflow, "inflow", threshold)
        )
        assessment = _assessment(outflow, "outflow", threshold).unionByName(
            _assessment(inflow, "inflow", threshold)
        )
        tables = {
            "flows": spark.sql(_flows_sql()),
            "flows_rollup": spark.sql(_rollup_sql(threshold)),
            "unit_flows": spark.sql(_unit_flows_sql()),
            "coverage": coverage,
            "assessment": assessment,
            "period_totals": spark.sql(
                f"SELECT period, CAST(sum(n_all) AS BIGINT) AS persons, CAST({int(run_id)} AS INT) "  # nosec B608 # an int, no input
                "AS run_id FROM pairs GROUP BY period"
            ),
        }
        for name, frame in tables.items():
            frame.write.partitionBy("period").parquet(str(scratch / name))
        levels.unpersist()
        return list(tables)
    finally:
        pairs.unpersist()


def _pairs_sql() -> str:
    """Per period and county pair: persons of every cohort and the outflow measures."""
    sums = [
        f"CAST(sum(CASE WHEN {sql} THEN 1 ELSE 0 END) AS BIGINT) AS {name}"
        for name, sql in scan.side_measures("outflow").items()
    ]
    return (
        "SELECT period, hukou_code, residence_code, count(*) AS n_all, "  # nosec B608 # names built here
        + ", ".join(sums)
        + " FROM records GROUP BY period, hukou_code, residence_code"
    )


def _flows_sql() -> str:
    cohorts = ", ".join(f"n_{c} AS persons_{c}" for c in COHORTS)
    return (
        "SELECT period, CAST(hukou_code AS STRING) AS hukou_code, "  # nosec B608 # names built here
        f"CAST(residence_code AS STRING) AS residence_code, {cohorts}, "
        "hukou_code = residence_code AS is_diagonal, "
        "CAST(floor(hukou_code / 10000) AS INT) <> CAST(floor(residence_code / 10000) AS INT) "
        "AS is_inter_province FROM pairs"
    )


def _level_pairs_sql() -> str:
    """County pairs summed to prefecture, province and region pairs (``level``, origin,
    destination, persons of each cohort), and the county pairs themselves as level ``county``."""
    cohorts = [f"n_{c}" for c in COHORTS]
    sums = ", ".join(f"CAST(sum({c}) AS BIGINT) AS {c}" for c in cohorts)
    plain = ", ".join(cohorts)
    return f"""
    WITH coded AS (
      SELECT p.period, o.prefecture_code AS o_pref, d.prefecture_code AS d_pref,
             o.province_code AS o_prov, d.province_code AS d_prov, {", ".join("p." + c for c in cohorts)}
      FROM pairs p JOIN units o ON p.hukou_code = o.county_code
                   JOIN units d ON p.residence_code = d.county_code),
    provinces AS (
      SELECT period, o_prov AS origin_code, d_prov AS destination_code, {sums}
      FROM coded GROUP BY period, o_prov, d_prov)
    SELECT period, 'county' AS level, CAST(hukou_code AS STRING) AS origin_code,
           CAST(residence_code AS STRING) AS destination_code, {plain} FROM pairs
    UNION ALL
    SELECT period, 'prefecture', o_pref, d_pref, {sums} FROM coded GROUP BY period, o_pref, d_pref
    UNION ALL
    SELECT period, 'province', origin_code, destination_code, {plain} FROM provinces
    UNION ALL
    SELECT v.period, 'region', ro.region_code, rd.region_code, {", ".join(f"CAST(sum(v.{c}) AS BIGINT)" for c in cohorts)}
    FROM provinces v JOIN province_regions ro ON v.origin_code = ro.province_code
                     JOIN province_regions rd ON v.destination_code = rd.province_code
    GROUP BY v.period, ro.region_code, rd.region_code
    """  # nosec B608 # names built here, no input


def _rollup_sql(threshold: int) -> str:
    """Long rollup rows: one per level pair and cohort with persons."""
    parts = [
        f"SELECT period, level, origin_code, destination_code, '{c}' AS cohort, n_{c} AS persons, "
        f"origin_code = destination_code AS is_within, n_{c} < {int(threshold)} AS small_cell "
        f"FROM level_pairs WHERE level <> 'county' AND n_{c} <> 0"  # nosec B608 # names built here
        for c in COHORTS
    ]
    return " UNION ALL ".join(parts)


def _unit_flows_sql() -> str:
    """Per period and county, prefecture or province: persons in from, out to and within."""
    return """
    SELECT period, level, code, CAST(sum(inflow) AS BIGINT) AS inflow,
           CAST(sum(outflow) AS BIGINT) AS outflow, CAST(sum(within) AS BIGINT) AS within
    FROM (
      SELECT period, level, destination_code AS code,
             CASE WHEN origin_code <> destination_code THEN n_all ELSE 0 END AS inflow,
             0 AS outflow, 0 AS within
      FROM level_pairs WHERE level <> 'region'
      UNION ALL
      SELECT period, level, origin_code,
             0, CASE WHEN origin_code <> destination_code THEN n_all ELSE 0 END,
             CASE WHEN origin_code = destination_code THEN n_all ELSE 0 END
      FROM level_pairs WHERE level <> 'region')
    GROUP BY period, level, code
    HAVING sum(inflow) + sum(outflow) + sum(within) <> 0
    """


def _side_sql(side: str) -> str:
    """Per period and county of a side: its measures (``n_<population>``, ``num_<flag>``)."""
    names = list(scan.side_measures(side))
    if side == "outflow":  # summed from the county pairs
        sums = ", ".join(f"CAST(sum({n}) AS BIGINT) AS {n}" for n in names)
        return (
            f"SELECT period, CAST(hukou_code AS STRING) AS county_code, {sums} "  # nosec B608 # names built here
            "FROM pairs GROUP BY period, hukou_code"
        )
    sums = ", ".join(
        f"CAST(sum(CASE WHEN {sql} THEN 1 ELSE 0 END) AS BIGINT) AS {n}"
        for n, sql in scan.side_measures(side).items()
    )
    return (
        f"SELECT period, CAST(residence_code AS STRING) AS county_code, {sums} "  # nosec B608 # names built here
        "FROM records GROUP BY period, residence_code"
    )


def _indicators(side: str) -> list:
    return [i for i in INDICATORS if i.side == side]


def _coverage(frame: DataFrame, side: str, threshold: int) -> DataFrame:
    """Every indicator of the side for every county of it, including 0/0."""
    stack = ", ".join(
        f"'{i.flag}', num_{i.flag}, n_{i.denominator}" for i in _indicators(side)
    )
    indicators = _indicators(side)
    return frame.selectExpr(
        "period",
        "county_code",
        f"stack({len(indicators)}, {stack}) AS (indicator, numerator, denominator)",
    ).selectExpr(
        "period",
        "county_code",
        f"'{side}' AS side",
        "indicator",
        "numerator",
        "denominator",
        f"denominator < {int(threshold)} AS small_cell",
    )


def _assessment(frame: DataFrame, side: str, threshold: int) -> DataFrame:
    """Two-way assessment of one side (``etl.aggregate.coverage.coverage_and_assessment``): each
    indicator against the target in force for the row's period, the score their weighted mean
    (``etl.targets``), summed in numpy's order so the doubles agree bit for bit."""
    indicators = _indicators(side)
    weights = targets.weights([i.flag for i in indicators])
    valid = [f"n_{i.denominator} > 0" for i in indicators]
    n_valid = " + ".join(f"CASE WHEN {v} THEN 1 ELSE 0 END" for v in valid)
    at_target = " + ".join(
        f"CASE WHEN n_{i.denominator} > 0 AND num_{i.flag} * {BASIS} >= "
        f"CAST({_target_sql(i.flag)} AS BIGINT) * n_{i.denominator} THEN 1 ELSE 0 END"
        for i in indicators
    )
    goal = {
        i.flag: f"(CAST(n_{i.denominator} AS DOUBLE) * CAST({_target_sql(i.flag)} AS DOUBLE) / "
        f"CAST({BASIS} AS DOUBLE))"
        for i in indicators
    }
    weighted = [
        f"CASE WHEN n_{i.denominator} > 0 THEN CAST({float(w)!r} AS DOUBLE) * least(CAST(1 AS DOUBLE), "
        f"CAST(num_{i.flag} AS DOUBLE) / CASE WHEN {goal[i.flag]} > 0 THEN {goal[i.flag]} "
        "ELSE CAST(1 AS DOUBLE) END) ELSE CAST(0 AS DOUBLE) END"
        for i, w in zip(indicators, weights, strict=True)
    ]
    total = numpy_sum([
        f"CASE WHEN n_{i.denominator} > 0 THEN CAST({float(w)!r} AS DOUBLE) ELSE CAST(0 AS DOUBLE) END"
        for i, w in zip(indicators, weights, strict=True)
    ])  # fmt: skip
    smallest = "least(" + ", ".join(
        f"CASE WHEN n_{i.denominator} > 0 THEN n_{i.denominator} END" for i in indicators
    ) + ")" if len(indicators) > 1 else f"CASE WHEN {valid[0]} THEN n_{indicators[0].denominator} END"
    role = "origin" if side == "outflow" else "destination"
    return frame.selectExpr(
        "period",
        "county_code",
        f"'{role}' AS role",
        f"CAST({n_valid} AS INT) AS n_indicators",
        f"CAST({at_target} AS INT) AS n_at_target",
        f"CASE WHEN ({total}) > 0 THEN ({numpy_sum(weighted)}) / ({total}) END AS score",
        f"coalesce({smallest}, 0) < {int(threshold)} AS small_cell",
    )


def _target_sql(flag: str) -> str:
    """The target (basis points) of ``flag`` in force for the row's ``period`` (``etl.targets``:
    a period takes its year's target, a year outside the file its nearest year's)."""
    active = targets.active_targets()
    year = "CAST(substring(period, 1, 4) AS INT)"
    steps = " ".join(
        f"WHEN {year} <= {y} THEN {active.bp_by_year[(flag, y)]}"
        for y in range(active.first_year, active.last_year)
    )
    last = active.bp_by_year[(flag, active.last_year)]
    return f"(CASE {steps} ELSE {last} END)" if steps else str(last)


def numpy_sum(terms: list[str]) -> str:
    """An SQL sum of ``terms`` (doubles) in the order numpy's pairwise summation adds them along
    a row of fewer than 129 values: one by one under 8; else eight running sums, combined as
    ((0+1)+(2+3))+((4+5)+(6+7)), then the rest one by one. Same order, same bits."""
    if len(terms) > 128:  # pragma: no cover - at most nine indicators
        raise ValueError("numpy_sum follows numpy's order for up to 128 values")
    if len(terms) < 8:
        out = terms[0]
        for term in terms[1:]:
            out = f"({out} + {term})"
        return out
    whole = len(terms) - len(terms) % 8
    r = list(terms[:8])
    for i in range(8, whole, 8):
        r = [f"({r[j]} + {terms[i + j]})" for j in range(8)]
    out = f"((({r[0]} + {r[1]}) + ({r[2]} + {r[3]})) + (({r[4]} + {r[5]}) + ({r[6]} + {r[7]})))"
    for term in terms[whole:]:
        out = f"({out} + {term})"
    return out
