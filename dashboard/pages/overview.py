"""总览 Overview: headline numbers against targets and a national choropleth of any measure.

State lives in the URL (``?measure=&level=&period=&lang=``): ``layout`` reads it, and changes are
written back with ``history.replaceState`` so the page is not rebuilt. The map figure (geometry by
URL) is built once per level; measure and period changes send only a colour-and-text payload that
``assets/yipanqi-map.js`` paints onto the existing paths.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import context, ids
from dashboard.components import control
from dashboard.data.overview import CENSUS_MEASURES, FLOW_MEASURES, LEVELS, MEASURES
from dashboard.data.store import periods
from dashboard.figures.china_map import paintable_choropleth
from dashboard.i18n import indicator_name, lang_of, lang_of_search, t, text
from dashboard.overview_view import (
    GRAPH_CONFIG,
    STRINGS,
    headline_cards,
    legend,
    map_payload,
    measure_label,
    unit_hover_names,
)
from etl.records import INDICATORS

dash.register_page(__name__, path="/", name="总览", title="一盘棋 · 总览")

DEFAULT_MEASURE = "cert_verified"
DEFAULT_LEVEL = "prefecture"


def layout(
    measure: str = DEFAULT_MEASURE,
    level: str = DEFAULT_LEVEL,
    period: str = "",
    lang: str = "zh",
    **_: str,
):
    lang = lang_of(lang)
    available = periods()
    if not available:
        return html.Div(text(STRINGS, "empty_store", lang), className="yp-card yp-empty")
    measure = measure if measure in MEASURES else DEFAULT_MEASURE
    level = level if level in LEVELS else DEFAULT_LEVEL
    period = period if period in available else available[-1]
    index = available.index(period)
    return html.Div(
        [
            dcc.Location(id=ids.OVERVIEW_URL, refresh="callback-nav"),
            dcc.Store(id=ids.OVERVIEW_VALUES, data=map_payload(measure, level, period, lang)),
            dcc.Store(id=ids.OVERVIEW_PAINTED),
            dcc.Store(id=ids.OVERVIEW_QUERY),
            dcc.Interval(id=ids.OVERVIEW_TICK, interval=1200, disabled=True),
            html.Div(
                [
                    control(
                        text(STRINGS, "measure", lang),
                        dcc.Dropdown(
                            id=ids.OVERVIEW_MEASURE,
                            options=_measure_options(lang),
                            value=measure,
                            clearable=False,
                            style={"minWidth": "300px"},
                        ),
                    ),
                    control(
                        text(STRINGS, "level", lang),
                        dcc.RadioItems(
                            id=ids.OVERVIEW_LEVEL,
                            options=[
                                {"label": t(f"level_{lv}", lang), "value": lv} for lv in LEVELS
                            ],
                            value=level,
                            inline=True,
                            className="yp-radio",
                        ),
                    ),
                    control(
                        t("period", lang),
                        html.Div(
                            [
                                html.Button(
                                    "▶",
                                    id=ids.OVERVIEW_PLAY,
                                    n_clicks=0,
                                    className="yp-play",
                                    title=text(STRINGS, "play", lang),
                                ),
                                html.Div(
                                    dcc.Slider(
                                        id=ids.OVERVIEW_PERIOD,
                                        min=0,
                                        max=len(available) - 1,
                                        step=1,
                                        value=index,
                                        marks=_period_marks(available),
                                        updatemode="drag",
                                        allow_direct_input=False,
                                    ),
                                    className="yp-slider",
                                ),
                                html.Span(
                                    period,
                                    id=ids.OVERVIEW_PERIOD_LABEL,
                                    className="yp-period-label",
                                ),
                            ],
                            className="yp-period",
                        ),
                        grow=True,
                    ),
                ],
                className="yp-controls",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            dcc.Graph(
                                id=ids.OVERVIEW_MAP,
                                figure=_figure(level, lang),
                                config=GRAPH_CONFIG,
                                style={"height": "calc(100vh - 175px)", "minHeight": "500px"},
                            ),
                            html.Div(
                                legend(measure, level, lang),
                                id=ids.OVERVIEW_LEGEND,
                                className="yp-legend",
                            ),
                        ],
                        className="yp-card yp-map-card",
                    ),
                    html.Div(
                        headline_cards(period, lang),
                        id=ids.OVERVIEW_HEADLINES,
                        className="yp-headlines",
                    ),
                ],
                className="yp-overview-body",
            ),
            html.Div(text(STRINGS, "source", lang), className="yp-source"),
        ]
    )


def _period_marks(available: tuple[str, ...]) -> dict[int, str]:
    """Year marks at each January, and the first and last periods."""
    marks = {i: p[:4] for i, p in enumerate(available) if p.endswith("-01")}
    marks.setdefault(0, available[0])
    marks.setdefault(len(available) - 1, available[-1])
    return marks


def _measure_options(lang: str) -> list[dict]:
    """Coverage indicators first, then flow measures, then the census shares."""
    coverage = [{"label": indicator_name(i.flag, lang), "value": i.flag} for i in INDICATORS]
    others = [
        {"label": measure_label(m, lang), "value": m} for m in (*FLOW_MEASURES, *CENSUS_MEASURES)
    ]
    return coverage + others


def _figure(level: str, lang: str) -> dict:
    codes, names = unit_hover_names(level, lang)
    return paintable_choropleth(
        codes, names, **context.current().national_frame(level, lang), height=620
    )


@callback(
    Output(ids.OVERVIEW_VALUES, "data"),
    Output(ids.OVERVIEW_LEGEND, "children"),
    Output(ids.OVERVIEW_HEADLINES, "children"),
    Output(ids.OVERVIEW_PERIOD_LABEL, "children"),
    Output(ids.OVERVIEW_QUERY, "data"),
    Input(ids.OVERVIEW_MEASURE, "value"),
    Input(ids.OVERVIEW_LEVEL, "value"),
    Input(ids.OVERVIEW_PERIOD, "value"),
    State(ids.OVERVIEW_URL, "search"),
    prevent_initial_call=True,
)
def update_view(measure: str, level: str, index: int, search: str | None):
    lang = lang_of_search(search)
    period = periods()[int(index)]
    query = "?" + urlencode({"measure": measure, "level": level, "period": period, "lang": lang})
    return (
        map_payload(measure, level, period, lang),
        legend(measure, level, lang),
        headline_cards(period, lang),
        period,
        query,
    )


@callback(
    Output(ids.OVERVIEW_MAP, "figure"),
    Input(ids.OVERVIEW_LEVEL, "value"),
    State(ids.OVERVIEW_URL, "search"),
    prevent_initial_call=True,
)
def change_level(level: str, search: str | None):
    return _figure(level, lang_of_search(search))


@callback(
    Output(ids.OVERVIEW_TICK, "disabled"),
    Output(ids.OVERVIEW_PLAY, "children"),
    Input(ids.OVERVIEW_PLAY, "n_clicks"),
    prevent_initial_call=True,
)
def toggle_play(n_clicks: int):
    playing = n_clicks % 2 == 1
    return not playing, "❚❚" if playing else "▶"


@callback(
    Output(ids.OVERVIEW_PERIOD, "value"),
    Input(ids.OVERVIEW_TICK, "n_intervals"),
    State(ids.OVERVIEW_PERIOD, "value"),
    prevent_initial_call=True,
)
def advance(_n: int, index: int):
    return (int(index) + 1) % len(periods())


@callback(
    Output(ids.OVERVIEW_URL, "href"),
    Input(ids.OVERVIEW_MAP, "clickData"),
    State(ids.OVERVIEW_URL, "search"),
    prevent_initial_call=True,
)
def open_area(click: dict | None, search: str | None):
    code = click["points"][0]["customdata"] if click and click.get("points") else None
    if not code:
        return dash.no_update
    return f"/area/{code}?lang={lang_of_search(search)}"


clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="paintMap"),
    Output(ids.OVERVIEW_PAINTED, "data"),
    Input(ids.OVERVIEW_VALUES, "data"),
    State(ids.OVERVIEW_MAP, "id"),
)

clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="replaceQuery"),
    Output(ids.OVERVIEW_QUERY, "data", allow_duplicate=True),
    Input(ids.OVERVIEW_QUERY, "data"),
    prevent_initial_call=True,
)
