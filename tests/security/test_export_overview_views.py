"""The overview's *Year over year* (trend) and *Two measures* (split) views in the download menu
(``dashboard.export.overview_views``): each download is the file ``yipanqi export map|layer
--trend --areas ...`` or ``--second ...`` writes, byte for byte apart from the writers' own
timestamps (``test_export_menu.comparable``, the clock frozen); audited under the signed-in
account with the view's parameters; the trend's GeoJSON refused in words (no file, no audit row);
the lines' values recomputed here from the exact coverage contract's county counts
(``etl.export``) and withheld exactly where the published marts withhold the province's cell; the
split layer's columns each equal to its own measure's layer."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from access import audit
from dashboard import ids
from dashboard.export.menu import DATA_FORMATS
from etl import marts
from etl.export import export_coverage
from etl.indicators import INDICATOR_BY_FLAG
from etl.scope import NATION
from tests.export.conftest import need_chromium
from tests.security.conftest import USERS, csrf
from tests.security.test_export_menu import (  # noqa: F401 - frozen: the clock
    body,
    cli_csv_pair,
    comparable,
    csv_pair,
    frozen,
)
from tests.support import TEST_OUTPUT
from yipanqi.cli import app as cli

AREAS = ["310000", "320000", "330000", "360000", "410000"]  # five provinces of the store
TREND = {ids.OVERVIEW_MODE: "trend", ids.OVERVIEW_AREAS: AREAS}
SPLIT = {ids.OVERVIEW_MODE: "split", ids.OVERVIEW_SECOND: "inflow"}
VIEWS = {  # the page's controls changed, the CLI's arguments of the same view
    "trend": (TREND, ["--trend", "--areas", ",".join(AREAS)]),
    "split": (SPLIT, ["--second", "inflow"]),
}
COMMON = ["--measure", "cert_verified", "--level", "province", "--period", "2010-02",
          "--lang", "en"]  # fmt: skip


def page_answer(secured_app, client, view: str, kind: str, fmt: str) -> dict:
    response = client.post(
        "/_dash-update-component",
        json=body(secured_app, "overview", kind, fmt, **VIEWS[view][0]),
        headers=csrf(client),
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def page_file(secured_app, client, view: str, kind: str, fmt: str) -> tuple[str, bytes]:
    answer = page_answer(secured_app, client, view, kind, fmt)
    sent = next(v["data"] for v in answer.values() if "data" in v)
    content = base64.b64decode(sent["content"]) if sent["base64"] else sent["content"].encode()
    return sent["filename"], content


def cli_file(store: str, tmp_path: Path, view: str, kind: str, fmt: str, *extra: str) -> bytes:
    out = tmp_path / f"cli.{fmt}"
    command = ["export", "map" if kind == "map" else "layer", *COMMON, *VIEWS[view][1], *extra]
    result = CliRunner().invoke(cli, [*command, "--store", store, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize(
    ("view", "fmt"),
    [("trend", "csv"), ("trend", "xlsx"), *(("split", f) for f in DATA_FORMATS)],
)
def test_the_views_data_download_is_the_cli_file(
    secured_app, security_store, signed_in, engine, view, fmt, tmp_path
):
    client = signed_in("analyst")
    before = len(audit.list_events(engine, username=USERS["analyst"]))
    name, data = page_file(secured_app, client, view, "data", fmt)
    cli_bytes = cli_file(security_store, tmp_path, view, "data", fmt)
    stem = {
        "trend": f"yipanqi-cert_verified-province-trend-{'_'.join(AREAS)}",
        "split": "yipanqi-cert_verified-and-inflow-province-2010-02",
    }[view]
    if fmt == "csv":  # the CLI's CSV and its metadata file, in a .zip
        assert name == f"{stem}.csv.zip"
        assert csv_pair(data) == cli_csv_pair(cli_bytes, tmp_path)
    else:
        assert name == f"{stem}.{fmt}"
        assert comparable(data, fmt) == comparable(cli_bytes, fmt)
    events = audit.list_events(engine, username=USERS["analyst"])
    assert len(events) == before + 1 and events[0].action == "export.layer"
    detail = {"trend": f"trend={','.join(AREAS)}", "split": "second=inflow"}[view]
    assert detail in events[0].detail and "measure=cert_verified" in events[0].detail


@pytest.mark.parametrize(("view", "fmt"), [("trend", "svg"), ("trend", "pdf"), ("split", "png")])
def test_the_views_print_file_is_the_cli_file(
    secured_app, security_store, signed_in, engine, view, fmt, tmp_path
):
    need_chromium()
    client = signed_in("viewer")  # a viewer may print
    name, data = page_file(secured_app, client, view, "map", fmt)
    assert name.endswith(f".{fmt}")
    assert comparable(data, fmt) == comparable(
        cli_file(security_store, tmp_path, view, "map", fmt), fmt
    )
    kept = TEST_OUTPUT / "exports"
    kept.mkdir(parents=True, exist_ok=True)
    (kept / f"overview-{view}.{fmt}").write_bytes(data)  # for a person to look at
    event = audit.list_events(engine, action="export.map", username=USERS["viewer"])[0]
    assert {"trend": f"trend={','.join(AREAS)}", "split": "second=inflow"}[view] in event.detail
    if fmt == "svg":  # the chart's title, and each area's line in the legend (English names)
        text = data.decode()
        assert "by month, year over year" in text
        for name in ("Shanghai", "Jiangsu", "Zhejiang", "Jiangxi", "Henan"):
            assert f"{name} · 2010" in text, name


def test_the_trends_geojson_is_refused_in_words(secured_app, signed_in, engine):
    client = signed_in("analyst")
    before = len(audit.list_events(engine, username=USERS["analyst"]))
    answer = page_answer(secured_app, client, "trend", "data", "geojson")
    assert not any("data" in v for v in answer.values())
    assert "a line has no map geometry" in json.dumps(answer)
    assert len(audit.list_events(engine, username=USERS["analyst"])) == before


def test_a_viewer_gets_no_trend_or_split_data_file(secured_app, signed_in):
    client = signed_in("viewer")
    for view in VIEWS:
        response = client.post(
            "/_dash-update-component",
            json=body(secured_app, "overview", "data", "csv", **VIEWS[view][0]),
            headers=csrf(client),
        )
        assert response.status_code == 403, view


def _province_counts(engine, tmp_path: Path, flag: str) -> pd.DataFrame:
    """Each province's numerator and denominator of ``flag`` per period, summed here from the
    exact coverage contract's county rows."""
    contract = tmp_path / "coverage.csv"
    export_coverage(engine, contract, scope=NATION, exact=True)
    rows = pd.read_csv(contract, dtype={"county_code": str})
    side = INDICATOR_BY_FLAG[flag].side
    rows = rows[(rows["indicator"] == flag) & (rows["side"] == side)]
    rows = rows.assign(province=rows["county_code"].str[:2] + "0000")
    return rows.groupby(["province", "period"])[["numerator", "denominator"]].sum()


def _published_hidden(engine, flag: str, period: str) -> set[str]:
    """The provinces whose cell the published marts withhold (``etl.marts.read_published_coverage``:
    small cells and the cells that would give one away through a published sum)."""
    side = INDICATOR_BY_FLAG[flag].side
    frame = marts.read_published_coverage(engine, flag, scope=NATION, side=side, period=period)
    frame = frame[frame["level"] == "province"]
    return set(frame.loc[frame["suppressed"].astype(bool), "unit_code"].astype(str))


def test_the_trend_is_the_contracts_rates_withheld_as_the_marts(
    security_store, engine, signed_in, secured_app, tmp_path
):
    """One row per area and period; each rate the province's summed county numerator over its
    summed denominator; blank exactly where the published marts withhold the province's cell,
    and wherever the denominator is under the threshold."""
    _, data = page_file(secured_app, signed_in("analyst"), "trend", "data", "csv")
    table = pd.read_csv(
        io.BytesIO(csv_pair(data)["data"]), encoding="utf-8-sig", dtype={"code": str}
    )
    assert list(zip(table["code"], table["period"], strict=True)) == [
        (a, p) for a in AREAS for p in ("2010-01", "2010-02")
    ]
    sums = _province_counts(engine, tmp_path, "cert_verified")
    threshold = marts.small_cell_threshold(engine, scope=NATION)
    checked = withheld = 0
    for period in ("2010-01", "2010-02"):
        hidden = _published_hidden(engine, "cert_verified", period)
        for row in table[table["period"] == period].itertuples():
            assert bool(row.suppressed) == (row.code in hidden), (row.code, period)
            counts = sums.loc[(row.code, period)]
            if counts.denominator < threshold:
                assert row.suppressed, (row.code, period)
            if row.suppressed:
                assert pd.isna(row.value) and pd.isna(row.numerator) and pd.isna(row.denominator)
                withheld += 1
                continue
            assert row.value == pytest.approx(counts.numerator / counts.denominator, abs=1e-12)
            assert (row.numerator, row.denominator) == (counts.numerator, counts.denominator)
            checked += 1
    assert checked >= 5 and withheld >= 1, (checked, withheld)  # the store has both


def test_the_split_layer_is_each_measures_own_layer(
    security_store, engine, signed_in, secured_app, tmp_path
):
    """The split CSV's columns of each measure are that measure's one-period layer
    (``yipanqi export layer --measure M``), suppressed flags included; the cert_verified rates
    are the contract's counts' rates, withheld as the published marts withhold them."""
    _, data = page_file(secured_app, signed_in("analyst"), "split", "data", "csv")
    split = pd.read_csv(io.BytesIO(csv_pair(data)["data"]), encoding="utf-8-sig", dtype={"code": str})
    for measure in ("cert_verified", "inflow"):
        out = tmp_path / f"{measure}.csv"
        args = ["export", "layer", "--measure", measure, "--level", "province", "--period",
                "2010-02", "--lang", "en", "--store", security_store, "--out", str(out)]  # fmt: skip
        assert CliRunner().invoke(cli, args).exit_code == 0
        own = pd.read_csv(out, encoding="utf-8-sig", dtype={"code": str})
        for column in ("value", "numerator", "denominator", "suppressed"):
            pd.testing.assert_series_equal(
                split[f"{measure}_{column}"], own[column], check_names=False
            )
    sums = _province_counts(engine, tmp_path, "cert_verified")
    hidden = _published_hidden(engine, "cert_verified", "2010-02")
    checked = 0
    for row in split.itertuples():
        assert bool(row.cert_verified_suppressed) == (row.code in hidden), row.code
        if row.cert_verified_suppressed or (row.code, "2010-02") not in sums.index:
            continue
        counts = sums.loc[(row.code, "2010-02")]
        assert row.cert_verified_value == pytest.approx(counts.numerator / counts.denominator)
        checked += 1
    assert checked >= 3  # the provinces of the store not withheld


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--trend", "--second", "inflow"], "are different views"),
        (["--trend", "--compare", "2010-01"], "are different views"),
        (["--second", "inflow", "--start", "2010-01"], "are different views"),
        (["--areas", "310000"], "add --trend"),
        (["--trend", "--place", "310000"], "--place does not apply"),
    ],
)
@pytest.mark.parametrize("command", ["map", "layer"])
def test_the_cli_refuses_two_views_at_once(security_store, tmp_path, command, args, words):
    out = tmp_path / ("x.svg" if command == "map" else "x.csv")
    result = CliRunner().invoke(
        cli, ["export", command, *args, "--store", security_store, "--out", str(out)]
    )
    assert result.exit_code == 2 and words in result.output, result.output
    assert not out.exists()


def test_the_cli_refuses_the_trends_geojson_and_unknown_areas(security_store, tmp_path):
    for args, words in (
        (["--trend", "--level", "province", "--out", str(tmp_path / "t.geojson")],
         "a line has no map geometry"),
        (["--trend", "--level", "province", "--areas", "999999", "--out", str(tmp_path / "t.csv")],
         "no province 999999"),
        (["--second", "cert_verified", "--out", str(tmp_path / "t.csv")], "two different ones"),
    ):  # fmt: skip
        result = CliRunner().invoke(cli, ["export", "layer", *args, "--store", security_store])
        assert result.exit_code == 2 and words in result.output, result.output
    assert not list(tmp_path.iterdir())
