"""Sign-in in a real browser: a visitor lands on the sign-in page, the signed-in overview runs under
the Content-Security-Policy without a single violation, the chart toolbar offers nothing that sends
a chart off the server, and signing out ends the session."""

from __future__ import annotations

import pytest

from tests.browser.conftest import BROWSER_PASSWORD, BROWSER_USER, recorded_page, screenshot

pytestmark = pytest.mark.browser
MAP = "#overview-map"


def test_a_visitor_signs_in_through_the_form_and_returns(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(live_server + "/flows?lang=en")
    assert "/login?" in page.url
    screenshot(page, "login-en-1366x768")
    page.fill("#username", BROWSER_USER)
    page.fill("#password", BROWSER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/flows?lang=en", timeout=20_000)
    context.close()


def test_the_overview_runs_under_the_csp_and_offers_no_cloud(browser, live_server):
    page = recorded_page(browser, live_server, 1366, 768)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(live_server + "/")
    page.wait_for_selector(f"{MAP} .js-plotly-plot[data-painted]", timeout=30_000)
    page.hover(f"{MAP} .js-plotly-plot")
    titles = page.eval_on_selector_all(f"{MAP} .modebar-btn", "els => els.map(e => e.dataset.title)")
    assert titles and not [t for t in titles if any(w in t for w in ("Cloud", "Chart Studio", "Edit", "plotly"))]
    assert not [m for m in messages if "Content Security Policy" in m or "Refused to" in m]
    assert page.foreign_requests == []
    screenshot(page, "signed-in-overview-1366x768")
    page.click("a.yp-account-out")
    page.wait_for_url(f"{live_server}/login?bye=1", timeout=10_000)
    page.goto(live_server + "/")
    assert "/login?" in page.url
    page.context.close()
