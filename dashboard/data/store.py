"""Cached reads of the store for the pages.

``cached`` memoises a read per (store URL, data version, arguments): the data version is the id of
the latest succeeded run, so a new ingest or aggregate is picked up at the next request without a
restart, and a page never mixes two versions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import sqlalchemy as sa

from dashboard import context
from etl import store

P = ParamSpec("P")
R = TypeVar("R")


def engine() -> sa.Engine:
    return context.current().engine


def data_version() -> int:
    """Id of the latest succeeded run (0: an empty store)."""
    run = store.latest_run(engine(), status="succeeded")
    return run.run_id if run else 0


def cached(maxsize: int = 64) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Memoise ``fn(engine, *args)`` per store and data version; call it as ``fn(*args)``.

    Results are shared between requests: callers must not mutate them.
    """

    def decorate(fn: Callable[..., R]) -> Callable[..., R]:
        @functools.lru_cache(maxsize=maxsize)
        def by_version(url: str, version: int, *args, **kwargs) -> R:
            return fn(engine(), *args, **kwargs)

        @functools.wraps(fn)
        def read(*args, **kwargs) -> R:
            return by_version(context.current().store_url, data_version(), *args, **kwargs)

        read.cache_clear = by_version.cache_clear  # type: ignore[attr-defined]
        return read

    return decorate


@cached()
def periods(engine: sa.Engine) -> tuple[str, ...]:
    """Periods with aggregates, oldest first."""
    return tuple(store.periods(engine))
