"""The generator's messy files through the loader: the quarantine holds exactly the injected faults.

The generator (``yipanqi generate --messy``) lists what it injected in ``OUT.faults.csv``
(row_number, fault_kind, field); each fault must come back as a quarantine row with the right kind
of reason, and nothing else may be quarantined. Run as a user would: the two commands.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from etl import store
from etl.pipeline import ingest
from yipanqi.cli import app

REASON = {
    "bad_check_digit": "{field}: check digit wrong",
    "id_15_digit": "{field}: 15-digit first-generation ID",
    "unknown_code": "{field}: unknown code",
    "malformed_code": "{field}: malformed code",
    "impossible_date": "{field}: impossible date",
    "arrival_after_period": "arrival_date: after the period's last day",
    "out_of_range": "{field}: not ",
    "duplicate_person_period": "duplicate person-period",
    "missing_field": "{field}: missing",
}


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_quarantine_holds_exactly_the_injected_faults(tmp_path, sqlite_url, encoding):
    out = tmp_path / "messy.csv"
    args = ["generate", "--out", str(out), "--provinces", "31", "--periods", "2010-01:2010-02", "--messy"]
    if encoding == "gb18030":
        args += ["--encoding", "gb18030", "--chinese-headers"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    faults = pd.read_csv(f"{out}.faults.csv")
    assert len(faults) > 10

    summary = ingest([out], sqlite_url, tmp_path / "data", None, demo=True)
    assert summary.n_in == summary.n_loaded + summary.n_quarantined
    assert summary.inputs[0].encoding == encoding
    q = store.read_quarantine(store.open_store(sqlite_url)).set_index("row_number")["reason"]
    assert sorted(q.index) == sorted(faults["row_number"])
    for row in faults.itertuples():
        field = str(row.field).split("+")[0]
        expected = REASON[row.fault_kind].format(field=field)
        assert expected in q[row.row_number], (row, q[row.row_number])
