"""``yipanqi export map`` and ``yipanqi export layer``: print maps and data layers for research centres.

Both add themselves to the ``export`` group of ``yipanqi.etl_cli`` when this module is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yipanqi.etl_cli import export_app
from yipanqi.options import StoreOption, console, err
from yipanqi.settings import load_settings

MeasureOption = Annotated[
    str,
    typer.Option(
        help="inflow, outflow, net, inflow_per_1000 or an indicator flag (cert_verified, ...)."
    ),
]
LevelOption = Annotated[
    str, typer.Option(help="province, prefecture or county (flows: also region).")
]
PeriodOption = Annotated[
    str | None, typer.Option(help="YYYY-MM (default: the latest period in the store).")
]
LangOption = Annotated[str, typer.Option("--lang", help="Labels in zh or en.")]


@export_app.command("map")
def export_map_command(
    out: Annotated[
        list[Path],
        typer.Option(
            "--out",
            help="File to write: .png (300 dpi, A4), .svg or .pdf; repeat to draw once, write several.",
        ),
    ],
    store: StoreOption = None,
    measure: MeasureOption = "cert_verified",
    level: LevelOption = "prefecture",
    period: PeriodOption = None,
    lang: LangOption = "zh",
) -> None:
    """A national map for print: title, legend, source, lineage, date, the 南海诸岛 inset, CJK font embedded."""
    from dashboard.export.maps import export_maps
    from dashboard.export.source import MapView

    _run(
        lambda layers, url: export_maps(layers, url, out, MapView(measure, level, period, lang)),
        store,
    )


@export_app.command("layer")
def export_layer_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="File to write: .csv (UTF-8 with BOM), .xlsx, .geojson or .gpkg."
        ),
    ],
    store: StoreOption = None,
    measure: MeasureOption = "cert_verified",
    level: LevelOption = "prefecture",
    period: PeriodOption = None,
    flows: Annotated[
        str | None,
        typer.Option(
            help="Export the OD flows of the period instead: long or matrix (.csv or .xlsx)."
        ),
    ] = None,
    cohort: Annotated[str, typer.Option(help="Flows: the cohort counted.")] = "all",
    lang: LangOption = "zh",
) -> None:
    """One layer (measure x level x period) or the OD flows, small cells suppressed, with metadata."""
    from dashboard.export.maps import export_flows, export_layer
    from dashboard.export.source import MapView

    view = MapView(measure, level, period, lang)
    if flows:
        _run(
            lambda layers, url: export_flows(layers, url, out, view, form=flows, cohort=cohort),
            store,
        )
    else:
        _run(lambda layers, url: export_layer(layers, url, out, view), store)


def _run(write, store: str | None) -> None:  # noqa: ANN001
    from dashboard.export.render import RenderError
    from dashboard.export.source import ExportError
    from etl.errors import EtlError
    from geodata.layers import ensure_layers

    settings = load_settings()
    try:
        layers = ensure_layers(settings.geodata_dir)
        files = write(layers, store or settings.store_url)
    except (ExportError, RenderError, EtlError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    for path in files:
        console.print(f"wrote {path}")
