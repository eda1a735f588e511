"""Roles and actions: the order of roles decides, and the table names every action."""

from __future__ import annotations

import pytest

from access.errors import AccessError
from access.principal import Principal, acting, actor_name, bind, unbind
from access.roles import MINIMAL_ROLE, Action, Role, allows, parse_role
from etl.scope import NATION

ORDER = ["viewer", "planner", "analyst", "steward"]

# What the brief says each role may do (beyond the roles below it), written out independently.
EXPECTED = {
    "viewer": {"view", "export.slides", "export.map"},  # maps and slides of its scope
    "planner": {"scenario.write", "storyboard.write"},
    "analyst": {"export.data"},
    "steward": {"export.exact", "ingest", "users.manage"},
}


def test_every_action_has_a_minimal_role():
    assert set(MINIMAL_ROLE) == set(Action)


@pytest.mark.parametrize("role", ORDER)
def test_a_role_may_do_its_own_and_every_lower_roles_actions(role):
    may = set().union(*(EXPECTED[r] for r in ORDER[: ORDER.index(role) + 1]))
    assert {a.value for a in Action if allows(Role(role), a)} == may


def test_parse_role_is_case_blind_and_names_the_choices():
    assert parse_role(" Planner ") is Role.PLANNER
    with pytest.raises(AccessError, match="viewer, planner, analyst, steward"):
        parse_role("admin")


def test_the_acting_principal_is_bound_per_context():
    assert acting() is None
    assert actor_name().startswith("os:")
    principal = Principal("wang", Role.VIEWER, NATION)
    token = bind(principal)
    try:
        assert acting() == principal and actor_name() == "wang"
        assert principal.may(Action.VIEW) and not principal.may(Action.SAVE_SCENARIO)
    finally:
        unbind(token)
    assert acting() is None
