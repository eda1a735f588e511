"""The exceptions of the access package."""

from __future__ import annotations


class AccessError(ValueError):
    """An account request that cannot be carried out (bad name, role, scope or password; no such
    account; a name taken)."""


class SignInFailed(Exception):
    """A sign-in was refused. ``reason`` is for the audit table only; users see one generic message
    so that a refusal does not reveal whether an account exists, is disabled or is locked."""

    def __init__(self, reason: str, *, unavailable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unavailable = unavailable  # the directory could not be reached: not the user's fault


class DirectoryUnavailable(Exception):
    """The LDAP directory could not be reached or refused the service account."""
