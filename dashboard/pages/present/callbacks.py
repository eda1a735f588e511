"""The presentation's callbacks: the key handler's slide index renders that slide; the map's
colours are painted in the browser."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback

from dashboard import ids
from dashboard.i18n import use_language
from dashboard.pages.overview.view import legend
from dashboard.pages.present.view import map_key, narrative_lines, slide_table
from dashboard.security import inputs
from dashboard.story.model import StoryboardError
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
    fields = inputs.fields(shown, "name", "lang", "map")
    use_language(fields["lang"])
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise inputs.InvalidInput("the slide is not a whole number")
    try:
        board = load(fields["name"])
    except StoryboardError as exc:  # deleted since, or not the reader's
        raise inputs.InvalidInput("unknown storyboard") from exc
    parts = slide_parts(board, index)  # a stale index (slides deleted since) shows the last
    same = map_key(parts) == fields["map"]
    figure = dash.no_update if same else slide_figure(parts.level, parts.bounds, parts.labels, parts.outline)
    return (
        parts.title,
        parts.counter,
        parts.message,
        narrative_lines(parts),
        slide_table(parts),
        legend(parts.measure, parts.level, parts.period),
        parts.footer,
        parts.payload,
        figure,
        {**fields, "map": map_key(parts)},
    )


clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="paintMap"),
    Output(ids.PRESENT_PAINTED, "data"),
    Input(ids.PRESENT_PAYLOAD, "data"),
    State(ids.PRESENT_MAP, "id"),
)
