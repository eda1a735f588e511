"""The start-up warm-up fills what the scenarios page reads for its first paint: after it, opening
the page (its checks, and running its example in either language) reads no baseline from the store."""

from __future__ import annotations

import pytest

from dashboard.data import scenarios
from dashboard.data.store import reading_as
from dashboard.factory import create_app
from dashboard.i18n import LANGS, _, language
from dashboard.pages.scenarios.layout import initial_scenario
from dashboard.warmup import warm_caches
from etl.scope import NATION
from tests.support import demo_store, layer_cache


def test_the_scenarios_page_opens_warm(monkeypatch):
    app = create_app(layer_cache(), demo_store()[0])
    scenarios.baseline.cache_clear()  # type: ignore[attr-defined]
    scenarios._result.cache_clear()
    warm_caches(app).join()

    def cold(*_args, **_kwargs):
        pytest.fail("the scenarios page read a baseline the warm-up did not")

    monkeypatch.setattr(scenarios, "load_baseline", cold)
    with app.server.app_context(), reading_as(NATION):
        for lang in LANGS:
            with language(lang):
                start = initial_scenario("", "")  # what the page opens with
                assert start["name"] == _("example")
                checked, found = scenarios.check(start)
                assert checked is not None, found
                res = scenarios.result(scenarios.canonical_json(checked))  # the first run
            assert res.scenario.name == start["name"]
