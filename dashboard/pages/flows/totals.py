"""The flows page's totals panel (in, out, net, among, within; small cells as ``< threshold``)
and its legends (line widths, colours and arrows; the regions' fills)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.data import flows as data
from dashboard.data import geo
from dashboard.figures.flow_map import (
    LINE_ALPHA,
    LINE_COLORS,
    SUPPRESSED_ALPHA,
    SUPPRESSED_WIDTH,
    region_fills,
    rgba,
)
from dashboard.i18n import text
from dashboard.pages.flows.strings import STRINGS
from dashboard.pages.flows.view import _code, _join, view_classes


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
