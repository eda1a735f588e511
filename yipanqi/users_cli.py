"""Account commands: ``yipanqi users add | list | set | passwd | disable | enable``.

Passwords are read with a prompt that does not echo (twice, to confirm), or from standard input
with ``--password-stdin`` (first line; for scripts). They never appear on the command line, in a
message or in the audit table. Every change is audited under the operating-system account that
ran the command (``os:<login>``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from yipanqi.options import StoreOption, console, open_store_or_exit

users_app = typer.Typer(
    help="Sign-in accounts: add, list, change role or scope, set a password, disable, enable.",
    no_args_is_help=True,
)

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]


def register(app: typer.Typer) -> None:
    """Add the ``users`` group to the root app."""
    app.add_typer(users_app, name="users")


@users_app.command("add")
def add_command(
    username: Annotated[str, typer.Argument(help="User name (letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option(help="viewer, planner, analyst or steward.")] = "viewer",
    scope: Annotated[
        str,
        typer.Option(help="nation, region:CODE, province:320000 or prefecture:320200."),
    ] = "nation",
    ldap: Annotated[
        bool,
        typer.Option("--ldap", help="Signs in through the directory (no password kept here)."),
    ] = False,
    display_name: Annotated[str, typer.Option("--display-name", help="Shown to stewards.")] = "",
    password_stdin: PasswordStdin = False,
    store: StoreOption = None,
) -> None:
    """Add an account with its role and scope."""
    from access.accounts import add_account

    password = None if ldap else _password(password_stdin)
    engine = open_store_or_exit(store, create=True)  # accounts may come before the first load
    account = add_account(
        engine,
        username,
        role,
        scope,
        password=password,
        auth="ldap" if ldap else "local",
        display_name=display_name,
    )
    console.print(f"added {account.username}: {account.role}, {account.scope}, {account.auth}")


@users_app.command("list")
def list_command(store: StoreOption = None) -> None:
    """Every account with its role, scope, sign-in kind and state."""
    from access.accounts import list_accounts
    from access.audit import utcnow

    now = utcnow()
    table = Table("user", "name", "role", "scope", "sign-in", "state", "changed (UTC)")
    for a in list_accounts(open_store_or_exit(store)):
        state = "disabled" if a.disabled else "locked" if a.locked(now) else "active"
        table.add_row(
            a.username, escape(a.display_name), str(a.role), str(a.scope), a.auth, state,
            f"{a.changed_at:%Y-%m-%d %H:%M}",
        )  # fmt: skip
    console.print(table)


@users_app.command("set")
def set_command(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str | None, typer.Option(help="A new role.")] = None,
    scope: Annotated[str | None, typer.Option(help="A new scope.")] = None,
    display_name: Annotated[str | None, typer.Option("--display-name")] = None,
    store: StoreOption = None,
) -> None:
    """Change an account's role, scope or display name (its open sessions end)."""
    from access.accounts import change_account

    engine = open_store_or_exit(store)
    change_account(engine, username, role=role, scope=scope, display_name=display_name)
    console.print(f"changed {username}")


@users_app.command("passwd")
def passwd_command(
    username: Annotated[str, typer.Argument()],
    password_stdin: PasswordStdin = False,
    store: StoreOption = None,
) -> None:
    """Set a local account's password (ends its sessions and any lock-out)."""
    from access.accounts import set_password

    engine = open_store_or_exit(store)
    password = _password(password_stdin)
    set_password(engine, username, password)
    console.print(f"password of {username} changed")


@users_app.command("disable")
def disable_command(username: Annotated[str, typer.Argument()], store: StoreOption = None) -> None:
    """Disable an account: it cannot sign in and its sessions end at their next request."""
    from access.accounts import set_disabled

    engine = open_store_or_exit(store)
    set_disabled(engine, username, True)
    console.print(f"disabled {username}")


@users_app.command("enable")
def enable_command(username: Annotated[str, typer.Argument()], store: StoreOption = None) -> None:
    """Enable a disabled account again (and lift a lock-out)."""
    from access.accounts import set_disabled

    engine = open_store_or_exit(store)
    set_disabled(engine, username, False)
    console.print(f"enabled {username}")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
