"""The overview's inputs out of range (a stale link, a store with fewer periods since, a forged
body) fall back to the default view instead of a 500 (an IndexError once)."""

from __future__ import annotations

import pytest

from access import accounts
from dashboard import ids
from dashboard.factory import create_app
from etl.pipeline import ingest
from etl.store import open_store
from tests.etl.helpers import TINY, random_records, write_csv
from tests.security.conftest import PASSWORD, callback_body, callback_key, csrf, sign_in
from tests.support import layer_cache

PERIODS = ["2010-01", "2010-02", "2010-03"]
COUNTIES = ["310115", "310104", "320211", "360102", "440106", "410102"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("overview-inputs")
    url = f"sqlite:///{root / 'store.sqlite'}"
    rows = TINY + random_records(300, COUNTIES, PERIODS, seed=9)
    ingest([write_csv(root / "records.csv", rows)], url, root / "data", demo=True, workers=0)
    engine = open_store(url)
    accounts.add_account(engine, "v.viewer", "viewer", "nation", password=PASSWORD)
    engine.dispose()
    return create_app(layer_cache(), url)


@pytest.fixture
def client(app):
    client = app.server.test_client()
    assert sign_in(client, "v.viewer").status_code == 303
    client.get("/")  # the CSRF cookie
    return client


def _post(app, client, outputs: tuple[str, ...], values: dict):
    body = callback_body(app, callback_key(app, *outputs), values)
    return client.post("/_dash-update-component", json=body, headers=csrf(client))


VIEW = (ids.OVERVIEW_VALUES, ids.OVERVIEW_LEGEND, ids.OVERVIEW_HEADLINES, ids.OVERVIEW_PERIOD_LABEL,
        ids.OVERVIEW_QUERY, ids.OVERVIEW_SPANS)  # fmt: skip


@pytest.mark.parametrize(
    ("measure", "level", "index", "period"),
    [
        ("cert_verified", "province", 1, "2010-02"),  # in range: as asked
        ("cert_verified", "province", 99, "2010-03"),  # out of range: the latest period
        ("cert_verified", "province", -1, "2010-03"),
        ("cert_verified", "province", "abc", "2010-03"),
        ("cert_verified", "province", None, "2010-03"),
        ("no-such-measure", "galaxy", 0, "2010-01"),  # unknown measure and level: the defaults
    ],
)
def test_the_view_falls_back_to_the_default(app, client, measure, level, index, period):
    response = _post(app, client, VIEW, {
        f"{ids.OVERVIEW_MEASURE}.value": measure, f"{ids.OVERVIEW_LEVEL}.value": level,
        f"{ids.OVERVIEW_PERIOD}.value": index, f"{ids.OVERVIEW_URL}.search": "?lang=en",
    })  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    assert answer[ids.OVERVIEW_PERIOD_LABEL]["children"] == period
    query = answer[ids.OVERVIEW_QUERY]["data"]
    expected_measure = measure if measure == "cert_verified" else "cert_verified"
    expected_level = level if level == "province" else "prefecture"
    assert query == f"?measure={expected_measure}&level={expected_level}&period={period}&lang=en"


@pytest.mark.parametrize(("index", "following"), [(0, 1), (2, 0), (99, 0), ("x", 0)])
def test_play_advances_from_any_index(app, client, index, following):
    response = _post(app, client, (ids.OVERVIEW_PERIOD,), {
        f"{ids.OVERVIEW_TICK}.n_intervals": 1, f"{ids.OVERVIEW_PERIOD}.value": index,
    })  # fmt: skip
    assert response.status_code == 200
    assert response.get_json()["response"][ids.OVERVIEW_PERIOD]["value"] == following


def test_an_unknown_level_draws_the_default_map(app, client):
    response = _post(app, client, (ids.OVERVIEW_MAP,), {
        f"{ids.OVERVIEW_LEVEL}.value": "galaxy", f"{ids.OVERVIEW_URL}.search": "",
    })  # fmt: skip
    assert response.status_code == 200
    assert response.get_json()["response"][ids.OVERVIEW_MAP]["figure"]["data"]
