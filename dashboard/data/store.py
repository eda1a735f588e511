"""Cached reads of the store for the pages, per reader scope and data version.

``cached`` memoises a read per (store URL, data version, scope, arguments): the data version is
the id of the latest succeeded run, so a new ingest or aggregate is picked up at the next request
without a restart, and a page never mixes two versions. The scope is the reader's
(``current_scope``): a read that takes ``scope`` gets it, and no two scopes share a cached result.
Pages and callbacks never pass a scope.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine

from dashboard import context
from etl import marts, store
from etl.scope import NATION, Scope

R = TypeVar("R")


def engine() -> Engine:
    return context.current().engine


def current_scope() -> Scope:
    """The scope of the reader of this request: the one place every dashboard read takes it from.

    For now the nation. The sign-in replaces this with the scope of the session's principal
    (from the server-side session, never from anything the page sends).
    """
    return NATION


def data_version() -> int:
    """Id of the latest succeeded run (0: an empty store)."""
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


@cached()
def periods(engine: Engine, *, scope: Scope) -> tuple[str, ...]:
    """Periods with aggregates, oldest first."""
    return tuple(marts.periods(engine, scope=scope))


@cached()
def small_cell_threshold(engine: Engine, *, scope: Scope) -> int:
    """Counts under this are small cells (the threshold the store's marts were built with)."""
    return marts.small_cell_threshold(engine, scope=scope)
