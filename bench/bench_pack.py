"""Benchmark of the briefing pack (issue 6): a 10-slide storyboard exported as PPTX and as PDF.

Ten slides with ten different maps (five indicators and inflow, at prefecture and province level),
saved as storyboard ``bench-10`` in the store, then ``dashboard.story.pack.export_storyboard`` with
the print-map renderer (Debian chromium). Target: PPTX in <= 30 s on this 2-core machine.

Usage: ``.venv/bin/python bench/bench_pack.py [--store URL]`` (default: the small generated test
store). Results go to stdout and ``bench/results/pack.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_geodata import machine  # noqa: E402
from dashboard.story.model import Slide, Storyboard, View  # noqa: E402
from dashboard.story.pack import export_storyboard  # noqa: E402
from dashboard.story.storage import save_storyboard  # noqa: E402
from etl.scope import NATION  # noqa: E402
from etl.store import open_store  # noqa: E402
from tests.support import demo_store, layer_cache  # noqa: E402

MEASURES = ("cert_verified", "cert_issued", "health_check", "pregnancy_check", "inflow")
NAME = "bench-10"


def ten_slides() -> Storyboard:
    views = [View(level=level, measure=m) for level in ("prefecture", "province") for m in MEASURES]
    return Storyboard(NAME, tuple(Slide(v, f"{v.measure} · {v.level}") for v in views))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--store", help="SQLAlchemy URL of a populated store (default: the test store)"
    )
    args = parser.parse_args()
    store_url = args.store or demo_store()[0]
    engine = open_store(store_url)
    save_storyboard(engine, ten_slides(), scope=NATION)
    engine.dispose()
    results: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "slides": 10}
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".pptx", ".pdf"):
            started = time.perf_counter()
            out = export_storyboard(layer_cache(), store_url, Path(tmp) / f"pack{suffix}", NAME)
            results[f"{suffix[1:]}_seconds"] = round(time.perf_counter() - started, 1)
            results[f"{suffix[1:]}_mb"] = round(out.stat().st_size / 1e6, 2)
    path = Path(__file__).parent / "results" / "pack.json"
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
