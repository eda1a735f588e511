"""On PostgreSQL the audit table is append-only: the trigger refuses UPDATE, DELETE and TRUNCATE even
for the owner's sessions, and the service's role (``grant_app_role``) lacks the privileges anyway."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from access import audit
from access.tables import ensure_tables, grant_app_role

pytestmark = pytest.mark.postgres
APP_ROLE = "yipanqi_app_test"


@pytest.fixture
def audited(pg_engine):
    ensure_tables(pg_engine)
    ensure_tables(pg_engine)  # idempotent: the triggers are made once
    audit.record(pg_engine, audit.SIGN_IN, username="u1")
    return pg_engine


@pytest.mark.parametrize(
    "statement", ["UPDATE audit SET username = 'forged'", "DELETE FROM audit", "TRUNCATE audit"]
)
def test_the_trigger_refuses_changes(audited, statement):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), audited.begin() as conn:
        conn.execute(sa.text(statement))
    assert [e.username for e in audit.list_events(audited)] == ["u1"]


@pytest.fixture
def app_role(audited):
    with audited.begin() as conn:
        conn.execute(sa.text(f"DROP ROLE IF EXISTS {APP_ROLE}"))
        conn.execute(sa.text(f"CREATE ROLE {APP_ROLE} NOLOGIN"))
    grant_app_role(audited, APP_ROLE)
    yield APP_ROLE
    with audited.begin() as conn:
        conn.execute(sa.text(f"DROP OWNED BY {APP_ROLE}"))
        conn.execute(sa.text(f"DROP ROLE {APP_ROLE}"))


def test_the_service_role_may_append_and_read_but_not_change(audited, app_role):
    with audited.begin() as conn:
        conn.execute(sa.text(f"SET LOCAL ROLE {app_role}"))
        audit.record(conn, audit.SIGN_IN, username="u2")
        assert conn.execute(sa.text("SELECT count(*) FROM audit")).scalar_one() == 2
    for statement in ("UPDATE audit SET username = 'x'", "DELETE FROM audit", "TRUNCATE audit"):
        with (
            pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
            audited.begin() as conn,
        ):
            conn.execute(sa.text(f"SET LOCAL ROLE {app_role}"))
            conn.execute(sa.text(statement))
    assert sorted(e.username for e in audit.list_events(audited)) == ["u1", "u2"]


def test_a_role_name_must_be_plain(audited):
    with pytest.raises(ValueError, match="plain PostgreSQL role name"):
        grant_app_role(audited, 'x"; DROP TABLE audit; --')
