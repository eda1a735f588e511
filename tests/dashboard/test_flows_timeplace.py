"""The flows page's play step and place search (dashboard.pages.flows.timeplace) over the demo
store: the period after each, wrapping; "kunshan" finds 昆山市 (pinyin on the Chinese page),
a Chinese name finds its place, regions are not places."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.data.store import reading_as
from dashboard.factory import create_app
from dashboard.pages.flows.timeplace import next_period, place_options
from etl.scope import NATION
from tests.support import DEMO_PERIODS, demo_store, layer_cache


@pytest.fixture(scope="module")
def app():
    url, _ = demo_store()
    return create_app(layer_cache(), url)


@pytest.fixture
def inside(app):
    with app.server.test_request_context("/flows"), reading_as(NATION):
        yield


def test_play_steps_through_every_period_and_wraps(inside):
    first, last = DEMO_PERIODS
    assert next_period(first) == "2012-11"
    assert next_period("2012-11") == last
    assert next_period(last) == first
    assert next_period("1999-01") == first
    assert next_period(None) == first


@pytest.mark.parametrize(("query", "lang"), [("kunshan", "zh"), ("Kunshan", "en"), ("昆山", "zh")])
def test_search_finds_kunshan(inside, query, lang):
    found = place_options(query, lang)
    assert found[0]["value"] == "320583"
    assert "昆山市" in found[0]["label"]


def test_regions_are_not_places(inside):
    assert all(o["value"].isdigit() for o in place_options("pan", "en"))


@pytest.mark.parametrize("kind", ["inflow", "outflow", "net"])
@pytest.mark.parametrize("level", ["province", "county"])
def test_total_circles_are_each_places_totals_from_the_marts(inside, kind, level):
    from dashboard.data import flows as data
    from dashboard.pages.flows.timeplace import circle_trace, unit_totals
    from etl import marts
    from etl.disclosure import margin_reveals
    from etl.store import open_store

    period = DEMO_PERIODS[1]
    view = data.flow_view(data.parse_query({"level": level, "period": period}))
    totals = unit_totals(view, kind).set_index("code")
    engine = open_store(demo_store()[0])
    pairs = marts.read_pairs(engine, period, "all", level, scope=NATION)
    engine.dispose()
    threshold = view.threshold
    between = pairs[pairs["origin_code"] != pairs["destination_code"]]
    for code, row in totals.iterrows():
        ins = int(between.loc[between["destination_code"] == code, "persons"].sum())
        outs = int(between.loc[between["origin_code"] == code, "persons"].sum())
        expected = {"inflow": ins, "outflow": outs, "net": ins - outs}[kind]
        assert row["value"] == expected
        sides = (
            ("inflow",)
            if kind == "inflow"
            else ("outflow",)
            if kind == "outflow"
            else ("inflow", "outflow")
        )
        small = any(0 < {"inflow": ins, "outflow": outs}[s] < threshold for s in sides)
        # withheld beyond a small count: the sum would give a withheld flow away, alone (exactly
        # one withheld flow in it) or, at province level, beside the page's other sums
        od = data.read_od(period, "all", level)
        reveals = any(
            margin_reveals(
                *(
                    od.loc[(od[end] == code) & ~od["is_within"], c]
                    for c in ("persons", "small_cell")
                )
            )
            for end in ("destination_code" if s == "inflow" else "origin_code" for s in sides)
        )
        audited = level == "province" and any(
            (code, s) in data._audit(period, None, "all").units for s in sides
        )
        assert row["shown"] == (not (small or reveals or audited)), code
    ends = set(view.flows["origin_code"]) | set(view.flows["destination_code"])
    assert set(totals.index) == ends
    trace = circle_trace(view, kind)
    assert trace is not None
    drawn = set(trace["customdata"])
    assert drawn == set(totals.index[totals["shown"] & (totals["value"] != 0)]) & drawn
    assert not drawn & set(totals.index[~totals["shown"]])  # a withheld total is never drawn
    largest = max(trace["marker"]["size"])
    assert largest == pytest.approx(34.0)


def test_the_national_county_map_draws_flows_between_prefectures(inside):
    from dashboard.data import flows as data
    from dashboard.data import geo

    period = DEMO_PERIODS[1]
    view = data.flow_view(data.parse_query({"level": "county", "period": period, "top": "200"}))
    prefecture = (
        geo.hierarchy().drop_duplicates("county_code").set_index("county_code")["prefecture_code"]
    )
    assert view.between_prefectures and len(view.flows) == 200
    assert (
        view.flows["origin_code"].map(prefecture) != view.flows["destination_code"].map(prefecture)
    ).all()
    every = view.selected
    across = every["origin_code"].map(prefecture) != every["destination_code"].map(prefecture)
    assert (
        view.n_lines == int(across.sum()) < view.n_selected == len(every)
    )  # the download keeps all
    # with a focus, every flow of the place
    focused = data.flow_view(
        data.parse_query({"level": "county", "period": period, "focus": "310115"})
    )
    assert not focused.between_prefectures and focused.n_lines == focused.n_selected


@pytest.mark.parametrize("level", ["province", "county"])
def test_a_period_range_sums_each_pairs_persons_and_keeps_small_cells_withheld(inside, level):
    from dashboard.data import flows as data
    from etl import marts
    from etl.store import open_store

    first, last = DEMO_PERIODS
    engine = open_store(demo_store()[0])
    months = [
        marts.read_pairs(engine, p, "all", level, scope=NATION) for p in (first, "2012-11", last)
    ]
    engine.dispose()
    threshold = data.small_cell_threshold()
    every = pd.concat(months)
    expected = every.groupby(["origin_code", "destination_code"])["persons"].sum()
    month_small = every.assign(w=(every["persons"] > 0) & (every["persons"] < threshold))
    month_small = month_small.groupby(["origin_code", "destination_code"])["w"].any()
    got = data.read_od_range(first, last, "all", level).set_index(
        ["origin_code", "destination_code"]
    )
    assert got["persons"].sort_index().equals(expected.sort_index().astype("int64"))
    small = (expected < threshold) | month_small
    assert got["small_cell"].sort_index().equals(small.sort_index().rename("small_cell"))
    assert small.any() and (~small).any()
    # the view of the range is that of its summed pairs, and the URL keeps the range
    query = data.parse_query({"level": level, "period": last, "start": first})
    assert query.start == first and data.query_params(query)["start"] == first
    view = data.flow_view(query)
    assert view.n_selected == len(
        data.select_flows(
            got.reset_index()[data.OD_COLUMNS],
            "both",
            provinces=data.provinces_of_regions(query.regions),
        )
    )
    # a start not before the end is no range
    assert data.parse_query({"period": first, "start": last}).start is None
    assert data.parse_query({"period": last, "start": "1999-01"}).start is None


def test_the_region_matrix_of_a_range_is_the_sum_of_its_months(inside):
    from dashboard.data import flows as data

    first, last = DEMO_PERIODS
    months = [data.region_matrix(p, "all") for p in (first, "2012-11", last)]
    summed = data.region_matrix(last, "all", first)
    assert (summed.persons == sum(m.persons for m in months)).all()
    threshold = data.small_cell_threshold()
    any_month = np.logical_or.reduce([m.small_cell for m in months])
    expected = ((summed.persons > 0) & (summed.persons < threshold)) | (
        any_month & (summed.persons > 0)
    )
    assert (summed.small_cell == expected).all()
