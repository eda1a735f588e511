"""The scenario page's builders: control options, saved-scenario links, the map of a result
against its reference, the region summary table and the flow model's fit line."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from dash import html

from dashboard import context
from dashboard.data import geo
from dashboard.data import scenarios as data
from dashboard.figures.scenario_map import layer_classes, scenario_map
from dashboard.i18n import indicator_name, t, target_class_labels, text
from etl.records import INDICATOR_BY_FLAG
from planning.errors import ScenarioError
from planning.scenario import parse_scenario

STRINGS = {
    "editor": {"zh": "情景（JSON：名称与杠杆）", "en": "Scenario (JSON: name and levers)"},
    "run": {"zh": "运行", "en": "Run"},
    "save": {"zh": "保存", "en": "Save"},
    "delete": {"zh": "删除", "en": "Delete"},
    "deleted": {"zh": "已删除：", "en": "Deleted: "},
    "saved": {"zh": "已保存的情景", "en": "Saved scenarios"},
    "none_saved": {"zh": "尚无", "en": "none yet"},
    "measure": {"zh": "指标", "en": "Measure"},
    "layer": {"zh": "图层", "en": "Layer"},
    "compare": {"zh": "对照", "en": "Compare with"},
    "difference": {"zh": "差值（情景 − 基线）", "en": "Difference (scenario − baseline)"},
    "scenario": {"zh": "情景", "en": "Scenario"},
    "baseline": {"zh": "基线", "en": "Baseline"},
    "region": {"zh": "协作区", "en": "Region"},
    "inflow_before": {"zh": "流入（{ref}）", "en": "Inflow ({ref})"},
    "inflow_after": {"zh": "流入（情景）", "en": "Inflow (scenario)"},
    "gap_before": {"zh": "距目标差（{ref}，人）", "en": "Gap to target ({ref}, persons)"},
    "ref_baseline": {"zh": "基线", "en": "baseline"},
    "gap_after": {"zh": "距目标差（情景，人）", "en": "Gap to target (scenario, persons)"},
    "staff": {"zh": "所需人员", "en": "Staff needed"},
    "budget": {"zh": "所需经费（元）", "en": "Budget needed (yuan)"},
    "model": {"zh": "流向模型拟合", "en": "Flow model fit"},
    "model_none": {
        "zh": "本情景无需流向模型（无吸引力杠杆，或已给定弹性）",
        "en": "No flow model needed (no attractiveness lever, or its elasticity given)",
    },
    "saved_ok": {"zh": "已保存：", "en": "Saved: "},
    "ran": {
        "zh": "“{name}”：统计期 {period}，{n} 个杠杆",
        "en": "“{name}”: period {period}, {n} lever(s)",
    },
    "points": {"zh": "个百分点", "en": "points"},
    "rate": {"zh": "覆盖率", "en": "rate"},
    "other": {"zh": "其他", "en": "Other"},
    "empty_store": {
        "zh": "数据库为空：请先导入数据。",
        "en": "The store is empty: ingest records first.",
    },
}


def _measure_options(lang: str) -> list[dict]:
    flows = [{"label": t(m, lang), "value": m} for m in ("inflow", "outflow")]
    return [*({"label": indicator_name(f, lang), "value": f} for f in INDICATOR_BY_FLAG), *flows]


BASELINE = "__baseline__"


def _compare_options(lang: str) -> list[dict]:
    return [{"label": text(STRINGS, "baseline", lang), "value": BASELINE}] + [
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


def saved_links(lang: str, measure: str, layer: str) -> list[html.Li]:
    names = data.saved_names()
    if not names:
        return [html.Li(text(STRINGS, "none_saved", lang))]
    return [html.Li(html.A(n, href="/scenarios?" + _query(n, measure, layer, lang))) for n in names]


def _query(name: str, measure: str, layer: str, lang: str, compare: str = "") -> str:
    q = {"name": name, "measure": measure, "layer": layer}
    if compare and compare != BASELINE:
        q["compare"] = compare
    if lang != "zh":
        q["lang"] = lang
    return urlencode(q)


def map_figure(res: Any, measure: str, layer: str, lang: str, reference: Any = None) -> dict:
    ctx = context.current()
    values = data.map_values(res, measure, layer, reference)
    target = INDICATOR_BY_FLAG[measure].target if measure in INDICATOR_BY_FLAG else None
    classes = layer_classes(values.values, layer, values.unit, target, target_class_labels(lang))
    names = geo.unit_names(lang)
    unit = {
        "persons": t("persons", lang),
        "points": text(STRINGS, "points", lang),
        "share": text(STRINGS, "rate", lang),
    }[values.unit]
    label = indicator_name(measure, lang) if measure in INDICATOR_BY_FLAG else t(measure, lang)
    title = f"{label} · {text(STRINGS, layer, lang)}"
    if reference is not None and layer != "scenario":
        title += f" · {text(STRINGS, 'compare', lang)} “{reference.scenario.name}”"
    return scenario_map(
        values.codes,
        [names.get(c, c) for c in values.codes],
        values.values,
        classes,
        unit,
        **ctx.national_frame("county", lang),
        no_data_label=t("no_data", lang),
        title=title,
        legend_title=unit,
        height=620,
    )


def summary_table(res: Any, lang: str, reference: Any = None) -> html.Table:
    rows = data.region_summary(res, reference)
    head = ["region", "inflow_before", "inflow_after", "gap_before", "gap_after", "staff", "budget"]
    ref = (
        text(STRINGS, "ref_baseline", lang) if reference is None else f"“{reference.scenario.name}”"
    )
    titles = [text(STRINGS, k, lang).format(ref=ref) for k in head]
    region_names = {
        r.code: {"zh": r.name_zh, "en": r.name_en}
        for r in geo.regions(context.current().regions_path).regions
    }
    body = []
    for r in rows.itertuples():
        name = region_names.get(r.region_code, {}).get(lang) or text(STRINGS, "other", lang)
        cells = [
            name,
            *(f"{v:,.0f}" for v in (r.baseline_inflow, r.inflow, r.baseline_gap, r.gap_people)),
            f"{r.staff_needed:,.1f}",
            f"{r.budget_yuan:,.0f}",
        ]
        body.append(html.Tr([html.Td(c) for c in cells], **{"data-region": r.region_code}))
    return html.Table(
        [html.Thead(html.Tr([html.Th(title) for title in titles])), html.Tbody(body)],
        className="yp-table",
        style={"width": "100%", "fontSize": "0.9rem"},
    )


def model_line(res: Any, lang: str) -> str:
    m = res.model
    if m is None:
        return text(STRINGS, "model_none", lang)
    return (
        f"{text(STRINGS, 'model', lang)}: pseudo-R² {m.pseudo_r2:.3f} · "
        f"±10%: {m.share_within_10pct:.1%} ({m.n_pairs:,}) · γ {m.gamma:.3f} · β {m.beta:.3f} · {m.fit_seconds:.1f} s"
    )


# --- callbacks ------------------------------------------------------------------------------------
