"""A scenario's map to a print file or a data file: the layer the scenarios page shows.

``yipanqi export map|layer --scenario NAME`` and the download menu under the scenarios page's map
run these functions (``dashboard.export.menu``): a download is the command line's file for the same
scenario, measure, layer and comparison, byte for byte apart from timestamps. The numbers, the
withheld counties and the classes are the page's (``dashboard.pages.scenarios.view.drawn_layer``):
differences of counts in whole persons, of rates in percentage points, a county whose baseline
count is a small cell (or that the overview withholds, ``etl.marts.published``) withheld through
``etl.disclosure.suppress``. The side-by-side layer holds two maps and has no one-map export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from dashboard import context, formatting
from dashboard.data import geo
from dashboard.data.store import current_scope, periods, reading_as
from dashboard.export.audit import record_export
from dashboard.export.map_figure import PrintTexts, print_map_figure
from dashboard.export.render import MAP_FORMATS, MapRenderer
from dashboard.export.source import ExportError, MapView, read_lineage, store_context
from dashboard.export.tables import Table, _metadata, write_table
from dashboard.i18n import _, language, t
from etl.disclosure import suppress
from etl.scope import Scope
from geodata.layers import LayerSet
from planning.errors import ScenarioError

LEVEL = "county"
"""The scenarios page maps counties."""
EXPORT_LAYERS = ("difference", "scenario", "baseline")
VALUE_UNITS = {
    "persons": "persons (whole persons, as the map classes them)",
    "points": "percentage points (scenario rate minus reference rate, to the map's step)",
    "share": "share of the denominator (0-1), projected",
}


@dataclass(frozen=True)
class ScenarioView:
    """One scenario map: ``scenario`` (the scenario as canonical JSON text,
    ``dashboard.data.scenarios.canonical_json``), ``measure`` (inflow, outflow or an indicator
    flag), ``layer`` (difference, scenario, baseline; ``side`` is refused), ``compare`` (a saved
    scenario the reference is instead of the baseline; "" the baseline), labels in ``lang``."""

    scenario: str
    measure: str = "cert_verified"
    layer: str = "difference"
    compare: str = ""
    lang: str = "zh"


def scenario_json(scenario: Any) -> str:
    """``scenario`` (a ``planning.scenario.Scenario``) as the view's canonical JSON text."""
    from dashboard.data.scenarios import canonical_json

    return canonical_json(scenario)


@dataclass(frozen=True)
class _Layer:
    res: Any
    reference: Any
    drawn: Any
    view: ScenarioView


def _checked(view: ScenarioView) -> ScenarioView:
    from dashboard.data import scenarios as data
    from dashboard.pages.scenarios.view import export_refusal

    if view.lang not in ("zh", "en"):
        raise ExportError(f"unknown language {view.lang!r}; zh or en")
    if view.measure not in data.MEASURES:
        raise ExportError(f"unknown measure {view.measure!r}; one of {', '.join(data.MEASURES)}")
    if view.layer not in data.LAYERS:
        raise ExportError(f"unknown layer {view.layer!r}; one of {', '.join(EXPORT_LAYERS)}")
    with language("en"):  # the command line's language; the page refuses it before (menu)
        refusal = export_refusal(view.layer)
    if refusal:
        raise ExportError(refusal)
    if not periods():
        raise ExportError("the store has no aggregates: load records with `yipanqi ingest` first")
    return view


def _layer(view: ScenarioView) -> _Layer:
    """The result of ``view``'s scenario and the layer as the page draws it (store context)."""
    from dashboard.data import scenarios as data
    from dashboard.pages.scenarios.view import drawn_layer, reference_result
    from planning.scenario import parse_scenario

    view = _checked(view)
    with language("en"):  # an error is the command line's (or the menu's note) in English
        try:
            checked, problems = data.check(json.loads(view.scenario))
            if checked is None:
                raise ScenarioError("; ".join(p.message for p in problems) or "not a scenario")
            res = data.result(data.canonical_json(parse_scenario(json.loads(view.scenario))))
            reference = reference_result(view.compare, res.period)
        except (ScenarioError, ValueError) as error:
            raise ExportError(f"the scenario cannot be run: {error}") from None
    with language(view.lang):
        drawn = drawn_layer(res, view.measure, view.layer, reference)
    return _Layer(res, reference, drawn, view)


@contextmanager
def _reading(layers: LayerSet, store_url: str, scope: Scope | None) -> Iterator[Any]:
    """The store's context, read as ``scope`` when given (the ``--as`` account's)."""
    with (
        store_context(layers, store_url) as ctx,
        reading_as(scope) if scope is not None else nullcontext(),
    ):
        yield ctx


def scenario_map_figure(
    layers: LayerSet,
    store_url: str,
    view: ScenarioView,
    *,
    now: datetime | None = None,
    scope: Scope | None = None,
) -> dict:
    """The print figure of the scenario map ``view`` (A4 landscape, the 南海诸岛 inset)."""
    with _reading(layers, store_url, scope) as ctx:
        one = _layer(view)
        lineage = read_lineage(ctx, now)
        drawn = one.drawn
        values = drawn.values
        with language(view.lang):
            texts = _texts(one, lineage)
        geometry = orjson.loads(layers.geojson_path(f"{LEVEL}_national").read_bytes())
        provinces = orjson.loads(layers.geojson_path("province_national").read_bytes())
        from dashboard.pages.scenarios.view import shown_values

        return print_map_figure(
            values.codes,
            shown_values(drawn),
            drawn.hidden,
            drawn.classes,
            texts,
            geometry=geometry,
            province_geometry=provinces,
            province_codes=geo.province_codes(),
            outside_codes=geo.outside_codes(LEVEL),
            maritime=ctx.maritime,
        )


def _texts(one: _Layer, lineage: Any) -> PrintTexts:
    """Title (the scenario, the measure and layer, the period), subtitle (the levers counted,
    how the classes are made, units and withheld), the levers in words as the first footer line."""
    from dashboard.export.maps import print_texts
    from dashboard.pages.scenarios.words import scenario_words

    res, drawn = one.res, one.drawn
    base = print_texts(
        MapView(_map_measure(one.view.measure), LEVEL, res.period, one.view.lang),
        lineage, int(drawn.hidden.sum()), len(drawn.values.codes),
    )  # fmt: skip
    heading, sentences, _money = scenario_words(res.scenario.to_json(), res.period)
    unit = {"persons": t("persons"), "points": _("points"), "share": _("rate")}[drawn.values.unit]
    subtitle = _("{scenario}; {unit}; {n} counties, {suppressed} suppressed as small cells").format(
        scenario=heading,
        unit=unit,
        n=formatting.count(len(drawn.values.codes)),
        suppressed=formatting.count(int(drawn.hidden.sum())),
    )
    return PrintTexts(
        title=f"{drawn.title} · {formatting.period(res.period)}",
        subtitle=subtitle,
        legend_title=unit,
        suppressed=base.suppressed,
        no_data=base.no_data,
        outside=base.outside,
        scs=base.scs,
        source=base.source,
        lineage=base.lineage,
        narrative=" ".join(f"{i}. {s}" for i, s in enumerate(sentences, 1)),
    )


def _map_measure(measure: str) -> str:
    return measure  # inflow, outflow and the indicator flags are overview measures too


def export_scenario_maps(
    layers: LayerSet,
    store_url: str,
    outs: Sequence[str | Path],
    view: ScenarioView,
    *,
    renderer: MapRenderer | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
    principal: Any = None,
) -> list[Path]:
    """Draw the scenario map ``view`` once and write it to every file of ``outs``."""
    for out in outs:
        if Path(out).suffix.lower() not in MAP_FORMATS:
            raise ExportError(
                f"cannot write {Path(out).name}: a map is one of {', '.join(MAP_FORMATS)}"
            )
    figure = scenario_map_figure(layers, store_url, view, now=now, scope=scope)
    if renderer is not None:
        files = renderer.render_many(figure, list(outs))
    else:
        with MapRenderer() as own:
            files = own.render_many(figure, list(outs))
    with _reading(layers, store_url, scope) as ctx:
        for path in files:
            record_export(
                ctx.engine, "map", _params(view), rows=None, out=path, principal=principal
            )
    return files


def scenario_table(view: ScenarioView, lineage: Any) -> Table:
    """The scenario layer of ``view``: one row per county, withheld counties blank (store context)."""
    one = _layer(view)
    res, drawn = one.res, one.drawn
    from dashboard.pages.scenarios.view import shown_values

    values = drawn.values
    names = geo.unit_names(view.lang)
    h = geo.hierarchy().drop_duplicates("county_code").set_index("county_code")
    province = h["province_code"].reindex(values.codes).to_numpy()
    shown = np.asarray(shown_values(drawn), dtype=float)
    data = pd.DataFrame(
        {
            "code": values.codes,
            "name": [names.get(c, "") for c in values.codes],
            "province_code": province,
            "province_name": [names.get(c, "") for c in province],
            "level": LEVEL,
            "period": res.period,
            "scenario": res.scenario.name,
            "reference": one.reference.scenario.name if one.reference is not None else "baseline",
            "measure": view.measure,
            "layer": view.layer,
            "unit": values.unit,
            "value": _column(shown, values.unit),
        }
    )
    data = suppress(data, ["value"], drawn.hidden)
    columns = {
        "code": "GB/T 2260 adcode of the county",
        "name": "county name",
        "province_code": "adcode of the county's province",
        "province_name": "province name",
        "level": "county (the scenarios page maps counties)",
        "period": "the scenario's period YYYY-MM",
        "scenario": "the scenario's name",
        "reference": "what the scenario is compared with: baseline, or a saved scenario's name",
        "measure": "measure key",
        "layer": "difference (scenario minus reference), scenario or baseline (the reference)",
        "unit": "; ".join(f"{k}: {v}" for k, v in VALUE_UNITS.items()),
        "value": "the value as the scenarios page maps it; blank: suppressed or no data",
        "suppressed": "true: the county's baseline count (persons for inflow/outflow, the "
        "denominator for a rate) is under the small-cell threshold, or the overview withholds "
        "the county (etl.marts.published): value withheld",
    }
    meta = _metadata(MapView(view.measure, LEVEL, res.period, view.lang), lineage, columns)
    extra = pd.DataFrame(
        [
            ("scenario", "name", res.scenario.name),
            ("scenario", "definition", json.dumps(res.scenario.to_json(), ensure_ascii=False)),
            ("scenario", "baseline_run_id", str(res.baseline_run_id or "")),
            ("scenario", "layer", view.layer),
            ("scenario", "compare_with", view.compare or "baseline"),
        ],
        columns=["section", "key", "value"],
    )
    meta = pd.concat([extra, meta], ignore_index=True)
    return Table(data, meta, _sheet(view.measure, view.layer, res.period))


def _column(values: np.ndarray, unit: str) -> Any:
    """The values as a column: whole persons as integers, points and shares as decimals; NA where
    a county has no value."""
    finite = np.isfinite(values)
    if unit == "persons":
        return pd.array(
            [int(v) if ok else None for v, ok in zip(values, finite, strict=True)], dtype="Int64"
        )
    return pd.array(np.where(finite, values, np.nan), dtype="Float64").fillna(pd.NA)


def _sheet(measure: str, layer: str, period: str) -> str:
    return f"{measure}_{layer}_{period}"[:31]


def export_scenario_layer(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    view: ScenarioView,
    *,
    now: datetime | None = None,
    scope: Scope | None = None,
    principal: Any = None,
) -> list[Path]:
    """Write the scenario layer of ``view`` as .csv, .xlsx, .geojson or .gpkg with its metadata."""
    with _reading(layers, store_url, scope) as ctx:
        table = scenario_table(view, read_lineage(ctx, now))
        files = write_table(table, out, layers, LEVEL)
        record_export(
            ctx.engine, "layer", _params(view), rows=len(table.data), out=out, principal=principal
        )
        return files


def _params(view: ScenarioView) -> dict[str, object]:
    name = json.loads(view.scenario).get("name", "")
    return {
        "scenario": name, "measure": view.measure, "layer": view.layer, "level": LEVEL,
        "compare": view.compare, "lang": view.lang, "scope": current_scope(),
    }  # fmt: skip


def download_name(view: ScenarioView, period: str, fmt: str) -> str:
    """The file name of a download of ``view``: the scenario's name made safe for a file."""
    name = json.loads(view.scenario).get("name", "") if view.scenario else ""
    safe = re.sub(r"[^\w.-]+", "_", str(name)).strip("._") or "scenario"
    return f"yipanqi-scenario-{safe}-{view.measure}-{view.layer}-{period}.{fmt}"


@dataclass(frozen=True)
class ScenarioFiles:
    """The download menu's files of the scenario map ``view`` in ``period`` (None: the store's
    latest) (``dashboard.export.menu.ViewFiles``)."""

    view: ScenarioView
    period: str | None

    def write(self, kind: str, out: Path) -> None:
        current = context.current()
        if kind == "map":
            export_scenario_maps(current.layers, current.store_url, [out], self.view)
        else:
            export_scenario_layer(current.layers, current.store_url, out, self.view)

    def name(self, fmt: str) -> str:
        return download_name(self.view, self._period(), fmt)

    def _period(self) -> str:
        return self.period or periods()[-1]


__all__ = [
    "ScenarioFiles", "ScenarioView", "export_scenario_layer", "export_scenario_maps",
    "scenario_json", "scenario_map_figure", "scenario_table",
]  # fmt: skip
