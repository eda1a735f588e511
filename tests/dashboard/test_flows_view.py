"""The flows page's reads and building blocks over a real store built from the ETL's tiny fixture.

The tiny fixture (``tests/etl/helpers.TINY``, derived by hand in ``tests/etl/README.md``) loaded
with a small-cell threshold of 3 gives these county flows in 2010-01 (cohort all):

    410102 -> 310115: 3     360102 -> 310115: 1 (small)    310104 -> 310115: 1 (small)
    320211 -> 310115: 4     360102 -> 440106: 1 (small)    310115 -> 310104: 1 (small)
    310115 -> 310115: 1 (diagonal, small)

so 浦东 (310115) has inflow 3 + 1 + 1 + 4 = 9, outflow 1, net +8 and 1 intra-county mover.

The page withholds the levels as one linked table (``etl.marts.linked_flows``): at province level
上海's inflow (between provinces) is 4 from 江苏 + 1 from 江西 (small) + 3 from 河南, so 河南's 3 is
withheld beside 江西's 1; the province flow 河南 -> 上海 is the sum of the one county flow
410102 -> 310115, so that 3 is withheld too (else it rebuilds the province flow and, with 上海's
inflow, 江西's 1).
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.data import flows as F
from dashboard.data.store import reading_as
from dashboard.factory import create_app
from dashboard.i18n import language
from dashboard.pages.flows import table, totals
from dashboard.pages.flows import view as figures
from dashboard.pages.overview.view import unit_hover_names
from etl import marts, store
from etl.pipeline import ingest
from etl.scope import NATION
from tests.etl.helpers import TINY, random_records, write_csv
from tests.support import layer_cache

KEY = "test-key-0123456789abcdef"
P = "310115"
COUNTIES = [
    "310115",
    "310104",
    "320211",
    "330402",
    "360102",
    "440106",
    "440304",
    "410102",
    "110105",
    "610113",
    "650102",
    "540102",
]


@pytest.fixture(scope="module")
def app_context(tmp_path_factory):
    root = tmp_path_factory.mktemp("flows-store")
    url = f"sqlite:///{root / 'store.sqlite'}"
    rows = TINY + random_records(1500, COUNTIES, ["2010-02", "2010-03"], seed=5)
    ingest([write_csv(root / "records.csv", rows)], url, root / "data", KEY, small_cell=3)
    app = create_app(layer_cache(), url)
    with app.server.test_request_context("/flows"), reading_as(NATION):
        yield store.open_store(url)


def totals_shown(component) -> dict[str, str]:
    """``data-total`` name -> ``data-value`` (or ``suppressed``) of every total in a panel."""
    found = {}

    def walk(node):
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif hasattr(node, "to_plotly_json"):
            props = node.to_plotly_json()["props"]
            if "data-total" in props:
                found[props["data-total"]] = props.get("data-value", "suppressed")
            walk(props.get("children"))

    walk(component)
    return found


def test_tiny_focus_by_hand(app_context):
    view = F.flow_view(F.FlowQuery("2010-01", "all", "county", ("pan_yangtze",), "both", 50, P))
    assert (view.totals.inflow, view.totals.outflow, view.totals.net, view.totals.within) == (
        9,
        1,
        8,
        1,
    )
    assert view.threshold == 3
    got = dict(
        zip(
            zip(view.flows["origin_code"], view.flows["destination_code"], strict=True),
            view.flows["persons"],
            strict=True,
        )
    )
    assert got == {
        ("320211", P): 4,
        ("410102", P): 3,
        ("310104", P): 1,
        ("360102", P): 1,
        (P, "310104"): 1,
    }
    # publishable first, then the withheld ones by codes (410102's 3 withheld: the docstring)
    assert list(view.flows["origin_code"]) == ["320211", "310104", "310115", "360102", "410102"]


def test_table_and_csv_show_small_cells_as_suppressed(app_context):
    view = F.flow_view(F.FlowQuery("2010-01", "all", "county", ("pan_yangtze",), "both", 50, P))
    rows, columns = table.table_rows(view)
    assert [r["persons"] for r in rows] == ["4", "< 3", "< 3", "< 3", "< 3"]
    assert {c["field"] for c in columns} >= {"origin_code", "destination_code", "persons", "group"}
    assert all(set(row) == {c["field"] for c in columns} for row in rows)
    csv = pd.read_csv(
        pd.io.common.StringIO(table.csv_text(view).lstrip("\ufeff")), dtype=str, keep_default_na=False
    )
    assert list(csv["persons"]) == ["4", "", "", "", ""]  # etl.disclosure: blank, flagged
    assert list(csv["suppressed"]) == ["False", "True", "True", "True", "True"]
    assert set(csv["origin_code"]) | set(csv["destination_code"]) <= set(COUNTIES)
    shown = totals_shown(totals.totals_panel(view))
    # outflow 1 and the one intra-county mover are small: shown as "< 3", never as a number; the
    # net (9 - 1) is hidden too, or it would give the outflow away
    assert shown == {
        "inflow": "9",
        "outflow": "suppressed",
        "net": "suppressed",
        "within": "suppressed",
    }


@pytest.mark.parametrize("level", F.LEVELS)
@pytest.mark.parametrize("period", ["2010-02", "2010-03"])
def test_totals_equal_the_store(app_context, level, period):
    """Every place's totals equal sums over the store's own rows (between units only)."""
    raw = marts.read_flows(app_context, period, "all", level, scope=NATION)
    between = raw[~raw["is_within"]]
    for code in sorted(set(raw["origin_code"]) | set(raw["destination_code"])):
        view = F.flow_view(F.FlowQuery(period, "all", level, F.region_codes(), "both", 2000, code))
        assert (
            view.totals.inflow == between.loc[between["destination_code"] == code, "persons"].sum()
        )
        assert view.totals.outflow == between.loc[between["origin_code"] == code, "persons"].sum()
        assert (
            view.totals.within
            == raw.loc[raw["is_within"] & (raw["origin_code"] == code), "persons"].sum()
        )
        assert (
            view.n_selected
            == ((between["origin_code"] == code) | (between["destination_code"] == code)).sum()
        )


def test_query_round_trip_and_fallbacks(app_context):
    query = F.FlowQuery(
        "2010-02", "women_15_49", "prefecture", ("northwest", "other"), "net", 500, "320200", "320200"
    )
    assert F.parse_query(F.query_params(query)) == query
    county = F.parse_query(dict(F.query_params(query), focus="320211"))
    assert (county.focus, county.place) == ("320200", "320211")  # county -> its prefecture
    assert F.query_params(county)["focus"] == "320211"  # the place chosen stays in the URL
    down = F.parse_query(dict(F.query_params(query), focus="320000", level="county"))
    assert down.focus is None and down.place == "320000" and down.place_unused  # said on the page
    assert F.parse_query(dict(F.query_params(query), focus="999999")).place is None
    fallback = F.parse_query(
        {
            "period": "1999-01",
            "level": "village",
            "direction": "up",
            "top": "7",
            "regions": "nowhere",
            "cohort": "x",
        }
    )
    assert fallback == F.FlowQuery(
        "2010-03", "all", "province", F.region_codes(), "both", 200, None
    )
    with language("en"):
        assert figures.search_of(query).endswith("&lang=en")


def test_page_figures_use_codes_and_the_geometry_url(app_context):
    query = F.FlowQuery("2010-02", "all", "county", F.region_codes(), "both", 200, P)
    view = F.flow_view(query)
    figure = figures.lines_figure(view)
    codes = {
        c
        for trace in figure["data"]
        if trace["type"] == "scattergeo"
        for c in trace["customdata"]
        if c
    }
    assert codes <= set(F.unit_codes("county")) and P in codes
    focus = [t for t in figure["data"] if t.get("name") == "focus"][0]
    assert focus["geojson"].endswith("/county_national.geojson") and focus["locations"] == [P]
    with language("en"):
        base = figures.base_figure("prefecture", F.region_codes())
        matrix = figures.matrix_figure(query)
    assert base["data"][0]["customdata"] == list(F.unit_codes("prefecture"))
    assert base["data"][0]["geojson"].endswith("/prefecture_national.geojson")
    assert "Click to focus" in base["data"][0]["text"][0]
    wuxi = base["data"][0]["customdata"].index("320200")
    assert base["data"][0]["text"][wuxi].startswith("<b>Jiangsu Wuxi City</b>")
    assert matrix["layout"]["xaxis"]["title"]["text"] == "To (residence)"


def test_english_names_in_table_csv_title_totals_and_hover(app_context):
    view = F.flow_view(F.FlowQuery("2010-01", "all", "county", ("pan_yangtze",), "both", 50, P))
    with language("en"):
        rows, _ = table.table_rows(view)
        english_csv = table.csv_text(view)
        title, panel = str(figures.map_title(view)), str(totals.totals_panel(view))
        hover_texts = figures.unit_hover(list(F.unit_codes("county")), "county")
        codes, names = unit_hover_names("county")  # the overview map and the slides
    assert (rows[0]["origin"], rows[0]["destination"]) == ("Binhu District (Wuxi City)", "Pudong New Area (Shanghai)")
    csv = pd.read_csv(pd.io.common.StringIO(english_csv.lstrip("\ufeff")), dtype=str)
    assert csv["origin_name"].tolist()[:2] == ["Binhu District (Wuxi City)", "Xuhui District (Shanghai)"]
    assert "滨湖区" in table.csv_text(view) and "Binhu" not in table.csv_text(view)  # default zh
    assert "Pudong New Area" in title
    assert "Pudong New Area (310115)" in panel
    assert "浦东新区" in str(totals.totals_panel(view))
    hover = dict(zip(F.unit_codes("county"), hover_texts, strict=True))
    assert hover[P].startswith("<b>Shanghai Pudong New Area</b>")
    assert names[codes.index(P)] == "Shanghai Pudong New Area"
    codes, names = unit_hover_names("county")
    assert names[codes.index(P)] == "上海市 浦东新区"
