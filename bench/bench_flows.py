"""Benchmark of the flows page (issue 4): the top 2,000 county flows painted after the data arrives.

In headless Chromium (Debian chromium, no GPU) against a live app over a store, on
``/flows?level=county&top=2000``:

- ``arrival_to_paint`` (the target, <= 300 ms): the lines figure of another period arrives as JSON
  text; timed inside the page with ``performance.now()`` from before ``JSON.parse`` to two
  animation frames after ``Plotly.react`` on the page's lines graph, alternating two periods;
- ``single_graph_react`` (design check): the same flows drawn into the base graph with the 2,875
  county polygons, as one figure would have to be redrawn without the two-graph layering;
- ``input_to_paint`` (context): from the click on a direction (inflow / outflow, alternating) to the
  redrawn lines (``plotly_afterplot`` and two animation frames): server, transfer and paint;
- ``server_ms``: reading (cached), selecting, thinning and building the lines figure in Python,
  and the JSON size of that figure.

Usage: ``.venv/bin/python bench/bench_flows.py [--store URL] [--runs 30]``. Without ``--store``
the generated test store is built (``tests.support.demo_store``). Results go to stdout and
``bench/results/flows.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_geodata import CHROMIUM_ARGS, machine, summary  # noqa: E402
from dashboard.factory import create_app  # noqa: E402
from tests.browser.conftest import add_browser_steward, new_signed_in_context  # noqa: E402
from tests.support import demo_store, layer_cache  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "flows.json"
QUERY = "?level=county&top=2000&direction=both"
N_FLOWS = 2000

REACT = """async ([texts, runs]) => {
  const gd = document.querySelector('#flows-lines .js-plotly-plot');
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const fig = JSON.parse(texts[i % 2]);
    await Plotly.react(gd, fig.data, fig.layout);
    await frames();
    times.push(performance.now() - t0);
  }
  return times;
}"""

SINGLE = """async ([text, runs]) => {
  const base = document.querySelector('#flows-base .js-plotly-plot');
  const lines = JSON.parse(text).data;
  const polygons = base.data.slice();
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const times = [];
  for (let i = 0; i < runs; i++) {
    const shown = i % 2 ? lines.slice(0, Math.max(1, lines.length - 1)) : lines;
    const t0 = performance.now();
    await Plotly.react(base, polygons.concat(shown), base.layout);
    await frames();
    times.push(performance.now() - t0);
  }
  await Plotly.react(base, polygons, base.layout);
  return times;
}"""

ARM_INPUT = """() => {
  window.__bench = {};
  const gd = document.querySelector('#flows-lines .js-plotly-plot');
  document.addEventListener('mousedown', () => { window.__bench.t0 = performance.now(); },
                            {capture: true, once: true});
  window.__benchDone = new Promise(resolve => {
    const done = () => {
      gd.removeListener('plotly_afterplot', done);
      requestAnimationFrame(() => requestAnimationFrame(() => {
        window.__bench.t1 = performance.now(); resolve(true);
      }));
    };
    gd.on('plotly_afterplot', done);
  });
}"""


def lines_json(app, period: str) -> tuple[str, float, int]:
    """(figure JSON as Dash sends it, server milliseconds, number of flows drawn)."""
    from dash._utils import to_json

    from dashboard.data import flows as data
    from dashboard.pages.flows import view as flows_view

    with app.server.test_request_context("/flows"):
        query = data.FlowQuery(period, "all", "county", data.region_codes(), "both", N_FLOWS)
        data.flow_view(query)  # warm the cached read: the page reads once per period
        started = time.perf_counter()
        view = data.flow_view(query)
        text = to_json(flows_view.lines_figure(view))
        elapsed = (time.perf_counter() - started) * 1000
    return text, elapsed, len(view.flows)


def measure(app, url: str, periods: list[str], runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    texts, server, drawn = [], [], []
    for period in periods[-2:]:
        for _ in range(5):
            text, elapsed, n = lines_json(app, period)
            server.append(elapsed)
        texts.append(text)
        drawn.append(n)
    out: dict = {
        "flows_drawn": drawn,
        "figure_json_kb": [round(len(t.encode()) / 1024, 1) for t in texts],
        "server_ms": summary(server, "_ms", 1),
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        context = new_signed_in_context(browser, url, viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        page.goto(url + "/flows" + QUERY)
        page.wait_for_selector("#flows-base .choroplethlayer path", timeout=60_000)
        page.wait_for_selector(
            "#flows-lines .scattergeo path, #flows-lines .scatterlayer path",
            state="attached",
            timeout=60_000,
        )
        page.evaluate("() => new Promise(r => setTimeout(r, 500))")
        page.evaluate(REACT, [texts, 4])  # warm-up (JIT, fonts)
        out["arrival_to_paint"] = summary(page.evaluate(REACT, [texts, runs]), "_ms", 1)
        out["single_graph_react"] = summary(
            page.evaluate(SINGLE, [texts[-1], max(6, runs // 3)]), "_ms", 1
        )

        page.goto(url + "/flows" + QUERY)
        page.wait_for_selector("#flows-base .choroplethlayer path", timeout=60_000)
        page.evaluate("() => new Promise(r => setTimeout(r, 500))")
        times = []
        for i in range(runs + 2):
            page.evaluate(ARM_INPUT)
            page.locator(
                "#flows-direction label", has_text="流出" if i % 2 == 0 else "流入"
            ).click()
            page.wait_for_function("() => window.__bench.t1 !== undefined", timeout=30_000)
            if i >= 2:  # the first two warm the server's cache of the period
                times.append(page.evaluate("() => window.__bench.t1 - window.__bench.t0"))
        out["input_to_paint"] = summary(times, "_ms", 1)
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store", help="SQLAlchemy URL of the store (default: the generated test store)"
    )
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    load = round(os.getloadavg()[0], 2)  # other work on the machine makes the figures noisier
    store_url = args.store or demo_store()[0]
    add_browser_steward(store_url)
    app = create_app(layer_cache(), store_url)
    with app.server.test_request_context("/flows"):
        from dashboard.data.store import periods

        available = list(periods())
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        results = measure(app, f"http://127.0.0.1:{server.server_port}", available, args.runs)
    finally:
        server.shutdown()
    results = {
        "benchmark": "flows page: top 2,000 county flows",
        "target": "arrival_to_paint p95 <= 300 ms",
        "store": "generated test store (tests.support.demo_store)" if not args.store else "given",
        "periods": available[-2:],
        "machine": {**machine(), "load_average_1min_at_start": load},
        "date": time.strftime("%Y-%m-%d"),
        **results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
