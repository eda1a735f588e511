"""The scenario page's builders: control options, saved-scenario links, the map of a result
against its reference, the region summary table and the flow model's fit line."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import numpy as np
from dash import html

from dashboard import context
from dashboard.data import geo
from dashboard.data import scenarios as data
from dashboard.figures.scenario_map import layer_classes, scenario_map
from dashboard.formatting import count, percent
from dashboard.i18n import (
    N_,
    _,
    current_language,
    indicator_name,
    lang_params,
    pick,
    t,
    target_class_labels,
)
from etl import indicators
from etl.records import INDICATOR_BY_FLAG
from planning.errors import ScenarioError
from planning.scenario import parse_scenario

LAYERS = {
    "difference": N_("Difference (scenario − baseline)"),
    "scenario": N_("Scenario"),
    "baseline": N_("Baseline"),
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
        raise ScenarioError(f"no saved scenario named {compare!r} to compare with")
    ref = data.result(data.canonical_json(parse_scenario(json.loads(saved))))
    if ref.period != period:
        raise ScenarioError(
            f"{compare!r} is on {ref.period}, this scenario on {period}: compare scenarios of one period"
        )
    return ref


def saved_links(measure: str, layer: str) -> list[html.Li]:
    names = data.saved_names()
    if not names:
        return [html.Li(_("none yet"))]
    return [
        html.Li(html.A(n, href="/scenarios?" + scenario_query(n, measure, layer))) for n in names
    ]


def scenario_query(name: str, measure: str, layer: str, compare: str = "") -> str:
    q = {"name": name, "measure": measure, "layer": layer}
    if compare and compare != BASELINE:
        q["compare"] = compare
    return urlencode({**q, **lang_params()})


def map_figure(res: Any, measure: str, layer: str, reference: Any = None) -> dict:
    ctx = context.current()
    values = data.map_values(res, measure, layer, reference)
    target = INDICATOR_BY_FLAG[measure].target if measure in INDICATOR_BY_FLAG else None
    classes = layer_classes(values.values, layer, values.unit, target, target_class_labels())
    names = geo.unit_names(current_language())
    unit = {
        "persons": t("persons"),
        "points": _("points"),
        "share": _("rate"),
    }[values.unit]
    label = indicator_name(measure) if measure in INDICATOR_BY_FLAG else t(measure)
    title = f"{label} · {layer_name(layer)}"
    if reference is not None and layer != "scenario":
        title += f" · {_('Compare with')} “{reference.scenario.name}”"
    return scenario_map(
        values.codes,
        [names.get(c, c) for c in values.codes],
        values.values,
        classes,
        unit,
        suppressed=suppressed_counties(res, measure, values.codes),
        suppressed_label=t("suppressed"),
        **ctx.national_frame("county"),
        no_data_label=t("no_data"),
        title=title,
        legend_title=unit,
        height=620,
    )


def suppressed_counties(res: Any, measure: str, codes: list[str]) -> np.ndarray:
    """Counties whose baseline count is a small cell (inflow or outflow persons, an indicator's
    denominator): suppressed on the scenario map as on the overview (``etl.indicators.withheld``)."""
    if measure in ("inflow", "outflow"):
        count = res.totals.set_index("county_code")[f"baseline_{measure}"]
    else:
        cov = res.coverage[res.coverage["indicator"] == measure]
        count = cov.set_index("county_code")["baseline_denominator"]
    baseline = count.reindex(codes).to_numpy(np.float64, na_value=np.nan)
    return np.asarray(indicators.withheld(np.nan_to_num(baseline), res.threshold), bool)


def summary_table(res: Any, reference: Any = None) -> html.Table:
    rows = data.region_summary(res, reference)
    ref = _("baseline") if reference is None else f"“{reference.scenario.name}”"
    titles = [_(header).format(ref=ref) for header in SUMMARY_HEADERS]
    region_names = {
        r.code: pick(r.name_zh, r.name_en)
        for r in geo.regions(context.current().regions_path).regions
    }
    body = []
    for r in rows.itertuples():
        name = region_names.get(r.region_code) or _("Other")
        cells = [
            name,
            *(count(v) for v in (r.baseline_inflow, r.inflow, r.baseline_gap, r.gap_people)),
            f"{r.staff_needed:,.1f}",
            count(r.budget_yuan),
        ]
        body.append(html.Tr([html.Td(c) for c in cells], **{"data-region": r.region_code}))
    return html.Table(
        [html.Thead(html.Tr([html.Th(title) for title in titles])), html.Tbody(body)],
        className="yp-table",
        style={"width": "100%", "fontSize": "0.9rem"},
    )


def model_line(res: Any) -> str:
    m = res.model
    if m is None:
        return _("No flow model needed (no attractiveness lever, or its elasticity given)")
    fit = _("Flow model fit")
    return (
        f"{fit}: pseudo-R² {m.pseudo_r2:.3f} · "
        f"±10%: {percent(m.share_within_10pct)} ({count(m.n_pairs)}) · γ {m.gamma:.3f} · β {m.beta:.3f} · {m.fit_seconds:.1f} s"
    )


# --- callbacks ------------------------------------------------------------------------------------
