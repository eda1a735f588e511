"""The monitoring page's layout: the filters, the severity counts, the departments' reports and
the sortable alerts grid."""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from dash_ag_grid import AgGrid

from dashboard import ids
from dashboard.components import control, loading
from dashboard.data.store import periods
from dashboard.export.menu import view_footer
from dashboard.i18n import _, plotly_locale, t, use_language
from dashboard.pages.assessment.layout import COLUMN_DEFAULTS, GRID_OPTIONS
from dashboard.pages.flows.table import grid_locale
from dashboard.pages.monitoring.view import (
    chosen_view,
    counts,
    department_options,
    grid_columns,
    grid_rows,
    level_options,
    note_text,
    page_view,
    region_options,
    reports,
    severity_options,
)
from dashboard.pages.overview.view import GRAPH_CONFIG


def layout(**query: str) -> html.Div:
    lang = use_language(query.get("lang"))
    if not periods():
        return html.Div([html.H2(_("Monitoring and early warning")), html.P(t("no_data"))],
                        className="yp-assess")  # fmt: skip
    view = chosen_view(
        query.get("period"), query.get("region"), query.get("department"), query.get("severity"),
        query.get("level"),
    )  # fmt: skip
    rows, total = grid_rows(view)
    figure = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}
    config: Any = {**GRAPH_CONFIG, "locale": plotly_locale()}  # dcc.Graph types it as a TypedDict
    return html.Div(
        [
            dcc.Location(id=ids.MONITORING_URL, refresh=False),
            dcc.Location(id=ids.MONITORING_NAV, refresh="callback-nav"),
            dcc.Store(id=ids.MONITORING_KEY, data={"lang": lang}),
            dcc.Download(id=ids.MONITORING_DOWNLOAD),
            html.H2(_("Monitoring and early warning")),
            html.P(
                _(
                    "Alerts of the month: departments' reports missing or late, coverage under its target or falling, inflow far from its own seasonal pattern, and counties whose reported moves out disagree with the records (origin against destination). Thresholds: etl/alerts.toml."
                ),
                className="yp-assess-muted",
            ),
            html.Div(
                [
                    control(
                        t("period"),
                        dcc.Dropdown(
                            id=ids.MONITORING_PERIOD,
                            options=[{"label": p, "value": p} for p in reversed(periods())],
                            value=view.period,
                            style={"minWidth": "120px"},
                            clearable=False,
                            searchable=False,
                        ),
                    ),
                    control(
                        t("level_region"),
                        dcc.Dropdown(
                            id=ids.MONITORING_REGION,
                            options=region_options(),
                            value=view.region,
                            style={"minWidth": "150px"},
                            clearable=False,
                            searchable=False,
                        ),
                    ),
                    control(
                        _("Department"),
                        dcc.Dropdown(
                            id=ids.MONITORING_DEPARTMENT,
                            options=department_options(),
                            value=view.department,
                            style={"minWidth": "150px"},
                            clearable=False,
                            searchable=False,
                        ),
                    ),
                    control(
                        _("Severity"),
                        dcc.Dropdown(
                            id=ids.MONITORING_SEVERITY,
                            options=severity_options(),
                            value=view.severity,
                            style={"minWidth": "120px"},
                            clearable=False,
                            searchable=False,
                        ),
                    ),
                    control(
                        _("Map by"),
                        dcc.RadioItems(
                            id=ids.MONITORING_LEVEL,
                            options=level_options(),
                            value=view.level,
                            inline=True,
                            className="yp-radio",
                        ),
                    ),
                    html.Button(
                        _("Download Excel"),
                        id=ids.MONITORING_XLSX,
                        n_clicks=0,
                        className="yp-flows-button",
                    ),
                ],
                className="yp-controls",
            ),  # fmt: skip
            html.Div(counts(view), id=ids.MONITORING_COUNTS),
            html.Div(
                [
                    loading(
                        dcc.Graph(
                            id=ids.MONITORING_MAP, figure=figure, config=config,
                            className="yp-hotspots-graph yp-mon-graph",
                        )
                    ),
                    html.Div(id=ids.MONITORING_LEGEND, className="yp-hotspots-legend"),
                    view_footer("monitoring", page_view(view, lang)),
                ],
                className="yp-card yp-map-card yp-mon-map",
            ),  # fmt: skip
            html.H3(_("Departments' reports")),
            html.Div(reports(view), id=ids.MONITORING_REPORTS, className="yp-card"),
            html.H3(_("Alerts")),
            html.P(note_text(len(rows), total), id=ids.MONITORING_NOTE, className="yp-assess-note"),
            html.Div(
                loading(
                    AgGrid(
                        id=ids.MONITORING_GRID,
                        rowData=rows,
                        columnDefs=grid_columns(),
                        defaultColDef=COLUMN_DEFAULTS,
                        columnSize="responsiveSizeToFit",
                        dashGridOptions={
                            **GRID_OPTIONS,
                            "pagination": True,
                            "paginationPageSize": 15,
                            "paginationPageSizeSelector": False,
                            "domLayout": "autoHeight",
                            "localeText": grid_locale(),
                        },
                        className="yp-grid",
                    )
                ),
                className="yp-card",
            ),
        ],
        className="yp-assess yp-monitoring",
    )
