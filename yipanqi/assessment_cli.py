"""``yipanqi assessment``: the ranked two-way assessment (双向考核) of one period as a file.

``yipanqi assessment --period P --level county|prefecture|province --out F.xlsx|F.csv
[--as ACCOUNT]``: every unit of the level scored as an origin and as a destination against the
targets in force for the period (``etl.targets``), ranked within its province and its region,
with the change since the previous period, and who owes whom between provinces
(``etl.assessment``). The XLSX carries Chinese and English headers (``etl.assessment_export``).
Small cells are suppressed; the export writes one audit row. ``--as`` names the account it is
made for (enabled, allowed data exports): its scope limits the rows, as on the web.
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
    """Add the ``assessment`` command to the root app."""
    app.command("assessment")(assessment_command)


def assessment_command(
    period: Annotated[str, typer.Option("--period", help="YYYY-MM, a period of the store.")],
    out: Annotated[Path, typer.Option("--out", help="File to write: .xlsx or .csv.")],
    level: Annotated[
        str, typer.Option("--level", help="county, prefecture or province.")
    ] = "county",
    store: StoreOption = None,
    as_account: AsOption = None,
) -> None:
    """Ranked two-way assessment of one period (origin and destination scores, ranks within
    province and region, change since the previous period) and who owes whom, small cells
    suppressed."""
    from dashboard.export.audit import record_export
    from etl.assessment import ASSESSMENT_LEVELS
    from etl.assessment_export import FORMATS, assessment_export, write_assessment
    from etl.marts import periods
    from etl.scope import NATION

    if level not in ASSESSMENT_LEVELS:
        raise CommandError(f"--level must be one of {', '.join(ASSESSMENT_LEVELS)}, not {level!r}")
    if out.suffix.lower() not in FORMATS:
        raise CommandError(f"--out must end in {' or '.join(FORMATS)}, not {out.name!r}")
    engine = open_store_or_exit(store, check=("coverage", "flows", "units"))
    try:
        with store_failures(store):
            principal = principal_for(engine, as_account, exact=False)
            scope = principal.scope if principal else NATION
            available = periods(engine, scope=scope)
            if period not in available:
                span = f"{available[0]}..{available[-1]}" if available else "none"
                raise CommandError(f"--period {period!r} is not a period of the store ({span})")
            made_at = datetime.now(UTC).isoformat(timespec="seconds")
            export = assessment_export(engine, period, level, scope=scope, made_at=made_at)
            files = write_assessment(export, out)
            rows = len(export.assessment) + len(export.owed)
            params = {"period": period, "level": level, "scope": scope}
            record_export(engine, "assessment", params, rows=rows, out=out, principal=principal)
    finally:
        engine.dispose()
    for path in files:
        console.print(f"wrote {escape(str(path))}")
