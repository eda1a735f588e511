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
  as a *destination* on its inflow indicators. ``score`` is the weighted mean (weights of ``etl.targets``) over those indicators (with a
  denominator above 0) of min(1, rate / target): 1.0 means every indicator at its target, 0.9
  means on average 90% of the way. ``n_at_target`` counts indicators at or above target;
- unit flows: per period and county, prefecture or province, the persons (cohort ``all``) flowing
  in from other units of that level (``inflow``), out to them (``outflow``), and within the unit
  (``within``): the totals of a place without reading every pair (regions are left out: a province
  in two regions would count in both);
- ``small_cell``: a count (flow persons, coverage denominator, or an assessment's smallest
  denominator) under the threshold (default 10): too few people to publish or to trust. County
  flows are stored one row per pair with a column per cohort; their flag is derived on reading
  (``etl.marts.read_flows``) from the threshold the store records.

Modules: ``scan`` (the DuckDB queries over the staged files), ``sums`` (the hierarchy as dense
indices, rollups and unit flows summed with numpy), ``coverage`` (coverage and assessment rows,
with the arithmetic of ``etl.indicators``); this module runs them per chunk of periods.

The job scans each period's staged file twice with DuckDB: once grouped by county pair (the three
cohorts and the outflow indicators) and once grouped by residence county (the inflow indicators).
Everything else is summed from those two results with numpy over dense unit indices: rollups,
unit flows, outflow coverage, the assessment. Counts of several populations travel in one BIGINT sum of
21-bit fields (a population is a subset of the pair's records, so no field can overflow while a
period has fewer than 2**21 records; larger periods are summed field by field).
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

from etl.aggregate import scan
from etl.aggregate.coverage import coverage_and_assessment, inflow_side, outflow_side
from etl.aggregate.sums import Units, rollups, unit_flows
from etl.records import COHORTS

DEFAULT_SMALL_CELL = 10


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


def aggregate_chunks(
    files: list[Path],
    hierarchy: pd.DataFrame,
    membership: pd.DataFrame,
    run_id: int,
    small_cell: int = DEFAULT_SMALL_CELL,
    periods_per_chunk: int = 4,
) -> Generator[Marts, None, None]:
    """The marts of ``files`` a few periods at a time (every mart is per period), in period order.

    Memory stays bounded by two chunks whatever the number of periods. Two chunks are computed at
    once, each by a single-threaded DuckDB in its own thread (DuckDB and numpy release the GIL), so
    one chunk's numpy sums overlap the other's scan and the caller's writing of earlier chunks.
    """
    period_files = scan.by_period(files)
    periods = list(period_files)
    size = max(1, periods_per_chunk)
    chunks = [
        [f for p in periods[start : start + size] for f in period_files[p]]
        for start in range(0, len(periods), size)
    ]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="yipanqi-marts") as pool:
        pending: list[Future[Marts]] = []
        for chunk in chunks:
            pending.append(
                pool.submit(
                    aggregate_files, chunk, hierarchy, membership, run_id, small_cell, threads=1
                )
            )
            if len(pending) == 2:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


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
    period_files = scan.by_period(files)
    periods = list(period_files)
    units = Units.build(hierarchy, membership)
    packed = max(scan.row_count(fs) for fs in period_files.values()) < 1 << scan.FIELD_BITS
    outflow_names = list(scan.side_measures("outflow"))
    pairs = con.sql(scan.pairs_sql(period_files, packed)).to_arrow_table()
    inflow = con.sql(scan.inflow_sql(period_files)).to_arrow_table()

    p = pairs.column("p").to_numpy().astype(np.int64)
    hukou = pairs.column("hukou_code").to_numpy()
    residence = pairs.column("residence_code").to_numpy()
    origin, destination = units.county_index(hukou), units.county_index(residence)
    counts = {"n_all": pairs.column("n_all").to_numpy(), **scan.unpack(pairs, outflow_names, packed)}
    period_labels = pa.array(periods)

    def period_codes(index: np.ndarray) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(index.astype(np.int32)), period_labels)

    flows = pa.table(
        {
            "period": period_codes(p),
            "hukou_code": units.codes("county", origin),
            "residence_code": units.codes("county", destination),
            **{f"persons_{c}": counts[f"n_{c}"] for c in COHORTS},
            "is_diagonal": hukou == residence,
            "is_inter_province": hukou // 10000 != residence // 10000,
        }
    )
    flows_rollup, pairs_by_level = rollups(
        p, origin, destination, counts, units, len(periods), period_codes, small_cell
    )
    pairs_by_level["county"] = (p, origin, destination, counts["n_all"])
    coverage_parts, assessment_parts = [], []
    for side, (index, county, sums) in {
        "outflow": outflow_side(p, origin, counts, units, len(periods)),
        "inflow": inflow_side(inflow, units),
    }.items():
        coverage, assessment = coverage_and_assessment(
            side, period_codes(index), units.codes("county", county), sums, small_cell
        )
        coverage_parts.append(coverage)
        assessment_parts.append(assessment)
    totals = np.bincount(p, weights=counts["n_all"], minlength=len(periods)).astype(np.int64)
    return Marts(
        {
            "flows": flows,
            "flows_rollup": flows_rollup,
            "unit_flows": unit_flows(pairs_by_level, units, len(periods), period_codes),
            "coverage": pa.concat_tables(coverage_parts),
            "assessment": pa.concat_tables(assessment_parts),
            "period_totals": pa.table(
                {
                    "period": period_labels,
                    "persons": totals,
                    "run_id": pa.array([run_id] * len(periods), pa.int32()),
                }
            ),
        },
        tuple(periods),
    )


def reference_tables(hierarchy: pd.DataFrame, region_config: object) -> dict[str, pa.Table]:
    """The hierarchy and regions the marts were built with, for the store."""
    units = hierarchy[
        [
            "county_code",
            "county_name",
            "prefecture_code",
            "prefecture_name",
            "province_code",
            "province_name",
        ]
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
