"""The narrative of a slide, written from the store for the slide's scope and period.

Definitions (also in ``docs/presentation.md``):

- *scope*: the set of counties a slide speaks of: the counties of the collaboration region's member
  provinces, or of an area (a county, prefecture or province code), or every county (national).
- *inflow* of a scope: floating persons (cohort ``all``) in the period's county flows whose
  residence county is in the scope and whose registration (hukou) county is outside it. For a region
  that is the number of people who came from outside the region; moves inside the region (and the
  intra-county diagonal) are not counted. For the nation (no outside) it is every between-county
  mover (跨县流动人口).
- an indicator's *rate* in a scope: the sum of its numerators over the scope's counties per person
  of the sum of its denominators (on the indicator's side: residence for inflow indicators,
  registration for the certificate issuance rate); the *gap* is the persons still to be served to
  reach the target, ``ceil(target x denominator) - numerator`` (0 when at target).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from dashboard.data.overview import Headline
from dashboard.i18n import indicator_name, lang_of, number
from dashboard.story.model import View
from etl import store
from etl.records import INDICATOR_BY_FLAG, INDICATORS
from geodata.regions import RegionConfig
from geodata.romanize import unit_names_en

DEFAULT_INDICATOR = "cert_verified"


@dataclass(frozen=True)
class Scope:
    """The counties a slide speaks of, and their name."""

    code: str
    name_zh: str
    name_en: str
    county_codes: frozenset[str]

    def name(self, lang: str) -> str:
        return self.name_zh if lang_of(lang) == "zh" else self.name_en


@dataclass(frozen=True)
class Figures:
    """A scope's numbers in one period: inflow persons and every indicator against its target."""

    scope: Scope
    period: str
    inflow: int
    indicators: tuple[Headline, ...]

    def indicator(self, flag: str) -> Headline:
        return next(h for h in self.indicators if h.flag == flag)

    def weakest(self) -> Headline | None:
        """The indicator furthest below its target (rate - target lowest); None without data."""
        rows = [h for h in self.indicators if h.denominator > 0]
        return min(rows, key=lambda h: h.rate - h.target) if rows else None


def scope_of(engine: sa.Engine, view: View, regions: RegionConfig) -> Scope:
    """The scope of a view: its area, else its region, else the nation."""
    units = store.read_units(engine)
    if view.area:
        mask = (
            (units["county_code"] == view.area)
            | (units["prefecture_code"] == view.area)
            | (units["province_code"] == view.area)
        )
        pilot = next((p for p in regions.pilots if p.code == view.area), None)
        if pilot:
            zh, en = pilot.name_zh, pilot.name_en
        else:
            names = dict(zip(units["county_code"], units["county_name"], strict=True))
            names.update(zip(units["prefecture_code"], units["prefecture_name"], strict=True))
            names.update(zip(units["province_code"], units["province_name"], strict=True))
            zh = names.get(view.area, view.area)
            en = unit_names_en(units).get(view.area) or zh
        return Scope(view.area, zh, en, frozenset(units.loc[mask, "county_code"]))
    if view.region in {r.code for r in regions.regions}:  # a removed region: national
        region = regions.region(view.region)
        mask = units["province_code"].isin(region.province_codes)
        return Scope(
            region.code, region.name_zh, region.name_en, frozenset(units.loc[mask, "county_code"])
        )
    return Scope("", "全国", "China", frozenset(units["county_code"]))


def latest_period(engine: sa.Engine) -> str:
    found = store.periods(engine)
    return found[-1] if found else ""


def inflow_persons(engine: sa.Engine, counties: frozenset[str], period: str) -> int:
    """Persons living in ``counties`` whose registration county is outside them (see module)."""
    f = store.flows
    query = sa.select(f.c.hukou_code, f.c.residence_code, f.c.persons_all).where(
        f.c.period == period, sa.not_(f.c.is_diagonal)
    )
    with engine.connect() as conn:
        data = pd.read_sql_query(query, conn)
    inside = data["residence_code"].isin(counties) & ~data["hukou_code"].isin(counties)
    if data["hukou_code"].isin(counties).all():  # the nation: no outside, every mover counts
        inside = data["residence_code"].isin(counties)
    return int(data.loc[inside, "persons_all"].sum())


def indicator_counts(
    engine: sa.Engine, counties: frozenset[str], period: str
) -> tuple[Headline, ...]:
    """Every indicator's summed numerator and denominator over ``counties`` on its side."""
    c = store.coverage
    query = sa.select(
        c.c.county_code, c.c.side, c.c.indicator, c.c.numerator, c.c.denominator
    ).where(c.c.period == period)
    with engine.connect() as conn:
        data = pd.read_sql_query(query, conn)
    data = data[data["county_code"].isin(counties)]
    sums = data.groupby(["indicator", "side"])[["numerator", "denominator"]].sum()
    rows = []
    for indicator in INDICATORS:
        key = (indicator.flag, indicator.side)
        num, den = (int(v) for v in sums.loc[key]) if key in sums.index else (0, 0)
        rows.append(Headline(indicator.flag, num, den, indicator.target))
    return tuple(rows)


def figures(engine: sa.Engine, view: View, regions: RegionConfig) -> Figures:
    scope = scope_of(engine, view, regions)
    period = view.period or latest_period(engine)
    return Figures(
        scope,
        period,
        inflow_persons(engine, scope.county_codes, period),
        indicator_counts(engine, scope.county_codes, period),
    )


def units_at_target(
    engine: sa.Engine, counties: frozenset[str], period: str, flag: str, level: str = "prefecture"
) -> tuple[int, int]:
    """(units at or above target, units with data) among the scope's units at ``level``."""
    data = store.read_coverage(engine, period=period, indicator=flag, level="county")
    indicator = INDICATOR_BY_FLAG[flag]
    data = data[(data["side"] == indicator.side) & data["county_code"].isin(counties)]
    if level != "county":
        units = store.read_units(engine)[["county_code", f"{level}_code"]]
        data = (
            data.merge(units, on="county_code")
            .groupby(f"{level}_code")[["numerator", "denominator"]]
            .sum()
        )
    data = data[data["denominator"] > 0]
    at = int((data["numerator"] / data["denominator"] >= indicator.target - 1e-12).sum())
    return at, len(data)


def persons(n: int, lang: str) -> str:
    """A count of persons: "1,234.5 万人" / "2,997 人" in Chinese, "2,997" in English."""
    if lang_of(lang) == "zh":
        text = number(n, "zh", "人")
        return text if "万" in text else f"{number(n, 'zh')} 人"
    return number(n, "en")


def sentence(fig: Figures, flag: str, lang: str) -> str:
    """E.g. "泛长三角流入人口 1,234.5 万人，婚育证明验证率 96.1%，距 98% 目标差 23.5 万人"."""
    lang = lang_of(lang)
    row = fig.indicator(flag)
    name = indicator_name(flag, lang)
    target = f"{row.target:.0%}"
    if lang == "zh":
        noun = "跨县流动人口" if fig.scope.code == "" else "流入人口"
        parts = [f"{fig.scope.name('zh')}{noun} {persons(fig.inflow, 'zh')}"]
        if row.denominator == 0:
            parts.append(f"{name}无数据")
        elif row.gap_people == 0:
            parts.append(f"{name} {row.rate:.1%}，已达到 {target} 目标")
        else:
            parts.append(
                f"{name} {row.rate:.1%}，距 {target} 目标差 {persons(row.gap_people, 'zh')}"
            )
        return "，".join(parts) + "。"
    noun = "between-county movers" if fig.scope.code == "" else "inflow"
    text = f"{fig.scope.name('en')}: {noun} {number(fig.inflow, 'en')} persons; {name.lower()} "
    if row.denominator == 0:
        return text + "has no data."
    if row.gap_people == 0:
        return text + f"{row.rate:.1%}, at the {target} target."
    return (
        text
        + f"{row.rate:.1%}, {number(row.gap_people, 'en')} persons short of the {target} target."
    )


def narrative(
    engine: sa.Engine, view: View, regions: RegionConfig, lang: str, fig: Figures | None = None
) -> list[str]:
    """The slide's narrative: one or two sentences from the data, in ``lang`` (``fig``: the view's
    figures if already read)."""
    fig = fig or figures(engine, view, regions)
    flag = view.measure if view.measure in INDICATOR_BY_FLAG else DEFAULT_INDICATOR
    lines = [sentence(fig, flag, lang)]
    if view.page == "overview" and view.level in ("prefecture", "county"):
        at, total = units_at_target(engine, fig.scope.county_codes, fig.period, flag, view.level)
        if total:
            if lang_of(lang) == "zh":
                unit = "地市" if view.level == "prefecture" else "县区"
                lines.append(f"{total} 个{unit}中 {at} 个达到目标（{fig.period}）。")
            else:
                unit = "prefectures" if view.level == "prefecture" else "counties"
                lines.append(f"{at} of {total} {unit} at target ({fig.period}).")
    return lines
