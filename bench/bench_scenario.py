"""Benchmark of the scenario engine (issue 5): national county-level recompute after the model fit.

- ``fit``: loading the baseline period from the store and fitting the origin-constrained flow model
  (spint ``Production``) on every between-county flow of the period, with its honesty measures;
- ``recompute`` (the target, <= 2 s): applying a scenario with every lever kind (inflow growth of a
  region, an origin-constrained and a doubly constrained attractiveness change, a coverage push on
  the three pilots, service capacity in a prefecture) to the national county baseline, after the
  fit: flows, totals, projected coverage, gaps, staff and budget per county, then the rollups to
  prefecture, province and region;
- ``zero``: the empty scenario (and a check that it reproduces the baseline exactly);
- ``write``: writing the result files (context).

Usage: ``.venv/bin/python bench/bench_scenario.py [--store URL] [--runs 10]``. Without ``--store``
the generated test store is built (``tests.support.demo_store``; set ``YIPANQI_TEST_CACHE`` to
build it away from the shared test cache). Results go to stdout and ``bench/results/scenario.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.scope import NATION  # noqa: E402
from etl.store import open_store  # noqa: E402
from geodata.points import cached_county_points  # noqa: E402
from planning.export import write_results  # noqa: E402
from planning.model import fit_model, load_baseline  # noqa: E402
from planning.scenario import LEVELS, parse_scenario, run_scenario  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "scenario.json"

ALL_LEVERS = {
    "name": "bench-all-levers",
    "levers": [
        {"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]},
        {"kind": "growth", "percent": -5, "side": "outflow", "areas": ["510000"]},
        {"kind": "attractiveness", "factor": 1.5, "areas": ["340100"]},
        {"kind": "attractiveness", "factor": 0.8, "areas": ["310000"], "keep_totals": True},
        {"kind": "coverage_push", "indicator": "cert_verified", "areas": ["310115", "320200", "330400"], "set_to": 98},
        {"kind": "coverage_push", "indicator": "all", "areas": ["bohai_rim"], "raise_points": 3},
        {"kind": "capacity", "areas": ["320200"], "staff": 3, "persons_per_staff": 200},
    ],
}


def _stats(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "runs": len(seconds),
        "median_s": round(statistics.median(seconds), 4),
        "p95_s": round(p95, 4),
        "max_s": round(max(seconds), 4),
    }


def _recompute(baseline, scenario, model):  # noqa: ANN001, ANN202
    result = run_scenario(baseline, scenario, model)
    for level in LEVELS[1:]:
        result.coverage_at(level)
        result.totals_at(level)
    return result


def _dense_baseline(baseline, n_flows: int):  # noqa: ANN001, ANN202
    """The baseline's counties and coverage with ``n_flows`` random county flows."""
    import numpy as np
    import pandas as pd

    from planning.model import Baseline

    rng = np.random.default_rng(5)
    codes = np.asarray(sorted(set(baseline.units["county_code"])))
    pairs = np.unique(rng.integers(0, len(codes), size=(int(n_flows * 1.05), 2)), axis=0)[:n_flows]
    flows = pd.DataFrame(
        {
            "origin_code": codes[pairs[:, 0]],
            "destination_code": codes[pairs[:, 1]],
            "persons": np.ceil(rng.lognormal(1.5, 1.2, len(pairs))),
        }
    )
    return Baseline.from_frames(
        baseline.period, flows, baseline.coverage, baseline.units, baseline.region_members, baseline.run_id
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store URL (default: the generated test store)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--dense", type=int, default=1_000_000,
        help="also time a national baseline with this many county flows (0: skip)",
    )
    args = parser.parse_args()
    if args.store:
        url, label = args.store, args.store
    else:
        from tests.support import REPO, demo_store

        url, _ = demo_store()
        label = "generated test store (tests.support.demo_store)"
        cache = Path(os.environ.get("YIPANQI_TEST_CACHE", REPO / "var" / "test-cache")) / "points"
    engine = open_store(url)
    started = time.perf_counter()
    baseline = load_baseline(engine, scope=NATION)
    load_s = time.perf_counter() - started
    points = cached_county_points(cache if not args.store else Path(tempfile.gettempdir()) / "yipanqi-points")
    model = fit_model(baseline, points)
    scenario = parse_scenario(ALL_LEVERS)
    zero = parse_scenario({"name": "zero", "levers": []})

    _recompute(baseline, scenario, model)  # warm-up
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        result = _recompute(baseline, scenario, model)
        times.append(time.perf_counter() - t)
    zero_times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        zero_result = _recompute(baseline, zero, model)
        zero_times.append(time.perf_counter() - t)
    identical = bool(
        (zero_result.coverage["numerator"].to_numpy() == baseline.coverage["numerator"].to_numpy()).all()
        and (zero_result.flows["persons"].to_numpy() == baseline.flows["persons"].to_numpy()).all()
    )
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_results(result, tmp)
        write_s = time.perf_counter() - t
    totals = result.totals
    report = {
        "benchmark": "scenario engine: national county-level recompute after the model fit",
        "target": "recompute <= 2 s (after the fit); fit time reported",
        "store": label,
        "period": baseline.period,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_1min_at_start": round(os.getloadavg()[0], 2),
        },
        "size": {
            "flows": len(baseline.flows),
            "between_county_flows": int((~baseline.flows["is_within"]).sum()),
            "counties": len(totals),
            "coverage_rows": len(baseline.coverage),
            "persons": float(baseline.flows["persons"].sum()),
        },
        "load_baseline_s": round(load_s, 3),
        "fit": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in model.as_dict().items()},
        "recompute_all_levers": _stats(times),
        "recompute_zero": _stats(zero_times),
        "zero_reproduces_baseline_exactly": identical,
        "write_results_s": round(write_s, 3),
        "all_levers_effect": {
            "inflow_change_persons": round(float((totals["inflow"] - totals["baseline_inflow"]).sum()), 1),
            "gap_people_baseline": round(float(result.coverage["baseline_gap"].sum()), 1),
            "gap_people_scenario": round(float(result.coverage["gap_people"].sum()), 1),
            "notes": list(result.notes),
        },
        "scenario": ALL_LEVERS,
    }
    if args.dense:
        dense = _dense_baseline(baseline, args.dense)
        dense_times = []
        for _ in range(max(3, args.runs // 2)):
            t = time.perf_counter()
            _recompute(dense, scenario, model)
            dense_times.append(time.perf_counter() - t)
        report["recompute_all_levers_dense"] = {
            "flows": len(dense.flows),
            "note": "the store's counties and coverage with random flows (lognormal sizes): the density of a "
            "full national extract; the model's gamma from the fit above",
            **_stats(dense_times),
        }
    engine.dispose()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
