"""Pieces of the monitoring page: the view chosen, the severity counts, the departments' reports,
the alerts grid's rows and columns, and the workbook download."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import pandas as pd
from dash import html

from dashboard import context
from dashboard.data import geo
from dashboard.data import monitoring as data
from dashboard.data.store import current_scope, engine, periods
from dashboard.export.audit import record_export
from dashboard.i18n import N_, _, current_language, pick, t
from etl.alerts import RULE_NAMES, SEVERITIES
from etl.alerts_export import xlsx_bytes
from etl.feeds.format import DEPARTMENTS
from etl.feeds.targets import target_bp
from etl.indicators import INDICATOR_BY_FLAG

ALL = ""
ROW_LIMIT = 1000
"""At most this many alerts go to the grid (most severe first); the workbook has them all."""
SEVERITY_WORDS = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}


@dataclass(frozen=True)
class MonitoringView:
    """What the page shows: a period of the store, a region, a department and a severity ("" all)."""

    period: str
    region: str
    department: str
    severity: str


def chosen_view(
    period: object, region: object, department: object, severity: object
) -> MonitoringView:
    """The view asked for by the URL, an unknown value replaced by the default (the latest period,
    everything)."""
    available = periods()
    latest = available[-1] if available else ""
    return MonitoringView(
        period if isinstance(period, str) and period in available else latest,
        region if isinstance(region, str) and region in region_codes() else ALL,
        department if isinstance(department, str) and department in department_codes() else ALL,
        severity if isinstance(severity, str) and severity in SEVERITIES else ALL,
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
              "severity": view.severity}  # fmt: skip
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
    table = filtered(MonitoringView(view.period, view.region, view.department, ALL))
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
