"""Drill-down data (试点与地区): one area's coverage, flows and two-way assessment, and its
comparisons (its province and collaboration region).

Terms used here:

- an *area* is a collaboration region (a code such as ``pan_yangtze``), a province, a prefecture or
  a county (6-digit adcodes), taken as the set of its counties. A code at two levels is read at the
  higher one for provinces (重庆 500000 is a province and a prefecture) and as a county otherwise
  (东莞 441900 is a prefecture and a county);
- *inflow* of an area in a period: persons (cohort ``all``) living in it and registered outside
  it; *outflow*: registered in it and living outside it; *within*: registered and living in it but
  away from their township (for a county: its intra-county movers, the diagonal). Flows are read
  at the area's own level, so a prefecture's inflow leaves out moves between its own counties;
- coverage of an area: sums of its counties' numerators and denominators (ratios re-aggregate
  exactly, never as a mean of rates); ``rate`` is numerator per person of the denominator;
- *gap*: the fewest more persons of the denominator who would have to be covered for the rate to
  reach its target, ``max(0, ceil(denominator x target - numerator))``, computed in integers;
- *small cell*: a count under the store's threshold (default 10), shown as suppressed, never as a
  number. A sum (an area's inflow, a coverage denominator) is small when the sum is under it;
- *two-way assessment* (双向考核): a county's scores are the store's; a larger area is scored the
  same way (``etl.aggregate``) over its summed coverage: as an origin on the outflow indicators, as a
  destination on the inflow ones; ``score`` is the mean of min(1, rate / target) over indicators
  with a denominator, ``n_at_target`` counts those at or above target.

Store reads are memoised per data version (``dashboard.data.store.cached``); callers must not
mutate what they return.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.data import geo
from dashboard.data.store import cached
from etl import store
from etl.records import INDICATORS
from geodata.layers import LayerSet
from geodata.points import unit_points

LEVELS = ("region", "province", "prefecture", "county")
SUB_LEVELS = {
    "region": ("province", "prefecture"),
    "province": ("prefecture", "county"),
    "prefecture": ("county",),
    "county": ("county",),
}
"""Levels an area's map can show, default first (a county shows its prefecture's counties)."""

MEASURES = ("inflow", "outflow", *(i.flag for i in INDICATORS))
COHORT = "all"
INDICATOR_ORDER = {i.flag: n for n, i in enumerate(INDICATORS)}
TARGET_BP = {i.flag: round(i.target * 10_000) for i in INDICATORS}  # targets in basis points

LEVEL_KEYS = {
    "region": "level_region",
    "province": "level_province",
    "prefecture": "level_prefecture",
    "county": "level_county",
}
"""The ``dashboard.i18n`` key naming each level."""
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")



@dataclass(frozen=True)
class Area:
    """A region, province, prefecture or county, as the set of its counties."""

    code: str
    level: str
    name_zh: str
    name_en: str
    county_codes: tuple[str, ...]
    province_code: str | None = None
    prefecture_code: str | None = None
    region_codes: tuple[str, ...] = ()
    is_pilot: bool = False

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    @property
    def flow_level(self) -> str:
        """Level at which its flows are read: a region's from the province rollup."""
        return "province" if self.level == "region" else self.level

    @property
    def flow_members(self) -> tuple[str, ...]:
        """Its codes at ``flow_level``: a region's member provinces, otherwise its own code."""
        if self.level == "region":
            return tuple(sorted({_county_row(c)["province_code"] for c in self.county_codes}))
        return (self.code,)


@dataclass(frozen=True)
class Crumb:
    code: str
    level: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


# --- geography (no store) ------------------------------------------------------------------------


def find_area(code: str | None, regions_path: str | None = None) -> Area | None:
    """The area of ``code`` (adcode or region code), or None if there is none."""
    if not code:
        return None
    return _find_area(str(code).strip(), regions_path)


@lru_cache(maxsize=512)
def _find_area(code: str, regions_path: str | None) -> Area | None:
    h = geo.hierarchy()
    config = geo.regions(regions_path)
    pilots = {p.code: p for p in config.pilots}
    english = geo.unit_names("en")
    region_of = config.membership().groupby("province_code")["region_code"].agg(tuple).to_dict()
    for region in config.regions:
        if region.code == code:
            counties = h.loc[h["province_code"].isin(region.province_codes), "county_code"]
            return Area(code, "region", region.name_zh, region.name_en, tuple(counties))
    if code in set(h["province_code"]):
        rows = h[h["province_code"] == code]
        name = rows["province_name"].iloc[0]
        return Area(
            code, "province", name, english.get(code, name), tuple(rows["county_code"]),
            province_code=code, region_codes=region_of.get(code, ()),
        )  # fmt: skip
    if code in set(h["county_code"]):
        row = _county_row(code)
        pilot = pilots.get(code) or pilots.get(row["prefecture_code"])
        return Area(
            code, "county", row["county_name"], english[code], (code,),
            province_code=row["province_code"], prefecture_code=row["prefecture_code"],
            region_codes=region_of.get(row["province_code"], ()), is_pilot=pilot is not None,
        )  # fmt: skip
    if code in set(h["prefecture_code"]):
        rows = h[h["prefecture_code"] == code]
        name = rows["prefecture_name"].iloc[0]
        province = rows["province_code"].iloc[0]
        return Area(
            code, "prefecture", name, english[code], tuple(rows["county_code"]),
            province_code=province, prefecture_code=code,
            region_codes=region_of.get(province, ()), is_pilot=code in pilots,
        )  # fmt: skip
    return None


@lru_cache(maxsize=1)
def _county_rows() -> dict[str, dict]:
    return geo.hierarchy().set_index("county_code", drop=False).to_dict("index")


def _county_row(code: str) -> dict:
    return _county_rows()[code]


def breadcrumb(area: Area, regions_path: str | None = None) -> tuple[tuple[Crumb, ...], ...]:
    """Region(s) -> province -> prefecture -> county down to ``area``: one tuple per step (a
    province in two regions gives two crumbs in the first step). A prefecture that is the whole of
    its province (上海市 310100 in 上海市) or the county itself (东莞) is left out."""
    steps: list[tuple[Crumb, ...]] = []
    regions = [find_area(code, regions_path) for code in _regions_of(area, regions_path)]
    steps.append(tuple(_crumb(r) for r in regions if r is not None))
    for code in (area.province_code, area.prefecture_code, area.code):
        if code is None or any(c.code == code for step in steps for c in step):
            continue
        unit = find_area(code, regions_path)
        if unit is None or (unit.level == "prefecture" and _skip_prefecture(unit, area)):
            continue
        steps.append((_crumb(unit),))
    return tuple(s for s in steps if s)


def _regions_of(area: Area, regions_path: str | None) -> tuple[str, ...]:
    return (area.code,) if area.level == "region" else area.region_codes


def _skip_prefecture(prefecture: Area, area: Area) -> bool:
    if prefecture.code == area.code:
        return False
    province = find_area(prefecture.province_code)
    same_as_province = province is not None and province.county_codes == prefecture.county_codes
    return same_as_province or prefecture.county_codes == (area.code,)


def _crumb(area: Area) -> Crumb:
    return Crumb(area.code, area.level, area.name_zh, area.name_en)


def comparisons(area: Area, regions_path: str | None = None) -> tuple[Area, ...]:
    """The areas ``area`` is compared with: its province (below province level) and its
    collaboration region(s)."""
    codes: list[str] = []
    if area.level in ("prefecture", "county") and area.province_code:
        codes.append(area.province_code)
    if area.level != "region":
        codes.extend(area.region_codes)
    found = (find_area(c, regions_path) for c in codes)
    return tuple(a for a in found if a is not None)


def pilots(regions_path: str | None = None) -> tuple[Area, ...]:
    """The pilot areas of the region configuration (先行先试), in its order."""
    found = (find_area(p.code, regions_path) for p in geo.regions(regions_path).pilots)
    return tuple(a for a in found if a is not None)


def sub_units(area: Area, level: str) -> tuple[str, ...]:
    """Codes shown on ``area``'s map at ``level``: its prefectures or counties, or, for a county,
    the counties of ``map_area`` (its prefecture, or its province)."""
    h = geo.hierarchy()
    if area.level == "county":
        return map_area(area).county_codes
    rows = h[h["county_code"].isin(area.county_codes)]
    return tuple(dict.fromkeys(rows[f"{level}_code"]))


def map_area(area: Area, regions_path: str | None = None) -> Area:
    """The area whose units the map shows: the area itself, or a county's prefecture (its province
    where the prefecture is the whole province, as 上海市 310100 is)."""
    if area.level != "county":
        return area
    prefecture = find_area(area.prefecture_code, regions_path)
    province = find_area(area.province_code, regions_path)
    if prefecture is None or prefecture.level == "county":  # 东莞: the county is its prefecture
        return province or area
    if province is not None and province.county_codes == prefecture.county_codes:
        return province
    return prefecture


def geometry_name(area: Area, level: str) -> str:
    """Layer file holding ``area``'s units at ``level`` (see ``dashboard.geometry_route``)."""
    if level == "county":
        return f"county_detail/{area.province_code}"
    return f"{level}_national"


def search_areas(
    query: str, lang: str, regions_path: str | None = None, limit: int = 30
) -> list[dict[str, str]]:
    """Options of ``search_options`` matching ``query`` (a name or code fragment, any case):
    an exact code first, then names starting with it, then the rest, at most ``limit``."""
    needle = query.strip().lower()
    if not needle:
        return []
    matches = [o for o in search_options(lang, regions_path) if needle in o["label"].lower()]
    matches.sort(key=lambda o: (o["value"] != needle, not o["label"].lower().startswith(needle)))
    return matches[:limit]


@lru_cache(maxsize=4)
def search_options(lang: str, regions_path: str | None = None) -> list[dict[str, str]]:
    """Every region, province, prefecture and county as dropdown options (label, value = code).

    Cached: callers must not mutate the list."""
    h = geo.hierarchy()
    h = h[h["in_coverage"]]
    options = [
        {"label": f"{r.name_en if lang == 'en' else r.name_zh} · {r.code}", "value": r.code}
        for r in geo.regions(regions_path).regions
    ]
    english = geo.unit_names("en")
    for code, name in h.drop_duplicates("province_code")[["province_code", "province_name"]].values:
        label = f"{english.get(code, name)} {name}" if lang == "en" else name
        options.append({"label": f"{label} · {code}", "value": code})
    prefectures = h.drop_duplicates("prefecture_code")
    size = h.groupby("prefecture_code")["county_code"].size()
    province_size = h.groupby("province_code")["county_code"].size()
    whole = (
        size.loc[prefectures["prefecture_code"]].to_numpy()
        == province_size.loc[prefectures["province_code"]].to_numpy()
    )  # 上海市 310100 is all of 上海市 310000: listed once, as the province
    prefectures = prefectures[~whole]
    for code, province in prefectures[["prefecture_code", "province_code"]].values:
        options.append(
            {"label": f"{_option_label(code, (province,), lang)} · {code}", "value": code}
        )
    counties = h[~h["county_code"].isin(prefectures["prefecture_code"])]
    for code, prefecture, province, prefecture_name, province_name in counties[
        ["county_code", "prefecture_code", "province_code", "prefecture_name", "province_name"]
    ].values:
        parents = (province,) if prefecture_name == province_name else (prefecture, province)
        options.append({"label": f"{_option_label(code, parents, lang)} · {code}", "value": code})
    return options


def _option_label(code: str, parents: tuple[str, ...], lang: str) -> str:
    """``昆山市 — 苏州市，江苏省``; in English with the Chinese name beside it, so that either can be
    searched: ``Kunshan City 昆山市 — Suzhou City, Jiangsu``."""
    zh = geo.unit_names("zh")
    if lang != "en":
        return f"{zh[code]} — {'，'.join(zh[p] for p in parents)}"
    en = geo.unit_names("en")
    return f"{en[code]} {zh[code]} — {', '.join(en[p] for p in parents)}"


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


def period_label(period: str, lang: str) -> str:
    """``2012-12`` as 2012年12月 (zh) or Dec 2012 (en)."""
    year, month = period.split("-")
    if lang == "en":
        return f"{MONTHS_EN[int(month) - 1]} {year}"
    return f"{year}年{int(month)}月"


def page_href(path: str, **query: str | None) -> str:
    """``path`` with the non-empty ``query`` parameters (``lang=zh``, the default, left out)."""
    params = {k: v for k, v in query.items() if v and not (k == "lang" and v == "zh")}
    return path + ("?" + urlencode(params) if params else "")


# --- store reads -----------------------------------------------------------------------------------


@cached()
def small_cell_threshold(engine: sa.Engine) -> int:
    """Counts under this are small cells (the threshold the store's aggregates were built with)."""
    return int(store.meta(engine, "small_cell_threshold") or 0)


@cached(maxsize=256)
def coverage(engine: sa.Engine, area: Area, period: str | None) -> pd.DataFrame:
    """Every indicator of ``area`` in ``period`` (None: every period).

    Columns ``period, indicator, side, numerator, denominator, rate, target, at_target, gap,
    small_cell``; one row per indicator and period, in the order of ``etl.records.INDICATORS``.
    An indicator without records is 0/0 (rate NaN, small).
    """
    table = store.coverage
    query = (
        sa.select(
            table.c.period, table.c.indicator,
            sa.func.sum(table.c.numerator).label("numerator"),
            sa.func.sum(table.c.denominator).label("denominator"),
        )
        .where(table.c.county_code.in_(area.county_codes))
        .group_by(table.c.period, table.c.indicator)
    )  # fmt: skip
    if period is not None:
        query = query.where(table.c.period == period)
    with engine.connect() as conn:
        sums = pd.read_sql_query(query, conn)
    periods = [period] if period is not None else sorted(set(sums["period"]))
    full = pd.MultiIndex.from_product(
        [periods, list(INDICATOR_ORDER)], names=["period", "indicator"]
    )
    sums = sums.set_index(["period", "indicator"]).reindex(full, fill_value=0).reset_index()
    return coverage_rates(sums, small_cell_threshold())


def coverage_rates(sums: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Rates, targets, gaps and small cells of summed ``period, indicator, numerator,
    denominator`` rows (see the module docstring for each)."""
    data = sums.copy()
    data["numerator"] = data["numerator"].astype("int64")
    data["denominator"] = data["denominator"].astype("int64")
    sides = {i.flag: i.side for i in INDICATORS}
    data["side"] = data["indicator"].map(sides)
    data["rate"] = data["numerator"] / data["denominator"].where(data["denominator"] > 0)
    data["target"] = data["indicator"].map({i.flag: i.target for i in INDICATORS})
    bp = data["indicator"].map(TARGET_BP).astype("int64")
    short = data["denominator"] * bp - data["numerator"] * 10_000  # persons x 10,000
    data["gap"] = (-(-short // 10_000)).clip(lower=0).astype("int64")
    data["at_target"] = (data["denominator"] > 0) & (short <= 0)
    data["small_cell"] = data["denominator"] < threshold
    data["order"] = data["indicator"].map(INDICATOR_ORDER)
    data = data.sort_values(["period", "order"], kind="stable", ignore_index=True)
    columns = ["period", "indicator", "side", "numerator", "denominator", "rate", "target"]
    columns += ["at_target", "gap", "small_cell"]
    extra = [c for c in sums.columns if c not in columns]  # such as a unit's code
    return data[[*extra, *columns]]


def assessment_of(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Two-way assessment of one area and period from its ``coverage`` rows.

    Columns ``role`` (origin, destination), ``n_indicators``, ``n_at_target``, ``score`` (NaN
    without any denominator) and ``small_cell`` (its smallest denominator above 0 is small).
    """
    out = []
    for role, side in (("origin", "outflow"), ("destination", "inflow")):
        part = rows[(rows["side"] == side) & (rows["denominator"] > 0)]
        ratio = (part["rate"] / part["target"]).clip(upper=1.0)
        smallest = int(part["denominator"].min()) if len(part) else 0
        out.append(
            {
                "role": role,
                "n_indicators": len(part),
                "n_at_target": int(part["at_target"].sum()),
                "score": float(ratio.mean()) if len(part) else float("nan"),
                "small_cell": smallest < threshold,
            }
        )
    return pd.DataFrame(out)


@cached(maxsize=256)
def assessment(engine: sa.Engine, area: Area, period: str) -> pd.DataFrame:
    """Two-way assessment of ``area`` in ``period`` (see ``assessment_of``): a county's from the
    store, a larger area's computed over its summed coverage."""
    if area.level != "county":
        return assessment_of(coverage(area, period), small_cell_threshold())
    table = store.assessment
    query = sa.select(
        table.c.role, table.c.n_indicators, table.c.n_at_target, table.c.score, table.c.small_cell
    ).where(table.c.county_code == area.code, table.c.period == period)
    with engine.connect() as conn:
        rows = pd.read_sql_query(query, conn)
    empty = pd.DataFrame(
        {"role": ["origin", "destination"], "n_indicators": 0, "n_at_target": 0,
         "score": np.nan, "small_cell": True}
    )  # fmt: skip
    rows = pd.concat([rows, empty[~empty["role"].isin(rows["role"])]], ignore_index=True)
    rows["small_cell"] = rows["small_cell"].astype(bool)
    return rows.set_index("role").loc[["origin", "destination"]].reset_index()


def _flow_table(level: str) -> tuple[sa.Table, sa.Column, sa.Column, sa.Column, list]:
    """(table, origin column, destination column, persons column, filters) of the flows of the
    cohort ``all`` at ``level`` (the county table is wide: a persons column per cohort)."""
    if level == "county":
        t = store.flows
        return t, t.c.hukou_code, t.c.residence_code, t.c[f"persons_{COHORT}"], []
    t = store.flows_rollup
    filters = [t.c.cohort == COHORT, t.c.level == level]
    return t, t.c.origin_code, t.c.destination_code, t.c.persons, filters


@cached(maxsize=256)
def flow_totals(engine: sa.Engine, area: Area) -> pd.DataFrame:
    """``period, inflow, outflow, within`` persons of ``area`` in every period of the store, with
    ``inflow_small``, ``outflow_small``, ``within_small`` (above 0 and under the threshold; a
    true zero has nobody to protect and is shown)."""
    if area.level != "region":
        data = store.read_unit_flows(engine, area.flow_level, area.code).drop(columns="code")
    else:  # a region's flows are its member provinces' (with one another: within)
        data = _member_flow_totals(engine, area)
    every = pd.Index(store.periods(engine), name="period")  # a period without flows is all 0
    data = data.set_index("period").reindex(every).reset_index()
    threshold = small_cell_threshold()
    for name in ("inflow", "outflow", "within"):
        data[name] = data[name].fillna(0).astype("int64")
        data[f"{name}_small"] = (data[name] > 0) & (data[name] < threshold)  # 0 is shown
    return data


def _member_flow_totals(engine: sa.Engine, area: Area) -> pd.DataFrame:
    table, origin, destination, persons, filters = _flow_table(area.flow_level)
    members = list(area.flow_members)
    into, out_of = destination.in_(members), origin.in_(members)

    def total(condition: sa.ColumnElement[bool], name: str):  # noqa: ANN202
        return sa.func.sum(sa.case((condition, persons), else_=0)).label(name)

    query = (
        sa.select(
            table.c.period,
            total(sa.and_(into, sa.not_(out_of)), "inflow"),
            total(sa.and_(out_of, sa.not_(into)), "outflow"),
            total(sa.and_(into, out_of), "within"),
        )
        .where(*filters, sa.or_(into, out_of))
        .group_by(table.c.period)
        .order_by(table.c.period)
    )
    with engine.connect() as conn:
        return pd.read_sql_query(query, conn)


@cached(maxsize=256)
def top_partners(
    engine: sa.Engine, area: Area, period: str, direction: str, n: int = 10
) -> pd.DataFrame:
    """The ``n`` largest origins (``direction="inflow"``) or destinations (``"outflow"``) of
    ``area`` in ``period``, at the area's flow level, largest first.

    Columns ``code, name, parent, persons, small_cell`` (``parent``: codes of the units above
    the partner worth naming beside it, see ``_parent_codes``).
    """
    table, origin, destination, persons, filters = _flow_table(area.flow_level)
    members = list(area.flow_members)
    here, there = (destination, origin) if direction == "inflow" else (origin, destination)
    total = sa.func.sum(persons).label("persons")
    query = (
        sa.select(there.label("code"), total)
        .where(*filters, table.c.period == period, here.in_(members), there.not_in(members))
        .group_by(there)
        .order_by(total.desc(), there)
        .limit(n)
    )
    with engine.connect() as conn:
        data = pd.read_sql_query(query, conn)
    data["code"] = data["code"].astype(str)
    data["persons"] = data["persons"].astype("int64")
    data["name"] = data["code"].map(geo.unit_names()).fillna(data["code"])
    data["parent"] = [_parent_codes(code, area.flow_level) for code in data["code"]]
    data["small_cell"] = data["persons"] < small_cell_threshold()
    return data[["code", "name", "parent", "persons", "small_cell"]]


def _parent_codes(code: str, level: str) -> tuple[str, ...]:
    """The units above ``code`` worth naming beside it: a county's prefecture (unless it is the
    whole province) and province; a prefecture's province; nothing for a province."""
    if level == "province":
        return ()
    rows = geo.hierarchy()
    rows = rows[rows[f"{level}_code"] == code]
    if rows.empty:
        return ()
    row = rows.iloc[0]
    if level == "county" and row["prefecture_name"] != row["province_name"]:
        return (row["prefecture_code"], row["province_code"])
    return (row["province_code"],)


def unit_name(code: str, lang: str) -> str:
    """A unit's name in ``lang``: as published (zh) or in English (en), see ``geo.unit_names``."""
    return geo.unit_name(code, lang)


@cached(maxsize=256)
def sub_unit_values(
    engine: sa.Engine, area: Area, level: str, period: str, measure: str
) -> pd.DataFrame:
    """One value per unit of ``area``'s map (``sub_units(area, level)``) in ``period``.

    ``measure``: ``inflow`` or ``outflow`` (persons, between units of ``level``) or an indicator
    flag (rate). Columns ``code, name, value, numerator, denominator, gap, small_cell``; a unit
    without records has value NaN (for a rate: no data, not a small cell) or 0 (for persons,
    shown as 0: there is nobody to protect).
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of {MEASURES}")
    codes = sub_units(area, level)
    data = pd.DataFrame({"code": list(codes)})
    data["name"] = data["code"].map(geo.unit_names()).fillna(data["code"])
    threshold = small_cell_threshold()
    if measure in ("inflow", "outflow"):
        table, origin, destination, persons, filters = _flow_table(level)
        here, there = (destination, origin) if measure == "inflow" else (origin, destination)
        query = (
            sa.select(here.label("code"), sa.func.sum(persons).label("value"))
            .where(*filters, table.c.period == period, here.in_(codes), here != there)
            .group_by(here)
        )
        with engine.connect() as conn:
            values = pd.read_sql_query(query, conn)
        values["code"] = values["code"].astype(str)
        data = data.merge(values, on="code", how="left")
        data["value"] = data["value"].fillna(0).astype("int64")
        data["numerator"] = data["value"]
        data["denominator"] = np.nan
        data["gap"] = 0
        data["small_cell"] = (data["value"] > 0) & (data["value"] < threshold)  # 0 is shown
        return data
    h = geo.hierarchy()
    counties = h.loc[h[f"{level}_code"].isin(codes), ["county_code"]]
    counties["unit_code"] = h.loc[counties.index, f"{level}_code"]
    table = store.coverage
    query = sa.select(table.c.county_code, table.c.numerator, table.c.denominator).where(
        table.c.period == period,
        table.c.indicator == measure,
        table.c.county_code.in_(list(counties["county_code"])),
    )
    with engine.connect() as conn:
        rows = pd.read_sql_query(query, conn)
    rows = rows.merge(counties, on="county_code")
    sums = rows.groupby("unit_code", as_index=False)[["numerator", "denominator"]].sum()
    sums = sums.rename(columns={"unit_code": "code"})
    sums["period"], sums["indicator"] = period, measure
    rates = coverage_rates(sums, threshold)
    data = data.merge(rates[["code", "numerator", "denominator", "rate", "gap", "small_cell"]],
                      on="code", how="left")  # fmt: skip
    data = data.rename(columns={"rate": "value"})
    data["small_cell"] = data["small_cell"].fillna(False).astype(bool) & (data["denominator"] > 0)
    return data[["code", "name", "value", "numerator", "denominator", "gap", "small_cell"]]
