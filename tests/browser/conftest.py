"""A live Yipanqi server and a real headless Chromium (Debian ``chromium``, driven by Playwright).

Every page is behind sign-in: the servers here carry a steward account (``BROWSER_USER``) and every
browser context is signed in through the real sign-in form (``new_signed_in_context``).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from dashboard.factory import create_app
from tests.support import TEST_OUTPUT, demo_store, layer_cache

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("YIPANQI_CHROMIUM") or shutil.which("chromium")


BROWSER_USER = "browser.steward"
BROWSER_PASSWORD = "browser tests passphrase"


def add_browser_steward(store_url: str) -> None:
    """The steward account the browser tests and benchmarks sign in with, in ``store_url``."""
    from access import accounts
    from access.errors import AccessError
    from etl.store import open_store

    engine = open_store(store_url)
    try:
        accounts.add_account(engine, BROWSER_USER, "steward", "nation", password=BROWSER_PASSWORD)
    except AccessError:  # made by an earlier server over the same store
        pass
    finally:
        engine.dispose()


def serve_app(store_url: str):
    """The app over ``store_url`` (with the steward account) on a free port: (server, base URL).
    Call ``server.shutdown()`` when done."""
    add_browser_steward(store_url)
    app = create_app(layer_cache(), store_url)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def sign_in(context, base: str) -> None:
    """Sign ``context`` in at ``base`` with the steward account, through the sign-in form."""
    form = context.request.get(f"{base}/login").text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = context.request.post(
        f"{base}/login",
        form={"username": BROWSER_USER, "password": BROWSER_PASSWORD, "csrf_token": token},
        max_redirects=0,
    )
    assert response.status == 303, response.text()


def new_signed_in_context(browser, base: str, **options):
    """``browser.new_context(**options)``, signed in at ``base``."""
    context = browser.new_context(**options)
    sign_in(context, base)
    return context


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app over the session's demo store (tests.support.demo_store)."""
    store_url, _ = demo_store()
    server, base = serve_app(store_url)
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: torn down after it, because Playwright's sync API allows one
    instance per thread and later tests (map exports, briefing packs) start their own."""
    path = chromium_path()
    if not path:
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is not installed; `make test` installs it")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def recorded_page(browser, live_server: str, width: int = 1600, height: int = 1000):
    """A page in a fresh, signed-in browser context that records in ``page.foreign_requests`` every
    request leaving the live server. Close its ``page.context`` when done."""
    context = new_signed_in_context(browser, live_server, viewport={"width": width, "height": height})
    page = context.new_page()
    page.foreign_requests = []
    page.on(
        "request",
        lambda r: (
            page.foreign_requests.append(r.url)
            if not r.url.startswith((live_server, "data:", "blob:"))
            else None
        ),
    )
    return page


@pytest.fixture
def page(browser, live_server):
    """A fresh page (1600x1000) that records every request leaving the live server."""
    page = recorded_page(browser, live_server)
    yield page
    page.context.close()


def screenshot(page, name: str) -> None:
    """Keep a screenshot under test-output/screenshots (CI artefact; look at it)."""
    folder = TEST_OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))
