"""The storyboard editor's callbacks: pick, edit (save, move, delete), add, download a pack."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc

from dashboard import ids
from dashboard.data.store import engine
from dashboard.i18n import _, lang_of_search, use_language
from dashboard.pages.storyboards.view import apply_action, pack_bytes, slide_rows, with_edits
from dashboard.story import storage
from dashboard.story.model import (
    Slide,
    Storyboard,
    StoryboardError,
    add_slide,
    view_from_url,
)
from dashboard.story.slides import load


@callback(
    Output(ids.STORYBOARDS_URL, "href"),
    Input(ids.STORYBOARDS_PICKER, "value"),
    State(ids.STORYBOARDS_URL, "search"),
    prevent_initial_call=True,
)
def pick(name: str, search: str | None):
    return "/storyboards?" + urlencode({"name": name, "lang": use_language(lang_of_search(search))})


@callback(
    Output(ids.STORYBOARDS_SLIDES, "children"),
    Output(ids.STORYBOARDS_STATUS, "children"),
    Input(ids.STORYBOARDS_SAVE, "n_clicks"),
    Input({"type": ids.STORYBOARDS_UP, "index": ALL}, "n_clicks"),
    Input({"type": ids.STORYBOARDS_DOWN, "index": ALL}, "n_clicks"),
    Input({"type": ids.STORYBOARDS_DELETE, "index": ALL}, "n_clicks"),
    State({"type": ids.STORYBOARDS_TITLE, "index": ALL}, "value"),
    State({"type": ids.STORYBOARDS_MESSAGE, "index": ALL}, "value"),
    State(ids.STORYBOARDS_PICKER, "value"),
    State(ids.STORYBOARDS_URL, "search"),
    prevent_initial_call=True,
)
def edit(_save, _up, _down, _delete, titles, messages, name, search):
    if not name or not ctx.triggered or not ctx.triggered[0]["value"]:
        return dash.no_update, dash.no_update
    use_language(lang_of_search(search))
    board = with_edits(load(name), titles, messages)
    trigger = ctx.triggered_id
    if isinstance(trigger, dict):
        board = apply_action(board, trigger["type"], int(trigger["index"]))
    storage.save_storyboard(engine(), board)
    return slide_rows(board), _("Saved.")


@callback(
    Output(ids.STORYBOARDS_URL, "href", allow_duplicate=True),
    Output(ids.STORYBOARDS_STATUS, "children", allow_duplicate=True),
    Input(ids.STORYBOARDS_ADD, "n_clicks"),
    State(ids.STORYBOARDS_NEW_NAME, "value"),
    State(ids.STORYBOARDS_NEW_URL, "value"),
    State(ids.STORYBOARDS_NEW_REGION, "value"),
    State(ids.STORYBOARDS_NEW_TITLE, "value"),
    State(ids.STORYBOARDS_URL, "search"),
    prevent_initial_call=True,
)
def add(_n, name, url, region, title, search):
    lang = use_language(lang_of_search(search))
    name = (name or "").strip()
    try:
        view = view_from_url(url or "", region=region or "")
        if not name:
            raise StoryboardError("a storyboard needs a name")
    except StoryboardError as exc:
        return dash.no_update, str(exc)
    try:
        board = load(name)
    except StoryboardError:
        board = Storyboard(name)
    board = add_slide(board, Slide(view, (title or "").strip() or view.measure, ""))
    storage.save_storyboard(engine(), board)
    return "/storyboards?" + urlencode({"name": name, "lang": lang}), _("Saved.")


@callback(
    Output(ids.STORYBOARDS_DOWNLOAD, "data"),
    Input(ids.STORYBOARDS_PPTX, "n_clicks"),
    Input(ids.STORYBOARDS_PDF, "n_clicks"),
    State(ids.STORYBOARDS_PICKER, "value"),
    State(ids.STORYBOARDS_URL, "search"),
    prevent_initial_call=True,
)
def download(_pptx, _pdf, name, search):
    if not name:
        return dash.no_update
    suffix = ".pdf" if ctx.triggered_id == ids.STORYBOARDS_PDF else ".pptx"
    use_language(lang_of_search(search))
    return dcc.send_bytes(pack_bytes(name, suffix), f"{name}{suffix}")
