"""An attacker's recovery of a small cell from two nested cohorts (issue 14).

The flows page and the flow exports publish each flow in three cohorts, each holding the next:
``all`` holds ``women_15_49``, which holds ``married_women_15_49``. A flow published as 15 in
``all`` and 13 in ``women_15_49`` says that 2 persons of that flow are not women aged 15-49: a cell of a cohort that
nothing publishes, of 1 to threshold - 1 persons, disclosed by a subtraction. The attack takes
every flow published in two nested cohorts, subtracts, and collects the differences of 1 to
threshold - 1 (none of them is itself a published figure: no page or export publishes the
complement cohorts). It is played on the store of ``test_flows_view`` (the ETL's tiny fixture
plus random records, threshold 3) against what leaves the server: the flows page's CSV download
of every flow of its selection (every region, both directions; the table and lines show the same
flags), at every level, for single periods and a range; the contract export ``yipanqi export
flows`` (every cohort in one file); and the research export of one cohort
(``dashboard.export.maps.export_flows``, opened beside the coarser cohorts' files).

Before ``etl.disclosure.nested`` the attack found small differences in each of these (the
commit that added this file says how many).
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard.data import flows as F
from dashboard.pages.flows.table import csv_text
from etl.marts.linked_flows import linked_flows
from etl.records import COHORTS
from etl.scope import NATION
from tests.dashboard.test_flows_view import app_context  # noqa: F401 (fixture)

CELL = ["origin_code", "destination_code"]


def page_published(period: str, cohort: str, level: str, start: str | None = None) -> pd.DataFrame:
    """``origin_code, destination_code, persons`` of every flow the page's CSV download gives a
    number for (all regions, both directions: every between-unit flow of the level)."""
    regions = (*F.region_codes(), F.OTHER_REGION)  # every province
    view = F.flow_view(F.FlowQuery(period, cohort, level, regions, "both", 2000, start=start))
    frame = pd.read_csv(
        io.StringIO(csv_text(view).lstrip("\ufeff")),
        dtype={"origin_code": str, "destination_code": str},
    )
    assert len(frame) == view.n_selected  # the download holds the whole selection
    od = F._query_od(view.query)
    assert view.n_selected == (~od["is_within"].astype(bool)).sum()  # every between-unit flow
    return frame.loc[~frame["suppressed"].astype(bool), [*CELL, "persons"]]


def differences(shown: dict[str, pd.DataFrame], keys: list[str], threshold: int):
    """(small differences found as (coarse, fine, key..., difference), cells compared): every
    cell published (a number) in two nested cohorts, coarse minus fine."""
    found, compared = [], 0
    for i, coarse in enumerate(COHORTS):
        for fine in COHORTS[i + 1 :]:
            pairs = shown[coarse].merge(shown[fine], on=keys, suffixes=("_coarse", "_fine"))
            compared += len(pairs)
            gap = pairs["persons_coarse"].astype(int) - pairs["persons_fine"].astype(int)
            assert (gap >= 0).all(), "a finer cohort never counts more persons"
            small = pairs[(gap > 0) & (gap < threshold)]
            found += [
                (coarse, fine, *row, int(g))
                for row, g in zip(small[keys].itertuples(index=False), gap[small.index], strict=True)
            ]
    return found, compared


@pytest.mark.parametrize(
    ("level", "period", "start"),
    [
        *((lv, p, None) for lv in ("province", "prefecture", "county") for p in ("2010-02", "2010-03")),
        ("county", "2010-03", "2010-02"),
        ("prefecture", "2010-03", "2010-02"),
    ],
)
def test_no_nested_cohorts_differ_by_a_small_count_on_the_page(app_context, level, period, start):  # noqa: F811
    threshold = F.small_cell_threshold()
    assert threshold == 3
    shown = {c: page_published(period, c, level, start) for c in COHORTS}
    found, compared = differences(shown, CELL, threshold)
    assert compared > 0  # the attack has cells published in two cohorts to subtract
    assert found == [], f"{len(found)} small differences, e.g. {found[:5]}"


def matrix_published(period: str, cohort: str, start: str | None) -> pd.DataFrame:
    """``origin_code, destination_code, persons`` of every region-to-region cell (the diagonal's
    within flows included) that the page's matrix gives a number for, read from the hover text
    of the heatmap ``update_matrix`` returns."""
    from dashboard.pages.flows.callbacks import update_matrix

    fn = getattr(update_matrix, "__wrapped__", update_matrix)
    heatmap = fn(period, cohort, list(F.region_codes()), start, "en")["data"][0]
    rows = []
    for i, origin in enumerate(heatmap["y"]):
        for j, destination in enumerate(heatmap["x"]):
            value = str(heatmap["customdata"][i][j]).split("<br>")[1].split(" ")[0]
            if not value.startswith("<"):
                rows.append((origin, destination, int(value.replace(",", ""))))
    return pd.DataFrame(rows, columns=[*CELL, "persons"])


@pytest.mark.parametrize(("period", "start"), [("2010-02", None), ("2010-03", None), ("2010-03", "2010-02")])
def test_no_nested_cohorts_differ_by_a_small_count_in_the_region_matrix(app_context, period, start):  # noqa: F811
    shown = {c: matrix_published(period, c, start) for c in COHORTS}
    found, compared = differences(shown, CELL, F.small_cell_threshold())
    assert compared > 0
    assert found == [], f"{len(found)} small differences, e.g. {found[:5]}"


def test_no_nested_cohorts_differ_by_a_small_count_in_the_contract_export(app_context, tmp_path):  # noqa: F811
    from etl.export import export_flows

    out = tmp_path / "flows.csv"
    export_flows(app_context, out, scope=NATION)
    rows = pd.read_csv(out, dtype={"hukou_code": str, "residence_code": str})
    shown = rows[~rows["suppressed"].astype(bool)]
    keys = ["period", "hukou_code", "residence_code"]
    by_cohort = {c: shown.loc[shown["cohort"] == c, [*keys, "persons"]] for c in COHORTS}
    found, compared = differences(by_cohort, keys, F.small_cell_threshold())
    assert compared > 0
    assert found == [], f"{len(found)} small differences, e.g. {found[:5]}"
    # the coarsest cohort is suppressed as before: only its own cells and their margins
    exact = tmp_path / "exact.csv"
    export_flows(app_context, exact, scope=NATION, exact=True)
    full = pd.read_csv(exact, dtype={"hukou_code": str, "residence_code": str})
    assert len(full) == len(rows)
    assert rows.loc[rows["cohort"] == "all", "suppressed"].sum() < rows["suppressed"].sum()


@pytest.mark.parametrize("level", ["county", "prefecture"])
def test_no_nested_cohorts_differ_by_a_small_count_in_the_research_export(
    app_context, tmp_path, level  # noqa: F811
):
    from dataclasses import replace

    from dashboard import context
    from dashboard.data import store
    from dashboard.export.maps import FLOWS_VIEW, export_flows
    from tests.support import layer_cache

    url = context.current().store_url
    view = replace(FLOWS_VIEW, level=level, period="2010-02")
    shown = {}
    for cohort in COHORTS:
        out = tmp_path / f"{cohort}.csv"
        export_flows(layer_cache(), url, out, view, cohort=cohort)
        rows = pd.read_csv(out, dtype={"origin_code": str, "destination_code": str})
        assert set(rows["cohort"]) == {cohort}
        shown[cohort] = rows.loc[~rows["suppressed"].astype(bool), [*CELL, "persons"]]
    found, compared = differences(shown, CELL, store.small_cell_threshold())
    assert compared > 0
    assert found == [], f"{len(found)} small differences, e.g. {found[:5]}"


NO_UNITS = pd.DataFrame(columns=["county_code", "prefecture_code", "province_code"])
NO_MEMBERS = pd.DataFrame(columns=["region_code", "province_code"])


def test_a_total_a_small_count_under_a_coarser_cohorts_is_withheld(app_context, monkeypatch):  # noqa: F811
    """By hand, threshold 3: into 浦东 (310115) from 无锡 12 persons (11 of them women 15-49),
    from 湖州 11 (10), from 郑州 20 (20). The women's flows of 11 and 10 are withheld (1 person
    short of ``all``'s), so their inflow of 41 holds two withheld flows and would be shown; but
    ``all``'s inflow is 43 and 43 - 41 = 2 persons into 浦东 who are not women 15-49. The page
    withholds the women's inflow (panel and circles); ``all``'s stays shown."""
    place = "310115"
    cells = {("320211", place): (12, 11), ("330402", place): (11, 10), ("410102", place): (20, 20)}
    reads: dict[str, pd.DataFrame] = {}
    for i, cohort in enumerate(COHORTS[:2]):
        raw = pd.DataFrame(
            [
                {"origin_code": o, "destination_code": d, "persons": n[i], "is_within": False}
                for (o, d), n in cells.items()
            ]
        ).assign(small_cell=lambda f: f["persons"] < 3)
        coarser = [{"county": reads[c]} for c in COHORTS[:i]]
        reads[cohort] = linked_flows({"county": raw}, coarser, NO_UNITS, NO_MEMBERS, 3)["county"]
    assert reads["women_15_49"]["small_cell"].tolist() == [True, True, False]
    assert not F.place_totals(reads["women_15_49"], place).hidden("inflow", 3)  # margins alone
    monkeypatch.setattr(F, "_query_od", lambda query: reads[query.cohort])
    shown = {}
    for cohort in COHORTS[:2]:
        query = F.FlowQuery("2010-02", cohort, "county", F.region_codes(), "both", 50, focus=place)
        totals = F.selection_totals(query)
        circles = F.unit_totals(query, [place]).iloc[0]
        assert totals.hidden("inflow", 3) == bool(circles["inflow_withheld"])
        shown[cohort] = None if totals.hidden("inflow", 3) else totals.inflow
    assert shown == {"all": 43, "women_15_49": None}
