"""The scenario page's words: names of lever kinds, fields and units, a scenario told in
sentences, its problems, and the flow model's fit, all in the page's language.

Problems come from ``planning`` with a code and the values that tell them
(``planning.errors``); here each code has its sentence, prefixed with the lever it is in
("Lever 2 (Coverage push): unknown area code 999999").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from dashboard.data import scenarios as data
from dashboard.formatting import count, percent, period
from dashboard.i18n import N_, _, colon, current_language, indicator_name, join, ngettext
from etl.records import INDICATOR_BY_FLAG
from planning.errors import Problem, ScenarioError
from planning.levers import (
    CAPACITY_BOUND,
    DEFAULT_COST_PER_PERSON,
    DEFAULT_PERSONS_PER_STAFF,
    KINDS,
    NumberField,
)
from planning.model import FIT_FAIR, FIT_GOOD, FittedModel, fit_quality

KIND_NAMES = {
    "growth": N_("Flow growth"),
    "attractiveness": N_("Destination attractiveness"),
    "coverage_push": N_("Coverage push"),
    "capacity": N_("Service capacity"),
}
KIND_HELP = {
    "growth": N_("More or fewer persons moving into or out of the areas"),
    "attractiveness": N_(
        "The areas pull migrants harder (or less); flows re-allocated by the flow model"
    ),
    "coverage_push": N_("Raise an indicator's rate in the areas"),
    "capacity": N_("Service staff per county bound how many persons are served"),
}
FIELD_NAMES = {
    "name": N_("Name"),
    "period": N_("Period"),
    "description": N_("Description"),
    "levers": N_("Levers"),
    "resources": N_("Resources"),
    "cost_per_person": N_("Yuan per person served"),
    "kind": N_("Kind"),
    "areas": N_("Areas"),
    "side": N_("Direction"),
    "percent": N_("Change"),
    "factor": N_("Attractiveness factor"),
    "keep_totals": N_("Keep totals"),
    "elasticity": N_("Elasticity"),
    "indicator": N_("Indicators"),
    "set_to": N_("Raise to at least"),
    "raise_points": N_("Raise by"),
    "mode": N_("Push"),
    "amount": N_("Amount"),
    "staff": N_("Staff per county"),
    "persons_per_staff": N_("Persons per staff member"),
}
UNITS = {
    "percent": "%",
    "percent_level": "%",
    "points": N_("points"),
    "factor": "×",
    "elasticity": "",
    "staff": N_("per county"),
    "persons": N_("persons"),
    "yuan": N_("yuan"),
}
SIDE_NAMES = {"inflow": N_("Inflow (into the areas)"), "outflow": N_("Outflow (out of the areas)")}
MODE_NAMES = {"set_to": N_("Raise to at least (%)"), "raise_points": N_("Raise by (points)")}
MAX_AREAS_NAMED = 4


def kind_name(kind: Any) -> str:
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else str(kind)


def field_name(name: str | None) -> str:
    return _(FIELD_NAMES[name]) if name in FIELD_NAMES else str(name)


def unit_name(unit: str) -> str:
    label = UNITS[unit]
    return _(label) if label and label not in ("%", "×") else label


def number(value: float) -> str:
    """A parameter as typed (``15``, ``1.5``, ``-100``): no thousands separator below 10,000."""
    return f"{value:,g}" if abs(value) >= 10_000 else f"{value:g}"


def bounds_hint(spec: NumberField) -> str:
    """The bounds of a number field in words (shown beside its input)."""
    if spec.minimum is not None and spec.maximum is not None:
        return _("{minimum} to {maximum}").format(
            minimum=number(spec.minimum), maximum=number(spec.maximum)
        )
    if spec.minimum is not None and spec.exclusive:
        text = _("more than {minimum}").format(minimum=number(spec.minimum))
    elif spec.minimum is not None:
        text = _("at least {minimum}").format(minimum=number(spec.minimum))
    else:
        text = ""
    if spec.default is not None:
        text += " · " + _("default {value}").format(value=number(spec.default))
    return text


def lever_title(index: int, kind: Any) -> str:
    """``Lever 2 (Coverage push)``: the lever's number (from 1) and its kind."""
    if kind in KINDS:
        return _("Lever {n} ({kind})").format(n=index + 1, kind=kind_name(kind))
    return _("Lever {n}").format(n=index + 1)


# --- problems -------------------------------------------------------------------------------------


def problem_text(problem: Problem, scenario: Any) -> str:
    """``problem`` in the page's language, naming its lever (its number and kind) if it has one."""
    rule = rule_text(problem)
    if problem.lever is None:
        return rule
    levers = scenario.get("levers") if isinstance(scenario, Mapping) else None
    item = (
        levers[problem.lever] if isinstance(levers, list) and problem.lever < len(levers) else None
    )
    kind = item.get("kind") if isinstance(item, Mapping) else None
    return lever_title(problem.lever, kind) + colon() + rule


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return number(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(float(value))
    return str(value) if isinstance(value, str) else repr(value)


def rule_text(p: Problem) -> str:  # noqa: C901 - one sentence per code
    """The rule ``p`` breaks, in the page's language (without its lever)."""
    q = p.params
    field = field_name(p.field)
    code = p.code
    if code == "required":
        lo, hi = q.get("minimum"), q.get("maximum")
        if lo is not None and hi is not None:
            text = _("enter a number from {minimum} to {maximum}")
        elif lo is not None and q.get("exclusive"):
            text = _("enter a number more than {minimum}")
        elif lo is not None:
            text = _("enter a number of at least {minimum}")
        else:
            text = _("enter a number")
        rule = text.format(minimum=_shown(lo), maximum=_shown(hi))
        return field + colon() + rule
    if code == "not_number":
        return _("{field} must be a number, not {value}").format(
            field=field, value=_shown(q.get("value"))
        )
    if code == "below_minimum":
        text = (
            _("{field} must be more than {minimum} (it is {value})")
            if q.get("exclusive")
            else _("{field} must be at least {minimum} (it is {value})")
        )
        return text.format(
            field=field, minimum=_shown(q.get("minimum")), value=_shown(q.get("value"))
        )
    if code == "above_maximum":
        return _("{field} must be at most {maximum} (it is {value})").format(
            field=field, maximum=_shown(q.get("maximum")), value=_shown(q.get("value"))
        )
    if code == "not_choice":
        return _("{field}: choose one of {choices}").format(
            field=field, choices=join([_choice(p.field, c) for c in q.get("choices", ())])
        )
    if code == "not_bool":
        return _("{field} must be true or false").format(field=field)
    if code == "no_areas":
        return _("choose at least one area")
    if code == "unknown_areas":
        codes = list(q.get("codes", ()))
        return ngettext(
            "unknown area code {codes}", "unknown area codes {codes}", len(codes)
        ).format(codes=join(codes))
    if code == "not_indicators":
        return _("choose at least one indicator")
    if code == "unknown_indicators":
        return _("unknown indicator {flags}").format(flags=join(list(q.get("flags", ()))))
    if code == "one_of":
        return _("give either a rate to raise to or points to raise by, not both")
    if code == "not_capacity_bound":
        return _("{indicators}: not a service of the staff; capacity applies to {bound}").format(
            indicators=_indicators(q.get("flags", ())), bound=_indicators(q.get("bound", ()))
        )
    if code == "unknown_kind":
        return _("unknown kind {kind}: one of {kinds}").format(
            kind=_shown(q.get("kind")), kinds=join([kind_name(k) for k in KINDS])
        )
    if code == "unknown_fields":
        return _("unknown fields {fields} (allowed: {allowed})").format(
            fields=join(list(q.get("fields", ()))), allowed=join(list(q.get("allowed", ())))
        )
    if code == "not_object":
        if p.lever is None:
            return _("the scenario must be a JSON object with a name and levers")
        return _("a lever must be a JSON object with its kind")
    if code == "bad_name":
        return _(
            "Name: 1 to 80 letters, digits, Chinese characters, spaces, '.', '-' or '_', "
            "beginning with a letter, digit or character"
        )
    if code == "bad_period":
        return _("Period: write it as YYYY-MM, not {value}").format(value=_shown(q.get("value")))
    if code == "unknown_period":
        return _("the store has no period {value} (it has {first} to {last})").format(
            value=q.get("value"), first=period(q["first"]), last=period(q["last"])
        )
    if code == "levers_required":
        return _("the scenario needs its levers (an empty list means no change)")
    if code == "not_list":
        return _("the levers must be a list")
    if code == "bad_resources":
        return _("resources take only persons_per_staff and cost_per_person")
    if code == "not_positive":
        return _("{field} must be a positive number").format(field=field)
    if code == "bad_description":
        return _("the description must be text")
    if code == "no_aggregates":
        return _("the store has no aggregates yet: load records first")
    if code == "too_few_flows":
        return _("too few flows between counties to fit the flow model")
    if code == "no_points":
        return ngettext(
            "{n} county has no point to measure distances from ({codes})",
            "{n} counties have no point to measure distances from ({codes})",
            int(q.get("n", 0)),
        ).format(n=number(float(q.get("n", 0))), codes=join(list(q.get("codes", ()))))
    if code == "name_hidden":
        return _(
            "the name “{name}” is taken by a scenario outside your scope: pick another name"
        ).format(name=q.get("value"))
    if code == "name_taken":
        return _("a scenario named “{name}” is saved already: pick another name").format(
            name=q.get("value")
        )
    if code == "no_saved":
        return _("no saved scenario named “{name}”").format(name=q.get("value"))
    return p.message


def reason_text(error: ScenarioError) -> str:
    """Why a scenario could not be run or saved, in the page's language (its problems; the
    English message where it carries none)."""
    return "; ".join(rule_text(p) for p in error.problems) or str(error)


def _choice(field: str | None, value: str) -> str:
    names = {"side": SIDE_NAMES}.get(field or "")
    return _(names[value]) if names and value in names else value


def _indicators(flags: Sequence[str]) -> str:
    return join([indicator_name(f) if f in INDICATOR_BY_FLAG else str(f) for f in flags])


def json_error_text(error: ValueError) -> str:
    """A JSON syntax error in the page's language, with its line and column."""
    line, column = getattr(error, "lineno", 0), getattr(error, "colno", 0)
    return _(
        "Not valid JSON (line {line}, column {column}): the form keeps the last valid scenario"
    ).format(line=line, column=column)


# --- the scenario in words -------------------------------------------------------------------------


def areas_words(codes: Any) -> str:
    """The areas of a lever by name (the reader's scope; an unknown code as it is), the first
    few and how many more."""
    if isinstance(codes, str):
        codes = [codes]
    if not isinstance(codes, list) or not codes:
        return _("(no area yet)")
    lang = current_language()
    names = [data.area_name(c, lang) or str(c) for c in codes if isinstance(c, str)]
    if len(names) <= MAX_AREAS_NAMED:
        return join(names)
    return _("{names} and {n} more").format(
        names=join(names[: MAX_AREAS_NAMED - 1]), n=len(names) - MAX_AREAS_NAMED + 1
    )


def indicators_words(value: Any, kind: str) -> str:
    if value is None and kind == "capacity":
        value = list(CAPACITY_BOUND)
    if value == "all":
        return _("every indicator")
    flags = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    known = [f for f in flags if f in INDICATOR_BY_FLAG]
    if not known:
        return _("(no indicator yet)")
    if len(known) == len(INDICATOR_BY_FLAG):
        return _("every indicator")
    if len(known) > 3:
        return _("{n} indicators").format(n=len(known))
    return _indicators(known)


def _num(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def lever_words(lever: Any) -> str:
    """One lever as a sentence (incomplete parts shown as such)."""
    if not isinstance(lever, Mapping) or lever.get("kind") not in KINDS:
        return _("(a lever the form cannot read: see the JSON)")
    kind, areas = lever["kind"], areas_words(lever.get("areas"))
    blank = "…"
    if kind == "growth":
        pct = _num(lever.get("percent"))
        side = lever.get("side")
        up = pct is None or pct >= 0
        texts: dict[tuple[Any, bool], str] = {
            ("inflow", True): _("Inflow into {areas} rises by {percent}."),
            ("inflow", False): _("Inflow into {areas} falls by {percent}."),
            ("outflow", True): _("Outflow from {areas} rises by {percent}."),
            ("outflow", False): _("Outflow from {areas} falls by {percent}."),
        }
        text = texts.get((side, up), _("Flows of {areas} change by {percent}."))
        return text.format(areas=areas, percent=blank if pct is None else f"{number(abs(pct))}%")
    if kind == "attractiveness":
        factor = _num(lever.get("factor"))
        text = _("{areas}: {factor} times as attractive to migrants from other counties.").format(
            areas=areas, factor=blank if factor is None else number(factor)
        )
        keep = lever.get("keep_totals") is True
        text += " " + (
            _("Every origin and the national total keep their numbers.")
            if keep
            else _("Every origin keeps its outflow; destination totals change.")
        )
        elasticity = _num(lever.get("elasticity"))
        text += " " + (
            _("Elasticity: fitted by the flow model.")
            if elasticity is None
            else _("Elasticity: {value}.").format(value=number(elasticity))
        )
        return text
    indicators = indicators_words(lever.get("indicator"), kind)
    if kind == "coverage_push":
        set_to, points = _num(lever.get("set_to")), _num(lever.get("raise_points"))
        if points is not None and set_to is None:
            return _(
                "In {areas}: {indicators} raised by {points} points (to at most 100%)."
            ).format(areas=areas, indicators=indicators, points=number(points))
        return _("In {areas}: {indicators} raised to at least {rate}.").format(
            areas=areas,
            indicators=indicators,
            rate=blank if set_to is None else f"{number(set_to)}%",
        )
    staff = _num(lever.get("staff"))
    pps = _num(lever.get("persons_per_staff"))
    pps = DEFAULT_PERSONS_PER_STAFF if pps is None else pps
    capacity = None if staff is None else staff * pps
    return _(
        "In {areas}: {staff} service staff per county, each serving {persons} persons, so "
        "{indicators} reach at most {capacity} persons per county."
    ).format(
        areas=areas,
        staff=blank if staff is None else number(staff),
        persons=count(pps),
        indicators=indicators,
        capacity=blank if capacity is None else count(capacity),
    )


def scenario_words(scenario: Any, latest: str | None) -> tuple[str, list[str], str]:
    """(a heading, one sentence per lever, the resources line) of ``scenario`` (a JSON object)."""
    if not isinstance(scenario, Mapping):
        return _("The JSON is not a scenario object."), [], ""
    name = scenario.get("name") if isinstance(scenario.get("name"), str) else ""
    chosen = scenario.get("period")
    when = (
        period(chosen)
        if isinstance(chosen, str) and len(chosen) == 7
        else _("the latest period ({period})").format(period=period(latest))
        if latest
        else "–"
    )
    levers = scenario.get("levers")
    levers = levers if isinstance(levers, list) else []
    heading = ngettext(
        "“{name}”, {period}: {n} lever", "“{name}”, {period}: {n} levers", len(levers)
    ).format(name=name or "…", period=when, n=len(levers))
    sentences = [lever_words(lever) for lever in levers]
    if not levers:
        sentences = [_("No levers: the scenario reproduces the baseline.")]
    resources = scenario.get("resources")
    resources = resources if isinstance(resources, Mapping) else {}
    pps = _num(resources.get("persons_per_staff")) or DEFAULT_PERSONS_PER_STAFF
    cost = _num(resources.get("cost_per_person")) or DEFAULT_COST_PER_PERSON
    money = _(
        "Gaps are costed at {persons} persons per staff member and {cost} yuan per person served."
    ).format(persons=count(pps), cost=number(cost))
    return heading, sentences, money


# --- the flow model's fit ----------------------------------------------------------------------------

FIT_WORDS = {
    "good": N_("The flow model reproduces {share} of the county pairs within ±10%: a good fit."),
    "fair": N_("The flow model reproduces {share} of the county pairs within ±10%: a fair fit."),
    "weak": N_(
        "The flow model reproduces only {share} of the county pairs within ±10%: a weak fit."
    ),
}


def fit_words(model: FittedModel) -> tuple[str, str | None, str, str]:
    """(the fit in a sentence, a warning when it is weak, its thresholds, its statistics)."""
    quality = fit_quality(model)
    share = model.share_within_10pct
    line = _(FIT_WORDS[quality]).format(share=percent(share, 0) if math.isfinite(share) else "–")
    warning = (
        _(
            "The fitted elasticity says little about how flows answer attractiveness: read the "
            "results of attractiveness levers with care, or give the lever its own elasticity."
        )
        if quality == "weak"
        else None
    )
    thresholds = _(
        "Good: {good} of the pairs or more within ±10%; fair: {fair} or more; weak: below {fair}."
    ).format(good=percent(FIT_GOOD, 0), fair=percent(FIT_FAIR, 0))
    details = _(
        "pseudo-R² {r2} · γ (attractiveness elasticity) {gamma} · β (distance decay) {beta} · "
        "{n} county pairs · fitted in {seconds} s"
    ).format(
        r2=f"{model.pseudo_r2:.3f}",
        gamma=f"{model.gamma:.3f}",
        beta=f"{model.beta:.3f}",
        n=count(model.n_pairs),
        seconds=f"{model.fit_seconds:.1f}",
    )
    return line, warning, thresholds, details
