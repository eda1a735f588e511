"""Slide narratives against an independent pandas computation on the demo store.

Independent: raw rows of the ``flows`` and ``coverage`` tables, provinces taken from the first two
digits of each county code (the narrative uses the store's ``units`` table), and the definitions of
docs/presentation.md written out again here.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.data import geo
from dashboard.story.defaults import default_storyboard
from dashboard.story.model import View
from dashboard.story.narrative import figures, narrative, units_at_target
from etl.scope import NATION
from etl.store import open_store
from tests.support import demo_store

PERIOD = "2012-12"


@pytest.fixture(scope="module")
def engine():
    engine = open_store(demo_store()[0])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def raw(engine):
    with engine.connect() as conn:
        flows = pd.read_sql_query(
            sa.text("select * from flows where period = :p"), conn, params={"p": PERIOD}
        )
        cov = pd.read_sql_query(
            sa.text("select * from coverage where period = :p"), conn, params={"p": PERIOD}
        )
    return flows, cov


def expected(raw, in_scope, flag: str, side: str, target: float):
    flows, cov = raw
    between = flows[~flows["is_diagonal"].astype(bool)]
    inflow = between.loc[
        between["residence_code"].map(in_scope) & ~between["hukou_code"].map(in_scope),
        "persons_all",
    ].sum()
    rows = cov[
        (cov["indicator"] == flag) & (cov["side"] == side) & cov["county_code"].map(in_scope)
    ]
    num, den = int(rows["numerator"].sum()), int(rows["denominator"].sum())
    return int(inflow), num, den, max(0, math.ceil(target * den - 1e-9) - num)


@pytest.mark.parametrize("region_code", ["pan_yangtze", "pan_pearl", "northwest"])
def test_region_figures(engine, raw, region_code):
    regions = geo.regions()
    provinces = {p[:2] for p in regions.region(region_code).province_codes}
    inflow, num, den, gap = expected(
        raw, lambda c: c[:2] in provinces, "cert_verified", "inflow", 0.98
    )
    fig = figures(engine, View(region=region_code, period=PERIOD), regions, scope=NATION)
    row = fig.indicator("cert_verified")
    assert (fig.inflow, row.numerator, row.denominator, row.gap_people) == (inflow, num, den, gap)
    assert inflow > 0 and den > 0
    text = narrative(engine, View(region=region_code, period=PERIOD), regions, "zh", scope=NATION)[
        0
    ]
    name = regions.region(region_code).name_zh
    assert text.startswith(f"{name}流入人口 {inflow:,} 人，婚育证明验证率 {num / den:.1%}")
    if gap:
        assert text.endswith(f"距 98% 目标差 {gap:,} 人。")
    english = narrative(
        engine, View(region=region_code, period=PERIOD), regions, "en", scope=NATION
    )[0]
    assert english.startswith(f"{regions.region(region_code).name_en}: inflow {inflow:,} persons")


def test_outflow_indicator_uses_registration_side(engine, raw):
    regions = geo.regions()
    provinces = {p[:2] for p in regions.region("bohai_rim").province_codes}
    _, num, den, gap = expected(raw, lambda c: c[:2] in provinces, "cert_issued", "outflow", 0.98)
    row = figures(engine, View(region="bohai_rim", period=PERIOD), regions, scope=NATION).indicator(
        "cert_issued"
    )
    assert (row.numerator, row.denominator, row.gap_people) == (num, den, gap)


def test_pilot_scope_is_its_prefecture(engine, raw):
    regions = geo.regions()
    inflow, num, den, _ = expected(raw, lambda c: c[:4] == "3202", "cert_verified", "inflow", 0.98)
    fig = figures(engine, View(page="area", area="320200", period=PERIOD), regions, scope=NATION)
    assert fig.scope.name_zh == "江苏省无锡市"  # a pilot: the names of the region file
    county = figures(
        engine, View(page="area", area="320205", period=PERIOD), regions, scope=NATION
    ).scope
    assert (county.name("zh"), county.name("en")) == ("锡山区", "Xishan District")
    assert (fig.inflow, fig.indicator("cert_verified").denominator) == (inflow, den)


def test_prefectures_at_target(engine, raw):
    regions = geo.regions()
    provinces = {p[:2] for p in regions.region("northwest").province_codes}
    _, cov = raw
    rows = cov[(cov["indicator"] == "cert_verified") & (cov["side"] == "inflow")]
    rows = rows[rows["county_code"].str[:2].isin(provinces)]
    # prefecture of a county from the geodata hierarchy (省直辖 counties such as 659004 are their
    # own prefecture-level unit there), not from the store's units table
    prefecture = dict(
        zip(geo.hierarchy()["county_code"], geo.hierarchy()["prefecture_code"], strict=True)
    )
    by_pref = (
        rows.assign(pref=rows["county_code"].map(prefecture))
        .groupby("pref")[["numerator", "denominator"]]
        .sum()
    )
    with engine.connect() as conn:
        threshold = int(
            conn.execute(
                sa.text("select value from store_meta where key = 'small_cell_threshold'")
            ).scalar()
        )
    # a prefecture whose denominator is a small cell (1 to threshold - 1) is withheld: in neither
    by_pref = by_pref[by_pref["denominator"] >= max(threshold, 1)]
    assert (
        threshold > 1
        and len(by_pref)
        < (rows.groupby(rows["county_code"].map(prefecture))["denominator"].sum() > 0).sum()
    )
    at = int((by_pref["numerator"] / by_pref["denominator"] >= 0.98).sum())
    fig = figures(engine, View(region="northwest", period=PERIOD), regions, scope=NATION)
    assert units_at_target(
        engine, fig.scope.county_codes, PERIOD, "cert_verified", scope=NATION
    ) == (
        at,
        len(by_pref),
    )


def test_default_storyboard(engine):
    regions = geo.regions()
    board = default_storyboard(engine, regions.region("pan_yangtze"), regions, PERIOD, scope=NATION)
    titles = [s.title for s in board.slides]
    assert titles[0].startswith("泛长三角") and titles[1] == "婚育证明验证率（地市）"
    assert titles[2].startswith("差距最大的指标")
    assert [s.view.area for s in board.slides[3:]] == ["310115", "320200", "330400"]
    northwest = default_storyboard(
        engine, regions.region("northwest"), regions, PERIOD, scope=NATION
    )
    assert northwest.slides[-1].view.measure == "cert_issued"


def test_national_scope_counts_every_between_county_mover(engine, raw):
    flows, _ = raw
    movers = int(flows.loc[~flows["is_diagonal"].astype(bool), "persons_all"].sum())
    text = narrative(engine, View(period=PERIOD), geo.regions(), "zh", scope=NATION)[0]
    assert figures(engine, View(period=PERIOD), geo.regions(), scope=NATION).inflow == movers
    assert text.startswith("全国跨县流动人口 ")


def test_small_cells_are_withheld_from_figures_table_and_sentence():
    """By hand: threshold 10; inflow 7 persons, cert_verified 9 of 9 and health_check 3 of 4 are
    small cells, cert_issued 50 of 100 and contraception 90 of 100 are not."""
    import pandas as pd

    from dashboard.i18n import language
    from dashboard.story.narrative import INFLOW, Place, published, sentence
    from dashboard.story.slides import indicator_table

    table = pd.DataFrame(
        {
            "measure": [INFLOW, "cert_verified", "health_check", "cert_issued", "contraception"],
            "numerator": [7, 9, 3, 50, 90],
            "denominator": [0, 9, 4, 100, 100],
        }
    )
    table["count"] = [7, 9, 4, 100, 100]
    place = Place("320200", "无锡市", "Wuxi", frozenset({"320211"}))
    fig = published(place, "2012-12", table, 10)
    assert fig.inflow is None and fig.indicator("cert_verified") is None
    assert fig.withheld == ("cert_verified", "health_check")
    assert [h.flag for h in fig.indicators] == ["cert_issued", "contraception"]
    with language("en"):
        rows = indicator_table(fig, "cert_verified")[1:]
        text = sentence(fig, "cert_verified", "en")
    # the slide's own (withheld) first; then by distance below target; withheld last, unranked
    assert [r[1] for r in rows] == ["suppressed", "50.0%", "90.0%", "suppressed"]
    assert rows[0][3] == rows[3][3] == "suppressed" and rows[1][3] != "suppressed"
    assert (
        text
        == "Wuxi: inflow not shown (small cell); certificate verification rate not shown (small cell)."
    )
    assert "7" not in text and "100.0%" not in text


@pytest.mark.parametrize(
    ("area", "scope"),
    [("310104", "province:310000"), ("320200", "province:320000"), ("", "province:330000"),
     ("pan_yangtze", "region:pan_yangtze")],
)  # fmt: skip
def test_a_scoped_reader_sees_the_place_inflow_from_anywhere(engine, raw, area, scope):
    """A province reader's slide of a county (徐汇区), a prefecture and the scope itself quotes the
    inflow the overview shows: every mover registered outside the place, origins outside the
    reader's scope included (they were left out: 徐汇区 read 0 for Shanghai staff, 16 nationally)."""
    from etl.scope import parse_scope

    reader = parse_scope(scope)
    code = area or reader.code
    view = (
        View(area=area, period=PERIOD)
        if area.isdigit() or not area
        else View(region=area, period=PERIOD)
    )
    regions = geo.regions()
    h = geo.hierarchy()
    if code.isdigit():
        mask = (
            (h["county_code"] == code)
            | (h["prefecture_code"] == code)
            | (h["province_code"] == code)
        )
    else:
        mask = h["province_code"].isin(regions.region(code).province_codes)
    counties = set(h.loc[mask, "county_code"])
    flows, _ = raw
    between = flows[~flows["is_diagonal"].astype(bool)]
    into = between["residence_code"].isin(counties) & ~between["hukou_code"].isin(counties)
    if not code.isdigit():  # a region counts moves between provinces (its province flows)
        province = between["hukou_code"].str[:2] + "0000"
        into &= ~province.isin(regions.region(code).province_codes)
    fig = figures(engine, view, regions, scope=reader)
    expected_inflow = int(between.loc[into, "persons_all"].sum())
    assert expected_inflow > 0
    assert fig.inflow == expected_inflow
    assert figures(engine, view, regions, scope=NATION).inflow == expected_inflow or area == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_narrative_counts_the_place_alerts_and_quotes_the_most_severe(engine, lang):
    from etl.alerts import alerts_table

    table = alerts_table(engine, PERIOD, scope=NATION)
    region = geo.regions().region("pan_yangtze")
    provinces = {p[:2] for p in region.province_codes}
    # the region's counties, prefectures and provinces, by the digits of their codes
    mine = table[table["unit_code"].str[:2].isin(provinces)]
    assert len(mine) > 10
    lines = narrative(
        engine, View(region="pan_yangtze", period=PERIOD), geo.regions(), lang, scope=NATION
    )
    last = lines[-1]
    high = int((mine["severity"] == "high").sum())
    reason = mine.iloc[0]["reason_zh" if lang == "zh" else "reason_en"]
    if lang == "zh":
        assert last.startswith(f"{PERIOD}共有预警{len(mine):,}条（高{high}条）")
    else:
        assert last.startswith(f"{len(mine):,} alerts in {PERIOD} ({high} high)")
    assert last.endswith(reason)
