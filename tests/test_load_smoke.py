"""CI smoke run of the load benchmark (``bench/bench_load.py``): 3 signed-in users for 15 s, no
pauses, against gunicorn started as ``yipanqi serve`` starts it, over the small test store.

Every recorded callback of ``bench/fixtures/callbacks-test-store.json`` must be replayed and
answer 200 with data, and no request may fail (sign-in included). The fixtures of the benchmark's
demo store must have the same steps and callbacks, so neither file goes stale alone.
"""

from __future__ import annotations

import importlib.util
import json
import os

import pytest

from bench.bench_load import (
    FIXTURE,
    TEST_FIXTURE,
    add_accounts,
    callback_name,
    gunicorn_server,
    run_locust,
)
from tests.support import demo_store, layer_cache

USERS, SECONDS = 3, 15


def recorded_callbacks(path) -> set[str]:
    steps = json.loads(path.read_text(encoding="utf-8"))["steps"]
    return {
        callback_name(step, record["body"])
        for step, entry in steps.items()
        for variant in entry["variants"]
        for record in variant["callbacks"]
    }


def test_fixtures_record_the_same_callbacks():
    names = recorded_callbacks(TEST_FIXTURE)
    assert {name.split(":")[0] for name in names} == {
        "overview",
        "period",
        "measure",
        "flows",
        "area",
    }
    assert names == recorded_callbacks(FIXTURE)


@pytest.mark.load
def test_signed_in_users_replay_every_callback(tmp_path):
    if importlib.util.find_spec("locust") is None:  # not imported here: it patches the process
        message = "locust is not installed (the test extra has it)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    store_url, _ = demo_store()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "geodata").symlink_to(layer_cache().root.parent)  # no layer build
    accounts = add_accounts(store_url, USERS)
    log = tmp_path / "load.log"
    with gunicorn_server(data_dir, store_url, log, timeout=180) as base:
        raw = run_locust(base, accounts, USERS, SECONDS, (0.0, 0.0), log, fixture=TEST_FIXTURE)
    assert raw["errors"] == {}, log.read_text(encoding="utf-8")[-3000:]
    replayed = set(raw["times"])
    assert recorded_callbacks(TEST_FIXTURE) <= replayed
    assert {"sign-in: POST /login", "overview: GET /", "area: GET /area/310115"} <= replayed
