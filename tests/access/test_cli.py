"""``yipanqi users`` and ``yipanqi audit``: the commands, their audit rows, and one-line errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from rich.console import Console
from typer.testing import CliRunner

from access import accounts, audit
from etl.store import open_store
from tests.access.conftest import PASSWORD
from yipanqi import audit_cli, users_cli
from yipanqi.cli import app

runner = CliRunner()


@pytest.fixture
def store(tmp_path, monkeypatch, sqlite_url) -> str:
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YIPANQI_STORE_URL", raising=False)
    for module in (users_cli, audit_cli):
        monkeypatch.setattr(module, "console", Console(width=250))
    open_store(sqlite_url, create=True).dispose()  # accounts are kept in the store
    return sqlite_url


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_add_list_set_passwd_disable_enable(store):
    added = invoke("users", "add", "li.wei", "--role", "planner", "--scope", "province:320000",
                   "--password-stdin", "--store", store, stdin=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "li.wei: planner, province:320000, local" in added.output
    assert invoke("users", "add", "lin", "--ldap", "--store", store).exit_code == 0
    listed = invoke("users", "list", "--store", store)
    assert "li.wei" in listed.output and "lin" in listed.output and "ldap" in listed.output
    assert invoke("users", "set", "li.wei", "--role", "analyst", "--store", store).exit_code == 0
    changed = invoke(
        "users",
        "passwd",
        "li.wei",
        "--password-stdin",
        "--store",
        store,
        stdin="new long passphrase\n",
    )
    assert changed.exit_code == 0
    assert invoke("users", "disable", "li.wei", "--store", store).exit_code == 0
    assert "disabled" in invoke("users", "list", "--store", store).output
    assert invoke("users", "enable", "li.wei", "--store", store).exit_code == 0
    engine = open_store(store)
    account = accounts.get_account(engine, "li.wei")
    assert (str(account.role), account.disabled) == ("analyst", False)
    actions = [e.action for e in reversed(audit.list_events(engine, action="user."))]
    assert actions == [
        "user.add",
        "user.add",
        "user.change",
        "user.password",
        "user.disable",
        "user.enable",
    ]


def test_the_password_prompt_asks_twice_and_never_echoes(store):
    result = invoke("users", "add", "li.wei", "--store", store, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    mismatch = invoke(
        "users", "add", "wang", "--store", store, stdin=f"{PASSWORD}\nother one\n" * 3
    )
    assert mismatch.exit_code != 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "x y", "--password-stdin"), "not valid"),
        (("users", "add", "ok", "--role", "king", "--password-stdin"), "unknown role"),
        (("users", "add", "ok", "--scope", "city:1", "--password-stdin"), "unknown scope level"),
        (("users", "disable", "nobody"), "no account named"),
        (("audit", "--since", "yesterday"), "give a date"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(store, args, message):
    result = invoke(*args, "--store", store, stdin=PASSWORD + "\n")
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_audit_lists_newest_first_with_filters(store):
    engine = open_store(store)
    accounts.add_account(engine, "li.wei", "viewer", "nation", password=PASSWORD)
    audit.record(engine, audit.SIGN_IN_FAILED, username="li.wei", detail="wrong password")
    table = invoke("audit", "--store", store)
    assert (
        table.exit_code == 0
        and "auth.sign_in_failed" in table.output
        and "user.add" in table.output
    )
    lines = invoke("audit", "--json", "--action", "auth.", "--store", store).output.splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["auth.sign_in_failed"]
    assert (
        invoke("audit", "--json", "--since", "1d", "--user", "nobody", "--store", store).output
        == ""
    )


def test_since_reads_dates_times_and_ages():
    now = datetime(2026, 11, 2, 12, 0)
    assert audit_cli.parse_since("7d", now) == now - timedelta(days=7)
    assert audit_cli.parse_since("30m", now) == now - timedelta(minutes=30)
    assert audit_cli.parse_since("2026-11-01", now) == datetime(2026, 11, 1)
    assert audit_cli.parse_since("2026-11-01T08:30", now) == datetime(2026, 11, 1, 8, 30)


def test_grant_app_role_needs_postgres(store):
    result = invoke("audit", "grant-app-role", "yipanqi_app", "--store", store)
    assert result.exit_code == 2 and "PostgreSQL only" in result.output
