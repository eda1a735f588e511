"""The assessment page's callbacks: a change of period, level, role or region redraws both
grids; the Excel button downloads the workbook (a data export: analysts and above)."""

from __future__ import annotations

from dash import Input, Output, State, callback

from dashboard import ids
from dashboard.data.store import periods
from dashboard.i18n import use_language
from dashboard.pages.assessment.layout import note_text
from dashboard.pages.assessment.view import (
    ALL_REGIONS,
    AssessmentView,
    download,
    owed_rows,
    ranking_columns,
    ranking_rows,
    region_codes,
)
from dashboard.security import inputs
from etl.assessment import ASSESSMENT_LEVELS, ROLES

CONTROLS = (
    ids.ASSESSMENT_PERIOD, ids.ASSESSMENT_LEVEL, ids.ASSESSMENT_ROLE, ids.ASSESSMENT_REGION,
)  # fmt: skip


@callback(
    Output(ids.ASSESSMENT_GRID, "rowData"),
    Output(ids.ASSESSMENT_GRID, "columnDefs"),
    Output(ids.ASSESSMENT_NOTE, "children"),
    Output(ids.ASSESSMENT_OWED, "rowData"),
    *[Input(c, "value") for c in CONTROLS],
    State(ids.ASSESSMENT_KEY, "data"),
    prevent_initial_call=True,
)
def update(period, level, role, region, key: dict):
    use_language(inputs.fields(key, "lang")["lang"])
    view = _checked(period, level, role, region)
    rows, withheld = ranking_rows(view)
    return rows, ranking_columns(view.level), note_text(view.period, withheld), owed_rows(view)


@callback(
    Output(ids.ASSESSMENT_DOWNLOAD, "data"),
    Input(ids.ASSESSMENT_XLSX, "n_clicks"),
    *[State(c, "value") for c in CONTROLS],
    State(ids.ASSESSMENT_KEY, "data"),
    prevent_initial_call=True,
)
def download_xlsx(_n, period, level, role, region, key: dict):
    use_language(inputs.fields(key, "lang")["lang"])
    return download(_checked(period, level, role, region))


def _checked(period, level, role, region) -> AssessmentView:  # noqa: ANN001 - as a request sends them
    """The view of the controls' values; InvalidInput (a 400) for a value no control offers."""
    return AssessmentView(
        inputs.choice(period, periods(), "period"),
        inputs.choice(level, ASSESSMENT_LEVELS, "level"),
        inputs.choice(role, tuple(ROLES), "role"),
        inputs.choice(region, (ALL_REGIONS, *region_codes()), "region"),
    )
