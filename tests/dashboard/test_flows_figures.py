"""The flow map and the region matrix builders: plain dicts, few traces, codes not labels."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from dashboard.data.flows import RegionMatrix
from dashboard.figures.flow_map import (
    ARC_STEPS,
    POINTS_PER_FLOW,
    REGION_FILLS,
    WidthClasses,
    arcs,
    arrow_wings,
    base_map,
    flow_lines,
    line_traces,
    region_categories,
    region_fills,
    width_classes,
)
from dashboard.figures.flow_matrix import region_matrix_figure

POINTS = {
    "310115": (121.6, 31.2),
    "320211": (120.3, 31.5),
    "440106": (113.4, 23.1),
    "410102": (113.6, 34.7),
    "110105": (116.5, 39.9),
}


def flows(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["origin_code", "destination_code", "persons", "small_cell", "group"]
    )


FLOWS = flows(
    [
        ("310115", "320211", 1200, False, "flow"),
        ("440106", "310115", 400, False, "flow"),
        ("410102", "310115", 90, False, "flow"),
        ("110105", "410102", 30, False, "flow"),
        ("320211", "310115", 12, False, "flow"),
        ("310115", "440106", 4, True, "flow"),
        ("110105", "440106", 2, True, "flow"),
    ]
)


def test_width_classes_nice_breaks_and_labels():
    classes = width_classes([12, 30, 90, 400, 1200, 15, 22, 60, 75, 250])
    assert classes.lower[0] == 12
    assert all(b in {1, 2, 5} for b in (int(str(x)[0]) for x in classes.lower[1:]))
    assert list(classes.lower) == sorted(set(classes.lower))
    labels = classes.labels()
    assert labels[0].startswith("12 – ") and labels[-1].startswith("≥ ")
    assert classes.index(np.array([12, 11, 10_000])).tolist() == [0, 0, len(classes) - 1]
    assert len(classes.widths) == len(classes) == len(classes.heads)
    assert width_classes([]).lower == ()
    assert WidthClasses((19, 20, 50)).labels() == ["19", "20 – 49", "≥ 50"]


def test_line_traces_one_per_class_with_none_separators():
    classes = WidthClasses((10, 50, 500))
    traces = line_traces(FLOWS, POINTS, classes)
    # small cells (one trace), then classes 10-49 (30, 12), 50-499 (90, 400), >= 500 (1200)
    assert [t["name"] for t in traces] == ["flow:suppressed", "flow:0", "flow:1", "flow:2"]
    assert len(traces) == len(classes) + 1
    widths = [t["line"]["width"] for t in traces]
    assert widths == sorted(widths)  # widest drawn last, on top
    assert traces[0]["line"]["color"].endswith(",0.3)")  # small cells: thin and faint
    alphas = [float(t["line"]["color"].rsplit(",", 1)[1][:-1]) for t in traces]
    assert alphas == sorted(alphas)  # the larger the flow, the more opaque its line
    p = POINTS_PER_FLOW
    for trace in traces:
        assert trace["type"] == "scattergeo" and trace["mode"] == "lines"
        n = len(trace["lon"]) // p  # the arc, wing, destination, wing, None
        assert len(trace["lon"]) == len(trace["lat"]) == len(trace["customdata"]) == p * n
        assert trace["lon"][p - 1 :: p] == [None] * n and trace["lat"][p - 1 :: p] == [None] * n
        assert None not in trace["lon"][0::p] + trace["lon"][ARC_STEPS::p]
        # both wings start at the destination
        assert trace["lon"][ARC_STEPS::p] == trace["lon"][ARC_STEPS + 2 :: p]
        assert set(trace["customdata"][1:ARC_STEPS]) == {None}
    top = traces[-1]
    assert top["customdata"][0] == "310115" and top["customdata"][ARC_STEPS] == "320211"
    assert [top["lon"][0], top["lon"][ARC_STEPS]] == [POINTS["310115"][0], POINTS["320211"][0]]
    drawn = sum(len(t["lon"]) // POINTS_PER_FLOW for t in traces)
    assert drawn == len(FLOWS)


def test_arrowheads_point_back_along_the_line_and_stay_short():
    origin = np.array([[105.0, 30.0], [120.0, 40.0], [100.0, 25.0]])
    destination = np.array([[111.0, 30.0], [120.0, 35.0], [100.1, 25.0]])
    left, right = arrow_wings(origin, destination, head=0.5)
    scale = np.cos(np.radians(destination[:, 1]))
    for wing in (left, right):
        vx, vy = (wing[:, 0] - destination[:, 0]) * scale, wing[:, 1] - destination[:, 1]
        length = np.hypot(vx, vy)
        assert np.allclose(length[:2], 0.5) and length[2] <= 0.4 * 0.1 * scale[2] + 1e-9
        ox, oy = (origin[:, 0] - destination[:, 0]) * scale, origin[:, 1] - destination[:, 1]
        cos = (vx * ox + vy * oy) / (length * np.hypot(ox, oy))
        assert np.allclose(
            cos, np.cos(np.radians(28))
        )  # 28 degrees off the line, toward the origin
    assert (left[:, 1] > destination[:, 1])[0] != (right[:, 1] > destination[:, 1])[0]


def test_focus_groups_split_traces_and_add_outline():
    focused = FLOWS.assign(group=np.where(FLOWS["destination_code"] == "310115", "in", "out"))
    classes = WidthClasses((10, 50, 500))
    figure = flow_lines(focused, POINTS, classes, focus="310115", geojson_url="/g/county.geojson")
    names = [t["name"] for t in figure["data"]]
    assert names[-2:] == ["focus", "focus-ring"]
    assert figure["data"][-2]["locations"] == ["310115"]
    colours = {t["name"]: t["line"]["color"] for t in figure["data"][:-2]}
    assert colours["in:1"] != colours["out:2"]
    assert "geojson" not in json.dumps(figure["data"][:-2])  # lines carry points, never geometry
    assert figure["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)" and "geo2" not in figure["layout"]


def test_lines_skip_flows_without_points_but_never_crash():
    odd = flows(
        [("999999", "310115", 100, False, "flow"), ("310115", "320211", 100, False, "flow")]
    )
    traces = line_traces(odd, POINTS, WidthClasses((100,)))
    assert sum(len(t["lon"]) // POINTS_PER_FLOW for t in traces) == 1
    assert line_traces(odd.iloc[:0], POINTS, WidthClasses(())) == []


def test_base_map_is_clickable_by_code_and_shares_the_lines_layout():
    codes = ["310000", "440000", "360000", "410000"]
    member = {
        "310000": ("pan_yangtze",),
        "440000": ("pan_pearl",),
        "360000": ("pan_yangtze", "pan_pearl"),
        "410000": ("other",),
    }
    categories = region_categories(codes, member, ["pan_yangtze", "pan_pearl"])
    assert categories == ["pan_yangtze", "pan_pearl", "multi", "unselected"]
    assert region_categories(codes, member, ["pan_pearl"])[2] == "pan_pearl"
    fills = region_fills(["pan_yangtze", "pan_pearl", "bohai_rim", "northwest", "other"])
    figure = base_map(
        codes,
        categories,
        ["a", "b", "c", "d"],
        fills,
        geojson_url="/g/province.geojson",
        outside_codes=["710000"],
        outside_label="outside",
        province_geojson_url="/g/province.geojson",
        province_codes=codes,
        maritime=([110.0, 111.0, None], [10.0, 11.0, None]),
        scs_label="南海诸岛",
    )
    units = figure["data"][0]
    assert units["customdata"] == codes and units["locations"] == codes
    order = list(fills)
    assert [order[int(z)] for z in units["z"]] == categories
    assert fills["pan_yangtze"] == REGION_FILLS["pan_yangtze"]
    assert {t.get("geo") for t in figure["data"]} == {"geo", "geo2"}  # main map and the inset
    lines = flow_lines(FLOWS.iloc[:0], POINTS, WidthClasses(()))
    assert lines["layout"]["geo"]["projection"] == figure["layout"]["geo"]["projection"]
    assert lines["layout"]["geo"]["domain"] == figure["layout"]["geo"]["domain"]
    assert lines["layout"]["margin"] == figure["layout"]["margin"]
    assert "height" not in figure["layout"] and "height" not in lines["layout"]


def test_region_matrix_never_shows_a_small_cell_number():
    codes = ("a", "b", "c")
    persons = np.array([[900, 7, 120], [45, 300, 3], [0, 15, 50]])
    matrix = RegionMatrix(codes, persons, (persons > 0) & (persons < 10))
    figure = region_matrix_figure(
        matrix,
        {"a": "泛长三角", "b": "Pan-Pearl-River-Delta", "c": "其他省份"},
        selected=["a"],
        threshold=10,
        fmt=lambda v: f"{v:,.0f}",
        labels={
            "origin": "from",
            "destination": "to",
            "within": "区内",
            "hover": "{origin}→{destination}: {value}",
        },
    )
    between, within = figure["data"]
    assert (
        between["z"][0][0] is None and between["z"][0][1] is None
    )  # diagonal and small: uncoloured
    assert between["z"][0][2] == 120
    assert between["text"][0][1] == "< 10" and between["text"][1][2] == "< 10"
    assert within["text"][1][1] == "区内<br>300"
    shown = [
        cell
        for trace in figure["data"]
        for key in ("text", "customdata")
        for row in trace[key]
        for cell in row
    ]
    numbers = {
        int(n)
        for cell in shown
        for n in re.findall(r"\d+", cell.replace(",", "").replace("< 10", ""))
    }
    assert numbers == {900, 120, 45, 300, 15, 50, 0}
    assert not {7, 3} & numbers  # the small cells appear only as "< 10"
    assert 7 not in between["z"][0] and 3 not in between["z"][1]
    assert "<b>" in figure["layout"]["yaxis"]["ticktext"][0]  # the chosen region is bold


def test_arcs_run_from_origin_to_destination_and_bend_to_the_right():
    origin = np.array([[110.0, 30.0], [120.0, 35.0]])
    destination = np.array([[120.0, 30.0], [110.0, 30.0]])
    steps, control = arcs(origin, destination)
    assert len(steps) == ARC_STEPS + 1
    assert np.array_equal(steps[0], origin) and np.array_equal(steps[-1], destination)
    middle = steps[ARC_STEPS // 2]
    assert middle[0, 1] < 30.0  # eastward: bends south (to the right of travel)
    back, _ = arcs(destination[:1], origin[:1])
    assert back[ARC_STEPS // 2][0, 1] > 30.0  # the return flow bends the other way: two arcs
    chord = np.hypot(*(destination[0] - origin[0]) * [np.cos(np.radians(30)), 1])
    assert abs(30.0 - middle[0, 1]) <= 0.5 * chord * 0.18 + 1e-9  # a gentle bend
