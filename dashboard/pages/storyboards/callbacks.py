"""The storyboard editor's callbacks: pick, edit (save, move, delete), add, download a pack.

An edit or an addition that cannot be made (an unknown or hidden storyboard, a slide that is not
there any more, a name taken by a storyboard outside the reader's scope, a link to an area the
reader cannot see) is answered in the status line; inputs of the wrong type are a 400
(``dashboard.security.inputs``).
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc

from dashboard import ids
from dashboard.data.store import current_scope, engine
from dashboard.export.source import ExportError
from dashboard.i18n import N_, _, lang_of_search, use_language
from dashboard.pages.storyboards.view import apply_action, pack_bytes, slide_rows, with_edits
from dashboard.security import inputs
from dashboard.story import storage
from dashboard.story.model import (
    NAME_TAKEN,
    NEEDS_NAME,
    Slide,
    Storyboard,
    StoryboardError,
    add_slide,
    view_from_url,
)
from dashboard.story.slides import check_view, load


@callback(
    Output(ids.STORYBOARDS_URL, "href"),
    Input(ids.STORYBOARDS_PICKER, "value"),
    State(ids.STORYBOARDS_URL, "search"),
    prevent_initial_call=True,
)
def pick(name: str, search: str | None):
    name = inputs.text(name, "storyboard")
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
    name = inputs.text(name, "storyboard")
    if not name or not ctx.triggered or not ctx.triggered[0]["value"]:
        return dash.no_update, dash.no_update
    use_language(lang_of_search(search))
    titles = [inputs.text(t, "title") for t in titles]
    messages = [inputs.text(m, "key message") for m in messages]
    try:
        board = load(name)
        if not len(titles) == len(messages) == len(board.slides):
            raise StoryboardError(
                N_("The storyboard has changed since the page was opened: reload it.")
            )
        board = with_edits(board, titles, messages)
        trigger = ctx.triggered_id
        if isinstance(trigger, dict):
            board = apply_action(
                board, trigger["type"], inputs.index(trigger["index"], board.slides, "slide")
            )
        storage.save_storyboard(engine(), board, scope=current_scope())
    except StoryboardError as exc:
        return dash.no_update, exc.text()
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
    name = inputs.text(name, "name").strip()
    url, region = inputs.text(url, "link"), inputs.text(region, "region")
    title = inputs.text(title, "title").strip()
    try:
        view = check_view(view_from_url(url, region=region))
        if not name:
            raise StoryboardError(NEEDS_NAME)
        if storage.name_hidden(engine(), name, scope=current_scope()):
            raise StoryboardError(NAME_TAKEN, name=name)
        try:
            board = load(name)
        except StoryboardError:  # a new one (a name hidden from the reader is refused on save)
            board = Storyboard(name)
        board = add_slide(board, Slide(view, title or view.measure, ""))
        storage.save_storyboard(engine(), board, scope=current_scope())
    except StoryboardError as exc:
        return dash.no_update, exc.text()
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
    name = inputs.text(name, "storyboard")
    if not name:
        return dash.no_update
    suffix = ".pdf" if ctx.triggered_id == ids.STORYBOARDS_PDF else ".pptx"
    use_language(lang_of_search(search))
    try:
        content = pack_bytes(name, suffix)
    except ExportError as exc:  # no such storyboard for this reader, or nothing to draw
        raise inputs.InvalidInput("no briefing pack of this storyboard") from exc
    return dcc.send_bytes(content, f"{name}{suffix}")
