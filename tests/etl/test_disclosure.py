"""etl.disclosure: a suppressed cell is blank, its row flagged; nothing else changes."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from etl.disclosure import SUPPRESSED, suppress


def test_primary_suppression_blanks_the_cells_and_flags_the_rows():
    data = pd.DataFrame(
        {"code": ["a", "b", "c"], "persons": [12, 3, 0], "rate": [0.5, 0.25, float("nan")]}
    )
    out = suppress(data, ["persons", "rate"], data["persons"].between(1, 9))
    assert list(out.columns) == ["code", "persons", "rate", SUPPRESSED]
    assert out[SUPPRESSED].tolist() == [False, True, False]
    assert out["persons"].tolist()[0] == 12 and out["persons"].isna().tolist() == [False, True, False]
    assert str(out["persons"].dtype) == "Int64"  # a kept count stays a whole number
    text = out.to_csv(index=False)
    assert text.splitlines()[1:] == ["a,12,0.5,False", "b,,,True", "c,0,,False"]
    pd.testing.assert_frame_equal(data, data.copy())  # the input is not touched
    csv = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)
    assert csv.loc[1, "persons"] == "" and csv.loc[1, "code"] == "b"


def test_flags_must_match_the_rows():
    with pytest.raises(ValueError, match="2 rows"):
        suppress(pd.DataFrame({"x": [1, 2]}), ["x"], [True])


# --- secondary suppression ----------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from etl.disclosure import Margins, flow_margins, lone_groups, unit_margins  # noqa: E402


def _grid(rows: list[list[int]]) -> pd.DataFrame:
    """A flow matrix as long rows (zeros left out, as the marts do)."""
    return pd.DataFrame(
        [
            {"period": "2012-10", "cohort": "all", "origin_code": f"o{i}",
             "destination_code": f"d{j}", "persons": v, "is_within": False}
            for i, row in enumerate(rows) for j, v in enumerate(row) if v
        ]
    )  # fmt: skip


def _recoverable(data: pd.DataFrame, hidden, groups, count: str) -> list[tuple]:
    """Groups whose margin minus the published rows is exactly one hidden row's count, computed
    without etl.disclosure: (grouping, key) for each."""
    frame = data.assign(_hidden=list(hidden))
    found = []
    for columns in groups:
        for key, group in frame.groupby(list(columns)):
            margin = group[count].sum()
            rest = margin - group.loc[~group["_hidden"], count].sum()
            secret = group.loc[group["_hidden"], count]
            if len(secret[secret > 0]) == 1 and rest == secret.sum() and (group.loc[~group["_hidden"], count] > 0).any():
                found.append((columns, key))
    return found


def test_the_classic_two_by_three_table():
    data = _grid([[20, 50, 10], [8, 19, 22]])
    small = data["persons"] < 10
    margins = flow_margins()
    assert _recoverable(data, small, margins.groups, "persons")  # the 8 is row total minus 19 + 22
    out = suppress(data, ["persons"], small, margins)
    hidden = sorted(data.loc[out[SUPPRESSED], "persons"])
    assert hidden == [8, 19, 20, 50]  # the textbook pattern: a cycle through the 8
    assert not _recoverable(data, out[SUPPRESSED], margins.groups, "persons")
    assert lone_groups(data, out[SUPPRESSED].to_numpy(), margins) == 0


def test_a_lone_county_is_recovered_from_its_prefecture_before_and_not_after():
    data = pd.DataFrame(
        {
            "county_code": ["110101", "110102", "110103", "120101", "120102"],
            "prefecture_code": ["1101", "1101", "1101", "1201", "1201"],
            "province_code": ["11", "11", "11", "12", "12"],
            "denominator": [4, 30, 12, 0, 40],
            "numerator": [1, 20, 6, 0, 30],
        }
    )
    small = data["denominator"] < 10  # the 4 and the 0 (which discloses nobody)
    margins = unit_margins((), ("prefecture_code", "province_code"), count="denominator")
    assert _recoverable(data, small, margins.groups, "denominator")
    out = suppress(data, ["numerator", "denominator"], small, margins)
    assert out[SUPPRESSED].tolist() == [True, False, True, True, False]  # 12: 1101's smallest
    assert out["denominator"].isna().tolist() == out[SUPPRESSED].tolist()
    assert not _recoverable(data, out[SUPPRESSED], margins.groups, "denominator")


def test_the_diagonal_is_outside_the_flow_margins():
    data = _grid([[30, 40], [50, 60]])
    data.loc[len(data)] = ["2012-10", "all", "o0", "o0", 3, True]  # intra-unit movers
    out = suppress(data, ["persons"], data["persons"] < 10, flow_margins())
    assert out[SUPPRESSED].sum() == 1  # no margin holds the diagonal: nothing else goes


def test_nothing_small_changes_nothing_and_no_margins_is_primary_only():
    data = _grid([[20, 50, 10], [8, 19, 22]])
    assert not suppress(data, ["persons"], data["persons"] < 5, flow_margins())[SUPPRESSED].any()
    assert suppress(data, ["persons"], data["persons"] < 10)[SUPPRESSED].sum() == 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=1, max_value=15),
)
def test_no_margin_reveals_a_suppressed_cell(rows, threshold):
    width = max(len(r) for r in rows)
    data = _grid([r + [0] * (width - len(r)) for r in rows])
    if data.empty:
        return
    small = data["persons"] < threshold
    margins = flow_margins()
    out = suppress(data, ["persons"], small, margins)
    hidden = out[SUPPRESSED].to_numpy()
    assert (hidden >= small.to_numpy()).all()  # primary cells stay suppressed
    assert not _recoverable(data, hidden, margins.groups, "persons")
    assert lone_groups(data, hidden, margins) == 0
    # a published row is exactly the input's
    kept = ~hidden
    assert out.loc[kept, "persons"].tolist() == data.loc[kept, "persons"].tolist()


def test_margins_name_their_groupings():
    m = Margins("persons", (("origin_code",),))
    assert lone_groups(_grid([[3, 20]]), pd.Series([True, False]).to_numpy(), m) == 1


# --- nested cohorts -------------------------------------------------------------------------------

from etl.disclosure import flow_nesting, withheld  # noqa: E402
from etl.records import COHORTS  # noqa: E402


def _cohorts(cells: dict[tuple[str, str], tuple[int, int, int]]) -> pd.DataFrame:
    """Flows in the three nested cohorts: (origin, destination) -> (all, women, married)."""
    return pd.DataFrame(
        [
            {"period": "2012-10", "cohort": cohort, "origin_code": o, "destination_code": d,
             "persons": n, "is_within": o == d}
            for (o, d), counts in cells.items() for cohort, n in zip(COHORTS, counts, strict=True) if n
        ]
    )  # fmt: skip


def _small_differences(data: pd.DataFrame, hidden, threshold: int) -> list[tuple]:
    """Cells published in two nested cohorts whose difference is 1..threshold-1, computed
    without etl.disclosure."""
    shown = data.loc[~pd.Series(list(hidden), index=data.index)]
    found = []
    for key, cell in shown.groupby(["period", "origin_code", "destination_code"]):
        counts = dict(zip(cell["cohort"], cell["persons"], strict=True))
        for i, coarse in enumerate(COHORTS):
            for fine in COHORTS[i + 1 :]:
                if coarse in counts and fine in counts and 0 < counts[coarse] - counts[fine] < threshold:
                    found.append((key, coarse, fine))
    return found


def test_a_small_difference_between_nested_cohorts_withholds_the_finer_count():
    # threshold 3. a->b: 15 / 13 / 12 (all / women / married): all - women = 2 and women - married
    # = 1, so women is withheld; married 12 stays (all - married = 3, women no longer published).
    # a->c: 20 / 20 / 19: all - women = 0 discloses nobody; women - married = 1 and all - married
    # = 1: married is withheld. a->d: 30 / 2 / 1: small in women and married on their own.
    data = _cohorts({("a", "b"): (15, 13, 12), ("a", "c"): (20, 20, 19), ("a", "d"): (30, 2, 1)})
    small = data["persons"] < 3
    assert _small_differences(data, small, 3) == [
        (("2012-10", "a", "b"), "all", "women_15_49"),
        (("2012-10", "a", "b"), "women_15_49", "married_women_15_49"),
        (("2012-10", "a", "c"), "all", "married_women_15_49"),
        (("2012-10", "a", "c"), "women_15_49", "married_women_15_49"),
    ]
    hidden = withheld(data, small, nesting=flow_nesting(3))
    got = zip(data["origin_code"], data["destination_code"], data["cohort"], hidden, strict=True)
    assert [(o, d, c) for o, d, c, h in got if h] == [
        ("a", "b", "women_15_49"), ("a", "c", "married_women_15_49"),
        ("a", "d", "women_15_49"), ("a", "d", "married_women_15_49"),
    ]  # fmt: skip
    assert not _small_differences(data, hidden, 3)
    out = suppress(data, ["persons"], small, nesting=flow_nesting(3))
    assert out[SUPPRESSED].tolist() == hidden.tolist()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2), st.integers(0, 2),  # origin, destination
            st.integers(0, 30), st.integers(0, 12), st.integers(0, 12),  # all, not women, not married
        ),
        min_size=1,
        max_size=9,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.integers(min_value=2, max_value=12),
)
def test_nested_cohorts_reveal_no_small_difference_and_agree_cohort_by_cohort(cells, threshold):
    table = {}
    for o, d, n, not_women, not_married in cells:
        women = max(n - not_women, 0)
        table[(f"u{o}", f"u{d}")] = (n, women, max(women - not_married, 0))
    data = _cohorts(table)
    if data.empty:
        return
    small = (data["persons"] < threshold).to_numpy()
    margins, nesting = flow_margins(("period", "cohort")), flow_nesting(threshold)
    hidden = withheld(data, small, margins, nesting)
    assert (hidden >= small).all()
    assert not _small_differences(data, hidden, threshold)
    assert lone_groups(data, hidden, margins) == 0
    # the coarsest cohort is withheld as if it were alone
    first = (data["cohort"] == COHORTS[0]).to_numpy()
    alone = withheld(data[first], small[first], margins)
    assert hidden[first].tolist() == alone.tolist()
    # each cohort beside its coarser cohorts' final flags (as a page reads it) is withheld the same
    for i in range(1, len(COHORTS)):
        part = data["cohort"].isin(COHORTS[: i + 1]).to_numpy()
        given_flags = np.where(data["cohort"].isin(COHORTS[:i]).to_numpy(), hidden, small)[part]
        again = withheld(data[part], given_flags, margins, nesting)
        assert again.tolist() == hidden[part].tolist()
        taken = withheld(data[part], given_flags, margins, nesting, decided=i)
        assert taken.tolist() == hidden[part].tolist()
