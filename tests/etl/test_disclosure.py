"""etl.disclosure: a suppressed cell is blank, its row flagged; nothing else changes."""

from __future__ import annotations

import io

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
