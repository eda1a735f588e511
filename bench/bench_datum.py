"""Benchmark of the GCJ-02 -> WGS 84 conversion of geometry exports (issue 16, part 6).

Measures, on this machine, the conversion of every vertex of the cached 0.01-degree county layer
(the layer GeoJSON and GeoPackage exports are made from) with ``geodata.datum.frame_to_wgs84``
(coordtransform's forward function, inverted by fixed-point iteration), and for comparison the
per-point refined inverse of ``geocoordinates-rs`` on a sample, scaled to the layer.

Usage: ``.venv/bin/python bench/bench_datum.py [--runs 5]``. Figures go to stdout and to
``bench/results/datum.json``; copy them into docs/exports.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shapely  # noqa: E402

from geodata.datum import frame_to_wgs84  # noqa: E402
from tests.support import layer_cache  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    layer = layer_cache().read("county", "detail")
    vertices = int(shapely.get_num_coordinates(layer.geometry.to_numpy()).sum())
    seconds = []
    conversion = None
    for _ in range(args.runs):
        start = time.perf_counter()
        _, conversion = frame_to_wgs84(layer)
        seconds.append(time.perf_counter() - start)
    assert conversion is not None
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "county_vertices": vertices,
        "convert_median_s": round(statistics.median(seconds), 3),
        "rounds": conversion.rounds,
        "residual_max_m": conversion.residual_m,
        "shift_median_m": round(conversion.shift_median_m, 1),
        "shift_max_m": round(conversion.shift_max_m, 1),
        "outside_box": conversion.outside_box,
    }
    try:
        import geocoordinates_ffi as ffi

        coords = shapely.get_coordinates(layer.geometry.to_numpy())[:: max(1, vertices // 5000)]
        start = time.perf_counter()
        for lon, lat in coords:
            ffi.gcj02_to_wgs84_refined(ffi.Gcj02(lat=float(lat), lon=float(lon)))
        per_point = (time.perf_counter() - start) / len(coords)
        result["geocoordinates_rs_per_point_us"] = round(per_point * 1e6, 1)
        result["geocoordinates_rs_layer_s_estimated"] = round(per_point * vertices, 1)
    except ImportError:
        pass
    print(json.dumps(result, indent=1))
    out = Path(__file__).resolve().parent / "results" / "datum.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
