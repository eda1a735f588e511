"""Password hashes: Argon2id (argon2-cffi's defaults, RFC 9106's second recommendation).

``verify_or_burn`` checks a password against a hash, or, when there is no account, against a fixed
dummy hash, so a sign-in with an unknown user name costs the same time as one with a wrong password.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from access.errors import AccessError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # Argon2 takes any length; a bound keeps a request from costing more than usual

_HASHER = PasswordHasher()


def check_new_password(password: str) -> None:
    """AccessError unless ``password`` is acceptable for a new local account or a change."""
    if len(password) < MIN_LENGTH:
        raise AccessError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise AccessError(f"a password may have at most {MAX_LENGTH} characters")
    if len(set(password)) < 4:
        raise AccessError("a password needs at least 4 different characters")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_or_burn(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; without a hash, the same work is done
    against a dummy hash and the answer is False."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("yipanqi: no such account")
