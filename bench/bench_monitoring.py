"""Benchmark of the monitoring page (监测预警, issue 12 part 4): paint from navigation and the
repaint after a filter change, in headless Chromium (Debian chromium, no GPU) against the app
served from its own process (``bench.appserver``: caches warmed at start-up as by app.py, the
latest period's alerts among them).

- ``navigation_to_paint`` (target < 1.5 s): a fresh page goes to ``/monitoring?period=P``; from
  the navigation's start (``performance.timeOrigin``) to the first animation frame in which the
  alerts grid shows rows (checked every frame in the page);
- ``filter_to_repaint`` (target p95 < 300 ms): from the mouse press on a severity of the filter
  (high and medium, alternating) to the first frame in which every row of the grid has that
  severity and the note is rewritten: the callback's round trip and the grid's repaint;
- ``navigation_to_map``: the same navigation to the frame in which the alerts map (prefecture
  level) has drawn its units (reported, no target of its own);
- ``alerts``: how many the period has (the grid gets at most 1,000, most severe first).

Usage: ``.venv/bin/python bench/bench_monitoring.py [--store URL] [--runs 20]``. Without
``--store`` the generated test store (``tests.support.demo_store``: national, 3 months, with
generated feeds) is built. Results go to stdout and ``bench/results/monitoring.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appserver import app_server  # noqa: E402
from bench.bench_geodata import CHROMIUM_ARGS, machine, summary  # noqa: E402
from tests.browser.conftest import new_signed_in_context  # noqa: E402
from tests.support import demo_store  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "monitoring.json"
GRID = "#monitoring-grid"
ROWS_SHOWN = f"() => document.querySelector('{GRID} .ag-center-cols-container .ag-row') !== null"
MAP_SHOWN = "() => document.querySelector('#monitoring-map .choroplethlayer path') !== null"
ARM = """() => {
  window.__bench = {note: document.querySelector('#monitoring-note').innerText};
  document.addEventListener('mousedown', () => { window.__bench.t0 = performance.now(); },
                            {capture: true, once: true});
}"""
REPAINTED = """(word) => {
  const cells = [...document.querySelectorAll('#monitoring-grid .ag-center-cols-container [col-id=severity]')];
  const note = document.querySelector('#monitoring-note').innerText;
  if (cells.length && note !== window.__bench.note && cells.every(c => c.innerText === word)) {
    window.__bench.t1 = performance.now();
    return true;
  }
  return false;
}"""


def measure(url: str, period: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        context = new_signed_in_context(browser, url, viewport={"width": 1366, "height": 768})
        paints, maps = [], []
        for i in range(runs + 1):
            page = context.new_page()
            page.goto(f"{url}/monitoring?period={period}&lang=zh", wait_until="commit")
            page.wait_for_function(ROWS_SHOWN, polling="raf", timeout=60_000)
            if i:  # the first is a warm-up (the browser's code cache)
                paints.append(page.evaluate("performance.now()") / 1000)
            page.wait_for_function(MAP_SHOWN, polling="raf", timeout=60_000)
            if i:
                maps.append(page.evaluate("performance.now()") / 1000)
            page.close()
        out["navigation_to_paint"] = summary(paints, "_s", 3)
        out["navigation_to_map"] = summary(maps, "_s", 3)  # the alerts map drawn (not a target)

        page = context.new_page()
        page.goto(f"{url}/monitoring?period={period}&lang=en")
        page.wait_for_function(ROWS_SHOWN, polling="raf", timeout=60_000)
        times = []
        for i in range(runs + 2):
            severity, word = ("high", "High") if i % 2 == 0 else ("medium", "Medium")
            page.click("#monitoring-severity")
            page.wait_for_selector(f"[role=option]:has(input[value='{severity}'])")
            page.evaluate(ARM)
            page.locator(f"[role=option]:has(input[value='{severity}'])").click()
            page.wait_for_function(REPAINTED, arg=word, polling="raf", timeout=30_000)
            if i >= 2:
                times.append(page.evaluate("window.__bench.t1 - window.__bench.t0"))
        out["filter_to_repaint"] = summary(times, "_ms", 1)
        context.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store URL (default: the generated test store)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    store_url = args.store or demo_store()[0]
    from etl.alerts import alerts_table
    from etl.marts import NATION, periods
    from etl.store import open_store

    engine = open_store(store_url)
    try:
        period = periods(engine, scope=NATION)[-1]
        started = time.perf_counter()
        n_alerts = len(alerts_table(engine, period, scope=NATION))
        compute = time.perf_counter() - started
    finally:
        engine.dispose()
    with app_server(store_url) as url:
        result = measure(url, period, args.runs)
    result = {
        "period": period,
        "alerts": n_alerts,
        "alerts_compute_s": round(compute, 3),  # once per period and data version (cached, warmed)
        **result,
        "targets": {"navigation_to_paint_s": 1.5, "filter_to_repaint_p95_ms": 300},
        "load_average": os.getloadavg(),
        "machine": machine(),
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
