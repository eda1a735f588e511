"""Cached reads of the store for the pages, per reader scope and data version.

``cached`` memoises a read per (store URL, data version, scope, arguments): the data version is
the id of the latest succeeded run, so a new ingest or aggregate is picked up at the next request
without a restart, and a page never mixes two versions. The scope is the reader's
(``current_scope``): a read that takes ``scope`` gets it, and no two scopes share a cached result.
Pages and callbacks never pass a scope.

**Where the scope comes from.** In a request: the signed-in principal's, which the gate put in
``flask.g`` from the server-side session (``dashboard.security.current_principal``); nothing the
page sends (inputs, state, stores, the URL) is ever looked at. Outside a request (the warm-up at
start, a command-line export, a test) there is no principal: the code must say which scope it
reads with ``reading_as(scope)`` (the warm-up and the command line name ``NATION`` explicitly). A
read with neither (a request that reached a read without a principal, or a thread that never bound
a scope) raises ``ScopeUnavailable``: it never falls back to the nation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

import flask
import pandas as pd
from sqlalchemy import Engine

from dashboard import context
from dashboard.data import geo
from dashboard.security import current_principal
from etl import marts, store
from etl.indicators import INDICATOR_BY_FLAG
from etl.scope import Scope

R = TypeVar("R")


def engine() -> Engine:
    return context.current().engine


class ScopeUnavailable(RuntimeError):
    """A read with no principal and no explicitly bound scope (never read as the nation)."""


_BOUND: ContextVar[Scope | None] = ContextVar("yipanqi_reading_scope", default=None)


@contextmanager
def reading_as(scope: Scope) -> Iterator[Scope]:
    """Read with ``scope`` in this block where no principal is signed in (warm-up, command line,
    tests). A signed-in principal's scope always wins over it."""
    token = _BOUND.set(scope)
    try:
        yield scope
    finally:
        _BOUND.reset(token)


def current_scope() -> Scope:
    """The scope of the reader: the one place every dashboard read takes it from.

    The signed-in principal's (server session, via the gate), else the scope bound with
    ``reading_as``; ``ScopeUnavailable`` when there is neither.
    """
    principal = current_principal()
    if principal is not None:
        return principal.scope
    bound = _BOUND.get()
    if bound is None:
        raise ScopeUnavailable(
            "no signed-in principal and no scope bound with reading_as(): refusing to read"
        )
    return bound


def data_version() -> int:
    """Id of the latest succeeded run (0: an empty store), looked up once per request (a page's
    callback makes a dozen cached reads: one store query, and one version for all of them)."""
    if flask.has_request_context():
        if "yipanqi_data_version" not in flask.g:
            flask.g.yipanqi_data_version = _latest_version()
        return flask.g.yipanqi_data_version
    return _latest_version()


def _latest_version() -> int:
    run = store.latest_run(engine(), status="succeeded")
    return run.run_id if run else 0


def cached(maxsize: int = 64) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Memoise ``fn(engine, *args[, scope=])`` per store, data version and reader scope; call it
    as ``fn(*args)``. ``fn`` gets ``scope=current_scope()`` when it has a ``scope`` parameter.

    Results are shared between requests: callers must not mutate them.
    """

    def decorate(fn: Callable[..., R]) -> Callable[..., R]:
        scoped = "scope" in inspect.signature(fn).parameters

        @functools.lru_cache(maxsize=maxsize)
        def by_version(url: str, version: int, scope: Scope, *args, **kwargs) -> R:
            if scoped:
                kwargs["scope"] = scope
            return fn(engine(), *args, **kwargs)

        @functools.wraps(fn)
        def read(*args, **kwargs) -> R:
            url = context.current().store_url
            return by_version(url, data_version(), current_scope(), *args, **kwargs)

        read.cache_clear = by_version.cache_clear  # type: ignore[attr-defined]
        return read

    return decorate


@cached(maxsize=16)
def published_coverage(engine: Engine, flag: str, *, scope: Scope) -> pd.DataFrame:
    """One indicator on its side for every unit (county up to the nation) and period, with
    ``suppressed``: the cells withheld by the one rule of ``etl.marts.published``."""
    return marts.read_published_coverage(
        engine, flag, scope=scope, side=INDICATOR_BY_FLAG[flag].side
    )


@cached()
def periods(engine: Engine, *, scope: Scope) -> tuple[str, ...]:
    """Periods with aggregates, oldest first."""
    return tuple(marts.periods(engine, scope=scope))


@cached()
def small_cell_threshold(engine: Engine, *, scope: Scope) -> int:
    """Counts under this are small cells (the threshold the store's marts were built with)."""
    return marts.small_cell_threshold(engine, scope=scope)


@cached(maxsize=16)
def _scope_counties(engine: Engine, *, scope: Scope) -> frozenset[str] | None:
    if scope.is_nation:
        return None
    return frozenset(marts.read_units(engine, scope=scope)["county_code"])


def scope_counties() -> frozenset[str] | None:
    """Codes of the counties in the reader's scope (by the store's hierarchy); None: the nation."""
    return _scope_counties()


@cached(maxsize=64)
def _scope_units(_engine: Engine, level: str, *, scope: Scope) -> frozenset[str] | None:
    inside = scope_counties()
    if inside is None:
        return None
    h = geo.hierarchy()
    return frozenset(h.loc[h["county_code"].isin(inside), f"{level}_code"])


def scope_units(level: str) -> frozenset[str] | None:
    """Codes of the units of ``level`` holding a county of the reader's scope; None: the nation."""
    return _scope_units(level)


def outside_units(level: str) -> list[str]:
    """Units of ``level`` drawn grey, without name or value: outside the data's coverage
    (``geo.outside_codes``) or holding no county of the reader's scope."""
    shown = scope_units(level)
    outside = list(geo.outside_codes(level))
    if shown is None:
        return outside
    h = geo.hierarchy()
    return sorted(set(outside) | (set(h[f"{level}_code"]) - shown))


def beyond_scope(level: str) -> frozenset[str]:
    """Units of ``level`` inside the data's coverage that hold no county of the reader's scope
    (drawn grey like those outside coverage, but labelled as outside the reader's scope)."""
    shown = scope_units(level)
    if shown is None:
        return frozenset()
    h = geo.hierarchy()
    return frozenset(set(h[f"{level}_code"]) - shown - set(geo.outside_codes(level)))


def in_scope(county_codes: Iterable[str]) -> bool:
    """True when every one of ``county_codes`` lies in the reader's scope (an area, a pilot, a
    picker's entry is shown only then: a region is not shown to a reader of one of its provinces)."""
    inside = scope_counties()
    return inside is None or all(code in inside for code in county_codes)
