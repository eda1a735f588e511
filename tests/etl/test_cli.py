"""The ETL commands as a user types them: ingest, runs, aggregate, export."""

from __future__ import annotations

import typer
from rich.console import Console
from typer.testing import CliRunner

from tests.etl.helpers import MESSY, TINY, write_csv
from yipanqi import cli, etl_cli


def _app() -> typer.Typer:
    return cli.app  # the root app: its errors are answered in one line


def test_ingest_runs_aggregate_and_exports(tmp_path, monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YIPANQI_STORE_URL", raising=False)
    monkeypatch.delenv("YIPANQI_HASH_KEY", raising=False)
    monkeypatch.setattr(etl_cli, "console", Console(width=250))
    runner = CliRunner()
    app = _app()
    path = write_csv(tmp_path / "records.csv", TINY + MESSY)

    refused = runner.invoke(app, ["ingest", str(path)])
    assert refused.exit_code == 2
    assert "YIPANQI_HASH_KEY" in refused.output

    result = runner.invoke(app, ["ingest", str(path), "--demo"])
    assert result.exit_code == 0, result.output
    assert "in 32 = loaded 16 + quarantined 16" in result.output

    again = runner.invoke(app, ["ingest", str(path), "--demo"])
    assert "unchanged: already loaded by run 1" in again.output
    assert "in 0 = loaded 0 + quarantined 0" in again.output

    runs = runner.invoke(app, ["runs", "--inputs"])
    assert runs.exit_code == 0 and "succeeded" in runs.output and "records.csv" in runs.output

    assert runner.invoke(app, ["aggregate", "--small-cell", "5"]).exit_code == 0

    for kind, header in (
        ("flows", "period,hukou_code,residence_code,cohort,persons,suppressed"),
        ("coverage", "period,county_code,side,indicator,numerator,denominator,suppressed"),
        ("quarantine", "source,row_number,reason"),
    ):
        out = tmp_path / f"{kind}.csv"
        result = runner.invoke(app, ["export", kind, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8").splitlines()[0] == header
    assert len((tmp_path / "quarantine.csv").read_text(encoding="utf-8").splitlines()) == 17


def test_export_group_accepts_more_commands():
    assert isinstance(etl_cli.export_app, typer.Typer)
    names = {c.name for c in etl_cli.export_app.registered_commands}
    assert {"flows", "coverage", "quarantine"} <= names
