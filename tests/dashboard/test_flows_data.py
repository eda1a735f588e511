"""Selection, netting, thinning and totals of the flows page, on a hand-made OD table.

The table ``OD`` (county level, threshold 10) and the numbers expected from it, derived by hand:

    origin -> destination   persons  within  small     province of origin / destination
    P 310115 -> W 320211       120                     上海 / 江苏   (both 泛长三角)
    W 320211 -> P 310115        30                     江苏 / 上海
    G 440106 -> P 310115        50                     广东 / 上海   (泛珠三角 -> 泛长三角)
    P 310115 -> G 440106         4             small   上海 / 广东
    Z 410102 -> P 310115        80                     河南 / 上海   (no region -> 泛长三角)
    Z 410102 -> G 440106        25                     河南 / 广东
    N 360102 -> G 440106         7             small   江西 / 广东   (江西: 泛长三角 and 泛珠三角)
    B 110105 -> Z 410102        12                     北京 / 河南   (环渤海 -> no region)
    P 310115 -> P 310115         9   within    small   浦东 diagonal
    G 440106 -> G 440106        40   within            天河 diagonal

Focus P (浦东): inflow = 30 + 50 + 80 = 160; outflow = 120 + 4 = 124; net = +36; within = 9.
Net pairs of P: P-W: 120 - 30 = 90 from P to W; P-G: 50 - 4 = 46 from G to P, suppressed (the 4
is a small cell); P-Z: 80 from Z to P.
Set 泛长三角 (上海, 江苏, 安徽, 浙江, 江西): inflow from outside = 50 (G->P) + 80 (Z->P) = 130;
outflow to outside = 4 (P->G) + 7 (N->G) = 11; among = 120 + 30 = 150; within = 9.
Top 3 of "both" for 泛长三角: P->W 120, Z->P 80, G->P 50 (then W->P 30; small cells last).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.data import flows as F

P, W, G, Z, N, B = "310115", "320211", "440106", "410102", "360102", "110105"
PAN_YANGTZE = {"310000", "320000", "330000", "340000", "360000"}
PAN_PEARL = {
    "440000",
    "350000",
    "360000",
    "430000",
    "450000",
    "460000",
    "510000",
    "520000",
    "530000",
}
THRESHOLD = 10


def od_table(rows) -> pd.DataFrame:
    data = pd.DataFrame(rows, columns=["origin_code", "destination_code", "persons", "is_within"])
    data["persons"] = data["persons"].astype("int64")
    data["small_cell"] = data["persons"] < THRESHOLD
    return data[F.OD_COLUMNS]


OD = od_table(
    [
        (P, W, 120, False),
        (W, P, 30, False),
        (G, P, 50, False),
        (P, G, 4, False),
        (Z, P, 80, False),
        (Z, G, 25, False),
        (N, G, 7, False),
        (B, Z, 12, False),
        (P, P, 9, True),
        (G, G, 40, True),
    ]
)


def pairs(flows: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {
        (o, d): int(p)
        for o, d, p in flows[["origin_code", "destination_code", "persons"]].itertuples(index=False)
    }


# --- by hand --------------------------------------------------------------------------------------


def test_focus_totals_by_hand():
    totals = F.place_totals(OD, P)
    assert (totals.inflow, totals.outflow, totals.net, totals.within) == (160, 124, 36, 9)
    assert totals.among is None


def test_set_totals_by_hand():
    totals = F.set_totals(OD, PAN_YANGTZE)
    assert (totals.inflow, totals.outflow, totals.among, totals.within) == (130, 11, 150, 9)
    assert totals.net == 119


def test_focus_directions_by_hand():
    assert pairs(F.select_flows(OD, "inflow", focus=P)) == {(W, P): 30, (G, P): 50, (Z, P): 80}
    assert pairs(F.select_flows(OD, "outflow", focus=P)) == {(P, W): 120, (P, G): 4}
    both = F.select_flows(OD, "both", focus=P)
    assert len(both) == 5 and (P, P) not in pairs(both)  # the diagonal is never a line
    assert dict(
        zip(
            zip(both["origin_code"], both["destination_code"], strict=True),
            both["group"],
            strict=True,
        )
    ) == {
        (P, W): "out",
        (W, P): "in",
        (G, P): "in",
        (P, G): "out",
        (Z, P): "in",
    }


def test_net_by_hand():
    net = F.select_flows(OD, "net", focus=P)
    assert pairs(net) == {(P, W): 90, (G, P): 46, (Z, P): 80}
    small = dict(
        zip(
            zip(net["origin_code"], net["destination_code"], strict=True),
            net["small_cell"],
            strict=True,
        )
    )
    assert small == {
        (P, W): False,
        (G, P): True,
        (Z, P): False,
    }  # G-P nets a small cell: suppressed
    assert set(net["group"]) == {"in", "out"}
    assert net.loc[net["destination_code"] == W, "group"].item() == "out"


def test_thin_orders_publishable_first_and_keeps_top_n():
    both = F.select_flows(OD, "both", provinces=PAN_YANGTZE)
    top = F.thin(both, 3)
    assert list(zip(top["origin_code"], top["destination_code"], strict=True)) == [
        (P, W),
        (Z, P),
        (G, P),
    ]
    everything = F.thin(both, 100)
    small = everything["small_cell"].to_numpy()
    assert not small[: (~small).sum()].any() and small[(~small).sum() :].all()  # small cells last
    tail = everything[everything["small_cell"]]
    assert list(zip(tail["origin_code"], tail["destination_code"], strict=True)) == sorted(
        zip(tail["origin_code"], tail["destination_code"], strict=True)
    )  # ... in code order, which says nothing of their size


def test_set_directions_by_hand():
    inflow = pairs(F.select_flows(OD, "inflow", provinces=PAN_YANGTZE))
    assert inflow == {(P, W): 120, (W, P): 30, (G, P): 50, (Z, P): 80}
    outflow = pairs(F.select_flows(OD, "outflow", provinces=PAN_YANGTZE))
    assert outflow == {(P, W): 120, (W, P): 30, (P, G): 4, (N, G): 7}
    # 江西 (N) is in 泛珠三角 too: its flow to 广东 is among that set's places, not an outflow of it
    pearl = F.set_totals(OD, PAN_PEARL)
    assert (pearl.inflow, pearl.outflow, pearl.among, pearl.within) == (4 + 25, 50, 7, 40)
    assert (B, Z) not in pairs(F.select_flows(OD, "both", provinces=PAN_YANGTZE | PAN_PEARL))


def test_suppressed_counts():
    assert F.suppressed(4, 10) and F.suppressed(-9, 10)
    assert not F.suppressed(0, 10) and not F.suppressed(10, 10)


def test_unknown_direction_is_an_error():
    with pytest.raises(ValueError, match="unknown direction"):
        F.select_flows(OD, "sideways", focus=P)


def test_region_matrix_flags_small_cells():
    rollup = pd.DataFrame(
        {
            "origin_code": ["a", "a", "b", "b"],
            "destination_code": ["a", "b", "a", "c"],
            "persons": [100, 3, 40, 12],
        }
    )
    matrix = F.region_matrix_of(rollup, ["a", "b", "c"], threshold=10)
    assert matrix.persons.tolist() == [[100, 3, 0], [40, 0, 12], [0, 0, 0]]
    assert matrix.small_cell.tolist() == [[False, True, False], [False, False, False], [False] * 3]


def test_focus_for_level_maps_up_never_down():
    units = {
        "province": ("310000", "320000", "440000"),
        "prefecture": ("310100", "320200", "440100"),
        "county": (P, W, G),
    }
    assert F.focus_for_level(P, "province", units) == "310000"
    assert F.focus_for_level("320200", "province", units) == "320000"
    assert F.focus_for_level("320200", "county", units) is None  # coarser than a county: dropped
    assert F.focus_for_level("999999", "county", units) is None
    assert F.focus_for_level(None, "county", units) is None
    assert F.focus_for_level(G, "county", units) == G


# --- against an independent pandas computation ----------------------------------------------------


def random_od(seed: int = 3, n_units: int = 40, n_flows: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    provinces = ["310000", "320000", "440000", "410000", "110000", "610000", "360000"]
    units = [f"{provinces[i % len(provinces)][:2]}{i:04d}" for i in range(n_units)]
    o = rng.integers(0, n_units, n_flows)
    d = rng.integers(0, n_units, n_flows)
    frame = pd.DataFrame(
        {"origin_code": np.array(units)[o], "destination_code": np.array(units)[d]}
    )
    frame = frame.drop_duplicates(ignore_index=True)
    frame["persons"] = rng.integers(1, 300, len(frame)).astype("int64")
    frame["is_within"] = frame["origin_code"] == frame["destination_code"]
    frame["small_cell"] = frame["persons"] < THRESHOLD
    return frame[F.OD_COLUMNS]


def independent_net(od: pd.DataFrame, keep) -> dict[tuple[str, str], tuple[int, bool]]:
    """Net of every pair with an end kept, by a dictionary walk over the rows."""
    gross: dict[tuple[str, str], tuple[int, bool]] = {}
    for row in od.itertuples(index=False):
        if row.origin_code != row.destination_code and (
            keep(row.origin_code) or keep(row.destination_code)
        ):
            gross[(row.origin_code, row.destination_code)] = (row.persons, row.small_cell)
    result = {}
    for (a, b), (ab, small_ab) in gross.items():
        ba, small_ba = gross.get((b, a), (0, False))
        if ab > ba:
            result[(a, b)] = (ab - ba, small_ab or small_ba)
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_net_equals_independent_computation(seed):
    od = random_od(seed)
    provinces = {"310000", "440000"}
    keep = lambda code: code[:2] + "0000" in provinces  # noqa: E731
    net = F.select_flows(od, "net", provinces=provinces)
    got = {
        (o, d): (int(p), bool(s))
        for o, d, p, s in net[
            ["origin_code", "destination_code", "persons", "small_cell"]
        ].itertuples(index=False)
    }
    assert got == independent_net(od, keep)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_directions_and_totals_equal_independent_computation(seed):
    od = random_od(seed)
    focus = od["origin_code"].iloc[0]
    between = od[od["origin_code"] != od["destination_code"]]
    into = between[between["destination_code"] == focus]
    out = between[between["origin_code"] == focus]
    assert pairs(F.select_flows(od, "inflow", focus=focus)) == pairs(into)
    assert pairs(F.select_flows(od, "outflow", focus=focus)) == pairs(out)
    assert pairs(F.select_flows(od, "both", focus=focus)) == pairs(pd.concat([into, out]))
    totals = F.place_totals(od, focus)
    assert totals.inflow == into["persons"].sum() and totals.outflow == out["persons"].sum()
    assert (
        totals.within
        == od.loc[(od["origin_code"] == focus) & (od["destination_code"] == focus), "persons"].sum()
    )

    provinces = {"320000", "610000"}
    o_in = between["origin_code"].str[:2].add("0000").isin(provinces)
    d_in = between["destination_code"].str[:2].add("0000").isin(provinces)
    s = F.set_totals(od, provinces)
    assert s.inflow == between.loc[d_in & ~o_in, "persons"].sum()
    assert s.outflow == between.loc[o_in & ~d_in, "persons"].sum()
    assert s.among == between.loc[o_in & d_in, "persons"].sum()


@pytest.mark.parametrize("top", [1, 7, 50, 10_000])
def test_thin_equals_independent_top_n(top):
    od = random_od(5)
    selected = F.select_flows(od, "both", provinces={"310000", "440000", "110000"})
    got = F.thin(selected, top)
    publishable = selected[~selected["small_cell"]].sort_values(
        ["persons", "origin_code", "destination_code"], ascending=[False, True, True]
    )
    small = selected[selected["small_cell"]].sort_values(["origin_code", "destination_code"])
    expected = pd.concat([publishable, small]).head(top)
    assert len(got) == min(top, len(selected))
    assert list(zip(got["origin_code"], got["destination_code"], strict=True)) == list(
        zip(expected["origin_code"], expected["destination_code"], strict=True)
    )
    assert not (got["origin_code"] == got["destination_code"]).any()
