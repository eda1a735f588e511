"""The narrative of a slide, written from the store's marts for the slide's place and period.

Definitions (also in ``docs/presentation.md``):

- *place* (the slide's scope in ``docs/presentation.md``): the set of counties a slide speaks of:
  the counties of the collaboration region's member provinces, or of an area (a county,
  prefecture or province code), or every county (national). Only counties inside the reader's
  scope (``etl.scope``, passed to every read) are ever read.
- *inflow* of a place: floating persons (cohort ``all``) whose residence county is in the place
  and whose registration (hukou) county is outside it, from anywhere (also from outside the
  reader's scope: the same figure as the overview and the area page show). For a region that is
  the number of people who came from outside the region; moves inside the region (and the
  intra-county diagonal) are not counted. For the nation (no outside) it is every between-county
  mover (跨县流动人口).
- an indicator's *rate* in a place: the sum of its numerators over the place's counties per person
  of the sum of its denominators (on the indicator's side: residence for inflow indicators,
  registration for the certificate issuance rate); rate, gap and "at target" are those of
  ``etl.indicators`` (``dashboard.data.overview.Headline``).
- *withheld*: a slide's figure whose count is a small cell (above 0 and under the store's
  threshold: the inflow persons, or an indicator's denominator) goes through the one suppression
  path (``etl.disclosure.suppress``) and is never quoted: the narrative says it is not shown, the
  table shows the suppressed marker, and a prefecture or county whose denominator is a small cell
  counts neither as at target nor among the units with data (the overview shows it suppressed).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from dashboard import formatting
from dashboard.data.overview import Headline, headline_rows
from dashboard.i18n import LANGS, N_, _, indicator_name, language, pick
from dashboard.story.model import View
from etl import alerts, indicators, marts, targets
from etl.disclosure import SUPPRESSED, suppress
from etl.indicators import INDICATOR_BY_FLAG
from etl.scope import Scope
from geodata.areas import unit_name
from geodata.regions import RegionConfig
from geodata.romanize import unit_names_en

DEFAULT_INDICATOR = "cert_verified"
NATION_NAME = N_("China")
ALERTS_LINE = N_("{n} alerts in {period} ({high} high); the most severe: {reason}")
NO_ALERTS_LINE = N_("No alerts in {period}.")
UNITS_AT_TARGET = {
    "prefecture": N_("{at} of {total} prefectures at target ({period})."),
    "county": N_("{at} of {total} counties at target ({period})."),
}


@dataclass(frozen=True)
class Place:
    """The counties a slide speaks of, and their name."""

    code: str
    name_zh: str
    name_en: str
    county_codes: frozenset[str]

    def name(self, lang: str) -> str:
        with language(lang):
            return pick(self.name_zh, self.name_en)


@dataclass(frozen=True)
class Figures:
    """A place's published numbers in one period: inflow persons (None: withheld) and every
    indicator against its target but those withheld (``withheld``: their flags; see module)."""

    scope: Place
    period: str
    inflow: int | None
    indicators: tuple[Headline, ...]
    withheld: tuple[str, ...] = ()

    def indicator(self, flag: str) -> Headline | None:
        """The indicator ``flag``; None when it is withheld."""
        return next((h for h in self.indicators if h.flag == flag), None)

    def weakest(self) -> Headline | None:
        """The published indicator furthest below its target (rate - target lowest); None
        without data."""
        rows = [h for h in self.indicators if h.denominator > 0]
        return min(rows, key=lambda h: h.rate - h.target) if rows else None


def scope_of(engine: Engine, view: View, regions: RegionConfig, *, scope: Scope) -> Place:
    """The place of a view: its area, else its region, else the nation (the counties of each
    inside the reader's ``scope``)."""
    units = marts.read_units(engine, scope=scope)
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
        return Place(view.area, zh, en, frozenset(units.loc[mask, "county_code"]))
    if view.region in {r.code for r in regions.regions}:  # a removed region: national
        region = regions.region(view.region)
        mask = units["province_code"].isin(region.province_codes)
        return Place(
            region.code, region.name_zh, region.name_en, frozenset(units.loc[mask, "county_code"])
        )
    zh, en = (_in(lang, NATION_NAME) for lang in LANGS)
    return Place("", zh, en, frozenset(units["county_code"]))


def _in(lang: str, message: str) -> str:
    with language(lang):
        return _(message)


def latest_period(engine: Engine, *, scope: Scope) -> str:
    found = marts.periods(engine, scope=scope)
    return found[-1] if found else ""


def inflow_persons(engine: Engine, place: Place, period: str, *, scope: Scope) -> int:
    """Persons living in the place and registered outside it (see module), read at the place's
    own level: a unit's from the unit flows, a region's from the province flows, the nation's
    every between-county mover. So an origin outside the reader's scope counts, as on the
    overview and the area page (the reader sees the place's total, not where it came from)."""
    units = marts.read_units(engine, scope=scope)
    counties = place.county_codes
    if scope.is_nation and counties >= set(units["county_code"]):
        totals = marts.read_period_totals(engine, scope=scope)
        return int(totals.loc[totals["period"] == period, "between"].sum())
    inside = units[units["county_code"].isin(counties)]
    for level in marts.UNIT_FLOW_LEVELS:
        codes = set(inside[f"{level}_code"])
        if len(codes) == 1 and set(
            units.loc[units[f"{level}_code"].isin(codes), "county_code"]
        ) == set(counties):
            data = marts.read_unit_flows(engine, level, codes.pop(), scope=scope, period=period)
            return int(data["inflow"].sum())
    members = set(inside["province_code"])  # a region: its member provinces
    flows = marts.read_pairs(engine, period, "all", "province", scope=scope)
    into = flows["destination_code"].isin(members) & ~flows["origin_code"].isin(members)
    return int(flows.loc[into, "persons"].sum())


def indicator_counts(
    engine: Engine, counties: frozenset[str], period: str, *, scope: Scope
) -> tuple[Headline, ...]:
    """Every indicator's summed numerator and denominator over ``counties`` on its side."""
    return headline_rows(
        marts.coverage_sums(engine, period, scope=scope, counties=counties), period
    )


INFLOW = "inflow"


def figures(engine: Engine, view: View, regions: RegionConfig, *, scope: Scope) -> Figures:
    """The place's figures of the view's period, small cells withheld (``published``)."""
    place = scope_of(engine, view, regions, scope=scope)
    period = view.period or latest_period(engine, scope=scope)
    counts = indicator_counts(engine, place.county_codes, period, scope=scope)
    table = pd.DataFrame(
        {
            "measure": [INFLOW, *(h.flag for h in counts)],
            "numerator": [
                inflow_persons(engine, place, period, scope=scope),
                *(h.numerator for h in counts),
            ],
            "denominator": [0, *(h.denominator for h in counts)],
        }
    )
    table["count"] = table["denominator"].where(table["measure"] != INFLOW, table["numerator"])
    threshold = marts.small_cell_threshold(engine, scope=scope)
    also = withheld_on_pages(engine, place, period, scope)
    return published(place, period, table, threshold, also)


def withheld_on_pages(engine: Engine, place: Place, period: str, scope: Scope) -> frozenset[str]:
    """The indicators whose cell of ``place`` the pages withhold in ``period`` by the one rule of
    ``etl.marts.published`` (a sum beside it would give a withheld cell away); the place's own
    row: its unit's, a region's, or (code "") the reader's scope total."""
    table = marts.read_published_coverage(engine, scope=scope, period=period)
    if place.code:
        own = table["unit_code"] == place.code
    elif scope.is_nation:
        own = table["level"] == "nation"
    else:
        own = (table["level"] == scope.level) & (table["unit_code"] == scope.code)
    sides = table["indicator"].map({flag: i.side for flag, i in INDICATOR_BY_FLAG.items()})
    mine = table[own & (table["side"] == sides)]
    return frozenset(mine.loc[mine[SUPPRESSED], "indicator"])


def published(
    place: Place,
    period: str,
    table: pd.DataFrame,
    threshold: int,
    also: frozenset[str] = frozenset(),
) -> Figures:
    """Figures from ``table`` (``measure, numerator, denominator, count``: the inflow's persons,
    each indicator's sums) with every row whose ``count`` is a small cell suppressed, and the
    measures of ``also`` (withheld by the pages' rule, ``withheld_on_pages``)."""
    small = indicators.withheld(table["count"], threshold) | table["measure"].isin(also)
    shown = suppress(table, ["numerator", "denominator"], small)
    rows = shown.set_index("measure")
    kept = rows[~rows[SUPPRESSED]]
    inflow = int(kept.loc[INFLOW, "numerator"]) if INFLOW in kept.index else None
    heads = tuple(
        Headline(str(flag), int(row["numerator"]), int(row["denominator"]), period)
        for flag, row in kept.drop(index=INFLOW, errors="ignore").iterrows()
    )
    withheld = tuple(str(f) for f in rows.index[rows[SUPPRESSED]] if f != INFLOW)
    return Figures(place, period, inflow, heads, withheld)


def units_at_target(
    engine: Engine,
    counties: frozenset[str],
    period: str,
    flag: str,
    level: str = "prefecture",
    *,
    scope: Scope,
) -> tuple[int, int]:
    """(units at target, units with published data) among the place's units at ``level`` (those
    of ``counties``), by ``etl.indicators.at_target``; a unit the pages withhold
    (``etl.marts.published``) counts in neither."""
    indicator = INDICATOR_BY_FLAG[flag]
    table = marts.read_published_coverage(
        engine, flag, scope=scope, side=indicator.side, period=period
    )
    if level == "county":
        codes = set(counties)
    else:
        units = marts.read_units(engine, scope=scope)
        codes = set(units.loc[units["county_code"].isin(counties), f"{level}_code"])
    rows = table[(table["level"] == level) & table["unit_code"].isin(codes)]
    sums = rows[(rows["denominator"] > 0) & ~rows[SUPPRESSED]]
    at = indicators.at_target(
        sums["numerator"].astype("int64"),
        sums["denominator"].astype("int64"),
        targets.target_bp(flag, period),
    )
    return int(at.sum()), len(sums)


def sentence(fig: Figures, flag: str, lang: str) -> str:
    """E.g. "泛长三角流入人口 1,234.5万人，婚育证明验证率 96.1%，距 98% 目标差 23.5万人。"."""
    with language(lang):
        row = fig.indicator(flag)
        name = indicator_name(flag).lower()  # English mid-sentence; Chinese unchanged
        place = fig.scope.name(lang)
        nation = fig.scope.code == ""
        if fig.inflow is None:
            first = (
                _("{place}: between-county movers not shown (small cell)")
                if nation
                else _("{place}: inflow not shown (small cell)")
            ).format(place=place)
        else:
            inflow = formatting.persons(fig.inflow, compact_count=True)
            first = (
                _("{place}: between-county movers {persons}")
                if nation
                else _("{place}: inflow {persons}")
            ).format(place=place, persons=inflow)
        target = formatting.target_percent(targets.target(flag, fig.period))
        if row is None:
            second = _("{indicator} not shown (small cell)").format(indicator=name)
        elif row.denominator == 0:
            second = _("{indicator} has no data").format(indicator=name)
        elif row.at_target:
            second = _("{indicator} {rate}, at the {target} target").format(
                indicator=name, rate=formatting.rate(row.rate, row.target), target=target
            )
        else:
            second = _("{indicator} {rate}, {gap} short of the {target} target").format(
                indicator=name,
                rate=formatting.rate(row.rate, row.target),
                gap=formatting.persons(row.gap_people, compact_count=True),
                target=target,
            )
        return _("{first}; {second}.").format(first=first, second=second)


def narrative(
    engine: Engine,
    view: View,
    regions: RegionConfig,
    lang: str,
    fig: Figures | None = None,
    *,
    scope: Scope,
) -> list[str]:
    """The slide's narrative: one or two sentences from the data, in ``lang`` (``fig``: the view's
    figures if already read)."""
    fig = fig or figures(engine, view, regions, scope=scope)
    flag = view.measure if view.measure in INDICATOR_BY_FLAG else DEFAULT_INDICATOR
    lines = [sentence(fig, flag, lang)]
    if view.page == "overview" and view.level in ("prefecture", "county"):
        at, total = units_at_target(
            engine, fig.scope.county_codes, fig.period, flag, view.level, scope=scope
        )
        if total:
            line = _in(lang, UNITS_AT_TARGET[view.level])
            lines.append(line.format(at=at, total=total, period=fig.period))
    lines.append(alerts_line(engine, fig, lang, scope=scope))
    return lines


def alerts_line(engine: Engine, fig: Figures, lang: str, *, scope: Scope) -> str:
    """How many early-warning alerts the place has in the period (``etl.alerts``: its counties
    and the prefectures and provinces wholly inside it) and the most severe one's reason."""
    if not fig.period:
        return ""
    found = alerts.alerts_of_place(
        alerts.cached_alerts(engine, fig.period, scope=scope), fig.scope.county_codes
    )
    if found.empty:
        return _in(lang, NO_ALERTS_LINE).format(period=fig.period)
    first = found.iloc[0]  # most severe first
    reason = first["reason_zh"] if lang == "zh" else first["reason_en"]
    with language(lang):
        where = unit_name(first["unit_code"], lang)
    return _in(lang, ALERTS_LINE).format(
        n=f"{len(found):,}", period=fig.period, high=int((found["severity"] == "high").sum()),
        reason=f"{where}: {reason}" if lang == "en" else f"{where}{reason}",
    )  # fmt: skip


def map_narrative(
    engine: Engine,
    *,
    measure: str,
    level: str,
    period: str,
    place: str,
    regions: RegionConfig,
    lang: str,
    scope: Scope,
) -> list[str]:
    """The narrative of a map view (a page's map or its print export): the slide's narrative of
    the same measure, level and period, of ``place`` (a region, an area code, or "" the nation)."""
    region = place if place in {r.code for r in regions.regions} else ""
    area = "" if region else place
    view = View(
        page="area" if area else "overview",
        region=region,
        level=level,
        measure=measure,
        period=period,
        area=area,
    )
    return narrative(engine, view, regions, lang, scope=scope)
