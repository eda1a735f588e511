"""The presentation's layouts: a deck (``/present/<name>``) and the list of storyboards
(``/present``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from dash import dcc, html

from dashboard import context, ids
from dashboard.data import geo
from dashboard.data.store import periods
from dashboard.i18n import _, colon, lang_query, use_language
from dashboard.pages.overview.view import GRAPH_CONFIG, legend
from dashboard.pages.present.view import map_key, narrative_lines, slide_table
from dashboard.story.defaults import board_label
from dashboard.story.model import StoryboardError
from dashboard.story.slides import load, slide_figure, slide_parts, storyboard_names


def layout(name: str = "", slide: str = "1", lang: str = "zh", **_query: str):
    lang = use_language(lang)
    if not periods():
        return html.Div(_("The store has no aggregates yet."), className="yp-card yp-empty")
    try:
        board = load(name)
    except StoryboardError:
        return html.Div(
            [
                html.P(_("There is no storyboard named {name}.").format(name=name)),
                storyboard_list(),
            ],
            className="yp-card yp-empty",
        )
    try:
        index = max(0, min(int(slide) - 1, len(board.slides) - 1))
    except ValueError:
        index = 0
    parts = slide_parts(board, index)
    return html.Div(
        [
            dcc.Store(id=ids.PRESENT_INDEX, data=index),
            dcc.Store(id=ids.PRESENT_PAYLOAD, data=parts.payload),
            dcc.Store(id=ids.PRESENT_PAINTED),
            dcc.Store(
                id=ids.PRESENT_LEVEL,
                data={"map": map_key(parts), "name": board.name, "lang": lang},
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
                                narrative_lines(parts),
                                id=ids.PRESENT_NARRATIVE,
                                className="yp-slide-narrative",
                            ),
                            html.Div(slide_table(parts), id=ids.PRESENT_TABLE),
                            html.Div(
                                legend(parts.measure, parts.level, parts.period),
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
                                figure=slide_figure(parts.level, parts.bounds, parts.labels, parts.outline),
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


def storyboard_list() -> html.Div:
    """Links to present each saved storyboard, and to the editor."""
    query = lang_query()
    regions_path = context.current().regions_path
    items = []
    for name in storyboard_names():
        board = load(name)
        items.append(
            html.Li(
                [
                    html.A(
                        f"{_('Present')}{colon()}{board_label(name, geo.regions(regions_path))}",
                        href=f"/present/{quote(name)}{query}",
                    ),
                    html.Span(
                        f"  {board.slides[0].title if board.slides else ''} · "
                        + _("{n} slides").format(n=len(board.slides)),
                        className="yp-muted",
                    ),
                ]
            )
        )
    return html.Div(
        [
            html.H2(_("Storyboards")),
            html.Ul(items, className="yp-story-list"),
            html.P(html.A(_("Edit storyboards"), href=f"/storyboards{query}")),
            html.P(
                _("→ / Space / PageDown next · ← / PageUp previous · F full screen · Esc leave"),
                className="yp-muted",
            ),
        ]
    )


def index_layout(lang: str = "zh", **_query: str):
    use_language(lang)
    if not periods():
        return html.Div(_("The store has no aggregates yet."), className="yp-card yp-empty")
    return html.Div(storyboard_list(), className="yp-card")
