"""演示 Presentation mode: a storyboard shown slide by slide, full screen, for a projector.

``/present/<name>?slide=N&lang=en`` shows slide N (1 first) of the saved storyboard ``name``;
``/present`` lists the storyboards. The shell's header is hidden while a deck is on screen
(``assets/yipanqi.css``: ``body:has(.yp-present)``). Keys (``assets/yipanqi-present.js``): ArrowRight,
Space, PageDown next; ArrowLeft, PageUp previous (what presentation clickers send); Home / End first
and last; F full screen; Esc leaves to the overview. The key handler sets ``PRESENT_INDEX``; one
callback renders that slide. The map figure is rebuilt only when the level changes; colours travel
as a payload painted by ``assets/yipanqi-map.js``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import ids
from dashboard.data.store import periods
from dashboard.i18n import lang_of
from dashboard.overview_view import GRAPH_CONFIG, legend
from dashboard.story.model import StoryboardError
from dashboard.story.slides import SlideParts, load, slide_figure, slide_parts, storyboard_names

dash.register_page(__name__, path_template="/present/<name>", title="一盘棋 · 演示")

STRINGS = {
    "none": {
        "zh": "没有这个演示稿：{name}。",
        "en": "There is no storyboard named {name}.",
    },
    "list_title": {"zh": "演示稿", "en": "Storyboards"},
    "present": {"zh": "演示", "en": "Present"},
    "edit": {"zh": "编辑演示稿", "en": "Edit storyboards"},
    "keys": {
        "zh": "→ / 空格 / PageDown 下一页 · ← / PageUp 上一页 · F 全屏 · Esc 退出",
        "en": "→ / Space / PageDown next · ← / PageUp previous · F full screen · Esc leave",
    },
    "empty_store": {"zh": "数据库中还没有汇总数据。", "en": "The store has no aggregates yet."},
    "slides": {"zh": "{n} 页", "en": "{n} slides"},
}


def _s(key: str, lang: str) -> str:
    return STRINGS[key][lang_of(lang)]


def layout(name: str = "", slide: str = "1", lang: str = "zh", **_: str):
    lang = lang_of(lang)
    if not periods():
        return html.Div(_s("empty_store", lang), className="yp-card yp-empty")
    try:
        board = load(name)
    except StoryboardError:
        return html.Div(
            [html.P(_s("none", lang).format(name=name)), storyboard_list(lang)],
            className="yp-card yp-empty",
        )
    try:
        index = max(0, min(int(slide) - 1, len(board.slides) - 1))
    except ValueError:
        index = 0
    parts = slide_parts(board, index, lang)
    return html.Div(
        [
            dcc.Store(id=ids.PRESENT_INDEX, data=index),
            dcc.Store(id=ids.PRESENT_PAYLOAD, data=parts.payload),
            dcc.Store(id=ids.PRESENT_PAINTED),
            dcc.Store(
                id=ids.PRESENT_LEVEL,
                data={"map": _map_key(parts), "name": board.name, "lang": lang},
            ),
            html.Div(
                [
                    html.H1(parts.title, id=ids.PRESENT_TITLE),
                    html.Div(parts.counter, id=ids.PRESENT_COUNTER, className="yp-slide-counter"),
                ],
                className="yp-slide-head",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.P(
                                parts.message, id=ids.PRESENT_MESSAGE, className="yp-slide-message"
                            ),
                            html.Div(
                                _narrative(parts),
                                id=ids.PRESENT_NARRATIVE,
                                className="yp-slide-narrative",
                            ),
                            html.Div(_table(parts), id=ids.PRESENT_TABLE),
                            html.Div(
                                legend(parts.measure, parts.level, lang),
                                id=ids.PRESENT_LEGEND,
                                className="yp-slide-legend",
                            ),
                        ],
                        className="yp-slide-text",
                    ),
                    html.Div(
                        [
                            dcc.Graph(
                                id=ids.PRESENT_MAP,
                                figure=slide_figure(parts.level, lang, parts.bounds),
                                config={**GRAPH_CONFIG, "displayModeBar": False},
                                className="yp-slide-graph",
                                responsive=True,
                            ),
                        ],
                        className="yp-slide-map",
                    ),
                ],
                className="yp-slide-body",
            ),
            html.Div(parts.footer, id=ids.PRESENT_FOOTER, className="yp-slide-foot"),
        ],
        id=ids.PRESENT_DECK,
        className="yp-present",
        **_data(count=str(len(board.slides)), start=str(index), lang=lang, name=board.name),
    )


def _data(**values: str) -> dict[str, Any]:
    """``data-*`` attributes for an html component (read by ``assets/yipanqi-present.js``)."""
    return {f"data-{key}": value for key, value in values.items()}


def storyboard_list(lang: str) -> html.Div:
    """Links to present each saved storyboard, and to the editor."""
    query = "?lang=en" if lang == "en" else ""
    items = []
    for name in storyboard_names():
        board = load(name)
        items.append(
            html.Li(
                [
                    html.A(f"{_s('present', lang)}：{name}", href=f"/present/{quote(name)}{query}"),
                    html.Span(
                        f"  {board.slides[0].title if board.slides else ''} · "
                        + _s("slides", lang).format(n=len(board.slides)),
                        className="yp-muted",
                    ),
                ]
            )
        )
    return html.Div(
        [
            html.H2(_s("list_title", lang)),
            html.Ul(items, className="yp-story-list"),
            html.P(html.A(_s("edit", lang), href=f"/storyboards{query}")),
            html.P(_s("keys", lang), className="yp-muted"),
        ]
    )


def index_layout(lang: str = "zh", **_: str):
    lang = lang_of(lang)
    if not periods():
        return html.Div(_s("empty_store", lang), className="yp-card yp-empty")
    return html.Div(storyboard_list(lang), className="yp-card")


dash.register_page("present_index", path="/present", title="一盘棋 · 演示稿", layout=index_layout)


def _map_key(parts: SlideParts) -> str:
    """What the map figure depends on (colours travel separately)."""
    return f"{parts.level}|{parts.scope}"


def _narrative(parts: SlideParts) -> list:
    return [html.P(line) for line in parts.narrative]


def _table(parts: SlideParts) -> html.Table:
    header, *rows = parts.table
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(c) for c in header])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        className="yp-slide-table",
    )


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
    lang = shown["lang"]
    parts = slide_parts(load(shown["name"]), int(index), lang)
    same = _map_key(parts) == shown["map"]
    figure = dash.no_update if same else slide_figure(parts.level, lang, parts.bounds)
    return (
        parts.title,
        parts.counter,
        parts.message,
        _narrative(parts),
        _table(parts),
        legend(parts.measure, parts.level, lang),
        parts.footer,
        parts.payload,
        figure,
        {**shown, "map": _map_key(parts)},
    )


clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="paintMap"),
    Output(ids.PRESENT_PAINTED, "data"),
    Input(ids.PRESENT_PAYLOAD, "data"),
    State(ids.PRESENT_MAP, "id"),
)
