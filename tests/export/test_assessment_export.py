"""``yipanqi assessment`` end to end on the session's demo store: the workbook's two header rows,
scores and ranks recomputed here from the raw coverage table (provinces from the first two
digits of a county code, targets and weights read from the target file), the audit row, a
scoped account's rows, and a 2010 store's notes naming the 2010 targets."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from access import accounts
from access.audit import list_events
from etl.indicators import INDICATORS
from etl.pipeline import ingest
from etl.store import open_store
from tests.etl.helpers import TINY, file_target, file_targets, write_csv
from yipanqi.cli import app

PERIOD = "2012-12"


def _sheet(path, name: str) -> tuple[list, list, pd.DataFrame]:
    sheet = openpyxl.load_workbook(path)[name]
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), list(rows[1]), pd.DataFrame(rows[2:], columns=rows[1])


def _expected_province_scores(url: str) -> pd.DataFrame:
    """Destination scores per province, recomputed from the raw county coverage rows."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        cov = pd.read_sql_query(sa.text(
            "select county_code, side, indicator, numerator, denominator from coverage where period = :p"
        ), conn, params={"p": PERIOD})  # fmt: skip
        threshold = int(conn.execute(sa.text(
            "select value from store_meta where key = 'small_cell_threshold'")).scalar())  # fmt: skip
        members = pd.read_sql_query(
            sa.text("select region_code, province_code from region_members"), conn
        )
    engine.dispose()
    _goals, weight = file_targets()
    inflow = [i.flag for i in INDICATORS if i.side == "inflow"]
    cov = cov[(cov["side"] == "inflow") & cov["indicator"].isin(inflow)]
    cov["province_code"] = cov["county_code"].str[:2] + "0000"
    sums = (
        cov.groupby(["province_code", "indicator"])[["numerator", "denominator"]]
        .sum()
        .reset_index()
    )
    sums = sums[sums["denominator"] > 0]
    goal = sums["indicator"].map(lambda f: float(file_target(f, PERIOD)))
    sums["att"] = (sums["numerator"] / sums["denominator"] / goal).clip(upper=1)
    sums["w"] = sums["indicator"].map(weight)
    sums["watt"] = sums["att"] * sums["w"]
    by = sums.groupby("province_code")
    out = pd.DataFrame(
        {"score": by["watt"].sum() / by["w"].sum(), "smallest": by["denominator"].min()}
    )
    out["published"] = out["smallest"] >= threshold
    out = out.reset_index().merge(members, on="province_code", how="left")
    out["region_code"] = out["region_code"].fillna("other")
    shown = out[out["published"]].copy()
    shown["rank"] = (
        shown.groupby("region_code")["score"].rank(method="min", ascending=False).astype(int)
    )
    return out.merge(shown[["province_code", "region_code", "rank"]], how="left")


def test_the_workbook_has_both_headers_and_the_ranks_recomputed_here(store_and_layers, tmp_path):
    url, _layers = store_and_layers
    out = tmp_path / "assessment.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "assessment",
            "--store",
            url,
            "--period",
            PERIOD,
            "--level",
            "province",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    zh, en, data = _sheet(out, "考核 assessment")
    assert zh[:3] == ["报告期", "层级", "地区代码"] and en[:3] == ["Period", "Level", "Area code"]
    assert "考核得分" in zh and "Rank in region" in en
    dest = data[data["Role"] == "流入地 destination"]
    expected = _expected_province_scores(url)
    assert expected["published"].sum() >= 20 and expected["rank"].max() >= 5  # real comparisons
    got = dest.set_index(["Area code", "Region code"])
    for row in expected.itertuples():
        mine = got.loc[(row.province_code, row.region_code)]
        if row.published:
            assert mine["Score (0-1)"] == pytest.approx(row.score, abs=1e-9), row.province_code
            assert mine["Rank in region"] == row.rank, row.province_code
        else:
            assert mine["Score (0-1)"] is None and mine["Rank in region"] is None
            assert mine["Suppressed (small cell)"] is True
    assert len(dest) == len(expected)
    zh, en, owed = _sheet(out, "互欠 owed")
    assert "流出地欠账（人）" in zh and "Origin owes (estimated persons)" in en
    assert (owed["Origin province code"] != owed["Destination province code"]).all()
    _zh, _en, notes = _sheet(out, "说明 notes")
    free = notes.loc[notes["Key"] == "free_service", "Value"].item()
    assert "target 95% in force for 2012" in free and "003_190265b7089da91b.txt" in free
    engine = open_store(url)
    try:
        event = list_events(engine, action="export.assessment", limit=1)[0]
        assert event.object == "assessment.xlsx" and "period=2012-12" in event.detail
    finally:
        engine.dispose()


def test_a_scoped_account_gets_its_province_only(store_and_layers, tmp_path):
    url, _layers = store_and_layers
    engine = open_store(url)
    try:
        if accounts.get_account(engine, "assess.js") is None:
            accounts.add_account(
                engine, "assess.js", "analyst", "province:320000", password="assessment tests passphrase"
            )
    finally:
        engine.dispose()
    out = tmp_path / "js.csv"
    result = CliRunner().invoke(
        app,
        [
            "assessment",
            "--store",
            url,
            "--period",
            PERIOD,
            "--level",
            "county",
            "--out",
            str(out),
            "--as",
            "assess.js",
        ],
    )
    assert result.exit_code == 0, result.output
    data = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert len(data) and data["所属省份代码 Province code"].eq("320000").all()
    assert data["区域内排名 Rank in region"].isna().all()  # no region ranks below a region scope
    owed = pd.read_csv(out.with_suffix(".owed.csv"), dtype=str, encoding="utf-8-sig")
    assert owed.empty  # no pair has both provinces inside one province


def test_a_2010_export_names_the_2010_targets_and_suppresses_small_cells(tmp_path):
    url = f"sqlite:///{tmp_path / 'tiny.sqlite'}"
    ingest(
        [write_csv(tmp_path / "tiny.csv", TINY)],
        url,
        tmp_path / "data",
        "test-key-0123456789abcdef",
        small_cell=3,
    )
    out = tmp_path / "tiny.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "assessment",
            "--store",
            url,
            "--period",
            "2010-01",
            "--level",
            "county",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    _zh, _en, notes = _sheet(out, "说明 notes")
    free = notes.loc[notes["Key"] == "free_service", "Value"].item()
    assert "target 89% in force for 2010" in free
    _zh, _en, data = _sheet(out, "考核 assessment")
    # every denominator of the tiny store is under 3 somewhere: every score withheld, none ranked
    assert data["Suppressed (small cell)"].all() and data["Score (0-1)"].isna().all()
    assert data["Rank in province"].isna().all()


def test_an_unknown_period_or_format_is_one_line(store_and_layers, tmp_path):
    url, _layers = store_and_layers
    result = CliRunner().invoke(
        app,
        ["assessment", "--store", url, "--period", "2030-01", "--out", str(tmp_path / "a.xlsx")],
    )
    assert result.exit_code == 2 and "is not a period of the store" in result.output
    result = CliRunner().invoke(
        app, ["assessment", "--store", url, "--period", PERIOD, "--out", str(tmp_path / "a.pdf")]
    )
    assert result.exit_code == 2 and "--out must end in .xlsx or .csv" in result.output
