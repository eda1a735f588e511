"""流向 Flows: origin-destination flows within and among the four collaboration regions.

The page state lives in the URL (``regions, level, direction, cohort, period, top, focus, lang``):
``layout`` reads it and renders the whole view; each change updates the view by callbacks and
writes the state back into the address bar without re-rendering the page.

The map is two stacked graphs (see ``dashboard.figures.flow_map``): region-coloured polygons that
take the clicks (focus a place), and transparent flow lines redrawn on every change.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboard import ids
from dashboard.data import flows as data
from dashboard.flows_view import (
    STRINGS,
    base_figure,
    clicked_code,
    controls,
    csv_filename,
    csv_text,
    line_legend,
    lines_figure,
    map_card,
    map_title,
    matrix_card,
    matrix_figure,
    query_of,
    region_legend,
    search_of,
    table_card,
    table_rows,
    totals_card,
    totals_panel,
)
from dashboard.i18n import lang_of, text
from dashboard.shell import switched_search

dash.register_page(__name__, path="/flows", name="流向", title="一盘棋 · 流向")

PATH = "/flows"


def layout(lang: str = "zh", **query: str) -> html.Div:
    lang = lang_of(lang)
    if not data.available_periods():
        return html.Div(text(STRINGS, "empty_store", lang), className="yp-card yp-empty")
    q = data.parse_query(query)
    view = data.flow_view(q)
    return html.Div(
        [
            dcc.Location(id=ids.FLOWS_URL, refresh=False),
            dcc.Store(id=ids.FLOWS_LANG, data=lang),
            # "" for no focus: a None store fires its callbacks once on mount (dcc.Store compares
            # its value with an empty memory store), an empty string does not
            dcc.Store(id=ids.FLOWS_FOCUS, data=q.focus or ""),
            dcc.Download(id=ids.FLOWS_DOWNLOAD),
            controls(q, lang),
            html.Div(
                [
                    map_card(view, lang),
                    html.Div(
                        [totals_card(view, lang), matrix_card(q, lang)], className="yp-flows-side"
                    ),
                ],
                className="yp-flows-main",
            ),
            table_card(view, lang),
            html.Div(text(STRINGS, "source", lang), className="yp-source"),
        ],
        className="yp-flows",
        **_data_lang(lang),
    )


def _data_lang(lang: str) -> Any:
    """``data-lang`` on the page (tests and styles read it); Dash's typed signature has no **kwargs."""
    return {"data-lang": lang}


# --- callbacks ------------------------------------------------------------------------------------

CONTROLS = [
    Input(ids.FLOWS_REGIONS, "value"),
    Input(ids.FLOWS_LEVEL, "value"),
    Input(ids.FLOWS_DIRECTION, "value"),
    Input(ids.FLOWS_COHORT, "value"),
    Input(ids.FLOWS_PERIOD, "value"),
    Input(ids.FLOWS_TOP, "value"),
    Input(ids.FLOWS_FOCUS, "data"),
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
    chosen = data.valid_regions(regions)
    return base_figure(level, chosen, lang), region_legend(chosen, lang)


@callback(
    Output(ids.FLOWS_LINES, "figure"),
    Output(ids.FLOWS_LEGEND, "children"),
    Output(ids.FLOWS_TOTALS, "children"),
    Output(ids.FLOWS_MAP_TITLE, "children"),
    Output(ids.FLOWS_TABLE, "data"),
    Output(ids.FLOWS_TABLE, "columns"),
    Output(ids.FLOWS_TABLE, "page_current"),
    Output(ids.FLOWS_CLEAR_FOCUS, "hidden"),
    *CONTROLS,
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def update_flows(regions, level, direction, cohort, period, top, focus, lang):
    view = data.flow_view(query_of(regions, level, direction, cohort, period, top, focus))
    rows, columns = table_rows(view, lang)
    return (
        lines_figure(view),
        line_legend(view, lang),
        totals_panel(view, lang),
        map_title(view, lang),
        rows,
        columns,
        0,
        not view.query.focus,
    )


@callback(
    Output(ids.FLOWS_MATRIX, "figure"),
    Input(ids.FLOWS_PERIOD, "value"),
    Input(ids.FLOWS_COHORT, "value"),
    Input(ids.FLOWS_REGIONS, "value"),
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def update_matrix(period: str, cohort: str, regions: list[str], lang: str):
    query = query_of(regions, "province", "both", cohort, period, 50, None)
    return matrix_figure(query, lang)


@callback(
    Output(ids.FLOWS_FOCUS, "data"),
    Input(ids.FLOWS_BASE, "clickData"),
    Input(ids.FLOWS_CLEAR_FOCUS, "n_clicks"),
    Input(ids.FLOWS_LEVEL, "value"),
    State(ids.FLOWS_FOCUS, "data"),
    prevent_initial_call=True,
)
def update_focus(click: dict | None, _clear: int, level: str, focus: str):
    if ctx.triggered_id == ids.FLOWS_CLEAR_FOCUS:
        return ""
    code = clicked_code(click) if ctx.triggered_id == ids.FLOWS_BASE else focus
    if ctx.triggered_id == ids.FLOWS_BASE and code == focus:
        return ""  # a second click on the focused place lets it go
    return data.focus_for_level(code, level, data.units_by_level()) or ""


@callback(
    Output(ids.FLOWS_URL, "search"),
    Output(ids.SHELL_LANG, "href", allow_duplicate=True),
    *CONTROLS,
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def write_url(regions, level, direction, cohort, period, top, focus, lang):
    search = search_of(query_of(regions, level, direction, cohort, period, top, focus), lang)
    return search, PATH + switched_search(search)[0]


@callback(
    Output(ids.FLOWS_DOWNLOAD, "data"),
    Input(ids.FLOWS_CSV, "n_clicks"),
    *[State(i.component_id, i.component_property) for i in CONTROLS],
    State(ids.FLOWS_LANG, "data"),
    prevent_initial_call=True,
)
def download_csv(_n, regions, level, direction, cohort, period, top, focus, lang):
    view = data.flow_view(query_of(regions, level, direction, cohort, period, top, focus))
    return {
        "content": csv_text(view, lang),
        "filename": csv_filename(view.query),
        "type": "text/csv",
    }
