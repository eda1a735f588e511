"""The area model: regions, provinces, prefectures and counties as sets of counties, and how to
move between them (parents, children, breadcrumbs, comparisons, search). No store: geography only.

Terms:

- an *area* is a collaboration region (a code such as ``pan_yangtze``), a province, a prefecture or
  a county (6-digit adcodes), taken as the set of its counties (``hierarchy_table``). A code at two
  levels is read at the higher one for provinces (重庆 500000 is a province and a prefecture) and as
  a county otherwise (东莞 441900 is a prefecture and a county);
- a unit's *parents* are the units above it worth naming beside it: a county's prefecture (unless
  that is the whole province, as 上海市 310100 is) and province;
- a *map area* is the area whose units a map shows: the area itself, or a county's prefecture.

The tables are read once per process and cached (``hierarchy``, ``regions``, ``unit_names``);
callers must not mutate what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geodata.hierarchy import hierarchy_table, province_table
from geodata.regions import RegionConfig, load_regions
from geodata.romanize import unit_names_en

LEVELS = ("region", "province", "prefecture", "county")
SUB_LEVELS = {
    "region": ("province", "prefecture"),
    "province": ("prefecture", "county"),
    "prefecture": ("county",),
    "county": ("county",),
}
"""Levels an area's map can show, default first (a county shows its prefecture's counties)."""


@lru_cache(maxsize=1)
def hierarchy() -> pd.DataFrame:
    """One row per county-level unit (see ``geodata.hierarchy.hierarchy_table``)."""
    return hierarchy_table()


@lru_cache(maxsize=1)
def provinces() -> pd.DataFrame:
    return province_table()


@lru_cache(maxsize=4)
def regions(path: str | None = None) -> RegionConfig:
    """The collaboration regions and pilots (``path``: a region file; None: the packaged one)."""
    h = hierarchy()
    codes = set(h["county_code"]) | set(h["prefecture_code"])
    return load_regions(Path(path) if path else None, provinces(), codes)


@lru_cache(maxsize=2)
def unit_names(lang: str = "zh") -> dict[str, str]:
    """adcode -> name for every county, prefecture and province (prefectures sharing a county's
    code, such as 东莞, keep the county name): as published (``zh``, any other ``lang``), or in
    English (``en``: ``geodata.romanize``, provinces by their conventional English names)."""
    h = hierarchy()
    if lang == "en":
        return unit_names_en(h)
    names = dict(zip(h["province_code"], h["province_name"], strict=True))
    names.update(zip(h["prefecture_code"], h["prefecture_name"], strict=True))
    names.update(zip(h["county_code"], h["county_name"], strict=True))
    return names


@lru_cache(maxsize=2)
def county_names_with_prefecture(lang: str = "zh") -> dict[str, str]:
    """County adcode -> its name with its prefecture beside it, so that names shared by many
    counties tell which one (``城关区（兰州市）``, ``Chengguan District (Lanzhou City)``); a county of a
    municipality names the municipality (``浦东新区（上海市）``); a county that is its own prefecture
    (东莞市) is named once."""
    h = hierarchy()
    names = unit_names(lang)
    pattern = "{name} ({parent})" if lang == "en" else "{name}（{parent}）"
    labels = {}
    for county, prefecture in zip(h["county_code"], h["prefecture_code"], strict=True):
        name, parent = names[county], names[prefecture]
        labels[county] = name if name == parent else pattern.format(name=name, parent=parent)
    return labels


def unit_name(code: str, lang: str) -> str:
    """The name of the unit ``code`` in ``lang`` (zh: as published; en: in English); the code
    itself for a code that is no unit."""
    return unit_names(lang).get(code, code)


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


def find_area(code: str | None, regions_path: str | None = None) -> Area | None:
    """The area of ``code`` (adcode or region code), or None if there is none."""
    if not code:
        return None
    return _find_area(str(code).strip(), regions_path)


@lru_cache(maxsize=512)
def _find_area(code: str, regions_path: str | None) -> Area | None:
    h = hierarchy()
    config = regions(regions_path)
    pilots = {p.code: p for p in config.pilots}
    english = unit_names("en")
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
    return hierarchy().set_index("county_code", drop=False).to_dict("index")


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
    found = (find_area(p.code, regions_path) for p in regions(regions_path).pilots)
    return tuple(a for a in found if a is not None)


def sub_units(area: Area, level: str) -> tuple[str, ...]:
    """Codes shown on ``area``'s map at ``level``: its prefectures or counties, or, for a county,
    the counties of ``map_area`` (its prefecture, or its province)."""
    h = hierarchy()
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
    """Options of ``search_options`` matching ``query`` (a name or code fragment, any case, in
    Chinese or in pinyin / English in either language): an exact code first, then names starting
    with it, then the rest, at most ``limit``."""
    needle = query.strip().lower()
    if not needle:
        return []
    matches = [o for o in search_options(lang, regions_path) if needle in o["search"]]
    matches.sort(key=lambda o: (o["value"] != needle, not o["label"].lower().startswith(needle)))
    return matches[:limit]


@lru_cache(maxsize=4)
def search_options(lang: str, regions_path: str | None = None) -> list[dict[str, str]]:
    """Every region, province, prefecture and county as dropdown options (label, value = code,
    and ``search``: the lower-case text a search matches, with the English (pinyin) label beside
    the Chinese one, so that "kunshan" finds 昆山市 on the Chinese page too).

    Cached: callers must not mutate the list."""
    options = _labelled_options(lang, regions_path)
    if lang == "en":
        return [{**o, "search": o["label"].lower()} for o in options]
    english = {o["value"]: o["label"] for o in _labelled_options("en", regions_path)}
    return [{**o, "search": f"{o['label']} {english[o['value']]}".lower()} for o in options]


@lru_cache(maxsize=4)
def _labelled_options(lang: str, regions_path: str | None = None) -> list[dict[str, str]]:
    h = hierarchy()
    h = h[h["in_coverage"]]
    options = [
        {"label": f"{r.name_en if lang == 'en' else r.name_zh} · {r.code}", "value": r.code}
        for r in regions(regions_path).regions
    ]
    english = unit_names("en")
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
    zh = unit_names("zh")
    if lang != "en":
        return f"{zh[code]} — {'，'.join(zh[p] for p in parents)}"
    en = unit_names("en")
    return f"{en[code]} {zh[code]} — {', '.join(en[p] for p in parents)}"


def parent_codes(code: str, level: str) -> tuple[str, ...]:
    """The units above ``code`` worth naming beside it: a county's prefecture (unless it is the
    whole province) and province; a prefecture's province; nothing for a province."""
    if level == "province":
        return ()
    rows = hierarchy()
    rows = rows[rows[f"{level}_code"] == code]
    if rows.empty:
        return ()
    row = rows.iloc[0]
    if level == "county" and row["prefecture_name"] != row["province_name"]:
        return (row["prefecture_code"], row["province_code"])
    return (row["province_code"],)
