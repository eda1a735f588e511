"""Benchmark of the print-map export (issue 6): one national map in each format, and all three.

For each format, in a fresh headless Chromium (Debian chromium, no GPU), the time of
``dashboard.export.maps.export_map`` from the call to the file written: reading the view
(cached after the first), the print figure with the geometry embedded, the font cut, the browser
start, drawing and writing. ``all_three`` draws once and writes PNG, SVG and PDF
(``MapRenderer.render_many``). The first run of each is discarded (caches warm).
``ten_png_batch``: ten maps (nine indicators and inflow) drawn in turn on one page
(``MapRenderer.render_batch``), as a ten-slide briefing pack needs them.

Usage: ``.venv/bin/python bench/bench_export.py [--store URL] [--runs 3] [--level prefecture]``.
Without ``--store`` the small generated test store is built (``tests.support.demo_store``).
Results go to stdout and ``bench/results/export.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_geodata import machine  # noqa: E402
from dashboard.export.maps import export_map, map_figure  # noqa: E402
from dashboard.export.render import MapRenderer  # noqa: E402
from dashboard.export.source import MapView  # noqa: E402
from etl.records import INDICATORS  # noqa: E402
from tests.support import demo_store, layer_cache  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "export.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store URL (default: the generated test store)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--level", default="prefecture")
    args = parser.parse_args()
    store = args.store or demo_store()[0]
    layers = layer_cache()
    view = MapView(level=args.level)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("png", "svg", "pdf"):
            out = Path(tmp) / f"map.{fmt}"
            times = []
            for _ in range(args.runs + 1):
                start = time.perf_counter()
                export_map(layers, store, out, view)
                times.append(time.perf_counter() - start)
            results[fmt] = _summary(times[1:]) | {"bytes": out.stat().st_size}
        times = []
        for _ in range(args.runs + 1):
            start = time.perf_counter()
            figure = map_figure(layers, store, view)
            with MapRenderer() as renderer:
                renderer.render_many(
                    figure, [Path(tmp) / f"all.{f}" for f in ("png", "svg", "pdf")]
                )
            times.append(time.perf_counter() - start)
        results["all_three"] = _summary(times[1:])
        # ten maps (nine indicators and inflow, by prefecture) to PNG on one page, as for a pack
        views = [MapView(i.flag, args.level) for i in INDICATORS] + [MapView("inflow", args.level)]
        start = time.perf_counter()
        figures = [map_figure(layers, store, v) for v in views]
        built = time.perf_counter() - start
        with MapRenderer() as renderer:
            renderer.render_batch(
                [(f, [Path(tmp) / f"batch-{i}.png"]) for i, f in enumerate(figures)]
            )
        results["ten_png_batch"] = {
            "total_s": round(time.perf_counter() - start, 2),
            "figures_s": round(built, 2),
        }
    report = {
        "benchmark": "export",
        "view": {"measure": view.measure, "level": view.level, "period": "latest"},
        "store": args.store or "generated test store (tests.support.demo_store)",
        "runs": args.runs,
        "seconds": results,
        "machine": machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))


def _summary(times: list[float]) -> dict:
    return {
        "median_s": round(statistics.median(times), 2),
        "max_s": round(max(times), 2),
        "runs_s": [round(t, 2) for t in times],
    }


if __name__ == "__main__":
    main()
