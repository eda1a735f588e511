"""Origin-destination flows for the flows page (流向): reads, selection, netting and thinning.

Terms (DESIGN.md §3, ``etl.aggregate``):

- a *flow* counts distinct persons registered in an origin unit (户籍地) and living in a
  destination unit (现居住地) in one period and cohort. Units are provinces, prefectures or
  counties: the page's *level*;
- a flow whose origin and destination are the same unit at that level is the unit's *within* flow
  (at county level the diagonal: intra-county movers). Within flows are never part of between-unit
  totals, lines or the top N; they are reported as one count of persons;
- a *selection* is a focused place (its flows with any place in China) or, without a focus, a set
  of collaboration regions: a unit is *in the set* when its province is a member of a chosen
  region (江西 belongs to two regions and is in the set if either is chosen; ``other`` stands for
  the provinces of no region);
- *direction*: ``inflow`` keeps flows whose destination is in the selection, ``outflow`` those whose
  origin is, ``both`` either; ``net`` pairs the two flows between units a and b (either in the
  selection) into one of persons(a -> b) - persons(b -> a) persons, running from a to b when
  positive (pairs that balance exactly are left out);
- *small cells*: a flow under the store's threshold is flagged by the store and never shown as a
  number; a net value is suppressed when either of its two flows is a small cell. A total (a sum
  over many flows) is suppressed when it is itself under the threshold;
- *order and thinning*: publishable flows by persons, largest first (ties by codes), then the
  suppressed ones by codes, so their order discloses nothing of their size. Only the first N of
  that order leave the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard import context
from dashboard.data import geo
from dashboard.data.store import cached, periods
from etl import store
from etl.records import COHORTS
from geodata.points import layer_points

LEVELS = ("province", "prefecture", "county")
DIRECTIONS = ("inflow", "outflow", "both", "net")
TOP_CHOICES = (50, 200, 500, 2000)
OTHER_REGION = store.OTHER_REGION
OD_COLUMNS = ["origin_code", "destination_code", "persons", "is_within", "small_cell"]
FLOW_COLUMNS = ["origin_code", "destination_code", "persons", "small_cell", "group"]
"""Columns of a selection: ``group`` is ``in`` (into the focus), ``out`` (from it) or ``flow``."""


@dataclass(frozen=True)
class FlowQuery:
    """What the page shows; every field has a URL query parameter of the same name."""

    period: str
    cohort: str = "all"
    level: str = "province"
    regions: tuple[str, ...] = ()
    direction: str = "both"
    top: int = 200
    focus: str | None = None


@dataclass(frozen=True)
class Totals:
    """Persons of a focused place or a set of units, between units only (within flows apart).

    For a place: ``inflow`` from every other unit, ``outflow`` to every other unit. For a set of
    regions: ``inflow`` from units outside the set, ``outflow`` to units outside it, ``among``
    between different units inside it. ``within`` is the persons of within flows (the diagonal).
    """

    inflow: int
    outflow: int
    within: int
    among: int | None = None

    @property
    def net(self) -> int:
        """Net inflow: persons in minus persons out."""
        return self.inflow - self.outflow


@dataclass(frozen=True)
class FlowView:
    """Everything the page draws for one query: the thinned flows and the totals."""

    query: FlowQuery
    flows: pd.DataFrame  # FLOW_COLUMNS + origin_name, destination_name; at most query.top rows
    n_selected: int  # flows of the selection before thinning
    totals: Totals
    threshold: int


# --- pure functions over an OD table (OD_COLUMNS) -----------------------------------------------


def province_of(codes: pd.Series) -> pd.Series:
    """Province adcode of each unit adcode (its first two digits, then ``0000``)."""
    return codes.str.slice(0, 2) + "0000"


def in_provinces(codes: pd.Series, provinces: Iterable[str]) -> np.ndarray:
    """True where a unit's province is one of ``provinces``."""
    return province_of(codes).isin(set(provinces)).to_numpy()


def select_flows(
    od: pd.DataFrame,
    direction: str,
    *,
    focus: str | None = None,
    provinces: Iterable[str] = (),
) -> pd.DataFrame:
    """Between-unit flows of a selection, in ``FLOW_COLUMNS`` (not ordered, not thinned).

    With ``focus`` the selection is that unit; otherwise the units whose province is in
    ``provinces``. ``direction`` is one of ``DIRECTIONS`` (see the module docstring).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; one of {DIRECTIONS}")
    between = od[~od["is_within"].to_numpy()]
    if focus is not None:
        to_sel = (between["destination_code"] == focus).to_numpy()
        from_sel = (between["origin_code"] == focus).to_numpy()
    else:
        provinces = set(provinces)
        to_sel = in_provinces(between["destination_code"], provinces)
        from_sel = in_provinces(between["origin_code"], provinces)
    keep = {"inflow": to_sel, "outflow": from_sel}.get(direction, to_sel | from_sel)
    chosen = between[keep]
    out = chosen[["origin_code", "destination_code", "persons", "small_cell"]].reset_index(
        drop=True
    )
    if direction == "net":
        out = net_pairs(out)
    if focus is None:
        out["group"] = "flow"
    else:
        out["group"] = np.where(out["destination_code"] == focus, "in", "out")
    return out[FLOW_COLUMNS]


def net_pairs(flows: pd.DataFrame) -> pd.DataFrame:
    """Each pair of units once, as persons(a -> b) - persons(b -> a) running the positive way.

    ``small_cell`` is True when either of the two flows is a small cell; balanced pairs are dropped.
    """
    a = flows["origin_code"].to_numpy()
    b = flows["destination_code"].to_numpy()
    forward = a < b
    key = pd.DataFrame(
        {
            "lo": np.where(forward, a, b),
            "hi": np.where(forward, b, a),
            "signed": np.where(forward, 1, -1) * flows["persons"].to_numpy(dtype="int64"),
            "small": flows["small_cell"].to_numpy(dtype=bool),
        }
    )
    pairs = key.groupby(["lo", "hi"], sort=False, as_index=False).agg(
        signed=("signed", "sum"), small=("small", "any")
    )
    pairs = pairs[pairs["signed"] != 0]
    positive = pairs["signed"].to_numpy() > 0
    return pd.DataFrame(
        {
            "origin_code": np.where(positive, pairs["lo"], pairs["hi"]),
            "destination_code": np.where(positive, pairs["hi"], pairs["lo"]),
            "persons": np.abs(pairs["signed"].to_numpy()).astype("int64"),
            "small_cell": pairs["small"].to_numpy(dtype=bool),
        }
    )


def order_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """Publishable flows by persons (largest first, ties by codes), then small cells by codes."""
    sort_persons = np.where(
        flows["small_cell"].to_numpy(dtype=bool), 0, flows["persons"].to_numpy()
    )
    keyed = flows.assign(_small=flows["small_cell"].astype(bool), _persons=sort_persons)
    keyed = keyed.sort_values(
        ["_small", "_persons", "origin_code", "destination_code"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    return keyed.drop(columns=["_small", "_persons"]).reset_index(drop=True)


def thin(flows: pd.DataFrame, top: int) -> pd.DataFrame:
    """The first ``top`` flows in the order of ``order_flows``."""
    return order_flows(flows).head(int(top)).reset_index(drop=True)


def place_totals(od: pd.DataFrame, code: str) -> Totals:
    """In, out and within persons of one unit (with every other unit)."""
    origin = (od["origin_code"] == code).to_numpy()
    destination = (od["destination_code"] == code).to_numpy()
    within = od["is_within"].to_numpy(dtype=bool)
    persons = od["persons"].to_numpy(dtype="int64")
    return Totals(
        inflow=int(persons[destination & ~within].sum()),
        outflow=int(persons[origin & ~within].sum()),
        within=int(persons[origin & within].sum()),
    )


def set_totals(od: pd.DataFrame, provinces: Iterable[str]) -> Totals:
    """Persons into, out of and among the units of a set of provinces, and within its units."""
    provinces = set(provinces)
    origin = in_provinces(od["origin_code"], provinces)
    destination = in_provinces(od["destination_code"], provinces)
    within = od["is_within"].to_numpy(dtype=bool)
    persons = od["persons"].to_numpy(dtype="int64")
    return Totals(
        inflow=int(persons[destination & ~origin].sum()),
        outflow=int(persons[origin & ~destination].sum()),
        within=int(persons[origin & within].sum()),
        among=int(persons[origin & destination & ~within].sum()),
    )


def suppressed(value: int, threshold: int) -> bool:
    """A count under the small-cell threshold (zero is not a small cell: nobody is disclosed)."""
    return 0 < abs(value) < threshold


def focus_for_level(code: str | None, level: str, units: Mapping[str, Sequence[str]]) -> str | None:
    """The unit at ``level`` that holds the place ``code`` (None if it is coarser or unknown).

    ``units`` maps each level to its unit codes; counties map up by their code prefix and the
    hierarchy (``geo.hierarchy``).
    """
    if not code:
        return None
    if code in set(units[level]):
        return code
    if level == "province":
        province = code[:2] + "0000"
        return province if province in set(units["province"]) else None
    if level == "prefecture" and code in set(units["county"]):
        return _county_prefecture().get(code)
    return None


# --- the region-to-region matrix ----------------------------------------------------------------


@dataclass(frozen=True)
class RegionMatrix:
    """Persons from each region (rows: origin) to each region (columns: destination).

    The diagonal holds each region's within flows (between its own units, and the intra-county
    movers), which are never part of between-region totals. A province in two regions counts in
    both, so rows do not add up to the national total.
    """

    codes: tuple[str, ...]
    persons: np.ndarray  # int64, shape (n, n)
    small_cell: np.ndarray  # bool, shape (n, n)


def region_matrix_of(rollup: pd.DataFrame, codes: Sequence[str], threshold: int) -> RegionMatrix:
    """The matrix of a region-level rollup (``origin_code, destination_code, persons``)."""
    grid = (
        rollup.pivot_table(
            index="origin_code", columns="destination_code", values="persons", aggfunc="sum"
        )
        .reindex(index=list(codes), columns=list(codes))
        .fillna(0)
        .to_numpy(dtype="int64")
    )
    small = (grid > 0) & (grid < threshold)
    return RegionMatrix(tuple(codes), grid, small)


# --- reads (cached per data version) ------------------------------------------------------------


def read_od(period: str, cohort: str, level: str) -> pd.DataFrame:
    """Every flow of a period, cohort and level in ``OD_COLUMNS`` (shared: do not mutate)."""
    return _read_od(period, cohort, level)


@cached(maxsize=16)
def _read_od(engine: sa.Engine, period: str, cohort: str, level: str) -> pd.DataFrame:
    if level == "county":
        data = store.read_county_pairs(engine, period, cohort).rename(
            columns={
                "hukou_code": "origin_code",
                "residence_code": "destination_code",
                "is_diagonal": "is_within",
            }
        )
        data["small_cell"] = data["persons"] < small_cell_threshold()
    else:
        data = store.read_flows(engine, period, cohort, level)
    data = data[OD_COLUMNS].copy()
    data["persons"] = data["persons"].astype("int64")
    return data


def small_cell_threshold() -> int:
    """The threshold the store's small cells were flagged with."""
    return _threshold()


@cached(maxsize=2)
def _threshold(engine: sa.Engine) -> int:
    return int(store.meta(engine, "small_cell_threshold") or 0)


def region_matrix(period: str, cohort: str) -> RegionMatrix:
    """The region-to-region matrix of a period and cohort (regions in file order, then ``other``)."""
    codes = [*region_codes(), OTHER_REGION]
    return region_matrix_of(read_od(period, cohort, "region"), codes, small_cell_threshold())


def available_periods() -> tuple[str, ...]:
    return periods()


def region_codes() -> tuple[str, ...]:
    return tuple(r.code for r in _regions().regions)


def region_names(lang: str) -> dict[str, str]:
    """Region code -> name in ``lang`` (``other``: the provinces of no region)."""
    names = {r.code: (r.name_en if lang == "en" else r.name_zh) for r in _regions().regions}
    names[OTHER_REGION] = "Other provinces" if lang == "en" else "其他省份"
    return names


def province_regions() -> dict[str, tuple[str, ...]]:
    """Province code -> the regions it belongs to (``("other",)`` for none), in region order."""
    config = _regions()
    result: dict[str, tuple[str, ...]] = {}
    for province in geo.province_codes():
        member = tuple(r.code for r in config.regions if province in r.province_codes)
        result[province] = member or (OTHER_REGION,)
    return result


def provinces_of_regions(regions: Iterable[str]) -> frozenset[str]:
    """Provinces in any of ``regions`` (``other``: the provinces of no region)."""
    chosen = set(regions)
    return frozenset(p for p, member in province_regions().items() if chosen & set(member))


def unit_codes(level: str) -> tuple[str, ...]:
    """Codes of the level's units inside the data's coverage, in code order."""
    h = geo.hierarchy()
    return tuple(sorted(h.loc[h["in_coverage"], f"{level}_code"].unique().tolist()))


def units_by_level() -> dict[str, tuple[str, ...]]:
    return {level: unit_codes(level) for level in LEVELS}


@lru_cache(maxsize=1)
def _county_prefecture() -> dict[str, str]:
    h = geo.hierarchy()
    return dict(zip(h["county_code"], h["prefecture_code"], strict=True))


def unit_points(level: str) -> dict[str, tuple[float, float]]:
    """A point inside each unit (``geodata.points``, lon/lat rounded to 0.001 degree)."""
    return _unit_points(str(context.current().layers.root), level)


@lru_cache(maxsize=8)
def _unit_points(root: str, level: str) -> dict[str, tuple[float, float]]:
    points = layer_points(context.current().layers, level, decimals=3)
    return {
        code: (float(lon), float(lat))
        for code, lon, lat in zip(points["code"], points["lon"], points["lat"], strict=True)
    }


def _regions():
    return geo.regions(context.current().regions_path)


# --- the page's query -----------------------------------------------------------------------------


def parse_query(params: Mapping[str, str | None]) -> FlowQuery:
    """A valid query from URL parameters: unknown or missing values fall back to the defaults."""
    known_periods = available_periods()
    period = params.get("period") or ""
    if period not in known_periods:
        period = known_periods[-1] if known_periods else ""
    cohort = _choice(params.get("cohort"), COHORTS, "all")
    level = _choice(params.get("level"), LEVELS, "province")
    direction = _choice(params.get("direction"), DIRECTIONS, "both")
    try:
        top = int(params.get("top") or 200)
    except ValueError:
        top = 200
    top = top if top in TOP_CHOICES else 200
    regions = valid_regions((params.get("regions") or "").split(","))
    focus = focus_for_level(params.get("focus"), level, units_by_level())
    return FlowQuery(period, cohort, level, regions, direction, top, focus)


def _choice(value: str | None, choices: Sequence[str], default: str) -> str:
    return value if value is not None and value in choices else default


def query_params(query: FlowQuery) -> dict[str, str]:
    """URL parameters of a query (inverse of ``parse_query``)."""
    params = {
        "regions": ",".join(query.regions),
        "level": query.level,
        "direction": query.direction,
        "cohort": query.cohort,
        "period": query.period,
        "top": str(query.top),
    }
    if query.focus:
        params["focus"] = query.focus
    return params


def valid_regions(regions: Iterable[str] | None) -> tuple[str, ...]:
    """The known regions among ``regions``, in their order; none known: the four regions."""
    known = (*region_codes(), OTHER_REGION)
    chosen = tuple(dict.fromkeys(r for r in (regions or ()) if r in known))
    return chosen or region_codes()


def with_focus(query: FlowQuery, code: str | None) -> FlowQuery:
    return replace(query, focus=focus_for_level(code, query.level, units_by_level()))


def flow_view(query: FlowQuery) -> FlowView:
    """Flows, thinned to the query's top N with unit names, and the selection's totals."""
    threshold = small_cell_threshold()
    if not query.period:
        empty = pd.DataFrame(columns=[*FLOW_COLUMNS, "origin_name", "destination_name"])
        return FlowView(query, empty, 0, Totals(0, 0, 0, None if query.focus else 0), threshold)
    od = read_od(query.period, query.cohort, query.level)
    provinces = provinces_of_regions(query.regions)
    selected = select_flows(od, query.direction, focus=query.focus, provinces=provinces)
    top = thin(selected, query.top)
    names = geo.unit_names()
    top["origin_name"] = top["origin_code"].map(names).fillna(top["origin_code"])
    top["destination_name"] = top["destination_code"].map(names).fillna(top["destination_code"])
    totals = place_totals(od, query.focus) if query.focus else set_totals(od, provinces)
    return FlowView(query, top, len(selected), totals, threshold)
