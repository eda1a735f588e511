"""``yipanqi serve``'s gunicorn command line, the sign-in settings from the environment, and the
first-start account."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from access import accounts
from access.signin import sign_in
from etl.store import open_store
from yipanqi.first_start import FIRST_ACCOUNT, ensure_first_account
from yipanqi.serve_cli import gunicorn_argv
from yipanqi.settings import SettingsError, load_settings


def test_serve_runs_gunicorn_threaded_and_preloaded():
    argv = gunicorn_argv("127.0.0.1", 8050, 2, 4, 120)
    assert argv[1:3] == ["-m", "gunicorn"] and argv[-1] == "app:server"
    options = dict(zip(argv[3:-1:2], argv[4:-1:2], strict=False))
    assert options["--worker-class"] == "gthread" and "--preload" in argv
    assert (options["--workers"], options["--threads"], options["--bind"]) == (
        "2",
        "4",
        "127.0.0.1:8050",
    )
    assert (
        gunicorn_argv("::1", 8050, 1, 1, 60)[
            gunicorn_argv("::1", 8050, 1, 1, 60).index("--bind") + 1
        ]
        == "[::1]:8050"
    )


def test_security_settings_from_the_environment(tmp_path):
    env = {
        "YIPANQI_DATA_DIR": str(tmp_path),
        "YIPANQI_TLS": "1",
        "YIPANQI_PROXIES": "1",
        "YIPANQI_SESSION_IDLE_MINUTES": "15",
        "YIPANQI_LDAP_URL": "ldaps://dir.example.gov:636",
        "YIPANQI_LDAP_BASE_DN": "dc=example,dc=gov",
        "YIPANQI_LDAP_USER_FILTER": "(sAMAccountName={username})",
        "YIPANQI_LDAP_GROUP_DN": "cn=planners,dc=example,dc=gov",
    }
    settings = load_settings(env)
    assert (
        settings.tls,
        settings.proxies,
        settings.session_idle_minutes,
        settings.session_max_hours,
    ) == (True, 1, 15, 12)
    assert settings.session_dir == tmp_path / "sessions"
    assert settings.ldap.url == "ldaps://dir.example.gov:636"
    assert settings.ldap.user_filter == "(sAMAccountName={username})"
    assert settings.ldap.group_dn.startswith("cn=planners") and settings.ldap.bind_dn is None
    assert load_settings({"YIPANQI_DATA_DIR": str(tmp_path)}).ldap is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"YIPANQI_TLS": "maybe"}, "YIPANQI_TLS must be 1 or 0"),
        ({"YIPANQI_SESSION_IDLE_MINUTES": "0"}, "at least 1"),
        ({"YIPANQI_PROXIES": "one"}, "whole number"),
        ({"YIPANQI_LDAP_URL": "http://dir"}, "must start with ldap://"),
        ({"YIPANQI_LDAP_URL": "ldap://dir"}, "YIPANQI_LDAP_BASE_DN is not"),
        (
            {
                "YIPANQI_LDAP_URL": "ldap://d",
                "YIPANQI_LDAP_BASE_DN": "dc=x",
                "YIPANQI_LDAP_USER_FILTER": "(uid=*)",
            },
            "{username}",
        ),
    ],
)
def test_bad_settings_are_one_clear_error(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({"YIPANQI_DATA_DIR": str(tmp_path), **env})


def test_a_fresh_store_gets_one_steward_with_a_private_password_file(tmp_path, capsys):
    settings = load_settings({"YIPANQI_DATA_DIR": str(tmp_path)})
    path = ensure_first_account(settings)
    assert path == tmp_path / "initial-admin-password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = Path(path).read_text().strip()
    assert password in capsys.readouterr().out  # printed once on the console
    engine = open_store(settings.store_url)
    principal = sign_in(engine, FIRST_ACCOUNT, password)
    assert (str(principal.role), str(principal.scope)) == ("steward", "nation")
    assert ensure_first_account(settings) is None  # accounts exist: nothing more
    assert [a.username for a in accounts.list_accounts(engine)] == [FIRST_ACCOUNT]
    assert capsys.readouterr().out == ""
