"""The presentation's callbacks: the key handler's slide index renders that slide; the map's
colours are painted in the browser."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback

from dashboard import ids
from dashboard.i18n import use_language
from dashboard.pages.overview.view import legend
from dashboard.pages.present.view import map_key, narrative_lines, slide_table
from dashboard.story.slides import load, slide_figure, slide_parts


@callback(
    Output(ids.PRESENT_TITLE, "children"),
    Output(ids.PRESENT_COUNTER, "children"),
    Output(ids.PRESENT_MESSAGE, "children"),
    Output(ids.PRESENT_NARRATIVE, "children"),
    Output(ids.PRESENT_TABLE, "children"),
    Output(ids.PRESENT_LEGEND, "children"),
    Output(ids.PRESENT_FOOTER, "children"),
    Output(ids.PRESENT_PAYLOAD, "data"),
    Output(ids.PRESENT_MAP, "figure"),
    Output(ids.PRESENT_LEVEL, "data"),
    Input(ids.PRESENT_INDEX, "data"),
    State(ids.PRESENT_LEVEL, "data"),
    prevent_initial_call=True,
)
def show_slide(index: int, shown: dict):
    use_language(shown["lang"])
    parts = slide_parts(load(shown["name"]), int(index))
    same = map_key(parts) == shown["map"]
    figure = dash.no_update if same else slide_figure(parts.level, parts.bounds)
    return (
        parts.title,
        parts.counter,
        parts.message,
        narrative_lines(parts),
        slide_table(parts),
        legend(parts.measure, parts.level),
        parts.footer,
        parts.payload,
        figure,
        {**shown, "map": map_key(parts)},
    )


clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="paintMap"),
    Output(ids.PRESENT_PAINTED, "data"),
    Input(ids.PRESENT_PAYLOAD, "data"),
    State(ids.PRESENT_MAP, "id"),
)
