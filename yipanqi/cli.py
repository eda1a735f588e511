"""The ``yipanqi`` command: the scriptable face of the product.

Each command group lives in its own module and registers itself on the root app.
"""

from __future__ import annotations

import typer

from yipanqi import (
    audit_cli,
    etl_cli,
    export_cli,
    generate_cli,
    geodata_cli,
    scenario_cli,
    serve_cli,
    store_cli,
    story_cli,
    users_cli,
)

_ = export_cli  # adds `export flows|coverage|map|layer` to etl_cli.export_app on import

app = typer.Typer(
    help="一盘棋 Yipanqi: floating-population flows and service coverage.",
    no_args_is_help=True,
    add_completion=False,
)
geodata_cli.register(app)
etl_cli.register(app)
generate_cli.register(app)
scenario_cli.register(app)
story_cli.register(app)
users_cli.register(app)
audit_cli.register(app)
serve_cli.register(app)
store_cli.register(app)


def main() -> None:
    app()
