"""Older GB/T 2260 county codes are mapped to the current code, or quarantined saying why.

The expected successors are read here from the GB/T 2260 history itself
(``data/reference/gbt2260-areacodes/result.csv``), not taken from ``geodata.codes``.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from rich.console import Console
from typer.testing import CliRunner

from etl import marts, store
from etl.pipeline import ingest
from etl.scope import NATION
from etl.stage import CodeBook, stage_batch
from geodata.hierarchy import hierarchy_table
from tests.etl.helpers import FIELDS, P, Z, record, write_csv
from yipanqi import etl_cli

KEY = "test-key-0123456789abcdef"
HISTORY = (
    Path(__file__).resolve().parents[2] / "data" / "reference" / "gbt2260-areacodes" / "result.csv"
)


def _history() -> dict[str, list[dict[str, str]]]:
    """code -> its records (代码, 名称, 状态, 启用时间, 变更/弃用时间, 新代码) as the file has them."""
    out: dict[str, list[dict[str, str]]] = {}
    with HISTORY.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["代码"], []).append(row)
    return out


@pytest.fixture(scope="module")
def history() -> dict[str, list[dict[str, str]]]:
    return _history()


@pytest.fixture(scope="module")
def codes() -> CodeBook:
    return CodeBook.from_hierarchy(hierarchy_table())


def _only(history, code: str) -> dict[str, str]:
    (row,) = history[code]
    return row


def test_the_history_says_what_the_tests_expect(history, codes):
    # 110103 崇文区 was abolished in 2010, its area going to 110101 东城区, still in use
    chongwen = _only(history, "110103")
    assert (chongwen["名称"], chongwen["状态"], chongwen["变更/弃用时间"], chongwen["新代码"]) == (
        "崇文区",
        "弃用",
        "2010",
        "110101",
    )
    assert _only(history, "110101")["状态"] == "在用" and codes.valid[110101]
    # 330103 下城区 (in use in 2010) was merged into 330105 拱墅区 in 2021
    xiacheng = _only(history, "330103")
    assert (xiacheng["状态"], xiacheng["变更/弃用时间"], xiacheng["新代码"]) == (
        "弃用",
        "2021",
        "330105",
    )
    assert codes.valid[330105]
    # 130421 邯郸县 was split in 2016 between 130402 邯山区 and 130403 丛台区 (part to 130404 in 2014)
    handan = _only(history, "130421")
    assert (handan["状态"], handan["变更/弃用时间"], handan["新代码"]) == (
        "弃用",
        "2016",
        "130404[2014];130402;130403",
    )
    assert codes.valid[130402] and codes.valid[130403]
    # 352427 金门县 (晋江地区) became 350527, which is outside the census coverage
    assert _only(history, "352427")["新代码"] == "350527" and codes.outside[350527]
    # 110199 never existed
    assert "110199" not in history
    for code in (110103, 330103, 130421, 352427, 110199):
        assert not codes.valid[code] and not codes.outside[code]


def _rows() -> tuple[list[dict[str, str]], dict[int, str]]:
    """Records with older codes, and the expected quarantine reason per row number."""

    def rec(hukou: str, residence: str, seq: int, period: str = "2010-01") -> dict[str, str]:
        return record(
            2, "1980-05-10", 20, hukou, residence, "111111111", period=period, sequence=seq
        )

    rows = [
        rec(Z, P, 2),  # 1 valid, untouched
        rec("110103", P, 4),  # 2 崇文区 -> 东城区: loaded as 110101
        rec(Z, "330103", 6),  # 3 下城区 -> 拱墅区: loaded as 330105
        rec("130421", P, 8),  # 4 ambiguous split
        rec("110199", P, 10),  # 5 never existed
        rec(Z, "352427", 12),  # 6 current county outside coverage
        rec("110103", "110101", 14, period="2011-06"),  # 7 mapped, now an intra-county mover
        rec("110103", P, 16, period="2010-13"),  # 8 invalid period: not looked up
        rec("330103", "110103", 18),  # 9 both fields mapped
    ]
    reasons = {
        4: "hukou_code: unknown code 130421 (ambiguous split: 130402;130403)",
        5: "hukou_code: unknown code (code not in GB/T 2260 history)",  # not named: not a published code
        6: "residence_code: outside the census coverage: 352427 (now 350527)",
        8: "hukou_code: unknown code 110103; period: not a YYYY-MM month",
    }
    return rows, reasons


def test_ingest_maps_older_codes_and_quarantines_the_rest(tmp_path, store_url):
    rows, reasons = _rows()
    path = write_csv(tmp_path / "old.csv", rows)
    summary = ingest([path], store_url, tmp_path / "data", KEY)

    assert summary.n_in == len(rows) == summary.n_loaded + summary.n_quarantined
    assert (summary.n_loaded, summary.n_quarantined) == (5, 4)
    assert summary.remapped == {"hukou_code": 3, "residence_code": 2}  # rows 2, 7, 9; rows 3, 9
    assert summary.rule_counts["hukou_code: unknown code"] == 3
    engine = store.open_store(store_url)
    try:
        q = store.read_quarantine(engine)
        assert dict(zip(q["row_number"], q["reason"], strict=True)) == reasons
        run = store.latest_run(engine)
        assert run is not None
        assert (
            "older GB/T 2260 codes mapped to current codes: hukou_code 3, residence_code 2"
            in run.message
        )
        data = marts.read_flows(engine, cohort="all", scope=NATION)
    finally:
        engine.dispose()

    flows = {
        (r.period, r.origin_code, r.destination_code): r.persons for r in data.itertuples()
    }
    assert flows == {
        ("2010-01", Z, P): 1,
        ("2010-01", "110101", P): 1,
        ("2010-01", Z, "330105"): 1,
        ("2010-01", "330105", "110101"): 1,
        ("2011-06", "110101", "110101"): 1,
    }


def test_cli_prints_the_mapped_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YIPANQI_STORE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.delenv("YIPANQI_HASH_KEY", raising=False)
    monkeypatch.setattr(etl_cli, "console", Console(width=250))
    from yipanqi.cli import app

    rows, _ = _rows()
    result = CliRunner().invoke(
        app, ["ingest", str(write_csv(tmp_path / "old.csv", rows)), "--demo"]
    )
    assert result.exit_code == 0, result.output
    assert "hukou_code: 3 older GB/T 2260 codes mapped to current codes" in result.output
    assert "residence_code: 2 older GB/T 2260 codes mapped to current codes" in result.output


def _batch(rows: list[dict[str, str]]) -> pa.Table:
    return pa.table({f: pa.array([r[f] for r in rows], pa.string()) for f in FIELDS})


def test_valid_codes_are_never_looked_up(monkeypatch, codes):
    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError("a valid code went to the crosswalk")

    monkeypatch.setattr(CodeBook, "resolve", refuse)
    rows = [record(2, "1980-05-10", 20, Z, P, "111111111", sequence=s) for s in range(0, 40, 2)]
    rows.append(
        record(2, "1980-05-10", 20, Z, "810001", "111111111", sequence=50)
    )  # outside: no look-up
    staged = stage_batch(_batch(rows), {f: f for f in FIELDS}, 1, codes)
    assert staged.records.num_rows == 20 and staged.remapped == {}


def test_answers_are_cached_per_code_and_year(monkeypatch):
    import geodata.codes

    calls: list[list[str]] = []
    real = geodata.codes.crosswalk

    def counting(census_codes, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        census_codes = list(census_codes)
        calls.append(census_codes)
        return real(census_codes, *args, **kwargs)

    monkeypatch.setattr(geodata.codes, "crosswalk", counting)
    book = CodeBook.from_hierarchy(hierarchy_table())  # a fresh cache
    rows = [
        record(2, "1980-05-10", 20, "110103", P, "111111111", sequence=s) for s in range(0, 400, 2)
    ]
    rows += [dict(r, period="2011-03") for r in rows[:10]]
    batch = _batch(rows)
    results: list = []

    def stage() -> None:
        results.append(stage_batch(batch, {f: f for f in FIELDS}, 1, book))

    threads = [threading.Thread(target=stage) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stage()
    # two years, one distinct code each: one crosswalk call per year, however many rows and threads
    assert sorted(map(tuple, calls)) == [("110103",), ("110103",)]
    for staged in results:
        assert staged.quarantine.num_rows == 0
        assert staged.remapped == {"hukou_code": 210}
        assert set(staged.records["hukou_code"].to_pylist()) == {110101}


def test_resolve_aligns_answers_with_rows(codes):
    targets, whys = codes.resolve(
        np.array([130421, 110103, 130421, 110199]), np.array([2010, 2010, 2010, 2010])
    )
    assert targets.tolist() == [0, 110101, 0, 0]
    assert whys == [
        "ambiguous split: 130402;130403",
        "",
        "ambiguous split: 130402;130403",
        "code not in GB/T 2260 history",
    ]
