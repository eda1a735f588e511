"""The scenario page's builders: control options, saved-scenario links, the page's query, the
map of a result against its reference, the region summary table and the flow model's fit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np
from dash import html

from dashboard import context
from dashboard.data import geo
from dashboard.data import scenarios as data
from dashboard.data.store import published_coverage
from dashboard.figures.scenario_map import (
    display_step,
    layer_classes,
    scenario_map,
    shown,
    side_by_side,
)
from dashboard.formatting import count, rate, signed
from dashboard.i18n import (
    N_,
    _,
    current_language,
    in_brackets,
    indicator_name,
    lang_params,
    pick,
    t,
    target_class_labels,
)
from dashboard.pages.scenarios.form import normalized
from dashboard.pages.scenarios.words import fit_words
from etl import indicators, targets
from etl.disclosure import SUPPRESSED
from etl.records import INDICATOR_BY_FLAG
from planning.errors import ScenarioError
from planning.scenario import parse_scenario

LAYERS = {
    "difference": N_("Difference (scenario − baseline)"),
    "scenario": N_("Scenario"),
    "baseline": N_("Baseline"),
    "side": N_("Side by side"),
}
SUMMARY_HEADERS = (
    N_("Region"),
    N_("Inflow ({ref})"),
    N_("Inflow (scenario)"),
    N_("Gap to target ({ref}, persons)"),
    N_("Gap to target (scenario, persons)"),
    N_("Staff needed"),
    N_("Budget needed (yuan)"),
)


SIDE_NOT_EXPORTABLE = N_(
    "The side-by-side view has no print or file export: choose Difference, Scenario or Baseline "
    "to export a map."
)


def export_refusal(layer: str) -> str | None:
    """Why the map of ``layer`` cannot go to a print or file export (the one-map print layout of
    ``dashboard.export``), in the page's language; None when it can. The side-by-side view is
    refused: its image is the modebar's download, which holds both maps as shown."""
    return _(SIDE_NOT_EXPORTABLE) if layer == "side" else None


def layer_name(layer: str) -> str:
    return _(LAYERS[layer])


def measure_options() -> list[dict]:
    flows = [{"label": t(m), "value": m} for m in ("inflow", "outflow")]
    return [*({"label": indicator_name(f), "value": f} for f in INDICATOR_BY_FLAG), *flows]


BASELINE = "__baseline__"


def compare_options() -> list[dict]:
    return [{"label": _("Baseline"), "value": BASELINE}] + [
        {"label": n, "value": n} for n in data.saved_names()
    ]


def reference_result(compare: str | None, period: str) -> Any:
    """The result to compare with: None for the baseline, else the saved scenario ``compare``."""
    if not compare or compare == BASELINE:
        return None
    saved = data.saved_json(compare)
    if saved is None:
        raise ScenarioError(
            _("No saved scenario named “{name}” to compare with").format(name=compare)
        )
    ref = data.result(data.canonical_json(parse_scenario(json.loads(saved))))
    if ref.period != period:
        raise ScenarioError(
            _(
                "“{name}” is on {other}, this scenario on {period}: compare scenarios of one period"
            ).format(name=compare, other=ref.period, period=period)
        )
    return ref


def saved_links(measure: str, layer: str) -> list[html.Li]:
    names = data.saved_names()
    if not names:
        return [html.Li(_("none yet"))]
    return [
        html.Li(html.A(n, href="/scenarios?" + scenario_query(n, measure, layer))) for n in names
    ]


def scenario_query(
    name: str, measure: str, layer: str, compare: str = "", scenario: str = ""
) -> str:
    q = {"name": name, "measure": measure, "layer": layer}
    if compare and compare != BASELINE:
        q["compare"] = compare
    if scenario:
        q["scenario"] = scenario
    return urlencode({**q, **lang_params()})


def page_query(scenario: Any, measure: Any, layer: Any, compare: Any) -> str:
    """The page's state as a query string: the measure, layer and comparison, the scenario's name,
    and the scenario itself (compact JSON) unless it is the one saved under that name, so that a
    reload or the language switch reopens what is on screen, saved or not."""
    name = scenario.get("name") if isinstance(scenario, dict) else None
    name = name if isinstance(name, str) else ""
    measure = measure if measure in data.MEASURES else "cert_verified"
    layer = layer if layer in data.LAYERS else "difference"
    compare = compare if isinstance(compare, str) else ""
    saved = data.saved_json(name) if name else None
    same = saved is not None and normalized(json.loads(saved)) == normalized(scenario)
    text = "" if same else json.dumps(scenario, ensure_ascii=False, separators=(",", ":"))
    return "?" + scenario_query(name, measure, layer, compare, text)


def pretty_json(scenario: Any) -> str:
    """The scenario as the advanced view shows it: indented JSON, Chinese as it is."""
    return json.dumps(scenario, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class DrawnLayer:
    """One layer of a scenario's map as the page draws it (and its print export): the county
    ``values`` (``data.MapValues``), which are withheld (``hidden``), the ``classes`` made on the
    values shown, the display ``step`` and the title."""

    values: Any
    hidden: np.ndarray
    classes: Any
    step: float
    target: float | None
    title: str


def drawn_layer(res: Any, measure: str, layer: str, reference: Any = None) -> DrawnLayer:
    """The map layer ``layer`` (not ``side``) of ``measure`` as drawn, in the current language."""
    values = data.map_values(res, measure, layer, reference)
    target = _target(res, measure)
    hidden = suppressed_counties(res, measure, values.codes)
    shown_values = values.values[~hidden]  # a withheld county's value shapes no class nor label
    classes = layer_classes(
        shown_values, layer, values.unit, target, target_class_labels(),
        no_change_label="0" + in_brackets(_("no change")),
    )  # fmt: skip
    title = f"{_measure_label(measure)} · {layer_name(layer)}"
    if reference is not None and layer != "scenario":
        title += f" · {_('Compare with')} “{reference.scenario.name}”"
    step = display_step(shown_values, values.unit)
    return DrawnLayer(values, hidden, classes, step, target, title)


def shown_values(drawn: DrawnLayer) -> np.ndarray:
    """The values as the map classes them: a rate as a share, persons and points to the step."""
    v = drawn.values
    return v.values if v.unit == "share" else shown(v.values, drawn.step)


def map_figure(res: Any, measure: str, layer: str, reference: Any = None) -> dict:
    if layer == "side":
        return side_figure(res, measure, reference)
    drawn = drawn_layer(res, measure, layer, reference)
    return _map(drawn.values, drawn.classes, drawn.hidden, layer, drawn.target, drawn.title)


def side_figure(res: Any, measure: str, reference: Any = None) -> dict:
    """The reference (the baseline, or the saved scenario compared with) and the scenario, side by
    side in one figure, both drawn with the one set of classes made on the values of both."""
    before = data.map_values(res, measure, "baseline", reference)
    after = data.map_values(res, measure, "scenario", reference)
    target = _target(res, measure)
    hidden = suppressed_counties(res, measure, before.codes)
    both = np.concatenate([before.values[~hidden], after.values[~hidden]])
    classes = layer_classes(both, "scenario", after.unit, target, target_class_labels())
    ref = _("Baseline") if reference is None else f"“{reference.scenario.name}”"
    heads = (ref, f"“{res.scenario.name}”")
    maps = [
        _map(v, classes, hidden, layer, target, "")
        for v, layer in ((before, "baseline"), (after, "scenario"))
    ]
    title = f"{_measure_label(measure)} · {layer_name('side')}"
    return side_by_side(maps[0], maps[1], heads, title)


def _target(res: Any, measure: str) -> float | None:
    return targets.target(measure, res.period) if measure in INDICATOR_BY_FLAG else None


def _measure_label(measure: str) -> str:
    return indicator_name(measure) if measure in INDICATOR_BY_FLAG else t(measure)


def _map(
    values: Any, classes: Any, hidden: np.ndarray, layer: str, target: float | None, title: str
) -> dict:
    """One national county map of ``values`` (``data.MapValues``) in ``classes``."""
    ctx = context.current()
    step = display_step(values.values[~hidden], values.unit)
    names = geo.unit_names(current_language())
    unit = {"persons": t("persons"), "points": _("points"), "share": ""}[values.unit]
    return scenario_map(
        values.codes,
        [names.get(c, c) for c in values.codes],
        values.values if values.unit == "share" else shown(values.values, step),
        classes,
        unit,
        suppressed=hidden,
        suppressed_label=t("suppressed"),
        value_texts=value_texts(values.values, values.unit, layer, target, step),
        **ctx.national_frame("county"),
        no_data_label=t("no_data"),
        title=title,
        legend_title=unit or _("rate"),
        height=MAP_HEIGHT,
    )


MAP_HEIGHT = 540


def value_texts(
    values: np.ndarray, unit: str, layer: str, target: float | None, step: float
) -> list[str]:
    """Each county's value as its hover says it: whole persons (signed for a difference),
    percentage points to the legend's ``step``, a rate by the rates' display rule."""
    if unit == "share":
        return [rate(v, target) for v in values]
    if unit == "points":
        decimals = 1 if step >= 0.1 else 2
        return [
            "–" if not np.isfinite(v) else f"{v:+.{decimals}f}" if round(v, decimals) else "0"
            for v in shown(values, step)
        ]
    if layer == "difference":
        return [signed(v) if np.isfinite(v) else "–" for v in values]
    return [count(v) if np.isfinite(v) else "–" for v in values]


def suppressed_counties(res: Any, measure: str, codes: list[str]) -> np.ndarray:
    """Counties withheld on the scenario map: for inflow and outflow those the result's
    ``totals.csv`` withholds (``ScenarioResult.published_totals``: a small baseline, or a projection that
    would tell withheld flows apart); for an indicator those whose baseline denominator is a small
    cell and those the overview withholds by the pages' rule (``etl.marts.published``)."""
    if measure in ("inflow", "outflow"):
        totals = res.published_totals
        county = totals[totals["level"] == "county"].set_index("unit_code")[measure].isna()
        return county.reindex(codes).fillna(False).to_numpy(bool)
    cov = res.coverage[res.coverage["indicator"] == measure]
    count = cov.set_index("county_code")["baseline_denominator"]
    baseline = count.reindex(codes).to_numpy(np.float64, na_value=np.nan)
    small = np.asarray(indicators.withheld(np.nan_to_num(baseline), res.threshold), bool)
    pages = published_coverage(measure)
    pages = pages[(pages["level"] == "county") & (pages["period"] == res.period)]
    return small | np.isin(codes, pages.loc[pages[SUPPRESSED], "unit_code"])


def summary_table(res: Any, reference: Any = None) -> html.Table:
    rows = data.region_summary(res, reference)
    ref = _("baseline") if reference is None else f"“{reference.scenario.name}”"
    titles = [_(header).format(ref=ref) for header in SUMMARY_HEADERS]
    region_names = {
        r.code: pick(r.name_zh, r.name_en)
        for r in geo.regions(context.current().regions_path).regions
    }
    # the regions whose inflow the result files withhold: the first column is the baseline's,
    # or the reference scenario's projection
    first = (res, "baseline_inflow") if reference is None else (reference, "inflow")
    withheld = {
        column: _withheld_regions(result, source)
        for column, (result, source) in {"baseline_inflow": first, "inflow": (res, "inflow")}.items()
    }
    body = []
    for r in rows.itertuples():
        name = region_names.get(r.region_code) or _("Other")
        inflows = [
            "–" if r.region_code in withheld[column] else count(getattr(r, column))
            for column in ("baseline_inflow", "inflow")
        ]
        cells = [
            name,
            *inflows,
            *(count(v) for v in (r.baseline_gap, r.gap_people)),
            f"{r.staff_needed:,.1f}",
            count(r.budget_yuan),
        ]
        body.append(html.Tr([html.Td(c) for c in cells], **{"data-region": r.region_code}))
    return html.Table(
        [html.Thead(html.Tr([html.Th(title) for title in titles])), html.Tbody(body)],
        className="yp-table",
        style={"width": "100%", "fontSize": "0.9rem"},
    )


def _withheld_regions(res: Any, column: str) -> set[str]:
    totals = res.published_totals
    return set(totals.loc[(totals["level"] == "region") & totals[column].isna(), "unit_code"])


def model_block(res: Any) -> list:
    """The flow model's fit in words, a warning when it is weak, and its statistics folded away;
    or that the scenario needed no model."""
    m = res.model
    if m is None:
        return [
            html.Div(
                _("No flow model needed (no attractiveness lever, or its elasticity given)"),
                className="yp-source",
            )
        ]
    line, warning, thresholds, details = fit_words(m)
    out: list = [html.Div(line, className="yp-scen-fit")]
    if warning:
        out.append(html.Div("⚠ " + warning, className="yp-scen-warning", role="alert"))
    out.append(
        html.Details(
            [html.Summary(_("Model details")), html.Div(thresholds), html.Div(details)],
            className="yp-source",
        )
    )
    return out
