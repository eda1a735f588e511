"""The menu's layout: the search box, the pilots and the regions."""

from __future__ import annotations

from dash import dcc, html

from dashboard import context, ids
from dashboard.data import area as data
from dashboard.i18n import _, use_language
from dashboard.pages.areas.view import pilot_card, region_cards


def layout(**query: str) -> html.Div:
    lang = use_language(query.get("lang"))
    regions_path = context.current().regions_path
    return html.Div(
        [
            dcc.Location(id=ids.AREAS_GO, refresh="callback-nav"),
            dcc.Store(id=ids.AREAS_KEY, data={"lang": lang}),
            html.H2(_("Pilots & areas")),
            html.P(
                _(
                    "Pilot areas and any province, prefecture or county in detail: map, indicators against targets, monthly trends, top origins and destinations, two-way assessment."
                ),
                className="yp-areas-muted",
            ),
            html.Div(
                [
                    html.Label(_("Find an area"), htmlFor=ids.AREAS_PICKER),
                    dcc.Dropdown(
                        id=ids.AREAS_PICKER,
                        options=[],
                        placeholder=_("Type a name or an adcode, such as Kunshan or 320583"),
                        searchable=True,
                        clearable=True,
                        labels={
                            "search": _("Name or code"),
                            "clear_search": _("Clear"),
                            "clear_selection": _("Clear"),
                            "no_options_found": _("Nothing found: try another name or code"),
                        },
                    ),
                ],
                className="yp-card yp-areas-search",
            ),
            html.H3(_("Pilot areas")),
            html.Div(
                [pilot_card(a) for a in data.pilots(regions_path)],
                className="yp-areas-pilots",
                id=ids.AREAS_PILOTS,
            ),
            html.H3(_("The four collaboration regions")),
            html.Div(region_cards(regions_path), className="yp-areas-regions"),
        ],
        className="yp-areas",
    )
