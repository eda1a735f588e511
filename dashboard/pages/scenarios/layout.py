"""The scenario page's layout: the JSON editor with run, save and delete, the saved scenarios,
and the map with its controls, read from the URL's parameters."""

from __future__ import annotations

import json
from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.components import control
from dashboard.data import scenarios as data
from dashboard.i18n import _, use_language
from dashboard.pages.scenarios.view import (
    BASELINE,
    compare_options,
    layer_name,
    measure_options,
    saved_links,
)
from dashboard.theme import GRAPH_CONFIG


def layout(
    name: str = "",
    measure: str = "cert_verified",
    layer: str = "difference",
    compare: str = "",
    lang: str = "zh",
    **_query: str,
) -> html.Div:
    lang = use_language(lang)
    from dashboard.data.store import periods

    if not periods():
        return html.Div(
            _("The store is empty: ingest records first."), className="yp-card yp-empty"
        )
    measure = measure if measure in data.MEASURES else "cert_verified"
    layer = layer if layer in data.LAYERS else "difference"
    editor = (data.saved_json(name) if name else None) or json.dumps(
        data.example(), ensure_ascii=False, indent=2
    )
    return html.Div(
        [
            dcc.Location(id=ids.SCENARIOS_URL, refresh=False),
            dcc.Store(id=ids.SCENARIOS_LANG, data=lang),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(_("Scenario (JSON: name and levers)")),
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
                                    html.Button(_("Run"), id=ids.SCENARIOS_RUN, n_clicks=0),
                                    html.Button(
                                        _("Save"),
                                        id=ids.SCENARIOS_SAVE,
                                        n_clicks=0,
                                    ),
                                    html.Button(
                                        _("Delete"),
                                        id=ids.SCENARIOS_DELETE,
                                        n_clicks=0,
                                    ),
                                ],
                                style={"display": "flex", "gap": "0.5rem", "margin": "0.5rem 0"},
                            ),
                            html.Div(id=ids.SCENARIOS_STATUS, className="yp-source"),
                            html.Div(id=ids.SCENARIOS_SAVE_STATUS, className="yp-source"),
                            html.H4(_("Saved scenarios")),
                            html.Ul(saved_links(measure, layer), id=ids.SCENARIOS_SAVED),
                        ],
                        className="yp-card",
                        style={"flex": "0 0 360px"},
                    ),
                    html.Div(
                        [
                            html.Div(
                                [
                                    control(
                                        _("Measure"),
                                        dcc.Dropdown(
                                            id=ids.SCENARIOS_MEASURE,
                                            options=measure_options(),
                                            value=measure,
                                            clearable=False,
                                            style={"minWidth": "260px"},
                                        ),
                                    ),
                                    control(
                                        _("Compare with"),
                                        dcc.Dropdown(
                                            id=ids.SCENARIOS_COMPARE,
                                            options=compare_options(),
                                            value=compare or BASELINE,
                                            clearable=False,
                                            style={"minWidth": "220px"},
                                        ),
                                    ),
                                    control(
                                        _("Layer"),
                                        dcc.RadioItems(
                                            id=ids.SCENARIOS_LAYER,
                                            options=[
                                                {"label": layer_name(k), "value": k}
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
