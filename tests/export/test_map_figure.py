"""The print layout as data (no browser): suppressed units, legend, footer, embedded geometry."""

from __future__ import annotations

import numpy as np

from dashboard import theme
from dashboard.export.map_figure import PrintTexts, print_map_figure
from dashboard.export.render import figure_text
from dashboard.figures.china_map import Classes

CLASSES = Classes((0.0, 0.5, 1.0), ("#111111", "#222222"), ("low", "high"))
TEXTS = PrintTexts(
    title="标题",
    subtitle="副标题",
    legend_title="图例",
    suppressed="小于阈值",
    no_data="无数据",
    outside="不在统计范围",
    scs="南海诸岛",
    source="资料来源：测试",
    lineage="数据版本：ETL 运行 #7",
)
GEOMETRY = {"type": "FeatureCollection", "features": []}
PROVINCES = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "110000"}]}


def figure() -> dict:
    return print_map_figure(
        ["1", "2", "3", "4"],
        np.array([0.2, 0.9, np.nan, 0.7]),
        np.array([False, False, False, True]),
        CLASSES,
        TEXTS,
        geometry=GEOMETRY,
        province_geometry=PROVINCES,
        province_codes=["110000"],
        outside_codes=["710000"],
        maritime=([110.0, 111.0, None], [10.0, 11.0, None]),
    )


def test_suppressed_units_are_grey_never_in_a_class():
    data = figure()["data"]
    assert data[0]["locations"] == ["1", "2"]  # classed: not the suppressed 4, not the empty 3
    grey = [
        t for t in data if t.get("colorscale") == [[0, theme.SUPPRESSED], [1, theme.SUPPRESSED]]
    ]
    assert len(grey) == 1 and grey[0]["locations"] == ["4"]
    no_data = [t for t in data if t.get("colorscale") == [[0, theme.NO_DATA], [1, theme.NO_DATA]]]
    assert no_data[0]["locations"] == ["3"]


def test_geometry_is_embedded_and_the_inset_is_drawn():
    fig = figure()
    shapes = [t["geojson"] for t in fig["data"] if "geojson" in t]
    assert all(isinstance(s, dict) for s in shapes)
    assert {t["geo"] for t in fig["data"]} == {"geo", "geo2"}  # the 南海诸岛 inset is geo2


def test_layout_carries_title_legend_source_and_lineage():
    layout = figure()["layout"]
    texts = " ".join(a["text"] for a in layout["annotations"])
    for part in (
        "标题",
        "副标题",
        "图例",
        "low",
        "high",
        "小于阈值",
        "无数据",
        "不在统计范围",
        "南海诸岛",
        "资料来源",
        "ETL 运行 #7",
    ):
        assert part in texts
    assert len(layout["shapes"]) == 2 + 3  # a swatch per class, suppressed, no data, outside
    assert (layout["width"], layout["height"]) == (1123, 794)  # A4 landscape at 96 px per inch


def test_the_font_is_cut_to_every_character_shown():
    chars = figure_text(figure())
    assert all(c in chars for c in "标题南海诸岛资料来源ETL运行#7")


def test_a_place_map_is_fitted_named_and_greys_its_surroundings(store_and_layers):
    """A slide's map of a pilot county (浦东新区): drawn as its drill-down map (the counties of
    上海, the pilot outlined), fitted to them, no inset, the rest of the country pale grey, names
    on the coloured units only; the figures of the subtitle count the place's units."""
    from dashboard.data import geo
    from dashboard.export.maps import map_figure
    from dashboard.export.source import MapView

    url, layers = store_and_layers
    fig = map_figure(layers, url, MapView("cert_verified", "county", None, "zh", place="310115"))
    h = geo.hierarchy()
    shanghai = set(h.loc[h["prefecture_code"] == "310100", "county_code"])
    coloured = {c for t in fig["data"] if t.get("type") == "choropleth"
                and t.get("colorscale") != [[0, theme.OUT_OF_PLACE], [1, theme.OUT_OF_PLACE]]
                and t.get("marker", {}).get("line", {}).get("width") != 2.5
                for c in t.get("locations", []) if not c.endswith("0000")  # not the provinces
                } - set(geo.outside_codes("county"))  # fmt: skip
    assert coloured == shanghai
    around = [t for t in fig["data"]
              if t.get("colorscale") == [[0, theme.OUT_OF_PLACE], [1, theme.OUT_OF_PLACE]]]  # fmt: skip
    assert len(around) == 1 and not shanghai & set(around[0]["locations"])
    outlined = [t for t in fig["data"] if t.get("marker", {}).get("line", {}).get("width") == 2.5]
    assert outlined[0]["locations"] == ["310115"]
    labels = next(t for t in fig["data"] if t["type"] == "scattergeo" and t.get("mode") == "text")
    assert "浦东新区" in labels["text"] and set(labels["text"]) <= {
        geo.unit_name(c, "zh") for c in shanghai
    }
    layout = fig["layout"]
    assert "geo2" not in layout and {t.get("geo", "geo") for t in fig["data"]} == {"geo"}
    lon = layout["geo"]["center"]["lon"]
    assert 120.8 < lon < 122.2 and layout["geo"]["projection"]["scale"] > 10
    texts = " ".join(str(a.get("text", "")) for a in layout["annotations"])
    assert "浦东新区 · " in texts and "南海诸岛" not in texts
    assert f"{len(shanghai)} 个县区单元" in texts


def test_a_region_map_names_its_prefectures(store_and_layers):
    from dashboard.data import geo
    from dashboard.export.maps import map_figure
    from dashboard.export.source import MapView

    url, layers = store_and_layers
    fig = map_figure(layers, url, MapView("cert_verified", "prefecture", None, "en",
                                          place="pan_yangtze"))  # fmt: skip
    labels = next(t for t in fig["data"] if t["type"] == "scattergeo" and t.get("mode") == "text")
    assert {"Hangzhou City", "Ganzhou City"} <= set(labels["text"])
    region = set(geo.regions().region("pan_yangtze").province_codes)
    h = geo.hierarchy()
    names = {
        geo.unit_name(c, "en") for c in h.loc[h["province_code"].isin(region), "prefecture_code"]
    }
    assert set(labels["text"]) <= names and len(labels["text"]) >= 20
    assert fig["layout"]["annotations"][0]["text"].startswith("<b>Pan-Yangtze-Delta · ")


def test_the_font_is_cut_to_the_traces_text_too():
    """A place map names its units in a text trace: their characters are in the cut font (they
    were left out once, and 江阴市 printed as 江 市)."""
    from dashboard.export.render import figure_text

    figure = {
        "layout": {"title": {"text": "无锡市"}},
        "data": [{"type": "scattergeo", "text": ["江阴市", "宜兴市"]}],
    }
    chars = set(figure_text(figure))
    assert {"阴", "宜", "兴"} <= chars


def test_the_narrative_is_printed_unless_the_page_says_it(store_and_layers):
    """A print map carries the view's narrative; a briefing pack's slide map does not (the slide
    beside it says it already)."""
    from dashboard.export.maps import map_figure
    from dashboard.export.source import MapView

    url, layers = store_and_layers
    view = MapView("cert_verified", "province", None, "en")

    def footer(fig: dict) -> str:
        return " ".join(str(a.get("text", "")) for a in fig["layout"]["annotations"])

    printed, on_slide = (
        map_figure(layers, url, view),
        map_figure(layers, url, view, narrative=False),
    )
    assert "between-county movers" in footer(printed)
    assert "between-county movers" not in footer(on_slide)
