"""The storyboard editor's layout: pick, present, save and download; the slides; add a slide."""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html

from dashboard import context, ids
from dashboard.data.area import find_area
from dashboard.i18n import _, lang_query, pick, use_language
from dashboard.pages.storyboards.view import field, slide_rows
from dashboard.story.model import (
    Storyboard,
)
from dashboard.story.slides import load, regions, storyboard_names


def layout(name: str = "", lang: str = "zh", **_query: str):
    use_language(lang)
    names = storyboard_names()
    name = name if name in names else (names[0] if names else "")
    board = load(name) if name else Storyboard("")
    query = lang_query()
    return html.Div(
        [
            dcc.Location(id=ids.STORYBOARDS_URL, refresh="callback-nav"),
            html.H2(_("Storyboards")),
            html.Div(
                [
                    html.Label(_("Storyboard")),
                    dcc.Dropdown(
                        id=ids.STORYBOARDS_PICKER,
                        options=[{"label": n, "value": n} for n in names],
                        value=name or None,
                        clearable=False,
                        style={"minWidth": "260px"},
                    ),
                    html.A(
                        _("▶ Present"),
                        id=ids.STORYBOARDS_PRESENT,
                        href=f"/present/{quote(name)}{query}" if name else "#",
                        className="yp-story-present",
                    ),
                    html.Button(_("Save titles and messages"), id=ids.STORYBOARDS_SAVE, n_clicks=0),
                    html.Button(_("Download PPTX"), id=ids.STORYBOARDS_PPTX, n_clicks=0),
                    html.Button(_("Download PDF"), id=ids.STORYBOARDS_PDF, n_clicks=0),
                    dcc.Loading(dcc.Download(id=ids.STORYBOARDS_DOWNLOAD)),
                    html.Span(
                        _("A briefing pack takes about 5-8 s per map to make."),
                        className="yp-muted",
                    ),
                    html.Span(id=ids.STORYBOARDS_STATUS, className="yp-muted"),
                ],
                className="yp-story-form",
            ),
            html.Div(slide_rows(board), id=ids.STORYBOARDS_SLIDES),
            html.H3(_("Add a slide from a page link")),
            html.Div(
                [
                    field(
                        _("Storyboard name"),
                        dcc.Input(
                            id=ids.STORYBOARDS_NEW_NAME, value=name, style={"width": "12rem"}
                        ),
                    ),
                    field(
                        _("Page link (overview /?measure=… or /area/<code>)"),
                        dcc.Input(id=ids.STORYBOARDS_NEW_URL, value="", style={"width": "28rem"}),
                    ),
                    field(
                        _("Region"),
                        dcc.Dropdown(
                            id=ids.STORYBOARDS_NEW_REGION,
                            options=[{"label": _("National"), "value": ""}]
                            + [
                                {"label": pick(r.name_zh, r.name_en), "value": r.code}
                                for r in regions().regions
                                if find_area(r.code, context.current().regions_path) is not None
                            ],
                            value="",
                            clearable=False,
                            style={"minWidth": "180px"},
                        ),
                    ),
                    field(
                        _("Title"),
                        dcc.Input(id=ids.STORYBOARDS_NEW_TITLE, style={"width": "16rem"}),
                    ),
                    html.Button(_("Add"), id=ids.STORYBOARDS_ADD, n_clicks=0),
                ],
                className="yp-story-form",
            ),
        ],
        className="yp-card",
    )
