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
- unit flows: per period and county, prefecture or province, the persons (cohort ``all``) flowing
  in from other units of that level (``inflow``), out to them (``outflow``), and within the unit
  (``within``): the totals of a place without reading every pair (regions are left out: a province
  in two regions would count in both);
- ``small_cell``: a count (flow persons, coverage denominator, or an assessment's smallest
  denominator) under the threshold (default 10): too few people to publish or to trust. County
  flows are stored one row per pair with a column per cohort; their flag is derived on reading
  (``etl.store.read_flows``) from the threshold the store records.

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
import pyarrow.parquet as pq

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
    period_files = _by_period(files)
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
        f"SELECT {p}::SMALLINT AS p, {keys}, {', '.join(aggregates)} "  # nosec B608 # column names and file lists built here, no input
        f"FROM read_parquet({_file_list(files)}, hive_partitioning = false) GROUP BY {keys}"
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


def _rows(files: list[Path]) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


@dataclass(frozen=True)
class Units:
    """The hierarchy as dense indices, for summing with numpy.

    ``county``: county code -> county index (-1 for none); ``prefecture``: county index ->
    prefecture index; ``province``: prefecture index -> province index; ``labels``: the codes of
    every county, then prefecture, then province, then region (``offset`` says where each level
    starts); ``regions``: (province index, region index) pairs, provinces in no region under ``other``.
    """

    county: np.ndarray
    prefecture: np.ndarray
    province: np.ndarray
    regions: np.ndarray
    labels: pa.Array
    offset: dict[str, int]

    @classmethod
    def build(cls, hierarchy: pd.DataFrame, membership: pd.DataFrame) -> Units:
        units = hierarchy[["county_code", "prefecture_code", "province_code"]].astype(str)
        prefecture_idx, prefectures = pd.factorize(units["prefecture_code"])
        province_idx, provinces = pd.factorize(units["province_code"])
        province_of_prefecture = np.zeros(len(prefectures), dtype=np.int32)
        province_of_prefecture[prefecture_idx] = province_idx
        members = membership[["region_code", "province_code"]].astype(str)
        region_names = list(dict.fromkeys(members["region_code"])) + ["other"]
        province_position = {code: i for i, code in enumerate(provinces)}
        pairs = [
            (province_position[p], region_names.index(r))
            for r, p in members.itertuples(index=False)
            if p in province_position
        ]
        in_region = {p for p, _ in pairs}
        pairs += [(i, len(region_names) - 1) for i in range(len(provinces)) if i not in in_region]
        county = np.full(1_000_000, -1, dtype=np.int32)
        county[units["county_code"].astype(int).to_numpy()] = np.arange(len(units), dtype=np.int32)
        levels = {
            "county": list(units["county_code"]),
            "prefecture": list(prefectures),
            "province": list(provinces),
            "region": region_names,
        }
        offset, start = {}, 0
        for level, codes in levels.items():
            offset[level] = start
            start += len(codes)
        return cls(
            county=county,
            prefecture=prefecture_idx.astype(np.int32),
            province=province_of_prefecture,
            regions=np.array(sorted(pairs), dtype=np.int32).reshape(-1, 2),
            labels=pa.array([c for codes in levels.values() for c in codes]),
            offset=offset,
        )

    def size(self, level: str) -> int:
        levels = list(self.offset)
        end = (
            self.offset[levels[levels.index(level) + 1]]
            if level != levels[-1]
            else len(self.labels)
        )
        return end - self.offset[level]

    def codes(self, level: str, index: np.ndarray) -> pa.DictionaryArray:
        """Unit codes of ``level`` at ``index``, dictionary-encoded (few codes, many rows)."""
        return pa.DictionaryArray.from_arrays(
            pa.array(index.astype(np.int32) + self.offset[level]), self.labels
        )

    def county_index(self, codes: np.ndarray) -> np.ndarray:
        index = self.county[codes]
        if (index < 0).any():
            unknown = sorted({int(c) for c in codes[index < 0]})[:5]
            raise ValueError(
                f"staged records name county codes missing from the hierarchy, e.g. {unknown}"
            )
        return index


def group_sums(
    keys: list[np.ndarray], sizes: list[int], weights: dict[str, np.ndarray]
) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """Sums of ``weights`` per distinct combination of ``keys`` (dense indices below ``sizes``).

    Returns the combinations present (a row with any weight, the first weight being a count of
    rows) and each weight's sums, by ``np.bincount`` over the combined index.
    """
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key, size in zip(keys, sizes, strict=True):
        combined = combined * size + key
    total = int(np.prod(sizes, dtype=np.int64))
    names = list(weights)
    first = np.bincount(combined, weights=weights[names[0]], minlength=total)
    present = np.flatnonzero(first)
    sums = {names[0]: first[present].astype(np.int64)}
    for name in names[1:]:
        sums[name] = np.bincount(combined, weights=weights[name], minlength=total)[present].astype(
            np.int64
        )
    out: list[np.ndarray] = []
    rest = present
    for size in reversed(sizes[1:]):
        rest, key = np.divmod(rest, size)
        out.insert(0, key)
    out.insert(0, rest)
    return out, sums


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
    periods = list(period_files)
    units = Units.build(hierarchy, membership)
    packed = max(_rows(fs) for fs in period_files.values()) < 1 << FIELD_BITS
    outflow_names = list(side_measures("outflow"))
    pairs = con.sql(pairs_sql(period_files, packed)).to_arrow_table()
    inflow = con.sql(inflow_sql(period_files)).to_arrow_table()

    p = pairs.column("p").to_numpy().astype(np.int64)
    hukou = pairs.column("hukou_code").to_numpy()
    residence = pairs.column("residence_code").to_numpy()
    origin, destination = units.county_index(hukou), units.county_index(residence)
    counts = {"n_all": pairs.column("n_all").to_numpy(), **unpack(pairs, outflow_names, packed)}
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
    flows_rollup, pairs_by_level = _rollups(
        p, origin, destination, counts, units, len(periods), period_codes, small_cell
    )
    pairs_by_level["county"] = (p, origin, destination, counts["n_all"])
    coverage_parts, assessment_parts = [], []
    for side, (index, county, sums) in {
        "outflow": _outflow_side(p, origin, counts, units, len(periods)),
        "inflow": _inflow_side(inflow, units),
    }.items():
        coverage, assessment = _coverage(
            side, period_codes(index), units.codes("county", county), sums, small_cell
        )
        coverage_parts.append(coverage)
        assessment_parts.append(assessment)
    totals = np.bincount(p, weights=counts["n_all"], minlength=len(periods)).astype(np.int64)
    return Marts(
        {
            "flows": flows,
            "flows_rollup": flows_rollup,
            "unit_flows": _unit_flows(pairs_by_level, units, len(periods), period_codes),
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


def _rollups(
    p: np.ndarray,
    origin: np.ndarray,
    destination: np.ndarray,
    counts: dict[str, np.ndarray],
    units: Units,
    n_periods: int,
    period_codes,  # noqa: ANN001 - index -> period text
    small_cell: int,
) -> tuple[pa.Table, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]]:
    """County pairs summed to prefecture, province and region pairs: one row per cohort with
    persons; and, per level, the pairs' (period, origin, destination, persons of cohort all)."""
    weights = {c: counts[f"n_{c}"] for c in COHORTS}
    levels = {}
    n = units.size("prefecture")
    (pp, po, pd_), sums = group_sums(
        [p, units.prefecture[origin], units.prefecture[destination]], [n_periods, n, n], weights
    )
    levels["prefecture"] = (pp, po, pd_, sums)
    n = units.size("province")
    (pp, po, pd_), sums = group_sums(
        [pp, units.province[po], units.province[pd_]], [n_periods, n, n], sums
    )
    levels["province"] = (pp, po, pd_, sums)
    # a province in two regions counts in both: each province pair once per pair of their regions
    member = np.zeros((n, units.size("region")), dtype=bool)
    member[units.regions[:, 0], units.regions[:, 1]] = True
    rows, ro = np.nonzero(member[po])
    picked, rd = np.nonzero(member[pd_[rows]])
    rows, ro = rows[picked], ro[picked]
    n = units.size("region")
    (rp, ro, rd), region_sums = group_sums(
        [pp[rows], ro, rd], [n_periods, n, n], {c: v[rows] for c, v in sums.items()}
    )
    levels["region"] = (rp, ro, rd, region_sums)

    parts = []
    for level, (lp, lo, ld, level_sums) in levels.items():
        for cohort in COHORTS:
            keep = np.flatnonzero(level_sums[cohort])
            persons = level_sums[cohort][keep]
            parts.append(
                pa.table(
                    {
                        "period": period_codes(lp[keep]),
                        "level": _labelled(ROLLUP_LEVELS, level, len(keep)),
                        "origin_code": units.codes(level, lo[keep]),
                        "destination_code": units.codes(level, ld[keep]),
                        "cohort": _labelled(COHORT_LABELS, cohort, len(keep)),
                        "persons": persons,
                        "is_within": lo[keep] == ld[keep],
                        "small_cell": persons < small_cell,
                    }
                )
            )
    return pa.concat_tables(parts), {
        level: (lp, lo, ld, sums["all"]) for level, (lp, lo, ld, sums) in levels.items()
    }


def _unit_flows(
    levels: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    units: Units,
    n_periods: int,
    period_codes,  # noqa: ANN001 - index -> period text
) -> pa.Table:
    """Per period and county, prefecture or province: persons in from, out to and within (cohort all)."""
    parts = []
    for level in ("county", "prefecture", "province"):
        p, origin, destination, persons = levels[level]
        n = units.size(level)
        between = origin != destination
        weights = persons.astype(np.float64)
        sums = [
            np.bincount(p[mask] * n + unit[mask], weights=weights[mask], minlength=n_periods * n)
            for unit, mask in ((destination, between), (origin, between), (origin, ~between))
        ]
        present = np.flatnonzero(sums[0] + sums[1] + sums[2])
        period, unit = np.divmod(present, n)
        inflow, outflow, within = (s[present].astype(np.int64) for s in sums)
        parts.append(
            pa.table(
                {
                    "period": period_codes(period),
                    "level": _labelled(UNIT_LEVELS, level, len(present)),
                    "code": units.codes(level, unit),
                    "inflow": inflow,
                    "outflow": outflow,
                    "within": within,
                }
            )
        )
    return pa.concat_tables(parts)


UNIT_LEVELS = pa.array(["county", "prefecture", "province"])
ROLLUP_LEVELS = pa.array(["prefecture", "province", "region"])
COHORT_LABELS = pa.array(list(COHORTS))
SIDE_LABELS = pa.array(["outflow", "inflow"])
ROLE_LABELS = pa.array(["origin", "destination"])
"""Dictionaries shared by every chunk's columns of these few values."""


def _labelled(labels: pa.Array, value: str, n: int) -> pa.DictionaryArray:
    """``value`` (one of ``labels``) repeated ``n`` times, dictionary-encoded."""
    index = labels.to_pylist().index(value)
    return pa.DictionaryArray.from_arrays(pa.array(np.full(n, index, dtype=np.int32)), labels)


def _outflow_side(
    p: np.ndarray, origin: np.ndarray, counts: dict[str, np.ndarray], units: Units, n_periods: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Outflow measures per period and hukou county, summed from the county pairs."""
    weights = {
        "n_all": counts["n_all"],
        **{name: counts[name] for name in side_measures("outflow")},
    }
    (period, county), sums = group_sums([p, origin], [n_periods, units.size("county")], weights)
    return period, county, sums


def _inflow_side(
    inflow: pa.Table, units: Units
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    county = units.county_index(inflow.column("residence_code").to_numpy())
    sums = {name: inflow.column(name).to_numpy() for name in side_measures("inflow")}
    return inflow.column("p").to_numpy(), county, sums


def _coverage(
    side: str, period: pa.Array, county: pa.Array, sums: dict[str, np.ndarray], small_cell: int
) -> tuple[pa.Table, pa.Table]:
    """The long coverage rows of one side (every indicator for every county) and its assessment."""
    indicators = [i for i in INDICATORS if i.side == side]
    n = len(period)
    numerator = np.stack([sums[f"num_{i.flag}"] for i in indicators], axis=1)
    denominator = np.stack([sums[f"n_{i.denominator}"] for i in indicators], axis=1)
    coverage = pa.table(
        {
            "period": pa.chunked_array([period] * len(indicators)),
            "county_code": pa.chunked_array([county] * len(indicators)),
            "side": _labelled(SIDE_LABELS, side, n * len(indicators)),
            "indicator": pa.DictionaryArray.from_arrays(
                pa.array(np.repeat(np.arange(len(indicators), dtype=np.int32), n)),
                pa.array([i.flag for i in indicators]),
            ),
            "numerator": numerator.T.ravel(),
            "denominator": denominator.T.ravel(),
            "small_cell": denominator.T.ravel() < small_cell,
        }
    )
    targets = np.array([i.target for i in indicators])
    target_bp = np.array([round(i.target * 10000) for i in indicators])
    valid = denominator > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = np.where(valid, np.minimum(1.0, numerator / (denominator * targets)), np.nan)
    n_indicators = valid.sum(axis=1)
    with np.errstate(invalid="ignore"):
        score = np.where(
            n_indicators > 0, np.nansum(attainment, axis=1) / np.maximum(n_indicators, 1), np.nan
        )
    smallest = np.where(valid, denominator, np.iinfo(np.int64).max).min(axis=1)
    assessment = pa.table(
        {
            "period": period,
            "county_code": county,
            "role": _labelled(ROLE_LABELS, "origin" if side == "outflow" else "destination", n),
            "n_indicators": n_indicators.astype(np.int32),
            "n_at_target": (valid & (numerator * 10000 >= target_bp * denominator))
            .sum(axis=1)
            .astype(np.int32),
            "score": pa.array(score, from_pandas=True),
            "small_cell": np.where(n_indicators > 0, smallest, 0) < small_cell,
        }
    )
    return coverage, assessment


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
