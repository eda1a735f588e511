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
from dashboard.formatting import count
from dashboard.geometry_route import geometry_url
from dashboard.i18n import N_, _, colon, current_language, in_brackets, join, pgettext, t
from dashboard.security import inputs

GRAPH_CONFIG: Any = {
    **theme.GRAPH_CONFIG,
    "displayModeBar": False,
    "doubleClick": False,
    "responsive": True,
}
LINES_CONFIG: Any = {**GRAPH_CONFIG, "staticPlot": True}
LONG_NAME = 8  # characters: longer region names slant above the matrix and need room
LEVEL_UNITS = {
    "province": N_("provinces"),
    "prefecture": N_("prefectures"),
    "county": N_("counties"),
}
DIRECTION_TITLES = {
    "inflow": N_("inflow"),
    "outflow": N_("outflow"),
    "both": N_("inflow and outflow"),
    "net": N_("net flows"),
}


def base_figure(level: str, regions: tuple[str, ...]) -> dict:
    """The clickable region-coloured polygons of ``level``."""
    codes = list(data.unit_codes(level))
    member = data.province_regions()
    fills = region_fills(data.region_codes() + (data.OTHER_REGION,))
    return base_map(
        codes,
        region_categories(codes, member, regions),
        unit_hover(codes, level),
        fills,
        **context.current().national_frame(level),
    )


def unit_hover(codes: list[str], level: str) -> list[str]:
    names = geo.unit_names(current_language())
    member = data.province_regions()
    region_name = data.region_names(current_language())
    hint = _("Click to focus its flows")
    label = pgettext("the regions a place belongs to", "Region")
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
            _("In none of the four regions")
            if regions == (data.OTHER_REGION,)
            else join(region_name[r] for r in regions)
        )
        out.append(f"<b>{title}</b>{in_brackets(code)}<br>{label}{colon()}{where}<br><i>{hint}</i>")
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


def matrix_figure(query: data.FlowQuery) -> dict:
    names = data.region_names(current_language())
    return region_matrix_figure(
        data.region_matrix(query.period, query.cohort, query.start),
        names,
        selected=query.regions,
        threshold=data.small_cell_threshold(),
        fmt=count,
        height=300 if max(map(len, names.values())) <= LONG_NAME else 340,  # long names slant
        labels={
            "origin": _("From (registration)"),
            "destination": _("To (residence)"),
            "within": _("within"),
            "hover": _("{origin} → {destination}<br>{value} persons"),
        },
    )


def map_title(view: data.FlowView) -> list:
    q = view.query
    if q.target:
        from dashboard.pages.flows.compare import comparison_words

        title = _("Change {sides} · {cohort} · between {level} · {direction}").format(
            sides=comparison_words(q),
            cohort=t(f"cohort_{q.cohort}"),
            level=_(LEVEL_UNITS[q.level]),
            direction=_(DIRECTION_TITLES[q.direction]),
        )
    else:
        title = _("{period} · {cohort} · between {level} · {direction}").format(
            period=f"{q.start} – {q.period}" if q.start else q.period,
            cohort=t(f"cohort_{q.cohort}"),
            level=_(LEVEL_UNITS[q.level]),
            direction=_(DIRECTION_TITLES[q.direction]),
        )
    n_lines = view.n_selected if view.n_lines is None else view.n_lines
    shown = (
        _("showing the {shown} largest of {n} changes")
        if q.target
        else _("showing the top {shown} of {n} flows")
    ).format(shown=count(len(view.flows)), n=count(n_lines))
    if view.between_prefectures:
        shown += " · " + _("lines between prefectures; focus a place for all its flows")
    if q.focus:
        scope = _("Focus: {name} ({code}) with all of China").format(
            name=geo.unit_name(q.focus, current_language()), code=q.focus
        )
    elif q.place_unused:
        scope = _(
            "The focus {name} is coarser than this level: click one of the {level} on the map; "
            "meanwhile the selected regions: {names}"
        ).format(
            name=geo.unit_name(q.place or "", current_language()),
            level=_(LEVEL_UNITS[q.level]),
            names=join(data.region_names(current_language())[r] for r in q.regions),
        )
    else:
        names = data.region_names(current_language())
        scope = _("Selected regions: {names}").format(names=join(names[r] for r in q.regions))
    return [
        html.Span(title, className="yp-flows-title-main"),
        html.Span(f"{scope} · {shown}", className="yp-flows-title-sub"),
    ]


def query_of(
    regions, level, direction, cohort, period, top, focus, start=None, compare=None
) -> data.FlowQuery:
    """The query of the controls' values (validated like a URL: an unknown value falls back to
    the default; a value of the wrong type is InvalidInput)."""
    if top is not None and (isinstance(top, bool) or not isinstance(top, int | str)):
        raise inputs.InvalidInput("top is not a number")
    return data.parse_query(
        {
            "regions": ",".join(inputs.texts(regions, "regions")),
            "level": inputs.text(level, "level"),
            "direction": inputs.text(direction, "direction"),
            "cohort": inputs.text(cohort, "cohort"),
            "period": inputs.text(period, "period"),
            "top": str(top),
            "focus": inputs.text(focus, "focus"),
            "start": inputs.text(start, "start"),
            "compare": inputs.text(compare, "compare"),
        }
    )


def search_of(query: data.FlowQuery) -> str:
    return "?" + urlencode({**data.query_params(query), "lang": current_language()})


# --- page parts ---------------------------------------------------------------------------------
