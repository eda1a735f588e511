"""Pieces of the monitoring page: the view chosen, the severity counts, the departments' reports,
the alerts grid's rows and columns, and the workbook download."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import pandas as pd
from dash import html

from dashboard import context, theme
from dashboard.data import geo
from dashboard.data import monitoring as data
from dashboard.data.monitoring import ALERT_LEVELS, ALERT_MEASURE
from dashboard.data.store import current_scope, engine, periods
from dashboard.export import alert_map as alert_map_export
from dashboard.export.audit import record_export
from dashboard.export.menu import PageView
from dashboard.export.source import MapView
from dashboard.figures.china_map import Classes, MapLayer, flat_trace, zoom_to
from dashboard.figures.hotspot_map import Overlay, hotspot_map
from dashboard.i18n import N_, _, current_language, pick, t, wide_space
from etl.alerts import RULE_NAMES, SEVERITIES
from etl.alerts_export import xlsx_bytes
from etl.feeds.format import DEPARTMENTS
from etl.feeds.targets import target_bp
from etl.indicators import INDICATOR_BY_FLAG
from geodata.areas import find_area, map_area

ALL = ""
ROW_LIMIT = 1000
"""At most this many alerts go to the grid (most severe first); the workbook has them all."""
SEVERITY_WORDS = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}


MAP_LEVELS = ALERT_LEVELS
DEFAULT_LEVEL = "prefecture"


@dataclass(frozen=True)
class MonitoringView:
    """What the page shows: a period of the store, a region, a department and a severity ("" all),
    and the level of its map."""

    period: str
    region: str
    department: str
    severity: str
    level: str = DEFAULT_LEVEL


def chosen_view(
    period: object, region: object, department: object, severity: object,
    level: object = DEFAULT_LEVEL,
) -> MonitoringView:  # fmt: skip
    """The view asked for by the URL, an unknown value replaced by the default (the latest period,
    everything)."""
    available = periods()
    latest = available[-1] if available else ""
    return MonitoringView(
        period if isinstance(period, str) and period in available else latest,
        region if isinstance(region, str) and region in region_codes() else ALL,
        department if isinstance(department, str) and department in department_codes() else ALL,
        severity if isinstance(severity, str) and severity in SEVERITIES else ALL,
        level if isinstance(level, str) and level in MAP_LEVELS else DEFAULT_LEVEL,
    )


def region_codes() -> list[str]:
    return [r.code for r in geo.regions(context.current().regions_path).regions]


def department_codes() -> list[str]:
    return [d.code for d in DEPARTMENTS]


def region_options() -> list[dict[str, str]]:
    regions = geo.regions(context.current().regions_path).regions
    return [{"label": _("All regions"), "value": ALL}] + [
        {"label": pick(r.name_zh, r.name_en), "value": r.code} for r in regions
    ]


def department_options() -> list[dict[str, str]]:
    return [{"label": _("All departments"), "value": ALL}] + [
        {"label": pick(d.name_zh, d.name_en), "value": d.code} for d in DEPARTMENTS
    ]


def severity_options() -> list[dict[str, str]]:
    return [{"label": _("All severities"), "value": ALL}] + [
        {"label": _(SEVERITY_WORDS[s]), "value": s} for s in SEVERITIES
    ]


def search_of(view: MonitoringView) -> str:
    params = {"period": view.period, "region": view.region, "department": view.department,
              "severity": view.severity,
              "level": "" if view.level == DEFAULT_LEVEL else view.level}  # fmt: skip
    return "?" + urlencode({**{k: v for k, v in params.items() if v}, "lang": current_language()})


def _provinces_of(region: str) -> set[str]:
    return set(geo.regions(context.current().regions_path).region(region).province_codes)


def filtered(view: MonitoringView) -> pd.DataFrame:
    """The alerts of the view (region, department and severity applied)."""
    table = data.alerts(view.period)
    keep = pd.Series(True, index=table.index)
    if view.region:
        keep &= table["province_code"].isin(_provinces_of(view.region))
    if view.department:
        keep &= table["department"] == view.department
    if view.severity:
        keep &= table["severity"] == view.severity
    return table[keep]


def counts(view: MonitoringView) -> html.Div:
    """How many alerts of each severity (region and department applied, severity not)."""
    table = filtered(MonitoringView(view.period, view.region, view.department, ALL, view.level))
    got = table["severity"].value_counts()
    boxes = [
        html.Div(
            [html.Span(f"{int(got.get(s, 0)):,}", className="yp-mon-count"),
             html.Span(_(SEVERITY_WORDS[s]), className="yp-mon-label")],
            className=f"yp-mon-box yp-sev-{s}",
        )
        for s in SEVERITIES
    ]  # fmt: skip
    return html.Div(boxes, className="yp-mon-counts")


def reports(view: MonitoringView) -> html.Table:
    """Each department's reports of the period: due, on time, late, missing, on-time rate against
    seed 002's target (red when under)."""
    subs = data.submissions(view.period)
    if view.region:
        subs = subs[subs["province_code"].isin(_provinces_of(view.region))]
    head = [_("Department"), _("Due"), _("On time"), _("Late"), _("Missing"), _("On-time rate"),
            _("Target")]  # fmt: skip
    rows = []
    for d in DEPARTMENTS:
        if view.department and d.code != view.department:
            continue
        mine = subs[subs["department"] == d.code]
        due = len(mine)
        on_time = int(mine["on_time"].sum())
        received = int(mine["received"].sum())
        goal = target_bp(d.code, "on_time")
        rate = on_time / due if due else None
        under = rate is not None and goal is not None and on_time * 10_000 < goal * due
        cells = [
            pick(d.name_zh, d.name_en), f"{due:,}", f"{on_time:,}", f"{received - on_time:,}",
            f"{due - received:,}", "" if rate is None else f"{100 * rate:.1f}%",
            "" if goal is None else f"{goal / 100:g}%",
        ]  # fmt: skip
        rows.append(
            html.Tr(
                [html.Td(c, className="yp-num" if n else None) for n, c in enumerate(cells)],
                className="yp-mon-under" if under else None,
            )
        )
    return html.Table(
        [
            html.Thead(
                html.Tr([html.Th(h, className="yp-num" if n else None) for n, h in enumerate(head)])
            ),
            html.Tbody(rows),
        ],
        className="yp-mon-reports",
    )


def grid_rows(view: MonitoringView) -> tuple[list[dict], int]:
    """(the grid's rows, at most ``ROW_LIMIT``, most severe first; how many alerts in all)."""
    table = filtered(view)
    names = geo.unit_names(current_language())
    departments = {d.code: pick(d.name_zh, d.name_en) for d in DEPARTMENTS}
    lang = current_language()
    reason = "reason_zh" if lang == "zh" else "reason_en"
    rows = []
    for n, r in enumerate(table.head(ROW_LIMIT).itertuples(index=False)):
        name = names.get(r.unit_code, r.unit_code)
        indicator = INDICATOR_BY_FLAG[r.indicator] if r.indicator else None
        rows.append(
            {
                "order": n,
                "sev": r.severity,
                "severity": _(SEVERITY_WORDS[r.severity]),
                "rule": pick(*RULE_NAMES[r.rule]),
                "area": f"[{name}]({r.link}&lang={lang})",
                "level": t(f"level_{r.level}"),
                "department": departments.get(r.department, ""),
                "indicator": pick(indicator.name_zh, indicator.name_en) if indicator else "",
                "reason": getattr(r, reason),
                "unit_code": r.unit_code,
            }
        )
    return rows, len(table)


def grid_columns() -> list[dict]:
    """AG Grid column definitions (every column sortable; severity by its order)."""
    return [
        {"field": "order", "hide": True, "sort": "asc"},
        {
            "field": "severity", "headerName": _("Severity"), "minWidth": 80, "maxWidth": 100,
            "cellClassRules": {f"yp-sev-cell-{s}": f"params.data.sev === '{s}'" for s in SEVERITIES},
        },
        {"field": "rule", "headerName": _("Rule"), "minWidth": 110, "maxWidth": 170},
        {"field": "area", "headerName": _("Area"), "minWidth": 120, "maxWidth": 180,
         "cellRenderer": "markdown"},
        {"field": "level", "headerName": _("Level"), "minWidth": 70, "maxWidth": 90},
        {"field": "department", "headerName": _("Department"), "minWidth": 80, "maxWidth": 150},
        {"field": "reason", "headerName": _("Reason"), "minWidth": 300, "flex": 3,
         "wrapText": True, "autoHeight": True},
        {"field": "unit_code", "headerName": _("Code"), "minWidth": 80, "maxWidth": 95},
    ]  # fmt: skip


def note_text(shown: int, total: int) -> str:
    if total > shown:
        return _(
            "Showing the {shown:,} most severe of {total:,} alerts: narrow the filters, or download the workbook for all of them."
        ).format(shown=shown, total=total)
    return _("{total:,} alerts. Click a column to sort; an area opens its page.").format(
        total=total
    )


def download(view: MonitoringView) -> dict:
    """The workbook of the view's period for ``dcc.Download`` (every alert of the reader's scope,
    as ``yipanqi alerts`` writes it), its audit row written."""
    made_at = datetime.now(UTC).isoformat(timespec="seconds")
    export = data.workbook(view.period, made_at)
    filename = f"alerts-{view.period}.xlsx"
    params = {"period": view.period, "scope": current_scope()}
    record_export(engine(), "alerts", params, rows=len(export.alerts), out=filename)
    content = base64.b64encode(xlsx_bytes(export)).decode("ascii")
    return {"content": content, "filename": filename, "base64": True}


# --- the map ------------------------------------------------------------------------------------


def level_options() -> list[dict[str, str]]:
    return [{"label": t(f"level_{lv}"), "value": lv} for lv in MAP_LEVELS]


def map_view(view: MonitoringView, lang: str) -> MapView:
    """The map of ``view`` as ``yipanqi export map|layer --measure alerts`` takes it: the region
    filter is the map's place."""
    return MapView(
        measure=ALERT_MEASURE, level=view.level, period=view.period, lang=lang, place=view.region,
        department=view.department, severity=view.severity,
    )  # fmt: skip


def page_view(view: MonitoringView, lang: str) -> PageView:
    return PageView(map_view(view, lang))


def alert_map(view: MonitoringView) -> tuple[dict, list]:
    """The map of the view's alerts per unit and its legend (the counts and classes of the print
    map, ``dashboard.export.alert_map``); a region's map fitted to it, the units around it pale."""
    mv = map_view(view, current_language())
    counts = alert_map_export.counts_of(mv)
    classes = alert_map_export.classes_of(counts)
    names = geo.unit_names(current_language())
    words = {s: _(SEVERITY_WORDS[s]) for s in SEVERITIES}
    hover = [
        f"<b>{names.get(c, c)}</b><br>"
        + _("{n} alerts").format(n=f"{int(counts.total[k]):,}")
        + (
            "<br>" + " · ".join(f"{words[s]} {int(counts.by_severity[s][k]):,}" for s in SEVERITIES)
            if counts.total[k]
            else ""
        )
        for k, c in enumerate(counts.codes)
    ]
    inside = counts.inside
    codes = [c for c, k in zip(counts.codes, inside, strict=True) if k]
    layer = MapLayer(
        codes, [names.get(c, c) for c in codes], counts.total[inside].astype(float),
        [h for h, k in zip(hover, inside, strict=True) if k],
    )  # fmt: skip
    frame = context.current().national_frame(view.level)
    around = Overlay([c for c, k in zip(counts.codes, inside, strict=True) if not k], [], "")
    figure = hotspot_map(layer, classes, frame=frame, withheld=Overlay([], [], ""))
    if view.region:
        pale = flat_trace(frame["geojson_url"], around.codes, [], theme.OUT_OF_PLACE)
        pale["hoverinfo"] = "skip"
        figure["data"].insert(2, pale)
        area = find_area(view.region, context.current().regions_path)
        if area is not None:
            drawn = map_area(area, context.current().regions_path)
            bounds = geo.fitted_bounds(drawn.county_codes, context.current().layers)
            if bounds is not None:
                zoom_to(figure, bounds)
    figure["layout"]["uirevision"] = f"{view.level}-{view.region}"
    return figure, map_legend(mv, classes, counts)


def map_legend(mv: MapView, classes: Classes, counts) -> list:  # noqa: ANN001
    """The map's legend: what a unit's colour counts, the classes with how many units each."""
    shown = counts.total[counts.inside]
    number = classes.index(shown.astype(float))
    rows = [
        (color, f"{label}{wide_space()}({int((number == i).sum()):,})")
        for i, (color, label) in enumerate(zip(classes.colors, classes.labels, strict=True))
    ][::-1] + [(theme.OUTSIDE_COVERAGE, t("outside_coverage"))]
    return [
        html.Div(alert_map_export.legend_title(mv), className="yp-legend-title"),
        html.Div(alert_map_export.legend_note(mv), className="yp-legend-scheme"),
        html.Div(
            [
                html.Div(
                    [html.Span(className="yp-swatch", style={"background": c}), html.Span(label)],
                    className="yp-legend-row",
                )
                for c, label in rows
            ],
            className="yp-hotspots-legend-rows",
        ),
    ]


def unit_codes_of_map() -> frozenset[str]:
    """Every code a unit of the monitoring map may have (any level's, in the hierarchy)."""
    h = geo.hierarchy()
    return frozenset(h["county_code"]) | frozenset(h["prefecture_code"]) | frozenset(h["province_code"])


def area_link(code: str, view: MonitoringView) -> str:
    """The page of a clicked unit for the view's period."""
    return f"/area/{code}?" + urlencode({"period": view.period, "lang": current_language()})
