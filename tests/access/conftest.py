"""Fixtures of the access tests: an empty store engine (SQLite; PostgreSQL where marked), accounts,
and the throwaway OpenLDAP server of ``scripts/start-ldap.sh``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from access.ldap import LdapConfig
from access.tables import metadata
from tests.conftest import _postgres_url, server_url

LDAP_ENV = "YIPANQI_TEST_LDAP_URL"
LDAP_BASE = "dc=yipanqi,dc=test"
LDAP_MANAGER = ("cn=admin,dc=yipanqi,dc=test", "admin-secret")  # tests/access/directory.ldif
LDAP_GROUP = "cn=yipanqi-users,ou=groups,dc=yipanqi,dc=test"
LDAP_PEOPLE = {"lin.planner": "planner-pass-2026", "zhao.viewer": "viewer-pass-2026"}
PASSWORD = "a long test passphrase"


@pytest.fixture
def engine(tmp_path) -> Iterator[sa.Engine]:
    """An engine on an empty SQLite file."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'access.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine() -> Iterator[sa.Engine]:
    """An engine on the test PostgreSQL database without the users and audit tables."""
    engine = sa.create_engine(_postgres_url())
    metadata.drop_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def ldap_url() -> str:
    return server_url(LDAP_ENV, "scripts/start-ldap.sh")


@pytest.fixture
def ldap_config(ldap_url) -> LdapConfig:
    """The test directory, searched with its manager account, open to every person."""
    return LdapConfig(
        url=ldap_url,
        base_dn=LDAP_BASE,
        bind_dn=LDAP_MANAGER[0],
        bind_password=LDAP_MANAGER[1],
        timeout=3,
    )
