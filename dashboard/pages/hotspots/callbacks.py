"""The hot spots page's callbacks: any control change redraws the three maps, the legends and the
Moran card and writes the view into the URL; the measure decides which rates can be chosen. The
downloads are the menus under the maps (``dashboard.export.hotspots.HotspotFiles``)."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback

from analytics.classes import SCHEMES
from dashboard import ids
from dashboard.data.hotspots import LEVELS, VARIABLES
from dashboard.data.overview import MEASURES
from dashboard.data.store import periods
from dashboard.export.menu import register
from dashboard.i18n import lang_of_search, use_language
from dashboard.pages.hotspots.layout import MENUS, page_view
from dashboard.pages.hotspots.view import (
    OPTIONS,
    HotspotView,
    maps,
    variable_options,
)
from dashboard.security import inputs

CONTROLS = (
    ids.HOTSPOTS_MEASURE, ids.HOTSPOTS_LEVEL, ids.HOTSPOTS_PERIOD, ids.HOTSPOTS_VARIABLE,
    ids.HOTSPOTS_SCHEME, ids.HOTSPOTS_BREAKS, ids.HOTSPOTS_OPTIONS,
)  # fmt: skip
PROPS = ("value",) * len(CONTROLS)


def view_of(measure, level, period, variable, scheme, breaks, options) -> HotspotView:
    """The view of the controls' values; a value the page cannot offer is a 400
    (``InvalidInput``)."""
    chosen = options if isinstance(options, list) else []
    if not all(isinstance(o, str) and o in OPTIONS for o in chosen):
        raise inputs.InvalidInput("unknown option")
    return HotspotView(
        measure=inputs.choice(measure, MEASURES, "measure"),
        level=inputs.choice(level, LEVELS, "level"),
        period=inputs.choice(period, periods(), "period"),
        variable=inputs.choice(variable, VARIABLES, "rate"),
        scheme=inputs.choice(scheme, SCHEMES, "classification"),
        breaks=inputs.text(breaks, "breaks")[:200],
        fdr="fdr" in chosen,
        shade="shade" in chosen,
    )


@callback(
    Output(ids.HOTSPOTS_VALUE_MAP, "figure"),
    Output(ids.HOTSPOTS_VALUE_LEGEND, "children"),
    Output(ids.HOTSPOTS_VALUE_TITLE, "children"),
    Output(ids.HOTSPOTS_CLUSTER_MAP, "figure"),
    Output(ids.HOTSPOTS_CLUSTER_LEGEND, "children"),
    Output(ids.HOTSPOTS_SIGNIFICANCE_MAP, "figure"),
    Output(ids.HOTSPOTS_SIGNIFICANCE_LEGEND, "children"),
    Output(ids.HOTSPOTS_SUMMARY, "children"),
    Output(ids.HOTSPOTS_PROBLEM, "children"),
    Output(ids.HOTSPOTS_QUERY, "data"),
    *[Input(c, p) for c, p in zip(CONTROLS, PROPS, strict=True)],
    State(ids.HOTSPOTS_URL, "search"),
    prevent_initial_call=True,
)
def update(measure, level, period, variable, scheme, breaks, options, search):
    lang = use_language(lang_of_search(search))
    view = view_of(measure, level, period, variable, scheme, breaks, options)
    shown = maps(view)
    return (
        shown.value, shown.value_legend, shown.value_title, shown.cluster, shown.cluster_legend,
        shown.significance, shown.significance_legend, shown.summary, shown.problem,
        "?" + urlencode(view.query(lang)),
    )  # fmt: skip


@callback(
    Output(ids.HOTSPOTS_VARIABLE, "options"),
    Input(ids.HOTSPOTS_MEASURE, "value"),
    State(ids.HOTSPOTS_URL, "search"),
    prevent_initial_call=True,
)
def rates_of(measure, search):
    use_language(lang_of_search(search))
    return variable_options(inputs.choice(measure, MEASURES, "measure"))




clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="replaceQuery"),
    Output(ids.HOTSPOTS_QUERY, "data", allow_duplicate=True),
    Input(ids.HOTSPOTS_QUERY, "data"),
    prevent_initial_call=True,
)


def _register_menus() -> None:
    """The download menu under each map: its print map and the analysis, as on screen."""
    controls = [(c, p) for c, p in zip(CONTROLS, PROPS, strict=True)]
    controls.append((ids.HOTSPOTS_URL, "search"))
    for which, page in MENUS.items():

        def to_view(*values, which=which):
            *chosen, search = values
            return page_view(view_of(*chosen), lang_of_search(search), which)

        register(page, controls, to_view, narrative=which == "value")


_register_menus()
