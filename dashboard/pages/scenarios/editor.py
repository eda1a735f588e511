"""The scenario form's components: the scenario's own fields, one card per lever, the map-click
target, the live summary and the problems (``form`` holds the conversion to and from JSON).

Every field is ``{"type": ids.SCENARIOS_FIELD, "lever": position, "field": name}`` with a
``value`` (``form.HEAD`` for the scenario's own fields); each card keeps its kind in
``{"type": ids.SCENARIOS_KIND, "lever": position}``. Number fields show their unit and bounds
(``planning.levers.NUMBER_FIELDS``) and leave the bounds to the scenario's rules, which name
what is wrong, rather than to the browser, which would drop the number silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.data import scenarios as data
from dashboard.data.store import periods as store_periods
from dashboard.formatting import period as period_name
from dashboard.i18n import _, current_language, indicator_name
from dashboard.pages.scenarios import form
from dashboard.pages.scenarios.words import (
    KIND_HELP,
    MODE_NAMES,
    SIDE_NAMES,
    bounds_hint,
    field_name,
    kind_name,
    lever_title,
    problem_text,
    rule_text,
    scenario_words,
    unit_name,
)
from etl.records import INDICATOR_BY_FLAG
from planning.errors import Problem
from planning.levers import CAPACITY_BOUND, KINDS, number_field

NUMBER_DEBOUNCE = 0.6
"""Seconds a number or text field waits after the last keystroke before it updates the JSON."""


def data_attributes(**values: str) -> Any:
    """``data-*`` attributes for a component (typed as Any: Dash's stubs do not know them)."""
    return {f"data-{k}": v for k, v in values.items()}


def field_id(lever: int | str, name: str) -> dict[str, Any]:
    return {"type": ids.SCENARIOS_FIELD, "lever": lever, "field": name}


def kind_options() -> list[dict[str, str]]:
    return [{"label": kind_name(k), "value": k} for k in KINDS]


def map_target_options(kinds: Sequence[str]) -> list[dict[str, Any]]:
    return [{"label": lever_title(i, k), "value": i} for i, k in enumerate(kinds)]


def form_children(
    scenario: Mapping[str, Any],
    periods: Sequence[str],
    target: Any = None,
    add_kind: Any = None,
    found: Sequence[Problem] = (),
) -> list:
    """The form of a representable ``scenario`` (``form.representable``): its name and period,
    its levers, the picker of a new lever's kind, the map-click target (``target``: a lever's
    position, default the last) and the resources; ``found``: the scenario's problems, each lever's
    shown in its card."""
    kinds, values = form.to_form(scenario)
    head = form.HEAD
    period_options = [
        {
            "label": _("Latest ({period})").format(period=period_name(periods[-1]))
            if periods
            else "–",
            "value": form.LATEST,
        },
        *({"label": period_name(p), "value": p} for p in reversed(periods)),
    ]
    cards: list = [lever_card(i, kind, values, found) for i, kind in enumerate(kinds)]
    if not cards:
        cards = [html.P(_("No levers yet: add one below."), className="yp-scen-muted")]
    target = target if isinstance(target, int) and 0 <= target < len(kinds) else len(kinds) - 1
    return [
        html.Div(
            [
                _labelled(
                    field_name("name"),
                    dcc.Input(
                        id=field_id(head, "name"),
                        type="text",
                        value=values[(head, "name")],
                        debounce=NUMBER_DEBOUNCE,
                        maxLength=80,
                        className="yp-scen-text",
                    ),  # fmt: skip
                    grow=True,
                ),
                _labelled(
                    field_name("period"),
                    dcc.Dropdown(
                        id=field_id(head, "period"),
                        options=period_options,
                        value=values[(head, "period")],
                        clearable=False,
                        searchable=False,
                        className="yp-scen-period",
                    ),  # fmt: skip
                ),
            ],
            className="yp-scen-row",
        ),
        html.Div(cards, className="yp-scen-levers"),
        html.Div(
            [
                dcc.Dropdown(
                    id=ids.SCENARIOS_ADD_KIND,
                    options=kind_options(),
                    value=add_kind if add_kind in KINDS else KINDS[0],
                    clearable=False,
                    searchable=False,
                    className="yp-scen-add-kind",
                ),  # fmt: skip
                html.Button(
                    _("Add lever"), id=ids.SCENARIOS_ADD, n_clicks=0, className="yp-scen-button"
                ),
            ],
            className="yp-scen-add",
        ),
        html.Div(
            [
                html.Label(
                    _("Clicking a county on the map adds it to"), htmlFor=ids.SCENARIOS_MAP_TARGET
                ),
                dcc.Dropdown(
                    id=ids.SCENARIOS_MAP_TARGET,
                    options=map_target_options(kinds),
                    value=target if kinds else None,
                    clearable=False,
                    searchable=False,
                    placeholder=_("(add a lever first)"),
                ),
            ],
            className="yp-scen-target",
        ),
        html.Details(
            [
                html.Summary(_("Resources and description")),
                html.Div(
                    [
                        _number(head, "persons_per_staff", values, "persons", _("more than 0")),
                        _number(head, "cost_per_person", values, "yuan", _("more than 0")),
                    ],
                    className="yp-scen-row",
                ),
                _labelled(
                    field_name("description"),
                    dcc.Input(
                        id=field_id(head, "description"),
                        type="text",
                        value=values[(head, "description")],
                        debounce=NUMBER_DEBOUNCE,
                        className="yp-scen-text",
                    ),  # fmt: skip
                ),
            ],
            className="yp-scen-resources",
        ),
    ]


def lever_card(i: int, kind: str, values: form.Values, found: Sequence[Problem] = ()) -> html.Div:
    """One lever: its title and remove button, its problems, then its fields."""
    body: list = [
        html.Div(
            [
                html.Span(lever_title(i, kind), className="yp-scen-lever-title"),
                html.Button(
                    _("Remove"),
                    id={"type": ids.SCENARIOS_REMOVE, "lever": i},
                    n_clicks=0,
                    className="yp-scen-small",
                    title=_("Remove this lever"),
                ),  # fmt: skip
            ],
            className="yp-scen-lever-head",
        ),
        html.Div(_(KIND_HELP[kind]), className="yp-scen-muted"),
        html.Div(
            lever_problems(i, found),
            id={"type": ids.SCENARIOS_LEVER_PROBLEMS, "lever": i},
            className="yp-scen-lever-problems",
        ),
        dcc.Store(id={"type": ids.SCENARIOS_KIND, "lever": i}, data=kind),
        _labelled(field_name("areas"), area_picker(i, values.get((i, "areas")) or [])),
    ]
    if kind == "growth":
        body += [
            _radio(i, "side", values, {k: _(v) for k, v in SIDE_NAMES.items()}),
            _number(i, "percent", values, "percent", bounds_hint(number_field(kind, "percent"))),
        ]
    elif kind == "attractiveness":
        body += [
            _number(i, "factor", values, "factor", _("more than 0; 1 is no change")),
            dcc.Checklist(
                id=field_id(i, "keep_totals"),
                options=[
                    {
                        "label": _("Keep every origin's total and the national total"),
                        "value": form.KEEP,
                    }
                ],
                value=values.get((i, "keep_totals")) or [],
                className="yp-scen-check",
            ),
            _number(i, "elasticity", values, "elasticity", _("blank: fitted by the flow model")),
        ]
    elif kind == "coverage_push":
        body += [
            _labelled(
                field_name("indicator"), _indicator_picker(i, values, tuple(INDICATOR_BY_FLAG))
            ),
            _radio(i, "mode", values, {k: _(v) for k, v in MODE_NAMES.items()}),
            _number(i, "amount", values, None, bounds_hint(number_field(kind, "set_to"))),
        ]
    else:
        body += [
            _number(i, "staff", values, "staff", bounds_hint(number_field(kind, "staff"))),
            _number(
                i,
                "persons_per_staff",
                values,
                "persons",
                bounds_hint(number_field(kind, "persons_per_staff")),
            ),  # fmt: skip
            _labelled(field_name("indicator"), _indicator_picker(i, values, CAPACITY_BOUND)),
        ]
    return html.Div(body, className="yp-scen-lever", **data_attributes(kind=kind))


def area_picker(i: int, codes: list[str]) -> dcc.Dropdown:
    """The areas of lever ``i``: a multi-select searched on the server (names in Chinese or
    pinyin, or codes; the reader's scope only); the chosen areas keep their options."""
    return dcc.Dropdown(
        id=field_id(i, "areas"),
        options=data.area_options(codes, current_language()),
        value=list(codes),
        multi=True,
        searchable=True,
        clearable=True,
        placeholder=_("Type a name or an adcode, such as Kunshan or 320583"),
        labels={
            "search": _("Name or code"),
            "clear_search": _("Clear"),
            "clear_selection": _("Clear"),
            "no_options_found": _("Nothing found: try another name or code"),
            "selected_count": _("{num_selected} areas"),
            "select_all": _("Select all"),
            "deselect_all": _("Deselect all"),
        },
        className="yp-scen-areas",
    )


def _indicator_picker(i: int, values: form.Values, flags: Sequence[str]) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=field_id(i, "indicator"),
        options=[{"label": indicator_name(f), "value": f} for f in flags],
        value=list(values.get((i, "indicator")) or []),
        multi=True,
        searchable=False,
        clearable=False,
        labels={
            "selected_count": _("{num_selected} indicators"),
            "select_all": _("Select all"),
            "deselect_all": _("Deselect all"),
        },
    )


def _radio(i: int, name: str, values: form.Values, labels: Mapping[str, str]) -> html.Div:
    return _labelled(
        field_name(name),
        dcc.RadioItems(
            id=field_id(i, name),
            options=[{"label": label, "value": value} for value, label in labels.items()],
            value=values.get((i, name)),
            className="yp-scen-radio",
        ),
    )


def _number(i: int | str, name: str, values: form.Values, unit: str | None, hint: str) -> html.Div:
    return _labelled(
        field_name(name),
        html.Div(
            [
                dcc.Input(
                    id=field_id(i, name),
                    type="number",
                    value=values.get((i, name)),
                    step="any",
                    debounce=NUMBER_DEBOUNCE,
                    className="yp-scen-number",
                ),  # fmt: skip
                html.Span(unit_name(unit) if unit else "", className="yp-scen-unit"),
                html.Span(hint, className="yp-scen-hint"),
            ],
            className="yp-scen-number-row",
        ),
    )


def _labelled(label: str, component: Any, grow: bool = False) -> html.Div:
    return html.Div(
        [html.Label(label), component], className="yp-scen-field" + (" yp-grow" if grow else "")
    )


# --- the live summary and the problems ---------------------------------------------------------------


def words(scenario: Any) -> list:
    """The scenario in sentences: a heading, one numbered sentence per lever, the resources."""
    periods = store_periods()
    heading, sentences, money = scenario_words(scenario, periods[-1] if periods else None)
    return [
        html.Div(heading, className="yp-scen-words-head"),
        html.Ol([html.Li(s) for s in sentences]) if sentences else None,
        html.Div(money, className="yp-scen-muted"),
    ]


def lever_problems(i: int, found: Sequence[Problem]) -> list:
    """The problems of lever ``i``, for its card (the card names the lever already)."""
    return [html.Div("⚠ " + rule_text(p)) for p in found if p.lever == i]


def problems(found: Sequence[Problem], scenario: Any) -> list:
    """The problems as a list in the page's language (nothing when there is none)."""
    if not found:
        return []
    return [
        html.Div(_("To fix before running:"), className="yp-scen-problems-head"),
        html.Ul([html.Li(problem_text(p, scenario)) for p in found]),
    ]
