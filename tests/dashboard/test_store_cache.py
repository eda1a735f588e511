"""dashboard.data.store: reads get the reader's scope from one place and are cached per scope."""

from __future__ import annotations

import pytest

from dashboard.data import overview
from dashboard.data import store as data_store
from dashboard.export.source import store_context
from etl.scope import NATION, Scope
from tests.support import demo_store, layer_cache

JIANGSU = Scope("province", "320000")


@pytest.fixture(scope="module")
def context():
    with store_context(layer_cache(), demo_store()[0]) as ctx:
        yield ctx


def test_the_scope_is_the_nation_until_the_sign_in_replaces_it():
    assert data_store.current_scope() == NATION


def test_cached_reads_get_the_scope_and_keep_one_result_per_scope(context, monkeypatch):
    every = overview.flow_totals("county")
    assert every["unit_code"].str[:2].nunique() > 20
    monkeypatch.setattr(data_store, "current_scope", lambda: JIANGSU)
    jiangsu = overview.flow_totals("county")
    assert set(jiangsu["unit_code"].str[:2]) == {"32"}
    assert len(jiangsu) < len(every)
    monkeypatch.setattr(data_store, "current_scope", lambda: NATION)
    assert overview.flow_totals("county") is every  # the nation's cached result, not Jiangsu's
    assert data_store.periods() == tuple(sorted(set(every["period"])))
