"""The download menu under every map (``dashboard.export.menu``): each page's download is the file
``yipanqi export map|layer`` writes for the same view, byte for byte (the clock frozen for both:
the lineage's "made" minute is the only timestamp of the CSV, GeoJSON, SVG and PNG; the XLSX's
and GeoPackage's own write times, the PDF's creation date and the random id plotly.js gives the
SVG's clip paths are left out of the comparison);
every download is audited under the signed-in account; a role that may not make the export gets
no file, however the body is forged."""

from __future__ import annotations

import base64
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import yipanqi.export_cli  # noqa: F401 - adds map and layer to the export group
from access import audit
from dashboard import ids
from dashboard.export import source
from dashboard.export.menu import DATA_FORMATS
from planning.scenario import parse_scenario
from tests.export.conftest import need_chromium
from tests.security.conftest import USERS, csrf
from tests.security.test_callbacks import relabelled
from tests.support import layer_cache
from yipanqi.cli import app as cli

SCENARIO_FILE = Path(__file__).with_name("scenario-export.json")
SCENARIO_KEY = json.dumps(
    parse_scenario(json.loads(SCENARIO_FILE.read_text(encoding="utf-8"))).to_json(),
    ensure_ascii=False, sort_keys=True,
)  # fmt: skip
"""The scenarios page's last run (``SCENARIOS_RAN``: the canonical JSON) of the CLI's file."""
FROZEN = datetime(2026, 12, 5, 12, 34, tzinfo=UTC)
PERIOD = "2010-02"


class _Clock(datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: ANN001, ANN206
        return FROZEN


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(source, "datetime", _Clock)
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layer_cache().root.parents[1]))


# page: (controls in register's order with their values, the CLI arguments of the same view)
PAGES = {
    "overview": (
        [(ids.OVERVIEW_MEASURE, "value", "cert_verified"), (ids.OVERVIEW_LEVEL, "value", "province"),
         (ids.OVERVIEW_PERIOD, "value", 1), (ids.OVERVIEW_MODE, "value", "map"),
         (ids.OVERVIEW_URL, "search", "?lang=en"), (ids.OVERVIEW_BEFORE, "value", None),
         (ids.OVERVIEW_AFTER, "value", None), (ids.OVERVIEW_SECOND, "value", None),
         (ids.OVERVIEW_AREAS, "value", None)],
        ["--measure", "cert_verified", "--level", "province", "--period", PERIOD, "--lang", "en"],
    ),
    "flows": (
        [(ids.FLOWS_DIRECTION, "value", "net"), (ids.FLOWS_LEVEL, "value", "province"),
         (ids.FLOWS_PERIOD, "value", PERIOD), (ids.FLOWS_COHORT, "value", "women_15_49"),
         (ids.FLOWS_START, "value", ""), (ids.FLOWS_LANG, "data", "zh"),
         (ids.FLOWS_COMPARE, "value", "")],
        ["--measure", "net", "--level", "province", "--period", PERIOD, "--lang", "zh"],
    ),
    "area": (
        [(ids.AREA_PERIOD, "value", PERIOD), (ids.AREA_MEASURE, "value", "health_check"),
         (ids.AREA_SUB, "value", "county"), (ids.AREA_KEY, "data", {"code": "310000", "lang": "zh"})],
        ["--measure", "health_check", "--level", "county", "--period", PERIOD, "--lang", "zh"],
    ),
    "hotspots": (
        [(ids.HOTSPOTS_MEASURE, "value", "cert_verified"), (ids.HOTSPOTS_LEVEL, "value", "prefecture"),
         (ids.HOTSPOTS_PERIOD, "value", PERIOD), (ids.HOTSPOTS_VARIABLE, "value", "spatial_eb"),
         (ids.HOTSPOTS_SCHEME, "value", "natural"), (ids.HOTSPOTS_BREAKS, "value", ""),
         (ids.HOTSPOTS_OPTIONS, "value", ["fdr"]), (ids.HOTSPOTS_URL, "search", "?lang=en")],
        ["--hotspots", "--measure", "cert_verified", "--level", "prefecture", "--period", PERIOD,
         "--variable", "spatial_eb", "--fdr", "--lang", "en"],
    ),
    "hotspots-cluster": (
        [(ids.HOTSPOTS_MEASURE, "value", "inflow_per_1000"), (ids.HOTSPOTS_LEVEL, "value", "county"),
         (ids.HOTSPOTS_PERIOD, "value", PERIOD), (ids.HOTSPOTS_VARIABLE, "value", "eb"),
         (ids.HOTSPOTS_SCHEME, "value", "box"), (ids.HOTSPOTS_BREAKS, "value", ""),
         (ids.HOTSPOTS_OPTIONS, "value", ["shade"]), (ids.HOTSPOTS_URL, "search", "?lang=zh")],
        ["--hotspots", "--measure", "inflow_per_1000", "--level", "county", "--period", PERIOD,
         "--variable", "eb", "--lang", "zh"],
    ),
    "scenarios": (
        [(ids.SCENARIOS_RAN, "data", SCENARIO_KEY), (ids.SCENARIOS_MEASURE, "value", "inflow"),
         (ids.SCENARIOS_LAYER, "value", "difference"), (ids.SCENARIOS_COMPARE, "value", "__baseline__"),
         (ids.SCENARIOS_LANG, "data", "zh")],
        ["--scenario", str(SCENARIO_FILE), "--measure", "inflow", "--layer", "difference",
         "--lang", "zh"],
    ),
    "monitoring": (
        [(ids.MONITORING_PERIOD, "value", PERIOD), (ids.MONITORING_REGION, "value", "pan_yangtze"),
         (ids.MONITORING_DEPARTMENT, "value", ""), (ids.MONITORING_SEVERITY, "value", "high"),
         (ids.MONITORING_LEVEL, "value", "prefecture"), (ids.MONITORING_KEY, "data", {"lang": "en"})],
        ["--measure", "alerts", "--level", "prefecture", "--period", PERIOD, "--lang", "en",
         "--place", "pan_yangtze", "--severity", "high"],
    ),
}  # fmt: skip
PLACE = {"area": ["--place", "310000"]}  # the area page's map is fitted to its area
MAP_ARGS = {  # the hot spots page's maps: which one, and the value map's classes
    "hotspots": ["--hotspot-map", "value", "--scheme", "natural", "--no-wash"],
    "hotspots-cluster": ["--hotspot-map", "cluster"],
}


def _key(secured_app, page: str, kind: str) -> str:
    download = {"map": ids.EXPORT_MAP_DOWNLOAD, "data": ids.EXPORT_DATA_DOWNLOAD}[kind]
    marker = json.dumps({"page": page, "type": download}, separators=(",", ":"))
    found = [k for k in secured_app.callback_map if marker in k]
    assert len(found) == 1, (page, kind, found)
    return found[0]


def body(secured_app, page: str, kind: str, fmt: str, **changed) -> dict:
    """The body the renderer posts when the ``fmt`` button of ``page``'s menu is pressed
    (``changed``: control id -> value replacing the view's own)."""
    controls = [(c, p, changed.get(c, v)) for c, p, v in PAGES[page][0]]
    formats = {"map": ("png", "svg", "pdf"), "data": DATA_FORMATS}[kind]
    pressed = {"type": ids.EXPORT_FORMAT, "page": page, "kind": kind, "format": fmt}
    note = {"map": ids.EXPORT_MAP_NOTE, "data": ids.EXPORT_DATA_NOTE}[kind]
    download = {"map": ids.EXPORT_MAP_DOWNLOAD, "data": ids.EXPORT_DATA_DOWNLOAD}[kind]
    return {
        "output": _key(secured_app, page, kind),
        "outputs": [
            {"id": {"type": download, "page": page}, "property": "data"},
            {"id": {"type": note, "page": page}, "property": "children"},
        ],
        "inputs": [
            [
                {"id": {**pressed, "format": f}, "property": "n_clicks", "value": int(f == fmt)}
                for f in formats
            ]
        ],
        "state": [{"id": c, "property": p, "value": v} for c, p, v in controls],
        "changedPropIds": [
            json.dumps(pressed, sort_keys=True, separators=(",", ":")) + ".n_clicks"
        ],
    }


def download(secured_app, client, page: str, kind: str, fmt: str) -> tuple[str, bytes]:
    response = client.post(
        "/_dash-update-component", json=body(secured_app, page, kind, fmt), headers=csrf(client)
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    answer = response.get_json()["response"]
    sent = next(v["data"] for v in answer.values() if "data" in v)
    return sent["filename"], base64.b64decode(sent["content"]) if sent["base64"] else sent[
        "content"
    ].encode()


def cli_file(security_store: str, tmp_path: Path, page: str, kind: str, fmt: str) -> bytes:
    _, args = PAGES[page]
    out = tmp_path / f"cli.{fmt}"
    if kind == "map":
        command = ["export", "map", *args, *PLACE.get(page, []), *MAP_ARGS.get(page, [])]
    elif page == "flows" and fmt in ("csv", "xlsx"):
        command = ["export", "layer", *args, "--flows", "long", "--cohort", "women_15_49"]
    else:
        command = ["export", "layer", *args]
    result = CliRunner().invoke(cli, [*command, "--store", security_store, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def csv_pair(data: bytes) -> dict[str, bytes]:
    """A page's CSV download, a .zip: its data file and its metadata file."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert len(names) == 2, names
        return {"metadata" if n.endswith(".metadata.csv") else "data": z.read(n) for n in names}


def cli_csv_pair(csv_bytes: bytes, tmp_path: Path) -> dict[str, bytes]:
    """The CLI's CSV (``cli.csv``, as ``cli_file`` wrote it) and the metadata file beside it."""
    return {"data": csv_bytes, "metadata": (tmp_path / "cli.metadata.csv").read_bytes()}


def comparable(data: bytes, fmt: str) -> object:
    """The file as compared: whole, but for the write times its own writer puts in it."""
    if fmt == "xlsx":  # docProps/core.xml: created / modified; the zip entries' dates
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}
    if fmt == "gpkg":  # gpkg_contents.last_change: when GDAL wrote the layer
        with tempfile.TemporaryDirectory() as folder:  # its own: concurrent runs never collide
            path = Path(folder) / "compare.gpkg"
            path.write_bytes(data)
            with sqlite3.connect(path) as db:
                dump = "\n".join(db.iterdump())
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "<time>", dump)
    if fmt == "svg":  # plotly.js names its defs, clip paths and legend after a random id per drawing
        uid = re.search(rb'<defs id="defs-([0-9a-f]+)"', data)
        # only where it names an id: six hex digits can also occur inside a coordinate
        return re.sub(rb"(defs-|clip|legend)" + uid.group(1), rb"\1<uid>", data) if uid else data
    if fmt == "pdf":
        return re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", data)
    return data


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("fmt", DATA_FORMATS)
def test_a_pages_data_download_is_the_cli_file(
    secured_app, security_store, signed_in, engine, page, fmt, tmp_path
):
    client = signed_in("analyst")
    before = len(audit.list_events(engine, username=USERS["analyst"]))
    name, page_bytes = download(secured_app, client, page, "data", fmt)
    cli_bytes = cli_file(security_store, tmp_path, page, "data", fmt)
    if fmt == "csv":  # the CLI's CSV and its metadata file, in a .zip
        assert name.endswith(".csv.zip") and PERIOD in name
        assert csv_pair(page_bytes) == cli_csv_pair(cli_bytes, tmp_path)
        name = name.removesuffix(".zip")
    else:
        assert name.endswith(f".{fmt}") and PERIOD in name
        assert comparable(page_bytes, fmt) == comparable(cli_bytes, fmt)
    events = audit.list_events(engine, username=USERS["analyst"])
    assert len(events) == before + 1 and events[0].action in ("export.layer", "export.flows")
    assert events[0].object == name


@pytest.mark.parametrize(
    ("page", "fmt"),
    [("overview", "png"), ("overview", "pdf"), ("overview", "svg"), ("flows", "svg"),
     ("area", "svg"), ("hotspots", "svg"), ("hotspots", "pdf"), ("hotspots-cluster", "png"),
     ("scenarios", "png"), ("scenarios", "svg"),
     ("monitoring", "svg")],
)  # fmt: skip
def test_a_pages_print_map_is_the_cli_file(
    secured_app, security_store, signed_in, engine, page, fmt, tmp_path
):
    need_chromium()
    client = signed_in("viewer")  # a viewer may print a map
    name, page_bytes = download(secured_app, client, page, "map", fmt)
    assert name.endswith(f".{fmt}")
    assert comparable(page_bytes, fmt) == comparable(
        cli_file(security_store, tmp_path, page, "map", fmt), fmt
    )
    event = audit.list_events(engine, action="export.map", username=USERS["viewer"])[0]
    assert ("scenario=export test" if page == "scenarios" else "period=2010-02") in event.detail


def test_the_print_map_carries_the_narrative(secured_app, security_store, signed_in):
    need_chromium()
    client = signed_in("viewer")
    _, svg = download(secured_app, client, "overview", "map", "svg")
    text = svg.decode()
    assert (
        "between-county movers" in text and "Certificate verification rate".lower() in text.lower()
    )


@pytest.mark.parametrize("forge", [False, True], ids=["plain", "pathname-relabel"])
@pytest.mark.parametrize("page", list(PAGES))
def test_a_viewer_and_a_planner_get_no_data_file(secured_app, signed_in, page, forge):
    for role in ("viewer", "planner"):
        client = signed_in(role)
        sent = body(secured_app, page, "data", "csv")
        response = client.post(
            "/_dash-update-component",
            json=relabelled(sent) if forge else sent,
            headers=csrf(client),
        )
        assert response.status_code == 403, (role, page)
        assert b"\xef\xbb\xbf" not in response.get_data()


def test_the_menu_shows_data_only_to_a_role_that_may_export_it(monkeypatch):
    from access.principal import Principal, bind, unbind
    from access.roles import Role
    from dashboard.export import menu
    from dashboard.export.source import MapView
    from etl.scope import NATION

    monkeypatch.setattr(menu, "narrative_lines", lambda view: [])
    for role, shown in ((Role.VIEWER, False), (Role.PLANNER, False), (Role.ANALYST, True)):
        token = bind(Principal("someone", role, NATION))
        try:
            footer = json.dumps(
                menu.view_footer("overview", menu.PageView(MapView())).to_plotly_json(),
                default=_plain,
            )
        finally:
            unbind(token)
        assert '"kind": "map"' in footer
        assert ('"kind": "data"' in footer) is shown, role


def _plain(value: object) -> object:
    return value.to_plotly_json() if hasattr(value, "to_plotly_json") else str(value)


@pytest.mark.parametrize(
    ("page", "changed", "words"),
    [
        ("overview", {ids.OVERVIEW_MODE: "compare", ids.OVERVIEW_MEASURE: "census2010_inter_share"},
         "no change between periods"),
        ("overview", {ids.OVERVIEW_MODE: "split", ids.OVERVIEW_SECOND: "cert_verified"},
         "The two measures are the same"),
        ("scenarios", {ids.SCENARIOS_LAYER: "side"}, "并排对比视图不能打印或导出为文件"),
        ("scenarios", {ids.SCENARIOS_RAN: None}, "先运行情景"),
    ],
    ids=["overview-compare-census", "overview-split-same", "scenarios-side", "scenarios-not-run"],
)
@pytest.mark.parametrize("kind", ["map", "data"])
def test_a_view_no_one_map_file_holds_is_refused_in_words(
    secured_app, signed_in, page, changed, words, kind
):
    """A view no file holds (the overview's change of a census share, which has none, or its
    two measures when they are one; the scenarios' side by side, a scenario not run) is not sent
    as a file that would look like it: the menu says so, and no file, no audit row. (A flows
    range or comparison is its own file: tests/export/test_flows_views.py; the overview's trend
    and split views too: tests/security/test_export_overview_views.py.)"""
    client = signed_in("analyst")
    fmt = "csv" if kind == "data" else "svg"
    response = client.post(
        "/_dash-update-component",
        json=body(secured_app, page, kind, fmt, **changed),
        headers=csrf(client),
    )
    assert response.status_code == 200
    answer = response.get_json()["response"]
    assert not any("data" in v for v in answer.values())
    assert words in json.dumps(answer, ensure_ascii=False)
