"""The flows page's totals panel (in, out, net, among, within; small cells as ``< threshold``)
and its legends (line widths, colours and arrows; the regions' fills)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.data import flows as data
from dashboard.data import geo
from dashboard.figures.flow_map import (
    LINE_COLORS,
    SUPPRESSED_ALPHA,
    SUPPRESSED_WIDTH,
    region_fills,
    rgba,
)
from dashboard.formatting import count, signed
from dashboard.i18n import N_, _, current_language, in_brackets, join, t
from dashboard.pages.flows.view import view_classes

TOTAL_LABELS = {
    "in_place": N_("Inflow · from other places"),
    "out_place": N_("Outflow · to other places"),
    "in_set": N_("Inflow · from outside the selection"),
    "out_set": N_("Outflow · to outside the selection"),
}
WITHIN_LABELS = {
    "county": N_("Within counties"),
    "prefecture": N_("Within prefectures"),
    "province": N_("Within provinces"),
}
FOCUS_LINES = {"in": N_("Into the focus"), "out": N_("Out of the focus")}


def _count(
    value: int, threshold: int, *, name: str, plus: bool = False, hide: bool = False
) -> html.Div:
    """A total with its unit; under the threshold (or ``hide``): ``< threshold``, never the number."""
    unit = t("persons")
    attrs: Any = {"data-total": name}  # data-* attributes (Dash's typed signature has no **kwargs)
    if hide or data.suppressed(value, threshold):
        shown = f"< {threshold} {unit}"
        attrs["data-suppressed"] = "true"
    else:
        shown = f"{signed(value) if plus else count(value)} {unit}"
        attrs["data-value"] = str(value)
    return html.Div(shown, className="yp-flows-value", **attrs)


def totals_panel(view: data.FlowView) -> list:
    """The focused place's (or the selection's) in / out / net, between places only; within apart."""
    q, totals, threshold = view.query, view.totals, view.threshold
    if view.base_totals is not None:
        from dashboard.pages.flows import compare

        return compare.totals_panel(view)
    if q.focus:
        heading = f"{geo.unit_name(q.focus, current_language())}{in_brackets(q.focus)}"
        rows = [("in_place", "inflow", totals.inflow), ("out_place", "outflow", totals.outflow)]
    else:
        names = data.region_names(current_language())
        heading = _("Selected regions: {names}").format(names=join(names[r] for r in q.regions))
        rows = [("in_set", "inflow", totals.inflow), ("out_set", "outflow", totals.outflow)]
    hide_net = totals.hidden("net", threshold)
    items = [
        _total(
            _(TOTAL_LABELS[key]),
            _count(v, threshold, name=name, hide=totals.hidden(name, threshold)),
        )
        for key, name, v in rows
    ]
    items.append(
        _total(
            _("Net inflow"),
            _count(
                totals.net,
                threshold,
                name="net",
                plus=True,
                hide=hide_net and totals.net != 0,
            ),
        )
    )
    if totals.among is not None:
        items.append(
            _total(
                _("Between places inside the selection"),
                _count(
                    totals.among,
                    threshold,
                    name="among",
                    hide=totals.hidden("among", threshold),
                ),
            )
        )
    within = _(WITHIN_LABELS[q.level])
    items.append(
        _total(
            within + in_brackets(_("not in the totals above, not drawn")),
            _count(
                totals.within, threshold, name="within", hide=totals.hidden("within", threshold)
            ),
            muted=True,
        )
    )
    hint = (
        []
        if q.focus
        else [html.Div(_("Click a place on the map to focus its flows"), className="yp-flows-note")]
    )
    return [
        html.Div(heading, className="yp-flows-subtitle", id="flows-totals-heading"),
        html.Div(items, className="yp-flows-kpis"),
        *hint,
    ]


def _total(label: str, value: html.Div, muted: bool = False) -> html.Div:
    return html.Div(
        [html.Div(label, className="yp-flows-label"), value],
        className="yp-flows-kpi" + (" yp-muted" if muted else ""),
    )


def line_legend(view: data.FlowView) -> list:
    """Width classes with their persons, the small-cell style, and what colours and arrows mean."""
    q = view.query
    if q.target:
        from dashboard.pages.flows import compare

        return compare.line_legend(view)
    classes = view_classes(view)
    if not q.focus:
        colors = ["flow"]
    else:
        colors = {"inflow": ["in"], "outflow": ["out"]}.get(q.direction, ["in", "out"])
    color = LINE_COLORS[colors[0]]
    title = _("Net persons per line") if q.direction == "net" else _("Persons per line")
    rows = [html.Div(title, className="yp-legend-title")]
    for label, width, alpha in zip(classes.labels(), classes.widths, classes.alphas, strict=True):
        rows.append(_legend_row(_line_swatch(color, width, alpha), label))
    if view.flows["small_cell"].astype(bool).any():
        label = _("under {threshold} (not shown)").format(threshold=view.threshold)
        rows.append(_legend_row(_line_swatch(color, SUPPRESSED_WIDTH, SUPPRESSED_ALPHA), label))
    if len(colors) > 1 or q.focus:
        for group in colors:
            rows.append(
                _legend_row(_line_swatch(LINE_COLORS[group], 3.0, 0.8), _(FOCUS_LINES[group]))
            )
    arrow = (
        _("Arrows run from net loser to net gainer")
        if q.direction == "net"
        else _("Arrows point to the place of residence")
    )
    rows.append(html.Div(arrow, className="yp-flows-note"))
    return rows


def region_legend(regions: tuple[str, ...]) -> list:
    fills = region_fills(data.region_codes() + (data.OTHER_REGION,))
    names = data.region_names(current_language())
    rows = [html.Div(_("Regions"), className="yp-legend-title")]
    for code in regions:
        rows.append(_legend_row(_swatch(fills[code]), names[code]))
    chosen = set(regions)
    if sum(1 for r in data.province_regions().values() if len(chosen & set(r)) > 1):
        rows.append(_legend_row(_swatch(fills["multi"]), _("In two chosen regions")))
    rows.append(_legend_row(_swatch(fills["unselected"]), _("Not chosen")))
    return rows


def _legend_row(swatch, label: str) -> html.Div:
    return html.Div([swatch, html.Span(label)], className="yp-legend-row")


def _swatch(color: str) -> html.Span:
    return html.Span(className="yp-swatch", style={"background": color})


def _line_swatch(color: str, width: float, alpha: float) -> html.Span:
    """A stretch of flow line as drawn on the map (width in px, same colour and transparency)."""
    return html.Span(
        className="yp-flows-line",
        style={"borderTop": f"{max(width, 1.5):.1f}px solid {rgba(color, alpha)}"},
    )
