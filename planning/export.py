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
scaled from a small count would give it away.

Numbers are written with at most 3 decimals and no trailing zeros (a baseline count stays ``12``).
UTF-8 without BOM, header first, rows sorted by their key columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from etl import indicators
from etl.disclosure import SUPPRESSED, suppress
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
    coverage = result.coverage.assign(period=period, scenario=name)
    coverage = coverage.sort_values(["county_code", "side", "indicator"])
    coverage = suppress(
        coverage, ["numerator", "denominator"],
        indicators.small_cell(coverage["baseline_denominator"], threshold),
    )  # fmt: skip
    flows = result.flows.assign(period=period, scenario=name)
    flows = suppress(
        flows, ["baseline_persons", "persons"],
        indicators.small_cell(flows["baseline_persons"], threshold),
    )  # fmt: skip
    gaps = pd.concat(
        [_unit(result.coverage_at(level), level) for level in LEVELS], ignore_index=True
    ).assign(period=period, scenario=name)
    gaps = suppress(
        gaps, list(SUM_COLUMNS), indicators.small_cell(gaps["baseline_denominator"], threshold)
    )
    totals = pd.concat(
        [_unit(result.totals_at(level), level) for level in LEVELS], ignore_index=True
    ).assign(period=period, scenario=name)
    small = indicators.withheld(totals["baseline_inflow"], threshold) | indicators.withheld(
        totals["baseline_outflow"], threshold
    )
    totals = suppress(totals, list(TOTAL_COLUMNS), small)
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


def _unit(data: pd.DataFrame, level: str) -> pd.DataFrame:
    return data.rename(columns={f"{level}_code": "unit_code"}).assign(level=level)


def _csv(data: pd.DataFrame, columns: tuple[str, ...], path: Path) -> Path:
    data = data[list(columns)].copy()
    for column in columns:
        if pd.api.types.is_float_dtype(data[column]):
            data[column] = format_number(data[column])
    tmp = path.with_name(path.name + ".part")
    data.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    tmp.replace(path)
    return path
