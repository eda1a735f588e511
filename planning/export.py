"""Scenario results as files: CSV tables with fixed columns and a JSON summary.

- ``coverage.csv``: ``period,county_code,side,indicator,numerator,denominator,scenario,
  suppressed`` (the columns of ``yipanqi export coverage`` plus ``scenario``; numbers projected,
  so fractional);
- ``flows.csv``: ``period,origin_code,destination_code,baseline_persons,persons,scenario,
  suppressed`` (origin: county of household registration; destination: of residence);
- ``gaps.csv``: per ``level`` (county, prefecture, province, region) and unit: baseline and projected
  numerator / denominator, gap to target in persons, staff and budget (yuan) needed;
- ``totals.csv``: inflow and outflow per level and unit, baseline and projected;
- ``summary.json``: the scenario, the period, the baseline run, the model's fit, notes.

Small cells are suppressed as in every export (``etl.disclosure``): a row whose *baseline* count is
under the store's small-cell threshold (a flow's persons, an indicator's denominator; for totals
an inflow or outflow above 0) has its numbers blank and ``suppressed`` true, since a projection
scaled from a small count would give it away. Secondary suppression covers the margins these files
publish side by side: flows by origin and by destination (the diagonal included, as the totals
count it); in ``gaps.csv`` and ``totals.csv`` each *nest*, a unit's row with the rows of the units
it sums (counties in their prefecture, province and regions; prefectures in their province and
regions; provinces in their regions; a province may be in several regions), is one group, so
neither a lone child nor a lone parent can be worked out by subtraction. ``coverage.csv`` withholds
the county rows that ``gaps.csv`` withholds.

Numbers are written with at most 3 decimals and no trailing zeros (a baseline count stays ``12``).
UTF-8 without BOM, header first, rows sorted by their key columns. A scenario name that a
spreadsheet could run as a formula (``=1+1``, ``+10% inflow``) starts with an apostrophe
(``etl.spreadsheet``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from etl import indicators
from etl.disclosure import SUPPRESSED, Margins, flow_margins, suppress
from etl.marts import OTHER_REGION
from etl.spreadsheet import neutralise_frame
from planning.scenario import LEVELS, SUM_COLUMNS, TOTAL_COLUMNS, ScenarioResult

COVERAGE_COLUMNS = (
    "period", "county_code", "side", "indicator", "numerator", "denominator", "scenario", SUPPRESSED,
)  # fmt: skip
FLOWS_COLUMNS = (
    "period", "origin_code", "destination_code", "baseline_persons", "persons", "scenario",
    SUPPRESSED,
)  # fmt: skip
GAPS_COLUMNS = ("period", "level", "unit_code", "side", "indicator", *SUM_COLUMNS, "scenario", SUPPRESSED)
TOTALS_COLUMNS = ("period", "level", "unit_code", *TOTAL_COLUMNS, "scenario", SUPPRESSED)


def write_results(result: ScenarioResult, out_dir: str | Path) -> dict[str, Path]:
    """Write every result file into ``out_dir`` (created); returns them by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name, period, threshold = result.scenario.name, result.period, result.threshold
    gaps = pd.concat(
        [_unit(result.coverage_at(level), level) for level in LEVELS], ignore_index=True
    ).assign(period=period, scenario=name)
    gaps, nests = _nests(result, gaps)
    gaps = suppress(
        gaps, list(SUM_COLUMNS), indicators.small_cell(gaps["baseline_denominator"], threshold),
        _margins(nests, ("side", "indicator"), ["baseline_denominator"]),
    )  # fmt: skip
    withheld = gaps.loc[(gaps["level"] == "county") & gaps[SUPPRESSED], ["unit_code", "side", "indicator"]]
    coverage = result.coverage.assign(period=period, scenario=name)
    coverage = coverage.sort_values(["county_code", "side", "indicator"])
    hidden = pd.MultiIndex.from_frame(coverage[["county_code", "side", "indicator"]]).isin(
        pd.MultiIndex.from_frame(withheld)
    )
    coverage = suppress(coverage, ["numerator", "denominator"], hidden)
    flows = result.flows.assign(period=period, scenario=name)
    flows = suppress(
        flows, ["baseline_persons", "persons"],
        indicators.small_cell(flows["baseline_persons"], threshold),
        flow_margins(("period",), count="baseline_persons", within=None),
    )  # fmt: skip
    totals = pd.concat(
        [_unit(result.totals_at(level), level) for level in LEVELS], ignore_index=True
    ).assign(period=period, scenario=name)
    totals, nests = _nests(result, totals)
    small = indicators.withheld(totals["baseline_inflow"], threshold) | indicators.withheld(
        totals["baseline_outflow"], threshold
    )
    totals = suppress(
        totals, list(TOTAL_COLUMNS), small,
        _margins(nests, (), ["baseline_inflow", "baseline_outflow"]),
    )  # fmt: skip
    paths = {
        "coverage": _csv(coverage, COVERAGE_COLUMNS, out / "coverage.csv"),
        "flows": _csv(flows, FLOWS_COLUMNS, out / "flows.csv"),
        "gaps": _csv(gaps, GAPS_COLUMNS, out / "gaps.csv"),
        "totals": _csv(totals, TOTALS_COLUMNS, out / "totals.csv"),
    }
    summary = {
        "scenario": result.scenario.to_json(),
        "period": period,
        "baseline_run_id": result.baseline_run_id,
        "model": result.model.as_dict() if result.model else None,
        "notes": list(result.notes),
        "files": {k: v.name for k, v in paths.items()},
    }
    path = out / "summary.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["summary"] = path
    return paths


def format_number(values: pd.Series) -> pd.Series:
    """Numbers with at most 3 decimals and no trailing zeros: 12.0 -> '12', 1.23456 -> '1.235';
    blank where a value is missing (suppressed)."""
    rounded = np.round(values.to_numpy(np.float64, na_value=np.nan), 3) + 0.0  # + 0.0: no '-0'
    return pd.Series(
        ["" if np.isnan(v) else f"{v:.3f}".rstrip("0").rstrip(".") for v in rounded],
        index=values.index,
    )


def _nests(result: ScenarioResult, data: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``data`` (rows of every level: ``level``, ``unit_code``) with one key column per nest
    grouping, and their names: the key is the parent's code on the parent's row and on the rows
    of its units one level or more below, missing elsewhere. A unit in several parents (a province
    in two regions) gets one grouping per parent."""
    tree = result.units.merge(result.region_members, on="province_code", how="left")
    tree = tree.fillna({"prefecture_code": "unknown", "province_code": "unknown"})
    tree["region_code"] = tree["region_code"].fillna(OTHER_REGION)  # as ScenarioResult rolls up
    tree["county_code"] = tree["county_code"].astype(str)
    keys: dict[str, pd.Series] = {}
    for i, child in enumerate(LEVELS):
        for parent in LEVELS[i + 1 :]:
            pairs = tree[[f"{child}_code", f"{parent}_code"]].drop_duplicates()
            nested = (
                [(parent, pairs)] if pairs[f"{child}_code"].is_unique
                else [(code, pairs[pairs[f"{parent}_code"] == code]) for code in pairs[f"{parent}_code"].unique()]
            )  # fmt: skip
            for label, members in nested:
                lookup = members.set_index(f"{child}_code")[f"{parent}_code"]
                key = data["unit_code"].where(
                    data["level"].eq(parent) & data["unit_code"].isin(members[f"{parent}_code"])
                )
                below = data["level"].eq(child)
                key[below] = data.loc[below, "unit_code"].map(lookup)
                keys[f"_nest_{child}_{label}"] = key
    return data.assign(**keys), list(keys)


def _margins(nests: list[str], by: tuple[str, ...], counts: list[str]) -> list[Margins]:
    return [Margins(count, tuple((*by, nest) for nest in nests)) for count in counts]


def _unit(data: pd.DataFrame, level: str) -> pd.DataFrame:
    return data.rename(columns={f"{level}_code": "unit_code"}).assign(level=level)


def _csv(data: pd.DataFrame, columns: tuple[str, ...], path: Path) -> Path:
    data = neutralise_frame(data[list(columns)].copy())
    for column in columns:
        if pd.api.types.is_float_dtype(data[column]):
            data[column] = format_number(data[column])
    tmp = path.with_name(path.name + ".part")
    data.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    tmp.replace(path)
    return path
