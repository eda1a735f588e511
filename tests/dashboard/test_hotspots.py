"""The hot spots page over the small national demo store (``tests.support.demo_store``): its
analysis against the marts read directly and an independent Empirical Bayes computation; no small
cell reaches a hover, a legend or the CSV; the scope decides the units; forged inputs are refused.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashboard import ids
from dashboard.data import hotspots as H
from dashboard.data.store import reading_as
from dashboard.factory import create_app
from dashboard.pages.hotspots import callbacks, layout
from dashboard.pages.hotspots import view as V
from dashboard.security.inputs import InvalidInput
from etl import marts
from etl.scope import NATION, parse_scope
from tests.support import DEMO_PERIODS, demo_store, layer_cache

PERIOD = DEMO_PERIODS[1]
MEASURE = "cert_verified"


@pytest.fixture(scope="module")
def app():
    url, _data = demo_store()
    return create_app(layer_cache(), url)


@pytest.fixture
def nation(app):
    with app.server.test_request_context("/hotspots"), reading_as(NATION):
        yield app


def coverage(app, level: str = "county", scope=NATION) -> pd.DataFrame:
    """The indicator's counts read from the marts directly, with the store's threshold."""
    engine = app.server.config["YIPANQI_CONTEXT"].engine
    data = marts.read_coverage(engine, PERIOD, MEASURE, level, scope=scope, side="inflow")
    return data.set_index("unit_code")


def marshall(e: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Global Empirical Bayes of rates e / b (Marshall 1991), variance estimate floored at 0."""
    r, m = e / b, e.sum() / b.sum()
    s2 = max((b * (r - m) ** 2).sum() / b.sum() - m / b.mean(), 0.0)
    return m + (r - m) * s2 / (s2 + m / b)


def test_the_analysis_leaves_small_cells_out_and_smooths_the_rest(nation):
    result = H.analysis(MEASURE, "county", PERIOD, "eb", False)
    counts = coverage(nation).reindex(result.codes)
    # a small cell with persons in it (a denominator of 0 is no data, and discloses nobody)
    small = (counts["small_cell"].fillna(False) & (counts["denominator"] > 0)).to_numpy(bool)
    assert small.any() and (~small).any()
    assert result.withheld[small].all()  # every small cell is withheld (and maybe partners)
    assert not result.analysed[result.withheld].any()
    assert np.isnan(result.numerator[result.withheld]).all()
    used = result.analysed
    n = counts["numerator"].to_numpy(float)[used]
    d = counts["denominator"].to_numpy(float)[used]
    assert np.allclose(result.raw[used], n / d)
    # coverage is smoothed through its shortfall: 1 - EB(denominator - numerator, denominator)
    assert np.allclose(result.eb[used], 1 - marshall(d - n, d))
    assert np.isnan(result.value[~used]).all()
    assert result.local is not None and len(result.local.p_sim) == used.sum()
    assert result.moran is not None and result.moran.n == used.sum()


def test_no_withheld_unit_shows_a_number(nation):
    shown = V.maps(V.HotspotView(measure=MEASURE, level="county", period=PERIOD, scheme="box"))
    result = H.analysis(MEASURE, "county", PERIOD, "spatial_eb", False)
    hidden = {c for c, w in zip(result.codes, result.withheld, strict=True) if w}
    for figure in (shown.value, shown.cluster, shown.significance):
        for trace in figure["data"]:
            if "text" not in trace:
                continue  # borders, the sea line: no hover
            for code, text in zip(trace.get("locations", []), trace.get("text", []), strict=True):
                if code in hidden:
                    assert not any(ch.isdigit() for ch in text.split("<br>", 1)[1]), text
    small = coverage(nation)
    small = small.index[small["small_cell"] & (small["denominator"] > 0)]
    table = V.analysis_table(V.HotspotView(measure=MEASURE, period=PERIOD))
    rows = table.set_index("code").loc[small]
    numbers = ["numerator", "denominator", "raw_rate", "eb_rate", "spatial_eb_rate",
               "local_moran_i", "pseudo_p", "cluster"]  # fmt: skip
    assert rows["suppressed"].all()
    assert rows[numbers].isna().all().all()
    kept = table[~table["suppressed"]]
    assert (kept["denominator"].dropna() >= H.SMALL_DENOMINATOR).sum() > 0
    shown_den = kept["denominator"].dropna()
    assert ((shown_den == 0) | (shown_den >= marts_threshold(nation))).all()


def marts_threshold(app) -> int:
    return marts.small_cell_threshold(app.server.config["YIPANQI_CONTEXT"].engine, scope=NATION)


def test_the_analysis_table_holds_every_unit_and_its_raw_rate(nation):
    view = V.HotspotView(measure="inflow_per_1000", level="prefecture", period=PERIOD)
    table = V.analysis_table(view)
    result = H.analysis("inflow_per_1000", "prefecture", PERIOD, view.variable, False)
    assert list(table["code"]) == result.codes
    analysed = table[table["code"].isin(np.array(result.codes)[result.analysed])]
    assert len(analysed) > 200  # 289 of 358 prefectures in the demo store
    raw = analysed["numerator"].astype(float) / analysed["denominator"].astype(float) * 1000
    assert np.allclose(analysed["raw_rate"].astype(float), raw)


def test_a_province_reader_sees_only_its_units(app):
    scope = parse_scope("province:320000")
    with app.server.test_request_context("/hotspots"), reading_as(scope):
        result = H.analysis(MEASURE, "county", PERIOD, "spatial_eb", False)
        assert result.codes and all(code.startswith("32") for code in result.codes)
        table = V.analysis_table(V.HotspotView(measure=MEASURE, period=PERIOD))
        assert set(table["code"]) == set(result.codes)


def test_legends_name_the_scheme_and_typed_breaks_are_used(nation):
    for scheme, label in V.SCHEME_LABELS.items():
        if scheme == "user":
            continue
        shown = V.maps(V.HotspotView(measure=MEASURE, period=PERIOD, scheme=scheme))
        assert json.dumps(shown.value_legend[1].to_plotly_json(), ensure_ascii=False).count(
            V._(label)
        )
    typed = V.maps(V.HotspotView(measure=MEASURE, period=PERIOD, scheme="user", breaks="96, 98"))
    assert typed.problem == ""
    texts = [row.children[1].children for row in typed.value_legend[2].children]
    assert any("96.0%" in text for text in texts) and any("98.0%" in text for text in texts)
    bad = V.maps(V.HotspotView(measure=MEASURE, period=PERIOD, scheme="user", breaks="98, 96"))
    assert bad.problem  # said on the page; the box map is shown instead


def test_count_measures_are_analysed_raw(nation):
    result = H.analysis("net", "prefecture", PERIOD, "spatial_eb", True)
    assert result.variable == "raw" and result.fdr
    assert result.local is not None and result.local.cutoff <= 0.05


def test_the_layout_reads_the_url_and_falls_back(nation):
    page = layout.layout(measure="nonsense", level="province", period="2099-01", scheme="x")
    values = {c.id: c.value for c in page._traverse() if isinstance(getattr(c, "id", None), str)
              and hasattr(c, "value")}  # fmt: skip
    assert values[ids.HOTSPOTS_MEASURE] == V.DEFAULT_MEASURE
    assert values[ids.HOTSPOTS_LEVEL] == V.DEFAULT_LEVEL
    assert values[ids.HOTSPOTS_PERIOD] == PERIOD  # the latest
    assert values[ids.HOTSPOTS_SCHEME] == V.DEFAULT_SCHEME
    page = layout.layout(measure="inflow", level="prefecture", scheme="natural", fdr="1")
    values = {c.id: c.value for c in page._traverse() if isinstance(getattr(c, "id", None), str)
              and hasattr(c, "value")}  # fmt: skip
    assert values[ids.HOTSPOTS_MEASURE] == "inflow" and values[ids.HOTSPOTS_OPTIONS] == ["fdr", "shade"]


@pytest.mark.parametrize(
    "bad",
    [
        {"measure": "x"},
        {"level": "province"},
        {"period": "2099-01"},
        {"variable": 3},
        {"scheme": None},
        {"breaks": ["1"]},
        {"options": ["fdr", "drop table"]},
    ],
)
def test_forged_controls_are_refused(nation, bad):
    values = {"measure": MEASURE, "level": "county", "period": PERIOD, "variable": "eb",
              "scheme": "box", "breaks": "", "options": ["fdr"]}  # fmt: skip
    values.update(bad)
    with pytest.raises(InvalidInput):
        callbacks.view_of(**values)


def test_a_prefecture_reader_at_prefecture_level_has_one_unit(app):
    with app.server.test_request_context("/hotspots"), reading_as(parse_scope("prefecture:320200")):
        result = H.analysis("inflow_per_1000", "prefecture", PERIOD, "spatial_eb", False)
        assert result.codes == ["320200"] and result.moran is None
        assert np.array_equal(result.spatial_eb, result.raw, equal_nan=True)
        shown = V.maps(V.HotspotView(measure="inflow_per_1000", level="prefecture", period=PERIOD))
        with_words = json.dumps([c.to_plotly_json() for c in shown.summary], default=str, ensure_ascii=False)
        assert V._("Too few units with data for a test of clustering.") in with_words


def test_small_means_few_persons_behind_the_rate(nation):
    coverage_result = H.analysis(MEASURE, "county", PERIOD, "raw", False)
    den = coverage_result.denominator
    with np.errstate(invalid="ignore"):
        expected = coverage_result.analysed & (den < 50)
    assert np.array_equal(coverage_result.small, expected) and expected.any()
    per_1000 = H.analysis("inflow_per_1000", "county", PERIOD, "raw", False)
    with np.errstate(invalid="ignore"):
        expected = per_1000.analysed & (per_1000.numerator < 50)  # the inflow, not the residents
    assert np.array_equal(per_1000.small, expected) and expected.any()
    assert (per_1000.denominator[per_1000.analysed] >= 50).all()
