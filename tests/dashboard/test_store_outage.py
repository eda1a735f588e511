"""A store that cannot be reached: the app starts, says so with a 503 (a page that retries, or JSON
that the front-end shows as a banner), and recovers by itself when the server is back.

A real PostgreSQL server of the test's own (``scripts/start-postgres.sh`` on a free port, in its
default folder ``/tmp/yipanqi-pg-<port>``, which the ``postgres`` user can reach) is stopped (``--pause``) and started again; the shared test server is never
touched. Runs where PostgreSQL runs (``YIPANQI_TEST_PG_URL`` set: the binaries are installed).
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from access import accounts
from dashboard import ids
from dashboard.factory import create_app
from etl.pipeline import ingest
from etl.store import open_store
from tests.conftest import PG_ENV, server_url
from tests.etl.helpers import TINY, write_csv
from tests.security.conftest import PASSWORD, callback_body, callback_key, csrf, sign_in
from tests.support import REPO, layer_cache

pytestmark = pytest.mark.postgres
KEY = "test-key-0123456789abcdef"


@dataclass
class Server:
    """A PostgreSQL server of this test: its URL, and stop / start keeping its data."""

    url: str
    env: dict[str, str]

    def _script(self, *args: str) -> str:
        done = subprocess.run(
            ["bash", str(REPO / "scripts" / "start-postgres.sh"), *args],
            env=self.env, capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        return done.stdout.strip()

    def pause(self) -> None:
        self._script("--pause")

    def start(self) -> None:
        assert self._script() == self.url


@pytest.fixture
def own_server() -> Iterator[Server]:
    server_url(PG_ENV, "scripts/start-postgres.sh")  # skipped where PostgreSQL is not set up
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "YIPANQI_PG_PORT": str(port)}
    env.pop("YIPANQI_PG_DIR", None)
    server = Server("", env)
    server.url = server._script()
    try:
        yield server
    finally:
        server._script("--stop")


def _store(url: str, tmp_path: Path) -> None:
    ingest([write_csv(tmp_path / "tiny.csv", TINY)], url, tmp_path / "data", KEY, workers=0)
    engine = open_store(url)
    accounts.add_account(engine, "v.viewer", "viewer", "nation", password=PASSWORD)
    engine.dispose()


def _overview(app, client):
    key = callback_key(app, ids.OVERVIEW_MAP)
    body = callback_body(
        app, key, {f"{ids.OVERVIEW_LEVEL}.value": "province", f"{ids.OVERVIEW_URL}.search": "?lang=en"}
    )
    headers = {**csrf(client), "Referer": "http://localhost/?lang=en"}  # as a browser sends it
    return client.post("/_dash-update-component", json=body, headers=headers)


def test_a_server_that_goes_away_gets_a_503_that_the_page_shows_and_recovers(own_server, tmp_path):
    _store(own_server.url, tmp_path)
    app = create_app(layer_cache(), own_server.url)
    client = app.server.test_client()
    assert sign_in(client, "v.viewer").status_code == 303
    assert client.get("/").status_code == 200
    assert _overview(app, client).status_code == 200

    own_server.pause()
    for _ in range(2):  # the pool's connections are dead, and no new one can be made
        response = _overview(app, client)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "10"
        body = response.get_json()
        assert body["yipanqi_store"] == "unavailable"
        assert body["message"].startswith("The data store cannot be reached")  # the page's lang
    page = client.get("/flows?lang=en")
    assert page.status_code == 503 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "<meta http-equiv='refresh' content='10'>" in text
    assert "cannot be reached" in text and "Traceback" not in text
    assert "数据库" in client.get("/").get_data(as_text=True)  # Chinese by default

    own_server.start()
    assert _overview(app, client).status_code == 200
    assert client.get("/flows").status_code == 200


def test_the_app_starts_while_the_server_is_down_and_serves_once_it_is_up(own_server, tmp_path, caplog):
    _store(own_server.url, tmp_path)
    own_server.pause()
    app = create_app(layer_cache(), own_server.url)  # no exception: the app starts
    assert any("cannot reach the store" in r.getMessage() for r in caplog.records)
    client = app.server.test_client()
    login = client.get("/login")
    assert login.status_code == 503 and "refresh" in login.get_data(as_text=True)

    own_server.start()
    assert client.get("/login").status_code == 200
    assert sign_in(client, "v.viewer").status_code == 303
    assert client.get("/").status_code == 200  # (and the CSRF cookie)
    assert _overview(app, client).status_code == 200


def test_the_first_start_says_so_in_one_line_and_goes_on(own_server, tmp_path, capsys):
    from yipanqi.first_start import needs_demo

    _store(own_server.url, tmp_path)
    own_server.pause()
    assert needs_demo(own_server.url) is False
    said = capsys.readouterr().out.strip()
    assert said.startswith("warning: cannot reach the store") and "\n" not in said
    own_server.start()
    assert needs_demo(own_server.url) is False  # it holds data: no demo
