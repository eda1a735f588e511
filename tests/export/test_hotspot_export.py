"""The hot spots page's print maps and analysis (``yipanqi export map|layer --hotspots``,
``dashboard.export.hotspots``) over the small national demo store: the data against the marts
read directly and an independent computation (Empirical Bayes by Marshall's formula, global
Moran's I and the box map by numpy), the print figure against the page's own maps and the data
file, small cells withheld, bad options refused in one line, scope and audit."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import yipanqi.export_cli  # noqa: F401 - adds map and layer to the export group
from access import audit
from dashboard import theme
from dashboard.data import hotspots as H
from dashboard.export import hotspots as X
from dashboard.export.source import read_lineage, store_context
from dashboard.pages.hotspots import view as V
from etl import marts
from etl.scope import NATION, parse_scope
from etl.store import open_store
from tests.dashboard.test_hotspots import marshall
from tests.support import DEMO_PERIODS, demo_store, layer_cache
from yipanqi.cli import app as cli

PERIOD = DEMO_PERIODS[1]
MEASURE = "cert_verified"


@pytest.fixture(scope="module")
def store() -> str:
    url, _data = demo_store()
    return url


@pytest.fixture(autouse=True)
def data_dir(monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layer_cache().root.parents[1]))


def export(**changed) -> X.HotspotExport:
    which = changed.pop("map", "value")
    lang = changed.pop("lang", "en")
    chosen = {"measure": MEASURE, "level": "county", "period": PERIOD, **changed}
    view = V.HotspotView(**chosen)
    return X.HotspotExport(view, which, lang)


def table_and_analysis(store: str, one: X.HotspotExport):
    with store_context(layer_cache(), store) as ctx:
        one = X.checked(one)
        table = X.hotspot_table(one, read_lineage(ctx))
        view = one.view
        result = H.analysis(view.measure, view.level, view.period, view.variable, view.fdr)
        counts = marts.read_coverage(
            ctx.engine, PERIOD, MEASURE, view.level, scope=NATION, side="inflow"
        ).set_index("unit_code")
        weights = H.unit_weights(view.level, tuple(np.array(result.codes)[result.analysed]))
    return table, result, counts, weights


def test_the_data_are_the_analysis_and_an_independent_computation(store):
    table, result, counts, weights = table_and_analysis(store, export(variable="eb"))
    data = table.data.set_index("code")
    assert list(data.index) == result.codes
    used = data[~data["suppressed"]].dropna(subset=["raw_rate"])
    assert len(used) == int(result.analysed.sum()) > 50
    n = counts["numerator"].reindex(used.index).to_numpy(float)
    d = counts["denominator"].reindex(used.index).to_numpy(float)
    assert np.array_equal(used["numerator"].to_numpy(float), n)
    assert np.array_equal(used["denominator"].to_numpy(float), d)
    assert np.allclose(used["raw_rate"].to_numpy(float), n / d)
    # coverage smoothed through its shortfall: 1 - EB(persons not served)
    assert np.allclose(used["eb_rate"].to_numpy(float), 1 - marshall(d - n, d))
    assert (used["small_denominator"].astype(bool) == (d < H.SMALL_DENOMINATOR)).all()
    # global Moran's I of the EB rates by the formula, with the analysis's weights as a matrix
    z = used["eb_rate"].to_numpy(float) - used["eb_rate"].to_numpy(float).mean()
    w, _ids = weights.w.full()
    expected = len(z) / w.sum() * (z @ w @ z) / (z @ z)
    meta = table.metadata.set_index(["section", "key"])["value"]
    assert float(meta[("analysis", "global_moran_i")]) == pytest.approx(expected, abs=1e-6)
    assert meta[("analysis", "seed")] == "20091101" and meta[("analysis", "permutations")] == "999"
    # the cluster is the quadrant where significant; the significance class follows the p-value
    significant = used["pseudo_p"] <= 0.05
    assert (used.loc[significant, "cluster"] == used.loc[significant, "quadrant"]).all()
    assert (used.loc[~significant, "cluster"] == "not_significant").all()
    assert (used.loc[used["pseudo_p"] <= 0.001, "significance"] == "p<=0.001").all()
    high = (used["eb_rate"] > used["eb_rate"].mean()).to_numpy()
    lag = w @ used["eb_rate"].to_numpy(float)
    high_lag = lag > used["eb_rate"].mean()
    hand = np.select(
        [high & high_lag, ~high & high_lag, ~high & ~high_lag], ["HH", "LH", "LL"], "HL"
    )
    assert (used["quadrant"].to_numpy() == hand).all()


def test_small_cells_are_blank_and_flagged(store):
    table, result, counts, _w = table_and_analysis(store, export())
    data = table.data.set_index("code")
    small = counts.index[counts["small_cell"].fillna(False) & (counts["denominator"] > 0)]
    small = [c for c in small if c in data.index]
    assert small
    rows = data.loc[small]
    assert rows["suppressed"].all()
    numbers = ["numerator", "denominator", "raw_rate", "eb_rate", "spatial_eb_rate",
               "small_denominator", "local_moran_i", "pseudo_p", "cluster", "quadrant",
               "significance"]  # fmt: skip
    assert rows[numbers].isna().all().all()
    assert int(data["suppressed"].sum()) == int(result.withheld.sum())


def box_classes(values: np.ndarray) -> np.ndarray:
    """Box map classes by hand (hinge 1.5): 0 lower outliers, 1-4 the quartiles, 5 upper."""
    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    return np.select(
        [values < low, values <= q1, values <= q2, values <= q3, values <= high], [0, 1, 2, 3, 4], 5
    )


def legend_counts(figure: dict) -> list[int]:
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    return [
        int(m.group(1).replace(",", "")) for t in texts if (m := re.search(r"\(([\d,]+)\)$", t))
    ]


def test_the_print_maps_are_the_pages_classes_and_the_data(store):
    one = export(scheme="box")
    figure = X.hotspot_map_figure(layer_cache(), store, one)
    table, result, _c, _w = table_and_analysis(store, one)
    used = table.data[~table.data["suppressed"]].dropna(subset=["spatial_eb_rate"])
    main = figure["data"][0]
    drawn = dict(zip(main["locations"], main["z"], strict=True))
    by_hand = box_classes(used["spatial_eb_rate"].to_numpy(float))
    assert [drawn[c] for c in used["code"]] == list(by_hand.astype(float))
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert "<b>Box map (hinge 1.5)</b>" in texts  # the legend names the classification
    assert f"Global Moran's I {result.moran.i:.3f}" in texts[1] and "seed 20091101" in texts[1]
    assert "999 permutations" in texts[1] and "no correction" in texts[1]
    assert any("queen contiguity" in t for t in texts)
    assert legend_counts(figure)[::-1] == [int((by_hand == k).sum()) for k in range(6)]
    # no withheld unit takes a class colour: they are the grey trace
    withheld = {c for c, w in zip(result.codes, result.withheld, strict=True) if w}
    assert not withheld & set(main["locations"])
    assert set(figure["data"][2]["locations"]) == withheld

    cluster = X.hotspot_map_figure(layer_cache(), store, export(map="cluster", fdr=True))
    fdr_table, *_ = table_and_analysis(store, export(fdr=True))
    clusters = fdr_table.data["cluster"].dropna()
    expected = [
        int((clusters == name).sum()) for name in ("not_significant", "HH", "LH", "LL", "HL")
    ]
    assert legend_counts(cluster)[::-1] == expected
    cluster_texts = [a["text"] for a in cluster["layout"]["annotations"]]
    assert "false discovery rate" in cluster_texts[1]

    significance = X.hotspot_map_figure(layer_cache(), store, export(map="significance", lang="zh"))
    levels = table.data["significance"].dropna()
    words = ("not_significant", "p<=0.05", "p<=0.01", "p<=0.001")
    assert legend_counts(significance)[::-1] == [int((levels == w).sum()) for w in words]
    assert "局部莫兰" in significance["layout"]["annotations"][0]["text"]


def test_typed_breaks_are_the_classes_and_bad_ones_refused(store, tmp_path):
    figure = X.hotspot_map_figure(
        layer_cache(), store, export(level="prefecture", scheme="user", breaks="90, 95, 98")
    )
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert "<b>Your breaks: 90, 95, 98</b>" in texts
    assert any(t.startswith("95.0% – 98.0%") for t in texts), texts
    # the page draws the box map for breaks it cannot read; the command line refuses them
    assert X.as_drawn(V.HotspotView(scheme="user", breaks="95, 90")).scheme == "box"
    for args, words in (
        (["--scheme", "user", "--breaks", "95,90"], "must increase"),
        (["--scheme", "user"], "needs --breaks"),
        (["--hotspot-map", "lisa"], "unknown hot spots map"),
        (["--level", "province"], "unknown level"),
    ):
        result = CliRunner().invoke(
            cli, ["export", "map", "--hotspots", *args, "--store", store,
                  "--out", str(tmp_path / "m.svg")],
        )  # fmt: skip
        assert result.exit_code != 0 and words in result.output, result.output
        assert "Traceback" not in result.output


def test_the_layer_is_scoped_and_audited(store, tmp_path):
    out = tmp_path / "hot.csv"
    X.export_hotspot_layer(
        layer_cache(), store, out, export(), scope=parse_scope("province:320000")
    )
    data = pd.read_csv(io.StringIO(out.read_text(encoding="utf-8-sig")), dtype={"code": str})
    assert len(data) > 10 and data["code"].str.startswith("32").all()
    engine = open_store(store)
    event = audit.list_events(engine, action="export.layer")[0]
    engine.dispose()
    assert event.object == out.name and "hotspots=analysis" in event.detail
    assert "province:320000" in event.detail
    cli_out = tmp_path / "cli.geojson"
    result = CliRunner().invoke(
        cli, ["export", "layer", "--hotspots", "--measure", "inflow_per_1000", "--level",
              "prefecture", "--store", store, "--out", str(cli_out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"local_moran_i"' in cli_out.read_text(encoding="utf-8")


def test_print_files_for_a_person_to_look_at(store, kept):
    from tests.export.conftest import need_chromium

    need_chromium()
    outs = []
    for lang in ("zh", "en"):
        for which, fmt in (("value", "png"), ("cluster", "pdf"), ("significance", "png")):
            out = Path(kept) / f"hotspots-{which}-{lang}.{fmt}"
            X.export_hotspot_maps(
                layer_cache(), store, [out], export(map=which, lang=lang, fdr=True)
            )
            outs.append(out)
    assert all(o.stat().st_size > 50_000 for o in outs)
    assert outs[1].read_bytes().startswith(b"%PDF")


def test_small_denominators_are_washed_as_on_screen(store):
    one = export(shade=True)
    figure = X.hotspot_map_figure(layer_cache(), store, one)
    table, _r, _c, _w = table_and_analysis(store, one)
    small = set(table.data.loc[table.data["small_denominator"].fillna(False).astype(bool), "code"])
    wash = [[0, theme.SMALL_BASE_WASH], [1, theme.SMALL_BASE_WASH]]
    washes = [t for t in figure["data"] if t.get("colorscale") == wash]
    assert small and len(washes) == 1 and set(washes[0]["locations"]) == small
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert f"Denominator under {H.SMALL_DENOMINATOR} persons: an unstable rate" in texts
    plain = X.hotspot_map_figure(layer_cache(), store, export(shade=False))
    assert len(plain["data"]) == len(figure["data"]) - 1


@pytest.mark.parametrize("which", X.MAPS)
def test_each_print_map_carries_the_pages_narrative_and_a_row_per_note(store, which):
    from dashboard.export.map_figure import footer_lines
    from dashboard.export.maps import view_narrative
    from dashboard.export.source import MapView

    figure = X.hotspot_map_figure(layer_cache(), store, export(map=which))
    with store_context(layer_cache(), store):
        narrative = " ".join(view_narrative(MapView(MEASURE, "county", PERIOD, "en")))
    layout = figure["layout"]
    footer = sorted(
        (a for a in layout["annotations"] if a["y"] < 0), key=lambda a: a["y"], reverse=True
    )
    rows = [a["text"] for a in footer]
    n = len(footer_lines(narrative))
    assert n == 2 and " ".join(rows[:n]) == narrative  # the page's narrative, wrapped whole
    assert rows[n].startswith("Neighbours: queen contiguity")
    assert "units (county) analysed" in rows[n + 1] and rows[n + 2].startswith("Left out:")
    assert rows[n + 3].startswith("Source:") and rows[n + 4].startswith("Data version:")
    # every row inside the page's bottom margin, 17 px apart
    plot_h = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    px = [-a["y"] * plot_h for a in footer]
    assert np.allclose(np.diff(px), 17) and px[-1] + 14 <= layout["margin"]["b"]
