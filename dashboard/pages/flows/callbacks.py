"""The flows page's callbacks: base map and legends on a change of level or regions; lines,
totals, title and table on any change; focus by click; the URL; the CSV download."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, html
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.data import flows as data
from dashboard.export.menu import register
from dashboard.i18n import use_language
from dashboard.pages.flows import PATH
from dashboard.pages.flows.layout import page_view
from dashboard.pages.flows.narrative import flow_sentences
from dashboard.pages.flows.table import csv_download, table_rows
from dashboard.pages.flows.timeplace import (
    chosen_circles,
    circle_trace,
    circles_legend,
    circles_search,
    next_period,
    place_options,
    with_circles,
)
from dashboard.pages.flows.totals import line_legend, region_legend, totals_panel
from dashboard.pages.flows.view import (
    base_figure,
    lines_figure,
    map_title,
    matrix_figure,
    query_of,
    search_of,
)
from dashboard.security import inputs
from dashboard.shell import switched_search

CONTROLS = [
    Input(ids.FLOWS_REGIONS, "value"),
    Input(ids.FLOWS_LEVEL, "value"),
    Input(ids.FLOWS_DIRECTION, "value"),
    Input(ids.FLOWS_COHORT, "value"),
    Input(ids.FLOWS_PERIOD, "value"),
    Input(ids.FLOWS_TOP, "value"),
    Input(ids.FLOWS_FOCUS, "data"),
    Input(ids.FLOWS_START, "value"),  # a period range's first period ("": one period)
    Input(ids.FLOWS_COMPARE, "value"),  # a comparison's base ("": none)
]


@callback(
    Output(ids.FLOWS_BASE, "figure"),
    Output(ids.FLOWS_REGION_LEGEND, "children"),
    Input(ids.FLOWS_LEVEL, "value"),
    Input(ids.FLOWS_REGIONS, "value"),
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def update_base(level: str, regions: list[str], lang: str):
    use_language(lang)
    chosen = data.valid_regions(inputs.texts(regions, "regions"))
    return base_figure(inputs.choice(level, data.LEVELS, "level"), chosen), region_legend(chosen)


@callback(
    Output(ids.FLOWS_LINES, "figure"),
    Output(ids.FLOWS_LEGEND, "children"),
    Output(ids.FLOWS_TOTALS, "children"),
    Output(ids.FLOWS_MAP_TITLE, "children"),
    Output(ids.FLOWS_TABLE, "rowData"),
    Output(ids.FLOWS_TABLE, "columnDefs"),
    Output(ids.FLOWS_TABLE, "paginationGoTo"),
    Output(ids.FLOWS_CLEAR_FOCUS, "hidden"),
    Output(ids.FLOWS_CIRCLES_LEGEND, "children"),
    Output({"type": ids.EXPORT_NARRATIVE, "page": "flows"}, "children"),
    *CONTROLS,
    Input(ids.FLOWS_CIRCLES, "value"),
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def update_flows(
    regions, level, direction, cohort, period, top, focus, start, compare, circles, lang
):
    use_language(lang)
    view = data.flow_view(
        query_of(regions, level, direction, cohort, period, top, focus, start, compare)
    )
    rows, columns = table_rows(view)
    circles = chosen_circles(circles)
    trace = circle_trace(view, circles)
    return (
        with_circles(lines_figure(view), trace),
        line_legend(view),
        totals_panel(view),
        map_title(view),
        rows,
        columns,
        "first",
        not view.query.place,
        circles_legend(trace, circles),
        [html.P(line) for line in flow_sentences(view)],
    )


@callback(
    Output(ids.FLOWS_MATRIX, "figure"),
    Input(ids.FLOWS_PERIOD, "value"),
    Input(ids.FLOWS_COHORT, "value"),
    Input(ids.FLOWS_REGIONS, "value"),
    Input(ids.FLOWS_START, "value"),
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def update_matrix(period: str, cohort: str, regions: list[str], start: str | None, lang: str):
    use_language(lang)
    query = query_of(regions, "province", "both", cohort, period, 50, None, start)
    return matrix_figure(query)


@callback(
    Output(ids.FLOWS_FOCUS, "data"),
    Input(ids.FLOWS_BASE, "clickData"),
    Input(ids.FLOWS_CLEAR_FOCUS, "n_clicks"),
    Input(ids.FLOWS_LEVEL, "value"),
    Input(ids.FLOWS_SEARCH, "value"),
    State(ids.FLOWS_FOCUS, "data"),
    prevent_initial_call=True,
)
def update_focus(
    click: dict | None, _clear: int, level: str, found: str | None = None, place: str = ""
):
    """The place chosen by a click or the search box (kept as chosen across levels: a county
    stays the focus's origin when the level goes up to its prefecture or province and back
    down)."""
    if ctx.triggered_id == ids.FLOWS_CLEAR_FOCUS:
        return ""
    if ctx.triggered_id == ids.FLOWS_SEARCH:
        chosen = inputs.text(found, "place")
        return chosen if chosen.isdigit() else dash.no_update
    level = inputs.choice(level, data.LEVELS, "level")
    place = inputs.text(place, "focus")
    if ctx.triggered_id != ids.FLOWS_BASE:
        return place or ""
    code = inputs.clicked_code(click)
    focus = data.focus_for_level(place, level, data.units_by_level())
    if code == focus:
        return ""  # a second click on the focused place lets it go
    return data.focus_for_level(code, level, data.units_by_level()) or ""


@callback(
    Output(ids.FLOWS_URL, "search"),
    Output(ids.SHELL_LANG, "href", allow_duplicate=True),
    *CONTROLS,
    Input(ids.FLOWS_CIRCLES, "value"),
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def write_url(
    regions, level, direction, cohort, period, top, focus, start, compare, circles, lang
):
    use_language(lang)
    query = query_of(regions, level, direction, cohort, period, top, focus, start, compare)
    search = search_of(query)
    search = circles_search(search, chosen_circles(circles))
    return search, PATH + switched_search(search)


@callback(
    Output(ids.FLOWS_DOWNLOAD, "data"),
    Input(ids.FLOWS_CSV, "n_clicks"),
    *[State(i.component_id, i.component_property) for i in CONTROLS],
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def download_csv(
    _n, regions, level, direction, cohort, period, top, focus, start, compare, lang
):
    use_language(lang)
    return csv_download(
        data.flow_view(
            query_of(regions, level, direction, cohort, period, top, focus, start, compare)
        )
    )


register(
    "flows",
    [
        (ids.FLOWS_DIRECTION, "value"),
        (ids.FLOWS_LEVEL, "value"),
        (ids.FLOWS_PERIOD, "value"),
        (ids.FLOWS_COHORT, "value"),
        (ids.FLOWS_START, "value"),
        (ids.FLOWS_LANG, "data"),
        (ids.FLOWS_COMPARE, "value"),
    ],
    lambda direction, level, period, cohort, start, lang, compare: page_view(
        direction, level, period, cohort, lang if lang in ("zh", "en") else "zh", start,
        compare=compare,
    ),  # fmt: skip
    narrative=False,  # the page's own narrative follows every control (update_flows)
)


@callback(
    Output(ids.FLOWS_SEARCH, "options"),
    Input(ids.FLOWS_SEARCH, "search_value"),
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def search_place(query: str | None, lang: str):
    """Places matching what the user types (Chinese, pinyin or English name, or code)."""
    query = inputs.text(query, "search")
    if not query:
        raise PreventUpdate
    return place_options(query, use_language(lang))


@callback(
    Output(ids.FLOWS_TICK, "disabled"),
    Output(ids.FLOWS_PLAY, "children"),
    Input(ids.FLOWS_PLAY, "n_clicks"),
    prevent_initial_call=True,
)
def toggle_flows_play(n_clicks: int):
    playing = isinstance(n_clicks, int) and n_clicks % 2 == 1
    return not playing, "■" if playing else "▶"


@callback(
    Output(ids.FLOWS_PERIOD, "value"),
    Input(ids.FLOWS_TICK, "n_intervals"),
    State(ids.FLOWS_PERIOD, "value"),
    prevent_initial_call=True,
)
def advance_flows(_n: int, period: str | None):
    """The next period (play)."""
    if not data.available_periods():
        raise PreventUpdate
    return next_period(inputs.text(period, "period"))
