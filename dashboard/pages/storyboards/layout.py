"""The storyboard editor's layout: pick, present, save and download; the slides; add a slide."""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import lang_of
from dashboard.pages.storyboards.view import _field, _s, slide_rows
from dashboard.story.model import (
    Storyboard,
)
from dashboard.story.slides import load, regions, storyboard_names


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
