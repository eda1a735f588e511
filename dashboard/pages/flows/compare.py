"""The flows page's comparison of two periods or two years (``dashboard.data.flow_change``): its
totals panel (each total before and after, the change in persons and percent), the change table
(sorted by absolute change), the line legend (growth blue, decline red) and the words of the title.
A withheld change reads "withheld", never a number."""

from __future__ import annotations

import math
from typing import Any

from dash import html

from dashboard.data import flows as data
from dashboard.data import geo
from dashboard.figures.flow_map import LINE_COLORS, SUPPRESSED_ALPHA, SUPPRESSED_WIDTH
from dashboard.formatting import count, signed
from dashboard.i18n import N_, _, current_language, in_brackets, join, t

TOTAL_ROWS = {
    "inflow": N_("Inflow"),
    "outflow": N_("Outflow"),
    "net": N_("Net inflow"),
}


def side_name(side: str) -> str:
    """A side in words: a period as it is, a year as "Year 2012"."""
    return _("Year {year}").format(year=side) if len(side) == 4 else side


def comparison_words(query: data.FlowQuery) -> str:
    """ "2012-10 → 2012-12" (the base side first)."""
    assert query.compare is not None and query.target is not None
    return f"{side_name(query.compare)} → {side_name(query.target)}"


def percent_text(value: float) -> str:
    if not math.isfinite(value):
        return "–"
    return f"{value:+.1f}%"


def change_text(change: float, percent: float) -> str:
    return f"{signed(change)} {t('persons')} ({percent_text(percent)})"


def totals_panel(view: data.FlowView) -> list:
    """The selection's (or the focus's) totals on both sides and their change."""
    q, after, before, threshold = view.query, view.totals, view.base_totals, view.threshold
    assert before is not None
    if q.focus:
        heading = f"{geo.unit_name(q.focus, current_language())}{in_brackets(q.focus)}"
    else:
        names = data.region_names(current_language())
        heading = _("Selected regions: {names}").format(names=join(names[r] for r in q.regions))
    sides = {
        "inflow": (before.inflow, after.inflow),
        "outflow": (before.outflow, after.outflow),
    }
    hidden = {
        kind: data.suppressed(a, threshold) or data.suppressed(b, threshold)
        for kind, (a, b) in sides.items()
    }
    sides["net"] = (before.inflow - before.outflow, after.inflow - after.outflow)
    hidden["net"] = hidden["inflow"] or hidden["outflow"]
    items = []
    for kind, (a, b) in sides.items():
        label = _(TOTAL_ROWS[kind])
        attrs: Any = {"data-total": kind}
        if hidden[kind]:
            shown = _("withheld (a small cell on one side)")
            attrs["data-suppressed"] = "true"
        else:
            pct = (b - a) / abs(a) * 100 if a else float("nan")
            shown = f"{count(a)} → {count(b)} · {change_text(b - a, pct)}"
            attrs["data-value"] = str(b - a)
        items.append(
            html.Div(
                [
                    html.Div(label, className="yp-flows-label"),
                    html.Div(shown, className="yp-flows-value", **attrs),
                ],
                className="yp-flows-kpi",
            )
        )
    return [
        html.Div(heading, className="yp-flows-subtitle", id="flows-totals-heading"),
        html.Div(comparison_words(q), className="yp-flows-note"),
        html.Div(items, className="yp-flows-kpis"),
    ]


def table_rows(view: data.FlowView) -> tuple[list[dict], Any]:
    """(rows, column definitions) of the change table: base, target, change, percent."""
    flows = view.flows
    small = flows["small_cell"].astype(bool).to_numpy()
    withheld = _("withheld")
    from dashboard.pages.flows.table import COLUMN_STYLE, _names

    rows = []
    for i, (row, hid) in enumerate(zip(flows.itertuples(index=False), small, strict=True)):
        rows.append(
            {
                "rank": i + 1,
                "origin": None,
                "origin_code": row.origin_code,
                "destination": None,
                "destination_code": row.destination_code,
                "before": withheld if hid else count(row.before),
                "after": withheld if hid else count(row.after),
                "change": withheld if hid else signed(row.change),
                "percent": withheld if hid else percent_text(row.percent),
            }
        )
    for row, o, d in zip(rows, _names(flows, "origin"), _names(flows, "destination"), strict=True):
        row["origin"], row["destination"] = o, d
    q = view.query
    assert q.compare is not None and q.target is not None
    net = q.direction == "net"
    headers = {
        "rank": _("#"),
        "origin": _("From (registration)"),
        "origin_code": _("Code"),
        "destination": _("To (residence)"),
        "destination_code": _("Code"),
        "before": side_name(q.compare),
        "after": side_name(q.target),
        "change": _("Net change (persons)") if net else _("Change (persons)"),
        "percent": _("Change (%)"),
    }
    numeric = {"type": "rightAligned", "maxWidth": 140}
    columns = [
        {
            "field": k,
            "headerName": h,
            **COLUMN_STYLE.get(k.removeprefix("origin_").removeprefix("destination_"), {}),
            **(numeric if k in ("before", "after", "change", "percent") else {}),
        }
        for k, h in headers.items()
    ]
    return rows, columns


def line_legend(view: data.FlowView) -> list:
    """What the change lines mean: width by the size of the change, colour by its sign."""
    from dashboard.pages.flows.totals import _legend_row, _line_swatch
    from dashboard.pages.flows.view import view_classes

    classes = view_classes(view)
    net = view.query.direction == "net"
    title = _("Net change per line (persons)") if net else _("Change per line (persons)")
    rows = [html.Div(title, className="yp-legend-title")]
    for label, width, alpha in zip(classes.labels(), classes.widths, classes.alphas, strict=True):
        rows.append(_legend_row(_line_swatch("#555555", width, alpha), label))
    if view.flows["small_cell"].astype(bool).any():
        label = _("withheld: a small cell on one side (not shown)")
        rows.append(_legend_row(_line_swatch("#555555", SUPPRESSED_WIDTH, SUPPRESSED_ALPHA), label))
    if net:
        rows.append(
            html.Div(
                _("Arrows run the way the net flow grew (a pair's net change)"),
                className="yp-flows-note",
            )
        )
    else:
        rows.append(_legend_row(_line_swatch(LINE_COLORS["in"], 3.0, 0.8), _("Growth")))
        rows.append(_legend_row(_line_swatch(LINE_COLORS["out"], 3.0, 0.8), _("Decline")))
        rows.append(
            html.Div(_("Arrows point to the place of residence"), className="yp-flows-note")
        )
    return rows
