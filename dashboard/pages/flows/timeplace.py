"""The flows page's time and place controls (one block of the control bar): play, which steps the
period through the store's periods (a ``dcc.Interval``, stopped by the same button), and a place
search box (a name in Chinese, or its pinyin/English name, or a code: "kunshan" finds 昆山市, the
reader's scope only) whose choice becomes the map's focus."""

from __future__ import annotations

from dash import dcc, html

from dashboard import context, ids
from dashboard.components import control
from dashboard.data import area as area_data
from dashboard.data import flows as data
from dashboard.i18n import _

PLAY_MS = 1500


def time_and_place() -> html.Div:
    return html.Div(
        [
            control(
                _("Play"),
                html.Div(
                    [
                        html.Button(
                            "▶",
                            id=ids.FLOWS_PLAY,
                            n_clicks=0,
                            className="yp-play",
                            title=_("Play the periods"),
                        ),
                        dcc.Interval(id=ids.FLOWS_TICK, interval=PLAY_MS, disabled=True),
                    ]
                ),
            ),
            control(
                _("Find a place"),
                dcc.Dropdown(
                    id=ids.FLOWS_SEARCH,
                    options=[],
                    placeholder=_("Name or code"),
                    searchable=True,
                    clearable=True,
                    style={"width": "190px"},
                    labels={
                        "search": _("Name or code"),
                        "clear_search": _("Clear"),
                        "clear_selection": _("Clear"),
                        "no_options_found": _("Nothing found: try another name or code"),
                    },
                ),
            ),
        ],
        className="yp-flows-timeplace",
    )


def place_options(query: str, lang: str) -> list[dict[str, str]]:
    """Provinces, prefectures and counties (no regions) in the reader's scope matching ``query``."""
    return [
        o
        for o in area_data.search_areas(query, lang, context.current().regions_path)
        if o["value"].isdigit()
    ]


def next_period(period: str | None) -> str:
    """The period after ``period`` (after the last: the first again; unknown: the first)."""
    available = sorted(data.available_periods())
    if period not in available:
        return available[0]
    return available[(available.index(period) + 1) % len(available)]
