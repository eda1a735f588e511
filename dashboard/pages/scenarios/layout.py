"""The scenario page's layout: the JSON editor with run, save and delete, the saved scenarios,
and the map with its controls, read from the URL's parameters."""

from __future__ import annotations

import json
from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.components import control
from dashboard.data import scenarios as data
from dashboard.i18n import lang_of, text
from dashboard.pages.scenarios.view import (
    BASELINE,
    STRINGS,
    _compare_options,
    _measure_options,
    saved_links,
)
from dashboard.theme import GRAPH_CONFIG


def layout(
    lang: str = "zh",
    name: str = "",
    measure: str = "cert_verified",
    layer: str = "difference",
    compare: str = "",
    **_: str,
) -> html.Div:
    lang = lang_of(lang)
    from dashboard.data.store import periods

    if not periods():
        return html.Div(text(STRINGS, "empty_store", lang), className="yp-card yp-empty")
    measure = measure if measure in data.MEASURES else "cert_verified"
    layer = layer if layer in data.LAYERS else "difference"
    editor = (data.saved_json(name) if name else None) or json.dumps(
        data.EXAMPLE, ensure_ascii=False, indent=2
    )
    return html.Div(
        [
            dcc.Location(id=ids.SCENARIOS_URL, refresh=False),
            dcc.Store(id=ids.SCENARIOS_LANG, data=lang),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(text(STRINGS, "editor", lang)),
                            dcc.Textarea(
                                id=ids.SCENARIOS_EDITOR,
                                value=editor,
                                style={
                                    "width": "100%",
                                    "height": "300px",
                                    "fontFamily": "monospace",
                                    "fontSize": "12px",
                                },
                            ),
                            html.Div(
                                [
                                    html.Button(
                                        text(STRINGS, "run", lang), id=ids.SCENARIOS_RUN, n_clicks=0
                                    ),
                                    html.Button(
                                        text(STRINGS, "save", lang),
                                        id=ids.SCENARIOS_SAVE,
                                        n_clicks=0,
                                    ),
                                    html.Button(
                                        text(STRINGS, "delete", lang),
                                        id=ids.SCENARIOS_DELETE,
                                        n_clicks=0,
                                    ),
                                ],
                                style={"display": "flex", "gap": "0.5rem", "margin": "0.5rem 0"},
                            ),
                            html.Div(id=ids.SCENARIOS_STATUS, className="yp-source"),
                            html.Div(id=ids.SCENARIOS_SAVE_STATUS, className="yp-source"),
                            html.H4(text(STRINGS, "saved", lang)),
                            html.Ul(saved_links(lang, measure, layer), id=ids.SCENARIOS_SAVED),
                        ],
                        className="yp-card",
                        style={"flex": "0 0 360px"},
                    ),
                    html.Div(
                        [
                            html.Div(
                                [
                                    control(
                                        text(STRINGS, "measure", lang),
                                        dcc.Dropdown(
                                            id=ids.SCENARIOS_MEASURE,
                                            options=_measure_options(lang),
                                            value=measure,
                                            clearable=False,
                                            style={"minWidth": "260px"},
                                        ),
                                    ),
                                    control(
                                        text(STRINGS, "compare", lang),
                                        dcc.Dropdown(
                                            id=ids.SCENARIOS_COMPARE,
                                            options=_compare_options(lang),
                                            value=compare or BASELINE,
                                            clearable=False,
                                            style={"minWidth": "220px"},
                                        ),
                                    ),
                                    control(
                                        text(STRINGS, "layer", lang),
                                        dcc.RadioItems(
                                            id=ids.SCENARIOS_LAYER,
                                            options=[
                                                {"label": text(STRINGS, k, lang), "value": k}
                                                for k in data.LAYERS
                                            ],
                                            value=layer,
                                            inline=True,
                                        ),
                                    ),
                                ],
                                className="yp-controls",
                            ),
                            dcc.Loading(
                                dcc.Graph(
                                    id=ids.SCENARIOS_MAP,
                                    config=GRAPH_CONFIG,
                                    style={"height": "620px"},
                                )
                            ),
                            html.Div(id=ids.SCENARIOS_MODEL, className="yp-source"),
                            html.Div(id=ids.SCENARIOS_SUMMARY),
                        ],
                        className="yp-card",
                        style={"flex": "1 1 auto", "minWidth": 0},
                    ),
                ],
                style={"display": "flex", "gap": "1rem", "alignItems": "flex-start"},
            ),
        ],
        className="yp-scenarios",
        **_data_lang(lang),
    )


def _data_lang(lang: str) -> Any:
    return {"data-lang": lang}
