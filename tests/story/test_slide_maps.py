"""Slides as a leader shows them: a region's slide map fitted to the region (its geo range spans
the region, not the country) and labelled with its places; an English deck titled and worded in
English (place names aside), regions by their names, never their keys.

(The pilot slide's map as the pilot's drill-down map: ``tests/export/test_map_figure.py::
test_a_place_map_is_fitted_named_and_greys_its_surroundings``; the PDF's title metadata read back
with poppler's pdfinfo: ``tests/story/test_pack.py::test_pdf_has_every_slide_and_embedded_fonts``.)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from PIL import Image

from dashboard import theme
from dashboard.data import geo
from dashboard.export.maps import map_figure
from dashboard.export.source import MapView, store_context
from dashboard.story.pack import export_storyboard
from tests.dashboard.test_translations import CJK
from tests.support import demo_store, layer_cache

REGION = "pan_yangtze"


def _visible(layout: dict) -> tuple[float, float, float, float]:
    """(lon0, lon1, lat0, lat1) the main geo shows: the national frame's spans over its scale,
    around its centre (``china_map.zoom_to``)."""
    g = layout["geo"]
    scale = g["projection"]["scale"]
    half_lon = (theme.MAINLAND_LON[1] - theme.MAINLAND_LON[0]) / scale / 2
    half_lat = (theme.MAINLAND_LAT[1] - theme.MAINLAND_LAT[0]) / scale / 2
    c = g["center"]
    return c["lon"] - half_lon, c["lon"] + half_lon, c["lat"] - half_lat, c["lat"] + half_lat


def test_a_region_slide_map_is_fitted_to_the_region_and_names_places():
    url, layers = demo_store()[0], layer_cache()
    fig = map_figure(layers, url, MapView("cert_verified", "prefecture", None, "en", place=REGION))
    with store_context(layers, url):
        provinces = set(geo.regions().region(REGION).province_codes)
    frame = layers.read("province", "national")
    lon0, lat0, lon1, lat1 = frame[frame["adcode"].isin(provinces)].total_bounds  # independent
    v0, v1, w0, w1 = _visible(fig["layout"])
    # the region is in view, and the view is the region's, not the country's
    assert v0 <= lon0 + 0.5 and v1 >= lon1 - 0.5 and w0 <= lat0 + 0.5 and w1 >= lat1 - 0.5
    assert min((v1 - v0) / (lon1 - lon0), (w1 - w0) / (lat1 - lat0)) < 1.5
    assert (v1 - v0) < 0.6 * (theme.MAINLAND_LON[1] - theme.MAINLAND_LON[0])
    labels = next(t for t in fig["data"] if t["type"] == "scattergeo" and t.get("mode") == "text")
    assert len(labels["text"]) >= 10
    assert all(v0 <= x <= v1 and w0 <= y <= w1 for x, y in zip(labels["lon"], labels["lat"], strict=True))
    assert "geo2" not in fig["layout"]  # no 南海诸岛 inset on a regional map


def test_an_english_deck_speaks_english(tmp_path):
    from pptx import Presentation

    def stub(jobs):
        for _view, path in jobs:
            Image.new("RGB", (30, 21), "white").save(path)

    out = export_storyboard(layer_cache(), demo_store()[0], tmp_path / "pack.pptx", REGION + "-en",
                            lang="en", map_images=stub, now=datetime(2026, 12, 5, tzinfo=UTC))  # fmt: skip
    deck = Presentation(str(out))
    from geodata.areas import unit_names

    names = re.compile("|".join(map(re.escape, sorted(set(unit_names("zh").values()), key=len, reverse=True))))
    texts = []
    for slide in deck.slides:
        shapes = {s.name: s for s in slide.shapes}
        title = shapes["title"].text_frame.text
        assert title and not CJK.search(names.sub("", title)), title
        texts += [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        if "indicators" in shapes:
            table = shapes["indicators"].table
            texts += [table.cell(i, j).text for i in range(len(table.rows)) for j in range(4)]
    left = [t for t in texts if CJK.search(names.sub("", t))]
    assert left == [], left[:5]
    assert not any(re.search(r"\b(pan_yangtze|pan_pearl|bohai_rim|northwest)\b", t) for t in texts)
    assert any("Pan-Yangtze" in t for t in texts)
    assert deck.core_properties.title and not CJK.search(deck.core_properties.title)


def test_the_presented_regional_slide_names_its_places():
    """The presentation page's slide map of a region: fitted (its bounds) and its provinces named
    in the slide's language, every name inside the fitted view."""
    from dashboard.i18n import language
    from dashboard.story.slides import load, slide_figure, slide_parts

    with store_context(layer_cache(), demo_store()[0]), language("en"):
        parts = slide_parts(load(REGION + "-en"), 0)
        provinces = {geo.unit_name(c, "en") for c in geo.regions().region(REGION).province_codes}
        figure = slide_figure(parts.level, parts.bounds, parts.labels)
    assert parts.scope == REGION and parts.bounds is not None
    [labels] = [t for t in figure["data"] if t["type"] == "scattergeo" and t.get("mode") == "text"]
    assert parts.level == "province" and set(labels["text"]) == provinces
    lon0, lon1, lat0, lat1 = parts.bounds
    assert all(lon0 <= x <= lon1 and lat0 <= y <= lat1 for x, y in zip(labels["lon"], labels["lat"], strict=True))


def test_the_presented_pilot_slide_is_its_drill_down_map():
    """A pilot county's slide (浦东新区) on the presentation page: drawn as its drill-down map (the
    counties of 上海 in colour, the rest pale), the pilot outlined, fitted to 上海, its name shown."""
    from dashboard.i18n import language
    from dashboard.story.slides import load, slide_figure, slide_parts

    with store_context(layer_cache(), demo_store()[0]), language("zh"):
        board = load(REGION)
        index = next(i for i, s in enumerate(board.slides) if s.view.area == "310115")
        parts = slide_parts(board, index)
        figure = slide_figure(parts.level, parts.bounds, parts.labels, parts.outline)
        h = geo.hierarchy()
        shanghai = set(h.loc[h["prefecture_code"] == "310100", "county_code"])
    assert parts.level == "county" and parts.outline == ("310115",)
    coloured = {c for c, colour in zip(parts.payload["codes"], parts.payload["colors"], strict=True)
                if colour != theme.OUT_OF_PLACE}  # fmt: skip
    assert coloured <= shanghai and "310115" in coloured and len(coloured) > len(shanghai) / 2
    [outlined] = [t for t in figure["data"] if t.get("marker", {}).get("line", {}).get("width") == 2.5]
    assert outlined["locations"] == ["310115"]
    [labels] = [t for t in figure["data"] if t["type"] == "scattergeo" and t.get("mode") == "text"]
    assert "浦东新区" in labels["text"]
    lon0, lon1, lat0, lat1 = parts.bounds
    assert 120.5 < lon0 < 121.5 < lon1 < 122.5 and 30.3 < lat0 < 31.5 < lat1 < 32.3  # 上海, not wider
