"""One audit row per export (``access.audit``): who, what, scope, suppressed or exact, rows.

*What* is the action ``export.<kind>`` (flows, coverage, layer, map, pack, scenario) and the
parameters as ``key=value`` pairs in ``detail``; the file's name is the row's ``object``. *Who*
is the principal: on the web the one of the server session (bound by the gate, never a page
input), on the command line the account named by ``--as`` or else the operating-system user;
the operating-system user is always in ``detail`` for a command-line export.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from pathlib import Path

import flask
import sqlalchemy as sa

from access import audit
from access.principal import Principal, acting
from access.tables import ensure_tables


def record_export(
    engine: sa.Engine,
    kind: str,
    params: Mapping[str, object],
    *,
    rows: int | None,
    exact: bool = False,
    out: str | Path = "",
    principal: Principal | None = None,
) -> None:
    """Append the audit row of one export of ``kind`` (rows: data rows written, None for a map).
    Outside a web request (the command line) ``detail`` also names the operating-system user."""
    detail = " ".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    if not flask.has_request_context():
        detail = f"{detail} os_user={os_user()}".strip()
    ensure_tables(engine)  # a store made before the audit table
    audit.record(
        engine,
        f"export.{kind}",
        Path(out).name if out else "",
        principal=principal or acting(),
        detail=detail,
        rows=rows,
        exact=exact,
    )


def os_user() -> str:
    """The operating-system account running the command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        return "unknown"
