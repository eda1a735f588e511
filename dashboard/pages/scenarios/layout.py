"""The scenario page's layout: the scenario form (with its JSON as an advanced view), run, save
and delete, the saved scenarios, and the map with its controls, read from the URL's parameters."""

from __future__ import annotations

import json
from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.components import control
from dashboard.data import scenarios as data
from dashboard.export.menu import PageView, view_footer
from dashboard.export.source import MapView
from dashboard.i18n import _, use_language
from dashboard.pages.scenarios import editor, form
from dashboard.pages.scenarios.view import (
    BASELINE,
    compare_options,
    layer_name,
    measure_options,
    pretty_json,
    saved_links,
)
from dashboard.theme import GRAPH_CONFIG


def initial_scenario(name: str, scenario: str) -> Any:
    """The scenario the page opens with: the URL's ``scenario`` (JSON, an unsaved edit), else the
    saved scenario ``name``, else the example (named ``name`` if the URL gives one)."""
    if scenario:
        try:
            return json.loads(scenario)
        except ValueError:
            pass
    saved = data.saved_json(name) if name else None
    if saved is not None:
        return json.loads(saved)
    return data.example(name or _("example"))


def layout(
    name: str = "",
    measure: str = "cert_verified",
    layer: str = "difference",
    compare: str = "",
    scenario: str = "",
    lang: str = "zh",
    **_query: str,
) -> html.Div:
    lang = use_language(lang)
    from dashboard.data.store import periods

    known = periods()
    if not known:
        return html.Div(
            _("The store is empty: ingest records first."), className="yp-card yp-empty"
        )
    measure = measure if measure in data.MEASURES else "cert_verified"
    layer = layer if layer in data.LAYERS else "difference"
    start = initial_scenario(name, scenario)
    shown = form.representable(start, known)
    _scenario, found = data.check(start)
    editor_card = html.Div(
        [
            html.Div(
                [
                    html.H3(_("Scenario"), className="yp-scen-title"),
                    html.Button(
                        _("Run"),
                        id=ids.SCENARIOS_RUN,
                        n_clicks=0,
                        className="yp-scen-button yp-scen-primary",
                    ),
                    html.Button(
                        _("Save"), id=ids.SCENARIOS_SAVE, n_clicks=0, className="yp-scen-button"
                    ),
                    html.Button(
                        _("Delete"), id=ids.SCENARIOS_DELETE, n_clicks=0, className="yp-scen-button"
                    ),
                ],
                className="yp-scen-actions",
            ),
            html.Div(id=ids.SCENARIOS_STATUS, className="yp-source"),
            html.Div(id=ids.SCENARIOS_SAVE_STATUS, className="yp-source"),
            html.Div(id=ids.SCENARIOS_STALE, className="yp-scen-stale"),
            html.Div(
                editor.form_children(
                    start if shown else {"name": "", "levers": []},
                    known,
                    found=found if shown else (),
                ),
                id=ids.SCENARIOS_FORM,
            ),
            html.Div(
                [
                    html.H4(_("In words")),
                    html.Div(editor.words(start), id=ids.SCENARIOS_WORDS),
                ],
                className="yp-scen-words",
            ),
            html.Div(
                editor.problems(found, start),
                id=ids.SCENARIOS_PROBLEMS,
                className="yp-scen-problems",
            ),
            html.Details(
                [
                    html.Summary(_("Advanced: the scenario as JSON")),
                    html.P(
                        _(
                            "The scenario file of the command line. Edits here apply when you leave "
                            "the box; the form follows."
                        ),
                        className="yp-scen-muted",
                    ),
                    dcc.Textarea(
                        id=ids.SCENARIOS_EDITOR,
                        value=pretty_json(start),
                        spellCheck=False,
                        className="yp-scen-json",
                    ),
                    html.Div(
                        ""
                        if shown
                        else _(
                            "The form cannot show this JSON: fix it here, or edit the form to replace it."
                        ),
                        id=ids.SCENARIOS_JSON_NOTE,
                        className="yp-scen-stale",
                    ),
                ],
                className="yp-scen-advanced",
            ),
            html.H4(_("Saved scenarios")),
            html.Ul(saved_links(measure, layer), id=ids.SCENARIOS_SAVED),
        ],
        className="yp-card yp-scen-editor",
    )
    return html.Div(
        [
            dcc.Location(id=ids.SCENARIOS_URL, refresh=False),
            dcc.Store(id=ids.SCENARIOS_LANG, data=lang),
            dcc.Store(id=ids.SCENARIOS_SCENARIO, data=start),
            dcc.Store(id=ids.SCENARIOS_QUERY),
            dcc.Store(id=ids.SCENARIOS_RAN),
            html.Div(
                [
                    editor_card,
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
                                            style={"minWidth": "240px"},
                                        ),
                                    ),
                                    control(
                                        _("Compare with"),
                                        dcc.Dropdown(
                                            id=ids.SCENARIOS_COMPARE,
                                            options=compare_options(),
                                            value=compare or BASELINE,
                                            clearable=False,
                                            style={"minWidth": "180px"},
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
                                    className="yp-scen-map",
                                )
                            ),
                            view_footer(
                                "scenarios",
                                PageView(MapView(measure, "county", None, lang)),
                                narrative=False,
                            ),
                            html.Div(id=ids.SCENARIOS_MODEL, className="yp-scen-model"),
                            html.Div(id=ids.SCENARIOS_SUMMARY, className="yp-scen-table"),
                        ],
                        className="yp-card yp-scen-results",
                    ),
                ],
                className="yp-scen-body",
            ),
        ],
        className="yp-scenarios",
        **editor.data_attributes(lang=lang),
    )
