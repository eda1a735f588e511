"""The alerts map and layer (``yipanqi export map|layer --measure alerts``, the monitoring page's
map and download menu): the counts per unit against a count made here from ``etl.alerts`` and the
boundary hierarchy with plain pandas; the filters; the classes; bad options as one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import yipanqi.export_cli  # noqa: F401 - adds map and layer to the export group
from access import audit
from dashboard.classify import count_classes
from etl.alerts import alerts_table
from etl.scope import NATION
from etl.store import open_store
from geodata.areas import regions
from geodata.hierarchy import hierarchy_table
from yipanqi.cli import app


@pytest.fixture
def env(store_and_layers, monkeypatch):
    url, layers = store_and_layers
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layers.root.parents[1]))
    return url


def _alerts(url: str, period: str) -> pd.DataFrame:
    engine = open_store(url)
    try:
        return alerts_table(engine, period, scope=NATION)
    finally:
        engine.dispose()


def _latest(url: str) -> str:
    from etl import marts

    engine = open_store(url)
    try:
        return marts.periods(engine, scope=NATION)[-1]
    finally:
        engine.dispose()


def _expected(alerts: pd.DataFrame, level: str, provinces: set[str] | None) -> pd.DataFrame:
    """Alerts per unit of ``level``: a county's own; a prefecture's own and its counties'."""
    h = hierarchy_table()
    h = h[h["in_coverage"].astype(bool)]
    if provinces is not None:
        alerts = alerts[alerts["province_code"].isin(provinces)]
    rows = []
    for code, group in h.groupby(f"{level}_code"):
        if provinces is not None and group["province_code"].iloc[0] not in provinces:
            continue
        mine = {code} | (set(group["county_code"]) if level == "prefecture" else set())
        got = alerts[alerts["unit_code"].isin(mine)]
        rows.append(
            {"code": code, "value": len(got),
             **{s: int((got["severity"] == s).sum()) for s in ("high", "medium", "low")}}
        )  # fmt: skip
    return pd.DataFrame(rows).set_index("code").sort_index()


def _layer(env: str, tmp_path, *args: str) -> pd.DataFrame:
    out = tmp_path / "alerts.csv"
    result = CliRunner().invoke(
        app,
        ["export", "layer", "--store", env, "--out", str(out), "--measure", "alerts", *args],
    )
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, dtype={"code": str, "province_code": str}, encoding="utf-8-sig")


@pytest.mark.parametrize("level", ["prefecture", "county"])
def test_the_layer_counts_each_units_alerts(env, tmp_path, level):
    period = _latest(env)
    alerts = _alerts(env, period)
    assert len(alerts) > 0
    got = _layer(env, tmp_path, "--level", level).set_index("code").sort_index()
    want = _expected(alerts, level, None)
    assert list(got.index) == list(want.index)
    for column in ("value", "high", "medium", "low"):
        assert got[column].tolist() == want[column].tolist(), column
    assert not got["suppressed"].any()
    assert (got["period"] == period).all()
    # every alert of a county or prefecture is on the prefecture map, once (重庆 500000 is a
    # province and its own prefecture: its province alerts are that prefecture's)
    if level == "prefecture":
        h = hierarchy_table()
        units = set(h["county_code"]) | set(h["prefecture_code"])
        assert got["value"].sum() == alerts["unit_code"].isin(units).sum()
        assert got["value"].sum() >= (alerts["level"] != "province").sum()


def test_the_filters_region_department_severity(env, tmp_path):
    period = _latest(env)
    alerts = _alerts(env, period)
    alerts = alerts[(alerts["department"] == "public_security") & (alerts["severity"] == "high")]
    region = regions(None).region("pan_yangtze")
    got = _layer(
        env, tmp_path, "--level", "county", "--place", "pan_yangtze",
        "--department", "public_security", "--severity", "high",
    ).set_index("code").sort_index()  # fmt: skip
    want = _expected(alerts, "county", set(region.province_codes))
    assert list(got.index) == list(want.index)  # the region's units only
    assert got["value"].tolist() == want["value"].tolist()
    assert got["value"].sum() == len(alerts[alerts["province_code"].isin(region.province_codes)])
    assert (got["department"] == "public_security").all() and (got["severity"] == "high").all()
    engine = open_store(env)
    try:
        event = audit.list_events(engine, action="export.layer", limit=1)[0]
    finally:
        engine.dispose()
    assert "department=public_security" in event.detail and "severity=high" in event.detail


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--measure", "alerts", "--level", "province"], "one of prefecture, county"),
        (["--measure", "alerts", "--severity", "urgent"], "unknown severity 'urgent'"),
        (["--measure", "alerts", "--department", "police"], "unknown department 'police'"),
        (["--measure", "alerts", "--place", "310000"], "nation or of a region"),
        (["--measure", "inflow", "--severity", "high"], "filter an alerts map"),
        (["--measure", "inflow", "--place", "pan_yangtze"], "layer of alerts"),
    ],
)
def test_bad_alert_options_are_one_line_with_exit_2(env, tmp_path, args, words):
    out = tmp_path / "x.csv"
    result = CliRunner().invoke(
        app, ["export", "layer", "--store", env, "--out", str(out), *args]
    )
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_count_classes_put_every_count_in_the_class_its_label_names():
    counts = np.array([0, 0, 1, 1, 1, 2, 3, 4, 7, 9, 15, 40])
    classes = count_classes(counts, "none")
    assert classes.labels[0] == "none"
    number = classes.index(counts.astype(float)).astype(int)
    for value, k in zip(counts, number, strict=True):
        label = classes.labels[k]
        if value == 0:
            assert label == "none"
        else:
            low, _, high = label.partition(" – ")
            assert int(low.replace(",", "")) <= value <= int((high or low).replace(",", ""))
    assert len(classes.colors) == len(classes.labels) == len(classes.bounds) - 1
    assert count_classes(np.array([0, 0]), "none").labels == ("none",)
