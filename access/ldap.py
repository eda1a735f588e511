"""Password check against the intranet directory (LDAP, with ldap3): find the person's entry, then
bind as that entry with the typed password.

1. Bind as the service account (``bind_dn``; anonymously when none is configured) and search
   ``base_dn`` with ``user_filter`` (``{username}`` is replaced by the escaped user name) for
   exactly one entry.
2. If ``group_dn`` is set, that group must list the entry as ``member`` or ``uniqueMember``.
3. Bind as the entry's DN with the password: success means the password is right.

The directory only proves who someone is. Role and scope come from the local account row
(``access.accounts``, auth ``ldap``): the directory's groups differ between provinces, and a
steward decides who sees what. An empty password is refused before any bind (many directories
treat a simple bind with an empty password as an anonymous bind that "succeeds").
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from access.errors import DirectoryUnavailable


@dataclass(frozen=True)
class LdapConfig:
    """Where and how to check directory passwords (``yipanqi.settings`` reads it from
    ``YIPANQI_LDAP_*``)."""

    url: str  # ldap://host:389 or ldaps://host:636
    base_dn: str
    user_filter: str = "(uid={username})"  # Active Directory: (sAMAccountName={username})
    bind_dn: str | None = None
    bind_password: str | None = None
    group_dn: str | None = None
    start_tls: bool = False
    ca_file: str | None = None
    timeout: int = 5  # seconds (ldap3 packs it into a socket option: whole seconds)


def ldap_authenticate(config: LdapConfig, username: str, password: str) -> bool:
    """True when the directory accepts ``password`` for ``username`` (and, if configured, the
    person is in the group); False otherwise. DirectoryUnavailable when the directory cannot be
    asked (down, TLS failure, the service account refused)."""
    if not password:
        return False
    server = _server(config)
    try:
        with _connection(config, server, config.bind_dn, config.bind_password) as conn:
            dn = _find_dn(conn, config, username)
            if dn is None or (config.group_dn and not _in_group(conn, config.group_dn, dn)):
                return False
    except LDAPException as exc:
        raise DirectoryUnavailable(f"directory search failed: {type(exc).__name__}") from exc
    try:
        user = _connection(config, server, dn, password, bind=False)
        try:
            if config.start_tls:
                user.start_tls()
            return bool(user.bind())
        finally:
            user.unbind()
    except LDAPException as exc:
        raise DirectoryUnavailable(f"directory bind failed: {type(exc).__name__}") from exc


def _server(config: LdapConfig) -> ldap3.Server:
    tls = None
    if config.url.lower().startswith("ldaps://") or config.start_tls:
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file)
    return ldap3.Server(config.url, connect_timeout=config.timeout, tls=tls, get_info=ldap3.NONE)


def _connection(
    config: LdapConfig,
    server: ldap3.Server,
    user: str | None,
    password: str | None,
    bind: bool = True,
) -> ldap3.Connection:
    auto_bind: str | bool = False
    if bind:
        auto_bind = ldap3.AUTO_BIND_TLS_BEFORE_BIND if config.start_tls else ldap3.AUTO_BIND_NO_TLS
    return ldap3.Connection(
        server,
        user=user,
        password=password,
        auto_bind=auto_bind,
        read_only=True,
        receive_timeout=config.timeout,
        raise_exceptions=False,
    )


def _find_dn(conn: ldap3.Connection, config: LdapConfig, username: str) -> str | None:
    query = config.user_filter.format(username=escape_filter_chars(username))
    conn.search(config.base_dn, query, ldap3.SUBTREE, attributes=[], size_limit=2)
    entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
    return entries[0]["dn"] if len(entries) == 1 else None


def _in_group(conn: ldap3.Connection, group_dn: str, dn: str) -> bool:
    value = escape_filter_chars(dn)
    conn.search(group_dn, f"(|(member={value})(uniqueMember={value}))", ldap3.BASE, attributes=[])
    return any(e.get("type") == "searchResEntry" for e in conn.response or [])
