"""Data exports opened with their own readers: csv (BOM), openpyxl, pyogrio/GDAL, json."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import openpyxl
import pyogrio
import pytest

from dashboard.export.maps import export_flows, export_layer
from dashboard.export.source import ExportError, MapView
from geodata.romanize import PROVINCE_NAMES_EN

VIEW = MapView(measure="cert_verified", level="prefecture")


@pytest.fixture(scope="module")
def layer_files(store_and_layers, tmp_path_factory):
    url, layers = store_and_layers
    folder = tmp_path_factory.mktemp("layers")
    return {
        ext: export_layer(layers, url, folder / f"layer.{ext}", VIEW)
        for ext in ("csv", "xlsx", "geojson", "gpkg")
    }


def _csv_rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel opens Chinese correctly"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def test_csv_blanks_suppressed_cells_and_has_metadata(layer_files):
    data, meta = layer_files["csv"]
    rows = _csv_rows(data)
    hidden = [r for r in rows if r["suppressed"] == "True"]
    shown = [r for r in rows if r["suppressed"] == "False"]
    assert hidden and shown
    assert all(r["value"] == r["numerator"] == r["denominator"] == "" for r in hidden)
    assert all(r["denominator"] and float(r["denominator"]) >= 10 for r in shown if r["value"])
    assert any(r["name"] == "无锡市" for r in rows)
    keys = {(m["section"], m["key"]): m["value"] for m in _csv_rows(meta)}
    assert ("suppression", "rule") in keys and keys[("suppression", "small_cell_threshold")] == "10"
    assert keys[("lineage", "etl_run_id")].isdigit() and keys[("lineage", "etl_code_version")]
    assert "women aged 15-49" in keys[("definitions", "cert_verified")]
    assert "98%" in keys[("definitions", "cert_verified")]
    assert keys[("export", "unit")].startswith("share of the denominator")


def test_xlsx_has_data_and_metadata_sheets(layer_files):
    (path,) = layer_files["xlsx"]
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames[1] == "metadata"
    data = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    header = data[0]
    col = {name: i for i, name in enumerate(header)}
    hidden = [r for r in data[1:] if r[col["suppressed"]] is True]
    assert hidden and all(r[col["value"]] is None and r[col["numerator"]] is None for r in hidden)
    meta = {(r[0], r[1]): r[2] for r in book["metadata"].iter_rows(min_row=2, values_only=True)}
    assert "small_cell_threshold" in {k for _, k in meta} and ("lineage", "etl_run_id") in meta
    assert len([k for k in meta if k[0] == "definitions"]) == 1 + 9  # flows + nine indicators


def test_geopackage_has_every_unit_and_a_metadata_table(layer_files):
    (path,) = layer_files["gpkg"]
    layers = dict(pyogrio.list_layers(path))
    name = next(n for n in layers if n != "metadata")
    info = pyogrio.read_info(path, layer=name)
    rows = _csv_rows(layer_files["csv"][0])
    assert info["features"] == len(rows) > 300  # every prefecture in coverage
    assert info["geometry_type"] in ("MultiPolygon", "Polygon")
    frame = pyogrio.read_dataframe(path, layer=name)
    assert frame.loc[frame["suppressed"], "value"].isna().all()
    assert frame.geometry.notna().all()
    meta = pyogrio.read_dataframe(path, layer="metadata")
    assert "rule" in set(meta["key"])


def test_geojson_carries_metadata(layer_files):
    path, meta = layer_files["geojson"]
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert len(collection["features"]) > 300
    assert any(m["key"] == "rule" for m in collection["metadata"])
    hidden = [f["properties"] for f in collection["features"] if f["properties"]["suppressed"]]
    assert hidden and all(p["value"] is None for p in hidden)
    assert meta.exists()


def test_flows_long_and_matrix(store_and_layers, tmp_path):
    url, layers = store_and_layers
    (long_csv, _) = export_flows(layers, url, tmp_path / "flows.csv", replace(VIEW, level="county"))
    rows = _csv_rows(long_csv)
    hidden = [r for r in rows if r["suppressed"] == "True"]
    assert hidden and all(r["persons"] == "" for r in hidden)
    assert all(int(r["persons"]) >= 10 for r in rows if r["suppressed"] == "False")
    (matrix,) = export_flows(
        layers, url, tmp_path / "matrix.xlsx", replace(VIEW, level="province"), form="matrix"
    )
    book = openpyxl.load_workbook(matrix, read_only=True)
    grid = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert grid[0][:2] == ("origin_code", "origin_name") and len(grid) - 1 == len(grid[0]) - 2
    cells = [c for row in grid[1:] for c in row[2:]]
    assert None in cells and 0 in cells  # suppressed blank, no flow 0
    assert all(c is None or c == 0 or c >= 10 for c in cells)
    assert "metadata" in book.sheetnames


def test_english_exports_name_units_in_english(store_and_layers, tmp_path):
    url, layers = store_and_layers
    (english, _) = export_layer(layers, url, tmp_path / "en.csv", replace(VIEW, lang="en"))
    rows = {r["code"]: r for r in _csv_rows(english)}
    assert (rows["320200"]["name"], rows["320200"]["province_name"]) == ("Wuxi City", "Jiangsu")
    assert rows["310100"]["name"] == "Shanghai" and rows["152900"]["name"] == "Alxa League"
    assert all(r["name"].isascii() and r["name"] for r in rows.values())
    (chinese, _) = export_layer(layers, url, tmp_path / "zh.csv", VIEW)
    assert {r["code"]: r["name"] for r in _csv_rows(chinese)}["320200"] == "无锡市"
    (flows, meta) = export_flows(
        layers, url, tmp_path / "flows.csv", replace(VIEW, level="province", lang="en")
    )
    assert {r["origin_name"] for r in _csv_rows(flows)} <= set(PROVINCE_NAMES_EN.values())
    assert "origin name in English" in meta.read_text(encoding="utf-8-sig")


def test_bad_options_say_what_to_do(store_and_layers, tmp_path):
    url, layers = store_and_layers
    with pytest.raises(ExportError, match="unknown measure 'nope'"):
        export_layer(layers, url, tmp_path / "x.csv", MapView(measure="nope"))
    with pytest.raises(ExportError, match="not in the store"):
        export_layer(layers, url, tmp_path / "x.csv", MapView(period="1999-01"))
    with pytest.raises(ExportError, match="too large"):
        export_flows(layers, url, tmp_path / "x.csv", replace(VIEW, level="county"), form="matrix")
    with pytest.raises(ExportError, match="format is one of"):
        export_layer(layers, url, tmp_path / "x.parquet", VIEW)


def test_geometry_exports_carry_wgs84_converted_from_gcj02(layer_files, store_and_layers):
    """The GeoPackage says EPSG:4326 as GDAL reads it, and its coordinates are WGS 84: the
    library's forward function (checked on published pairs in tests/geodata/test_datum.py) takes
    every exported vertex back onto the GCJ-02 vertex of the cached layer."""
    import coordTransform
    import numpy as np
    import shapely

    _, layers = store_and_layers
    source = layers.read("prefecture", "detail").set_index("adcode")
    (gpkg,) = layer_files["gpkg"]
    name = next(n for n, _ in pyogrio.list_layers(gpkg) if n != "metadata")
    info = pyogrio.read_info(gpkg, layer=name)
    assert info["crs"] == "EPSG:4326"
    assert "WGS 84" in info["layer_metadata"]["coordinates_crs"]
    assert float(info["layer_metadata"]["coordinates_residual_m"]) < 0.001
    frame = pyogrio.read_dataframe(gpkg, layer=name).set_index("code")
    exported = shapely.get_coordinates(frame.loc["320200", "geometry"])
    original = shapely.get_coordinates(source.loc["320200", "geometry"])
    assert exported.shape == original.shape
    back_lon, back_lat = coordTransform.wgs84_to_gcj02(
        np.ascontiguousarray(exported[:, 0]), np.ascontiguousarray(exported[:, 1])
    )
    assert np.abs(np.asarray(back_lon) - original[:, 0]).max() < 1e-8
    assert np.abs(np.asarray(back_lat) - original[:, 1]).max() < 1e-8
    shift_m = np.hypot(
        (exported[:, 0] - original[:, 0]) * 111_319.49 * np.cos(np.radians(original[:, 1])),
        (exported[:, 1] - original[:, 1]) * 111_319.49,
    )
    assert 300 < np.median(shift_m) < 700  # the GCJ-02 offset around Wuxi, removed

    geojson, meta = layer_files["geojson"]
    collection = json.loads(geojson.read_text(encoding="utf-8"))
    assert "crs" not in collection  # RFC 7946: GeoJSON coordinates are WGS 84
    keys = {(m["section"], m["key"]): m["value"] for m in collection["metadata"]}
    assert keys[("coordinates", "crs")].startswith("EPSG:4326 (WGS 84)")
    assert "GCJ-02" in keys[("coordinates", "source_crs")]
    assert "residual" in keys[("coordinates", "conversion")]
    assert float(keys[("coordinates", "residual_m")]) < 0.001
    feature = next(f for f in collection["features"] if f["properties"]["code"] == "320200")
    read_back = shapely.get_coordinates(shapely.geometry.shape(feature["geometry"]))
    assert np.allclose(read_back, exported, atol=1e-9)
    assert pyogrio.read_info(geojson)["crs"] == "EPSG:4326"
    assert {(r["section"], r["key"]) for r in _csv_rows(meta)} >= set(keys)
