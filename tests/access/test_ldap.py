"""Directory sign-in against the real OpenLDAP of ``scripts/start-ldap.sh`` (tests/access/directory.ldif:
lin.planner is in the group yipanqi-users, zhao.viewer is not)."""

from __future__ import annotations

import dataclasses

import pytest

from access import accounts, audit
from access.errors import DirectoryUnavailable, SignInFailed
from access.ldap import ldap_authenticate
from access.signin import sign_in
from tests.access.conftest import LDAP_GROUP, LDAP_PEOPLE

pytestmark = pytest.mark.ldap


def test_the_right_password_binds(ldap_config):
    for name, password in LDAP_PEOPLE.items():
        assert ldap_authenticate(ldap_config, name, password)


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("lin.planner", "wrong"),
        ("lin.planner", ""),  # an empty password would be an anonymous bind
        ("nobody", "planner-pass-2026"),
        ("*", "planner-pass-2026"),  # escaped: no wildcard search
        ("lin.planner)(uid=*", "planner-pass-2026"),
    ],
)
def test_wrong_passwords_and_unknown_people_do_not(ldap_config, name, password):
    assert not ldap_authenticate(ldap_config, name, password)


def test_a_group_admits_its_members_only(ldap_config):
    config = dataclasses.replace(ldap_config, group_dn=LDAP_GROUP)
    assert ldap_authenticate(config, "lin.planner", LDAP_PEOPLE["lin.planner"])
    assert not ldap_authenticate(config, "zhao.viewer", LDAP_PEOPLE["zhao.viewer"])


def test_anonymous_search_finds_nobody_in_this_directory(ldap_config):
    config = dataclasses.replace(ldap_config, bind_dn=None, bind_password=None)
    assert not ldap_authenticate(config, "lin.planner", LDAP_PEOPLE["lin.planner"])


def test_a_refused_service_account_or_a_dead_server_is_unavailable(ldap_config):
    with pytest.raises(DirectoryUnavailable):
        ldap_authenticate(
            dataclasses.replace(ldap_config, bind_password="wrong"), "lin.planner", "x1"
        )
    with pytest.raises(DirectoryUnavailable):
        ldap_authenticate(
            dataclasses.replace(ldap_config, url="ldap://127.0.0.1:9", timeout=1),
            "lin.planner",
            "x1",
        )


def test_sign_in_takes_role_and_scope_from_the_local_account(engine, ldap_config):
    accounts.add_account(engine, "lin.planner", "planner", "province:320000", auth="ldap")
    principal = sign_in(engine, "lin.planner", LDAP_PEOPLE["lin.planner"], ldap=ldap_config)
    assert (str(principal.role), str(principal.scope)) == ("planner", "province:320000")
    assert audit.list_events(engine, action=audit.SIGN_IN)[0].detail == "ldap"


def test_sign_in_refuses_without_or_with_a_disabled_local_account(engine, ldap_config):
    with pytest.raises(SignInFailed, match="unknown account"):
        sign_in(engine, "zhao.viewer", LDAP_PEOPLE["zhao.viewer"], ldap=ldap_config)
    accounts.add_account(engine, "zhao.viewer", "viewer", "nation", auth="ldap")
    accounts.set_disabled(engine, "zhao.viewer", True)
    with pytest.raises(SignInFailed, match="disabled"):
        sign_in(engine, "zhao.viewer", LDAP_PEOPLE["zhao.viewer"], ldap=ldap_config)


def test_wrong_directory_passwords_count_towards_the_lock_out(engine, ldap_config):
    from access.signin import SignInPolicy

    accounts.add_account(engine, "lin.planner", "planner", "nation", auth="ldap")
    policy = SignInPolicy(max_failures=2)
    for _ in range(2):
        with pytest.raises(SignInFailed, match="wrong password"):
            sign_in(engine, "lin.planner", "wrong", ldap=ldap_config, policy=policy)
    with pytest.raises(SignInFailed, match="locked"):
        sign_in(engine, "lin.planner", LDAP_PEOPLE["lin.planner"], ldap=ldap_config, policy=policy)


def test_a_dead_directory_is_not_the_users_fault(engine, ldap_config):
    accounts.add_account(engine, "lin.planner", "planner", "nation", auth="ldap")
    dead = dataclasses.replace(ldap_config, url="ldap://127.0.0.1:9", timeout=1)
    with pytest.raises(SignInFailed) as refused:
        sign_in(engine, "lin.planner", LDAP_PEOPLE["lin.planner"], ldap=dead)
    assert refused.value.unavailable
    assert accounts.get_account(engine, "lin.planner").failed_attempts == 0
