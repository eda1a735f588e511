"""etl.targets: targets per indicator per year from a validated file, the one lookup by period."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from etl import targets as T  # noqa: N812
from etl.errors import TargetConfigError
from etl.indicators import INDICATORS
from yipanqi.settings import install_targets

PACKAGED = Path(T.__file__).with_name(T.DEFAULT_TARGETS_FILE)
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_a_2010_period_and_a_2012_period_get_the_targets_the_file_sets():
    raw = tomllib.loads(PACKAGED.read_text(encoding="utf-8"))["indicator"]
    assert (
        raw["free_service"]["targets"]["2010"] == 89
        and raw["free_service"]["targets"]["2012"] == 95
    )
    assert T.target_bp("free_service", "2010-03") == 8900
    assert T.target_bp("free_service", "2012-11") == 9500
    assert (
        T.target_bp("cert_verified", "2010-03") == T.target_bp("cert_verified", "2012-11") == 9800
    )
    # before the first year: the first year's; after the last: the last's (in force until replaced)
    assert T.target_bp("free_service", "2008-12") == 8600
    assert T.target_bp("free_service", "2014-01") == 9500
    got = T.target_bps(
        pd.Series(["free_service", "free_service", "policy_aware"], index=[5, 6, 7]),
        pd.Series(["2009-01", "2011-12", "2010-06"], index=[5, 6, 7]),
    )
    assert got.index.tolist() == [5, 6, 7] and got.tolist() == [8600, 9200, 9000]


def test_every_number_cites_its_seed_and_the_quote_is_in_the_seed():
    raw = tomllib.loads(PACKAGED.read_text(encoding="utf-8"))
    assert set(raw["indicator"]) == {i.flag for i in INDICATORS}
    for flag, entry in raw["indicator"].items():
        last = entry["targets"][str(raw["last_year"])]
        assert f"{last}%" in entry["quote"], flag  # the number is the quoted one
        if len(set(entry["targets"].values())) > 1:
            assert "path" in entry, flag  # a path by year says where its steps come from
        assert entry["weight_reason"], flag
        if SEEDS.is_dir():
            assert entry["quote"] in (SEEDS / entry["seed"]).read_text(encoding="utf-8"), flag
    assert "免费率达到100%" in raw["indicator"]["free_service"]["not_used"]


def _file(tmp_path: Path, edit) -> Path:  # noqa: ANN001
    text = edit(PACKAGED.read_text(encoding="utf-8"))
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _one_line_error(path: Path) -> str:
    with pytest.raises(TargetConfigError) as caught:
        T.load_targets(path)
    message = str(caught.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}:"), message
    return message


def test_an_unknown_indicator(tmp_path):
    path = _file(tmp_path, lambda s: s + "\n[indicator.cert_lost]\ntargets = { 2009 = 9 }\n")
    line = len(PACKAGED.read_text(encoding="utf-8").splitlines()) + 2
    message = _one_line_error(path)
    assert f":{line}: unknown indicator 'cert_lost'" in message


@pytest.mark.parametrize("value", ["101", "-1", "98.123", '"98%"'])
def test_a_target_outside_0_to_100_percent(tmp_path, value):
    path = _file(tmp_path, lambda s: s.replace("2010 = 89,", f"2010 = {value},"))
    message = _one_line_error(path)
    assert "indicator.free_service.targets.2010: target must be a percent from 0 to 100" in message
    assert re.search(r":\d+: ", message)


def test_a_missing_year(tmp_path):
    path = _file(tmp_path, lambda s: s.replace("2009 = 86, 2010 = 89,", "2009 = 86,"))
    message = _one_line_error(path)
    assert "indicator.free_service.targets lacks the year(s) 2010" in message


def test_a_year_outside_the_file_s_years(tmp_path):
    path = _file(tmp_path, lambda s: s.replace("2012 = 95 }", "2012 = 95, 2013 = 96 }"))
    assert (
        "indicator.free_service.targets.2013: year outside first_year..last_year"
        in _one_line_error(path)
    )


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.replace("2009 = 86, 2010 = 89,", "2009 = 86, 2010 = 89, 2010 = 90,"),
        lambda s: s + "\n[indicator.free_service]\nweight = 3\n",
    ],
    ids=["year", "indicator"],
)
def test_a_duplicate(tmp_path, edit):
    message = _one_line_error(_file(tmp_path, edit))
    assert "not valid TOML" in message and "line" in message


def test_several_problems_are_reported_together_one_line_each(tmp_path):
    path = _file(
        tmp_path,
        lambda s: s.replace("2010 = 89,", "2010 = 189,").replace(
            "[indicator.cert_issued]", "[indicator.x]"
        ),
    )
    with pytest.raises(TargetConfigError) as caught:
        T.load_targets(path)
    lines = str(caught.value).splitlines()
    assert any("unknown indicator 'x'" in line for line in lines)
    assert any("targets.2010: target must be" in line for line in lines)
    assert any("no [indicator.<flag>] table for cert_issued" in line for line in lines)
    assert all(line.startswith(str(path)) for line in lines)


def test_the_environment_variable_installs_another_file(tmp_path):
    path = _file(tmp_path, lambda s: s.replace("2010 = 89,", "2010 = 97.5,"))
    install_targets({"YIPANQI_TARGETS": str(path)})
    assert T.target_bp("free_service", "2010-07") == 9750
    assert T.active_targets().source == str(path)
    install_targets({})
    assert T.target_bp("free_service", "2010-07") == 8900
