"""Marts: flows, rollups, coverage and assessment, computed by DuckDB over the staged Parquet.

Definitions (DESIGN.md §3-4, ``etl.records``):

- a *flow* counts distinct persons with a given (hukou_code, residence_code) in one period. The
  loader keeps one record per person-period (later duplicates are quarantined), so the count of
  staged records *is* the count of distinct person hashes; it is computed as such (``count(*)``);
- cohorts: ``all``; ``women_15_49`` (sex 2, age 15-49); ``married_women_15_49`` (and marital status
  20-23), age being completed years on the first day of the period;
- ``is_diagonal``: hukou_code = residence_code (an intra-county mover), kept and flagged, never part
  of between-county totals; ``is_inter_province``: the two codes are in different provinces (the
  first two digits of a county code are its province's);
- rollups to prefecture, province and collaboration region: a rolled-up flow whose origin and
  destination are the same unit at that level is that level's *within* flow (``is_within``), never
  to be added to between-unit totals. A province in two regions counts in both; provinces in no
  region form the pseudo-region ``other``;
- coverage: each indicator's numerator (persons of the denominator whose flag is 1) and
  denominator per county and period, on its side: outflow indicators grouped by hukou_code,
  inflow indicators by residence_code. Every county with a record on a side gets every indicator
  of that side, including 0/0;
- two-way assessment (双向考核): a county is scored as an *origin* on its outflow indicators and
  as a *destination* on its inflow indicators. ``score`` is the mean over those indicators (with a
  denominator above 0) of min(1, rate / target): 1.0 means every indicator at its target, 0.9
  means on average 90% of the way. ``n_at_target`` counts indicators at or above target;
- ``small_cell``: a count (flow persons, coverage denominator, or an assessment's smallest
  denominator) under the threshold (default 10): too few people to publish or to trust. County
  flows are stored one row per pair with a column per cohort; their flag is derived on reading
  (``etl.store.read_flows``) from the threshold the store records.

The job scans the records twice: origin-destination counts per period (the three cohorts and the
outflow indicators), and the inflow indicators per residence county and period; rollups, outflow
coverage and the assessment are computed from those results.
"""

from __future__ import annotations

from collections.abc import Generator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from etl.records import COHORTS, DENOMINATORS, INDICATORS, MARRIED_CODES

DEFAULT_SMALL_CELL = 10

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


@dataclass(frozen=True)
class Marts:
    """Aggregates ready for the store: table name -> Arrow table (columns in the store's order)."""

    tables: dict[str, pa.Table]
    periods: tuple[str, ...]


def aggregate_files(
    files: list[Path],
    hierarchy: pd.DataFrame,
    membership: pd.DataFrame,
    run_id: int,
    small_cell: int = DEFAULT_SMALL_CELL,
    threads: int | None = None,
) -> Marts:
    """Every mart over the staged ``files``.

    ``hierarchy``: ``county_code, prefecture_code, province_code`` (``geodata.hierarchy``);
    ``membership``: ``region_code, province_code`` (``RegionConfig.membership()``).
    """
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    try:
        return _aggregate(con, files, hierarchy, membership, run_id, small_cell)
    finally:
        con.close()


def _projection(populations: set[str], flags: list[str], keys: str) -> str:
    """Each population predicate evaluated once per record, as a boolean column ``p_<name>``."""
    pops = ", ".join(f"({POPULATION_SQL[p]}) AS p_{p}" for p in sorted(populations) if p != "all")
    return ", ".join(x for x in (keys, pops, ", ".join(flags)) if x)


def aggregate_chunks(
    files: list[Path],
    hierarchy: pd.DataFrame,
    membership: pd.DataFrame,
    run_id: int,
    small_cell: int = DEFAULT_SMALL_CELL,
    periods_per_chunk: int = 12,
) -> Generator[Marts, None, None]:
    """The marts of ``files`` a few periods at a time (every mart is per period), in period order.

    Memory stays bounded by two chunks whatever the number of periods. The next chunk is computed
    (in a thread: DuckDB releases the GIL) while the caller handles the current one, e.g. writes it
    to the store.
    """
    period_files = _by_period(files)
    periods = list(period_files)
    size = max(1, periods_per_chunk)
    chunks = [
        [f for p in periods[start : start + size] for f in period_files[p]] for start in range(0, len(periods), size)
    ]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="yipanqi-marts") as pool:
        pending: list[Future[Marts]] = []
        for chunk in chunks:
            pending.append(pool.submit(aggregate_files, chunk, hierarchy, membership, run_id, small_cell))
            if len(pending) == 2:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def flows_sql(period_files: dict[str, list[Path]], per_period: bool = True) -> str:
    """Origin-destination counts of the three cohorts, one period's files at a time.

    Also carries the outflow indicators' numerators and denominators, so that outflow coverage
    (grouped by hukou_code) is a sum over this table rather than another scan. Scanning each
    period's files on their own (the staging area keeps one folder per period) groups by the two
    integer codes only; counting is summing booleans computed once per record.
    """
    outflow = [i for i in INDICATORS if i.side == "outflow"]
    populations = set(COHORTS) | {i.denominator for i in outflow}
    counts = ", ".join(
        ["count(*) AS n_all"]
        + [f"sum(p_{p}::INTEGER)::BIGINT AS n_{p}" for p in sorted(populations - {"all"})]
        + [f"sum((p_{i.denominator} AND {i.flag})::INTEGER)::BIGINT AS num_{i.flag}" for i in outflow]
    )
    if not per_period:
        files = [f for fs in period_files.values() for f in fs]
        projection = _projection(populations, [i.flag for i in outflow], "period, hukou_code, residence_code")
        return (
            f"SELECT period::VARCHAR AS period, hukou_code, residence_code, {counts} "
            f"FROM (SELECT {projection} FROM read_parquet({_file_list(files)})) GROUP BY ALL"
        )
    projection = _projection(populations, [i.flag for i in outflow], "hukou_code, residence_code")
    return " UNION ALL ".join(
        f"SELECT '{period}' AS period, hukou_code, residence_code, {counts} "
        f"FROM (SELECT {projection} FROM read_parquet({_file_list(files)})) GROUP BY hukou_code, residence_code"
        for period, files in period_files.items()
    )


def inflow_sql(files: list[Path]) -> str:
    """Denominators and numerators of the inflow indicators per residence county and period.

    One query over all files (few groups: counties x periods), not one per period.
    """
    indicators = [i for i in INDICATORS if i.side == "inflow"]
    denominators = sorted({i.denominator for i in indicators})
    aggregates = ", ".join(
        [f"sum(p_{d}::INTEGER)::BIGINT AS n_{d}" for d in denominators]
        + [f"sum((p_{i.denominator} AND {i.flag})::INTEGER)::BIGINT AS num_{i.flag}" for i in indicators]
    )
    projection = _projection(set(denominators), [i.flag for i in indicators], "period, residence_code")
    return (
        f"SELECT period::VARCHAR AS period, residence_code AS county_code, {aggregates} "
        f"FROM (SELECT {projection} FROM read_parquet({_file_list(files)})) GROUP BY ALL"
    )


def _file_list(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def _by_period(files: list[Path]) -> dict[str, list[Path]]:
    """Staged files grouped by the period folder they sit in (``period=YYYY-MM``)."""
    out: dict[str, list[Path]] = {}
    for f in files:
        name = Path(f).parent.name
        if not name.startswith("period="):
            raise ValueError(f"{f} is not in a period=YYYY-MM folder of the staging area")
        out.setdefault(name.removeprefix("period="), []).append(Path(f))
    return dict(sorted(out.items()))


def _aggregate(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    hierarchy: pd.DataFrame,
    membership: pd.DataFrame,
    run_id: int,
    small_cell: int,
) -> Marts:
    if not files:
        return Marts({}, ())
    period_files = _by_period(files)
    od = con.sql(flows_sql(period_files)).to_arrow_table()
    con.register("od", od)
    units = hierarchy[["county_code", "prefecture_code", "province_code"]].astype(str)
    units = units.assign(county=units["county_code"].astype("int32"))
    members = membership[["region_code", "province_code"]].astype(str)
    con.register("units_df", units)
    con.register("members_df", members)
    con.execute("CREATE TEMP TABLE u AS SELECT * FROM units_df")
    threshold = int(small_cell)

    flows = _wide_flows(od)

    # each level from the one below it: counties -> prefectures -> provinces -> regions
    level_sums = ", ".join(f"sum(n_{c})::BIGINT AS n_{c}" for c in COHORTS)
    con.execute(
        "CREATE TEMP TABLE pf AS SELECT DISTINCT prefecture_code, province_code FROM u"
    )
    # prefecture codes by a look-up table over the integer county codes (no join of the big table)
    prefecture_of = np.zeros(1_000_000, dtype=np.int32)
    prefecture_of[units["county"].to_numpy()] = units["prefecture_code"].astype("int32").to_numpy()
    period_index = od.column("period").combine_chunks().dictionary_encode()
    labels = period_index.dictionary
    con.register("period_labels", pa.table({"p": np.arange(len(labels), dtype=np.int32), "period": labels}))
    con.register(
        "od_pref",
        pa.table(
            {
                "p": period_index.indices,
                "o": pa.array(prefecture_of[np.asarray(od.column("hukou_code"))]),
                "d": pa.array(prefecture_of[np.asarray(od.column("residence_code"))]),
                **{f"n_{c}": od.column(f"n_{c}") for c in COHORTS},
            }
        ),
    )
    con.execute(
        f"""CREATE TEMP TABLE r_pref AS
            SELECT l.period, r.o::VARCHAR AS origin_code, r.d::VARCHAR AS destination_code, r.* EXCLUDE (p, o, d)
            FROM (SELECT p, o, d, {level_sums} FROM od_pref GROUP BY p, o, d) r JOIN period_labels l USING (p)"""
    )
    con.execute(
        f"""CREATE TEMP TABLE r_prov AS
            SELECT r.period, o.province_code AS origin_code, d.province_code AS destination_code, {level_sums}
            FROM r_pref r JOIN pf o ON o.prefecture_code = r.origin_code
                          JOIN pf d ON d.prefecture_code = r.destination_code
            GROUP BY ALL"""
    )
    con.execute(
        "CREATE TEMP TABLE preg AS SELECT DISTINCT u.province_code, coalesce(m.region_code, 'other') AS region_code "
        "FROM u LEFT JOIN members_df m USING (province_code)"
    )
    rollups = [
        f"SELECT period, 'prefecture' AS level, origin_code, destination_code, {', '.join(f'n_{c}' for c in COHORTS)} FROM r_pref",
        f"SELECT period, 'province' AS level, origin_code, destination_code, {', '.join(f'n_{c}' for c in COHORTS)} FROM r_prov",
        f"""SELECT r.period, 'region' AS level, o.region_code AS origin_code, d.region_code AS destination_code,
                   {level_sums}
            FROM r_prov r JOIN preg o ON o.province_code = r.origin_code
                          JOIN preg d ON d.province_code = r.destination_code
            GROUP BY ALL""",
    ]
    cohort_rows = " UNION ALL ".join(
        f"SELECT period, level, origin_code, destination_code, '{c}' AS cohort, n_{c} AS persons "
        f"FROM r WHERE n_{c} > 0"
        for c in COHORTS
    )
    flows_rollup = con.sql(
        f"""
        WITH r AS ({" UNION ALL ".join(rollups)})
        SELECT period, level, origin_code, destination_code, cohort, persons,
               origin_code = destination_code AS is_within, persons < {threshold} AS small_cell
        FROM ({cohort_rows})
        """
    ).to_arrow_table()

    sides: list[str] = []
    for side in ("outflow", "inflow"):
        indicators = [i for i in INDICATORS if i.side == side]
        if not indicators:
            continue
        if side == "outflow":
            sums = ", ".join(
                sorted(
                    {f"sum(n_{i.denominator})::BIGINT AS n_{i.denominator}" for i in indicators}
                    | {f"sum(num_{i.flag})::BIGINT AS num_{i.flag}" for i in indicators}
                )
            )
            query = f"SELECT period, hukou_code AS county_code, {sums} FROM od GROUP BY ALL"
        else:
            query = inflow_sql(files)
        con.register(f"cov_{side}", con.sql(query).to_arrow_table())
        sides.extend(
            f"SELECT period, county_code, '{side}' AS side, '{i.flag}' AS indicator, "
            f"num_{i.flag}::BIGINT AS numerator, n_{i.denominator}::BIGINT AS denominator, "
            f"{i.target} AS target, {round(i.target * 10000)} AS target_bp FROM cov_{side}"
            for i in indicators
        )
    con.execute(f"CREATE TEMP TABLE cov AS {' UNION ALL '.join(sides)}")
    coverage = con.sql(
        f"""
        SELECT period, county_code::VARCHAR AS county_code, side, indicator, numerator, denominator,
               denominator < {threshold} AS small_cell
        FROM cov
        """
    ).to_arrow_table()
    assessment = con.sql(
        f"""
        SELECT period, county_code::VARCHAR AS county_code,
               CASE side WHEN 'outflow' THEN 'origin' ELSE 'destination' END AS role,
               count(*) FILTER (WHERE denominator > 0)::INTEGER AS n_indicators,
               count(*) FILTER (WHERE denominator > 0 AND numerator * 10000 >= target_bp * denominator)::INTEGER
                   AS n_at_target,
               avg(least(1.0, numerator / (denominator * target))) FILTER (WHERE denominator > 0)
                   AS score,
               coalesce(min(denominator) FILTER (WHERE denominator > 0), 0) < {threshold} AS small_cell
        FROM cov GROUP BY ALL
        """
    ).to_arrow_table()
    totals = con.sql(
        f"SELECT period, sum(n_all)::BIGINT AS persons, {int(run_id)} AS run_id FROM od GROUP BY ALL ORDER BY period"
    ).to_arrow_table()
    periods = tuple(totals.column("period").to_pylist())
    return Marts(
        {
            "flows": flows,
            "flows_rollup": flows_rollup,
            "coverage": coverage,
            "assessment": assessment,
            "period_totals": totals,
        },
        periods,
    )


def _wide_flows(od: pa.Table) -> pa.Table:
    """The county flow table as stored: one row per county pair, codes as text, two flags."""
    hukou = np.asarray(od.column("hukou_code"), dtype=np.int64)
    residence = np.asarray(od.column("residence_code"), dtype=np.int64)
    columns = {
        "period": od.column("period"),
        "hukou_code": _code_text(hukou),
        "residence_code": _code_text(residence),
        **{f"persons_{c}": od.column(f"n_{c}") for c in COHORTS},
        "is_diagonal": pa.array(hukou == residence),
        "is_inter_province": pa.array(hukou // 10000 != residence // 10000),
    }
    return pa.table(columns)


def _code_text(codes: np.ndarray) -> pa.Array:
    """6-digit integer codes as dictionary-encoded text (codes are few, rows are many)."""
    present = np.zeros(1_000_000, dtype=bool)
    present[codes] = True
    unique = np.flatnonzero(present)
    lut = np.zeros(1_000_000, dtype=np.int32)
    lut[unique] = np.arange(len(unique), dtype=np.int32)
    labels = pa.array([f"{c:06d}" for c in unique.tolist()])
    return pa.DictionaryArray.from_arrays(pa.array(lut[codes]), labels)


def reference_tables(hierarchy: pd.DataFrame, region_config: object) -> dict[str, pa.Table]:
    """The hierarchy and regions the marts were built with, for the store."""
    units = hierarchy[
        ["county_code", "county_name", "prefecture_code", "prefecture_name", "province_code", "province_name"]
    ].astype(str)
    regions = [(r.code, r.name_zh, r.name_en) for r in region_config.regions]  # type: ignore[attr-defined]
    regions.append(("other", "其他", "Other"))
    members = region_config.membership()  # type: ignore[attr-defined]
    return {
        "units": pa.Table.from_pandas(units, preserve_index=False),
        "regions": pa.table(
            {
                "region_code": [r[0] for r in regions],
                "name_zh": [r[1] for r in regions],
                "name_en": [r[2] for r in regions],
            }
        ),
        "region_members": pa.Table.from_pandas(
            members[["region_code", "province_code"]].astype(str), preserve_index=False
        ),
    }
