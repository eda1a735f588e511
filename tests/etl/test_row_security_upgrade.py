"""Row-level security comes with a new PostgreSQL store and with ``yipanqi store upgrade`` for one
made by older code; readers refuse a PostgreSQL store without it; SQLite stores are untouched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from etl.errors import StoreError
from etl.store import open_store, row_security, upgrade
from tests.conftest import _postgres_url, _reset_postgres

AREA = [t.name for t in row_security.AREA_TABLES]
POLICIES = sa.text(
    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, p.polname, p.polcmd "
    "FROM pg_class AS c LEFT JOIN pg_policy AS p ON p.polrelid = c.oid "
    "WHERE c.relname = ANY(:names) AND pg_table_is_visible(c.oid) ORDER BY c.relname"
)


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = _postgres_url()
    _reset_postgres(url)
    yield url
    _reset_postgres(url)


def policies(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(POLICIES, {"names": AREA})]
    finally:
        engine.dispose()


def run(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_new_store_has_one_select_policy_on_each_area_table(pg_url):
    open_store(pg_url, create=True).dispose()
    # enabled, not forced: the owner (the ETL) is not bound, every other role is
    assert policies(pg_url) == [(n, True, False, row_security.POLICY, "r") for n in sorted(AREA)]


@pytest.mark.postgres
def test_the_upgrade_secures_a_store_of_older_code_and_readers_refuse_it_before(pg_url):
    open_store(pg_url, create=True).dispose()
    run(pg_url, *(f"DROP POLICY {row_security.POLICY} ON {n}" for n in AREA),
        *(f"ALTER TABLE {n} DISABLE ROW LEVEL SECURITY" for n in AREA))  # fmt: skip
    assert policies(pg_url) == [(n, False, False, None, None) for n in sorted(AREA)]
    with pytest.raises(StoreError, match="lacks the row-level security.*yipanqi store upgrade"):
        open_store(pg_url)
    assert upgrade(pg_url) == [
        f"row-level security on {', '.join(AREA)} (policy {row_security.POLICY})"
    ]
    assert policies(pg_url) == [(n, True, False, row_security.POLICY, "r") for n in sorted(AREA)]
    open_store(pg_url).dispose()
    assert upgrade(pg_url) == []  # nothing left to do


@pytest.mark.postgres
def test_the_upgrade_replaces_an_older_version_of_the_policy(pg_url):
    open_store(pg_url, create=True).dispose()
    run(
        pg_url,
        *(f"ALTER POLICY {row_security.POLICY} ON {n} RENAME TO yipanqi_scope_v0" for n in AREA),
    )
    with pytest.raises(StoreError, match="row-level security"):
        open_store(pg_url)
    assert len(upgrade(pg_url)) == 1
    assert {p[3] for p in policies(pg_url)} == {row_security.POLICY}


def test_sqlite_stores_have_nothing_to_secure(sqlite_url):
    engine = open_store(sqlite_url, create=True)
    with engine.connect() as conn:
        assert row_security.installed(conn) and not row_security.bound(conn)
    engine.dispose()
    assert upgrade(sqlite_url) == []
