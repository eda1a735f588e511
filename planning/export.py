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

A projection beside its baseline is a second equation over the same withheld cells, with ratios a
reader knows from the levers (``_telling``): where a unit's withheld cells move by exactly two
ratios and one of them holds a single cell or a small sum, the unit's projections are withheld
(``totals.csv``: that side, with its complements in the nests and among its level; ``gaps.csv``:
the projected sums of that side and indicator), its baselines kept. ``published_totals`` and
``published_gaps`` are what the scenarios page shows too.

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
    name, period = result.scenario.name, result.period
    gaps = published_gaps(result).assign(period=period, scenario=name)
    withheld = gaps.loc[
        (gaps["level"] == "county") & gaps[SUPPRESSED], ["unit_code", "side", "indicator"]
    ]
    coverage = result.coverage.assign(period=period, scenario=name)
    coverage = coverage.sort_values(["county_code", "side", "indicator"])
    hidden = pd.MultiIndex.from_frame(coverage[["county_code", "side", "indicator"]]).isin(
        pd.MultiIndex.from_frame(withheld)
    )
    coverage = suppress(coverage, ["numerator", "denominator"], hidden)
    flows = published_flows(result).assign(period=period, scenario=name)
    totals = published_totals(result, flows).assign(period=period, scenario=name)
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


def published_flows(result: ScenarioResult) -> pd.DataFrame:
    """``result.flows`` as published: small baseline flows and their complements (by origin and
    by destination, the diagonal included) blank and flagged."""
    return suppress(
        result.flows, ["baseline_persons", "persons"],
        indicators.small_cell(result.flows["baseline_persons"], result.threshold),
        flow_margins((), count="baseline_persons", within=None),
    )  # fmt: skip


def published_totals(result: ScenarioResult, flows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Inflow and outflow of every unit of every level (``level``, ``unit_code``), baseline and
    projected, as published. A row with a small baseline (either side) is blank with its
    complements in the unit's nests: whole rows, since a unit's moves within itself count on
    both sides, and one side published beside the other withheld would give them away. A
    projection that would tell the unit's withheld flows apart (``_telling``) is blank on its
    side with its complements, the baselines kept (a growth lever into 上海 tells a 上海 county's
    outflow apart, its inflow not). ``flows``: the result of ``published_flows`` (computed when
    not given)."""
    flows = published_flows(result) if flows is None else flows
    totals = pd.concat(
        [_unit(result.totals_at(level), level) for level in LEVELS], ignore_index=True
    )
    totals, nests = _nests(result, totals)
    baselines = ["baseline_inflow", "baseline_outflow"]
    small = indicators.withheld(totals[baselines], result.threshold).any(axis=1)
    totals = suppress(totals, baselines, small, _margins(nests, (), baselines))
    # a projection is withheld side by side: its complements in the unit's nests and among the
    # units of its level published whole (each side's sum over a level equals the other side's,
    # so a lone side withheld would be their difference; a row withheld whole tells only its
    # inflow minus its outflow)
    small = totals[SUPPRESSED].to_numpy(bool)
    totals = totals.assign(_nation=totals["level"].where(~small))
    cells = result.flows[flows[SUPPRESSED].to_numpy(bool)]
    flags = small.copy()
    for side, end in (("inflow", "destination_code"), ("outflow", "origin_code")):
        telling = _telling(result, cells, end, ("baseline_persons", "persons"))
        hidden = small | _units_in(totals, telling)
        totals = suppress(totals, [side], hidden, _margins([*nests, "_nation"], (), [side]))
        flags |= totals[SUPPRESSED].to_numpy(bool)
    return totals.assign(**{SUPPRESSED: flags}).drop(columns=[*nests, "_nation"])


def published_gaps(result: ScenarioResult) -> pd.DataFrame:
    """Coverage sums and gaps of every unit of every level per side and indicator, as published:
    a small baseline denominator and its complements in the unit's nests blank, and the projected
    sums of a unit whose numerators or denominators would tell its withheld counties apart
    (``_telling``) blank with their complements."""
    raw = pd.concat(
        [_unit(result.coverage_at(level), level) for level in LEVELS], ignore_index=True
    )
    gaps, nests = _nests(result, raw)
    by = ("side", "indicator")
    gaps = suppress(
        gaps, list(SUM_COLUMNS), indicators.small_cell(gaps["baseline_denominator"], result.threshold),
        _margins(nests, by, ["baseline_denominator"]),
    )  # fmt: skip
    county = raw[(raw["level"] == "county") & gaps[SUPPRESSED].to_numpy(bool)]
    telling = pd.concat([
        _telling(result, county, "unit_code", pair, by)
        for pair in (("baseline_numerator", "numerator"), ("baseline_denominator", "denominator"))
    ])  # fmt: skip
    projected = [c for c in SUM_COLUMNS if not c.startswith("baseline_")]
    return suppress(
        gaps, projected, gaps[SUPPRESSED].to_numpy() | _units_in(gaps, telling, by),
        _margins(nests, by, ["denominator"]),
    ).drop(columns=nests)


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
    tree = _tree(result)
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


def _tree(result: ScenarioResult) -> pd.DataFrame:
    """Each county with its prefecture, province and region (one row per region it is in)."""
    tree = result.units.merge(result.region_members, on="province_code", how="left")
    tree = tree.fillna({"prefecture_code": "unknown", "province_code": "unknown"})
    tree["region_code"] = tree["region_code"].fillna(OTHER_REGION)  # as ScenarioResult rolls up
    tree["county_code"] = tree["county_code"].astype(str)
    return tree


def _telling(
    result: ScenarioResult,
    cells: pd.DataFrame,
    county: str,
    pair: tuple[str, str],
    by: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The units (``level``, ``unit_code``, ``by``) whose projected total, beside their baseline
    total, would tell withheld ``cells`` apart (``county``: the column naming the county a cell
    counts for; ``pair``: its baseline and projected counts; ``by``: columns that part the sums,
    as side and indicator do).

    A unit's two totals are two equations over its withheld cells: the baseline sum, and the sum
    of each cell's baseline times its ratio projected / baseline (a reader knows the ratios from
    the scenario's levers). Cells of one ratio add nothing the baseline total does not tell.
    Cells of exactly two ratios give each ratio's sum away: a disclosure when one ratio holds a
    single cell or a small sum (a growth lever into D1 parts O1's withheld flow to D1 from its
    withheld flow to D2). Three or more ratios leave the two equations short of any one sum."""
    base, projected = (cells[name].to_numpy(np.float64) for name in pair)
    empty = np.where(projected > 0, np.inf, np.nan)  # from nothing to something: a ratio of its own
    ratio = np.divide(projected, base, out=empty, where=base > 0)
    data = cells[[*by]].assign(county_code=cells[county].astype(str).to_numpy(), base=base,
                              ratio=np.round(ratio, 9)).dropna(subset=["ratio"])  # fmt: skip
    data = data.merge(_tree(result), on="county_code", how="left")
    found = []
    for level in LEVELS:
        key = f"{level}_code"
        data[key] = data[key].fillna(OTHER_REGION if level == "region" else "unknown")
        classes = data.groupby([key, *by, "ratio"])["base"].agg(["size", "sum"])
        classes["telling"] = (classes["size"] == 1) | indicators.withheld(
            classes["sum"], result.threshold
        )
        units = classes.groupby(level=[key, *by]).agg(
            ratios=("size", "size"), telling=("telling", "any")
        )
        units = units[(units["ratios"] == 2) & units["telling"]].reset_index()
        found.append(units[[key, *by]].rename(columns={key: "unit_code"}).assign(level=level))
    return pd.concat(found, ignore_index=True)


def _units_in(data: pd.DataFrame, units: pd.DataFrame, by: tuple[str, ...] = ()) -> np.ndarray:
    """Which rows of ``data`` (``level``, ``unit_code``, ``by``) are among ``units``."""
    columns = ["level", "unit_code", *by]
    key = pd.MultiIndex.from_frame(data[columns].astype(str))
    return np.asarray(key.isin(pd.MultiIndex.from_frame(units[columns].astype(str))))


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
