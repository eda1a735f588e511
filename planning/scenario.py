"""Scenarios: named sets of levers applied to a baseline, and their projected results.

A scenario file is JSON::

    {"name": "pyd-growth", "period": "2012-12",          # period optional: default the latest
     "levers": [{"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]}],
     "resources": {"persons_per_staff": 1000, "cost_per_person": 25}}   # optional

An empty ``levers`` list means no change: every projected number equals the baseline's.

Projection rules (``docs/scenarios.md`` has the full reasoning):

- a county's *inflow* is the sum of flows into it, *outflow* the sum out of it, the diagonal
  (intra-county movers) included, as in the coverage table, whose inflow side groups records by
  residence and outflow side by household registration;
- an indicator's projected denominator and numerator are the baseline's scaled by the county's
  projected / baseline inflow (inflow indicators) or outflow (outflow indicators): the new
  population has the baseline's composition and is served at the baseline rate; coverage levers
  then change the numerators;
- *gap to target* (persons) = max(0, target * denominator - numerator), the shortfall of
  ``etl.indicators`` (projected populations are fractional, so it is not rounded up); *staff
  needed* = gap / persons_per_staff; *budget needed* (yuan) = gap * cost_per_person. Rolled-up
  gaps are sums of county gaps (a surplus in one county does not serve another's residents);
  rates are ``etl.indicators.ratio`` of the summed numerators and denominators.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from etl import indicators, targets
from etl.marts import OTHER_REGION
from planning.errors import Problem, ScenarioError
from planning.levers import (
    DEFAULT_COST_PER_PERSON,
    DEFAULT_PERSONS_PER_STAFF,
    Attractiveness,
    Capacity,
    CoveragePush,
    Growth,
    Lever,
    lever_to_json,
    parse_levers,
)
from planning.model import Baseline, FittedModel, balance_doubly, reallocate_origin_constrained

NAME_PATTERN = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff .-]{0,79}$")
LEVELS = ("county", "prefecture", "province", "region")
SUM_COLUMNS = (
    "baseline_numerator", "baseline_denominator", "numerator", "denominator",
    "baseline_gap", "gap_people", "staff_needed", "budget_yuan",
)
TOTAL_COLUMNS = ("baseline_inflow", "inflow", "baseline_outflow", "outflow")


@dataclass(frozen=True)
class Resources:
    """Resource parameters: persons one staff member serves in a period; yuan per person served."""

    persons_per_staff: float = DEFAULT_PERSONS_PER_STAFF
    cost_per_person: float = DEFAULT_COST_PER_PERSON


@dataclass(frozen=True)
class Scenario:
    """A named list of levers on one period (``None``: the latest) with resource parameters."""

    name: str
    levers: tuple[Lever, ...] = ()
    period: str | None = None
    resources: Resources = field(default_factory=Resources)
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.period:
            out["period"] = self.period
        if self.description:
            out["description"] = self.description
        out["levers"] = [lever_to_json(lever) for lever in self.levers]
        out["resources"] = {
            "persons_per_staff": self.resources.persons_per_staff,
            "cost_per_person": self.resources.cost_per_person,
        }
        return out


def parse_scenario(data: Any, where: str = "scenario") -> Scenario:
    """A scenario from its JSON object; every broken rule is reported at once (each a
    :class:`~planning.errors.Problem` of the ScenarioError)."""
    if not isinstance(data, dict):
        raise ScenarioError(
            problems=[Problem("not_object", f"{where}: must be a JSON object with 'name' and 'levers'")]
        )
    problems: list[Problem] = []

    def problem(code: str, text: str, field: str | None = None, **params: Any) -> None:
        problems.append(Problem(code, f"{where}{text}", None, field, params))

    allowed = ("name", "period", "levers", "resources", "description")
    extra = sorted(set(data) - set(allowed))
    if extra:
        problem(
            "unknown_fields", f": unknown field(s) {', '.join(extra)}; allowed: {', '.join(allowed)}",
            fields=tuple(extra), allowed=allowed,
        )  # fmt: skip
    name = data.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        problem(
            "bad_name",
            ": 'name' must be 1-80 letters, digits, Chinese characters, spaces, '.', '-' or '_' "
            f"(starting with a letter, digit or character), got {name!r}",
            "name", value=name,
        )  # fmt: skip
    period = data.get("period")
    if period is not None and (not isinstance(period, str) or not re.fullmatch(r"\d{4}-\d{2}", period)):
        problem("bad_period", f": 'period' must be YYYY-MM, got {period!r}", "period", value=period)
    levers: list[Lever] = []
    if "levers" not in data:
        problem("levers_required", ": 'levers' is required (a list; empty means no change)", "levers")
    else:
        try:
            levers = parse_levers(data["levers"], f"{where}.levers")
        except ScenarioError as exc:
            problems.extend(exc.problems)
    resources = Resources()
    raw = data.get("resources", {})
    if not isinstance(raw, dict) or set(raw) - {"persons_per_staff", "cost_per_person"}:
        problem(
            "bad_resources",
            f": 'resources' takes only persons_per_staff and cost_per_person, got {raw!r}",
            "resources",
        )
    else:
        values = {}
        for key, value in raw.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                problem(
                    "not_positive", f".resources: '{key}' must be a positive number, got {value!r}",
                    key, value=value,
                )  # fmt: skip
            else:
                values[key] = float(value)
        resources = Resources(**values)
    description = data.get("description", "")
    if not isinstance(description, str):
        problem("bad_description", ": 'description' must be text", "description")
    if problems:
        raise ScenarioError(problems=problems)
    return Scenario(str(name), tuple(levers), period, resources, str(description))


def load_scenario_file(path: str | Path) -> Scenario:
    """Read and validate a scenario JSON file (UTF-8)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ScenarioError(f"{path}: no such scenario file") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not valid UTF-8 JSON: {exc}") from exc
    return parse_scenario(data, str(path))


def resolve_areas(baseline: Baseline, areas: Iterable[str]) -> set[str]:
    """County codes of the areas (region codes, province / prefecture / county adcodes); an
    unknown code is an error (:func:`unknown_areas`)."""
    units = baseline.units
    counties: set[str] = set()
    unknown = unknown_areas(baseline, areas)
    if unknown:
        raise ScenarioError(
            f"unknown area code(s) {', '.join(unknown)}: use a region code "
            f"({', '.join(sorted(baseline.region_codes)) or 'none in this store'}) or a 6-digit "
            "province, prefecture or county adcode of the store's hierarchy",
            [Problem("unknown_areas", f"unknown area code(s) {', '.join(unknown)}", None, "areas", {"codes": unknown})],
        )
    for code in areas:
        if code in baseline.region_codes:
            members = baseline.region_members
            provinces = set(members.loc[members["region_code"] == code, "province_code"])
            counties.update(units.loc[units["province_code"].isin(provinces), "county_code"])
            continue
        hit = units.loc[
            (units["province_code"] == code) | (units["prefecture_code"] == code) | (units["county_code"] == code),
            "county_code",
        ]
        if hit.empty:
            counties.add(code)  # a county with flows but outside the hierarchy table
        counties.update(hit)
    return counties


def unknown_areas(baseline: Baseline, areas: Iterable[str]) -> tuple[str, ...]:
    """The codes of ``areas`` the baseline does not know, in order: neither a region code of its
    region table nor a province, prefecture or county code of its hierarchy, nor a county with
    flows. Against a baseline read with a reader's scope, an area outside the scope is unknown."""
    units = baseline.units
    known = set(baseline.region_codes)
    for column in ("province_code", "prefecture_code", "county_code"):
        known.update(units[column].dropna())
    unknown = [c for c in dict.fromkeys(areas) if c not in known]
    if unknown:
        flows = baseline.flows
        with_flows = set(flows["origin_code"]) | set(flows["destination_code"])
        unknown = [c for c in unknown if c not in with_flows]
    return tuple(unknown)


def check_areas(baseline: Baseline, scenario: Scenario) -> list[Problem]:
    """One ``unknown_areas`` problem per lever that names codes the baseline does not know."""
    problems = []
    for i, lever in enumerate(scenario.levers):
        unknown = unknown_areas(baseline, lever.areas)
        if unknown:
            problems.append(
                Problem(
                    "unknown_areas",
                    f"levers[{i}]: unknown area code(s) {', '.join(unknown)}",
                    i,
                    "areas",
                    {"codes": unknown},
                )
            )
    return problems


@dataclass(frozen=True)
class ScenarioResult:
    """Projected flows, totals and coverage of a scenario, with the baseline beside them.

    ``flows``: ``origin_code, destination_code, is_within, baseline_persons, persons``;
    ``totals``: ``county_code`` + :data:`TOTAL_COLUMNS` (persons);
    ``coverage``: ``county_code, side, indicator, target`` + :data:`SUM_COLUMNS`.
    """

    scenario: Scenario
    period: str
    baseline_run_id: int | None
    flows: pd.DataFrame
    totals: pd.DataFrame
    coverage: pd.DataFrame
    units: pd.DataFrame
    region_members: pd.DataFrame
    model: FittedModel | None = None
    notes: tuple[str, ...] = ()
    threshold: int = 0

    @cached_property
    def published_totals(self) -> pd.DataFrame:
        """The totals as the result's files publish them (``planning.export.published_totals``),
        worked out once per result (the scenarios page's map and its region table read both)."""
        from planning.export import published_totals  # planning.export builds on this module

        return published_totals(self)

    def coverage_at(self, level: str = "county") -> pd.DataFrame:
        """Coverage summed at ``level`` (county, prefecture, province, region), with rates."""
        data = _roll(self, self.coverage, level, ["side", "indicator"], list(SUM_COLUMNS))
        data["target"] = targets.target_bps(data["indicator"], self.period) / indicators.BASIS
        data["baseline_rate"] = indicators.ratio(data["baseline_numerator"], data["baseline_denominator"])
        data["rate"] = indicators.ratio(data["numerator"], data["denominator"])
        return data

    def totals_at(self, level: str = "county") -> pd.DataFrame:
        """Inflow and outflow summed at ``level`` (moves within a unit included)."""
        return _roll(self, self.totals, level, [], list(TOTAL_COLUMNS))


def _roll(result: ScenarioResult, data: pd.DataFrame, level: str, keys: list[str], values: list[str]) -> pd.DataFrame:
    if level not in LEVELS:
        raise ScenarioError(f"unknown level {level!r}; one of {', '.join(LEVELS)}")
    if level == "county":
        return data.copy()
    data = data.merge(result.units, on="county_code", how="left")
    if level == "region":
        data = data.merge(result.region_members, on="province_code", how="left")
        data["region_code"] = data["region_code"].fillna(OTHER_REGION)
    key = f"{level}_code"
    data[key] = data[key].fillna("unknown")
    return data.groupby([key, *keys], as_index=False)[values].sum()


def run_scenario(baseline: Baseline, scenario: Scenario, model: FittedModel | None = None) -> ScenarioResult:
    """Apply the scenario's levers to the baseline (flow levers first, then coverage levers).

    ``model`` is needed by attractiveness levers that do not give their own ``elasticity``.
    """
    if scenario.period and scenario.period != baseline.period:
        raise ScenarioError(f"scenario {scenario.name!r} is for {scenario.period}; the baseline is {baseline.period}")
    flows = baseline.flows
    codes, index = np.unique(
        np.concatenate([flows["origin_code"].to_numpy(str), flows["destination_code"].to_numpy(str)]),
        return_inverse=True,
    )
    origin, destination = index[: len(flows)], index[len(flows):]
    diagonal = flows["is_within"].to_numpy()
    base = flows["persons"].to_numpy(np.float64)
    persons = base.copy()
    notes: list[str] = []
    for lever in scenario.levers:
        if isinstance(lever, Growth):
            selected = np.isin(codes, list(resolve_areas(baseline, lever.areas)))
            ends = destination if lever.side == "inflow" else origin
            persons = np.where(selected[ends], persons * (1.0 + lever.percent / 100.0), persons)
        elif isinstance(lever, Attractiveness):
            persons = _attract(baseline, lever, model, codes, origin, destination, diagonal, persons, notes)
    n = len(codes)
    totals = pd.DataFrame(
        {
            "county_code": codes,
            "baseline_inflow": np.bincount(destination, weights=base, minlength=n),
            "inflow": np.bincount(destination, weights=persons, minlength=n),
            "baseline_outflow": np.bincount(origin, weights=base, minlength=n),
            "outflow": np.bincount(origin, weights=persons, minlength=n),
        }
    )
    coverage = _project_coverage(baseline, scenario, totals)
    projected = flows[["origin_code", "destination_code", "is_within"]].copy()
    projected["baseline_persons"] = base
    projected["persons"] = persons
    return ScenarioResult(
        scenario, baseline.period, baseline.run_id, projected, totals, coverage,
        baseline.units, baseline.region_members, model, tuple(notes), baseline.threshold,
    )


def _attract(
    baseline: Baseline,
    lever: Attractiveness,
    model: FittedModel | None,
    codes: np.ndarray,
    origin: np.ndarray,
    destination: np.ndarray,
    diagonal: np.ndarray,
    persons: np.ndarray,
    notes: list[str],
) -> np.ndarray:
    elasticity = lever.elasticity
    if elasticity is None:
        if model is None:
            raise ScenarioError("an attractiveness lever needs a fitted model (or its own 'elasticity')")
        elasticity = model.gamma
    g = lever.factor**elasticity
    selected = np.isin(codes, list(resolve_areas(baseline, lever.areas)))
    between = ~diagonal
    o, d, t = origin[between], destination[between], persons[between]
    weight = np.where(selected[d], g, 1.0)
    if not lever.keep_totals:
        moved = reallocate_origin_constrained(t, o, weight)
    else:
        n = len(codes)
        origin_totals = np.bincount(o, weights=t, minlength=n)
        destination_totals = np.bincount(d, weights=t, minlength=n)
        wanted = destination_totals * np.where(selected, g, 1.0)
        if wanted.sum() > 0:
            wanted *= destination_totals.sum() / wanted.sum()
        moved, error = balance_doubly(t, o, d, origin_totals, wanted)
        if error > 1e-6:
            notes.append(
                f"attractiveness {lever.areas}: the doubly constrained balancing reached the totals only "
                f"to within {error:.2%} (the observed flows' zero pattern cannot carry them exactly)"
            )
    out = persons.copy()
    out[between] = moved
    return out


def _project_coverage(baseline: Baseline, scenario: Scenario, totals: pd.DataFrame) -> pd.DataFrame:
    base = baseline.coverage
    cov = pd.DataFrame(
        {
            "county_code": base["unit_code"],
            "side": base["side"],
            "indicator": base["indicator"],
            "baseline_numerator": base["numerator"],
            "baseline_denominator": base["denominator"],
        }
    )
    t = totals.set_index("county_code")
    ratio_in = (t["inflow"] / t["baseline_inflow"]).where(t["baseline_inflow"] > 0, 1.0)
    ratio_out = (t["outflow"] / t["baseline_outflow"]).where(t["baseline_outflow"] > 0, 1.0)
    county = cov["county_code"]
    ratio = np.where(
        cov["side"].to_numpy() == "inflow",
        county.map(ratio_in).fillna(1.0).to_numpy(),
        county.map(ratio_out).fillna(1.0).to_numpy(),
    )
    cov["denominator"] = cov["baseline_denominator"].to_numpy() * ratio
    numerator = cov["baseline_numerator"].to_numpy() * ratio
    denominator = cov["denominator"].to_numpy()
    indicator = cov["indicator"].to_numpy()
    for lever in scenario.levers:
        if not isinstance(lever, CoveragePush | Capacity):
            continue
        rows = county.isin(resolve_areas(baseline, lever.areas)).to_numpy() & np.isin(indicator, lever.indicators)
        if isinstance(lever, CoveragePush):
            if lever.set_to is not None:
                pushed = np.maximum(numerator, lever.set_to / 100.0 * denominator)
            else:
                pushed = np.minimum(denominator, numerator + (lever.raise_points or 0.0) / 100.0 * denominator)
            numerator = np.where(rows, np.maximum(numerator, pushed), numerator)
        else:
            numerator = np.where(rows, np.minimum(denominator, lever.staff * lever.persons_per_staff), numerator)
    cov["numerator"] = numerator
    bp = targets.target_bps(cov["indicator"], baseline.period).to_numpy()
    cov["target"] = bp / indicators.BASIS
    cov["baseline_gap"] = indicators.shortfall(
        cov["baseline_numerator"].to_numpy(), cov["baseline_denominator"].to_numpy(), bp
    )
    gap = indicators.shortfall(numerator, denominator, bp)
    cov["gap_people"] = gap
    cov["staff_needed"] = gap / scenario.resources.persons_per_staff
    cov["budget_yuan"] = gap * scenario.resources.cost_per_person
    return cov[
        ["county_code", "side", "indicator", "target", *SUM_COLUMNS]
    ]

