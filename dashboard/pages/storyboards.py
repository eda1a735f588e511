"""演示稿 Storyboard editor: rename slides, write key messages, reorder, delete, add from a link.

``/storyboards?name=<name>`` edits one saved storyboard. A slide is added from a page link (the
overview ``/?measure=&level=&period=`` or a drill-down ``/area/<code>``: copy it from the address
bar), into the named storyboard (created if new). Every change is saved at once; ``Present``
opens ``/present/<name>``.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from dashboard import ids
from dashboard.data.store import engine
from dashboard.i18n import lang_of, lang_of_search
from dashboard.story import storage
from dashboard.story.model import (
    Slide,
    Storyboard,
    StoryboardError,
    add_slide,
    delete_slide,
    edit_slide,
    move_slide,
    view_from_url,
)
from dashboard.story.slides import load, regions, storyboard_names

dash.register_page(__name__, path="/storyboards", title="一盘棋 · 演示稿")

STRINGS = {
    "title": {"zh": "演示稿", "en": "Storyboards"},
    "pick": {"zh": "演示稿", "en": "Storyboard"},
    "present": {"zh": "▶ 演示", "en": "▶ Present"},
    "save": {"zh": "保存标题和要点", "en": "Save titles and messages"},
    "saved": {"zh": "已保存。", "en": "Saved."},
    "slide_title": {"zh": "标题", "en": "Title"},
    "slide_message": {"zh": "要点", "en": "Key message"},
    "up": {"zh": "上移", "en": "Move up"},
    "down": {"zh": "下移", "en": "Move down"},
    "delete": {"zh": "删除", "en": "Delete"},
    "add_title": {"zh": "从页面链接添加一页", "en": "Add a slide from a page link"},
    "add_name": {"zh": "演示稿名称", "en": "Storyboard name"},
    "add_url": {
        "zh": "页面链接（总览 /?measure=… 或 /area/代码）",
        "en": "Page link (overview /?measure=… or /area/<code>)",
    },
    "add_region": {"zh": "协作区", "en": "Region"},
    "add_slide_title": {"zh": "标题", "en": "Title"},
    "add": {"zh": "添加", "en": "Add"},
    "national": {"zh": "全国", "en": "National"},
    "none": {"zh": "还没有演示稿。", "en": "No storyboard yet."},
    "pptx": {"zh": "下载 PPTX", "en": "Download PPTX"},
    "pdf": {"zh": "下载 PDF", "en": "Download PDF"},
    "pack_note": {
        "zh": "简报包每张地图约需 5–8 秒生成。",
        "en": "A briefing pack takes about 5-8 s per map to make.",
    },
}


def _s(key: str, lang: str) -> str:
    return STRINGS[key][lang_of(lang)]


def layout(name: str = "", lang: str = "zh", **_: str):
    lang = lang_of(lang)
    names = storyboard_names()
    name = name if name in names else (names[0] if names else "")
    board = load(name) if name else Storyboard("")
    query = "?lang=en" if lang == "en" else ""
    return html.Div(
        [
            dcc.Location(id=ids.STORYBOARDS_URL, refresh="callback-nav"),
            html.H2(_s("title", lang)),
            html.Div(
                [
                    html.Label(_s("pick", lang)),
                    dcc.Dropdown(
                        id=ids.STORYBOARDS_PICKER,
                        options=[{"label": n, "value": n} for n in names],
                        value=name or None,
                        clearable=False,
                        style={"minWidth": "260px"},
                    ),
                    html.A(
                        _s("present", lang),
                        id=ids.STORYBOARDS_PRESENT,
                        href=f"/present/{quote(name)}{query}" if name else "#",
                        className="yp-story-present",
                    ),
                    html.Button(_s("save", lang), id=ids.STORYBOARDS_SAVE, n_clicks=0),
                    html.Button(_s("pptx", lang), id=ids.STORYBOARDS_PPTX, n_clicks=0),
                    html.Button(_s("pdf", lang), id=ids.STORYBOARDS_PDF, n_clicks=0),
                    dcc.Loading(dcc.Download(id=ids.STORYBOARDS_DOWNLOAD)),
                    html.Span(_s("pack_note", lang), className="yp-muted"),
                    html.Span(id=ids.STORYBOARDS_STATUS, className="yp-muted"),
                ],
                className="yp-story-form",
            ),
            html.Div(slide_rows(board, lang), id=ids.STORYBOARDS_SLIDES),
            html.H3(_s("add_title", lang)),
            html.Div(
                [
                    _field(
                        _s("add_name", lang),
                        dcc.Input(
                            id=ids.STORYBOARDS_NEW_NAME, value=name, style={"width": "12rem"}
                        ),
                    ),
                    _field(
                        _s("add_url", lang),
                        dcc.Input(id=ids.STORYBOARDS_NEW_URL, value="", style={"width": "28rem"}),
                    ),
                    _field(
                        _s("add_region", lang),
                        dcc.Dropdown(
                            id=ids.STORYBOARDS_NEW_REGION,
                            options=[{"label": _s("national", lang), "value": ""}]
                            + [
                                {"label": r.name_zh if lang == "zh" else r.name_en, "value": r.code}
                                for r in regions().regions
                            ],
                            value="",
                            clearable=False,
                            style={"minWidth": "180px"},
                        ),
                    ),
                    _field(
                        _s("add_slide_title", lang),
                        dcc.Input(id=ids.STORYBOARDS_NEW_TITLE, style={"width": "16rem"}),
                    ),
                    html.Button(_s("add", lang), id=ids.STORYBOARDS_ADD, n_clicks=0),
                ],
                className="yp-story-form",
            ),
        ],
        className="yp-card",
    )


def _field(label: str, component) -> html.Div:
    return html.Div([html.Label(label), component], className="yp-control")


def slide_rows(board: Storyboard, lang: str) -> list:
    if not board.slides:
        return [html.P(_s("none", lang))]
    rows = []
    for i, slide in enumerate(board.slides):
        v = slide.view
        summary = " · ".join(
            x for x in (v.page, v.region, v.area, v.level, v.measure, v.period, v.scenario) if x
        )
        rows.append(
            html.Div(
                [
                    html.Strong(str(i + 1)),
                    dcc.Input(
                        id={"type": ids.STORYBOARDS_TITLE, "index": i},
                        value=slide.title,
                        placeholder=_s("slide_title", lang),
                    ),
                    dcc.Textarea(
                        id={"type": ids.STORYBOARDS_MESSAGE, "index": i},
                        value=slide.message,
                        placeholder=_s("slide_message", lang),
                        rows=2,
                    ),
                    html.Div(
                        [
                            html.Button(
                                "↑",
                                id={"type": ids.STORYBOARDS_UP, "index": i},
                                title=_s("up", lang),
                            ),
                            html.Button(
                                "↓",
                                id={"type": ids.STORYBOARDS_DOWN, "index": i},
                                title=_s("down", lang),
                            ),
                            html.Button(
                                "✕",
                                id={"type": ids.STORYBOARDS_DELETE, "index": i},
                                title=_s("delete", lang),
                            ),
                        ]
                    ),
                    html.Div(summary, className="yp-story-view"),
                ],
                className="yp-story-slide",
            )
        )
    return rows


def with_edits(board: Storyboard, titles: list[str], messages: list[str]) -> Storyboard:
    """The storyboard with the editor's titles and messages (one per slide, in order)."""
    for i, (title, message) in enumerate(zip(titles, messages, strict=True)):
        board = edit_slide(board, i, title or "", message or "")
    return board


def apply_action(board: Storyboard, action: str, index: int) -> Storyboard:
    """``up``, ``down`` or ``delete`` applied to slide ``index``."""
    if action == ids.STORYBOARDS_UP:
        return move_slide(board, index, index - 1)
    if action == ids.STORYBOARDS_DOWN:
        return move_slide(board, index, index + 1)
    if action == ids.STORYBOARDS_DELETE:
        return delete_slide(board, index)
    raise StoryboardError(f"unknown action {action!r}")


@callback(
    Output(ids.STORYBOARDS_URL, "href"),
    Input(ids.STORYBOARDS_PICKER, "value"),
    State(ids.STORYBOARDS_URL, "search"),
    prevent_initial_call=True,
)
def pick(name: str, search: str | None):
    return "/storyboards?" + urlencode({"name": name, "lang": lang_of_search(search)})


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
    lang = lang_of_search(search)
    board = with_edits(load(name), titles, messages)
    trigger = ctx.triggered_id
    if isinstance(trigger, dict):
        board = apply_action(board, trigger["type"], int(trigger["index"]))
    storage.save_storyboard(engine(), board)
    return slide_rows(board, lang), _s("saved", lang)


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
    lang = lang_of_search(search)
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
    return "/storyboards?" + urlencode({"name": name, "lang": lang}), _s("saved", lang)


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
    return dcc.send_bytes(pack_bytes(name, suffix, lang_of_search(search)), f"{name}{suffix}")


def pack_bytes(name: str, suffix: str, lang: str) -> bytes:
    """The briefing pack of storyboard ``name`` as .pptx or .pdf bytes."""
    import tempfile
    from pathlib import Path

    from dashboard import context
    from dashboard.story.pack import export_storyboard

    app_ctx = context.current()
    with tempfile.TemporaryDirectory(prefix="yipanqi-pack-") as tmp:
        out = Path(tmp) / f"pack{suffix}"
        export_storyboard(app_ctx.layers, app_ctx.store_url, out, name, lang)
        return out.read_bytes()
