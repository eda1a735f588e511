"""情景推演 Scenarios: edit a scenario (JSON levers), run it, map it against the baseline, save it.

URL state: ``name`` (a saved scenario: a link reproduces it), ``measure`` (inflow, outflow or an
indicator flag), ``layer`` (difference, scenario, baseline), ``lang``. The map is the national
county layer; the table sums the scenario by collaboration region. See ``docs/scenarios.md``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard import context, ids
from dashboard.components import control
from dashboard.data import geo
from dashboard.data import scenarios as data
from dashboard.figures.scenario_map import layer_classes, scenario_map
from dashboard.i18n import indicator_name, lang_of, t, target_class_labels, text
from dashboard.theme import GRAPH_CONFIG
from etl.records import INDICATOR_BY_FLAG
from planning.errors import ScenarioError
from planning.scenario import parse_scenario

dash.register_page(__name__, path="/scenarios", name="情景推演", title="一盘棋 · 情景推演")

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
    try:
        scenario = parse_scenario(json.loads(editor))
        res = data.result(data.canonical_json(scenario))
        reference = reference_result(compare, res.period)
    except (ValueError, ScenarioError) as exc:
        return dash.no_update, dash.no_update, dash.no_update, f"⚠ {exc}"
    status = text(STRINGS, "ran", lang).format(
        name=scenario.name, period=res.period, n=len(scenario.levers)
    )
    for note in res.notes:
        status += f" · {note}"
    return (
        map_figure(res, measure, layer, lang, reference),
        summary_table(res, lang, reference),
        model_line(res, lang),
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
    deleting = dash.ctx.triggered_id == ids.SCENARIOS_DELETE
    try:
        scenario = parse_scenario(json.loads(editor))
        if deleting:
            data.delete(scenario.name)
        else:
            data.save(scenario)
    except (ValueError, ScenarioError) as exc:
        return f"⚠ {exc}", dash.no_update, dash.no_update, dash.no_update
    if deleting:
        search = "?" + urlencode(
            {"measure": measure, "layer": layer, **({"lang": lang} if lang != "zh" else {})}
        )
        return (
            text(STRINGS, "deleted", lang) + scenario.name,
            search,
            saved_links(lang, measure, layer),
            _compare_options(lang),
        )
    return (
        text(STRINGS, "saved_ok", lang) + scenario.name,
        "?" + _query(scenario.name, measure, layer, lang, compare),
        saved_links(lang, measure, layer),
        _compare_options(lang),
    )
