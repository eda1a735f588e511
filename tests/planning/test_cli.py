"""``yipanqi scenario run | list | show | delete`` on a store ingested from the tiny ETL fixture."""

from __future__ import annotations

import csv
import json

import typer
from rich.console import Console
from typer.testing import CliRunner

from etl.export import export_coverage
from etl.pipeline import ingest
from etl.scope import NATION
from etl.store import open_store
from tests.etl.helpers import TINY, write_csv
from yipanqi import cli, scenario_cli


def _app() -> typer.Typer:
    return cli.app  # the root app: its errors are answered in one line


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_run_writes_the_export_columns_and_the_baseline_when_nothing_changes(tmp_path, monkeypatch, sqlite_url):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YIPANQI_STORE_URL", raising=False)
    monkeypatch.setattr(scenario_cli, "console", Console(width=250))
    # threshold 1: only 0/0 rows are small cells, so the projected numbers can be checked
    ingest([write_csv(tmp_path / "records.csv", TINY)], sqlite_url, tmp_path / "data", demo=True, workers=0,
           small_cell=1)
    engine = open_store(sqlite_url)
    export_coverage(engine, tmp_path / "baseline.csv", scope=NATION)
    engine.dispose()
    runner = CliRunner()
    app = _app()

    zero = tmp_path / "zero.json"
    zero.write_text(json.dumps({"name": "zero", "levers": []}), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "run", str(zero), "--store", sqlite_url, "--out", str(tmp_path / "out0")])
    assert result.exit_code == 0, result.output
    rows = _rows(tmp_path / "out0" / "coverage.csv")
    assert rows[0] == [
        "period", "county_code", "side", "indicator", "numerator", "denominator", "scenario", "suppressed",
    ]
    assert [r[:6] + r[7:] for r in rows[1:]] == _rows(tmp_path / "baseline.csv")[1:]
    assert {r[6] for r in rows[1:]} == {"zero"}
    assert {r[7] for r in rows[1:]} == {"False"}  # every denominator is at least 1
    assert _rows(tmp_path / "out0" / "flows.csv")[0] == [
        "period", "origin_code", "destination_code", "baseline_persons", "persons", "scenario", "suppressed",
    ]
    gaps = _rows(tmp_path / "out0" / "gaps.csv")
    assert {r[1] for r in gaps[1:]} == {"county", "prefecture", "province", "region"}
    summary = json.loads((tmp_path / "out0" / "summary.json").read_text(encoding="utf-8"))
    assert summary["period"] == "2010-01" and summary["baseline_run_id"] == 1

    grow = tmp_path / "grow.json"
    grow.write_text(
        json.dumps(
            {"name": "浦东 plus-50", "levers": [{"kind": "growth", "percent": 50, "side": "inflow", "areas": ["310115"]}]},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out1"
    result = runner.invoke(app, ["scenario", "run", str(grow), "--store", sqlite_url, "--out", str(out), "--save", "--author", "me"])
    assert result.exit_code == 0, result.output
    base = {tuple(r[:4]): r[4:6] for r in _rows(tmp_path / "baseline.csv")[1:]}
    outflow: dict[str, list[float]] = {}
    for _, origin, _, before, after, _, _ in _rows(out / "flows.csv")[1:]:
        sums = outflow.setdefault(origin, [0.0, 0.0])
        sums[0] += float(before)
        sums[1] += float(after)
    for row in _rows(out / "coverage.csv")[1:]:
        num, den = base[tuple(row[:4])]
        if row[7] == "True":
            continue
        if row[2] == "inflow":
            factor = 1.5 if row[1] == "310115" else 1.0  # every flow into Pudong, its diagonal too
        else:
            factor = outflow[row[1]][1] / outflow[row[1]][0]  # origins sending to Pudong grow
        assert (float(row[4]), float(row[5])) == (
            round(int(num) * factor, 3), round(int(den) * factor, 3)
        )

    listed = runner.invoke(app, ["scenario", "list", "--store", sqlite_url])
    assert "浦东 plus-50" in listed.output and "me" in listed.output
    shown = runner.invoke(app, ["scenario", "show", "浦东 plus-50", "--store", sqlite_url])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["levers"][0]["percent"] == 50
    again = runner.invoke(app, ["scenario", "run", str(grow), "--store", sqlite_url, "--out", str(out), "--save"])
    assert again.exit_code == 2 and "saved already" in again.output
    assert runner.invoke(app, ["scenario", "delete", "浦东 plus-50", "--store", sqlite_url]).exit_code == 0
    missing = runner.invoke(app, ["scenario", "show", "浦东 plus-50", "--store", sqlite_url])
    assert missing.exit_code == 2 and "no saved scenario" in missing.output

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "bad", "levers": [{"kind": "growth", "percent": 5, "side": "inflow", "areas": ["999999"]}]}), encoding="utf-8")
    failed = runner.invoke(app, ["scenario", "run", str(bad), "--store", sqlite_url, "--out", str(tmp_path / "x")])
    assert failed.exit_code == 2 and "unknown area code(s) 999999" in failed.output
