"""The flows page's period range and comparison views to print maps and data files.

``yipanqi export map|layer --start P`` (a range: the periods ``P`` to ``--period`` summed) and
``--change-from SIDE`` (a comparison: the change from ``SIDE``, a period or a year, to
``--period`` or its year), and the download menu under the flows map in those views
(``FlowsViewFiles``, ``dashboard.export.menu.ViewFiles``) run these functions: a download is the
command line's file for the same view, byte for byte apart from timestamps.

- print map (PNG, SVG, PDF): the units of the level coloured by the direction's measure (inflow,
  outflow or net; both directions: the inflow) summed over the range, or by its change;
- GeoJSON / GeoPackage: that layer, one row per unit;
- CSV / XLSX: every OD flow of the level and cohort (``export layer --flows long``): a range's
  flows summed, or a comparison's change table (base, target, change in whole persons and percent),
  sorted by absolute change.

Disclosure: the numbers are ``dashboard.data.flows.read_od_range`` and
``dashboard.data.flow_change`` (a pair or a unit withheld when any of its cells is), blanked by
``etl.disclosure.suppress`` with secondary suppression over each origin's and destination's
flows; each file writes one audit row (``export.map``, ``export.layer``, ``export.flows``) with
the reader's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from dashboard import context, formatting
from dashboard.data import flow_change, geo
from dashboard.data import flows as flows_data
from dashboard.data.store import current_scope, periods
from dashboard.export.audit import record_export
from dashboard.export.map_figure import PrintTexts, print_map_figure
from dashboard.export.render import MAP_FORMATS, MapRenderer
from dashboard.export.source import ExportError, Lineage, MapView, read_lineage, store_context
from dashboard.export.tables import (
    FLOW_FORMATS,
    Table,
    _metadata,
    _names_with_regions,
    write_table,
)
from dashboard.i18n import N_, _, language, t
from etl.disclosure import flow_margins, suppress
from etl.records import COHORTS
from geodata.layers import LayerSet

LEVELS = ("province", "prefecture", "county")
MEASURES = ("inflow", "outflow", "net")
LEVEL_WORDS = {"province": N_("province"), "prefecture": N_("prefecture"), "county": N_("county")}
MEASURE_WORDS = {"inflow": N_("Inflow"), "outflow": N_("Outflow"), "net": N_("Net inflow")}


@dataclass(frozen=True)
class FlowsView:
    """A range (``start`` to ``period``) or a comparison (``change_from`` to ``period``, or to
    its year when ``change_from`` is a year) of the flows of ``cohort`` at ``level``; ``measure``
    the unit layer's (inflow, outflow, net); labels in ``lang``."""

    measure: str = "inflow"
    level: str = "province"
    period: str | None = None
    cohort: str = "all"
    start: str = ""
    change_from: str = ""
    lang: str = "zh"

    def checked(self) -> FlowsView:
        known = periods()
        if not known:
            raise ExportError(
                "the store has no aggregates: load records with `yipanqi ingest` first"
            )
        if self.measure not in MEASURES:
            raise ExportError(f"a flows view maps {', '.join(MEASURES)}, not {self.measure!r}")
        if self.level not in LEVELS:
            raise ExportError(f"unknown level {self.level!r}; one of {', '.join(LEVELS)}")
        if self.cohort not in COHORTS:
            raise ExportError(f"unknown cohort {self.cohort!r}; one of {', '.join(COHORTS)}")
        if self.lang not in ("zh", "en"):
            raise ExportError(f"unknown language {self.lang!r}; zh or en")
        period = self.period or known[-1]
        if period not in known:
            raise ExportError(
                f"period {period!r} is not in the store; it has {known[0]} .. {known[-1]}"
            )
        if bool(self.start) == bool(self.change_from):
            raise ExportError("a flows view is a range (--start) or a comparison (--change-from)")
        if self.start and not (self.start in known and self.start < period):
            raise ExportError(f"--start {self.start!r} is not a stored period before {period}")
        if self.change_from and flow_change.target_of(self.change_from, period) is None:
            raise ExportError(
                f"--change-from {self.change_from!r} is not a stored period or year other than "
                f"{period} (or its year)"
            )
        return replace(self, period=period)

    @property
    def target(self) -> str:
        assert self.period is not None
        return flow_change.target_of(self.change_from, self.period) or ""

    def sides(self) -> str:
        """The period words of file names and tables: ``start_end`` or ``base_vs_target``."""
        if self.start:
            return f"{self.start}_{self.period}"
        return f"{self.change_from}_vs_{self.target}"


# --- the unit layer -----------------------------------------------------------------------------


def unit_values(view: FlowsView) -> pd.DataFrame:
    """``code, value, withheld`` (and, for a comparison, ``before, after, percent``) of the
    view's measure per unit of its level, in the reader's scope (store context)."""
    assert view.period is not None
    if view.start:
        units = flow_change.range_units(view.start, view.period, view.cohort, view.level)
        return pd.DataFrame(
            {
                "code": units["code"],
                "value": units[view.measure],
                "withheld": units[f"{view.measure}_withheld"],
            }
        )
    units = flow_change.unit_change(view.change_from, view.target, view.cohort, view.level)
    m = view.measure
    return pd.DataFrame(
        {
            "code": units["code"],
            "before": units[f"{m}_before"],
            "after": units[f"{m}_after"],
            "value": units[f"{m}_change"],
            "percent": units[f"{m}_percent"],
            "withheld": units[f"{m}_withheld"],
        }
    )


def _persons(values: Any) -> Any:
    array = np.asarray(values, dtype=float)
    return pd.array([None if not np.isfinite(v) else int(round(v)) for v in array], dtype="Int64")


def unit_table(view: FlowsView, lineage: Lineage) -> Table:
    """The unit layer of ``view`` with its metadata; withheld units blank (``suppress``)."""
    values = unit_values(view)
    names = geo.unit_names(view.lang)
    data = pd.DataFrame(
        {
            "code": values["code"],
            "name": [names.get(c, "") for c in values["code"]],
            "level": view.level,
            "cohort": view.cohort,
            "measure": view.measure,
        }
    )
    if view.start:
        data["period"] = f"{view.start}/{view.period}"
        data["persons"] = _persons(values["value"])
        counts = ["persons"]
    else:
        data["base"], data["target"] = view.change_from, view.target
        data["before"] = _persons(values["before"])
        data["after"] = _persons(values["after"])
        data["change"] = _persons(values["value"])
        data["percent"] = pd.array(np.round(values["percent"].to_numpy(float), 1), dtype="Float64")
        counts = ["before", "after", "change", "percent"]
    hidden = values["withheld"].to_numpy(bool)
    data = suppress(data, counts, hidden)
    meta = _metadata(_map_view(view), lineage, _unit_columns(view))
    return Table(data, _with_view(meta, view), f"{view.measure}_{view.level}_{view.sides()}"[:31])


def _unit_columns(view: FlowsView) -> dict[str, str]:
    columns = {
        "code": "GB/T 2260 adcode of the unit",
        "name": "unit name",
        "level": "province, prefecture or county",
        "cohort": "cohort counted (all, women_15_49, ...)",
        "measure": "inflow (persons living in the unit registered in another unit of the level), "
        "outflow (registered in the unit, living in another), net (inflow - outflow)",
    }
    if view.start:
        columns["period"] = "the periods summed, start/end (a person counts once per period)"
        columns["persons"] = "the measure summed over the periods; blank when suppressed"
    else:
        columns.update(
            {
                "base": "the comparison's base: a period YYYY-MM or a year YYYY (its periods summed)",
                "target": "the comparison's target: a period or a year",
                "before": "the measure in the base; blank when suppressed",
                "after": "the measure in the target; blank when suppressed",
                "change": "after - before, whole persons; blank when suppressed",
                "percent": "change / |before| x 100, one decimal; blank when before is 0 or suppressed",
            }
        )
    columns["suppressed"] = (
        "true: the unit's total on either side (for net: inflow or outflow) is under the "
        "small-cell threshold; a change involving a withheld cell is withheld, never computed"
    )
    return columns


def _with_view(meta: pd.DataFrame, view: FlowsView) -> pd.DataFrame:
    extra = pd.DataFrame(
        [
            ("view", "kind", "range" if view.start else "comparison"),
            ("view", "start", view.start),
            ("view", "change_from", view.change_from),
            ("view", "target", view.target if view.change_from else ""),
            ("view", "cohort", view.cohort),
        ],
        columns=["section", "key", "value"],
    )
    return pd.concat([extra, meta], ignore_index=True)


def _map_view(view: FlowsView) -> MapView:
    return MapView(view.measure, view.level, view.period, view.lang)


# --- the OD flows: a range's sums, a comparison's changes ----------------------------------------


def flow_table(view: FlowsView, lineage: Lineage) -> Table:
    """Every OD flow of the view's level and cohort: the range's sums, or the comparison's
    changes by absolute change (withheld last, by codes)."""
    assert view.period is not None
    names = _names_with_regions(view.lang)
    if view.start:
        od = flows_data.read_od_range(view.start, view.period, view.cohort, view.level)
        od = od.sort_values(["origin_code", "destination_code"], ignore_index=True)
        data = pd.DataFrame(
            {
                "period": f"{view.start}/{view.period}",
                "level": view.level,
                "origin_code": od["origin_code"],
                "origin_name": od["origin_code"].map(names).fillna(""),
                "destination_code": od["destination_code"],
                "destination_name": od["destination_code"].map(names).fillna(""),
                "cohort": view.cohort,
                "persons": od["persons"].astype("int64"),
                "is_within": od["is_within"].astype(bool),
            }
        )
        data = suppress(data, ["persons"], od["small_cell"].to_numpy(bool), flow_margins(()))
        columns = {
            "period": "the periods summed, start/end YYYY-MM/YYYY-MM",
            "persons": "persons summed over the periods (a person counts once per period); blank "
            "when suppressed: the sum under the threshold or any period's count withheld",
        }
    else:
        pairs = flow_change.change_pairs(view.change_from, view.target, view.cohort, view.level)
        pairs = _by_change(pairs)
        data = pd.DataFrame(
            {
                "rank": range(1, len(pairs) + 1),
                "base": view.change_from,
                "target": view.target,
                "level": view.level,
                "origin_code": pairs["origin_code"],
                "origin_name": pairs["origin_code"].map(names).fillna(""),
                "destination_code": pairs["destination_code"],
                "destination_name": pairs["destination_code"].map(names).fillna(""),
                "cohort": view.cohort,
                "before": _persons(pairs["before"]),
                "after": _persons(pairs["after"]),
                "change": _persons(pairs["change"]),
                "percent": pd.array(np.round(pairs["percent"].to_numpy(float), 1), dtype="Float64"),
                "is_within": pairs["is_within"].astype(bool),
            }
        )
        margins = [flow_margins((), count="before"), flow_margins((), count="after")]
        data = suppress(
            data, ["before", "after", "change", "percent"], pairs["small_cell"].to_numpy(bool),
            margins,
        )  # fmt: skip
        columns = {
            "rank": "by absolute change, largest first; withheld pairs last, by codes",
            "base": "the comparison's base: a period YYYY-MM or a year YYYY (its periods summed)",
            "target": "the comparison's target: a period or a year",
            "before": "persons in the base; blank when suppressed",
            "after": "persons in the target; blank when suppressed",
            "change": "after - before, whole persons; blank when suppressed",
            "percent": "change / before x 100, one decimal; blank when before is 0 or suppressed",
        }
    columns.update(
        {
            "origin_code": "origin (户籍地, household registration) code",
            "destination_code": "destination (现居住地, residence) code",
            "is_within": "origin = destination (intra-unit movers, not a between-unit flow)",
            "suppressed": "true: a cell under the small-cell threshold on either side (or a "
            "complementary cell): every number of the row withheld, none computed from it",
        }
    )
    meta = _metadata(_map_view(view), lineage, columns, flows=True, cohort=view.cohort)
    return Table(data, _with_view(meta, view), f"flows_{view.level}_{view.sides()}"[:31])


def _by_change(pairs: pd.DataFrame) -> pd.DataFrame:
    small = pairs["small_cell"].to_numpy(bool)
    size = np.where(small, 0.0, np.abs(pairs["change"].fillna(0).to_numpy(float)))
    keyed = pairs.assign(_small=small, _size=size).sort_values(
        ["_small", "_size", "origin_code", "destination_code"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    return keyed.drop(columns=["_small", "_size"]).reset_index(drop=True)


# --- the print map ------------------------------------------------------------------------------


def print_figure(
    layers: LayerSet, store_url: str, view: FlowsView, *, now: datetime | None = None
) -> dict:
    """The print figure of the view's unit layer (A4 landscape, the 南海诸岛 inset)."""
    from dashboard.figures.scenario_map import count_classes, difference_classes

    with store_context(layers, store_url) as ctx:
        view = view.checked()
        lineage = read_lineage(ctx, now)
        values = unit_values(view)
        shown = values["value"].to_numpy(float)
        hidden = values["withheld"].to_numpy(bool)
        drawn = np.where(hidden, np.nan, shown)
        with language(view.lang):
            if view.change_from or view.measure == "net":
                classes = difference_classes(drawn)
            else:
                classes = count_classes(drawn)
            texts = _texts(view, lineage, int(hidden.sum()), len(values))
            texts = replace(texts, narrative=" ".join(view_narrative(view)))
        geometry = orjson.loads(layers.geojson_path(f"{view.level}_national").read_bytes())
        provinces = orjson.loads(layers.geojson_path("province_national").read_bytes())
        return print_map_figure(
            values["code"].tolist(),
            np.where(hidden, 0.0, shown),
            hidden,
            classes,
            texts,
            geometry=geometry,
            province_geometry=provinces,
            province_codes=geo.province_codes(),
            outside_codes=geo.outside_codes(view.level),
            maritime=ctx.maritime,
        )


def view_title(view: FlowsView) -> str:
    measure = _(MEASURE_WORDS[view.measure])
    level = _(LEVEL_WORDS[view.level])
    if view.start:
        return _("{measure} by {level}, {start} to {end} summed").format(
            measure=measure, level=level, start=view.start, end=view.period
        )
    from dashboard.pages.flows.compare import side_name

    return _("Change in {measure} by {level}, {base} → {target}").format(
        measure=measure, level=level, base=side_name(view.change_from),
        target=side_name(view.target),
    )  # fmt: skip


def _texts(view: FlowsView, lineage: Lineage, n_suppressed: int, n_units: int) -> PrintTexts:
    from dashboard.export.maps import print_texts

    base = print_texts(_map_view(view), lineage, n_suppressed, n_units)
    subtitle = _("{cohort}; persons; {n} units, {suppressed} withheld as small cells").format(
        cohort=t(f"cohort_{view.cohort}"),
        n=formatting.count(n_units),
        suppressed=formatting.count(n_suppressed),
    )
    legend = _("Change (persons)") if view.change_from else t("persons")
    return replace(base, title=view_title(view), subtitle=subtitle, legend_title=legend)


# --- the narrative --------------------------------------------------------------------------------


def view_narrative(view: FlowsView) -> list[str]:
    """The narrative of the view's unit layer (in the current language): what it shows and the
    three largest published values (changes) of the level (store context)."""
    from dashboard.pages.flows.narrative import unit_sentences

    return unit_sentences(view)


# --- writers (command line and downloads) -------------------------------------------------------


def _params(view: FlowsView) -> dict[str, object]:
    return {
        "measure": view.measure, "level": view.level, "period": view.period,
        "cohort": view.cohort, "start": view.start, "change_from": view.change_from,
        "lang": view.lang, "scope": current_scope(),
    }  # fmt: skip


def export_view_maps(
    layers: LayerSet,
    store_url: str,
    outs: list[str | Path],
    view: FlowsView,
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
    figure = print_figure(layers, store_url, view, now=now)
    if renderer is not None:
        files = renderer.render_many(figure, list(outs))
    else:
        with MapRenderer() as own:
            files = own.render_many(figure, list(outs))
    with store_context(layers, store_url) as ctx:
        params = _params(view.checked())
        for path in files:
            record_export(ctx.engine, "map", params, rows=None, out=path)
    return files


def export_view_layer(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    view: FlowsView,
    *,
    flows: bool = False,
    now: datetime | None = None,
) -> list[Path]:
    """Write the view's unit layer (.csv, .xlsx, .geojson, .gpkg) or, with ``flows``, its OD
    flows (.csv, .xlsx), with metadata; one audit row."""
    suffix = Path(out).suffix.lower()
    if flows and suffix not in FLOW_FORMATS:
        raise ExportError(f"flows are written as {' or '.join(FLOW_FORMATS)}, not {Path(out).name}")
    with store_context(layers, store_url) as ctx:
        view = view.checked()
        lineage = read_lineage(ctx, now)
        table = flow_table(view, lineage) if flows else unit_table(view, lineage)
        files = write_table(table, out, layers, view.level)
        kind = "flows" if flows else "layer"
        record_export(ctx.engine, kind, _params(view), rows=len(table.data), out=out)
        return files


def download_name(view: FlowsView, fmt: str) -> str:
    return f"yipanqi-flows-{view.measure}-{view.level}-{view.cohort}-{view.sides()}.{fmt}"


@dataclass(frozen=True)
class FlowsViewFiles:
    """The download menu's files of a flows range or comparison (``ViewFiles``): the print map
    and GeoJSON / GeoPackage of the unit layer, the CSV / XLSX of the OD flows (``--flows long``)."""

    view: FlowsView

    def write(self, kind: str, out: Path) -> None:
        current = context.current()
        if kind == "map":
            export_view_maps(current.layers, current.store_url, [out], self.view)
        else:
            export_view_layer(
                current.layers, current.store_url, out, self.view,
                flows=out.suffix.lower() in FLOW_FORMATS,
            )  # fmt: skip

    def name(self, fmt: str) -> str:
        return download_name(self.view.checked(), fmt)


__all__ = [
    "FlowsView", "FlowsViewFiles", "export_view_layer", "export_view_maps", "flow_table",
    "print_figure", "unit_table", "unit_values", "view_narrative",
]  # fmt: skip
