"""Scenario commands: ``yipanqi scenario run | list | show | delete``.

``run FILE.json --store URL --out DIR`` applies a scenario file (``docs/scenarios.md``) to the
store's period and writes the result files of ``planning.export`` into DIR (small cells suppressed,
one audit row ``export.scenario_run``); ``--save`` also saves the scenario by name in the store.
The command line is the operator's, who holds the store: it reads and saves as the nation (a
scenario saved here is seen on the scenarios page by readers of the nation only).
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from yipanqi.options import StoreOption, console, err, open_store_or_exit
from yipanqi.settings import load_settings

scenario_app = typer.Typer(
    help="What-if scenarios: run a scenario file against the store, list, show or delete saved ones.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``scenario`` group to the root app."""
    app.add_typer(scenario_app, name="scenario")


@scenario_app.command("run")
def run_command(
    file: Annotated[
        Path, typer.Argument(help="Scenario JSON file: name, optional period, levers.")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Directory for coverage.csv, flows.csv, gaps.csv, totals.csv, summary.json.",
        ),
    ],
    store: StoreOption = None,
    save: Annotated[
        bool, typer.Option("--save", help="Also save the scenario by name in the store.")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="With --save: replace a saved scenario of the same name."),
    ] = False,
    author: Annotated[
        str | None, typer.Option(help="Author recorded with --save (default: the login name).")
    ] = None,
    fit: Annotated[
        bool,
        typer.Option(
            "--fit", help="Fit the flow model even if no lever needs it (to report its fit)."
        ),
    ] = False,
) -> None:
    """Apply a scenario file to the store and write the projected results."""
    from dashboard.export.audit import record_export
    from etl.scope import NATION
    from planning.export import write_results
    from planning.levers import Attractiveness
    from planning.model import fit_model, load_baseline
    from planning.scenario import load_scenario_file, run_scenario
    from planning.store import save_scenario

    settings = load_settings()
    engine = open_store_or_exit(store)
    try:
        scenario = load_scenario_file(file)
        baseline = load_baseline(engine, scenario.period, scope=NATION)
        model = None
        if fit or any(
            isinstance(x, Attractiveness) and x.elasticity is None for x in scenario.levers
        ):
            from geodata.points import cached_county_points

            with console.status("fitting the flow model (spint, origin-constrained)"):
                model = fit_model(baseline, cached_county_points(settings.data_dir / "cache"))
            console.print(
                f"model: gamma {model.gamma:.3f}, beta {model.beta:.3f}, pseudo-R² {model.pseudo_r2:.3f}, "
                f"{model.share_within_10pct:.1%} of {model.n_pairs:,} flows within ±10%, fit {model.fit_seconds:.1f} s"
            )
        result = run_scenario(baseline, scenario, model)
        paths = write_results(result, out)
        rows = sum(
            path.read_text(encoding="utf-8").count("\n") - 1
            for path in paths.values() if path.suffix == ".csv"
        )  # fmt: skip
        record_export(
            engine, "scenario_run",
            {"scenario": scenario.name, "period": baseline.period, "scope": NATION},
            rows=rows, out=out,
        )  # fmt: skip
        if save:
            save_scenario(
                engine,
                scenario,
                author if author is not None else _login(),
                baseline.run_id,
                replace,
                scope=NATION,
            )
            console.print(f"saved scenario {escape(repr(scenario.name))}")
    finally:
        engine.dispose()
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")
    console.print(
        f"scenario {escape(repr(scenario.name))} on {baseline.period}: wrote "
        f"{', '.join(p.name for p in paths.values())} to {escape(str(out))}"
    )


@scenario_app.command("list")
def list_command(store: StoreOption = None) -> None:
    """List the saved scenarios, newest first, with the scope each was saved under (the readers
    whose scope holds it see it on the scenarios page)."""
    from etl.scope import NATION
    from planning.store import list_scenarios, scenario_scope

    engine = open_store_or_exit(store)
    try:
        saved = list_scenarios(engine, scope=NATION)
        scopes = [scenario_scope(engine, s.name) for s in saved]
    finally:
        engine.dispose()
    table = Table("name", "period", "levers", "author", "scope", "created (UTC)", "baseline run")
    for s, scope in zip(saved, scopes, strict=True):
        table.add_row(
            escape(s.name),
            s.scenario.period or "latest",
            str(len(s.scenario.levers)),
            escape(s.author),
            str(scope),
            f"{s.created_at:%Y-%m-%d %H:%M:%S}",
            str(s.baseline_run_id or ""),
        )
    console.print(table if saved else "no saved scenarios")


@scenario_app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="Saved scenario name.")], store: StoreOption = None
) -> None:
    """Print a saved scenario as JSON (a file `scenario run` accepts), with who saved it when."""
    from etl.scope import NATION
    from planning.store import get_scenario

    engine = open_store_or_exit(store)
    try:
        saved = get_scenario(engine, name, scope=NATION)
    finally:
        engine.dispose()
    err.print(
        f"author {escape(saved.author or '-')}, created {saved.created_at:%Y-%m-%d %H:%M:%S} UTC, baseline run {saved.baseline_run_id}"
    )
    typer.echo(json.dumps(saved.scenario.to_json(), ensure_ascii=False, indent=2))


@scenario_app.command("delete")
def delete_command(
    name: Annotated[str, typer.Argument(help="Saved scenario name.")], store: StoreOption = None
) -> None:
    """Delete a saved scenario."""
    from etl.scope import NATION
    from planning.store import delete_scenario

    engine = open_store_or_exit(store)
    try:
        delete_scenario(engine, name, scope=NATION)
    finally:
        engine.dispose()
    console.print(f"deleted scenario {escape(repr(name))}")


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
