"""Settings read once from the environment at an entry point (``app.py`` or ``yipanqi``).

- ``YIPANQI_DATA_DIR``: where caches, the default SQLite store and demo data live
  (default: ``$XDG_DATA_HOME/yipanqi`` or ``~/.local/share/yipanqi``).
- ``YIPANQI_STORE_URL``: SQLAlchemy URL of the store (default: a SQLite file in the data directory).
- ``YIPANQI_REGIONS``: path of the collaboration-region / pilot file (default: the packaged one).
- ``YIPANQI_TARGETS``: path of the target file (targets per indicator per year, assessment weights;
  default: the packaged ``etl/targets.toml``), installed for the process by ``install_targets``.
- ``YIPANQI_ALERTS``: path of the early-warning rule file (thresholds; default: the packaged
  ``etl/alerts.toml``), installed with the targets by ``install_targets``.
- ``YIPANQI_HASH_KEY``: secret key for pseudonymising national ID numbers (never in the repo).
- ``YIPANQI_FIRST_PERIOD`` and ``YIPANQI_LAST_PERIOD`` (``YYYY-MM``): the reporting window; an
  ingest quarantines a record whose period is outside it (default: from the programme's first
  reporting month, 2009-01, to the month of the run's date).

Sign-in and serving (see docs/deploy.md):

- ``YIPANQI_TLS``: ``1`` when users reach the service over HTTPS (a proxy terminates TLS): session
  cookies are ``Secure`` and responses carry HSTS.
- ``YIPANQI_PROXIES``: how many reverse proxies (nginx) stand in front; their ``X-Forwarded-For``
  and ``X-Forwarded-Proto`` are trusted (default 0: none).
- ``YIPANQI_SESSION_IDLE_MINUTES`` (default 30) and ``YIPANQI_SESSION_MAX_HOURS`` (default 12):
  a session ends after that long without a request, or that long after sign-in.
- ``YIPANQI_SECRET_KEY``: the key that signs CSRF tokens (default: a random key kept in
  ``<data dir>/secret_key``, mode 0600).
- ``YIPANQI_LDAP_URL`` (``ldap://host:389`` or ``ldaps://host:636``) turns on directory sign-in,
  with ``YIPANQI_LDAP_BASE_DN`` (required), ``YIPANQI_LDAP_USER_FILTER`` (default
  ``(uid={username})``), ``YIPANQI_LDAP_BIND_DN`` / ``YIPANQI_LDAP_BIND_PASSWORD`` (the account
  that searches; anonymous without), ``YIPANQI_LDAP_GROUP_DN`` (members only), ``YIPANQI_LDAP_STARTTLS``
  (``1``) and ``YIPANQI_LDAP_CA_FILE``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from access.ldap import LdapConfig
from etl.alerts import load_alerts, use_alerts
from etl.dates import PeriodWindow
from etl.records import FIRST_REPORTING_PERIOD
from etl.targets import load_targets, use_targets


class SettingsError(ValueError):
    """An environment variable has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    store_url: str
    regions_path: Path | None
    hash_key: str | None
    tls: bool = False
    proxies: int = 0
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    secret_key: str | None = None
    ldap: LdapConfig | None = None
    first_period: str = FIRST_REPORTING_PERIOD
    last_period: str | None = None
    targets_path: Path | None = None

    @property
    def geodata_dir(self) -> Path:
        return self.data_dir / "geodata"

    @property
    def session_dir(self) -> Path:
        """Server-side sessions (one file each, mode 0600), shared by the server's workers."""
        return self.data_dir / "sessions"


def default_data_dir(env: Mapping[str, str]) -> Path:
    home = env.get("HOME") or str(Path.home())
    base = env.get("XDG_DATA_HOME") or str(Path(home) / ".local" / "share")
    return Path(base) / "yipanqi"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``env`` (default: ``os.environ``); SettingsError for an unusable value."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("YIPANQI_DATA_DIR") or default_data_dir(env)).expanduser().resolve()
    store_url = env.get("YIPANQI_STORE_URL") or f"sqlite:///{data_dir / 'yipanqi.sqlite'}"
    regions = env.get("YIPANQI_REGIONS")
    first_period, last_period = _window(env)
    return Settings(
        data_dir=data_dir,
        store_url=store_url,
        regions_path=Path(regions).expanduser() if regions else None,
        hash_key=env.get("YIPANQI_HASH_KEY") or None,
        tls=_flag(env, "YIPANQI_TLS"),
        proxies=_whole(env, "YIPANQI_PROXIES", 0, low=0),
        session_idle_minutes=_whole(env, "YIPANQI_SESSION_IDLE_MINUTES", 30, low=1),
        session_max_hours=_whole(env, "YIPANQI_SESSION_MAX_HOURS", 12, low=1),
        secret_key=env.get("YIPANQI_SECRET_KEY") or None,
        ldap=_ldap(env),
        first_period=first_period,
        last_period=last_period,
        targets_path=_targets_path(env),
    )


def _targets_path(env: Mapping[str, str]) -> Path | None:
    path = env.get("YIPANQI_TARGETS")
    return Path(path).expanduser() if path else None


def install_targets(env: Mapping[str, str] | None = None) -> None:
    """Read the target file of ``YIPANQI_TARGETS`` (default: the packaged one), validate it and
    install it as the targets every page, narrative and export looks up
    (``etl.targets.use_targets``); TargetConfigError naming the file, line and key if malformed.
    The early-warning rules of ``YIPANQI_ALERTS`` likewise (``etl.alerts.use_alerts``;
    AlertConfigError)."""
    env = os.environ if env is None else env
    use_targets(load_targets(_targets_path(env)))
    alerts = env.get("YIPANQI_ALERTS")
    use_alerts(load_alerts(Path(alerts).expanduser() if alerts else None))


def _window(env: Mapping[str, str]) -> tuple[str, str | None]:
    """``YIPANQI_FIRST_PERIOD`` (default 2009-01) and ``YIPANQI_LAST_PERIOD`` (default: None, the
    month of each run's date), checked."""
    first = (env.get("YIPANQI_FIRST_PERIOD") or FIRST_REPORTING_PERIOD).strip()
    last = (env.get("YIPANQI_LAST_PERIOD") or "").strip() or None
    for name, value in (("YIPANQI_FIRST_PERIOD", first), ("YIPANQI_LAST_PERIOD", last or first)):
        try:
            PeriodWindow(value, value)
        except ValueError:
            raise SettingsError(f"{name} must be a month YYYY-MM, not {value!r}") from None
    try:
        PeriodWindow(first, last or first)
    except ValueError as exc:
        raise SettingsError(f"YIPANQI_FIRST_PERIOD and YIPANQI_LAST_PERIOD: {exc}") from None
    return first, last


def _ldap(env: Mapping[str, str]) -> LdapConfig | None:
    url = env.get("YIPANQI_LDAP_URL")
    if not url:
        return None
    if not url.lower().startswith(("ldap://", "ldaps://")):
        raise SettingsError(f"YIPANQI_LDAP_URL must start with ldap:// or ldaps://, not {url!r}")
    base_dn = env.get("YIPANQI_LDAP_BASE_DN")
    if not base_dn:
        raise SettingsError("YIPANQI_LDAP_URL is set but YIPANQI_LDAP_BASE_DN is not")
    user_filter = env.get("YIPANQI_LDAP_USER_FILTER") or "(uid={username})"
    if "{username}" not in user_filter:
        raise SettingsError("YIPANQI_LDAP_USER_FILTER must contain {username}")
    return LdapConfig(
        url=url,
        base_dn=base_dn,
        user_filter=user_filter,
        bind_dn=env.get("YIPANQI_LDAP_BIND_DN") or None,
        bind_password=env.get("YIPANQI_LDAP_BIND_PASSWORD") or None,
        group_dn=env.get("YIPANQI_LDAP_GROUP_DN") or None,
        start_tls=_flag(env, "YIPANQI_LDAP_STARTTLS"),
        ca_file=env.get("YIPANQI_LDAP_CA_FILE") or None,
    )


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = (env.get(name) or "0").strip().lower()
    if value not in ("0", "1", "true", "false", "yes", "no"):
        raise SettingsError(f"{name} must be 1 or 0, not {value!r}")
    return value in ("1", "true", "yes")


def _whole(env: Mapping[str, str], name: str, default: int, low: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if number < low:
        raise SettingsError(f"{name} must be a whole number of at least {low}, not {value!r}")
    return number
