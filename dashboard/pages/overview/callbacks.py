"""The overview's callbacks: a change of measure, level or period sends a new payload, legend and
headlines; play advances the period; a click on a unit opens its drill-down."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
)
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.data.overview import LEVELS
from dashboard.data.store import periods
from dashboard.export.menu import register
from dashboard.i18n import lang_of_search, use_language
from dashboard.pages.overview import compare
from dashboard.pages.overview.layout import DEFAULT_LEVEL, chosen_view, figure, page_view
from dashboard.pages.overview.view import headline_cards, legend, map_payload
from dashboard.security import inputs


@callback(
    Output(ids.OVERVIEW_VALUES, "data"),
    Output(ids.OVERVIEW_LEGEND, "children"),
    Output(ids.OVERVIEW_HEADLINES, "children"),
    Output(ids.OVERVIEW_PERIOD_LABEL, "children"),
    Output(ids.OVERVIEW_QUERY, "data"),
    Output(ids.OVERVIEW_SPANS, "style"),
    Input(ids.OVERVIEW_MEASURE, "value"),
    Input(ids.OVERVIEW_LEVEL, "value"),
    Input(ids.OVERVIEW_PERIOD, "value"),
    Input(ids.OVERVIEW_MODE, "value"),
    Input(ids.OVERVIEW_BEFORE, "value"),
    Input(ids.OVERVIEW_AFTER, "value"),
    Input(ids.OVERVIEW_SECOND, "value"),
    Input(ids.OVERVIEW_AREAS, "value"),
    State(ids.OVERVIEW_URL, "search"),
    prevent_initial_call=True,
)
def update_view(
    measure: str,
    level: str,
    index: int,
    mode: str = "map",
    before: str | None = None,
    after: str | None = None,
    second: str | None = None,
    areas: list | None = None,
    search: str | None = None,
):
    lang = use_language(lang_of_search(search))
    if not periods():
        raise PreventUpdate
    measure, level, period = chosen_view(measure, level, index)
    mode, before, after = compare.chosen_compare(mode, before, after)
    second, chosen_areas = compare.chosen_extra(mode, second, areas, level)
    state = {"measure": measure, "level": level, "period": period}
    state |= compare.url_state(mode, before, after, second, chosen_areas)
    if mode == "compare":
        values = compare.compare_payload(measure, level, before, after)
        shown_legend = compare.compare_legend(measure, level, before, after)
    else:
        values, shown_legend = map_payload(measure, level, period), legend(measure, level, period)
    query = "?" + urlencode({**state, "lang": lang})
    return (
        values,
        shown_legend,
        headline_cards(period),
        period,
        query,
        compare.pickers_style(mode),
    )


@callback(
    Output(ids.OVERVIEW_BODY, "className"),
    Output(ids.OVERVIEW_SIDE, "style"),
    Output(ids.OVERVIEW_SPLIT_BOX, "style"),
    Output(ids.OVERVIEW_TREND_BOX, "style"),
    Output(ids.OVERVIEW_SECOND_BOX, "style"),
    Output(ids.OVERVIEW_AREAS_BOX, "style"),
    Output(ids.OVERVIEW_AREAS, "options"),
    Output(ids.OVERVIEW_VALUES2, "data"),
    Output(ids.OVERVIEW_LEGEND2, "children"),
    Output(ids.OVERVIEW_MAP2, "figure"),
    Output(ids.OVERVIEW_TREND, "figure"),
    Input(ids.OVERVIEW_MODE, "value"),
    Input(ids.OVERVIEW_MEASURE, "value"),
    Input(ids.OVERVIEW_LEVEL, "value"),
    Input(ids.OVERVIEW_PERIOD, "value"),
    Input(ids.OVERVIEW_SECOND, "value"),
    Input(ids.OVERVIEW_AREAS, "value"),
    State(ids.OVERVIEW_URL, "search"),
    prevent_initial_call=True,
)
def update_side(
    mode: str,
    measure: str,
    level: str,
    index: int,
    second: str | None = None,
    areas: list | None = None,
    search: str | None = None,
):
    """The trend and split modes: the second map (its figure anew on a change of level) or the
    year-over-year lines, and which pickers show."""
    use_language(lang_of_search(search))
    if not periods():
        raise PreventUpdate
    measure, level, period = chosen_view(measure, level, index)
    mode, _before, _after = compare.chosen_compare(mode, None, None)
    second, chosen_areas = compare.chosen_extra(mode, second, areas, level)
    split, trend = mode == "split", mode == "trend"
    level_changed = ctx.triggered_id == ids.OVERVIEW_LEVEL
    return (
        compare.body_class(mode),
        compare.shown_if(split or trend),
        compare.shown_if(split),
        compare.shown_if(trend),
        compare.shown_if(split),
        compare.shown_if(trend),
        compare.area_options(level) if level_changed else dash.no_update,
        map_payload(second, level, period) if split else dash.no_update,
        legend(second, level, period) if split else dash.no_update,
        compare.second_figure(level) if level_changed else dash.no_update,
        compare.trend_figure(measure, level, chosen_areas) if trend else dash.no_update,
    )


@callback(
    Output(ids.OVERVIEW_MAP, "figure"),
    Input(ids.OVERVIEW_LEVEL, "value"),
    State(ids.OVERVIEW_URL, "search"),
    prevent_initial_call=True,
)
def change_level(level: str, search: str | None):
    use_language(lang_of_search(search))
    return figure(level if level in LEVELS else DEFAULT_LEVEL)


@callback(
    Output(ids.OVERVIEW_TICK, "disabled"),
    Output(ids.OVERVIEW_PLAY, "children"),
    Input(ids.OVERVIEW_PLAY, "n_clicks"),
    prevent_initial_call=True,
)
def toggle_play(n_clicks: int):
    playing = (n_clicks or 0) % 2 == 1
    return not playing, "■" if playing else "▶"


@callback(
    Output(ids.OVERVIEW_PERIOD, "value"),
    Input(ids.OVERVIEW_TICK, "n_intervals"),
    State(ids.OVERVIEW_PERIOD, "value"),
    prevent_initial_call=True,
)
def advance(_n: int, index: int):
    available = periods()
    if not available:
        raise PreventUpdate
    _, _, period = chosen_view(None, None, index)
    return (available.index(period) + 1) % len(available)


@callback(
    Output(ids.OVERVIEW_URL, "href"),
    Input(ids.OVERVIEW_MAP, "clickData"),
    State(ids.OVERVIEW_URL, "search"),
    prevent_initial_call=True,
)
def open_area(click: dict | None, search: str | None):
    code = inputs.clicked_code(click)
    if not code:
        return dash.no_update
    return f"/area/{code}?lang={lang_of_search(search)}"


register(
    "overview",
    [
        (ids.OVERVIEW_MEASURE, "value"),
        (ids.OVERVIEW_LEVEL, "value"),
        (ids.OVERVIEW_PERIOD, "value"),
        (ids.OVERVIEW_MODE, "value"),
        (ids.OVERVIEW_URL, "search"),
        (ids.OVERVIEW_BEFORE, "value"),
        (ids.OVERVIEW_AFTER, "value"),
        (ids.OVERVIEW_SECOND, "value"),
        (ids.OVERVIEW_AREAS, "value"),
    ],
    lambda measure, level, index, mode, search, before, after, second, areas: page_view(
        measure, level, index, lang_of_search(search), mode, before, after, second, areas
    ),
)


clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="paintMap"),
    Output(ids.OVERVIEW_PAINTED, "data"),
    Input(ids.OVERVIEW_VALUES, "data"),
    State(ids.OVERVIEW_MAP, "id"),
)

clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="paintMap"),
    Output(ids.OVERVIEW_PAINTED2, "data"),
    Input(ids.OVERVIEW_VALUES2, "data"),
    State(ids.OVERVIEW_MAP2, "id"),
)

clientside_callback(  # the split view's maps share one view
    ClientsideFunction(namespace="yipanqiCompare", function_name="follow"),
    Output(ids.OVERVIEW_SYNC, "data"),
    Input(ids.OVERVIEW_MAP, "relayoutData"),
    State(ids.OVERVIEW_MAP2, "id"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="yipanqiCompare", function_name="follow"),
    Output(ids.OVERVIEW_SYNC, "data", allow_duplicate=True),
    Input(ids.OVERVIEW_MAP2, "relayoutData"),
    State(ids.OVERVIEW_MAP, "id"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="replaceQuery"),
    Output(ids.OVERVIEW_QUERY, "data", allow_duplicate=True),
    Input(ids.OVERVIEW_QUERY, "data"),
    prevent_initial_call=True,
)
