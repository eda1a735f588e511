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
