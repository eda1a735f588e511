"""The principal: who is acting, with which role, over which scope.

The dashboard's gate binds the principal of each request (``bind`` / ``unbind``, a context
variable, so it is per thread and per request); storage modules read it with ``acting`` to write
audit rows without knowing about the web. Outside a request (the command line) no principal is
bound and ``actor_name`` names the operating-system account instead.
"""

from __future__ import annotations

import getpass
from contextvars import ContextVar, Token
from dataclasses import dataclass

from access.roles import Action, Role, allows
from etl.scope import Scope


@dataclass(frozen=True)
class Principal:
    """A signed-in account as the rest of the system sees it."""

    username: str
    role: Role
    scope: Scope

    def may(self, action: Action) -> bool:
        return allows(self.role, action)


_ACTING: ContextVar[Principal | None] = ContextVar("yipanqi_acting_principal", default=None)


def bind(principal: Principal | None) -> Token:
    """Make ``principal`` the acting one in this context; pass the token to ``unbind``."""
    return _ACTING.set(principal)


def unbind(token: Token) -> None:
    _ACTING.reset(token)


def acting() -> Principal | None:
    """The principal bound to this request, or None outside a request."""
    return _ACTING.get()


def actor_name() -> str:
    """The acting principal's user name, or ``os:<login>`` for the command line."""
    principal = acting()
    if principal is not None:
        return principal.username
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        return "os:unknown"
