"""The scenario page's callbacks: run (map, summary, model fit, status) and save or delete."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback

from dashboard import ids
from dashboard.data import scenarios as data
from dashboard.i18n import _, lang_params, use_language
from dashboard.pages.scenarios.view import (
    compare_options,
    map_figure,
    model_line,
    reference_result,
    saved_links,
    scenario_query,
    summary_table,
)
from dashboard.security import inputs
from planning.errors import ScenarioError
from planning.scenario import parse_scenario


@callback(
    Output(ids.SCENARIOS_MAP, "figure"),
    Output(ids.SCENARIOS_SUMMARY, "children"),
    Output(ids.SCENARIOS_MODEL, "children"),
    Output(ids.SCENARIOS_STATUS, "children"),
    Input(ids.SCENARIOS_RUN, "n_clicks"),
    Input(ids.SCENARIOS_MEASURE, "value"),
    Input(ids.SCENARIOS_LAYER, "value"),
    Input(ids.SCENARIOS_COMPARE, "value"),
    State(ids.SCENARIOS_EDITOR, "value"),
    State(ids.SCENARIOS_LANG, "data"),
)
def run(_clicks: int, measure: str, layer: str, compare: str, editor: str, lang: str):
    use_language(lang)
    measure = inputs.choice(measure, data.MEASURES, "measure")
    layer = inputs.choice(layer, data.LAYERS, "layer")
    compare, editor = inputs.text(compare, "comparison"), inputs.text(editor, "scenario")
    try:
        scenario = parse_scenario(json.loads(editor))
        res = data.result(data.canonical_json(scenario))
        reference = reference_result(compare, res.period)
    except (ValueError, ScenarioError) as exc:
        return dash.no_update, dash.no_update, dash.no_update, f"⚠ {exc}"
    status = _("“{name}”: period {period}, {n} lever(s)").format(
        name=scenario.name, period=res.period, n=len(scenario.levers)
    )
    for note in res.notes:
        status += f" · {note}"
    return (
        map_figure(res, measure, layer, reference),
        summary_table(res, reference),
        model_line(res),
        status,
    )


@callback(
    Output(ids.SCENARIOS_SAVE_STATUS, "children"),
    Output(ids.SCENARIOS_URL, "search"),
    Output(ids.SCENARIOS_SAVED, "children"),
    Output(ids.SCENARIOS_COMPARE, "options"),
    Input(ids.SCENARIOS_SAVE, "n_clicks"),
    Input(ids.SCENARIOS_DELETE, "n_clicks"),
    State(ids.SCENARIOS_EDITOR, "value"),
    State(ids.SCENARIOS_MEASURE, "value"),
    State(ids.SCENARIOS_LAYER, "value"),
    State(ids.SCENARIOS_COMPARE, "value"),
    State(ids.SCENARIOS_LANG, "data"),
    prevent_initial_call=True,
)
def save_or_delete(
    _save: int, _delete: int, editor: str, measure: str, layer: str, compare: str, lang: str
):
    use_language(lang)
    deleting = dash.ctx.triggered_id == ids.SCENARIOS_DELETE
    measure = inputs.choice(measure, data.MEASURES, "measure")
    layer = inputs.choice(layer, data.LAYERS, "layer")
    compare, editor = inputs.text(compare, "comparison"), inputs.text(editor, "scenario")
    try:
        scenario = parse_scenario(json.loads(editor))
        if deleting:
            data.delete(scenario.name)
        elif data.name_hidden(scenario.name):
            message = _("The name “{name}” is taken by a scenario outside your scope: pick another name.")
            return f"⚠ {message.format(name=scenario.name)}", dash.no_update, dash.no_update, dash.no_update
        else:
            data.save(scenario)
    except (ValueError, ScenarioError) as exc:
        return f"⚠ {exc}", dash.no_update, dash.no_update, dash.no_update
    if deleting:
        search = "?" + urlencode({"measure": measure, "layer": layer, **lang_params()})
        return (
            _("Deleted: ") + scenario.name,
            search,
            saved_links(measure, layer),
            compare_options(),
        )
    return (
        _("Saved: ") + scenario.name,
        "?" + scenario_query(scenario.name, measure, layer, compare),
        saved_links(measure, layer),
        compare_options(),
    )
