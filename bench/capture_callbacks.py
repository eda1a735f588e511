"""Record the callback requests of a real browser session, as fixtures for the load benchmark.

A signed-in headless Chromium (Debian chromium, Playwright) goes through the interactions that the
load benchmark's users replay (``bench.locustfile``), and every ``POST /_dash-update-component``
body is kept in the order the page sent it, with the answer's status:

- ``overview``: navigation to ``/`` (the page's initial callbacks);
- ``period``: a key press on the period slider (three presses: three variants, three periods);
- ``measure``: another measure picked from the dropdown (two variants);
- ``flows``: the navigation link to the flows page (the page router and the flows callbacks);
- ``area``: navigation to the Pudong page ``/area/310115`` (a link from elsewhere).

Each step also keeps the page's own GETs (documents, ``/_dash-layout``, ``/_dash-dependencies``,
the geometry), not the fingerprinted script bundles, which the browser caches for a year. An
interaction has ended when no callback has been pending for ``QUIET_MS``.

Usage: ``.venv/bin/python -m bench.capture_callbacks [--test-store]``: on the load benchmark's
demo store (``bench.bench_load``) into ``bench/fixtures/callbacks.json``, or on the small test
store into ``bench/fixtures/callbacks-test-store.json`` for the CI smoke run
(``tests/test_load_smoke.py``). Record both again when a page's callbacks change.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from urllib.parse import urlsplit

from bench.appserver import app_server
from bench.bench_geodata import CHROMIUM_ARGS
from tests.browser.conftest import add_browser_steward, new_signed_in_context

CALLBACK = "/_dash-update-component"
QUIET_MS = 1500
STATIC = ("/_dash-component-suites/", "/assets/", "/_favicon", "/_auth/static/")


class Recorder:
    """Callback bodies and page GETs of a page, filed under the current step's variant."""

    def __init__(self, page, base: str) -> None:
        self.base = base
        self.steps: dict[str, dict] = {}
        self.current: dict | None = None
        self.pending = 0
        self.last = time.monotonic()
        page.on("request", self._request)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._finished)

    def start(self, step: str) -> None:
        entry = self.steps.setdefault(step, {"variants": []})
        self.current = {"gets": [], "callbacks": []}
        entry["variants"].append(self.current)

    def _request(self, request) -> None:
        if self.current is None or not request.url.startswith(self.base):
            return
        parts = urlsplit(request.url)
        if request.method == "POST" and parts.path == CALLBACK:
            self.pending += 1
            self.last = time.monotonic()
            request._yp = {"body": json.loads(request.post_data), "status": None}
            self.current["callbacks"].append(request._yp)
        elif request.method == "GET" and not parts.path.startswith(STATIC):
            self.current["gets"].append(parts.path + (f"?{parts.query}" if parts.query else ""))

    def _finished(self, request) -> None:
        record = getattr(request, "_yp", None)
        if record is None:
            return
        response = request.response()
        record["status"] = response.status if response else None
        self.pending -= 1
        self.last = time.monotonic()

    def wait_quiet(self, page) -> None:
        """Until no callback is pending and none has started for ``QUIET_MS``."""
        page.wait_for_timeout(300)
        while self.pending or (time.monotonic() - self.last) * 1000 < QUIET_MS:
            page.wait_for_timeout(100)


def capture(base: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        context = new_signed_in_context(browser, base, viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        recorder = Recorder(page, base)

        recorder.start("overview")
        page.goto(base + "/")
        page.wait_for_selector("#overview-map .js-plotly-plot[data-painted]", timeout=120_000)
        recorder.wait_quiet(page)

        slider = page.locator("#overview-period [role=slider]")
        for _ in range(3):
            recorder.start("period")
            slider.focus()
            page.keyboard.press("ArrowLeft")
            recorder.wait_quiet(page)

        for name in ("流入人数", "婚育证明验证率"):
            recorder.start("measure")
            page.click("#overview-measure")
            option = page.get_by_role("option", name=name, exact=True)
            option.wait_for()
            option.click()
            recorder.wait_quiet(page)

        recorder.start("flows")
        page.locator("#shell-nav a[href^='/flows']").click()
        page.wait_for_selector("#flows-base .choroplethlayer path", timeout=120_000)
        recorder.wait_quiet(page)

        recorder.start("area")
        page.goto(base + "/area/310115")
        recorder.wait_quiet(page)
        browser.close()
    return recorder.steps


def main() -> None:
    from bench.bench_load import FIXTURE, TEST_FIXTURE, demo_data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--test-store",
        action="store_true",
        help=f"record on the small test store (tests.support.demo_store) into {TEST_FIXTURE.name}",
    )
    args = parser.parse_args()
    if args.test_store:
        from tests.support import demo_store

        store_url, layers, out = demo_store()[0], None, TEST_FIXTURE
    else:
        data_dir = demo_data_dir()
        store_url, layers, out = (
            f"sqlite:///{data_dir / 'yipanqi.sqlite'}",
            data_dir / "geodata",
            FIXTURE,
        )
    add_browser_steward(store_url)
    with app_server(store_url, layers) as base:
        steps = capture(base)
    for step, entry in steps.items():
        # a key press at the end of the slider changes nothing: no callback, no variant
        entry["variants"] = [v for v in entry["variants"] if v["callbacks"]]
        for variant in entry["variants"]:
            statuses = [c["status"] for c in variant["callbacks"]]
            print(f"{step}: {len(statuses)} callbacks {statuses}, GET {variant['gets']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {"captured": time.strftime("%Y-%m-%d"), "steps": steps}
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
