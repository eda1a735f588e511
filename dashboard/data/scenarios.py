"""Scenario data for the scenarios page: baselines and fitted models cached per data version,
saved scenarios read and written through ``planning.store`` (the page's only writes).

A scenario's result is cached by its JSON text, so a reload of the same saved scenario (by URL)
recomputes nothing and shows the same numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import context
from dashboard.data import area as area_data
from dashboard.data.area import find_area
from dashboard.data.store import cached, current_scope, data_version, engine, periods
from etl import indicators
from etl.indicators import INDICATOR_BY_FLAG
from etl.scope import Scope
from planning import store as saved_store
from planning.errors import Problem, ScenarioError
from planning.levers import Attractiveness
from planning.model import Baseline, FittedModel, fit_model, load_baseline
from planning.scenario import (
    Scenario,
    ScenarioResult,
    check_areas,
    parse_scenario,
    run_scenario,
    unknown_areas,
)

MEASURES = ("inflow", "outflow", *INDICATOR_BY_FLAG)
LAYERS = ("difference", "scenario", "baseline", "side")
"""Map layers; ``side``: the baseline (or the compared scenario) and the scenario side by side."""
NOISE = 1e-9
"""Differences smaller than this (persons or percentage points) are shown as no change."""

EXAMPLE: dict[str, Any] = {
    "name": "example",
    "levers": [
        {"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]},
        {
            "kind": "coverage_push",
            "indicator": "cert_verified",
            "areas": ["310115", "320200", "330400"],
            "set_to": 98,
        },
    ],
}


def example(name: str = "example") -> dict:
    """``EXAMPLE`` named ``name``, with each lever's areas cut to the reader's scope (a lever
    left without areas is dropped)."""
    path = context.current().regions_path
    levers = []
    for lever in EXAMPLE["levers"]:
        areas = [a for a in lever["areas"] if find_area(a, path) is not None]
        if areas:
            levers.append({**lever, "areas": areas})
    return {**EXAMPLE, "name": name, "levers": levers}


# --- areas of levers: names and search options, in the reader's scope ---------------------------


def area_name(code: str, lang: str) -> str | None:
    """The name of area ``code`` (a region, province, prefecture or county) when it lies in the
    reader's scope, else None (an area outside the scope is answered as an unknown one)."""
    found = find_area(code, context.current().regions_path)
    return found.name(lang) if found is not None else None


def _option(option: dict[str, str]) -> dict[str, str]:
    """A search option as a lever's area picker shows it: a region by its name alone (its code
    is a key, not a word of the page's language)."""
    code = option["value"]
    if code.isdigit():
        return option
    return {**option, "label": option["label"].rsplit(" · ", 1)[0]}


def area_options(codes: list[str], lang: str) -> list[dict[str, str]]:
    """Picker options for the chosen ``codes``, in their order: the search list's option of each
    one in the reader's scope, else its name, else the bare code (an unknown code stays visible,
    and is reported, rather than silently dropped by the picker)."""
    regions_path = context.current().regions_path
    listed = {o["value"]: o for o in area_data.search_options(lang, regions_path)}
    out = []
    for code in dict.fromkeys(c for c in codes if isinstance(c, str)):
        if code in listed:
            out.append(_option(listed[code]))
            continue
        name = area_name(code, lang)
        label = f"{name} · {code}" if name and code.isdigit() else name or code
        out.append({"label": label, "value": code, "search": f"{label} {code}".lower()})
    return out


def search_area_options(query: str | None, chosen: list[str], lang: str) -> list[dict[str, str]]:
    """The chosen areas' options, then the areas in the reader's scope matching ``query`` (a name
    in Chinese or pinyin, or a code): the picker keeps only values it has options for."""
    chosen_options = area_options(chosen, lang)
    found = area_data.search_areas(query or "", lang, context.current().regions_path)
    taken = {o["value"] for o in chosen_options}
    return chosen_options + [_option(o) for o in found if o["value"] not in taken]


# --- checking a scenario -----------------------------------------------------------------------


def check(data: Any) -> tuple[Scenario | None, list[Problem]]:
    """The scenario of ``data`` (a JSON object) and every problem of it: the rules of
    ``planning`` (fields, bounds, kinds), a period the store does not hold, and area codes the
    reader's baseline does not know (outside the store's hierarchy or the reader's scope), lever
    by lever even when other rules are broken."""
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = parse_scenario(data)
    except ScenarioError as exc:
        problems.extend(exc.problems)
    if not isinstance(data, dict):
        return None, problems
    known = periods()
    period = data.get("period")
    if (
        isinstance(period, str)
        and known
        and period not in known
        and not any(p.code == "bad_period" for p in problems)
    ):
        problems.append(
            Problem(
                "unknown_period",
                f"period {period!r} is not in the store; it has {known[0]}..{known[-1]}",
                field="period",
                params={"value": period, "first": known[0], "last": known[-1]},
            )
        )
    if not known:
        return (scenario if not problems else None), problems
    base = baseline(period if isinstance(period, str) and period in known else None)
    if scenario is not None and not problems:
        problems.extend(check_areas(base, scenario))
    else:
        problems.extend(_unknown_areas_of(base, data.get("levers")))
    problems.sort(key=lambda p: -1 if p.lever is None else p.lever)
    return (scenario if not problems else None), problems


def _unknown_areas_of(base: Baseline, levers: Any) -> list[Problem]:
    """``unknown_areas`` problems of the levers given as JSON, whatever else is wrong with them."""
    found = []
    for i, item in enumerate(levers if isinstance(levers, list) else []):
        areas = item.get("areas") if isinstance(item, dict) else None
        areas = [areas] if isinstance(areas, str) else areas
        if not isinstance(areas, list):
            continue
        unknown = unknown_areas(base, [a for a in areas if isinstance(a, str) and a])
        if unknown:
            found.append(
                Problem(
                    "unknown_areas",
                    f"levers[{i}]: unknown area code(s) {', '.join(unknown)}",
                    i,
                    "areas",
                    {"codes": unknown},
                )  # fmt: skip
            )
    return found


@cached(maxsize=4)
def baseline(engine: Engine, period: str | None, *, scope: Scope) -> Baseline:
    """The baseline of ``period`` (None: the latest), as the reader's scope sees it."""
    return load_baseline(engine, period, scope=scope)


@cached(maxsize=4)
def model(engine: Engine, period: str) -> FittedModel:
    """The flow model fitted on ``period`` (seconds on a national store: fitted once per version)."""
    from geodata.points import cached_county_points

    layers = context.current().layers
    points = cached_county_points(layers.root.parent.parent / "cache")
    return fit_model(baseline(period), points)


def needs_model(scenario: Scenario) -> bool:
    return any(isinstance(x, Attractiveness) and x.elasticity is None for x in scenario.levers)


def result(scenario_json: str) -> ScenarioResult:
    """The result of a scenario given as JSON text (cached per text, data version and scope)."""
    return _result(context.current().store_url, data_version(), current_scope(), scenario_json)


@lru_cache(maxsize=16)
def _result(_url: str, _version: int, _scope: Scope, scenario_json: str) -> ScenarioResult:
    scenario = parse_scenario(json.loads(scenario_json))
    base = baseline(scenario.period)
    fitted = model(base.period) if needs_model(scenario) else None
    return run_scenario(base, scenario, fitted)


def canonical_json(scenario: Scenario) -> str:
    """The scenario as canonical JSON text (the cache key)."""
    return json.dumps(scenario.to_json(), ensure_ascii=False, sort_keys=True)


def saved_names() -> list[str]:
    """Names of the saved scenarios the reader sees (``planning.store``: by their scope)."""
    return [s.name for s in saved_store.list_scenarios(engine(), scope=current_scope())]


def saved_json(name: str) -> str | None:
    """The saved scenario ``name`` as indented JSON text, or None (none the reader sees)."""
    try:
        saved = saved_store.get_scenario(engine(), name, scope=current_scope())
    except ValueError:
        return None
    return json.dumps(saved.scenario.to_json(), ensure_ascii=False, indent=2)


def save(scenario: Scenario, replace: bool = False) -> None:
    run = baseline(scenario.period).run_id
    saved_store.save_scenario(engine(), scenario, "dashboard", run, replace, scope=current_scope())


def name_hidden(name: str) -> bool:
    """True when a scenario of this name is saved that the reader does not see."""
    return saved_store.name_hidden(engine(), name, scope=current_scope())


def delete(name: str) -> None:
    saved_store.delete_scenario(engine(), name, scope=current_scope())


@dataclass(frozen=True)
class MapValues:
    """County codes and values of one map layer; ``unit``: persons or points (percentage)."""

    codes: list[str]
    values: np.ndarray
    unit: str


def map_values(
    res: ScenarioResult, measure: str, layer: str, reference: ScenarioResult | None = None
) -> MapValues:
    """County values of ``measure`` (inflow, outflow or an indicator's rate) in ``layer``.

    The reference is the baseline, or another scenario's result (``reference``, same period): the
    ``baseline`` layer then shows that scenario and ``difference`` is this one minus that one.
    """
    codes, before, after, unit = _before_after(res, measure)
    if reference is not None:
        ref_codes, _, ref_after, _ = _before_after(reference, measure)
        lookup = dict(zip(ref_codes, ref_after, strict=True))
        before = np.array([lookup.get(c, np.nan) for c in codes], dtype=float)
    if layer == "baseline":
        return MapValues(codes, before.astype(float), unit)
    if layer == "scenario":
        return MapValues(codes, after.astype(float), unit)
    difference = (after - before).astype(float) * (100.0 if unit == "share" else 1.0)
    difference[np.abs(difference) < NOISE] = 0.0  # rates scaled by a ratio differ in the 15th digit
    return MapValues(codes, difference, "points" if unit == "share" else unit)


def _before_after(
    res: ScenarioResult, measure: str
) -> tuple[list[str], np.ndarray, np.ndarray, str]:
    if measure in ("inflow", "outflow"):
        totals = res.totals
        before, after = totals[f"baseline_{measure}"].to_numpy(), totals[measure].to_numpy()
        return totals["county_code"].tolist(), before, after, "persons"
    cov = res.coverage[res.coverage["indicator"] == measure]
    before = indicators.ratio(
        cov["baseline_numerator"].to_numpy(), cov["baseline_denominator"].to_numpy()
    )
    after = indicators.ratio(cov["numerator"].to_numpy(), cov["denominator"].to_numpy())
    return cov["county_code"].tolist(), before, after, "share"


def region_summary(res: ScenarioResult, reference: ScenarioResult | None = None) -> pd.DataFrame:
    """Per region: inflow and gap to target (all indicators) of the reference (the baseline, or
    ``reference``) and of the scenario, with the scenario's staff and budget needed."""
    totals = res.totals_at("region").set_index("region_code")
    gaps = (
        res.coverage_at("region")
        .groupby("region_code")[["baseline_gap", "gap_people", "staff_needed", "budget_yuan"]]
        .sum()
    )
    out = totals[["baseline_inflow", "inflow"]].join(gaps, how="outer").fillna(0.0)
    if reference is not None:
        ref = region_summary(reference)
        ref = ref.set_index("region_code")[["inflow", "gap_people"]]
        ref.columns = ["baseline_inflow", "baseline_gap"]
        out = (
            out.drop(columns=["baseline_inflow", "baseline_gap"]).join(ref, how="outer").fillna(0.0)
        )
        out = out[
            [
                "baseline_inflow",
                "inflow",
                "baseline_gap",
                "gap_people",
                "staff_needed",
                "budget_yuan",
            ]
        ]
    return out.reset_index().sort_values("region_code", ignore_index=True)
