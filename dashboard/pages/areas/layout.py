"""The menu's layout: the search box, the pilots and the regions."""

from __future__ import annotations

from dash import dcc, html

from dashboard import context, ids
from dashboard.data import area as data
from dashboard.i18n import lang_of
from dashboard.pages.areas.view import _s, pilot_card, region_cards


def layout(**query: str) -> html.Div:
    lang = lang_of(query.get("lang"))
    regions_path = context.current().regions_path
    return html.Div(
        [
            dcc.Location(id=ids.AREAS_GO, refresh="callback-nav"),
            dcc.Store(id=ids.AREAS_KEY, data={"lang": lang}),
            html.H2(_s("title", lang)),
            html.P(_s("intro", lang), className="yp-areas-muted"),
            html.Div(
                [
                    html.Label(_s("search", lang), htmlFor=ids.AREAS_PICKER),
                    dcc.Dropdown(
                        id=ids.AREAS_PICKER,
                        options=[],
                        placeholder=_s("search_hint", lang),
                        searchable=True,
                        clearable=True,
                        labels={
                            "search": _s("search_box", lang),
                            "clear_search": _s("clear", lang),
                            "clear_selection": _s("clear", lang),
                            "no_options_found": _s("none_found", lang),
                        },
                    ),
                ],
                className="yp-card yp-areas-search",
            ),
            html.H3(_s("pilots", lang)),
            html.Div(
                [pilot_card(a, lang) for a in data.pilots(regions_path)],
                className="yp-areas-pilots",
                id=ids.AREAS_PILOTS,
            ),
            html.H3(_s("regions", lang)),
            html.Div(region_cards(lang, regions_path), className="yp-areas-regions"),
        ],
        className="yp-areas",
    )
