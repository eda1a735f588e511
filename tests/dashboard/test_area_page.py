"""The drill-down pages' layouts and callbacks, called as Dash calls them, over the tiny store of
``test_area_data`` (浦东 in 2010-01: inflow 9, outflow 1 (small), 1 intra-county mover (small))."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from dashboard import ids
from dashboard.data import area as A
from tests.dashboard.test_area_data import PERIODS, engine, records  # noqa: F401 (fixtures)

PARTS = ("layout", "callbacks")
pytestmark = pytest.mark.usefixtures("engine")  # the tiny store, inside a request of its app


def page(name: str) -> SimpleNamespace:
    """The page's layout function and callbacks, to call as Dash calls them."""
    parts = (importlib.import_module(f"dashboard.pages.{name}.{part}") for part in PARTS)
    return SimpleNamespace(**{k: v for module in parts for k, v in vars(module).items()})


def find(component, component_id: str):
    """The component with ``component_id`` in a layout tree (None if absent)."""
    if isinstance(component, list | tuple):
        for child in component:
            found = find(child, component_id)
            if found is not None:
                return found
        return None
    if not hasattr(component, "to_plotly_json"):
        return None
    if getattr(component, "id", None) == component_id:
        return component
    return find(getattr(component, "children", None), component_id)


def props_with(component, attribute: str) -> dict[str, dict]:
    """``attribute`` value -> props of every component carrying it (e.g. ``data-measure``)."""
    found: dict[str, dict] = {}

    def walk(node):
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif hasattr(node, "to_plotly_json"):
            props = node.to_plotly_json()["props"]
            if attribute in props:
                found[props[attribute]] = props
            walk(props.get("children"))

    walk(component)
    return found


def text_of(node) -> str:
    if isinstance(node, list | tuple):
        return " ".join(text_of(c) for c in node)
    if hasattr(node, "to_plotly_json"):
        return text_of(getattr(node, "children", None))
    return "" if node is None else str(node)


def test_unknown_code_says_so():
    layout = page("area").layout(adcode="999999", lang="en")
    notice = find(layout, ids.AREA_UNKNOWN)
    assert notice is not None and "“999999” is not a known" in text_of(notice)
    assert "/areas?lang=en" in str(notice.to_plotly_json())
    assert find(page("area").layout(adcode="<script>"), ids.AREA_UNKNOWN) is not None


def test_layout_reads_the_view_from_the_url():
    layout = page("area").layout(
        adcode="310115", period="2010-01", measure="cert_verified", sub="county", lang="zh"
    )
    assert find(layout, ids.AREA_PERIOD).value == "2010-01"
    assert find(layout, ids.AREA_MEASURE).value == "cert_verified"
    assert find(layout, ids.AREA_KEY).data == {"code": "310115", "lang": "zh"}
    shown = props_with(find(layout, ids.AREA_HEADLINES), "data-measure")
    assert shown["inflow"]["data-value"] == "9"
    assert shown["outflow"]["data-value"] == "" and shown["within"]["data-value"] == ""  # small
    crumbs = text_of(find(layout, ids.AREA_BREADCRUMB))
    assert crumbs.split() == ["泛长三角", "›", "上海市", "›", "浦东新区"]


def test_bad_query_values_fall_back():
    layout = page("area").layout(adcode="320200", period="1999-01", measure="x", sub="province")
    assert find(layout, ids.AREA_PERIOD).value == PERIODS[-1]  # the latest
    assert find(layout, ids.AREA_MEASURE).value == "inflow"
    assert find(layout, ids.AREA_SUB).value == "county"


def test_indicator_table_shows_numbers_gaps_and_suppressed_cells():
    layout = page("area").layout(adcode="310115", period="2010-01")
    rows = props_with(find(layout, ids.AREA_TABLE), "data-indicator")
    coverage = A.coverage(A.find_area("310115"), "2010-01").set_index("indicator")
    for flag, props in rows.items():
        cells = text_of(props["children"])
        if coverage.loc[flag, "small_cell"]:
            assert "< 3" in cells and f"{coverage.loc[flag, 'numerator']} / " not in cells
        else:
            row = coverage.loc[flag]
            assert f"{row['numerator']:,} / {row['denominator']:,}" in cells


def test_state_round_trips_through_the_url():
    search, lang_href = page("area").keep_state_in_url(
        "2010-02", "health_check", "county", {"code": "310115", "lang": "en"}, "/area/310115"
    )
    assert search == "?period=2010-02&measure=health_check&sub=county&lang=en"
    assert lang_href == "/area/310115?period=2010-02&measure=health_check&sub=county&lang=zh"
    query = dict(p.split("=") for p in search[1:].split("&"))
    layout = page("area").layout(adcode="310115", **query)
    assert find(layout, ids.AREA_PERIOD).value == "2010-02"
    assert find(layout, ids.AREA_MEASURE).value == "health_check"
    assert find(layout, ids.AREA_KEY).data["lang"] == "en"


def test_period_callback_updates_every_section():
    outputs = page("area").show_period("2010-02", {"code": "320200", "lang": "en"})
    assert len(outputs) == 11
    alerts = text_of(outputs[9])  # the early-warning card: the tiny store has no feeds
    assert "alerts in the areas below it" in alerts and "All alerts of the month" in alerts
    headlines = props_with(outputs[0], "data-measure")
    totals = A.flow_totals(A.find_area("320200")).set_index("period")
    assert headlines["inflow"]["data-value"] == str(totals.loc["2010-02", "inflow"])
    assert outputs[2]["layout"]["yaxis"]["ticktext"][0].startswith("Certificate issuance rate")
    trends = outputs[5].to_plotly_json()  # a Patch: the trends stay, their period lines move
    assert trends["operations"][0]["location"] == ["layout", "shapes"]
    assert {s["x0"] for s in trends["operations"][0]["params"]["value"]} == {"2010-02-01"}
    figure = page("area").show_map("2010-02", "outflow", "county", {"code": "320200", "lang": "en"})
    assert figure["data"][0]["geojson"].endswith("/county_detail/320000.geojson")


def test_menu_lists_the_pilots_and_searches():
    layout = page("areas").layout(lang="en")
    pilots = find(layout, ids.AREAS_PILOTS)
    assert [c.id for c in pilots.children] == [
        "areas-pilot-310115", "areas-pilot-320200", "areas-pilot-330400",
    ]  # fmt: skip
    assert pilots.children[0].href == "/area/310115?lang=en"
    assert "Pudong New Area" in text_of(pilots.children[0])
    assert "Wuxi City" in text_of(pilots.children[1])
    options = page("areas").search("昆山", {"lang": "zh"})
    assert options[0]["value"] == "320583"
    assert options[0]["label"] == "昆山市 — 苏州市，江苏省 · 320583"
    assert page("areas").open_area("320583", {"lang": "zh"}) == "/area/320583"
    for query in ("kunshan", "昆山"):  # English labels carry the Chinese name too
        options = page("areas").search(query, {"lang": "en"})
        assert options[0]["label"] == "Kunshan City 昆山市 — Suzhou City, Jiangsu · 320583"


def test_english_page_names_prefectures_and_counties_in_english():
    layout = page("area").layout(adcode="310115", lang="en", period="2010-01")
    shown = text_of(layout)
    assert "Pudong New Area" in shown and "浦东" not in shown
    assert "Binhu District" in shown and "Wuxi City, Jiangsu" in shown  # top origins, parents
    figure = page("area").show_map("2010-01", "inflow", "county", {"code": "310115", "lang": "en"})
    hover = " ".join(str(x) for trace in figure["data"] for x in trace.get("text") or [])
    assert "Pudong New Area" in hover and "Xuhui District" in hover
    chinese = text_of(page("area").layout(adcode="310115", lang="zh", period="2010-01"))
    assert "浦东新区" in chinese and "滨湖区" in chinese and "Pudong" not in chinese


@pytest.mark.parametrize("code", ["330400", "360102", "320000", "pan_pearl", "441900"])
def test_every_kind_of_area_renders(code):
    layout = page("area").layout(adcode=code, lang="en")
    assert find(layout, ids.AREA_MAP) is not None and find(layout, ids.AREA_UNKNOWN) is None


def test_ids_are_unique_and_page_prefixed():
    names = {k: v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}
    assert len(set(names.values())) == len(names)
    for name, value in names.items():
        if name.startswith(("AREA_", "AREAS_")):
            assert value.startswith(("area-", "areas-")), name


def test_the_early_warning_card_counts_the_alerts_of_the_area_and_below(engine):  # noqa: F811 - the fixture
    from etl.alerts import alerts_table
    from etl.scope import NATION

    table = alerts_table(engine, "2010-02", scope=NATION)
    assert len(table) > 0  # coverage under target in the tiny store
    for code in ("320200", "310000"):
        card = text_of(page("area").show_period("2010-02", {"code": code, "lang": "en"})[9])
        mine = table[table["unit_code"] == code]
        prefix = (
            code[:2] if code.endswith("0000") else code[:4]
        )  # a province's or a prefecture's units
        below = table[(table["unit_code"] != code) & table["unit_code"].str.startswith(prefix)]
        assert f"{len(below):,} alerts in the areas below it" in card, (code, card)
        for reason in mine["reason_en"].head(5):
            assert reason in card
