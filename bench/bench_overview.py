"""Benchmark of the overview map (issue 4): first paint, and switching period or measure.

In headless Chromium (Debian chromium, no GPU) against the app served from its own process
(``bench.appserver``):
- ``first_paint_county``: navigation to the county map painted with its colours, in ms from
  navigation start, stamped inside the page two animation frames after the paint (eight cold
  browser profiles);
- ``switch_period`` / ``switch_measure``: from the input event (a key press on the period slider,
  a click on a measure option) to the repainted map (the ``data-painted`` stamp changes and two
  animation frames pass), timed inside the page with ``performance.now()``.

Targets (issue 4): first paint <= 1.5 s; switching p95 <= 300 ms.

Usage: ``.venv/bin/python bench/bench_overview.py [--store URL] [--runs 30] [--first 8]``. Without ``--store``
the small generated test store is built (``tests.support.demo_store``). Results go to stdout and
``bench/results/overview.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appserver import app_server  # noqa: E402
from bench.bench_geodata import CHROMIUM_ARGS, machine, summary  # noqa: E402
from tests.browser.conftest import new_signed_in_context  # noqa: E402
from tests.support import demo_store  # noqa: E402

ARM = """() => {
  window.__bench = {};
  const gd = document.querySelector('#overview-map .js-plotly-plot');
  const before = gd.dataset.painted;
  const start = e => { if (window.__bench.t0 === undefined) window.__bench.t0 = performance.now(); };
  document.addEventListener('keydown', start, {capture: true, once: true});
  document.addEventListener('mousedown', start, {capture: true, once: true});
  window.__bench.promise = new Promise(resolve => {
    const obs = new MutationObserver(() => {
      if (gd.dataset.painted !== before) {
        obs.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => {
          window.__bench.t1 = performance.now(); resolve(true);
        }));
      }
    });
    obs.observe(gd, {attributes: true, attributeFilter: ['data-painted']});
  });
}"""
STAMP_FIRST_PAINT = """
new MutationObserver((_, observer) => {
  const gd = document.querySelector('#overview-map .js-plotly-plot');
  if (gd && gd.dataset.painted) {
    observer.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => { window.__firstPaint = performance.now(); }));
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-painted']});
"""
FIRST_PAINT = "() => window.__firstPaint"
WAIT = "() => window.__bench.promise.then(() => window.__bench.t1 - window.__bench.t0)"


def measure(url: str, runs: int, first: int) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        firsts = []
        for _ in range(first):  # cold: a fresh browser profile each time
            context = new_signed_in_context(browser, url, viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            page.add_init_script(STAMP_FIRST_PAINT)
            page.goto(url + "/?measure=cert_verified&level=county")
            page.wait_for_function(FIRST_PAINT, timeout=60_000)
            firsts.append(page.evaluate(FIRST_PAINT))
            context.close()
        out["first_paint_county"] = summary(firsts, "_ms", 1)
        context = new_signed_in_context(browser, url, viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        page.goto(url + "/?measure=cert_verified&level=county")
        page.wait_for_selector("#overview-map .js-plotly-plot[data-painted]", timeout=60_000)
        slider = page.locator("#overview-period [role=slider]")
        period_times = []
        for i in range(runs):
            slider.focus()
            page.evaluate(ARM)
            page.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
            period_times.append(page.evaluate(WAIT))
        out["switch_period"] = summary(period_times, "_ms", 1)
        measure_times = []
        options = ["流入人数", "婚育证明验证率"]
        for i in range(runs):
            page.click("#overview-measure")
            option = page.get_by_role("option", name=options[i % 2], exact=True)
            option.wait_for()
            page.evaluate(ARM)
            option.click()
            measure_times.append(page.evaluate(WAIT))
        out["switch_measure"] = summary(measure_times, "_ms", 1)
        context.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--store", help="SQLAlchemy URL of a populated store (default: the test store)"
    )
    parser.add_argument("--runs", type=int, default=30, help="switches of period and of measure")
    parser.add_argument("--first", type=int, default=8, help="cold first paints")
    args = parser.parse_args()
    store_url = args.store or demo_store()[0]
    results = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "store": store_url.split("/")[-1],
    }
    with app_server(store_url) as url:
        results.update(measure(url, args.runs, args.first))
    path = Path(__file__).parent / "results" / "overview.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
