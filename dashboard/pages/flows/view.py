"""The flows page's figures and their text: the clickable base map, the flow lines, the region
matrix, the map's title; the query of the controls and of the URL.

Plain functions of a ``dashboard.data.flows.FlowQuery`` / ``FlowView`` and the language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import html

from dashboard import context, theme
from dashboard.data import flows as data
from dashboard.data import geo
from dashboard.figures.flow_map import (
    WidthClasses,
    base_map,
    flow_lines,
    region_categories,
    region_fills,
    width_classes,
)
from dashboard.figures.flow_matrix import region_matrix_figure
from dashboard.geometry_route import geometry_url
from dashboard.i18n import t, text
from dashboard.pages.flows.strings import STRINGS

GRAPH_CONFIG: Any = {
    **theme.GRAPH_CONFIG,
    "displayModeBar": False,
    "doubleClick": False,
    "responsive": True,
}
LINES_CONFIG: Any = {**GRAPH_CONFIG, "staticPlot": True}


def base_figure(level: str, regions: tuple[str, ...], lang: str) -> dict:
    """The clickable region-coloured polygons of ``level``."""
    codes = list(data.unit_codes(level))
    member = data.province_regions()
    fills = region_fills(data.region_codes() + (data.OTHER_REGION,))
    return base_map(
        codes,
        region_categories(codes, member, regions),
        unit_hover(codes, level, lang),
        fills,
        **context.current().national_frame(level, lang),
    )


def unit_hover(codes: list[str], level: str, lang: str) -> list[str]:
    names = geo.unit_names(lang)
    member = data.province_regions()
    region_name = data.region_names(lang)
    hint = text(STRINGS, "click_unit", lang)
    label = text(STRINGS, "regions_of", lang)
    out = []
    for code in codes:
        province = code[:2] + "0000"
        title = (
            names.get(code, code)
            if level == "province"
            else f"{names.get(province, '')} {names.get(code, code)}"
        )
        regions = member.get(province, ())
        where = (
            text(STRINGS, "no_region", lang)
            if regions == (data.OTHER_REGION,)
            else _join((region_name[r] for r in regions), lang)
        )
        out.append(
            f"<b>{title}</b>{_code(code, lang)}<br>{label}{_colon(lang)}{where}<br><i>{hint}</i>"
        )
    return out


def view_classes(view: data.FlowView) -> WidthClasses:
    flows = view.flows
    return width_classes(flows.loc[~flows["small_cell"].astype(bool), "persons"].to_numpy())


def lines_figure(view: data.FlowView) -> dict:
    """The transparent lines graph of a view (with the focus outline)."""
    level = view.query.level
    return flow_lines(
        view.flows,
        data.unit_points(level),
        view_classes(view),
        focus=view.query.focus,
        geojson_url=geometry_url(context.current().layers, f"{level}_national"),
    )


def matrix_figure(query: data.FlowQuery, lang: str) -> dict:
    return region_matrix_figure(
        data.region_matrix(query.period, query.cohort),
        data.region_names(lang),
        selected=query.regions,
        threshold=data.small_cell_threshold(),
        fmt=lambda v: f"{v:,.0f}",
        height=340 if lang == "en" else 300,  # slanted Latin names take room above
        labels={
            "origin": text(STRINGS, "matrix_origin", lang),
            "destination": text(STRINGS, "matrix_destination", lang),
            "within": text(STRINGS, "matrix_within", lang),
            "hover": text(STRINGS, "matrix_hover", lang),
        },
    )


def map_title(view: data.FlowView, lang: str) -> list:
    q = view.query
    title = text(STRINGS, "map_title", lang).format(
        period=q.period,
        cohort=t(f"cohort_{q.cohort}", lang),
        level=text(STRINGS, f"level_unit_{q.level}", lang),
        direction=text(STRINGS, f"title_{q.direction}", lang),
    )
    shown = text(STRINGS, "shown", lang).format(
        shown=f"{len(view.flows):,}", n=f"{view.n_selected:,}"
    )
    if q.focus:
        scope = text(STRINGS, "focus_of", lang).format(
            name=geo.unit_name(q.focus, lang), code=q.focus
        )
    else:
        names = data.region_names(lang)
        scope = text(STRINGS, "selection_of", lang).format(
            names=_join((names[r] for r in q.regions), lang)
        )
    return [
        html.Span(title, className="yp-flows-title-main"),
        html.Span(f"{scope} · {shown}", className="yp-flows-title-sub"),
    ]


def _join(names, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(names)


def _code(code: str, lang: str) -> str:
    """`` (code)`` in the language's own brackets."""
    return f"（{code}）" if lang == "zh" else f" ({code})"


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def query_of(regions, level, direction, cohort, period, top, focus) -> data.FlowQuery:
    """The query of the controls' values (validated like a URL)."""
    return data.parse_query(
        {
            "regions": ",".join(regions or ()),
            "level": level,
            "direction": direction,
            "cohort": cohort,
            "period": period,
            "top": str(top),
            "focus": focus,
        }
    )


def search_of(query: data.FlowQuery, lang: str) -> str:
    return "?" + urlencode({**data.query_params(query), "lang": lang})


def clicked_code(click: dict | None) -> str | None:
    points = (click or {}).get("points") or []
    return points[0].get("customdata") if points else None


# --- page parts ---------------------------------------------------------------------------------
