"""The flows page's play step and place search (dashboard.pages.flows.timeplace) over the demo
store: the period after each, wrapping; "kunshan" finds 昆山市 (pinyin on the Chinese page),
a Chinese name finds its place, regions are not places."""

from __future__ import annotations

import pytest

from dashboard.data.store import reading_as
from dashboard.factory import create_app
from dashboard.pages.flows.timeplace import next_period, place_options
from etl.scope import NATION
from tests.support import DEMO_PERIODS, demo_store, layer_cache


@pytest.fixture(scope="module")
def app():
    url, _ = demo_store()
    return create_app(layer_cache(), url)


@pytest.fixture
def inside(app):
    with app.server.test_request_context("/flows"), reading_as(NATION):
        yield


def test_play_steps_through_every_period_and_wraps(inside):
    first, last = DEMO_PERIODS
    assert next_period(first) == "2012-11"
    assert next_period("2012-11") == last
    assert next_period(last) == first
    assert next_period("1999-01") == first
    assert next_period(None) == first


@pytest.mark.parametrize(("query", "lang"), [("kunshan", "zh"), ("Kunshan", "en"), ("昆山", "zh")])
def test_search_finds_kunshan(inside, query, lang):
    found = place_options(query, lang)
    assert found[0]["value"] == "320583"
    assert "昆山市" in found[0]["label"]


def test_regions_are_not_places(inside):
    assert all(o["value"].isdigit() for o in place_options("pan", "en"))
