"""The README's user-guide screenshots (docs/images/guide-*.png), regenerated from the product itself.

Serves the app over the test suite's small demo store (three months of synthetic records,
``tests.support.demo_store``) in its own process, signs a headless Debian Chromium in through the
sign-in form, and photographs each page at a projector's size (1366x768) as a user first meets it:

    python scripts/screenshots.py            # needs chromium (make test installs it)

Run after a change a user can see, look at the images, and commit them with the change.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.appserver import app_server  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, new_signed_in_context  # noqa: E402
from tests.support import demo_store  # noqa: E402

OUT = REPO / "docs" / "images"
PAINTED = ".js-plotly-plot[data-painted]"
SHOTS = (  # (file, path, what to wait for)
    ("guide-overview-zh", "/", f"#overview-map {PAINTED}"),
    ("guide-overview-en", "/?lang=en&level=province", f"#overview-map {PAINTED}"),
    ("guide-flows-zh", "/flows", "#flows-base .choroplethlayer path"),
    ("guide-area-zh", "/area/320200", "#area-map .choroplethlayer path"),
    ("guide-scenarios-zh", "/scenarios", "#scenarios-map .choroplethlayer path"),
    ("guide-present-zh", "/present/pan_yangtze", f"#present-map {PAINTED}"),
)


def main() -> None:
    from playwright.sync_api import sync_playwright

    browser_path = chromium_path()
    if not browser_path:
        raise SystemExit("screenshots: Debian chromium is not installed (make test installs it)")
    OUT.mkdir(parents=True, exist_ok=True)
    store_url, _ = demo_store()
    with app_server(store_url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        context = new_signed_in_context(browser, base, viewport={"width": 1366, "height": 768})
        page = context.new_page()
        for name, path, ready in SHOTS:
            page.goto(base + path)
            page.wait_for_selector(ready, timeout=60_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_function("document.fonts.status === 'loaded'")
            page.screenshot(path=str(OUT / f"{name}.png"))
            print(f"{OUT / name}.png")
        browser.close()


if __name__ == "__main__":
    main()
