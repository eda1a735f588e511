"""How the web service signs people in: where sessions live, the signing key, TLS, the sign-in
policy and the directory. Built once at start-up (``app.py`` from ``yipanqi.settings``)."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from access.ldap import LdapConfig
from access.signin import SignInPolicy


@dataclass(frozen=True)
class SecurityConfig:
    """``session_dir`` holds one file per session (mode 0600, directory 0700), shared by the
    server's worker processes; ``secret_key`` signs CSRF tokens; ``tls`` marks cookies Secure and
    adds HSTS; ``proxies`` is how many reverse proxies' ``X-Forwarded-*`` headers to trust."""

    session_dir: Path
    secret_key: str = field(repr=False)
    tls: bool = False
    proxies: int = 0
    policy: SignInPolicy = SignInPolicy()
    ldap: LdapConfig | None = None

    @classmethod
    def ephemeral(cls) -> SecurityConfig:
        """Sessions in a new temporary directory and a random key: nothing survives a restart
        (tests and single-process development)."""
        folder = Path(tempfile.mkdtemp(prefix="yipanqi-sessions-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        return cls(folder, secrets.token_hex(32))


def secret_from_file(path: Path) -> str:
    """The key kept in ``path``; a new random one (written with mode 0600) if there is none."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip()
