"""The monitoring page's callbacks: a change of period, region, department or severity redraws
the counts, the reports and the grid and writes the URL; the Excel button downloads the workbook
(a data export: analysts and above)."""

from __future__ import annotations

from dash import Input, Output, State, callback

from dashboard import ids
from dashboard.data.store import periods
from dashboard.i18n import use_language
from dashboard.pages.monitoring.view import (
    ALL,
    MonitoringView,
    counts,
    department_codes,
    download,
    grid_rows,
    note_text,
    region_codes,
    reports,
    search_of,
)
from dashboard.security import inputs
from dashboard.shell import switched_search
from etl.alerts import SEVERITIES

PATH = "/monitoring"
CONTROLS = (
    ids.MONITORING_PERIOD, ids.MONITORING_REGION, ids.MONITORING_DEPARTMENT, ids.MONITORING_SEVERITY,
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
def update(period, region, department, severity, key: dict):
    use_language(inputs.fields(key, "lang")["lang"])
    view = _checked(period, region, department, severity)
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
def download_xlsx(_n, period, region, department, severity, key: dict):
    use_language(inputs.fields(key, "lang")["lang"])
    return download(_checked(period, region, department, severity))


def _checked(period, region, department, severity) -> MonitoringView:  # noqa: ANN001 - as a request sends them
    """The view of the controls' values; InvalidInput (a 400) for a value no control offers."""
    return MonitoringView(
        inputs.choice(period, periods(), "period"),
        inputs.choice(region, (ALL, *region_codes()), "region"),
        inputs.choice(department, (ALL, *department_codes()), "department"),
        inputs.choice(severity, (ALL, *SEVERITIES), "severity"),
    )
