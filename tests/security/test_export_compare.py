"""The overview's *Compare two periods* view in the download menu (``dashboard.export.compare``):
each download is the file ``yipanqi export map|layer --compare BEFORE --period AFTER`` writes,
byte for byte apart from the writers' own timestamps (``test_export_menu.comparable``); audited
under the signed-in account with the two spans; refused to a role that may not export data; the
change recomputed here from the coverage contract's county counts (``etl.export``)."""

from __future__ import annotations

import io
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
from yipanqi.cli import app as cli

BEFORE, AFTER = "2010-01", "2010-02"
COMPARE = {ids.OVERVIEW_MODE: "compare", ids.OVERVIEW_BEFORE: BEFORE, ids.OVERVIEW_AFTER: AFTER}
CLI_VIEW = ["--measure", "cert_verified", "--level", "province", "--lang", "en",
            "--compare", BEFORE, "--period", AFTER]  # fmt: skip


def page_file(secured_app, client, kind: str, fmt: str) -> tuple[str, bytes]:
    import base64

    response = client.post(
        "/_dash-update-component",
        json=body(secured_app, "overview", kind, fmt, **COMPARE),
        headers=csrf(client),
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    answer = response.get_json()["response"]
    sent = next(v["data"] for v in answer.values() if "data" in v)
    content = base64.b64decode(sent["content"]) if sent["base64"] else sent["content"].encode()
    return sent["filename"], content


def cli_file(store: str, tmp_path: Path, kind: str, fmt: str) -> bytes:
    out = tmp_path / f"cli.{fmt}"
    command = ["export", "map" if kind == "map" else "layer", *CLI_VIEW]
    result = CliRunner().invoke(cli, [*command, "--store", store, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize("fmt", DATA_FORMATS)
def test_the_compare_views_data_download_is_the_cli_file(
    secured_app, security_store, signed_in, engine, fmt, tmp_path
):
    client = signed_in("analyst")
    before = len(audit.list_events(engine, username=USERS["analyst"]))
    name, data = page_file(secured_app, client, "data", fmt)
    cli_bytes = cli_file(security_store, tmp_path, "data", fmt)
    if fmt == "csv":  # the CLI's CSV and its metadata file, in a .zip
        assert name == f"yipanqi-cert_verified-province-{BEFORE}-to-{AFTER}.csv.zip"
        assert csv_pair(data) == cli_csv_pair(cli_bytes, tmp_path)
    else:
        assert name == f"yipanqi-cert_verified-province-{BEFORE}-to-{AFTER}.{fmt}"
        assert comparable(data, fmt) == comparable(cli_bytes, fmt)
    events = audit.list_events(engine, username=USERS["analyst"])
    assert len(events) == before + 1 and events[0].action == "export.layer"
    assert f"compare={BEFORE}" in events[0].detail and f"period={AFTER}" in events[0].detail


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_the_compare_views_print_map_is_the_cli_file(
    secured_app, security_store, signed_in, engine, fmt, tmp_path
):
    need_chromium()
    client = signed_in("viewer")
    name, data = page_file(secured_app, client, "map", fmt)
    assert name.endswith(f".{fmt}")
    assert comparable(data, fmt) == comparable(cli_file(security_store, tmp_path, "map", fmt), fmt)
    event = audit.list_events(engine, action="export.map", username=USERS["viewer"])[0]
    assert f"compare={BEFORE}" in event.detail
    if fmt == "svg":  # the title, and the page's narrative (of AFTER) as every print has it
        assert "Change in" in data.decode() and "between-county movers" in data.decode()


def test_the_narrative_of_a_change_is_the_last_month_of_its_span(security_store):
    from dashboard.export.compare import CompareView
    from dashboard.export.source import store_context
    from tests.support import layer_cache

    with store_context(layer_cache(), security_store):
        assert (
            CompareView("cert_verified", "province", BEFORE, AFTER).narrative_view().period == AFTER
        )
        year = CompareView("cert_verified", "province", "2010", "2010").narrative_view()
        assert year.period == AFTER  # the store's last month of 2010, not a December it lacks


def test_a_viewer_gets_no_compare_data_file(secured_app, signed_in):
    client = signed_in("viewer")
    response = client.post(
        "/_dash-update-component",
        json=body(secured_app, "overview", "data", "csv", **COMPARE),
        headers=csrf(client),
    )
    assert response.status_code == 403
    assert b"\xef\xbb\xbf" not in response.get_data()


def test_the_change_is_the_marts_counts_difference_in_points(
    security_store, engine, signed_in, secured_app, tmp_path
):
    """Each province's rate in each period from the county numerators and denominators of the
    exact coverage contract, their difference times 100: the CSV's change in percentage points;
    a province whose denominator is under the threshold in either period is withheld."""
    _, data = page_file(secured_app, signed_in("analyst"), "data", "csv")
    table = pd.read_csv(
        io.BytesIO(csv_pair(data)["data"]), encoding="utf-8-sig", dtype={"code": str}
    )
    contract = tmp_path / "coverage.csv"
    export_coverage(engine, contract, scope=NATION, exact=True)
    rows = pd.read_csv(contract, dtype={"county_code": str})
    side = INDICATOR_BY_FLAG["cert_verified"].side
    rows = rows[(rows["indicator"] == "cert_verified") & (rows["side"] == side)]
    rows = rows.assign(province=rows["county_code"].str[:2] + "0000")
    sums = rows.groupby(["province", "period"])[["numerator", "denominator"]].sum()
    threshold = marts.small_cell_threshold(engine, scope=NATION)
    checked = 0
    for row in table.itertuples():
        try:
            old = sums.loc[(row.code, BEFORE)]
            new = sums.loc[(row.code, AFTER)]
        except KeyError:
            continue
        small = min(old.denominator, new.denominator) < threshold
        if small:
            assert row.suppressed, row.code
            continue
        if row.suppressed:
            continue  # withheld by a secondary rule (published marts): never a number
        expected = (new.numerator / new.denominator - old.numerator / old.denominator) * 100
        assert row.change == pytest.approx(expected, abs=1e-9), row.code
        checked += 1
    assert checked >= 3 and checked == int(table["change"].notna().sum())
    assert table["change_unit"].eq("pp").all()
