"""The scenario page's callbacks.

- ``edit``: the one writer of the scenario JSON (``ids.SCENARIOS_SCENARIO``): from the form's
  fields, the add and remove buttons, a click on the map, or the advanced view's JSON (when the
  box loses focus). A change of the form's structure redraws the form; a field's change writes the
  JSON and leaves the form as it is (the field keeps the focus).
- ``describe``: the scenario in words and its problems, as the JSON changes.
- ``remember``: the page's state in the URL (``history.replaceState``, no reload) at every step.
- ``run``: map, region table, model fit and status; ``save_or_delete``: the planner's writes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import dash
from dash import (
    ALL,
    MATCH,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
)

from dashboard import ids
from dashboard.data import scenarios as data
from dashboard.data.store import periods
from dashboard.export.menu import PageView, register
from dashboard.export.scenario import ScenarioFiles, ScenarioView
from dashboard.export.source import MapView
from dashboard.i18n import N_, _, use_language
from dashboard.pages.scenarios import editor, form
from dashboard.pages.scenarios.view import (
    BASELINE,
    SIDE_NOT_EXPORTABLE,
    compare_options,
    export_refusal,
    map_figure,
    model_block,
    page_query,
    pretty_json,
    reference_result,
    saved_links,
    summary_table,
)
from dashboard.pages.scenarios.words import json_error_text, problem_text, reason_text
from dashboard.security import inputs
from planning.errors import ScenarioError
from planning.scenario import parse_scenario

NO = dash.no_update
PATH = "/scenarios"


def _single(prop: str) -> Any:
    """The value of ``prop`` (``id.property``) when it alone triggered this call, else None."""
    triggered = ctx.triggered
    if len(triggered) == 1 and triggered[0].get("prop_id") == prop:
        return triggered[0].get("value")
    return None


def _pressed_remove() -> int | None:
    """The lever whose remove button alone triggered this call (a click, not a redraw)."""
    triggered = ctx.triggered
    if len(triggered) != 1 or not triggered[0].get("value"):
        return None
    pressed = ctx.triggered_id
    if isinstance(pressed, dict) and pressed.get("type") == ids.SCENARIOS_REMOVE:
        lever = pressed.get("lever")
        return lever if isinstance(lever, int) else None
    return None


def _form_now() -> dict[str, Any]:
    """The scenario the form's fields hold now."""
    fields = ctx.inputs_list[2] if len(ctx.inputs_list) > 2 else []
    kinds_list = ctx.states_list[1] if len(ctx.states_list) > 1 else []
    values: dict[form.Key, Any] = {}
    for item in fields if isinstance(fields, list) else []:
        key = item.get("id") if isinstance(item, dict) else None
        if not isinstance(key, dict):
            continue
        lever, field = key.get("lever"), key.get("field")
        if (isinstance(lever, int) or lever == form.HEAD) and isinstance(field, str):
            values[(lever, field)] = item.get("value")
    kinds = {}
    for item in kinds_list if isinstance(kinds_list, list) else []:
        key = item.get("id") if isinstance(item, dict) else None
        if isinstance(key, dict) and isinstance(key.get("lever"), int):
            kinds[key["lever"]] = item.get("value")
    ordered = [str(kinds[i]) for i in sorted(kinds)]
    return form.from_form(ordered, values)


def _redraw(scenario: dict, target: Any = None, add_kind: Any = None) -> tuple:
    children = editor.form_children(scenario, periods(), target, add_kind)
    return scenario, children, pretty_json(scenario), ""


@callback(
    Output(ids.SCENARIOS_SCENARIO, "data"),
    Output(ids.SCENARIOS_FORM, "children"),
    Output(ids.SCENARIOS_EDITOR, "value"),
    Output(ids.SCENARIOS_JSON_NOTE, "children"),
    Input(ids.SCENARIOS_ADD, "n_clicks"),
    Input({"type": ids.SCENARIOS_REMOVE, "lever": ALL}, "n_clicks"),
    Input({"type": ids.SCENARIOS_FIELD, "lever": ALL, "field": ALL}, "value"),
    Input(ids.SCENARIOS_EDITOR, "n_blur"),
    Input(ids.SCENARIOS_MAP, "clickData"),
    State(ids.SCENARIOS_ADD_KIND, "value"),
    State({"type": ids.SCENARIOS_KIND, "lever": ALL}, "data"),
    State(ids.SCENARIOS_EDITOR, "value"),
    State(ids.SCENARIOS_SCENARIO, "data"),
    State(ids.SCENARIOS_MAP_TARGET, "value"),
    State(ids.SCENARIOS_LANG, "data"),
    prevent_initial_call=True,
)
def edit(
    _add: Any, _removes: Any, _fields: Any, _blur: Any, click: Any, add_kind: Any, _kinds: Any,
    text: Any, scenario: Any, target: Any, lang: Any,
):  # fmt: skip
    use_language(lang)
    known = periods()
    if _single(f"{ids.SCENARIOS_EDITOR}.n_blur") is not None:
        return _apply_json(text, scenario, known)
    current = scenario if form.representable(scenario, known) else _form_now()
    levers = list(current.get("levers") or [])
    if _single(f"{ids.SCENARIOS_ADD}.n_clicks"):
        levers.append(form.new_lever(str(add_kind)))
        return _redraw({**current, "levers": levers}, len(levers) - 1, add_kind)
    removed = _pressed_remove()
    if removed is not None and 0 <= removed < len(levers):
        del levers[removed]
        keep = target if isinstance(target, int) and target < removed else None
        return _redraw({**current, "levers": levers}, keep, add_kind)
    if _single(f"{ids.SCENARIOS_MAP}.clickData") is not None:
        return _click(click, current, target, add_kind)
    now = _form_now()
    if form.normalized(now) == form.normalized(scenario):
        return NO, NO, NO, NO  # the form was redrawn from the JSON it now gives back
    return now, NO, pretty_json(now), ""


def _apply_json(text: Any, scenario: Any, known: tuple[str, ...]) -> tuple:
    """The advanced view's JSON into the scenario, and into the form when the form can hold it."""
    try:
        parsed = json.loads(text if isinstance(text, str) else "")
    except ValueError as error:
        return NO, NO, NO, json_error_text(error)
    if form.normalized(parsed) == form.normalized(scenario):
        return NO, NO, NO, ""
    if isinstance(parsed, dict) and form.representable(parsed, known):
        return parsed, editor.form_children(parsed, known), NO, ""
    note = _("The form cannot show this JSON: fix it here, or edit the form to replace it.")
    return parsed, NO, NO, note


def _click(click: Any, scenario: dict, target: Any, add_kind: Any) -> tuple:
    """A county clicked on the map joins the areas of the target lever (or leaves them, if it
    was there)."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
    code = point.get("location")
    levers = [dict(lever) for lever in scenario.get("levers") or []]
    if not (
        isinstance(code, str)
        and code.isdigit()
        and isinstance(target, int)
        and 0 <= target < len(levers)
    ):
        return NO, NO, NO, NO
    areas = [a for a in levers[target].get("areas") or [] if isinstance(a, str)]
    levers[target]["areas"] = [a for a in areas if a != code] if code in areas else [*areas, code]
    return _redraw({**scenario, "levers": levers}, target, add_kind)


@callback(
    Output({"type": ids.SCENARIOS_FIELD, "lever": MATCH, "field": "areas"}, "options"),
    Input({"type": ids.SCENARIOS_FIELD, "lever": MATCH, "field": "areas"}, "search_value"),
    State({"type": ids.SCENARIOS_FIELD, "lever": MATCH, "field": "areas"}, "value"),
    State(ids.SCENARIOS_LANG, "data"),
    prevent_initial_call=True,
)
def search_areas(query: Any, chosen: Any, lang: Any):
    if not isinstance(query, str) or not query.strip():
        return NO
    chosen = [c for c in chosen if isinstance(c, str)] if isinstance(chosen, list) else []
    return data.search_area_options(query, chosen, use_language(lang))


@callback(
    Output(ids.SCENARIOS_WORDS, "children"),
    Output(ids.SCENARIOS_PROBLEMS, "children"),
    Output(ids.SCENARIOS_STALE, "children"),
    Output({"type": ids.SCENARIOS_LEVER_PROBLEMS, "lever": ALL}, "children"),
    Input(ids.SCENARIOS_SCENARIO, "data"),
    Input(ids.SCENARIOS_RAN, "data"),
    State(ids.SCENARIOS_LANG, "data"),
    prevent_initial_call=True,
)
def describe(scenario: Any, ran: Any, lang: Any):
    use_language(lang)
    checked, found = data.check(scenario)
    now = data.canonical_json(checked) if checked is not None else None
    stale = (
        _("Changed since the last run: press Run to update the map and the table.")
        if isinstance(ran, str) and now != ran
        else ""
    )
    cards = ctx.outputs_list[3] if len(ctx.outputs_list) > 3 else None
    in_cards: Any = NO
    if isinstance(cards, list):  # the cards show the store's levers unless it is JSON-only
        shown = form.representable(scenario, periods())
        in_cards = [
            editor.lever_problems(c["id"]["lever"], found) if shown else []
            for c in cards
            if isinstance(c, dict) and isinstance(c.get("id"), dict)
        ]
    return editor.words(scenario), editor.problems(found, scenario), stale, in_cards


@callback(
    Output(ids.SCENARIOS_QUERY, "data"),
    Input(ids.SCENARIOS_SCENARIO, "data"),
    Input(ids.SCENARIOS_MEASURE, "value"),
    Input(ids.SCENARIOS_LAYER, "value"),
    Input(ids.SCENARIOS_COMPARE, "value"),
    State(ids.SCENARIOS_LANG, "data"),
    prevent_initial_call=True,
)
def remember(scenario: Any, measure: Any, layer: Any, compare: Any, lang: Any):
    use_language(lang)
    return page_query(scenario, measure, layer, compare)


clientside_callback(
    ClientsideFunction(namespace="yipanqi", function_name="replaceQuery"),
    Output(ids.SCENARIOS_QUERY, "data", allow_duplicate=True),
    Input(ids.SCENARIOS_QUERY, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.SCENARIOS_MAP, "figure"),
    Output(ids.SCENARIOS_SUMMARY, "children"),
    Output(ids.SCENARIOS_MODEL, "children"),
    Output(ids.SCENARIOS_STATUS, "children"),
    Output(ids.SCENARIOS_RAN, "data"),
    Input(ids.SCENARIOS_RUN, "n_clicks"),
    Input(ids.SCENARIOS_MEASURE, "value"),
    Input(ids.SCENARIOS_LAYER, "value"),
    Input(ids.SCENARIOS_COMPARE, "value"),
    State(ids.SCENARIOS_SCENARIO, "data"),
    State(ids.SCENARIOS_LANG, "data"),
)
def run(_clicks: Any, measure: Any, layer: Any, compare: Any, stored: Any, lang: Any):
    use_language(lang)
    measure = inputs.choice(measure, data.MEASURES, "measure")
    layer = inputs.choice(layer, data.LAYERS, "layer")
    compare = inputs.text(compare, "comparison")
    scenario, found = data.check(stored)
    if scenario is None:
        first = problem_text(found[0], stored) if found else ""
        message = _("⚠ Fix the problems listed under the form first ({problem}).").format(
            problem=first
        )
        return NO, NO, NO, message, NO
    key = data.canonical_json(scenario)
    try:
        res = data.result(key)
        reference = reference_result(compare, res.period)
    except ScenarioError as exc:
        return (
            NO,
            NO,
            NO,
            "⚠ " + _("The scenario could not be run: {reason}").format(reason=reason_text(exc)),
            NO,
        )
    status = _("“{name}”: period {period}, {n} lever(s)").format(
        name=scenario.name, period=res.period, n=len(scenario.levers)
    )
    for note in res.notes:
        status += f" · {note}"
    return (
        map_figure(res, measure, layer, reference),
        summary_table(res, reference),
        model_block(res),
        status,
        key,
    )


@callback(
    Output(ids.SCENARIOS_SAVE_STATUS, "children"),
    Output(ids.SCENARIOS_URL, "href"),  # not "search": its stale href would win (replaceState)
    Output(ids.SCENARIOS_SAVED, "children"),
    Output(ids.SCENARIOS_COMPARE, "options"),
    Input(ids.SCENARIOS_SAVE, "n_clicks"),
    Input(ids.SCENARIOS_DELETE, "n_clicks"),
    State(ids.SCENARIOS_SCENARIO, "data"),
    State(ids.SCENARIOS_MEASURE, "value"),
    State(ids.SCENARIOS_LAYER, "value"),
    State(ids.SCENARIOS_COMPARE, "value"),
    State(ids.SCENARIOS_LANG, "data"),
    prevent_initial_call=True,
)
def save_or_delete(
    _save: int, _delete: int, stored: Any, measure: str, layer: str, compare: str, lang: str
):
    use_language(lang)
    deleting = dash.ctx.triggered_id == ids.SCENARIOS_DELETE
    measure = inputs.choice(measure, data.MEASURES, "measure")
    layer = inputs.choice(layer, data.LAYERS, "layer")
    compare = inputs.text(compare, "comparison")
    scenario, found = data.check(stored)
    name = stored.get("name") if isinstance(stored, dict) else None
    try:
        if deleting:
            if not isinstance(name, str) or data.saved_json(name) is None:
                return (
                    _("⚠ No saved scenario is named “{name}”.").format(name=name or ""),
                    NO,
                    NO,
                    NO,
                )
            data.delete(name)
        elif scenario is None:
            return "⚠ " + problem_text(found[0], stored) if found else "⚠", NO, NO, NO
        elif data.name_hidden(scenario.name):
            message = _(
                "The name “{name}” is taken by a scenario outside your scope: pick another name."
            )
            return f"⚠ {message.format(name=scenario.name)}", NO, NO, NO
        elif data.saved_json(scenario.name) is not None:
            return _("⚠ A scenario named “{name}” is saved already: pick another name.").format(
                name=scenario.name
            ), NO, NO, NO  # fmt: skip
        else:
            data.save(scenario)
    except ScenarioError as exc:  # a race: saved or hidden since the checks above
        return f"⚠ {reason_text(exc)}", NO, NO, NO
    if deleting:  # the page still shows it, now unsaved: the address carries it as such
        href = PATH + page_query(stored, measure, layer, "" if compare == name else compare)
        return _("Deleted: ") + str(name), href, saved_links(measure, layer), compare_options()
    assert scenario is not None
    return (
        _("Saved: ") + scenario.name,
        PATH + page_query(stored, measure, layer, compare),
        saved_links(measure, layer),
        compare_options(),
    )


RUN_FIRST = N_("Run the scenario first: the menu exports the map on screen.")
MAX_SCENARIO_TEXT = 200_000  # characters of the scenario a download names (a forged body's)


def export_view(ran: Any, measure: Any, layer: Any, compare: Any, lang: Any) -> PageView:
    """The download menu's view of the map on screen: the scenario last run (``SCENARIOS_RAN``:
    its canonical JSON) in the measure, layer and comparison shown; the side-by-side layer and a
    page that has not run are answered in words (``export_refusal``)."""
    lang = use_language(lang)
    measure = inputs.choice(measure, data.MEASURES, "measure")
    layer = inputs.choice(layer, data.LAYERS, "layer")
    compare = inputs.text(compare, "comparison")
    compare = "" if compare == BASELINE else compare
    view = MapView(measure, "county", None, lang)
    if not isinstance(ran, str) or not ran or len(ran) > MAX_SCENARIO_TEXT:
        return PageView(view, refusal=RUN_FIRST)
    try:
        scenario = parse_scenario(json.loads(ran))
    except (ValueError, ScenarioError):
        return PageView(view, refusal=RUN_FIRST)
    view = replace(view, period=scenario.period)
    refusal = SIDE_NOT_EXPORTABLE if export_refusal(layer) is not None else ""
    return PageView(
        view,
        refusal=refusal,
        files=ScenarioFiles(
            ScenarioView(data.canonical_json(scenario), measure, layer, compare, lang),
            scenario.period,
        ),
    )


register(
    "scenarios",
    [
        (ids.SCENARIOS_RAN, "data"),
        (ids.SCENARIOS_MEASURE, "value"),
        (ids.SCENARIOS_LAYER, "value"),
        (ids.SCENARIOS_COMPARE, "value"),
        (ids.SCENARIOS_LANG, "data"),
    ],
    export_view,
    narrative=False,
)
