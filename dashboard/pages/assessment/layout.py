"""The assessment page's layout: the controls, the sortable ranking and who owes whom."""

from __future__ import annotations

from dash import dcc, html
from dash_ag_grid import AgGrid

from dashboard import ids
from dashboard.components import control, loading
from dashboard.data.store import periods
from dashboard.i18n import _, t, use_language
from dashboard.pages.assessment.view import (
    ROLE_NAMES,
    chosen_view,
    owed_columns,
    owed_rows,
    ranking_columns,
    ranking_rows,
    region_options,
    targets_note,
)
from dashboard.pages.flows.table import grid_locale
from etl.assessment import ASSESSMENT_LEVELS

COLUMN_DEFAULTS = {
    "sortable": True,
    "resizable": True,
    "suppressMovable": True,
    "wrapHeaderText": True,  # long Chinese and English headers in full, on two lines
    "autoHeaderHeight": True,
}
GRID_OPTIONS = {"rowHeight": 32, "suppressCellFocus": True}


def layout(**query: str) -> html.Div:
    lang = use_language(query.get("lang"))
    if not periods():
        return html.Div(
            [html.H2(_("Two-way assessment")), html.P(t("no_data"))], className="yp-assess"
        )
    view = chosen_view(
        query.get("period"), query.get("level"), query.get("role"), query.get("region")
    )
    rows, withheld = ranking_rows(view)
    return html.Div(
        [
            dcc.Store(id=ids.ASSESSMENT_KEY, data={"lang": lang}),
            dcc.Download(id=ids.ASSESSMENT_DOWNLOAD),
            html.H2(_("Two-way assessment")),
            html.P(
                _(
                    "Each area scored as an origin (services to the migrants it registers) and as a destination (services to the migrants it hosts): the weighted mean of min(1, rate ÷ target) over the indicators, 100 = every indicator at target. Ranked within the province and the collaboration region; change since the previous month. Click a column to sort."
                ),
                className="yp-assess-muted",
            ),
            html.Div(
                [
                    control(
                        t("period"),
                        dcc.Dropdown(
                            id=ids.ASSESSMENT_PERIOD,
                            options=[{"label": p, "value": p} for p in reversed(periods())],
                            value=view.period,
                            clearable=False,
                            searchable=False,
                            style={"minWidth": "120px"},
                        ),
                    ),
                    control(
                        _("Level"),
                        dcc.RadioItems(
                            id=ids.ASSESSMENT_LEVEL,
                            options=[
                                {"label": t(f"level_{lv}"), "value": lv} for lv in ASSESSMENT_LEVELS
                            ],
                            value=view.level,
                            inline=True,
                            className="yp-radio",
                        ),
                    ),
                    control(
                        _("Role"),
                        dcc.RadioItems(
                            id=ids.ASSESSMENT_ROLE,
                            options=[
                                {"label": _(name), "value": role}
                                for role, name in ROLE_NAMES.items()
                            ],
                            value=view.role,
                            inline=True,
                            className="yp-radio",
                        ),
                    ),
                    control(
                        t("level_region"),
                        dcc.Dropdown(
                            id=ids.ASSESSMENT_REGION,
                            options=region_options(),
                            value=view.region,
                            clearable=False,
                            searchable=False,
                            style={"minWidth": "150px"},
                        ),
                    ),
                    html.Button(
                        _("Download Excel"),
                        id=ids.ASSESSMENT_XLSX,
                        n_clicks=0,
                        className="yp-flows-button",
                    ),
                ],
                className="yp-controls",
            ),
            html.P(
                note_text(view.period, withheld), id=ids.ASSESSMENT_NOTE, className="yp-assess-note"
            ),
            html.Div(
                loading(
                    AgGrid(
                        id=ids.ASSESSMENT_GRID,
                        rowData=rows,
                        columnDefs=ranking_columns(view.level),
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
            html.H3(_("Who owes whom")),
            html.P(
                _(
                    "Per pair of provinces: the origin's women aged 15-49 living in the destination, and estimates of how many of them the origin's certificate service and the destination's verification reached, each county pair taken at its counties' rates (the records give rates per county, not per pair). Owes: persons short of the target in force."
                ),
                className="yp-assess-muted",
            ),
            html.Div(
                loading(
                    AgGrid(
                        id=ids.ASSESSMENT_OWED,
                        rowData=owed_rows(view),
                        columnDefs=owed_columns(),
                        defaultColDef=COLUMN_DEFAULTS,
                        columnSize="responsiveSizeToFit",
                        dashGridOptions={
                            **GRID_OPTIONS,
                            "pagination": True,
                            "paginationPageSize": 10,
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
        className="yp-assess",
    )


def note_text(period: str, withheld: int) -> str:
    """The targets in force, and how many areas are withheld as small cells."""
    note = targets_note(period)
    if withheld:
        note += " " + _("{n} areas not shown: too few people to score (small cells).").format(
            n=withheld
        )
    return note
