"""The flows page's comparison and range (``dashboard.data.flow_change``,
``dashboard.export.flows_views``, ``dashboard.pages.flows.narrative``) over the demo store: the
changes against a computation made here from ``etl.marts.read_pairs``, withheld wherever either side
is a small cell; the page's download against ``yipanqi export layer`` byte for byte; the narrative
against the marts."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import yipanqi.export_cli  # noqa: F401 - adds map and layer to the export group
from dashboard.data.store import reading_as
from dashboard.factory import create_app
from etl import marts
from etl.scope import NATION
from etl.store import open_store
from tests.support import DEMO_PERIODS, demo_store, layer_cache
from yipanqi.cli import app as cli

BASE, TARGET = DEMO_PERIODS  # 2012-10, 2012-12


@pytest.fixture(scope="module")
def app():
    url, _ = demo_store()
    return create_app(layer_cache(), url)


@pytest.fixture
def inside(app):
    with app.server.test_request_context("/flows"), reading_as(NATION):
        yield


def _pairs(period: str, level: str) -> pd.DataFrame:
    engine = open_store(demo_store()[0])
    try:
        return marts.read_pairs(engine, period, "all", level, scope=NATION)
    finally:
        engine.dispose()


def _threshold() -> int:
    engine = open_store(demo_store()[0])
    try:
        return marts.small_cell_threshold(engine, scope=NATION)
    finally:
        engine.dispose()


@pytest.mark.parametrize("level", ["province", "county"])
def test_change_pairs_are_the_marts_difference_withheld_with_either_side(inside, level):
    from dashboard.data.flow_change import change_pairs

    got = change_pairs(BASE, TARGET, "all", level).set_index(["origin_code", "destination_code"])
    a = _pairs(BASE, level).set_index(["origin_code", "destination_code"])
    b = _pairs(TARGET, level).set_index(["origin_code", "destination_code"])
    keys = a.index.union(b.index)
    assert set(got.index) == set(keys)
    withheld = 0
    for key in keys:
        row = got.loc[key]
        pa = int(a["persons"].get(key, 0))
        pb = int(b["persons"].get(key, 0))
        small = bool(a["small_cell"].get(key, False)) or bool(b["small_cell"].get(key, False))
        assert bool(row["small_cell"]) == small
        if small:
            withheld += 1
            assert np.isnan(row["change"]) and np.isnan(row["before"]) and np.isnan(row["after"])
        else:
            assert (row["before"], row["after"], row["change"]) == (pa, pb, pb - pa)
            if pa:
                assert row["percent"] == pytest.approx((pb - pa) / pa * 100)
    assert withheld > 0  # the demo has small cells: the rule is exercised


def test_unit_change_is_each_units_total_difference(inside):
    from dashboard.data.flow_change import unit_change

    threshold = _threshold()
    units = unit_change(BASE, TARGET, "all", "province").set_index("code")
    sides = []
    for period in (BASE, TARGET):
        p = _pairs(period, "province")
        p = p[p["origin_code"] != p["destination_code"]]
        sides.append(
            (
                p.groupby("destination_code")["persons"].sum(),
                p.groupby("origin_code")["persons"].sum(),
            )
        )
    # withheld where either period's page withholds the total (a small count, or a sum that
    # would give a withheld flow away: dashboard.data.flows.unit_totals)
    from dashboard.data import flows as data

    codes = list(units.index)
    shown = [
        data.unit_totals(data.FlowQuery(period, "all", "province"), codes).set_index("code")
        for period in (BASE, TARGET)
    ]
    for code, row in units.iterrows():
        ins = [int(s[0].get(code, 0)) for s in sides]
        outs = [int(s[1].get(code, 0)) for s in sides]
        hid_in = any(bool(s.loc[code, "inflow_withheld"]) for s in shown)
        hid_out = any(bool(s.loc[code, "outflow_withheld"]) for s in shown)
        assert hid_in >= any(0 < v < threshold for v in ins)  # a small count is always withheld
        assert row["inflow_withheld"] == hid_in and row["net_withheld"] == (hid_in or hid_out)
        if not hid_in:
            assert row["inflow_change"] == ins[1] - ins[0]
        if not (hid_in or hid_out):
            assert row["net_change"] == (ins[1] - outs[1]) - (ins[0] - outs[0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_narrative_names_the_largest_changes_from_the_marts(inside, lang):
    from dashboard.data import flows as data
    from dashboard.data import geo
    from dashboard.formatting import signed
    from dashboard.i18n import use_language
    from dashboard.pages.flows.narrative import flow_sentences

    use_language(lang)
    q = data.parse_query({"compare": BASE, "period": TARGET, "level": "province"})
    text = flow_sentences(data.flow_view(q))
    assert BASE in text[0] and TARGET in text[0]
    # independent: provinces of the four regions, between pairs touching them, by |change|
    provinces = data.provinces_of_regions(q.regions)
    a = _pairs(BASE, "province").set_index(["origin_code", "destination_code"])
    b = _pairs(TARGET, "province").set_index(["origin_code", "destination_code"])
    rows = []
    for key in a.index.union(b.index):
        o, d = key
        if o == d or not (o in provinces or d in provinces):
            continue
        if bool(a["small_cell"].get(key, False)) or bool(b["small_cell"].get(key, False)):
            continue
        change = int(b["persons"].get(key, 0)) - int(a["persons"].get(key, 0))
        if change:
            rows.append((-abs(change), o, d, change))
    rows.sort()
    for _size, o, d, change in rows[:3]:
        names = geo.unit_names(lang)
        assert f"{names[o]} → {names[d]} ({signed(change)}" in text[2]


def test_range_narrative_totals_are_the_marts_sums(inside):
    from dashboard.data import flows as data
    from dashboard.formatting import count
    from dashboard.i18n import use_language
    from dashboard.pages.flows.narrative import flow_sentences

    use_language("en")
    q = data.parse_query({"start": BASE, "period": TARGET, "focus": "310000"})
    text = flow_sentences(data.flow_view(q))
    total = 0
    for period in ("2012-10", "2012-11", "2012-12"):
        p = _pairs(period, "province")
        total += int(
            p.loc[
                (p["destination_code"] == "310000") & (p["origin_code"] != "310000"), "persons"
            ].sum()
        )
    assert f"inflow {count(total)} persons" in text[1]


@pytest.mark.parametrize(
    ("option", "value", "flows"),
    [("--change-from", BASE, True), ("--start", BASE, True), ("--change-from", BASE, False)],
)
def test_page_download_is_the_cli_file(app, tmp_path, monkeypatch, option, value, flows):
    from dashboard.export.flows_views import FlowsView, FlowsViewFiles
    from dashboard.export.menu import view_file

    url, layers = demo_store()[0], layer_cache()
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layers.root.parents[1]))
    kwargs = {"start": value} if option == "--start" else {"change_from": value}
    view = FlowsView("net", "province", TARGET, "all", lang="en", **kwargs)
    fmt = "csv" if flows else "geojson"
    with app.server.test_request_context("/flows"), reading_as(NATION):
        page = view_file(FlowsViewFiles(view), "data", fmt)
    out = tmp_path / f"cli.{fmt}"
    args = ["export", "layer", "--store", url, "--out", str(out), "--measure", "net",
            "--level", "province", "--period", TARGET, "--lang", "en", option, value]  # fmt: skip
    if flows:
        args += ["--flows", "long"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    if flows:  # the page's CSV: the CLI's file and its metadata file in a .zip
        with zipfile.ZipFile(io.BytesIO(page)) as z:
            sent = {name: z.read(name) for name in z.namelist()}
        data = next(b for n, b in sent.items() if not n.endswith(".metadata.csv"))
        metadata = next(b for n, b in sent.items() if n.endswith(".metadata.csv"))
        assert len(sent) == 2 and data == out.read_bytes()
        made = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d UTC")  # the minute each was made
        cli_metadata = (tmp_path / "cli.metadata.csv").read_bytes()
        assert made.sub(b"", metadata) == made.sub(b"", cli_metadata)
        table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
        hidden = table["suppressed"] == "True"
        assert (
            hidden.any()
            and table.loc[hidden, "persons" if option == "--start" else "change"].isna().all()
        )
    else:  # GeoJSON carries made_at in its metadata: equal apart from the timestamp
        import json

        p, c = json.loads(page), json.loads(out.read_bytes())
        p.pop("metadata"), c.pop("metadata")
        assert p == c
