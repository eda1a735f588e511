"""dashboard.data.store: reads get the reader's scope from one place (the signed-in principal, or a
scope bound explicitly outside a request, never a silent nation) and are cached per scope."""

from __future__ import annotations

import threading

import flask
import pytest

from access.principal import Principal
from access.roles import Role
from dashboard.data import overview
from dashboard.data import store as data_store
from dashboard.export.source import store_context
from etl.scope import NATION, Scope
from tests.support import demo_store, layer_cache

JIANGSU = Scope("province", "320000")


@pytest.fixture(scope="module")
def context():
    """The command line's way in: outside a request, store_context reads as the nation."""
    with store_context(layer_cache(), demo_store()[0]) as ctx:
        yield ctx


def in_new_thread(fn):
    """``fn()`` in a thread of its own (no bound scope, as the warm-up starts); its result or error."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out


def test_without_a_principal_or_a_bound_scope_nothing_is_read():
    assert isinstance(in_new_thread(data_store.current_scope)["error"], data_store.ScopeUnavailable)

    def in_a_request_without_principal():
        with flask.Flask("scope-test").test_request_context("/"):
            return data_store.current_scope()

    out = in_new_thread(in_a_request_without_principal)
    assert isinstance(out["error"], data_store.ScopeUnavailable)


def test_a_bound_scope_holds_for_its_block_only():
    def nested():
        seen = []
        with data_store.reading_as(JIANGSU):
            seen.append(data_store.current_scope())
            with data_store.reading_as(NATION):
                seen.append(data_store.current_scope())
            seen.append(data_store.current_scope())
        try:
            data_store.current_scope()
        except data_store.ScopeUnavailable:
            seen.append(None)
        return seen

    assert in_new_thread(nested)["value"] == [JIANGSU, NATION, JIANGSU, None]


def test_the_signed_in_principal_wins_over_a_bound_scope():
    with flask.Flask("scope-test").test_request_context("/"), data_store.reading_as(NATION):
        flask.g.principal = Principal("v.viewer", Role.VIEWER, JIANGSU)
        assert data_store.current_scope() == JIANGSU


def test_the_command_line_reads_as_the_nation(context):
    assert data_store.current_scope() == NATION


def test_cached_reads_get_the_scope_and_keep_one_result_per_scope(context):
    every = overview.flow_totals("county")
    assert every["unit_code"].str[:2].nunique() > 20
    with data_store.reading_as(JIANGSU):
        jiangsu = overview.flow_totals("county")
    assert set(jiangsu["unit_code"].str[:2]) == {"32"}
    assert len(jiangsu) < len(every)
    assert overview.flow_totals("county") is every  # the nation's cached result, not Jiangsu's
    assert data_store.periods() == tuple(sorted(set(every["period"])))
