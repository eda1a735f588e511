"""The menu's callbacks: search options as the user types, and opening the chosen area."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback

from dashboard import context, ids
from dashboard.data import area as data
from dashboard.i18n import use_language
from dashboard.security import inputs


@callback(
    Output(ids.AREAS_PICKER, "options"),
    Input(ids.AREAS_PICKER, "search_value"),
    State(ids.AREAS_KEY, "data"),
    prevent_initial_call=True,
)
def search(query: str | None, key: dict):
    query = inputs.text(query, "search")
    if not query:
        return dash.no_update
    lang = use_language(inputs.fields(key, "lang")["lang"])
    return data.search_areas(query, lang, context.current().regions_path)


@callback(
    Output(ids.AREAS_GO, "href"),
    Input(ids.AREAS_PICKER, "value"),
    State(ids.AREAS_KEY, "data"),
    prevent_initial_call=True,
)
def open_area(code: str | None, key: dict):
    code = inputs.text(code, "area")
    lang = use_language(inputs.fields(key, "lang")["lang"])
    return data.page_href(f"/area/{code}", lang=lang) if code else dash.no_update
