"""ETL commands: generate, ingest, runs, export (filled in by the ETL issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ETL commands to the root app."""
