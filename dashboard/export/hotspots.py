"""The hot spots page's maps and analysis to print files and data files: the view on screen.

``yipanqi export map|layer --hotspots`` and the download menus under the hot spots page's three
maps run these functions (``dashboard.export.menu``, ``HotspotFiles``): a download is the command
line's file for the same view, byte for byte apart from timestamps.

- *Print map* (``--hotspot-map``): ``value``, the variable mapped (raw, global or spatial Empirical
  Bayes rate) in the chosen classification (box map, natural breaks, equal interval, quantiles or
  typed breaks; the legend's title names it), with the units whose rate rests on a small
  denominator washed over unless ``shade`` is off, as on screen; ``cluster``, the LISA cluster map (HH, LH, LL, HL,
  not significant); ``significance``, the significance map. Classes, counts and colours are the
  page's (``dashboard.pages.hotspots.view``); the subtitle states global Moran's I, its pseudo
  p-value, the seed, the significance rule (FDR or none) and the permutations; the footer the
  page's narrative of the measure, then a row each for the weights, the units analysed and left out.
- *Data*: one row per unit of the reader's scope: counts, raw rate, both Empirical Bayes rates,
  the small-denominator flag, local Moran's I, its pseudo p-value, the LISA quadrant, the cluster
  (the quadrant where significant), the significance level; a withheld unit (small cell, or a
  cell that would reveal one: ``dashboard.data.overview.withheld``) blank through
  ``etl.disclosure.suppress`` with ``suppressed`` true. Metadata add the analysis: variable,
  FDR, permutations, seed, global Moran, weights.

The numbers are ``dashboard.data.hotspots.analysis`` of the reader's scope (the ``--as`` account's
on the command line, else the nation's): the page's own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.autocorrelation import P_LEVELS, PERMUTATIONS, SEED
from analytics.classes import SCHEMES, BreaksError, parse_breaks
from dashboard import context, formatting
from dashboard.data.hotspots import (
    LEVELS,
    SMALL_DENOMINATOR,
    VARIABLES,
    Analysis,
    analysis,
    is_rate,
)
from dashboard.data.overview import MEASURES
from dashboard.data.store import current_scope, periods, reading_as
from dashboard.export.audit import record_export
from dashboard.export.map_figure import PrintTexts
from dashboard.export.render import MAP_FORMATS, MapRenderer
from dashboard.export.source import ExportError, Lineage, MapView, read_lineage, store_context
from dashboard.export.tables import DATA_FORMATS, Table, _metadata, write_table
from dashboard.i18n import _, language
from dashboard.pages.hotspots.view import (
    DEFAULT_SCHEME,
    SCHEME_LABELS,
    VARIABLE_LABELS,
    HotspotView,
    analysis_frame,
    break_scale,
    cluster_classes,
    cutoff_text,
    significance_classes,
    small_label,
    value_classes,
    withheld_columns,
)
from dashboard.pages.overview.view import measure_label
from etl.disclosure import suppress
from etl.scope import Scope
from geodata.layers import LayerSet

MAPS = ("value", "cluster", "significance")
"""The three maps of the page, each a print map of its own."""


@dataclass(frozen=True)
class HotspotExport:
    """One hot spots view to a file: the page's ``view`` (its period "" for the store's latest),
    which of its ``map`` s (``MAPS``; a data file holds them all) and the labels' ``lang``."""

    view: HotspotView
    map: str = "value"
    lang: str = "zh"


def checked(export: HotspotExport) -> HotspotExport:
    """``export`` with its period resolved and its breaks read; ExportError names what is wrong
    and the choices (store context)."""
    view = export.view
    for name, value, allowed in (
        ("measure", view.measure, MEASURES),
        ("level", view.level, LEVELS),
        ("variable", view.variable, VARIABLES),
        ("scheme", view.scheme, SCHEMES),
        ("hot spots map", export.map, MAPS),
        ("language", export.lang, ("zh", "en")),
    ):
        if value not in allowed:
            raise ExportError(f"unknown {name} {value!r}; one of {', '.join(allowed)}")
    available = periods()
    if not available:
        raise ExportError("the store has no aggregates: load records with `yipanqi ingest` first")
    period = view.period or available[-1]
    if period not in available:
        raise ExportError(
            f"period {period!r} is not in the store; it has {available[0]} .. {available[-1]}"
        )
    if view.scheme == "user":
        user_breaks(view)
    return replace(export, view=replace(view, period=period))


def user_breaks(view: HotspotView) -> tuple[float, ...]:
    """The typed breaks of ``view`` (scheme ``user``) in the measure's scale (a share's are
    typed in %); ExportError when they are none or not increasing numbers."""
    if view.scheme != "user":
        return ()
    try:
        breaks = parse_breaks(view.breaks, scale=break_scale(view.measure))
    except BreaksError as error:
        raise ExportError(f"--breaks {view.breaks!r}: {error}") from None
    if not breaks:
        raise ExportError("--scheme user needs --breaks: up to 8 increasing numbers, e.g. 90,95,98")
    return breaks


def as_drawn(view: HotspotView) -> HotspotView:
    """``view`` as the page draws it: typed breaks that are none or not numbers give the box map
    (the page says so above the maps)."""
    if view.scheme != "user":
        return view
    try:
        user_breaks(view)
    except ExportError:
        return replace(view, scheme=DEFAULT_SCHEME)
    return view


@contextmanager
def _reading(layers: LayerSet, store_url: str, scope: Scope | None) -> Iterator[Any]:
    """The store's context, read as ``scope`` when given (the ``--as`` account's)."""
    with (
        store_context(layers, store_url) as ctx,
        reading_as(scope) if scope is not None else nullcontext(),
    ):
        yield ctx


def _analysis(view: HotspotView) -> Analysis:
    return analysis(view.measure, view.level, view.period, view.variable, view.fdr)


# --- the print map ------------------------------------------------------------------------------


def hotspot_map_figure(
    layers: LayerSet,
    store_url: str,
    export: HotspotExport,
    *,
    now: datetime | None = None,
    scope: Scope | None = None,
) -> dict:
    """The print figure of ``export``'s map (A4 landscape, the 南海诸岛 inset)."""
    from dashboard.export.maps import Drawn, national_print_figure

    with _reading(layers, store_url, scope) as ctx:
        export = checked(export)
        view = export.view
        result = _analysis(view)
        lineage = read_lineage(ctx, now)
        with language(export.lang):
            washed: tuple[str, ...] = ()
            if export.map == "value":
                classes, z = value_classes(view, result, user_breaks(view))
                if view.shade and is_rate(view.measure):
                    washed = tuple(np.array(result.codes)[result.small])
            elif export.map == "cluster":
                classes, z = cluster_classes(result)
            else:
                classes, z = significance_classes(result)
            texts = print_texts(export, result, lineage)
            if washed:
                texts = replace(texts, washed=small_label(view.measure))
        drawn = Drawn(list(result.codes), z, result.withheld, classes, texts, washed=washed)
        return national_print_figure(layers, ctx, view.level, drawn)


def print_texts(export: HotspotExport, result: Analysis, lineage: Lineage) -> PrintTexts:
    """Title (the map, the measure (and the variable of the value map), level and period), subtitle (global Moran's I,
    its pseudo p-value, the seed, the significance rule and permutations), legend title (the
    classification or the map); in the footer the page's narrative of the measure (as under the
    value map), then a row each for the weights, the units analysed and the units left out."""
    from dashboard.export.maps import LEVEL_UNITS, view_narrative
    from dashboard.export.maps import print_texts as base_texts

    view = export.view
    n_withheld = int(result.withheld.sum())
    base_view = MapView(view.measure, view.level, view.period, export.lang)
    base = base_texts(base_view, lineage, n_withheld, len(result.codes))
    variable = _(VARIABLE_LABELS[result.variable])
    if export.map == "value":
        label = f"{measure_label(view.measure)} · {variable}"
        legend_title = _(SCHEME_LABELS[view.scheme])
        if view.scheme == "user":
            legend_title = f"{legend_title}: {view.breaks}"
    else:
        heading = {
            "cluster": _("Local Moran (LISA) clusters"),
            "significance": _("Significance of local Moran"),
        }[export.map]
        label = f"{heading} · {measure_label(view.measure)}"  # the variable: footer
        legend_title = heading
    title = _("{label} by {level}, {period}").format(
        label=label, level=_(LEVEL_UNITS[view.level]), period=formatting.period(view.period)
    )
    rule = cutoff_text(result)
    if result.moran is None:
        subtitle = f"{_('Too few units with data for a test of clustering.')} {rule}"
    else:
        subtitle = _("Global Moran's I {i}, pseudo p-value {p}, seed {seed}; {rule}").format(
            i=f"{result.moran.i:.3f}", p=f"{result.moran.p_sim:.3f}", seed=SEED, rule=rule
        )
    n_missing = int((~result.analysed & ~result.withheld).sum())
    notes = [
        _("Neighbours: queen contiguity (a shared border or corner), row-standardised."),
        _("{n} units ({level}) analysed: {variable}.").format(
            n=formatting.count(int(result.analysed.sum())),
            level=_(LEVEL_UNITS[view.level]),
            variable=variable,
        ),
        _(
            "Left out: {withheld} withheld (small cells and the cells that would reveal them), "
            "{missing} without data."
        ).format(withheld=formatting.count(n_withheld), missing=formatting.count(n_missing)),
    ]
    return replace(
        base,
        title=title,
        subtitle=subtitle,
        legend_title=legend_title,
        narrative=" ".join(view_narrative(base_view)),
        notes=tuple(notes),
    )


def export_hotspot_maps(
    layers: LayerSet,
    store_url: str,
    outs: Sequence[str | Path],
    export: HotspotExport,
    *,
    renderer: MapRenderer | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
    principal: Any = None,
) -> list[Path]:
    """Draw ``export``'s map once and write it to every file of ``outs`` (.png, .svg, .pdf)."""
    for out in outs:
        if Path(out).suffix.lower() not in MAP_FORMATS:
            raise ExportError(
                f"cannot write {Path(out).name}: a map is one of {', '.join(MAP_FORMATS)}"
            )
    figure = hotspot_map_figure(layers, store_url, export, now=now, scope=scope)
    if renderer is not None:
        files = renderer.render_many(figure, list(outs))
    else:
        with MapRenderer() as own:
            files = own.render_many(figure, list(outs))
    with _reading(layers, store_url, scope) as ctx:
        params = _params(checked(export), "map")
        for path in files:
            record_export(ctx.engine, "map", params, rows=None, out=path, principal=principal)
    return files


# --- the data -----------------------------------------------------------------------------------

COLUMNS = {
    "code": "GB/T 2260 adcode of the unit",
    "name": "unit name",
    "province_code": "adcode of the unit's province",
    "province_name": "province name",
    "level": "county or prefecture",
    "period": "YYYY-MM",
    "measure": "measure key",
    "numerator": "persons counted (the rate's numerator; inflow for inflow per 1,000)",
    "denominator": "the rate's denominator (persons; residents of the 2010 census for inflow "
    "per 1,000); blank for a count measure",
    "raw_rate": "numerator / denominator in the measure's scale (a share 0-1; per 1,000 for "
    "inflow_per_1000); a count measure: its value",
    "eb_rate": "global Empirical Bayes rate (Marshall 1991; esda), same scale; a coverage "
    "indicator is smoothed through its shortfall (1 - EB of persons not served)",
    "spatial_eb_rate": "spatial Empirical Bayes rate (the prior of the unit and its queen "
    "neighbours), same scale",
    "small_denominator": f"true: the rate rests on fewer than {SMALL_DENOMINATOR} persons (the "
    "denominator; for inflow per 1,000 the inflow): an unstable rate",
    "variable": "the variable mapped and tested: raw, eb or spatial_eb",
    "local_moran_i": "local Moran's I of the variable (row-standardised queen contiguity)",
    "pseudo_p": f"pseudo p-value of local Moran's I ({PERMUTATIONS} conditional permutations, "
    f"seed {SEED})",
    "cluster": "LISA cluster: HH, LH, LL, HL where significant (see fdr), else not_significant",
    "significant": "true: local Moran significant at the rule of the export (see fdr)",
    "quadrant": "the Moran scatterplot quadrant whether significant or not: HH, LH, LL, HL",
    "significance": "the significance map's class: not_significant, or the smallest of "
    + ", ".join(f"p<={p:g}" for p in P_LEVELS)
    + " the pseudo p-value is at or under",
    "suppressed": "true: a small cell, or a cell that would reveal one (the overview withholds "
    "it: etl.marts.published): every number blank, the unit left out of the analysis",
}
QUADRANTS = ("", "HH", "LH", "LL", "HL")


def hotspot_table(export: HotspotExport, lineage: Lineage) -> Table:
    """The analysis of ``export``'s view, one row per unit of the reader's scope, withheld units
    blank (store context; period resolved)."""
    from dashboard.data import geo

    view = export.view
    result = _analysis(view)
    with language(export.lang):
        data = analysis_frame(view, result)
    names = geo.unit_names(export.lang)
    data.insert(3, "province_name", [names.get(c, "") for c in data["province_code"]])
    local = result.local
    if local is not None:
        quadrant = result.spread(local.quadrant.astype(float))
        level = result.spread(local.significance.astype(float))
    else:
        quadrant = level = np.full(len(result.codes), np.nan)
    words = ["not_significant", *[f"p<={p:g}" for p in P_LEVELS]]
    data["quadrant"] = [QUADRANTS[int(q)] if np.isfinite(q) else "" for q in quadrant]
    data["significance"] = [words[int(s)] if np.isfinite(s) else "" for s in level]
    data = suppress(data, withheld_columns(data), result.withheld)
    meta = _metadata(MapView(view.measure, view.level, view.period, export.lang), lineage, COLUMNS)
    return Table(
        data,
        pd.concat([_analysis_rows(view, result), meta], ignore_index=True),
        f"hotspots_{view.measure}_{view.level}_{view.period}"[:31],
    )


def _analysis_rows(view: HotspotView, result: Analysis) -> pd.DataFrame:
    moran = result.moran
    rule = (
        f"false discovery rate 0.05 (Benjamini-Hochberg): p <= {result.local.cutoff:.6f}"
        if result.fdr and result.local is not None
        else "p <= 0.05, no correction"
    )
    rows = [
        ("analysis", "variable", result.variable),
        ("analysis", "fdr", str(result.fdr).lower()),
        ("analysis", "significance_rule", rule),
        ("analysis", "permutations", str(PERMUTATIONS)),
        ("analysis", "seed", str(SEED)),
        ("analysis", "weights", "queen contiguity (a shared border or corner), row-standardised; "
         "units without a neighbour joined to their nearest unit (analytics.weights)"),
        ("analysis", "islands", " ".join(result.islands)),
        ("analysis", "units_analysed", str(int(result.analysed.sum()))),
        ("analysis", "units_withheld", str(int(result.withheld.sum()))),
        ("analysis", "global_moran_i", f"{moran.i:.6f}" if moran else ""),
        ("analysis", "global_moran_expected", f"{moran.expected:.6f}" if moran else ""),
        ("analysis", "global_moran_pseudo_p", f"{moran.p_sim:.6f}" if moran else ""),
        ("analysis", "global_moran_z_norm", f"{moran.z_norm:.6f}" if moran else ""),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["section", "key", "value"])


def export_hotspot_layer(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    export: HotspotExport,
    *,
    now: datetime | None = None,
    scope: Scope | None = None,
    principal: Any = None,
) -> list[Path]:
    """Write the analysis of ``export``'s view as .csv, .xlsx, .geojson or .gpkg with metadata."""
    with _reading(layers, store_url, scope) as ctx:
        export = checked(export)
        table = hotspot_table(export, read_lineage(ctx, now))
        files = write_table(table, out, layers, export.view.level)
        record_export(
            ctx.engine, "layer", _params(export, "layer"), rows=len(table.data), out=out,
            principal=principal,
        )  # fmt: skip
        return files


def _params(export: HotspotExport, kind: str) -> dict[str, object]:
    """What the export was, for its audit row: a map names which and its classes."""
    view = export.view
    params: dict[str, object] = {"hotspots": export.map if kind == "map" else "analysis"}
    params |= {"measure": view.measure, "level": view.level, "period": view.period,
               "variable": view.variable, "fdr": view.fdr}  # fmt: skip
    if kind == "map" and export.map == "value":
        params |= {"scheme": view.scheme, "breaks": view.breaks, "wash": view.shade}
    return params | {"lang": export.lang, "scope": current_scope()}


# --- the page's downloads -----------------------------------------------------------------------


def download_name(export: HotspotExport, fmt: str, period: str) -> str:
    """The file name of a download of ``export`` (a data file holds every map's columns)."""
    view = export.view
    parts = ["yipanqi-hotspots"]
    if f".{fmt}" not in DATA_FORMATS:
        parts.append(export.map)
    parts += [view.measure, view.level, period, view.variable]
    if f".{fmt}" not in DATA_FORMATS and export.map == "value":
        parts.append(view.scheme)
    return "-".join(parts) + f".{fmt}"


@dataclass(frozen=True)
class HotspotFiles:
    """The download menu's files of ``export`` (``dashboard.export.menu.ViewFiles``), made by the
    command line's functions in the request's store and scope."""

    export: HotspotExport

    def write(self, kind: str, out: Path) -> None:
        current = context.current()
        if kind == "map":
            export_hotspot_maps(current.layers, current.store_url, [out], self.export)
        else:
            export_hotspot_layer(current.layers, current.store_url, out, self.export)

    def name(self, fmt: str) -> str:
        return download_name(self.export, fmt, self.export.view.period or periods()[-1])


__all__ = [
    "MAPS", "HotspotExport", "HotspotFiles", "as_drawn", "checked", "export_hotspot_layer",
    "export_hotspot_maps", "hotspot_map_figure", "hotspot_table",
]  # fmt: skip
