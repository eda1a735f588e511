"""``yipanqi alerts``: the early-warning alerts (预警监测) of one period as a file.

``yipanqi alerts --period P --out F.xlsx|F.csv [--as ACCOUNT]``: every alert of the rules of
``etl/alerts.toml`` (or ``YIPANQI_ALERTS``) for the period, most severe first, with the reason in
Chinese and English and the link to the area's page (``etl.alerts``). The XLSX carries Chinese and
English headers (``etl.alerts_export``). Small cells' numbers are blank; the export writes one
audit row. ``--as`` names the account it is made for (enabled, allowed data exports): its scope
limits the rows, as on the web.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from yipanqi.export_cli import AsOption, principal_for
from yipanqi.options import CommandError, StoreOption, console, open_store_or_exit, store_failures


def register(app: typer.Typer) -> None:
    """Add the ``alerts`` command to the root app."""
    app.command("alerts")(alerts_command)


def alerts_command(
    period: Annotated[str, typer.Option("--period", help="YYYY-MM, a period of the store.")],
    out: Annotated[Path, typer.Option("--out", help="File to write: .xlsx or .csv.")],
    store: StoreOption = None,
    as_account: AsOption = None,
) -> None:
    """Early-warning alerts of one period (missing and late reports, coverage under target or
    dropping, unusual inflow, origin-destination mismatches), small cells suppressed."""
    from dashboard.export.audit import record_export
    from etl.alerts_export import FORMATS, alerts_export, write_alerts
    from etl.marts import periods
    from etl.scope import NATION

    if out.suffix.lower() not in FORMATS:
        raise CommandError(f"--out must end in {' or '.join(FORMATS)}, not {out.name!r}")
    engine = open_store_or_exit(
        store, check=("coverage", "flows", "units", "feed_reports", "record_events")
    )
    try:
        with store_failures(store):
            principal = principal_for(engine, as_account, exact=False)
            scope = principal.scope if principal else NATION
            available = periods(engine, scope=scope)
            if period not in available:
                span = f"{available[0]}..{available[-1]}" if available else "none"
                raise CommandError(f"--period {period!r} is not a period of the store ({span})")
            made_at = datetime.now(UTC).isoformat(timespec="seconds")
            export = alerts_export(engine, period, scope=scope, made_at=made_at)
            files = write_alerts(export, out)
            params = {"period": period, "scope": scope}
            record_export(
                engine, "alerts", params, rows=len(export.alerts), out=out, principal=principal
            )
    finally:
        engine.dispose()
    for path in files:
        console.print(f"wrote {escape(str(path))}")
