"""Early warning (``etl.alerts``) against expectations computed here with plain pandas.

Fixture: synthetic records of 上海 (2010-01 .. 2010-04) loaded into a store, then synthetic feeds of
the same months whose 公安 moves out are the records' departures (``record_departures``), with
injected faults: a report missing, one 20 days late, one 2 days late, and a moves-out count 7 above
the records. The expected feed and mismatch alerts of 2010-03 are computed from the feed CSV,
the records file, the hierarchy and the official calendar package (due dates): no code of
``etl.feeds`` or ``etl.alerts`` is called for them.
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources

import chinese_calendar
import numpy as np
import pandas as pd
import pytest

from etl import alerts as A
from etl import store
from etl.errors import AlertConfigError
from etl.feeds.ingest import ingest_feeds
from etl.marts import Scope, read_published_coverage, small_cell_threshold
from etl.pipeline import ingest
from geodata.hierarchy import hierarchy_table
from synthetic import feeds as synth
from synthetic import generate as gen

PERIOD = "2010-03"
SHANGHAI = Scope("province", "310000")
FEED_RULES = ("feed_missing", "feed_late", "origin_destination_mismatch")


def due(period: str) -> date:
    year, month = int(period[:4]), int(period[5:])
    day = date(year + month // 12, month % 12 + 1, 3)
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("alerts")
    url = f"sqlite:///{tmp / 'store.db'}"
    inputs = gen.province_inputs(2010, ("310000", "330000"))
    spec = gen.OutputSpec(tmp / "r.parquet")
    options = gen.GenerateOptions(
        fraction=1e-3, first_period="2010-01", last_period="2010-04", seed=4
    )
    gen.write_records(inputs, options, spec)
    records = pd.read_parquet(spec.path)
    ingest([spec.path], url, tmp / "data", demo=True, workers=0)
    engine = store.open_store(url)
    departures = synth.record_departures(engine)
    arrivals = synth.record_arrivals(engine)
    engine.dispose()
    codes = sorted(c for c in inputs.counties["county_code"] if c.startswith("31"))
    injections = (
        synth.Injection("health", codes[0], PERIOD, None),
        synth.Injection("civil_affairs", codes[1], PERIOD, 20),
        synth.Injection("commerce", codes[2], PERIOD, 2),
    )
    mismatches = (synth.Mismatch(codes[3], PERIOD, 7),)
    feed_options = synth.FeedOptions(
        seed=11, first_period="2010-01", last_period="2010-04", fraction=2e-3,
        injections=injections, mismatches=mismatches,
    )  # fmt: skip
    path = tmp / "feeds.csv"
    synth.write_feeds(inputs, feed_options, path, arrivals=arrivals, departures=departures)
    ingest_feeds([str(path)], url, tmp / "data", today=date(2013, 1, 1))
    feeds = pd.read_csv(path, dtype={"county_code": str, "period": str})
    engine = store.open_store(url)
    engine.paths = (spec.path, path)  # type: ignore[attr-defined]  # for a second database
    yield engine, feeds, records, codes
    engine.dispose()


def expected_feed_alerts(
    feeds: pd.DataFrame, records: pd.DataFrame, threshold: int
) -> pd.DataFrame:
    h = hierarchy_table()
    counties = h.loc[
        h["in_coverage"].astype(bool) & (h["province_code"] == "310000"), "county_code"
    ]
    departments = ["public_security", "civil_affairs", "health", "commerce", "construction",
                   "human_resources"]  # fmt: skip
    owed = pd.MultiIndex.from_product(
        [departments, sorted(counties)], names=["department", "county_code"]
    )
    month = feeds[(feeds["period"] == PERIOD) & feeds["county_code"].str.startswith("31")]
    last = month.groupby(["department", "county_code"])["submitted_at"].max()
    rows = []
    for key in owed.difference(last.index):
        rows.append(("feed_missing", "high", *key))
    days = (pd.to_datetime(last).dt.normalize() - pd.Timestamp(due(PERIOD))).dt.days
    for key, d in days[days > 0].items():
        rows.append(("feed_late", "high" if d >= 14 else "medium", *key))
    moved = records[(records["arrival_date"].str[:7] == records["period"])
                    & (records["hukou_code"] != records["residence_code"]) & (records["period"] == PERIOD)]  # fmt: skip
    left = moved.groupby("hukou_code").size()
    out = month[month["item"] == "moves_out"].set_index("county_code")["count"]
    both = pd.concat([out.rename("fed"), left.rename("rec")], axis=1, join="inner")
    for code, r in both[both["fed"] != both["rec"]].iterrows():
        severe = abs(r["fed"] - r["rec"]) >= 0.2 * max(r["rec"], 1)
        rows.append(
            ("origin_destination_mismatch", "high" if severe else "medium", "public_security", code)
        )
    return pd.DataFrame(rows, columns=["rule", "severity", "department", "unit_code"])


def keyed(frame: pd.DataFrame) -> set[tuple]:
    return set(
        frame[["rule", "severity", "department", "unit_code"]].itertuples(index=False, name=None)
    )


def test_feed_and_mismatch_alerts_are_exactly_the_expected_ones(world):
    engine, feeds, records, codes = world
    threshold = small_cell_threshold(engine, scope=SHANGHAI)
    got = A.alerts_table(engine, PERIOD, scope=SHANGHAI)
    mine = got[got["rule"].isin(FEED_RULES)]
    expected = expected_feed_alerts(feeds, records, threshold)
    assert keyed(mine) == keyed(expected)
    assert len(mine) == len(expected)  # no duplicates
    # the injections are among them, as injected
    assert ("feed_missing", "high", "health", codes[0]) in keyed(mine)
    assert ("feed_late", "high", "civil_affairs", codes[1]) in keyed(mine)
    assert ("feed_late", "medium", "commerce", codes[2]) in keyed(mine)
    mismatch = mine[
        (mine["rule"] == "origin_destination_mismatch") & (mine["unit_code"] == codes[3])
    ]
    assert len(mismatch) == 1 and mismatch["score"].iloc[0] == 7
    late = mine[(mine["rule"] == "feed_late") & (mine["unit_code"] == codes[1])]
    assert late["value"].iloc[0] == 20 and "20" in late["reason_zh"].iloc[0]
    assert (got["link"] == "/area/" + got["unit_code"] + "?period=" + PERIOD).all()
    assert got["reason_zh"].str.len().gt(0).all() and got["reason_en"].str.len().gt(0).all()
    # most severe first
    order = got["severity"].map({"high": 0, "medium": 1, "low": 2})
    assert order.is_monotonic_increasing


def test_a_small_mismatch_names_no_number(world):
    engine, *_ = world
    got = A.alerts_table(engine, PERIOD, scope=SHANGHAI)
    small = got[got["small_cell"]]
    out = A.published_alerts(got)
    assert out.loc[small.index, ["value", "reference", "score"]].isna().all().all()
    for reason in small["reason_en"]:
        assert not any(ch.isdigit() for ch in reason.replace(PERIOD, ""))


def test_coverage_alerts_are_published_cells_under_target_or_falling(world):
    engine, *_ = world
    got = A.alerts_table(engine, PERIOD, scope=SHANGHAI)
    coverage = read_published_coverage(engine, scope=SHANGHAI, period=PERIOD)
    coverage = coverage[coverage["level"].isin(["county", "prefecture", "province"])]
    shown = coverage[~coverage["suppressed"] & (coverage["denominator"] > 0)]
    targets = {
        "cert_issued": 98,
        "cert_verified": 98,
        "health_check": 98,
        "contraception": 98,
        "free_service": 89,
        "pregnancy_check": 90,
        "free_contraceptives": 90,
        "prepregnancy_consult": 80,
        "policy_aware": 90,
    }  # 2010, etl/targets.toml by hand
    below = shown[shown["numerator"] * 100 < shown["denominator"] * shown["indicator"].map(targets)]
    expected = set(zip(below["unit_code"], below["indicator"], strict=True))
    mine = got[got["rule"] == "coverage_below_target"]
    assert set(zip(mine["unit_code"], mine["indicator"], strict=True)) == expected
    # a drop: more than 10 points against 2010-02, both months' cells published
    before = read_published_coverage(engine, scope=SHANGHAI, period="2010-02")
    keys = ["level", "unit_code", "side", "indicator"]
    pair = shown.merge(
        before[~before["suppressed"] & (before["denominator"] > 0)], on=keys, suffixes=("", "_b")
    )
    fall = 100 * (
        pair["numerator_b"] / pair["denominator_b"] - pair["numerator"] / pair["denominator"]
    )
    expected_drops = set(
        zip(pair.loc[fall > 10, "unit_code"], pair.loc[fall > 10, "indicator"], strict=True)
    )
    drops = got[got["rule"] == "coverage_drop"]
    assert set(zip(drops["unit_code"], drops["indicator"], strict=True)) == expected_drops


def test_inflow_seasonal_against_a_hand_made_history():
    history = np.array([100.0, 104.0, 98.0])
    # median 100, deviations 0, 4, 2: MAD 2; 1.4826 x 2 < 5% of 100, so the spread is 5
    assert A.robust_z(104.0, history, 0.05) == pytest.approx(0.8)
    assert A.robust_z(130.0, history, 0.0) == pytest.approx(30 / (1.4826 * 2))
    assert np.isnan(A.robust_z(100.0, np.array([0.0, 0.0]), 0.05))
    config = A.load_alerts()
    rows = [  # unit, then inflow in March 2009, 2010, 2011, 2012
        ("A", [1000, 1040, 980, 1500]),  # z = 500 / 50 = 10: high
        ("B", [1000, 1040, 980, 1200]),  # z = 4: medium
        ("C", [1000, 1040, 980, 1100]),  # z = 2: none
        ("D", [1000, 5, 980, 3000]),  # a small cell in the history: none
        ("E", [1000, 1040, 980, 7]),  # small now: none
        ("F", [1000, 1000, 1000, 400]),  # flat history: spread 5% of 1000, z = -12: high
    ]
    flows = pd.DataFrame(
        [(f"{y}-03", u, v) for u, vs in rows for y, v in zip(range(2009, 2013), vs, strict=True)]
        + [("2012-02", "A", 9999)],  # another month: not history
        columns=["period", "unit_code", "inflow"],
    )
    got = A.seasonal_alerts(flows, "county", "2012-03", config, threshold=10)
    assert dict(zip(got["unit_code"], got["severity"], strict=True)) == {
        "A": "high",
        "B": "medium",
        "F": "high",
    }
    assert got.set_index("unit_code")["score"].to_dict() == pytest.approx(
        {"A": 10.0, "B": 4.0, "F": -12.0}
    )
    assert "低于" in got.set_index("unit_code").loc["F", "reason_zh"]
    # 2010: one year of history, under min_years 2: nothing
    assert A.seasonal_alerts(flows, "county", "2010-03", config, threshold=10).empty


def test_thresholds_come_from_the_file(world, tmp_path):
    engine, *_ = world
    text = resources.files("etl").joinpath("alerts.toml").read_text(encoding="utf-8")
    path = tmp_path / "alerts.toml"
    path.write_text(text.replace("high_after_days = 14", "high_after_days = 30"), encoding="utf-8")
    config = A.load_alerts(path)
    got = A.alerts_table(engine, PERIOD, scope=SHANGHAI, config=config)
    late = got[got["rule"] == "feed_late"]
    assert (late["severity"] == "medium").all()
    off = A.AlertRules(
        {**config.settings, "feed_missing": {**config.settings["feed_missing"], "enabled": False}},
        "x",
    )
    assert not (
        A.alerts_table(engine, PERIOD, scope=SHANGHAI, config=off)["rule"] == "feed_missing"
    ).any()


def test_a_broken_rule_file_names_every_problem(tmp_path):
    text = resources.files("etl").joinpath("alerts.toml").read_text(encoding="utf-8")
    text = text.replace('severity = "high"', 'severity = "urgent"', 1).replace("z = 3.5", "z = -1")
    text += "\n[nonsense]\nenabled = true\n"
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AlertConfigError) as caught:
        A.load_alerts(path)
    lines = str(caught.value).splitlines()
    assert any("feed_missing.severity must be one of" in line for line in lines)
    assert any("inflow_seasonal.z must be a number" in line for line in lines)
    assert any("unknown rule [nonsense]" in line for line in lines)
    assert all(line.startswith(str(path)) for line in lines)


def test_an_unknown_period_is_one_clear_error(world):
    engine, *_ = world
    with pytest.raises(ValueError, match="no period '2031-01'"):
        A.alerts_table(engine, "2031-01", scope=SHANGHAI)


def test_the_generator_moves_out_are_the_departures_but_the_injected(world):
    engine, feeds, records, codes = world
    departures = synth.record_departures(engine)
    out = feeds[feeds["item"] == "moves_out"].merge(departures, on=["period", "county_code"])
    assert len(out) > 20
    same = (out["count"] == out["persons"]).mean()
    assert 0.5 < same < 1  # most agree, some are drawn mismatched
    one = out[(out["county_code"] == codes[3]) & (out["period"] == PERIOD)]
    assert int(one["count"].iloc[0]) == int(one["persons"].iloc[0]) + 7


def test_the_fixture_raises_every_kind_of_alert(world):
    engine, *_ = world
    got = A.alerts_table(engine, PERIOD, scope=SHANGHAI)
    counts = got["rule"].value_counts()
    for rule in (
        "feed_missing",
        "feed_late",
        "coverage_below_target",
        "origin_destination_mismatch",
    ):
        assert counts.get(rule, 0) > 0, rule


def test_the_command_writes_the_workbook_with_both_headers_and_an_audit_row(world, tmp_path):
    import openpyxl
    from typer.testing import CliRunner

    from access import accounts
    from access.audit import list_events
    from yipanqi.cli import app

    engine, *_ = world
    url = str(engine.url)
    out = tmp_path / "alerts.xlsx"
    result = CliRunner().invoke(
        app, ["alerts", "--store", url, "--period", PERIOD, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["预警 alerts"].iter_rows(values_only=True))
    assert "预警原因" in rows[0] and "Reason (English)" in rows[1]
    table = pd.DataFrame(rows[2:], columns=rows[1])
    everything = A.alerts_table(engine, PERIOD, scope=_nation())
    assert len(table) == len(everything)
    small = table[table["Suppressed (small cell)"] == True]  # noqa: E712 - a cell value
    assert small["Value"].isna().all() and small["Reference"].isna().all()
    assert set(table["Area page"].str.startswith("/area/")) == {True}
    event = list_events(engine, action="export.alerts", limit=1)[0]
    assert event.object == "alerts.xlsx" and f"period={PERIOD}" in event.detail
    # a province-scoped account gets its province only
    if accounts.get_account(engine, "alerts.zj") is None:
        accounts.add_account(
            engine, "alerts.zj", "analyst", "province:330000", password="alert tests passphrase"
        )
    csv_out = tmp_path / "zj.csv"
    result = CliRunner().invoke(
        app,
        ["alerts", "--store", url, "--period", PERIOD, "--out", str(csv_out), "--as", "alerts.zj"],
    )
    assert result.exit_code == 0, result.output
    zj = pd.read_csv(csv_out, dtype=str, encoding="utf-8-sig")
    assert len(zj) > 0 and zj["所属省份代码 Province code"].eq("330000").all()
    assert csv_out.with_suffix(".notes.csv").exists()


def _nation():
    from etl.marts import NATION

    return NATION


def test_bad_command_input_is_one_line(world, tmp_path):
    from typer.testing import CliRunner

    from yipanqi.cli import app

    engine, *_ = world
    url = str(engine.url)
    for args, words in (
        (
            ["--period", "2031-01", "--out", str(tmp_path / "a.xlsx")],
            "is not a period of the store",
        ),
        (["--period", PERIOD, "--out", str(tmp_path / "a.pdf")], "--out must end in"),
    ):
        result = CliRunner().invoke(app, ["alerts", "--store", url, *args])
        assert result.exit_code != 0 and words in result.output, result.output
        assert "Traceback" not in result.output


def test_rules_switched_off_leave_a_table_of_every_column(world):
    engine, *_ = world
    config = A.load_alerts()
    settings = {
        rule: {**values, "enabled": rule == "coverage_below_target"}
        for rule, values in config.settings.items()
    }
    got = A.alerts_table(engine, PERIOD, scope=SHANGHAI, config=A.AlertRules(settings, "x"))
    assert list(got.columns) == list(A.ALERT_COLUMNS) and set(got["rule"]) == {
        "coverage_below_target"
    }
    assert (got["department"] == "").all()
    none = {rule: {**values, "enabled": False} for rule, values in config.settings.items()}
    assert list(
        A.alerts_table(engine, PERIOD, scope=SHANGHAI, config=A.AlertRules(none, "x")).columns
    ) == list(A.ALERT_COLUMNS)


def test_the_environment_variable_installs_another_rule_file(tmp_path):
    from yipanqi.settings import install_targets

    text = resources.files("etl").joinpath("alerts.toml").read_text(encoding="utf-8")
    path = tmp_path / "alerts.toml"
    path.write_text(text.replace("points = 10.0", "points = 12.5"), encoding="utf-8")
    install_targets({"YIPANQI_ALERTS": str(path)})
    try:
        assert A.active_alerts().source == str(path)
        assert A.active_alerts()["coverage_drop", "points"] == 12.5
        path.write_text(text.replace("min_years = 2", "min_years = 0"), encoding="utf-8")
        with pytest.raises(
            AlertConfigError, match="inflow_seasonal.min_years must be a whole number"
        ):
            install_targets({"YIPANQI_ALERTS": str(path)})
    finally:
        install_targets({})
    assert A.active_alerts().source == "<packaged alerts.toml>"


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
def test_the_same_alerts_on_either_database(world, store_url, tmp_path):
    engine, *_ = world
    records, feeds = engine.paths
    ingest([records], store_url, tmp_path / "data", demo=True, workers=0)
    ingest_feeds([str(feeds)], store_url, tmp_path / "data", today=date(2013, 1, 1))
    other = store.open_store(store_url)
    try:
        got = A.alerts_table(other, PERIOD, scope=SHANGHAI)
    finally:
        other.dispose()
    want = A.alerts_table(engine, PERIOD, scope=SHANGHAI)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
