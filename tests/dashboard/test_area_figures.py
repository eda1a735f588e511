"""The drill-down figure builders (bullets, trends, map): pure functions of small hand-made tables."""

from __future__ import annotations

import re

import numpy as np
import orjson
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.area_map import SUPPRESSED, area_map, target_classes
from dashboard.figures.bullets import bullet_chart, key_items
from dashboard.figures.trends import flow_trend, indicator_trends
from dashboard.formatting import persons
from dashboard.formatting import rate as percent
from dashboard.i18n import language
from etl.records import INDICATORS
from tests.etl.helpers import file_target

FLAGS = [i.flag for i in INDICATORS]
CJK = re.compile(r"[\u4e00-\u9fff]")


def coverage_rows(
    rates: list[float], denominator: int = 100, period: str = "2012-12"
) -> pd.DataFrame:
    """A coverage table (``dashboard.data.area.coverage`` shape) with the given rates."""
    rows = []
    for i, rate in zip(INDICATORS, rates, strict=True):
        numerator = round(rate * denominator)
        goal = file_target(i.flag, period)
        short = denominator * round(goal * 10_000) - numerator * 10_000
        rows.append(
            {
                "period": period, "indicator": i.flag, "side": i.side, "numerator": numerator,
                "denominator": denominator, "rate": numerator / denominator, "target": float(goal),
                "at_target": short <= 0, "gap": max(0, -(-short // 10_000)),
                "small_cell": denominator < 10,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def all_text(figure: dict) -> str:
    return orjson.dumps(figure).decode()


def test_bullets_carry_every_target_rate_and_comparison():
    area = coverage_rows([0.97, 0.99, 0.98, 0.90, 0.95, 0.91, 0.85, 0.70, 0.99])
    province = coverage_rows([0.96] * 9)
    region = coverage_rows([0.93] * 9)
    fig = bullet_chart(
        area, [("江苏省", province), ("泛长三角", region)], area_name="无锡市"
    )
    bar, target, prov, reg = fig["data"]
    assert target["x"] == [float(file_target(i.flag, "2012-12")) for i in INDICATORS]
    assert [round(b + x, 6) for b, x in zip([bar["base"]] * 9, bar["x"], strict=True)] == [
        round(r, 6) for r in area["rate"]
    ]
    assert bar["y"] == target["y"] == list(range(8, -1, -1))  # first indicator on top
    assert prov["name"] == "江苏省" and prov["x"] == [0.96] * 9
    assert reg["name"] == "泛长三角" and reg["x"] == [0.93] * 9
    ticks = fig["layout"]["yaxis"]["ticktext"]
    assert ticks[0] == "婚育证明办证率 ≥98%" and ticks[-1] == "政策知晓率 ≥90%"
    # gap in people beside each row: 婚育证明办证率 97 of 100 against 98% -> 1 person short
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert "差 1 人" in notes[0] and "达标" in notes[1]
    assert "差 10 人" in notes[7]  # 70 of 100 against 80%
    assert fig["layout"]["xaxis"]["range"][0] <= 0.6  # the axis shows the lowest value and band
    # bands anchored at each target: 4 per row unless clipped by the axis start
    assert len(fig["layout"]["shapes"]) >= 9 * 3
    assert "%{customdata}" in bar["hovertemplate"] and "70 / 应覆盖 100" in bar["customdata"][7]


def test_bullets_suppress_small_cells():
    area = coverage_rows([0.97] * 9, denominator=5)  # every denominator under 10
    with language("en"):
        fig = bullet_chart(area, [], area_name="x")
    assert fig["data"][0]["x"] == []  # no bar
    assert all("suppressed" in a["text"].lower() for a in fig["layout"]["annotations"])
    assert "0.97" not in all_text(fig["layout"]["annotations"])


def test_bullets_in_english_have_no_chinese_label():
    area = coverage_rows([0.97] * 9)
    with language("en"):
        fig = bullet_chart(area, [("Jiangsu", area)], area_name="Wuxi")
        items = key_items("Wuxi", ["Jiangsu", "Pan-Yangtze-Delta"])
    assert not CJK.search(all_text(fig))
    assert fig["layout"]["yaxis"]["ticktext"][0] == "Certificate issuance rate ≥98%"
    assert [label for _, _, label in items] == [
        "Wuxi", "Target", "Jiangsu", "Pan-Yangtze-Delta",
    ]  # fmt: skip


def test_indicator_trends_are_small_multiples_with_target_lines():
    periods = ["2012-10", "2012-11", "2012-12"]
    area = pd.concat([coverage_rows([0.9] * 9, period=p) for p in periods], ignore_index=True)
    area.loc[
        (area["period"] == "2012-11") & (area["indicator"] == "health_check"), "small_cell"
    ] = True
    region = pd.concat([coverage_rows([0.8] * 9, period=p) for p in periods], ignore_index=True)
    fig = indicator_trends([("浦东新区", area), ("泛长三角", region)], period="2012-11")
    axes = [k for k in fig["layout"] if k.startswith("xaxis")]
    assert len(axes) == 9
    lines = [t for t in fig["data"] if t["name"] == "浦东新区"]
    assert lines[2]["y"] == [0.9, None, 0.9]  # health_check: the small cell is a gap
    targets = [t for t in fig["data"] if t["legendgroup"] == "target"]
    # the target in force steps each year: 2009 first, 2012 last (free_service rises 86% -> 95%)
    assert [t["y"][0] for t in targets] == [float(file_target(i.flag, "2009-01")) for i in INDICATORS]
    assert [t["y"][-1] for t in targets] == [float(file_target(i.flag, "2012-12")) for i in INDICATORS]
    assert targets[4]["y"] == [0.86, 0.89, 0.92, 0.95, 0.95] and targets[4]["line_shape"] == "hv"
    assert sum(t["showlegend"] for t in fig["data"]) == 3  # area, region, target once each
    assert all(s["x0"] == "2012-11-01" for s in fig["layout"]["shapes"])


def test_flow_trend_hides_small_months():
    totals = pd.DataFrame(
        {
            "period": ["2012-10", "2012-11"],
            "inflow": [681, 5],
            "outflow": [0, 228],
            "within": [0, 0],
            "inflow_small": [False, True],
            "outflow_small": [False, False],
            "within_small": [False, False],
        }
    )
    with language("en"):
        fig = flow_trend(totals, area_name="Pudong")
    inflow, outflow = fig["data"]
    assert inflow["y"] == [681, None] and outflow["y"] == [0, 228]
    assert inflow["name"] == "Inflow" and not CJK.search(all_text(fig))


def test_target_classes_at_the_limits():
    values = np.array([0.98, 0.9799, 0.95, 0.9499, 0.90, 0.8999, np.nan])
    assert target_classes(values, 0.98).tolist()[:6] == [3, 2, 2, 1, 1, 0]
    assert np.isnan(target_classes(values, 0.98)[6])


def units(values, small=None, measure_rate=False) -> pd.DataFrame:
    codes = ["320205", "320206", "320211", "320213"]
    data = pd.DataFrame({"code": codes, "name": ["锡山区", "惠山区", "滨湖区", "梁溪区"]})
    data["value"] = values
    data["numerator"] = [round(v * 100) if measure_rate and v == v else v for v in values]
    data["denominator"] = 100 if measure_rate else np.nan
    data["gap"] = 0
    data["small_cell"] = small or [False] * 4
    return data


def test_map_references_geometry_by_url_and_styles_small_cells():
    url = "/geodata/v/county_detail/320000.geojson"
    fig = area_map(
        units([0.99, 0.945, np.nan, 0.5], small=[False, False, False, True], measure_rate=True),
        geojson_url=url, measure="cert_verified", measure_name="婚育证明验证率",
        target=0.98, highlight=("320211",),
    )  # fmt: skip
    text = all_text(fig)
    assert '"coordinates"' not in text and len(text) < 20_000  # geometry never inside
    assert all(t["geojson"] == url for t in fig["data"] if t["type"] == "choropleth")
    main, suppressed, no_data, outline = fig["data"]
    assert main["locations"] == ["320205", "320206"] and main["z"] == [3.0, 1.0]
    assert suppressed["locations"] == ["320213"] and suppressed["colorscale"][0][1] == SUPPRESSED
    assert "小于阈值，不显示" in suppressed["text"][0] and "0.5" not in suppressed["text"][0]
    assert no_data["locations"] == ["320211"] and "无数据" in no_data["text"][0]
    assert outline["locations"] == ["320211"] and outline["marker"]["line"]["width"] >= 2
    assert fig["layout"]["geo"]["fitbounds"] == "locations"
    assert main["colorbar"]["ticktext"][-1] == "达到或超过目标"
    assert "距目标差: 0 人" in main["text"][0] and "99.0%" in main["text"][0]


def test_map_of_persons_in_english_with_labels():
    labels = pd.DataFrame(
        {"code": ["320205", "320211"], "lon": [120.4, 120.2], "lat": [31.6, 31.5]}
    )
    with language("en"):
        fig = area_map(
            units([10.0, 0.0, 25.0, 3.0], small=[False, False, False, True]),
            geojson_url="/g.geojson", measure="inflow", measure_name="Inflow (persons)",
            labels=labels,
        )  # fmt: skip
    main = fig["data"][0]
    assert main["z"] == [10.0, 0.0, 25.0] and main["zmin"] == 0 and main["zmax"] == 25.0
    assert main["text"][0].endswith("10 persons")
    assert fig["data"][-1]["type"] == "scattergeo" and fig["data"][-1]["text"] == [
        "锡山区",
        "滨湖区",
    ]
    assert "suppressed" in fig["layout"]["annotations"][0]["text"].lower()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_serialise_to_valid_plotly_json(lang):
    area = coverage_rows([0.95] * 9)
    with language(lang):
        for fig in (
            bullet_chart(area, [], area_name="a"),
            indicator_trends([("a", area)]),
            area_map(units([1.0, 2.0, 3.0, 4.0]), geojson_url="/g", measure="inflow",
                     measure_name="m"),
        ):  # fmt: skip
            decoded = orjson.loads(orjson.dumps(fig))  # raises on a value JSON cannot hold
            assert decoded["data"], "a figure without traces"
            go.Figure(decoded)  # raises on a property plotly does not know


def test_rates_are_rounded_but_a_miss_never_reads_as_the_target():
    assert percent(0.9797, 0.98) == "97.9%" and percent(0.98, 0.98) == "98.0%"
    assert percent(0.9797) == "98.0%" and percent(57 / 100) == "57.0%" and percent(0.99949) == "99.9%"
    assert percent(float("nan")) == "–" and percent(1.0) == "100.0%"
    with language("en"):
        assert persons(1) == "1 person" and persons(1200) == "1,200 persons"
    assert persons(3) == "3 人"
