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
- *small cells*: a flow under the store's threshold is flagged by ``etl.marts`` and never shown as a
  number. Every read of this module (``read_od``, ``read_od_range``) widens the flags as the
  exports do: every level of the period as one linked table (``etl.marts.linked_flows``:
  secondary suppression over each unit's inflow and outflow and over each coarser flow with the
  finer flows it sums, and a flow of ``women_15_49`` or ``married_women_15_49`` withheld where a
  coarser cohort's count of it would give a small difference away), so that every screen (lines, table, totals, circles) and the CSV withhold the same flows, whatever
  the query; ``small_cell`` below means that widened flag. A net value is suppressed when either of
  its two flows is. A total (a sum over many flows) is withheld when it is itself under the
  threshold, or when it holds exactly one withheld flow (the total minus the flows shown would
  give it away), or when a coarser cohort's same total exceeds it by a small count
  (``Totals.withheld``, ``selection_totals``, ``unit_totals``), or where the page's sums of
  province flows together (region matrix, provinces' totals, the totals of every choice of
  regions) would determine a withheld flow (``dashboard.data.od.audit_province_sums``);
- *order and thinning*: publishable flows by persons, largest first (ties by codes), then the
  suppressed ones by codes, so their order discloses nothing of their size. Only the first N of
  that order leave the server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import context
from dashboard.data import geo, store
from dashboard.data.od import (
    DIRECTIONS,
    FLOW_COLUMNS,
    OD_COLUMNS,
    Audit,
    RegionMatrix,
    Totals,
    audit_province_sums,
    in_provinces,
    net_pairs,
    order_flows,
    place_totals,
    province_of,
    region_matrix_of,
    select_flows,
    set_totals,
    suppressed,
    thin,
)
from dashboard.data.store import cached, periods
from dashboard.data.store import small_cell_threshold as small_cell_threshold
from dashboard.i18n import _, language, pick
from etl import indicators, marts
from etl.disclosure import nested_margins, revealing_margins
from etl.marts.linked_flows import LINKED_LEVELS, hierarchy, linked_flows, read_linked_flows
from etl.records import COHORTS
from etl.scope import Scope
from geodata.points import layer_points

__all__ = [
    "DIRECTIONS", "FLOW_COLUMNS", "LEVELS", "OD_COLUMNS", "OTHER_REGION", "TOP_CHOICES",
    "FlowQuery", "FlowView", "RegionMatrix", "Totals", "available_periods", "flow_view",
    "focus_for_level", "in_provinces", "net_pairs", "order_flows", "parse_query",
    "place_totals", "province_of", "province_regions", "provinces_of_regions", "query_params",
    "read_od", "region_codes", "region_matrix", "region_matrix_of", "region_names",
    "select_flows", "selection_totals", "set_totals", "small_cell_threshold", "suppressed", "thin", "unit_codes",
    "unit_points", "unit_totals", "units_by_level", "valid_regions", "with_focus",
]  # fmt: skip

LEVELS = ("province", "prefecture", "county")
TOP_CHOICES = (50, 200, 500, 2000)
OTHER_REGION = marts.OTHER_REGION


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
    place: str | None = None  # the place the user chose, at any level (``focus`` is its unit here)
    start: str | None = None  # a period range: its first period (``period`` is its last)
    compare: str | None = None  # a comparison's base: a period or a year (``dashboard.data.flow_change``)

    @property
    def target(self) -> str | None:
        """The comparison's target side (the period, or its year), None without a comparison."""
        from dashboard.data.flow_change import target_of

        return target_of(self.compare, self.period)

    @property
    def place_unused(self) -> bool:
        """A chosen place coarser than the level (a province at county level): no unit to focus."""
        return self.place is not None and self.focus is None


@dataclass(frozen=True)
class FlowView:
    """Everything the page draws for one query: the thinned flows and the totals."""

    query: FlowQuery
    flows: pd.DataFrame  # FLOW_COLUMNS + origin_name, destination_name; at most query.top rows
    n_selected: int  # flows of the selection before thinning
    totals: Totals
    threshold: int
    selected: pd.DataFrame | None = (
        None  # every flow of the selection, ordered, unnamed (the download)
    )
    n_lines: int | None = None  # flows the lines were thinned from (None: n_selected)
    between_prefectures: bool = False  # lines only between counties of different prefectures
    base_totals: Totals | None = None  # a comparison: the totals of its base side (``totals``: target)


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


# --- reads (cached per data version) ------------------------------------------------------------


def read_od(period: str, cohort: str, level: str) -> pd.DataFrame:
    """Every flow of a period, cohort and level in ``OD_COLUMNS`` (shared: do not mutate)."""
    return _linked_period(period, cohort)[level]


@cached(maxsize=16)
def _linked_period(
    engine: Engine, period: str, cohort: str, *, scope: Scope
) -> dict[str, pd.DataFrame]:
    """The flows of a period and cohort at every level, withheld as one linked table
    (``etl.marts.linked_flows``) beside the coarser cohorts' (read once, cached)."""
    coarser = [_linked_period(period, c) for c in _coarser(cohort)]
    return read_linked_flows(
        engine, period, cohort, scope=scope, coarser=coarser, parents=_hierarchy()
    )


@cached(maxsize=1)
def _hierarchy(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    return hierarchy(engine)


def _coarser(cohort: str) -> tuple[str, ...]:
    """The cohorts that hold ``cohort`` (``etl.records.COHORTS`` runs coarse to fine)."""
    return COHORTS[: COHORTS.index(cohort)] if cohort in COHORTS else ()


def unit_totals(query: FlowQuery, codes: Sequence[str]) -> pd.DataFrame:
    """``code, inflow, outflow, inflow_withheld, outflow_withheld`` of ``codes``: each unit's
    persons with every other unit of the query's level in its period (or range) and cohort, as
    ``place_totals`` counts a place (``cohort_unit_totals`` of the query's reads)."""
    return level_unit_totals(query.level, query.period, query.start, query.cohort, codes)


def level_unit_totals(
    level: str, period: str, start: str | None, cohort: str, codes: Sequence[str]
) -> pd.DataFrame:
    """``unit_totals`` of ``codes`` at ``level`` in the period (or range ``start`` to
    ``period``) and ``cohort``: ``cohort_unit_totals``, and at province level also the totals the
    audit of the province sums refuses (``_audit``)."""

    def read(c: str) -> pd.DataFrame:
        return _query_od(FlowQuery(period, c, level, start=start))

    frame = cohort_unit_totals(read, cohort, codes)
    refused = _audit(period, start, cohort).units if level == "province" and period else frozenset()
    for side in ("inflow", "outflow") if refused else ():
        more = frame["code"].map(lambda code, side=side: (code, side) in refused).to_numpy(bool)
        frame = frame.assign(**{f"{side}_withheld": frame[f"{side}_withheld"].to_numpy(bool) | more})
    return frame


def cohort_unit_totals(
    read: Callable[[str], pd.DataFrame], cohort: str, codes: Sequence[str]
) -> pd.DataFrame:
    """``unit_totals`` of ``codes`` in ``cohort``, ``read(cohort)`` giving its flows
    (``OD_COLUMNS``, as ``read_od`` withholds them): a total is withheld when it is a small count or when it
    holds exactly one withheld flow (``etl.disclosure.revealing_margins``), or when the same
    total of a coarser cohort would give a small difference away
    (``etl.disclosure.nested_margins``)."""
    od = read(cohort)
    between = od[~od["is_within"].to_numpy(dtype=bool)]
    threshold = small_cell_threshold()
    frame = pd.DataFrame({"code": list(codes)})
    for name, side in (("inflow", "destination_code"), ("outflow", "origin_code")):
        sums = between.groupby(side)["persons"].sum()
        reveals = revealing_margins(between, between["small_cell"], [side], "persons")
        value = sums.reindex(frame["code"]).fillna(0).to_numpy("int64")
        frame[name] = value
        frame[f"{name}_withheld"] = np.asarray(
            reveals.reindex(frame["code"]).fillna(False).to_numpy(dtype=bool)
        ) | np.asarray(indicators.withheld(value, threshold), dtype=bool)
    coarser = [cohort_unit_totals(read, c, codes) for c in _coarser(cohort)]
    for name in ("inflow", "outflow") if coarser else ():
        flag = f"{name}_withheld"
        frame[flag] = nested_margins(
            [*(c[name] for c in coarser), frame[name]],
            [*(c[flag] for c in coarser), frame[flag]],
            threshold,
        )
    return frame


def selection_totals(query: FlowQuery) -> Totals:
    """The totals of the query's selection (``place_totals`` of its focus, else ``set_totals``
    of its regions' provinces) in its period (or range) and cohort; a total is also withheld
    where the same total of a coarser cohort, shown, exceeds it by 1 to threshold - 1 (their
    difference would be a small count of persons outside the cohort;
    ``etl.disclosure.nested_margins``)."""
    od = _query_od(query)
    if query.focus:
        totals = audited_place_totals(od, query.focus, query.level, query.cohort, query.period, query.start)
    else:
        totals = audited_set_totals(od, query.regions, query.level, query.cohort, query.period, query.start)
    coarser = [selection_totals(replace(query, cohort=c)) for c in _coarser(query.cohort)]
    if not coarser:
        return totals
    threshold = small_cell_threshold()
    names = [n for n in ("inflow", "outflow", "within", "among") if getattr(totals, n) is not None]
    chain = [*coarser, totals]
    flags = nested_margins(
        [[getattr(t, n) for n in names] for t in chain],
        [[t.hidden(n, threshold) for n in names] for t in chain],
        threshold,
    )
    more = {n for n, flag in zip(names, flags, strict=True) if flag and not totals.hidden(n, threshold)}
    return replace(totals, withheld=totals.withheld | more) if more else totals


def audited_place_totals(
    od: pd.DataFrame, focus: str, level: str, cohort: str, period: str, start: str | None = None
) -> Totals:
    """``place_totals`` of ``focus``, at province level also withholding the inflow or outflow
    the audit of the province sums refuses (``_audit``)."""
    totals = place_totals(od, focus)
    if level != "province" or od.empty:
        return totals
    refused = {side for code, side in _audit(period, start, cohort).units if code == focus}
    return replace(totals, withheld=totals.withheld | refused) if refused else totals


def audited_set_totals(
    od: pd.DataFrame,
    regions: Sequence[str],
    level: str,
    cohort: str,
    period: str,
    start: str | None = None,
) -> Totals:
    """``set_totals`` of the provinces of ``regions`` in ``od`` (the flows of ``level``, period or
    range ``start`` to ``period``, ``cohort``), also withholding what the audit of every choice of
    regions refuses (``dashboard.data.od.audit_province_sums``, on the province flows). Inflow
    and outflow of a set are the same persons at every level; its within and among at a finer
    level are withheld together where the province level refuses either."""
    provinces = provinces_of_regions(regions)
    totals = set_totals(od, provinces)
    if od.empty:
        return totals
    refused = _audit(period, start, cohort).sets.get(frozenset(provinces), frozenset())
    if level != "province" and refused & {"within", "among"}:
        refused = refused | {"within", "among"}
    return replace(totals, withheld=totals.withheld | refused) if refused else totals


@cached(maxsize=16)
def _audit(engine: Engine, period: str, start: str | None, cohort: str, *, scope: Scope) -> Audit:
    """The audit of the province sums (``dashboard.data.od.audit_province_sums``) of a period or
    range and cohort, on the flows as the page reads them: the choices the regional meetings
    read first (each region alone, ``other``, the page's default of every region), then each
    province's totals, then every other choice of regions (pairs, triples, ...)."""

    def read(c: str, level: str) -> pd.DataFrame:
        return _query_od(FlowQuery(period, c, level, start=start))

    province, region = read(cohort, "province"), read(cohort, "region")
    codes = sorted(set(province["origin_code"]) | set(province["destination_code"]))
    units = cohort_unit_totals(lambda c: read(c, "province"), cohort, codes)
    names = (*region_codes(), OTHER_REGION)
    leading = [provinces_of_regions((r,)) for r in names] + [provinces_of_regions(region_codes())]
    choices = dict.fromkeys(
        [
            *leading,
            *(
                provinces_of_regions(chosen)
                for n in range(2, len(names) + 1)
                for chosen in combinations(names, n)
            ),
        ]
    )
    return audit_province_sums(
        province, region, province_regions(), units, list(choices), small_cell_threshold(),
        leading=len(dict.fromkeys(leading)),
    )  # fmt: skip


def _query_od(query: FlowQuery) -> pd.DataFrame:
    if query.start:
        return read_od_range(query.start, query.period, query.cohort, query.level)
    return read_od(query.period, query.cohort, query.level)


def read_od_range(start: str, end: str, cohort: str, level: str) -> pd.DataFrame:
    """Every flow of the periods ``start`` to ``end`` (both included) in ``OD_COLUMNS``: each
    pair's persons summed over the periods (a person counts once per period they are recorded
    in). A pair is a small cell when its sum is under the threshold or when any of its periods
    is withheld, by its size or as a complement (the sum would give that period's count away);
    then widened as one linked table of every level (``etl.marts.linked_flows``)."""
    return _linked_range(start, end, cohort)[level]


@cached(maxsize=16)
def _linked_range(
    engine: Engine, start: str, end: str, cohort: str, *, scope: Scope
) -> dict[str, pd.DataFrame]:
    chosen = [p for p in periods() if start <= p <= end]
    threshold = small_cell_threshold()
    levels = {}
    for level in LINKED_LEVELS:
        parts = [read_od(p, cohort, level) for p in chosen]
        every = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=OD_COLUMNS)
        # withheld in a period (small, or its complement there): the sum would give it away
        every["_withheld"] = every["small_cell"].astype(bool) & (every["persons"] > 0)
        keys = ["origin_code", "destination_code", "is_within"]
        summed = every.groupby(keys, as_index=False, sort=True).agg(
            persons=("persons", "sum"), _withheld=("_withheld", "any")
        )
        summed["persons"] = summed["persons"].astype("int64")
        summed["small_cell"] = (summed["persons"] < threshold) | summed["_withheld"]
        levels[level] = summed[OD_COLUMNS]
    coarser = [_linked_range(start, end, c) for c in _coarser(cohort)]
    return linked_flows(levels, coarser, *_hierarchy(), threshold)


def region_matrix(period: str, cohort: str, start: str | None = None) -> RegionMatrix:
    """The region-to-region matrix of a period and cohort (regions in file order, then
    ``other``); with ``start``, of the periods ``start`` to ``period`` (``read_od_range``: a cell
    is withheld when its sum or any of its months is). A cell is also withheld where the read
    withholds it (``read_od``: linked with the province flows it sums, by its margins, or beside a coarser cohort's count of it)."""
    codes = [*region_codes(), OTHER_REGION]
    threshold = small_cell_threshold()
    if start:
        rollup = read_od_range(start, period, cohort, "region")
    else:
        rollup = read_od(period, cohort, "region")
    matrix = region_matrix_of(rollup, codes, threshold)
    flagged = (
        rollup.pivot_table(
            index="origin_code", columns="destination_code", values="small_cell", aggfunc="any"
        )
        .reindex(index=codes, columns=codes)
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    refused = np.array(
        [[(o, d) in _audit(period, start, cohort).regions for d in codes] for o in codes], dtype=bool
    )
    return replace(matrix, small_cell=matrix.small_cell | ((flagged | refused) & (matrix.persons > 0)))


def available_periods() -> tuple[str, ...]:
    return periods()


def region_codes() -> tuple[str, ...]:
    return tuple(r.code for r in _regions().regions)


def region_names(lang: str) -> dict[str, str]:
    """Region code -> name in ``lang`` (``other``: the provinces of no region)."""
    with language(lang):
        names = {r.code: pick(r.name_zh, r.name_en) for r in _regions().regions}
        names[OTHER_REGION] = _("Other provinces")
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
    """Codes of the level's units inside the data's coverage and the reader's scope, in code order."""
    h = geo.hierarchy()
    codes = h.loc[h["in_coverage"], f"{level}_code"].unique().tolist()
    shown = store.scope_units(level)
    return tuple(sorted(codes if shown is None else [c for c in codes if c in shown]))


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
    units = units_by_level()
    place = params.get("focus") or None
    if place is not None and not any(place in set(units[lv]) for lv in LEVELS):
        place = None  # not a unit of the data's coverage and the reader's scope
    focus = focus_for_level(place, level, units)
    start = params.get("start") or None
    if start is not None and not (start in known_periods and start < period):
        start = None  # a range runs from an earlier period of the store to ``period``
    compare = params.get("compare") or None
    if compare is not None:
        from dashboard.data.flow_change import target_of

        if target_of(compare, period) is None:
            compare = None  # an unknown side, or the target itself
        else:
            start = None  # a comparison holds two sides, not a range
    return FlowQuery(period, cohort, level, regions, direction, top, focus, place, start, compare)


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
    if query.place:
        params["focus"] = query.place  # the place chosen, kept across levels
    if query.start:
        params["start"] = query.start
    if query.compare:
        params["compare"] = query.compare
    return params


def valid_regions(regions: Iterable[str] | None) -> tuple[str, ...]:
    """The known regions among ``regions``, in their order; none known: the four regions."""
    known = (*region_codes(), OTHER_REGION)
    chosen = tuple(dict.fromkeys(r for r in (regions or ()) if r in known))
    return chosen or region_codes()


def with_focus(query: FlowQuery, code: str | None) -> FlowQuery:
    return replace(query, focus=focus_for_level(code, query.level, units_by_level()), place=code)


def flow_view(query: FlowQuery) -> FlowView:
    """Flows, thinned to the query's top N with unit names, and the selection's totals."""
    threshold = small_cell_threshold()
    if not query.period:
        empty = pd.DataFrame(columns=[*FLOW_COLUMNS, "origin_name", "destination_name"])
        return FlowView(query, empty, 0, Totals(0, 0, 0, None if query.focus else 0), threshold)
    if query.target:
        return _change_view(query, threshold)
    od = _query_od(query)
    provinces = provinces_of_regions(query.regions)
    selected = select_flows(od, query.direction, focus=query.focus, provinces=provinces)
    ordered = order_flows(selected)
    lines, cross = ordered, query.level == "county" and not query.focus
    if cross:  # a national county map: the top N are otherwise short flows next door
        lines = ordered[_across_prefectures(ordered)]
    top = lines.head(int(query.top)).reset_index(drop=True)  # only these are named here
    names = geo.unit_names()
    top["origin_name"] = top["origin_code"].map(names).fillna(top["origin_code"])
    top["destination_name"] = top["destination_code"].map(names).fillna(top["destination_code"])
    totals = selection_totals(query)
    return FlowView(query, top, len(selected), totals, threshold, ordered, len(lines), cross)


def _across_prefectures(flows: pd.DataFrame) -> np.ndarray:
    """Which county flows join counties of two different prefectures."""
    h = geo.hierarchy().drop_duplicates("county_code").set_index("county_code")["prefecture_code"]
    origin = flows["origin_code"].map(h).fillna(flows["origin_code"]).to_numpy()
    destination = flows["destination_code"].map(h).fillna(flows["destination_code"]).to_numpy()
    return origin != destination


def _change_view(query: FlowQuery, threshold: int) -> FlowView:
    """The comparison view (``dashboard.data.flow_change``): the selection's flows by absolute
    change, ``persons`` the size of the change, ``change`` signed, ``group`` ``in`` for growth and
    ``out`` for decline (net: ``flow``, the net change runs the arrow's way); ``before``,
    ``after``, ``percent``; withheld changes flagged ``small_cell`` with no numbers."""
    from dashboard.data import flow_change

    base, target = query.compare, query.target
    assert base is not None and target is not None
    pairs = flow_change.change_pairs(base, target, query.cohort, query.level)
    provinces = provinces_of_regions(query.regions)
    selected = select_flows(
        flow_change.as_od(pairs), query.direction, focus=query.focus, provinces=provinces
    )
    selected = selected[selected["small_cell"].astype(bool) | (selected["persons"] != 0)]
    selected = _with_sides(selected, pairs, query.direction == "net")
    ordered = flow_change.order_changes(selected)
    lines, cross = ordered, query.level == "county" and not query.focus
    if cross:
        lines = ordered[_across_prefectures(ordered)]
    top = lines.head(int(query.top)).reset_index(drop=True)
    names = geo.unit_names()
    top["origin_name"] = top["origin_code"].map(names).fillna(top["origin_code"])
    top["destination_name"] = top["destination_code"].map(names).fillna(top["destination_code"])
    a = flow_change.read_side(base, query.cohort, query.level)
    b = flow_change.read_side(target, query.cohort, query.level)
    if query.focus:
        totals, before = (
            audited_place_totals(side, query.focus, query.level, query.cohort, *flow_change.side_span(name))
            for side, name in ((b, target), (a, base))
        )
    else:
        totals, before = (
            audited_set_totals(side, query.regions, query.level, query.cohort, *flow_change.side_span(name))
            for side, name in ((b, target), (a, base))
        )
    return FlowView(
        query, top, len(selected), totals, threshold, ordered, len(lines), cross, before
    )


def _with_sides(selected: pd.DataFrame, pairs: pd.DataFrame, net: bool) -> pd.DataFrame:
    """``selected`` (signed change in ``persons``) with ``change``, ``before``, ``after`` and
    ``percent`` (NaN where withheld), ``persons`` the absolute change, ``group`` growth / decline."""
    between = pairs[~pairs["is_within"].astype(bool)]
    index = pd.MultiIndex.from_arrays([between["origin_code"], between["destination_code"]])
    bef = pd.Series(between["before"].to_numpy(), index=index)
    aft = pd.Series(between["after"].to_numpy(), index=index)
    forward = pd.MultiIndex.from_arrays([selected["origin_code"], selected["destination_code"]])
    before = bef.reindex(forward).fillna(0).to_numpy("float64")
    after = aft.reindex(forward).fillna(0).to_numpy("float64")
    if net:
        back = pd.MultiIndex.from_arrays([selected["destination_code"], selected["origin_code"]])
        before = before - bef.reindex(back).fillna(0).to_numpy("float64")
        after = after - aft.reindex(back).fillna(0).to_numpy("float64")
    small = selected["small_cell"].to_numpy(dtype=bool)
    change = selected["persons"].to_numpy("int64")
    out = selected.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(before != 0, change / np.abs(before) * 100.0, np.nan)
    out["change"] = np.where(small, 0, change)
    out["before"] = np.where(small, np.nan, before)
    out["after"] = np.where(small, np.nan, after)
    out["percent"] = np.where(small, np.nan, percent)
    out["persons"] = np.abs(out["change"]).astype("int64")
    if not net:
        out["group"] = np.where(out["change"] >= 0, "in", "out")
    return out.reset_index(drop=True)
