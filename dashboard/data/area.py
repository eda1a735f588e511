"""Drill-down data (试点与地区): one area's coverage, flows and two-way assessment, and its
comparisons (its province and collaboration region).

The area model (what an area is, its parents, children, breadcrumbs and comparisons) is
``geodata.areas``, re-exported here; the numbers come from ``etl.marts`` and ``etl.indicators``.

Terms used here:

- *inflow* of an area in a period: persons (cohort ``all``) living in it and registered outside
  it; *outflow*: registered in it and living outside it; *within*: registered and living in it but
  away from their township (for a county: its intra-county movers, the diagonal). Flows are read
  at the area's own level, so a prefecture's inflow leaves out moves between its own counties;
  a region's are its member provinces' (with one another: within);
- coverage of an area: sums of its counties' numerators and denominators (ratios re-aggregate
  exactly, never as a mean of rates); ``rate``, ``gap`` and ``at_target`` are those of
  ``etl.indicators``;
- *small cell*: a count under the store's threshold (default 10), shown as suppressed, never as a
  number. A sum (an area's inflow, a coverage denominator) is small when the sum is under it; a
  persons count of 0 has nobody to protect and is shown. A coverage cell is also withheld where a
  sum would give a withheld one away (``etl.marts.published``, the rule of every page and export);
- *two-way assessment* (双向考核): a county's scores are the store's; a larger area is scored the
  same way (``etl.aggregate``) over its summed coverage: as an origin on the outflow indicators, as a
  destination on the inflow ones; ``score`` is the mean attainment over indicators with a
  denominator, ``n_at_target`` counts those at target.

Store reads are memoised per data version and reader scope (``dashboard.data.store.cached``);
callers must not mutate what they return.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard.data import store
from dashboard.data.store import cached, periods, small_cell_threshold
from dashboard.i18n import DEFAULT_LANG
from etl import indicators, marts, targets
from etl.disclosure import SUPPRESSED
from etl.indicators import INDICATOR_ORDER, INDICATORS
from etl.scope import Scope
from geodata import areas as _geo
from geodata.areas import (
    LEVELS,
    SUB_LEVELS,
    Area,
    Crumb,
    breadcrumb,
    comparisons,
    geometry_name,
    map_area,
    parent_codes,
    sub_units,
    unit_name,
    unit_names,
)
from geodata.layers import LayerSet
from geodata.points import unit_points

__all__ = [
    "LEVELS", "LEVEL_KEYS", "MEASURES", "SUB_LEVELS", "Area", "Crumb", "assessment",
    "assessment_of", "breadcrumb", "comparisons", "coverage", "coverage_rates", "find_area",
    "flow_totals", "geometry_name", "label_points", "map_area", "page_href",
    "pilots", "search_areas", "search_options", "small_cell_threshold", "sub_unit_values",
    "sub_units", "top_partners", "unit_name",
]  # fmt: skip

MEASURES = ("inflow", "outflow", *(i.flag for i in INDICATORS))
COHORT = "all"
LEVEL_KEYS = {
    "region": "level_region",
    "province": "level_province",
    "prefecture": "level_prefecture",
    "county": "level_county",
}
"""The ``dashboard.i18n`` key naming each level."""
RATE_COLUMNS = ["period", "indicator", "side", "numerator", "denominator", "rate", "target",
                "at_target", "gap", "small_cell"]  # fmt: skip


def label_points(level: str) -> pd.DataFrame:
    """``code, lon, lat, area``: a point inside each unit of ``level`` (for name labels on maps)
    and the unit's area in square degrees (to leave out labels of units too small to hold one),
    from the layer cache of the app serving the request."""
    from dashboard import context

    return _label_points(context.current().layers, level)


@lru_cache(maxsize=8)
def _label_points(layers: LayerSet, level: str) -> pd.DataFrame:
    frame = layers.read(level, "detail" if level == "county" else "national")
    points = unit_points(frame, decimals=4)
    with warnings.catch_warnings():  # square degrees: only compared between neighbours
        warnings.simplefilter("ignore", UserWarning)
        points["area"] = frame.geometry.area
    return points


def page_href(path: str, **query: str | None) -> str:
    """``path`` with the non-empty ``query`` parameters (the default language left out)."""
    params = {k: v for k, v in query.items() if v and not (k == "lang" and v == DEFAULT_LANG)}
    return path + ("?" + urlencode(params) if params else "")


# --- the reader's scope: areas outside it are not found, listed or searched ---------------------


def find_area(code: str | None, regions_path: str | None = None) -> Area | None:
    """The area of ``code`` when it lies wholly in the reader's scope, else None (an area outside
    the scope is answered as an unknown one: not even its name is shown)."""
    area = _geo.find_area(code, regions_path)
    return area if area is not None and store.in_scope(area.county_codes) else None


def pilots(regions_path: str | None = None) -> tuple[Area, ...]:
    """The pilot areas in the reader's scope."""
    return tuple(a for a in _geo.pilots(regions_path) if store.in_scope(a.county_codes))


def search_options(lang: str, regions_path: str | None = None) -> list[dict[str, str]]:
    """The search list (``geodata.areas.search_options``) of the areas in the reader's scope."""
    options = _geo.search_options(lang, regions_path)
    if store.scope_counties() is None:
        return options
    visible = _visible_codes(regions_path)
    return [o for o in options if o["value"] in visible]


@cached(maxsize=16)
def _visible_codes(_engine: Engine, regions_path: str | None, *, scope: Scope) -> frozenset[str]:
    """Codes of the searchable areas in ``scope`` (computed once per scope and data version)."""
    return frozenset(
        o["value"]
        for o in _geo.search_options("zh", regions_path)
        if find_area(o["value"], regions_path) is not None
    )


def search_areas(
    query: str, lang: str, regions_path: str | None = None, limit: int = 30
) -> list[dict[str, str]]:
    """``geodata.areas.search_areas`` over the areas in the reader's scope."""
    found = _geo.search_areas(
        query, lang, regions_path, limit=len(_geo.search_options(lang, regions_path))
    )
    if store.scope_counties() is None:
        return found[:limit]
    visible = _visible_codes(regions_path)
    return [o for o in found if o["value"] in visible][:limit]


# --- store reads -----------------------------------------------------------------------------------


@cached(maxsize=256)
def coverage(engine: Engine, area: Area, period: str | None, *, scope: Scope) -> pd.DataFrame:
    """Every indicator of ``area`` in ``period`` (None: every period).

    Columns ``RATE_COLUMNS``; one row per indicator and period, in the order of
    ``etl.indicators.INDICATORS``. An indicator without records is 0/0 (rate NaN, small).
    """
    sums = marts.coverage_sums(engine, period, scope=scope, counties=area.county_codes)
    found = [period] if period is not None else sorted(set(sums["period"]))
    full = pd.MultiIndex.from_product([found, list(INDICATOR_ORDER)], names=["period", "indicator"])
    sums = sums.set_index(["period", "indicator"])[["numerator", "denominator"]]
    rates = coverage_rates(sums.reindex(full, fill_value=0).reset_index(), small_cell_threshold())
    rates["small_cell"] |= _withheld_on_pages(area, rates)
    return rates


def _withheld_on_pages(area: Area, rates: pd.DataFrame) -> np.ndarray:
    """Per row of ``rates`` (``period, indicator``, positions as labels): the area's own cell is
    withheld by the pages' rule (``etl.marts.published``: a sum above or beside it would give a
    withheld cell away)."""
    out = np.zeros(len(rates), dtype=bool)
    for flag, rows in rates.groupby("indicator").groups.items():
        table = store.published_coverage(str(flag))
        own = table[(table["level"] == area.level) & (table["unit_code"] == area.code)]
        withheld = own.loc[own[SUPPRESSED], "period"]
        out[np.asarray(rows)] = rates.loc[rows, "period"].isin(withheld).to_numpy(bool)
    return out


def coverage_rates(sums: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Rates, targets, gaps and small cells of summed ``period, indicator, numerator,
    denominator`` rows (see the module docstring for each); other columns (such as a unit's
    code) are kept in front."""
    data = targets.with_measures(sums)
    data["side"] = data["indicator"].map({i.flag: i.side for i in INDICATORS})
    data["small_cell"] = indicators.small_cell(data["denominator"], threshold)
    data["order"] = data["indicator"].map(INDICATOR_ORDER)
    data = data.sort_values(["period", "order"], kind="stable", ignore_index=True)
    extra = [c for c in sums.columns if c not in RATE_COLUMNS]
    return data[[*extra, *RATE_COLUMNS]]


def assessment_of(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Two-way assessment of one area and period from its ``coverage`` rows.

    Columns ``role`` (origin, destination), ``n_indicators``, ``n_at_target``, ``score`` (NaN
    without any denominator) and ``small_cell`` (its smallest denominator above 0 is small).
    """
    out = []
    for role, side in (("origin", "outflow"), ("destination", "inflow")):
        part = rows[(rows["side"] == side) & (rows["denominator"] > 0)]
        score = indicators.score(
            part["numerator"].to_numpy()[None, :],
            part["denominator"].to_numpy()[None, :],
            targets.target_bps(part["indicator"], part["period"]).to_numpy()[None, :],
            targets.weights(list(part["indicator"])),
        )[0]
        smallest = int(part["denominator"].min()) if len(part) else 0
        out.append(
            {
                "role": role,
                "n_indicators": len(part),
                "n_at_target": int(part["at_target"].sum()),
                "score": float(score) if len(part) else float("nan"),
                "small_cell": bool(indicators.small_cell(smallest, threshold)),
            }
        )
    return pd.DataFrame(out)


@cached(maxsize=256)
def assessment(engine: Engine, area: Area, period: str, *, scope: Scope) -> pd.DataFrame:
    """Two-way assessment of ``area`` in ``period`` (see ``assessment_of``): a county's from the
    store, a larger area's computed over its summed coverage."""
    if area.level != "county":
        return assessment_of(coverage(area, period), small_cell_threshold())
    rows = marts.read_assessment(engine, period, scope=scope, county=area.code)
    rows = rows[["role", "n_indicators", "n_at_target", "score", "small_cell"]]
    empty = pd.DataFrame(
        {"role": ["origin", "destination"], "n_indicators": 0, "n_at_target": 0,
         "score": np.nan, "small_cell": True}
    )  # fmt: skip
    rows = pd.concat([rows, empty[~empty["role"].isin(rows["role"])]], ignore_index=True)
    rows["small_cell"] = rows["small_cell"].astype(bool)
    return rows.set_index("role").loc[["origin", "destination"]].reset_index()


@cached(maxsize=256)
def flow_totals(engine: Engine, area: Area, *, scope: Scope) -> pd.DataFrame:
    """``period, inflow, outflow, within`` persons of ``area`` in every period of the store, with
    ``inflow_small``, ``outflow_small``, ``within_small`` (withheld: above 0 and under the
    threshold; a true zero has nobody to protect and is shown)."""
    if area.level != "region":
        data = marts.read_unit_flows(engine, area.flow_level, area.code, scope=scope)
    else:  # a region's flows are its member provinces' (with one another: within)
        data = _member_flow_totals(engine, area, scope)
    every = pd.Index(periods(), name="period")  # a period without flows is all 0
    data = data.set_index("period")[["inflow", "outflow", "within"]].reindex(every).reset_index()
    threshold = small_cell_threshold()
    for name in ("inflow", "outflow", "within"):
        data[name] = data[name].fillna(0).astype("int64")
        data[f"{name}_small"] = indicators.withheld(data[name], threshold)
    return data


def _member_flow_totals(engine: Engine, area: Area, scope: Scope) -> pd.DataFrame:
    flows = marts.read_flows(engine, None, COHORT, area.flow_level, scope=scope)
    members = set(area.flow_members)
    into = flows["destination_code"].isin(members)
    out_of = flows["origin_code"].isin(members)
    persons = flows["persons"]
    parts = {
        "inflow": persons.where(into & ~out_of, 0),
        "outflow": persons.where(out_of & ~into, 0),
        "within": persons.where(into & out_of, 0),
    }
    sums = pd.DataFrame({"period": flows["period"], **parts})[into | out_of]
    return sums.groupby("period", as_index=False)[list(parts)].sum()


@cached(maxsize=256)
def top_partners(
    engine: Engine, area: Area, period: str, direction: str, n: int = 10, *, scope: Scope
) -> pd.DataFrame:
    """The ``n`` largest origins (``direction="inflow"``) or destinations (``"outflow"``) of
    ``area`` in ``period``, at the area's flow level, largest first (ties by code).

    Columns ``code, name, parent, persons, small_cell`` (``parent``: codes of the units above
    the partner worth naming beside it, ``geodata.areas.parent_codes``).
    """
    members = set(area.flow_members)
    pairs = marts.read_pairs(engine, period, COHORT, area.flow_level, scope=scope, touching=members)
    here, there = (
        ("destination_code", "origin_code")
        if direction == "inflow"
        else ("origin_code", "destination_code")
    )
    pairs = pairs[pairs[here].isin(members) & ~pairs[there].isin(members)]
    sums = pairs.groupby(there)["persons"].sum()
    data = pd.DataFrame({"code": sums.index.astype(str), "persons": sums.to_numpy("int64")})
    data = data.sort_values(["persons", "code"], ascending=[False, True], ignore_index=True)
    data = data.head(n)
    data["name"] = data["code"].map(unit_names()).fillna(data["code"])
    data["parent"] = [parent_codes(code, area.flow_level) for code in data["code"]]
    data["small_cell"] = indicators.small_cell(data["persons"], small_cell_threshold())
    return data[["code", "name", "parent", "persons", "small_cell"]]


@cached(maxsize=256)
def sub_unit_values(
    engine: Engine, area: Area, level: str, period: str, measure: str, *, scope: Scope
) -> pd.DataFrame:
    """One value per unit of ``area``'s map (``sub_units(area, level)``) in ``period``.

    ``measure``: ``inflow`` or ``outflow`` (persons, between units of ``level``) or an indicator
    flag (rate). Columns ``code, name, value, numerator, denominator, gap, small_cell``; a unit
    without records has value NaN (for a rate: no data, not a small cell) or 0 (for persons,
    shown as 0: there is nobody to protect).
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of {MEASURES}")
    codes = list(sub_units(area, level))
    data = pd.DataFrame({"code": codes})
    data["name"] = data["code"].map(unit_names()).fillna(data["code"])
    threshold = small_cell_threshold()
    if measure in ("inflow", "outflow"):
        totals = marts.read_unit_flows(engine, level, scope=scope, period=period)
        value = totals.set_index("unit_code")[measure].reindex(codes).fillna(0).astype("int64")
        data["value"] = data["numerator"] = value.to_numpy()
        data["denominator"] = np.nan
        data["gap"] = 0
        data["small_cell"] = indicators.withheld(data["value"], threshold)
        return data
    rows = store.published_coverage(measure)
    rows = rows[(rows["level"] == level) & (rows["period"] == period)]
    rows = rows[rows["unit_code"].isin(codes)].rename(columns={"unit_code": "code"})
    rates = coverage_rates(
        rows[["code", "period", "indicator", "numerator", "denominator"]], threshold
    )
    rates["small_cell"] = rates["code"].map(rows.set_index("code")[SUPPRESSED])  # the pages' rule
    data = data.merge(rates[["code", "numerator", "denominator", "rate", "gap", "small_cell"]],
                      on="code", how="left")  # fmt: skip
    data["value"] = data["rate"]
    data["small_cell"] = data["small_cell"].fillna(False).astype(bool) & (data["denominator"] > 0)
    return data[["code", "name", "value", "numerator", "denominator", "gap", "small_cell"]]
