"""The record generator (``synthetic.generate``) against the census it is calibrated to.

Fixture: the 2010 census of four provinces (上海 31, 江苏 32, 浙江 33, 安徽 34: 261 polygons with
census figures, the three pilots among them), their county points, the packaged regions. Origins
come from these four provinces only. Checks are independent re-computations from the output rows
(pandas), not calls back into the generator's internals.

Sampling error, stated: a (county, month) count is a sum of independent stocks whose variance is
at most its mean ``m`` (see the module docstring of ``synthetic.generate``), so every county with
``m >= 20`` (normal approximation fair) must lie within 4 sqrt(m); the four provinces' total must
lie within 1% of the target in each month (sigma about 0.5% at the fraction used).
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.national_id import check_character, is_valid_id
from etl.records import FIELDS, FLAG_FIELDS, INDICATORS
from synthetic import generate as gen
from synthetic.gravity import draw_from_weights
from tests.etl.helpers import file_target

PROVINCES = ("310000", "320000", "330000", "340000")
FRACTION = 5e-4
PILOT_PREFIXES = ("310115", "3202", "3304")


@pytest.fixture(scope="module")
def inputs() -> gen.GeneratorInputs:
    return gen.province_inputs(2010, PROVINCES)


def frame(inputs: gen.GeneratorInputs, **options) -> tuple[pd.DataFrame, int]:
    """All rows of one generation as a DataFrame, and the number of people simulated."""
    batches = list(gen.record_batches(inputs, gen.GenerateOptions(**options)))
    table = pa.concat_tables([b.table for b in batches])
    return table.to_pandas(), sum(b.persons for b in batches)


@pytest.fixture(scope="module")
def records(inputs) -> tuple[pd.DataFrame, int]:
    return frame(inputs, fraction=FRACTION, seed=11)


def targets(inputs: gen.GeneratorInputs, scope: str = "all") -> pd.Series:
    columns = [gen.SCOPE_COLUMNS[s] for s in gen.SCOPES[scope]]
    counties = inputs.counties.set_index("county_code")
    return counties[columns].sum(axis=1) * FRACTION


def ages(rows: pd.DataFrame) -> pd.Series:
    """Completed years on the first day of the period, computed from the text."""
    birth = pd.to_datetime(rows["birth_date"])
    year = rows["period"].str[:4].astype(int)
    month = rows["period"].str[5:7].astype(int)
    before = (month < birth.dt.month) | ((month == birth.dt.month) & (birth.dt.day > 1))
    return year - birth.dt.year - before.astype(int)


# --- national IDs -------------------------------------------------------------------------------


def test_check_character_of_the_standards_examples():
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"
    assert is_valid_id("11010519491231002X") and is_valid_id("11010519491231002x")
    assert not is_valid_id("110105194912310021")
    assert not is_valid_id("110105194902300024")  # 30 February


def test_ids_are_valid_unique_per_person_and_agree_with_the_row(records):
    rows, persons = records
    ids = rows.drop_duplicates("person_id")
    assert ids["person_id"].map(is_valid_id).all()
    assert len(ids) == persons  # one ID per simulated person, none shared
    assert (ids["person_id"].str[:6] == ids["hukou_code"]).all()
    assert (ids["person_id"].str[6:14] == ids["birth_date"].str.replace("-", "")).all()
    parity = ids["person_id"].str[16].astype(int) % 2
    assert ((parity == 1) == (ids["sex"] == 1)).all()
    per_person = rows.groupby("person_id")[
        ["sex", "birth_date", "hukou_code", "arrival_date"]
    ].nunique()
    assert (per_person == 1).all().all()
    assert not rows.duplicated(["person_id", "period"]).any()


# --- calibration --------------------------------------------------------------------------------


def test_monthly_counts_reproduce_the_census_migrants(inputs, records):
    rows, _ = records
    m = targets(inputs)
    counts = rows.groupby(["residence_code", "period"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=m.index, fill_value=0)
    assert counts.shape[1] == 48
    large = m[m >= 20].index
    assert len(large) > 150
    z = counts.loc[large].sub(m[large], axis=0).div(np.sqrt(m[large]), axis=0)
    assert z.abs().to_numpy().max() < 4
    monthly_total = counts.sum()
    assert (monthly_total / m.sum() - 1).abs().max() < 0.01
    assert abs(monthly_total.mean() / m.sum() - 1) < 0.005
    assert set(rows["residence_code"]) <= set(m.index)


def test_intra_and_inter_provincial_origins(inputs, records):
    rows, _ = records
    same = rows["hukou_code"].str[:2] == rows["residence_code"].str[:2]
    assert (rows["hukou_code"] != rows["residence_code"]).all()
    expected = targets(inputs, "intra").sum() / targets(inputs).sum()
    assert abs(same.mean() - expected) < 0.01

    only_inter, _ = frame(inputs, fraction=1e-4, seed=2, scope="inter")
    assert (only_inter["hukou_code"].str[:2] != only_inter["residence_code"].str[:2]).all()
    only_intra, _ = frame(inputs, fraction=1e-4, seed=2, scope="intra")
    assert (only_intra["hukou_code"].str[:2] == only_intra["residence_code"].str[:2]).all()
    assert (only_intra["hukou_code"] != only_intra["residence_code"]).all()


def test_gravity_prefers_near_and_populous_origins(records):
    rows, _ = records
    # Shanghai's inter-provincial migrants: Jiangsu (near, populous) ahead of Anhui (farther).
    to_shanghai = rows[
        (rows["residence_code"].str[:2] == "31") & (rows["hukou_code"].str[:2] != "31")
    ]
    shares = to_shanghai["hukou_code"].str[:2].value_counts(normalize=True)
    assert shares["32"] > shares["34"]


def expected_cells(inputs: gen.GeneratorInputs, tilt: bool) -> pd.Series:
    """Expected share of each (sex, age_lo) cell among migrants: census structure of each
    destination (weighted by the tilt of MIGRANT_AGE_TILT, re-derived here), mixed by target."""
    structure = inputs.age_sex.copy()
    if tilt:
        factors = dict(gen.MIGRANT_AGE_TILT)
        starts = sorted(factors)
        structure["persons"] *= [
            factors[max(s for s in starts if s <= lo)] for lo in structure["age_lo"]
        ]
    within = structure["persons"] / structure.groupby("county_code")["persons"].transform("sum")
    weight = structure["county_code"].map(targets(inputs))
    cells = (within * weight).groupby([structure["sex"], structure["age_lo"]]).sum()
    return cells / cells.sum()


@pytest.mark.parametrize("tilt", [False, True])
def test_sex_and_age_follow_the_census_structure(inputs, tilt):
    # In 2009-01 everyone's age was drawn for that month: it must follow the structure exactly.
    rows, _ = frame(
        inputs,
        fraction=FRACTION,
        seed=5,
        first_period="2009-01",
        last_period="2009-01",
        age_tilt=tilt,
    )
    expected = expected_cells(inputs, tilt)
    bands = inputs.age_sex[["age_lo", "age_hi"]].drop_duplicates().sort_values("age_lo")
    band = pd.cut(ages(rows), [*bands["age_lo"], 200], right=False, labels=list(bands["age_lo"]))
    observed = rows.groupby([rows["sex"], band.astype(int)], observed=True).size()
    observed = (observed / observed.sum()).reindex(expected.index, fill_value=0)
    n = len(rows)
    sigma = np.sqrt(expected * (1 - expected) / n)
    assert ((observed - expected).abs() <= 4 * sigma + 1e-4).all()
    men = expected.loc[1].sum()
    assert abs((rows["sex"] == 1).mean() - men) < 4 * np.sqrt(men * (1 - men) / n)


def test_tilt_makes_migrants_younger(inputs):
    plain = expected_cells(inputs, False).groupby(level="age_lo").sum()
    tilted = expected_cells(inputs, True).groupby(level="age_lo").sum()
    assert tilted.loc[20:30].sum() > plain.loc[20:30].sum() + 0.1
    assert tilted.loc[60:].sum() < plain.loc[60:].sum()


def test_marital_status_is_plausible_by_age_and_sex(records):
    rows, _ = records
    age = ages(rows)
    assert (rows.loc[age < 15, "marital_status"] == 10).all()
    assert set(rows["marital_status"]) <= {10, 20, 21, 22, 23, 30, 40, 90}
    married = rows["marital_status"].between(20, 23)
    women_30s = (rows["sex"] == 2) & age.between(30, 39)
    assert married[women_30s].mean() > 0.85
    young_men = (rows["sex"] == 1) & age.between(20, 24)
    assert married[young_men].mean() < 0.3


def test_stays_are_continuous_and_arrivals_in_order(records):
    rows, _ = records
    month = rows["period"].str[:4].astype(int) * 12 + rows["period"].str[5:7].astype(int)
    span = month.groupby(rows["person_id"]).agg(["min", "max", "size"])
    assert (span["max"] - span["min"] + 1 == span["size"]).all()
    period_end = (pd.to_datetime(rows["period"]) + pd.offsets.MonthEnd(0)).dt.strftime("%Y-%m-%d")
    assert (rows["arrival_date"] <= period_end).all()
    assert (rows["arrival_date"] >= rows["birth_date"]).all()
    # a stock with churn: people arrive and leave every month
    first = span["min"].value_counts()
    assert first.drop(first.index.min()).min() > 0
    assert (span["max"] < span["max"].max()).mean() > 0.3


def test_small_chunks_split_big_counties_by_months_and_change_nothing(inputs):
    options = {"fraction": 1e-4, "seed": 6, "provinces": ("310000",)}
    whole = pa.concat_tables(
        b.table for b in gen.record_batches(inputs, gen.GenerateOptions(**options))
    )
    batches = list(gen.record_batches(inputs, gen.GenerateOptions(**options, chunk_rows=2_000)))
    counties = (inputs.counties["province_code"] == "310000").sum()
    assert len(batches) > counties  # big districts were written in runs of months
    assert max(b.table.num_rows for b in batches) < 2 * 2_000
    # chunking could only matter through ID collisions, which this run does not have
    assert pa.concat_tables(b.table for b in batches).equals(whole)


def test_a_month_written_alone_is_that_month_of_the_full_run(inputs, records):
    rows, _ = records
    alone, _ = frame(
        inputs, fraction=FRACTION, seed=11, first_period="2010-11", last_period="2010-11"
    )
    full = rows[rows["period"] == "2010-11"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, full)


# --- service flags ------------------------------------------------------------------------------


def coverage(rows: pd.DataFrame) -> pd.DataFrame:
    """Numerator / denominator per indicator, year and pilot status, per DESIGN.md §4."""
    age = ages(rows)
    woman = (rows["sex"] == 2) & age.between(15, 49)
    married = rows["marital_status"].between(20, 23)
    cohort = {
        "women_15_49": woman,
        "married_women_15_49": woman & married,
        "married_15_49": age.between(15, 49) & married,
        "adults_18p": age >= 18,
    }
    out = []
    for ind in INDICATORS:
        county = rows["hukou_code"] if ind.side == "outflow" else rows["residence_code"]
        pilot = county.str.startswith(PILOT_PREFIXES)
        sub = rows[cohort[ind.denominator]]
        keys = [sub["period"].str[:4], pilot[cohort[ind.denominator]]]
        rate = sub[ind.flag].groupby(keys).mean()
        out.append(rate.rename(ind.flag))
    return pd.concat(out, axis=1)


def test_flag_rates_rise_every_year_and_pilots_move_ahead_at_their_start(records):
    rows, _ = records
    rates = coverage(rows)
    for flag in FLAG_FIELDS:
        for pilot in (False, True):
            by_year = rates[flag].xs(pilot, level=1)
            assert by_year.is_monotonic_increasing, (flag, pilot)
            # the rise closes at least a third of the distance to 100%
            assert by_year.iloc[-1] - by_year.iloc[0] > (1 - by_year.iloc[0]) / 3, (flag, pilot)
        ahead = rates[flag].xs(True, level=1) - rates[flag].xs(False, level=1)
        # the pilots start in 2010-01 (regions.toml): ahead from 2010 on, and their lead over the
        # other counties jumps from 2009 to 2010 (in 2009 they have no pilot effect)
        assert (ahead.loc[["2010", "2011", "2012"]] > 0).all(), flag
        assert ahead.loc["2010"] - ahead.loc["2009"] > 0.02, flag


def test_a_pilot_start_changes_only_the_pilot_counties(inputs):
    """A later start changes rows of pilot counties only, and only before the later start."""
    later = inputs.counties.copy()
    later.loc[later["is_pilot"], "pilot_start"] = 24  # 2011-01 instead of 2010-01
    moved = gen.GeneratorInputs(later, inputs.age_sex, inputs.notes)
    options = dict(fraction=1e-4, seed=3, first_period="2010-06", last_period="2011-01")
    base, _ = frame(inputs, **options)
    other, _ = frame(moved, **options)
    rest = [f.name for f in FIELDS if f.name not in FLAG_FIELDS]
    assert base[rest].equals(other[rest])
    differs = (base[list(FLAG_FIELDS)] != other[list(FLAG_FIELDS)]).any(axis=1)
    pilot_row = base["residence_code"].str.startswith(PILOT_PREFIXES) | base[
        "hukou_code"
    ].str.startswith(PILOT_PREFIXES)
    assert differs.any() and not (differs & ~pilot_row).any()
    assert not (differs & (base["period"] == "2011-01")).any()  # both started by then


def test_some_counties_still_below_target_in_2012(records):
    rows, _ = records
    last = rows[(rows["period"] == "2012-12") & (rows["sex"] == 2)]
    last = last[ages(last).between(15, 49)]
    per_county = last.groupby("residence_code")["cert_verified"].agg(["mean", "size"])
    per_county = per_county[per_county["size"] >= 50]
    target = float(file_target("cert_verified", "2012-12"))
    assert (per_county["mean"] < target - 0.05).any()
    assert (per_county["mean"] >= target - 0.01).any()


# --- output, determinism, faults ----------------------------------------------------------------


def write(inputs, path, **kwargs):
    spec_keys = {"encoding", "chinese_headers"}
    spec = gen.OutputSpec(path, **{k: v for k, v in kwargs.items() if k in spec_keys})
    options = gen.GenerateOptions(**{k: v for k, v in kwargs.items() if k not in spec_keys})
    return gen.write_records(inputs, options, spec)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_same_seed_same_bytes(inputs, tmp_path, suffix):
    a, b, c = (tmp_path / f"{name}{suffix}" for name in "abc")
    write(inputs, a, fraction=1e-4, seed=3, messy=True, chunk_rows=20_000)
    write(inputs, b, fraction=1e-4, seed=3, messy=True, chunk_rows=20_000)
    write(inputs, c, fraction=1e-4, seed=4, messy=True, chunk_rows=20_000)
    assert a.read_bytes() == b.read_bytes()
    assert (
        a.with_name(a.name + ".faults.csv").read_bytes()
        == b.with_name(b.name + ".faults.csv").read_bytes()
    )
    assert a.read_bytes() != c.read_bytes()


def test_parquet_and_csv_hold_the_same_rows(inputs, tmp_path):
    write(inputs, tmp_path / "r.parquet", fraction=1e-4, seed=3, provinces=("310000",))
    write(inputs, tmp_path / "r.csv", fraction=1e-4, seed=3, provinces=("310000",))
    from_parquet = pq.read_table(tmp_path / "r.parquet")
    assert from_parquet.schema == gen.SCHEMA
    from_csv = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False)
    assert list(from_csv.columns) == [f.name for f in FIELDS]
    assert from_csv.equals(from_parquet.to_pandas().astype(str))


def clean_reasons(row: dict, counties: set[str], seen: set[tuple[str, str]]) -> list[str]:
    """Every fault kind a CSV row shows, judged from the text alone (independent of the generator)."""
    reasons = []
    if any(row[f.name] == "" for f in FIELDS):
        return ["missing_field"]
    pid = row["person_id"]
    if len(pid) == 15:
        reasons.append("id_15_digit")
    elif not is_valid_id(pid):
        reasons.append("bad_check_digit")
    for name in ("hukou_code", "residence_code"):
        code = row[name]
        if not (len(code) == 6 and code.isdigit()):
            reasons.append("malformed_code")
        elif code not in counties:
            reasons.append("unknown_code")
    dates = {}
    for name in ("birth_date", "arrival_date"):
        try:
            dates[name] = dt.date.fromisoformat(row[name])
        except ValueError:
            reasons.append("impossible_date")
    if "arrival_date" in dates:
        year, month = int(row["period"][:4]), int(row["period"][5:7])
        end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        if dates["arrival_date"] > end:
            reasons.append("arrival_after_period")
    marital_codes = {"10", "20", "21", "22", "23", "30", "40", "90"}
    flags_ok = all(row[f] in ("0", "1") for f in FLAG_FIELDS)
    if row["sex"] not in ("1", "2") or row["marital_status"] not in marital_codes or not flags_ok:
        reasons.append("out_of_range")
    key = (pid, row["period"])
    if key in seen:
        reasons.append("duplicate_person_period")
    seen.add(key)
    return reasons


def test_messy_faults_file_lists_exactly_the_faulty_rows(inputs, tmp_path):
    # ten times the default rates (13% of rows), Shanghai only: every kind, quickly
    rates = tuple((kind, 10 * rate) for kind, rate in gen.DEFAULT_FAULT_RATES)
    path = tmp_path / "messy.csv"
    result = write(
        inputs,
        path,
        fraction=2e-4,
        seed=8,
        provinces=("310000",),
        messy=True,
        fault_rates=rates,
        chunk_rows=20_000,
    )
    faults = pd.read_csv(path.with_name("messy.csv.faults.csv"), dtype={"row_number": int})
    assert set(faults["fault_kind"]) == set(gen.FAULT_KINDS)
    assert faults["row_number"].is_unique and faults["row_number"].between(1, result.rows).all()
    listed = dict(zip(faults["row_number"], faults["fault_kind"], strict=True))
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(rows) == result.rows
    counties = set(inputs.counties["county_code"])
    seen: set[tuple[str, str]] = set()
    found = {}
    for number, row in enumerate(rows.to_dict("records"), start=1):  # row 1 = first data row
        reasons = clean_reasons(row, counties, seen)
        if reasons:
            found[number] = reasons
    assert set(found) == set(listed)
    assert all(listed[n] in found[n] for n in listed)
    rate = sum(r for _, r in rates)
    assert abs(len(faults) / result.rows - rate) < 0.1 * rate
    assert (
        result.fault_counts
        == faults["fault_kind"].value_counts().reindex(gen.FAULT_KINDS, fill_value=0).to_dict()
    )


def test_rows_limit_cuts_rows_and_faults(inputs, tmp_path):
    path = tmp_path / "cut.parquet"
    result = write(
        inputs, path, fraction=1e-4, seed=1, messy=True, rows_limit=12_345, chunk_rows=5_000
    )
    assert result.rows == pq.read_metadata(path).num_rows == 12_345
    faults = pd.read_csv(f"{path}.faults.csv")
    assert faults["row_number"].max() <= 12_345


def test_gb18030_csv_with_chinese_headers_and_words(inputs, tmp_path):
    path = tmp_path / "zh.csv"
    write(
        inputs,
        path,
        fraction=1e-4,
        seed=1,
        provinces=("330000",),
        encoding="gb18030",
        chinese_headers=True,
    )
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = pd.read_csv(io.StringIO(data.decode("gb18030")), dtype=str)
    assert list(rows.columns) == [f.header_zh for f in FIELDS]
    assert set(rows["性别"]) == {"男", "女"}
    assert set(rows["婚育证明办理"]) == {"是", "否"}
    assert rows["公民身份号码"].map(is_valid_id).all()


def test_invalid_options_are_explained(inputs, tmp_path):
    with pytest.raises(gen.GeneratorError, match="outside 2009-01..2012-12"):
        gen.GenerateOptions(first_period="2008-12")
    with pytest.raises(gen.GeneratorError, match="fraction"):
        gen.GenerateOptions(fraction=0)
    with pytest.raises(gen.GeneratorError, match="apply to CSV"):
        gen.OutputSpec(tmp_path / "x.parquet", encoding="gb18030").validate()
    with pytest.raises(gen.GeneratorError, match=r"\.parquet or \.csv"):
        gen.OutputSpec(tmp_path / "x.txt").validate()


def test_expected_rows_and_the_fraction_for_a_size(inputs, records):
    rows, _ = records
    options = gen.GenerateOptions(fraction=FRACTION)
    assert abs(len(rows) / gen.expected_rows(inputs, options) - 1) < 0.01
    assert gen.fraction_for_rows(
        inputs, gen.expected_rows(inputs, options), options
    ) == pytest.approx(FRACTION)


def test_cli_generate_writes_the_file(inputs, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from yipanqi import generate_cli
    from yipanqi.cli import app

    monkeypatch.setattr(generate_cli, "load_inputs", lambda *a, **k: inputs)
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path))
    out = tmp_path / "cli.csv"
    args = ["generate", "--out", str(out), "--fraction", "1e-4", "--provinces", "31", "--messy"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.is_file() and (tmp_path / "cli.csv.faults.csv").is_file()
    bad = CliRunner().invoke(app, ["generate", "--out", str(out), "--periods", "2013-01:2013-02"])
    assert bad.exit_code == 2 and "outside" in bad.output


# --- gravity ------------------------------------------------------------------------------------


def test_draws_never_pick_a_zero_weight():
    picks = draw_from_weights(np.array([0.0, 1.0, 0.0, 3.0]), np.linspace(0, 0.999999, 1000))
    assert set(picks) == {1, 3}
    assert (picks == 3).mean() == pytest.approx(0.75, abs=0.01)
