"""The monitoring page's callbacks: a change of period, region, department or severity redraws
the counts, the reports and the grid and writes the URL; the Excel button downloads the workbook
(a data export: analysts and above)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback

from dashboard import ids
from dashboard.data.store import periods
from dashboard.export.menu import PageView, register
from dashboard.i18n import use_language
from dashboard.pages.monitoring.view import (
    ALL,
    MAP_LEVELS,
    MonitoringView,
    alert_map,
    area_link,
    counts,
    department_codes,
    download,
    grid_rows,
    note_text,
    page_view,
    region_codes,
    reports,
    search_of,
    unit_codes_of_map,
)
from dashboard.security import inputs
from dashboard.shell import switched_search
from etl.alerts import SEVERITIES

PATH = "/monitoring"
CONTROLS = (
    ids.MONITORING_PERIOD, ids.MONITORING_REGION, ids.MONITORING_DEPARTMENT, ids.MONITORING_SEVERITY,
    ids.MONITORING_LEVEL,
)  # fmt: skip


@callback(
    Output(ids.MONITORING_COUNTS, "children"),
    Output(ids.MONITORING_REPORTS, "children"),
    Output(ids.MONITORING_NOTE, "children"),
    Output(ids.MONITORING_GRID, "rowData"),
    Output(ids.MONITORING_URL, "search"),
    Output(ids.SHELL_LANG, "href", allow_duplicate=True),
    *[Input(c, "value") for c in CONTROLS],
    State(ids.MONITORING_KEY, "data"),
    prevent_initial_call=True,
)
def update(period, region, department, severity, level, key: dict):
    use_language(inputs.fields(key, "lang")["lang"])
    view = _checked(period, region, department, severity, level)
    rows, total = grid_rows(view)
    search = search_of(view)
    return (
        counts(view),
        reports(view),
        note_text(len(rows), total),
        rows,
        search,
        PATH + switched_search(search),
    )


@callback(
    Output(ids.MONITORING_DOWNLOAD, "data"),
    Input(ids.MONITORING_XLSX, "n_clicks"),
    *[State(c, "value") for c in CONTROLS],
    State(ids.MONITORING_KEY, "data"),
    prevent_initial_call=True,
)
def download_xlsx(_n, period, region, department, severity, level, key: dict):
    use_language(inputs.fields(key, "lang")["lang"])
    return download(_checked(period, region, department, severity, level))


@callback(
    Output(ids.MONITORING_MAP, "figure"),
    Output(ids.MONITORING_LEGEND, "children"),
    Input(ids.MONITORING_URL, "search"),
    *[State(c, "value") for c in CONTROLS],
    State(ids.MONITORING_KEY, "data"),
)
def redraw_map(_search, period, region, department, severity, level, key: dict):
    """The map and its legend, drawn after the grid: asked for when the page has mounted and
    whenever the grid's callback has written the URL, so the map's drawing never holds up the
    grid's first paint or its repaint after a filter."""
    use_language(inputs.fields(key, "lang")["lang"])
    return alert_map(_checked(period, region, department, severity, level))


@callback(
    Output(ids.MONITORING_NAV, "href"),
    Input(ids.MONITORING_MAP, "clickData"),
    State(ids.MONITORING_PERIOD, "value"),
    State(ids.MONITORING_KEY, "data"),
    prevent_initial_call=True,
)
def open_area(click: dict | None, period, key: dict):  # noqa: ANN001
    """A unit clicked on the map: its area page for the period."""
    use_language(inputs.fields(key, "lang")["lang"])
    code = inputs.clicked_code(click)
    if not code:
        return dash.no_update
    view = MonitoringView(inputs.choice(period, periods(), "period"), ALL, ALL, ALL)
    return area_link(inputs.choice(code, unit_codes_of_map(), "unit"), view)


def _checked(period, region, department, severity, level) -> MonitoringView:  # noqa: ANN001 - as a request sends them
    """The view of the controls' values; InvalidInput (a 400) for a value no control offers."""
    return MonitoringView(
        inputs.choice(period, periods(), "period"),
        inputs.choice(region, (ALL, *region_codes()), "region"),
        inputs.choice(department, (ALL, *department_codes()), "department"),
        inputs.choice(severity, (ALL, *SEVERITIES), "severity"),
        inputs.choice(level, MAP_LEVELS, "level"),
    )


def _page_view(period, region, department, severity, level, key) -> PageView:  # noqa: ANN001
    """The download menu's view of the controls (checked: they come from the request body)."""
    lang = use_language(inputs.fields(key, "lang")["lang"])
    return page_view(_checked(period, region, department, severity, level), lang)


register("monitoring", [*((c, "value") for c in CONTROLS), (ids.MONITORING_KEY, "data")], _page_view)
