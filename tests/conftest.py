"""Shared fixtures (kept small): the store under test, on SQLite and on PostgreSQL.

``store_url`` is parametrised: every test that takes it runs once on a SQLite file and once on the
PostgreSQL server named by ``YIPANQI_TEST_PG_URL`` (``scripts/start-postgres.sh`` starts one; the
test command exports it). Without that variable the PostgreSQL runs are skipped on a developer's
machine and *fail* in CI (``CI`` set), so CI can never pass without having tested PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

PG_ENV = "YIPANQI_TEST_PG_URL"


def server_url(variable: str, script: str) -> str:
    """The URL of a test server named by ``variable`` (started by ``script``); without it the test
    is skipped on a developer's machine and fails in CI."""
    url = os.environ.get(variable)
    if not url:
        message = (
            f"{variable} is not set: start a server with `bash {script}` and export "
            "the URL it prints (the test command `make test` does both)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def _postgres_url() -> str:
    return server_url(PG_ENV, "scripts/start-postgres.sh")


def _reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    from etl import store

    engine = sa.create_engine(url)
    try:
        store.metadata.drop_all(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """URL of an empty store: a SQLite file in ``tmp_path``, or the test PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    url = _postgres_url()
    _reset_postgres(url)
    yield url
    _reset_postgres(url)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """URL of an empty SQLite store (for tests that are about the loader, not the database)."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture(autouse=True)
def chinese_by_default() -> Iterator[None]:
    """Every test starts in the default language (a page layout sets the request's language for
    the thread it runs on)."""
    from dashboard.i18n import language

    with language("zh"):
        yield


@pytest.fixture(autouse=True)
def _packaged_targets() -> Iterator[None]:
    """Every test starts and ends with the packaged target file in force (``etl.targets``)."""
    from etl.targets import use_targets

    use_targets(None)
    yield
    use_targets(None)
