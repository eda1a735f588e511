"""The audit table: rows as recorded, filters, and a row that commits with its change or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from access import audit
from access.principal import Principal, bind, unbind
from access.roles import Role
from access.tables import ensure_tables
from etl.scope import Scope


@pytest.fixture
def audited(engine):
    ensure_tables(engine)
    return engine


def test_who_is_the_given_name_else_the_principal_else_the_bound_one(audited):
    planner = Principal("he.ping", Role.PLANNER, Scope("province", "330000"))
    audit.record(audited, audit.SIGN_IN_FAILED, username="typed\nname\x1b[31m")
    audit.record(audited, audit.SIGN_IN, principal=planner)
    token = bind(planner)
    try:
        audit.record(audited, audit.SCENARIO_SAVE, "plan A", rows=12, exact=False)
    finally:
        unbind(token)
    audit.record(audited, audit.USER_ADD, "x")
    rows = list(reversed(audit.list_events(audited)))
    assert [r.username for r in rows[:3]] == ["typed?name?[31m", "he.ping", "he.ping"]
    assert rows[3].username.startswith("os:")
    assert (rows[2].object, rows[2].scope, rows[2].rows, rows[2].exact) == (
        "plan A",
        "province:330000",
        12,
        False,
    )


def test_filters(audited):
    for action in (audit.SIGN_IN, audit.SIGN_IN_FAILED, audit.SCENARIO_SAVE):
        audit.record(audited, action, username="u1")
    audit.record(audited, audit.SIGN_IN, username="u2")
    assert len(audit.list_events(audited)) == 4
    assert {e.action for e in audit.list_events(audited, action="auth.")} == {
        audit.SIGN_IN,
        audit.SIGN_IN_FAILED,
    }
    assert [e.username for e in audit.list_events(audited, action=audit.SIGN_IN)] == ["u2", "u1"]
    assert len(audit.list_events(audited, username="u1")) == 3
    assert len(audit.list_events(audited, limit=2)) == 2
    future = audit.utcnow() + timedelta(minutes=1)
    assert audit.list_events(audited, since=future) == []
    assert len(audit.list_events(audited, action="auth")) == 0  # no dot: an exact action only


def test_a_row_in_a_transaction_rolls_back_with_it(audited):
    with pytest.raises(RuntimeError), audited.begin() as conn:
        audit.record(conn, audit.STORYBOARD_SAVE, "board")
        raise RuntimeError("the save failed")
    assert audit.list_events(audited) == []
    with audited.begin() as conn:
        audit.record(conn, audit.STORYBOARD_SAVE, "board")
    assert [e.object for e in audit.list_events(audited)] == ["board"]


@pytest.mark.parametrize("statement", ["UPDATE audit SET username = 'x'", "DELETE FROM audit"])
def test_sqlite_refuses_to_change_audit_rows(audited, statement):
    audit.record(audited, audit.SIGN_IN, username="u1")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), audited.begin() as conn:
        conn.execute(sa.text(statement))
    assert [e.username for e in audit.list_events(audited)] == ["u1"]
