"""The scenarios page's side-by-side view (``layer=side``): the reference and the scenario as two
maps of one figure, in one set of classes; kept in the URL; refused by the one-map exports with a
one-line reason in the page's language."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from dashboard.data import scenarios as data
from dashboard.export.source import store_context
from dashboard.i18n import language
from dashboard.pages.scenarios.view import export_refusal, map_figure, page_query
from tests.support import demo_store, layer_cache


@pytest.fixture(scope="module")
def result():
    with store_context(layer_cache(), demo_store()[0]), language("en"):
        checked, found = data.check(data.example("example"))
        assert checked is not None, found
        yield data.result(data.canonical_json(checked))


def _main(figure: dict, geo: str) -> dict:
    """The classed choropleth of ``geo`` (the one trace with a colour scale of several colours)."""
    (trace,) = [
        t for t in figure["data"]
        if t["type"] == "choropleth" and t.get("geo") == geo and t.get("zmax", 1) > 1
    ]  # fmt: skip
    return trace


@pytest.mark.parametrize("measure", ["inflow", "cert_verified"])
def test_both_maps_share_one_set_of_classes(result, measure):
    with store_context(layer_cache(), demo_store()[0]), language("en"):
        figure = map_figure(result, measure, "side")
        before = data.map_values(result, measure, "baseline")
        after = data.map_values(result, measure, "scenario")
    layout = figure["layout"]
    assert layout["geo"]["domain"]["x"][1] <= 0.5 <= layout["geo3"]["domain"]["x"][0]
    assert layout["geo2"]["domain"]["x"][1] <= 0.5 <= layout["geo4"]["domain"]["x"][0]
    left, right = _main(figure, "geo"), _main(figure, "geo3")
    assert left["colorscale"] == right["colorscale"] and left["zmax"] == right["zmax"]
    assert "colorbar" in left and right.get("showscale") is False  # one legend for both
    # one rule for both sides: over the counties of both maps, a larger value never has a lower class
    pairs = []
    for trace, values in ((left, before), (right, after)):
        lookup = dict(zip(values.codes, values.values, strict=True))
        pairs += [(lookup[c], z) for c, z in zip(trace["locations"], trace["z"], strict=True)]
    pairs.sort()
    classes = [z for _, z in pairs]
    assert classes == sorted(classes)
    assert len(set(classes)) > 1
    heads = [a["text"] for a in layout["annotations"]]
    assert "<b>Baseline</b>" in heads and "<b>“example”</b>" in heads


def test_the_layer_is_in_the_url_and_exports_refuse_it_in_the_page_language():
    with store_context(layer_cache(), demo_store()[0]), language("zh"):
        query = parse_qs(page_query({"name": "x", "levers": []}, "inflow", "side", "")[1:])
        refusal = export_refusal("side")
        assert export_refusal("difference") is None and export_refusal("baseline") is None
    assert query["layer"] == ["side"]
    assert refusal and "\n" not in refusal and "并排" in refusal
    assert all(ord(ch) > 0x2E80 or not ch.isalpha() for ch in refusal)  # no English word left
    assert "side" in data.LAYERS
