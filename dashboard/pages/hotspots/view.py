"""Pieces of the hot spots page: the view asked for, the three maps with their legends, the
global Moran summary and the CSV of the analysis.

Pure functions of a ``HotspotView`` in the request's language over ``dashboard.data.hotspots``;
the page modules only wire them to the layout and callbacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from dash import html

from analytics.autocorrelation import CLUSTERS, P_LEVELS, PERMUTATIONS, SEED
from analytics.classes import SCHEMES, BreaksError, ClassBreaks, classify, parse_breaks
from dashboard import context, theme
from dashboard.data import geo
from dashboard.data.hotspots import (
    LEVELS,
    SCALE,
    SMALL_DENOMINATOR,
    VARIABLES,
    Analysis,
    analysis,
    is_rate,
    small_count,
)
from dashboard.data.overview import CENSUS_MEASURES, MEASURES
from dashboard.data.store import periods
from dashboard.figures.china_map import Classes, MapLayer
from dashboard.figures.hotspot_map import Overlay, categories, hotspot_map, legend_rows, ramp
from dashboard.formatting import count, percent
from dashboard.i18n import N_, _, current_language, join, t, wide_space
from dashboard.pages.overview.view import measure_label, unit_hover_names
from etl.disclosure import suppress
from etl.indicators import INDICATOR_BY_FLAG

DEFAULT_MEASURE = "cert_verified"
DEFAULT_LEVEL = "county"
DEFAULT_VARIABLE = "spatial_eb"
DEFAULT_SCHEME = "box"
OPTIONS = ("fdr", "shade")
MAX_ISLAND_NAMES = 6

VARIABLE_LABELS = {
    "raw": N_("Raw rate"),
    "eb": N_("Empirical Bayes (global)"),
    "spatial_eb": N_("Empirical Bayes (spatial)"),
}
SCHEME_LABELS = {
    "box": N_("Box map (hinge 1.5)"),
    "natural": N_("Natural breaks (5 classes)"),
    "equal": N_("Equal interval (5 classes)"),
    "quantiles": N_("Quantiles (5 classes)"),
    "user": N_("Your breaks"),
}
CLUSTER_LABELS = {
    "not_significant": N_("Not significant"),
    "HH": N_("High-High (hot spot)"),
    "LH": N_("Low-High (low among high)"),
    "LL": N_("Low-Low (cold spot)"),
    "HL": N_("High-Low (high among low)"),
}
BOX_LABELS = (
    N_("Lower outliers"),
    N_("Under the 1st quartile"),
    N_("1st quartile to median"),
    N_("Median to 3rd quartile"),
    N_("Over the 3rd quartile"),
    N_("Upper outliers"),
)


@dataclass(frozen=True)
class HotspotView:
    """What the page shows: a measure at a level in a period, the variable mapped and tested,
    the classification (``scheme``; ``breaks`` as typed), FDR and the small-denominator wash."""

    measure: str = DEFAULT_MEASURE
    level: str = DEFAULT_LEVEL
    period: str = ""
    variable: str = DEFAULT_VARIABLE
    scheme: str = DEFAULT_SCHEME
    breaks: str = ""
    fdr: bool = False
    shade: bool = True

    @property
    def options(self) -> list[str]:
        return [name for name in OPTIONS if getattr(self, name)]

    def query(self, lang: str) -> dict[str, str]:
        """The URL parameters of the view (``layout`` reads them back)."""
        return {
            "measure": self.measure, "level": self.level, "period": self.period,
            "variable": self.variable, "scheme": self.scheme, "breaks": self.breaks,
            "fdr": "1" if self.fdr else "0", "shade": "1" if self.shade else "0", "lang": lang,
        }  # fmt: skip


def chosen_view(params: Mapping[str, object]) -> HotspotView:
    """The view of URL parameters, each one that is not possible replaced by the default's (a
    stale or hand-edited link still opens). The store has periods."""
    available = periods()

    def pick(name: str, allowed: tuple[str, ...], default: str) -> str:
        value = params.get(name)
        return value if isinstance(value, str) and value in allowed else default

    breaks = params.get("breaks")
    return HotspotView(
        measure=pick("measure", MEASURES, DEFAULT_MEASURE),
        level=pick("level", LEVELS, DEFAULT_LEVEL),
        period=pick("period", available, available[-1]),
        variable=pick("variable", VARIABLES, DEFAULT_VARIABLE),
        scheme=pick("scheme", SCHEMES, DEFAULT_SCHEME),
        breaks=breaks[:200] if isinstance(breaks, str) else "",
        fdr=params.get("fdr") in ("1", True),
        shade=params.get("shade") not in ("0", False),
    )


def measure_options() -> list[dict]:
    """Rates first (coverage indicators, inflow per 1,000, census shares), then counts."""
    rates = [m for m in MEASURES if is_rate(m) and m in INDICATOR_BY_FLAG]
    rates += [m for m in MEASURES if is_rate(m) and m not in INDICATOR_BY_FLAG]
    counts = [m for m in MEASURES if not is_rate(m)]
    return [{"label": measure_label(m), "value": m} for m in rates + counts]


def variable_options(measure: str) -> list[dict]:
    """The variables; the smoothed ones only for a rate."""
    rate = is_rate(measure)
    return [
        {"label": _(VARIABLE_LABELS[v]), "value": v, "disabled": v != "raw" and not rate}
        for v in VARIABLES
    ]


def scheme_options() -> list[dict]:
    return [{"label": _(SCHEME_LABELS[s]), "value": s} for s in SCHEMES]


# --- values as text ----------------------------------------------------------------------------


def is_share(measure: str) -> bool:
    return measure in INDICATOR_BY_FLAG or measure in CENSUS_MEASURES


def value_text(measure: str, value: float) -> str:
    """A value of the measure as the page writes it (a share in %, per 1,000 in ‰)."""
    if not np.isfinite(value):
        return "–"
    if is_share(measure):
        return percent(value)
    if measure in SCALE:
        return f"{value:,.2f}‰" if abs(value) >= 1 else f"{value:.2g}‰"
    return count(value)


def small_label(measure: str) -> str:
    """What the wash over a unit means, for the measure (``hotspots.small_count``)."""
    if small_count(measure) == "numerator":
        return _("Fewer than {n} persons counted: an unstable rate").format(n=SMALL_DENOMINATOR)
    return _("Denominator under {n} persons: an unstable rate").format(n=SMALL_DENOMINATOR)


def break_scale(measure: str) -> float:
    """What a typed break is divided by: 100 for shares (typed in %), else 1."""
    return 100.0 if is_share(measure) else 1.0


# --- the analysis's maps ------------------------------------------------------------------------


@dataclass(frozen=True)
class Maps:
    """Figures and legends of the three maps, the summary card and a problem with typed breaks."""

    value: dict
    value_legend: list
    value_title: str
    cluster: dict
    cluster_legend: list
    significance: dict
    significance_legend: list
    summary: list
    problem: str


def maps(view: HotspotView) -> Maps:
    """Everything the page shows for ``view`` (its period resolved)."""
    result = analysis(view.measure, view.level, view.period, view.variable, view.fdr)
    codes, names = unit_hover_names(view.level)
    assert list(codes) == result.codes, "units of the analysis and of the map differ"
    frame = context.current().national_frame(view.level)
    breaks, problem = _breaks(view)
    if view.scheme == "user" and not breaks:
        view, problem = (
            replace(view, scheme=DEFAULT_SCHEME),
            problem
            or _("Type breaks to use them, e.g. {example}.").format(example=_example(view.measure)),
        )
    withheld = Overlay(
        [c for c, w in zip(codes, result.withheld, strict=True) if w],
        [
            f"<b>{n}</b><br>{t('suppressed')}"
            for n, w in zip(names, result.withheld, strict=True)
            if w
        ],
        t("suppressed"),
    )
    value_hover = _value_hover(result, names)
    washed = None
    if view.shade and is_rate(view.measure):
        small = result.small
        washed = Overlay(
            [c for c, s in zip(codes, small, strict=True) if s],
            [h for h, s in zip(value_hover, small, strict=True) if s],
            small_label(view.measure),
        )
    value_fig, value_legend = _value_map(
        view, result, names, value_hover, frame, withheld, washed, breaks
    )
    cluster_fig, cluster_legend = _cluster_map(view, result, names, frame, withheld)
    sig_fig, sig_legend = _significance_map(view, result, names, frame, withheld)
    title = " · ".join(
        (measure_label(view.measure), _(VARIABLE_LABELS[result.variable]), view.period)
    )
    return Maps(
        value_fig, value_legend, title, cluster_fig, cluster_legend, sig_fig, sig_legend,
        summary(result), problem,
    )  # fmt: skip


def _breaks(view: HotspotView) -> tuple[tuple[float, ...], str]:
    if view.scheme != "user":
        return (), ""
    try:
        return parse_breaks(view.breaks, scale=break_scale(view.measure)), ""
    except BreaksError:
        return (), _(
            "Breaks are up to 8 numbers, increasing, separated by commas (e.g. {example})."
        ).format(example=_example(view.measure))


def _example(measure: str) -> str:
    return "90, 95, 98" if is_share(measure) else "10, 50, 100"


def value_classes(
    view: HotspotView, result: Analysis, breaks: tuple[float, ...]
) -> tuple[Classes, np.ndarray]:
    """The classes of the mapped variable in ``view.scheme`` (``breaks``: the typed ones) and
    each unit's class number (NaN where not analysed), as the page and its print map draw them."""
    values = result.value[result.analysed]
    if values.size == 0:
        return categories((theme.SEQUENTIAL_5[2],), ("–",)), np.full(len(result.codes), np.nan)
    breaks_of = classify(values, view.scheme, breaks=breaks)
    return _value_classes(view, breaks_of), result.spread(breaks_of.yb.astype(float))


def _value_map(view, result: Analysis, names, hover, frame, withheld, washed, breaks):
    label = measure_label(view.measure)
    classes, z = value_classes(view, result, breaks)
    scheme_title = _(SCHEME_LABELS[view.scheme])
    layer = MapLayer(result.codes, names, z, hover)
    figure = hotspot_map(layer, classes, frame=frame, withheld=withheld, washed=washed)
    title = f"{label} · {_(VARIABLE_LABELS[result.variable])}"
    return figure, legend(title, scheme_title, classes, withheld, washed)


def _value_classes(view: HotspotView, breaks: ClassBreaks) -> Classes:
    bounds = breaks.bounds
    ranges = [
        f"{value_text(view.measure, lo)} – {value_text(view.measure, hi)}"
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    counts = [f"{r}{wide_space()}({count(n)})" for r, n in zip(ranges, breaks.counts, strict=True)]
    if view.scheme == "box":
        low, high = value_text(view.measure, bounds[1]), value_text(view.measure, bounds[-2])
        ranges[0], ranges[-1] = f"< {low}", f"> {high}"
        least = max(breaks.lower, bounds[1])  # the first quartile starts at the least value
        ranges[1] = f"{value_text(view.measure, least)} – {value_text(view.measure, bounds[2])}"
        labels = [
            f"{_(name)}: {r}{wide_space()}({count(n)})"
            for name, r, n in zip(BOX_LABELS, ranges, breaks.counts, strict=True)
        ]
        return categories(theme.BOX_6, labels)
    return categories(ramp(len(counts)), counts)


def cluster_classes(result: Analysis) -> tuple[Classes, np.ndarray]:
    """The LISA cluster classes (with their counts) and each unit's cluster number (NaN where
    not analysed or without local Moran)."""
    counts = result.local.counts() if result.local else dict.fromkeys(CLUSTERS, 0)
    labels = [
        f"{_(CLUSTER_LABELS[name])}{wide_space()}({count(counts[name])})" for name in CLUSTERS
    ]
    z = np.full(len(result.codes), np.nan)
    if result.local is not None:
        z = result.spread(result.local.cluster.astype(float))
    return categories(theme.LISA_5, labels), z


def significance_classes(result: Analysis) -> tuple[Classes, np.ndarray]:
    """The significance classes (not significant, p ≤ 0.05, 0.01, 0.001, with their counts) and
    each unit's class number (NaN where not analysed or without local Moran)."""
    levels = result.local.significance if result.local is not None else np.array([], dtype=int)
    counts = [int((levels == k).sum()) for k in range(len(P_LEVELS) + 1)]
    words = [_("Not significant"), *[f"p ≤ {level:g}" for level in P_LEVELS]]
    labels = [f"{w}{wide_space()}({count(n)})" for w, n in zip(words, counts, strict=True)]
    z = np.full(len(result.codes), np.nan)
    if result.local is not None:
        z = result.spread(levels.astype(float))
    return categories(theme.SIGNIFICANCE_4, labels), z


def _cluster_map(view, result: Analysis, names, frame, withheld):
    classes, z = cluster_classes(result)
    hover = [f"<b>{n}</b><br>{t('no_data')}" for n in names]
    if result.local is not None:
        local_i = result.spread(result.local.local_i)
        p = result.spread(result.local.p_sim)
        cluster = result.spread(result.local.cluster.astype(float))
        for k, name in enumerate(names):
            if result.analysed[k]:
                hover[k] = (
                    f"<b>{name}</b><br>{_(CLUSTER_LABELS[CLUSTERS[int(cluster[k])]])}<br>"
                    + _("local Moran's I {i}, pseudo p-value {p}").format(
                        i=f"{local_i[k]:.2f}", p=f"{p[k]:.3f}"
                    )
                    + f"<br>{_(VARIABLE_LABELS[result.variable])}: {value_text(view.measure, result.value[k])}"
                )
    layer = MapLayer(result.codes, names, z, hover)
    figure = hotspot_map(layer, classes, frame=frame, withheld=withheld)
    rule = cutoff_text(result)
    return figure, legend(_("Local Moran (LISA) clusters"), rule, classes, withheld, None)


def _significance_map(view, result: Analysis, names, frame, withheld):
    classes, z = significance_classes(result)
    hover = [f"<b>{n}</b><br>{t('no_data')}" for n in names]
    if result.local is not None:
        p = result.spread(result.local.p_sim)
        for k, name in enumerate(names):
            if result.analysed[k]:
                hover[k] = f"<b>{name}</b><br>" + _("pseudo p-value {p}").format(p=f"{p[k]:.3f}")
    layer = MapLayer(result.codes, names, z, hover)
    figure = hotspot_map(layer, classes, frame=frame, withheld=withheld)
    return figure, legend(
        _("Significance of local Moran"), cutoff_text(result), classes, withheld, None
    )


def cutoff_text(result: Analysis) -> str:
    """The significance rule of the local Moran maps and the permutations."""
    permutations = _("{n} permutations").format(n=count(PERMUTATIONS))
    if result.local is None:
        return permutations
    if result.fdr:
        return _("significant at false discovery rate 0.05: p ≤ {cutoff}; {permutations}").format(
            cutoff=f"{result.local.cutoff:.4f}", permutations=permutations
        )
    return _("significant: p ≤ 0.05 (no correction); {permutations}").format(
        permutations=permutations
    )


def _value_hover(result: Analysis, names: list[str]) -> list[str]:
    """Per unit: the raw rate with its numerator and denominator, then both smoothed rates (a
    count measure: its value)."""
    measure = result.measure
    head = f"{result.period} · {measure_label(measure)}"
    out = []
    for k, name in enumerate(names):
        if result.withheld[k]:
            out.append(f"<b>{name}</b><br>{t('suppressed')}")
            continue
        if not result.analysed[k]:
            out.append(f"<b>{name}</b><br>{head}<br>{t('no_data')}")
            continue
        if not is_rate(measure):
            out.append(f"<b>{name}</b><br>{head}<br>{value_text(measure, result.raw[k])}")
            continue
        counts = f"{count(result.numerator[k])} / {count(result.denominator[k])}"
        lines = [
            f"<b>{name}</b>",
            head,
            f"{_(VARIABLE_LABELS['raw'])}: {value_text(measure, result.raw[k])}{wide_space()}({counts})",
            f"{_(VARIABLE_LABELS['eb'])}: {value_text(measure, result.eb[k])}",
            f"{_(VARIABLE_LABELS['spatial_eb'])}: {value_text(measure, result.spatial_eb[k])}",
        ]
        if result.small[k]:
            lines.append(small_label(measure))
        out.append("<br>".join(lines))
    return out


def legend(
    title: str, subtitle: str, classes: Classes, withheld: Overlay, washed: Overlay | None
) -> list:
    """The HTML legend of a map: its title, the rule or scheme, then every class."""
    rows = legend_rows(classes, withheld, washed, t("no_data"), t("outside_coverage"))
    return [
        html.Div(title, className="yp-legend-title"),
        html.Div(subtitle, className="yp-legend-scheme"),
        html.Div(
            [
                html.Div(
                    [
                        html.Span(
                            className="yp-swatch" + (" yp-swatch-wash" if wash else ""),
                            style={"background": color},
                        ),
                        html.Span(label),
                    ],
                    className="yp-legend-row",
                )
                for color, label, wash in rows
            ],
            className="yp-hotspots-legend-rows",
        ),
    ]


# --- the global Moran card ----------------------------------------------------------------------


def summary(result: Analysis) -> list:
    """Global Moran's I, what it means, the units analysed and left out, the weights."""
    level = t(f"level_{result.level}")
    n_withheld = int(result.withheld.sum())
    n_missing = int((~result.analysed & ~result.withheld).sum())
    parts: list = [html.Div(_("Global Moran's I"), className="yp-kpi-title")]
    moran = result.moran
    if moran is None:
        parts.append(html.Div("–", className="yp-kpi-value"))
        parts.append(html.P(_("Too few units with data for a test of clustering.")))
    else:
        significant = moran.p_sim <= 0.05
        if significant and moran.i > 0:
            meaning = _(
                "Similar values sit together: significant positive spatial autocorrelation."
            )
        elif significant:
            meaning = _(
                "Neighbours differ more than chance would make them: significant negative spatial autocorrelation."
            )
        else:
            meaning = _(
                "No significant spatial autocorrelation: the values could be placed at random."
            )
        parts += [
            html.Div(f"{moran.i:.3f}", className="yp-kpi-value"),
            html.P(meaning, className="yp-hotspots-meaning"),
            html.Ul(
                [
                    html.Li(
                        _("expected without clustering: {e}").format(e=f"{moran.expected:.4f}")
                    ),
                    html.Li(
                        _("pseudo p-value {p} ({n} permutations, seed {seed})").format(
                            p=f"{moran.p_sim:.3f}", n=count(moran.permutations), seed=SEED
                        )
                    ),
                    html.Li(
                        _("z = {z}, p = {p} under normality").format(
                            z=f"{moran.z_norm:.2f}", p=f"{moran.p_norm:.2g}"
                        )
                    ),
                ]
            ),
        ]
    notes = [
        _("{n} units ({level}) analysed: {variable}.").format(
            n=count(result.analysed.sum()), level=level,
            variable=_(VARIABLE_LABELS[result.variable]),
        ),
        _("Left out: {withheld} withheld (small cells and the cells that would reveal them), {missing} without data.").format(
            withheld=count(n_withheld), missing=count(n_missing)
        ),
        _("Neighbours: queen contiguity (a shared border or corner), row-standardised."),
    ]  # fmt: skip
    if 0 < len(result.islands) <= MAX_ISLAND_NAMES:
        names = geo.unit_names(current_language())
        notes.append(
            _("Joined to their nearest unit, having no neighbour: {names}.").format(
                names=join([names.get(c, c) for c in result.islands])
            )
        )
    elif result.islands:
        notes.append(
            _(
                "{n} units without a neighbour among those analysed are joined to their nearest unit."
            ).format(n=count(len(result.islands)))
        )
    if is_rate(result.measure):
        notes.append(
            _(
                "Empirical Bayes pulls each rate towards the overall (global) or the neighbourhood's (spatial) rate, the more the smaller its denominator."
            )
        )
        if result.measure in INDICATOR_BY_FLAG:
            notes.append(
                _(
                    "Coverage is smoothed through its shortfall (persons not served), the rare event the method assumes."
                )
            )
        if result.prior_flat and result.variable == "eb":
            notes.append(
                _(
                    "The rates vary no more than chance would make them: global Empirical Bayes gives every unit the overall rate."
                )
            )
    parts.append(html.Div([html.P(n) for n in notes], className="yp-hotspots-notes"))
    return parts


# --- the analysis table (what its files hold) ---------------------------------------------

ANALYSIS_COLUMNS = (
    "code", "name", "province_code", "level", "period", "measure", "numerator", "denominator",
    "raw_rate", "eb_rate", "spatial_eb_rate", "small_denominator", "variable", "local_moran_i",
    "pseudo_p", "cluster", "significant",
)  # fmt: skip


def analysis_table(view: HotspotView) -> pd.DataFrame:
    """The analysis as a table, one row per unit of the reader's scope, withheld units blank
    (``etl.disclosure.suppress``: the rows the analysis left out for disclosure)."""
    result = analysis(view.measure, view.level, view.period, view.variable, view.fdr)
    data = analysis_frame(view, result)
    return suppress(data, withheld_columns(data), result.withheld)


def withheld_columns(data: pd.DataFrame) -> list[str]:
    """The columns of an analysis table blanked for a withheld unit: all but the unit's
    identity and the view's."""
    keep = ("code", "name", "province_code", "province_name", "level", "period", "measure",
            "variable", "classification", "fdr")  # fmt: skip
    return [c for c in data.columns if c not in keep]


def analysis_frame(view: HotspotView, result: Analysis) -> pd.DataFrame:
    """The analysis of every unit of ``result`` (``ANALYSIS_COLUMNS``), unsuppressed: pass it through
    ``etl.disclosure.suppress`` with ``result.withheld`` before it leaves."""
    names = geo.unit_names(current_language())
    h = geo.hierarchy().drop_duplicates(f"{view.level}_code").set_index(f"{view.level}_code")
    local = result.local
    cluster = (
        result.spread(local.cluster.astype(float)) if local else np.full(len(result.codes), np.nan)
    )
    rate = is_rate(view.measure)
    data = pd.DataFrame(
        {
            "code": result.codes,
            "name": [names.get(c, "") for c in result.codes],
            "province_code": h["province_code"].reindex(result.codes).to_numpy(),
            "level": view.level,
            "period": view.period,
            "measure": view.measure,
            "numerator": _whole(result.numerator),
            "denominator": _whole(result.denominator),
            "raw_rate": result.raw,
            "eb_rate": result.eb if rate else np.nan,
            "spatial_eb_rate": result.spatial_eb if rate else np.nan,
            "small_denominator": result.small,
            "variable": result.variable,
            "local_moran_i": result.spread(local.local_i) if local else np.nan,
            "pseudo_p": result.spread(local.p_sim) if local else np.nan,
            "cluster": [CLUSTERS[int(c)] if np.isfinite(c) else "" for c in cluster],
            "significant": [bool(c > 0) if np.isfinite(c) else None for c in cluster],
        }
    )
    if view.measure in ("inflow", "outflow"):
        data["denominator"] = pd.NA  # a count has none
    return data


def _whole(values: np.ndarray) -> pd.Series:
    """Counts as whole numbers (blank where NaN); census populations are whole persons too."""
    return pd.Series(np.round(values)).astype("Int64")
