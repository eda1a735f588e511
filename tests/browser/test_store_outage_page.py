"""A PostgreSQL store that goes away while a page is open, in a real headless Chromium: the page
shows the server's message as a banner instead of broken widgets, and comes back by itself when
the server is back (``assets/yipanqi-store.js``)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import new_signed_in_context, screenshot, serve_app
from tests.dashboard.test_store_outage import _store, own_server  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
PAINTED = "#overview-map .js-plotly-plot[data-painted]"
BANNER = ".yp-store-banner"


def test_the_page_shows_a_banner_and_recovers(browser, own_server, tmp_path):  # noqa: F811
    _store(own_server.url, tmp_path)
    server, base = serve_app(own_server.url)
    context = new_signed_in_context(browser, base, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(base + "/?lang=en")
        page.wait_for_selector(PAINTED, timeout=30_000)
        assert page.locator(BANNER).count() == 0

        own_server.pause()
        page.get_by_label("Province").check()  # a callback that reads the store
        page.wait_for_selector(BANNER, timeout=15_000)
        text = page.locator(BANNER).inner_text()
        assert text.startswith("The data store cannot be reached")
        screenshot(page, "store-outage-banner")

        own_server.start()
        # the page asks every 10 s, then reloads itself: the map is painted again, no banner
        page.wait_for_selector(BANNER, state="detached", timeout=30_000)
        page.wait_for_selector(PAINTED, timeout=30_000)
        assert page.locator(BANNER).count() == 0
        screenshot(page, "store-outage-recovered")
    finally:
        context.close()
        server.shutdown()
