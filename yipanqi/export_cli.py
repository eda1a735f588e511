"""``yipanqi export flows|coverage|map|layer``: the data contract, print maps and data layers.

They add themselves to the ``export`` group of ``yipanqi.etl_cli`` when this module is imported.

Every export is suppressed (``etl.disclosure``) and writes one audit row (``dashboard.export.audit``).
The command line runs as an operator on the server: the row names the operating-system user and,
with ``--as ACCOUNT``, that account (which must exist, be enabled and be allowed the export; its
scope then limits the rows). ``export flows|coverage --exact`` writes the contract unsuppressed: it
needs ``--as`` naming an enabled steward (``access.roles``: ``export.exact``), else it is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from yipanqi.etl_cli import export_app
from yipanqi.options import CommandError, StoreOption, console, open_store_or_exit, store_failures
from yipanqi.settings import load_settings

if TYPE_CHECKING:
    import sqlalchemy as sa

    from access.principal import Principal

MeasureOption = Annotated[
    str,
    typer.Option(
        help="inflow, outflow, net, inflow_per_1000, an indicator flag (cert_verified, ...) or "
        "alerts (early-warning alerts per unit of the period, --level prefecture or county)."
    ),
]
DepartmentOption = Annotated[
    str,
    typer.Option(
        "--department",
        help="--measure alerts: the alerts of this department only (public_security, ...).",
    ),
]
SeverityOption = Annotated[
    str, typer.Option("--severity", help="--measure alerts: high, medium or low only.")
]
LevelOption = Annotated[
    str, typer.Option(help="province, prefecture or county (flows: also region).")
]
PeriodOption = Annotated[
    str | None, typer.Option(help="YYYY-MM (default: the latest period in the store).")
]
LangOption = Annotated[str, typer.Option("--lang", help="Labels in zh or en.")]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="The account this export is made for (recorded in the audit; its scope applies).",
    ),
]
ScenarioOption = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        help="A saved scenario's name (or a scenario .json file): its county map as the scenarios "
        "page shows it (the period is the scenario's; --level, --period and --place do not apply).",
    ),
]
LayerOption = Annotated[
    str,
    typer.Option(
        "--layer", help="With --scenario: difference (against the reference), scenario or baseline."
    ),
]
CompareOption = Annotated[
    str,
    typer.Option(
        "--compare",
        help="With --scenario: a saved scenario to compare with instead of the baseline. "
        "Without it: the earlier span (YYYY-MM or a complete YYYY) of the overview's change map "
        "to --period (the later span, default the latest period).",
    ),
]
HotspotsOption = Annotated[
    bool,
    typer.Option(
        "--hotspots",
        help="The hot spots page's view: its smoothed-rate, LISA cluster or significance map "
        "(--hotspot-map), or its analysis per unit (layer); --measure and --level (county or "
        "prefecture) as on the page.",
    ),
]
HotspotMapOption = Annotated[
    str, typer.Option("--hotspot-map", help="With --hotspots: value, cluster or significance.")
]
VariableOption = Annotated[
    str, typer.Option("--variable", help="With --hotspots: raw, eb or spatial_eb (a rate's).")
]
SchemeOption = Annotated[
    str,
    typer.Option(
        "--scheme", help="With --hotspots: box, natural, equal, quantiles or user (--breaks)."
    ),
]
BreaksOption = Annotated[
    str,
    typer.Option("--breaks", help="With --scheme user: increasing numbers, e.g. '90,95,98' (%)."),
]
WashOption = Annotated[
    bool,
    typer.Option(
        "--wash/--no-wash",
        help="With --hotspots, the value map: wash over units whose rate rests on a small "
        "denominator (as the page's option, on by default).",
    ),
]
FdrOption = Annotated[
    bool, typer.Option("--fdr", help="With --hotspots: false discovery rate 0.05 correction.")
]
StartOption = Annotated[
    str,
    typer.Option(
        "--start",
        help="A period range of the flows page: the periods --start to --period summed "
        "(--measure inflow, outflow or net; with --flows long, the OD flows summed).",
    ),
]
ChangeFromOption = Annotated[
    str,
    typer.Option(
        "--change-from",
        help="The flows page's comparison: the change from this period (YYYY-MM) or year (YYYY) "
        "to --period (or its year) (--measure inflow, outflow or net; with --flows long, every "
        "OD pair's change by absolute change).",
    ),
]
TrendOption = Annotated[
    bool,
    typer.Option(
        "--trend",
        help="The overview's year-over-year view: the monthly lines of --measure for --areas "
        "(a map: a print chart of the lines; a layer: their table, .csv or .xlsx); --period "
        "is the map beside them (the narrative's).",
    ),
]
AreasOption = Annotated[
    str,
    typer.Option(
        "--areas",
        help="With --trend: up to 5 unit codes of --level, comma-separated (default: the three "
        "units with the most persons behind the measure, as the page).",
    ),
]
SecondOption = Annotated[
    str,
    typer.Option(
        "--second",
        help="The overview's two-measures view: --measure and this measure side by side (a map: "
        "both on one A4 page; a layer: both measures' columns).",
    ),
]
ExactOption = Annotated[
    bool,
    typer.Option(
        "--exact",
        help="Stewards only (with --as): every count, small cells included, unsuppressed.",
    ),
]


@export_app.command("flows")
def export_flows_command(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    store: StoreOption = None,
    exact: ExactOption = False,
    as_account: AsOption = None,
) -> None:
    """County-to-county flows: period,hukou_code,residence_code,cohort,persons,suppressed."""
    from etl.export import export_flows

    _contract("flows", export_flows, store, out, exact, as_account, ("flows", "units"))


@export_app.command("coverage")
def export_coverage_command(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    store: StoreOption = None,
    exact: ExactOption = False,
    as_account: AsOption = None,
) -> None:
    """Indicators per county: period,county_code,side,indicator,numerator,denominator,suppressed."""
    from etl.export import export_coverage

    _contract("coverage", export_coverage, store, out, exact, as_account, ("coverage", "units"))


def _contract(
    kind: str, write, store: str | None, out: Path, exact: bool, account: str | None,  # noqa: ANN001
    tables: tuple[str, ...],
) -> None:  # fmt: skip
    from dashboard.export.audit import record_export
    from etl.scope import NATION

    engine = open_store_or_exit(store, check=tables)
    try:
        with store_failures(store):
            principal = principal_for(engine, account, exact)
            scope = principal.scope if principal else NATION
            n = write(engine, out, scope=scope, exact=exact)
            record_export(
                engine, kind, {"scope": scope}, rows=n, exact=exact, out=out,
                principal=principal,
            )  # fmt: skip
    finally:
        engine.dispose()
    console.print(
        f"wrote {n:,} rows to {escape(str(out))}"
        + (" (exact: small cells included)" if exact else "")
    )


def principal_for(engine: sa.Engine, account: str | None, exact: bool) -> Principal | None:
    """The principal of ``--as`` (checked), or None; exits with a one-line error when the account
    may not make this export or ``--exact`` lacks it."""
    from access.accounts import get_account
    from access.roles import Action

    if account is None:
        if exact:
            _refuse("--exact needs --as STEWARD: the steward account this exact export is made for")
        return None
    found = get_account(engine, account)
    if found is None or found.disabled:
        _refuse(f"no enabled account {account!r}")
    assert found is not None
    action = Action.EXPORT_EXACT if exact else Action.EXPORT_DATA
    if not found.principal.may(action):
        _refuse(f"account {account!r} ({found.role}) may not make this export ({action})")
    return found.principal


def _refuse(message: str) -> None:
    raise CommandError(message)


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
    place: Annotated[
        str,
        typer.Option(
            "--place",
            help="A region (pan_yangtze) or area code (310115, 320200): the map fitted to it, its "
            "units named, the units around it pale grey. Default: the whole country.",
        ),
    ] = "",
    scenario: ScenarioOption = None,
    layer: LayerOption = "difference",
    compare: CompareOption = "",
    as_account: AsOption = None,
    department: DepartmentOption = "",
    severity: SeverityOption = "",
    hotspots: HotspotsOption = False,
    hotspot_map: HotspotMapOption = "value",
    variable: VariableOption = "spatial_eb",
    scheme: SchemeOption = "box",
    breaks: BreaksOption = "",
    fdr: FdrOption = False,
    wash: WashOption = True,
    start: StartOption = "",
    change_from: ChangeFromOption = "",
    cohort: Annotated[str, typer.Option(help="--start / --change-from: the cohort counted.")] = "all",
    trend: TrendOption = False,
    areas: AreasOption = "",
    second: SecondOption = "",
) -> None:
    """A map for print: title, legend, source, lineage, date, CJK font embedded; national with the
    南海诸岛 inset, or fitted to one place; or (--scenario) a scenario's county map.
    ``--measure alerts``: the monitoring page's map (its region filter is ``--place REGION``)."""
    from dashboard.export.maps import export_maps
    from dashboard.export.source import MapView

    if hotspots:
        from dashboard.export.hotspots import export_hotspot_maps

        _hotspot_export(
            store, measure, level, period, variable, scheme, breaks, fdr, hotspot_map, lang,
            as_account, "map", wash,
            lambda layers, url, export, scope, who: export_hotspot_maps(
                layers, url, out, export, scope=scope, principal=who
            ),
        )  # fmt: skip
        return
    if scenario is not None:
        from dashboard.export.scenario import export_scenario_maps

        _scenario_export(
            store, scenario, measure, layer, compare, lang, as_account, "map",
            lambda layers, url, view, scope, who: export_scenario_maps(
                layers, url, out, view, scope=scope, principal=who
            ),
        )  # fmt: skip
        return
    _plain_only(as_account, compare, start or change_from, trend, second, areas, place)
    if trend:
        from dashboard.export.overview_views import TrendView, export_trend_maps

        lines = TrendView(measure, level, _codes(areas), period, lang)
        _run(lambda layers, url: export_trend_maps(layers, url, out, lines), store)
        return
    if second:
        from dashboard.export.overview_views import SplitView, export_split_maps

        split = SplitView(measure, second, level, period, lang)
        _run(lambda layers, url: export_split_maps(layers, url, out, split), store)
        return
    if compare:
        from dashboard.export.compare import CompareView, export_compare_maps

        change = CompareView(measure, level, compare, period, lang)
        _run(lambda layers, url: export_compare_maps(layers, url, out, change), store)
        return
    if start or change_from:
        from dashboard.export.flows_views import FlowsView, export_view_maps

        flows_view = FlowsView(measure, level, period, cohort, start, change_from, lang)
        _run(lambda layers, url: export_view_maps(layers, url, list(out), flows_view), store)
        return
    view = MapView(
        measure, level, period, lang, place=place, department=department, severity=severity
    )
    _run(lambda layers, url: export_maps(layers, url, out, view), store)


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
    scenario: ScenarioOption = None,
    layer: LayerOption = "difference",
    compare: CompareOption = "",
    as_account: AsOption = None,
    place: Annotated[
        str,
        typer.Option(
            "--place", help="--measure alerts: the units of this region only (pan_yangtze, ...)."
        ),
    ] = "",
    department: DepartmentOption = "",
    severity: SeverityOption = "",
    hotspots: HotspotsOption = False,
    variable: VariableOption = "spatial_eb",
    fdr: FdrOption = False,
    start: StartOption = "",
    change_from: ChangeFromOption = "",
    trend: TrendOption = False,
    areas: AreasOption = "",
    second: SecondOption = "",
) -> None:
    """One layer (measure x level x period) or the OD flows, small cells suppressed, with
    metadata; or (--scenario) a scenario's county layer as the scenarios page maps it."""
    from dashboard.export.maps import export_flows, export_layer
    from dashboard.export.source import MapView

    if hotspots:
        from dashboard.export.hotspots import export_hotspot_layer

        _hotspot_export(
            store, measure, level, period, variable, "box", "", fdr, "value", lang, as_account,
            "data", True,
            lambda layers, url, export, scope, who: export_hotspot_layer(
                layers, url, out, export, scope=scope, principal=who
            ),
        )  # fmt: skip
        return
    if scenario is not None:
        from dashboard.export.scenario import export_scenario_layer

        _scenario_export(
            store, scenario, measure, layer, compare, lang, as_account, "data",
            lambda layers, url, view, scope, who: export_scenario_layer(
                layers, url, out, view, scope=scope, principal=who
            ),
        )  # fmt: skip
        return
    _plain_only(as_account, compare, start or change_from, trend, second, areas, place)
    if (trend or second) and flows is not None:
        _refuse("--flows writes the OD flows of one period: not with --trend or --second")
    if trend:
        from dashboard.export.overview_views import TrendView, export_trend_layer

        lines = TrendView(measure, level, _codes(areas), period, lang)
        _run(lambda layers, url: export_trend_layer(layers, url, out, lines), store)
        return
    if second:
        from dashboard.export.overview_views import SplitView, export_split_layer

        split = SplitView(measure, second, level, period, lang)
        _run(lambda layers, url: export_split_layer(layers, url, out, split), store)
        return
    if compare:
        from dashboard.export.compare import CompareView, export_compare_layer

        change = CompareView(measure, level, compare, period, lang)
        _run(lambda layers, url: export_compare_layer(layers, url, out, change), store)
        return
    if place and measure != "alerts":
        _refuse("--place filters a layer of alerts (--measure alerts) only")
    if start or change_from:
        from dashboard.export.flows_views import FlowsView, export_view_layer

        if flows not in (None, "long"):
            _refuse("a range's or comparison's flows are written in the long form (--flows long)")
        flows_view = FlowsView(measure, level, period, cohort, start, change_from, lang)
        _run(
            lambda layers, url: export_view_layer(
                layers, url, out, flows_view, flows=flows is not None
            ),
            store,
        )
        return
    view = MapView(
        measure, level, period, lang, place=place, department=department, severity=severity
    )
    if flows:
        _run(
            lambda layers, url: export_flows(layers, url, out, view, form=flows, cohort=cohort),
            store,
        )
    else:
        _run(lambda layers, url: export_layer(layers, url, out, view), store)


def _plain_only(
    account: str | None,
    compare: str = "",
    flows_view: str = "",
    trend: bool = False,
    second: str = "",
    areas: str = "",
    place: str = "",
) -> None:
    """``--as`` belongs to a scenario's export: refused without ``--scenario``; the overview's
    change map (``--compare``), its year-over-year lines (``--trend``), its two measures
    (``--second``) and a flows page view (``--start``/``--change-from``) are different views:
    refused together; ``--areas`` belongs to ``--trend``, and neither overview view takes a
    ``--place``."""
    if account is not None:
        _refuse("--as applies to a scenario's map or layer: add --scenario NAME")
    given = [
        name
        for name, value in (
            ("--compare (the overview's change map)", compare),
            ("--start/--change-from (the flows page's range or comparison)", flows_view),
            ("--trend (the overview's year-over-year lines)", trend),
            ("--second (the overview's two measures)", second),
        )
        if value
    ]
    if len(given) > 1:
        _refuse(f"{' and '.join(given)} are different views: give one")
    if areas and not trend:
        _refuse("--areas chooses the lines of --trend: add --trend")
    if place and (trend or second):
        _refuse("--place does not apply to --trend or --second (the overview's national views)")


def _codes(areas: str) -> tuple[str, ...]:
    """The unit codes of ``--areas`` (comma-separated)."""
    return tuple(code.strip() for code in areas.split(",") if code.strip())


def _scenario_export(
    store: str | None, scenario: str, measure: str, layer: str, compare: str, lang: str,
    account: str | None, kind: str, write,  # noqa: ANN001
) -> None:  # fmt: skip
    """A scenario's map or layer (``dashboard.export.scenario``) as ``--as`` (its scope, its right
    to export maps or data) or, without it, as the operator (the nation)."""
    from dashboard.export.scenario import ScenarioView, scenario_json
    from etl.scope import NATION
    from geodata.layers import ensure_layers
    from planning.errors import ScenarioError
    from planning.scenario import load_scenario_file
    from planning.store import get_scenario

    settings = load_settings()
    url = store or settings.store_url
    engine = open_store_or_exit(url)
    try:
        with store_failures(url):
            principal = _exporter(engine, account, kind)
            scope = principal.scope if principal else NATION
            path = Path(scenario)
            try:
                if path.suffix.lower() == ".json" and path.is_file():
                    chosen = load_scenario_file(path)
                else:
                    chosen = get_scenario(engine, scenario, scope=scope).scenario
            except ScenarioError as error:
                _refuse(str(error))
            except ValueError:
                _refuse(f"no saved scenario {scenario!r} (in the scope {scope})")
            text = scenario_json(chosen)
    finally:
        engine.dispose()
    view = ScenarioView(text, measure, layer, compare, lang)
    layers = ensure_layers(settings.geodata_dir)
    files = write(layers, url, view, scope, principal)
    for file in files:
        console.print(f"wrote {escape(str(file))}")


def _exporter(engine: sa.Engine, account: str | None, kind: str) -> Principal | None:
    """The principal of ``--as`` (enabled, allowed to export a ``kind``: map or data), or None
    (the operator: the nation); exits with a one-line error otherwise."""
    from access.accounts import get_account
    from access.roles import Action

    if account is None:
        return None
    found = get_account(engine, account)
    if found is None or found.disabled:
        _refuse(f"no enabled account {account!r}")
    assert found is not None
    action = Action.EXPORT_MAP if kind == "map" else Action.EXPORT_DATA
    if not found.principal.may(action):
        _refuse(f"account {account!r} ({found.role}) may not make this export ({action})")
    return found.principal


def _hotspot_export(
    store: str | None, measure: str, level: str, period: str | None, variable: str, scheme: str,
    breaks: str, fdr: bool, which: str, lang: str, account: str | None, kind: str, wash: bool,
    write,  # noqa: ANN001
) -> None:  # fmt: skip
    """The hot spots page's map or analysis (``dashboard.export.hotspots``) as ``--as`` (its
    scope, its right to export maps or data) or, without it, as the operator (the nation)."""
    from dashboard.export.hotspots import HotspotExport
    from dashboard.export.source import ExportError
    from dashboard.pages.hotspots.view import HotspotView
    from etl.scope import NATION
    from geodata.layers import ensure_layers

    settings = load_settings()
    url = store or settings.store_url
    engine = open_store_or_exit(url)
    try:
        with store_failures(url):
            principal = _exporter(engine, account, kind)
    finally:
        engine.dispose()
    scope = principal.scope if principal else NATION
    view = HotspotView(measure, level, period or "", variable, scheme, breaks, fdr, wash)
    layers = ensure_layers(settings.geodata_dir)
    try:
        files = write(layers, url, HotspotExport(view, which, lang), scope, principal)
    except ExportError as error:
        _refuse(str(error))
    for file in files:
        console.print(f"wrote {escape(str(file))}")


def _run(write, store: str | None) -> None:  # noqa: ANN001
    from geodata.layers import ensure_layers

    settings = load_settings()
    layers = ensure_layers(settings.geodata_dir)
    files = write(layers, store or settings.store_url)
    for path in files:
        console.print(f"wrote {escape(str(path))}")
