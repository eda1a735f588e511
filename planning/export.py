"""Scenario results as files: CSV tables with fixed columns and a JSON summary.

- ``coverage.csv``: ``period,county_code,side,indicator,numerator,denominator,scenario`` (the
  columns of ``yipanqi export coverage`` plus ``scenario``; numbers projected, so fractional);
- ``flows.csv``: ``period,hukou_code,residence_code,baseline_persons,persons,scenario``;
- ``gaps.csv``: per ``level`` (county, prefecture, province, region) and unit: baseline and projected
  numerator / denominator, gap to target in persons, staff and budget (yuan) needed;
- ``totals.csv``: inflow and outflow per level and unit, baseline and projected;
- ``summary.json``: the scenario, the period, the baseline run, the model's fit, notes.

Numbers are written with at most 3 decimals and no trailing zeros (a baseline count stays ``12``).
UTF-8 without BOM, header first, rows sorted by their key columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from planning.scenario import LEVELS, SUM_COLUMNS, TOTAL_COLUMNS, ScenarioResult

COVERAGE_COLUMNS = ("period", "county_code", "side", "indicator", "numerator", "denominator", "scenario")
FLOWS_COLUMNS = ("period", "hukou_code", "residence_code", "baseline_persons", "persons", "scenario")
GAPS_COLUMNS = ("period", "level", "unit_code", "side", "indicator", *SUM_COLUMNS, "scenario")
TOTALS_COLUMNS = ("period", "level", "unit_code", *TOTAL_COLUMNS, "scenario")


def write_results(result: ScenarioResult, out_dir: str | Path) -> dict[str, Path]:
    """Write every result file into ``out_dir`` (created); returns them by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name, period = result.scenario.name, result.period
    coverage = result.coverage.assign(period=period, scenario=name)
    coverage = coverage.sort_values(["county_code", "side", "indicator"])
    flows = result.flows.assign(period=period, scenario=name)
    gaps = pd.concat(
        [_unit(result.coverage_at(level), level) for level in LEVELS], ignore_index=True
    ).assign(period=period, scenario=name)
    totals = pd.concat(
        [_unit(result.totals_at(level), level) for level in LEVELS], ignore_index=True
    ).assign(period=period, scenario=name)
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
    """Numbers with at most 3 decimals and no trailing zeros: 12.0 -> '12', 1.23456 -> '1.235'."""
    rounded = np.round(values.to_numpy(np.float64), 3) + 0.0  # + 0.0: no '-0'
    return pd.Series([f"{v:.3f}".rstrip("0").rstrip(".") for v in rounded], index=values.index)


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
