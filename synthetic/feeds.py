"""Synthetic departmental feeds (docs/feeds.md) for every county, department and month.

Each county of the generator's inputs (``synthetic.generate.GeneratorInputs``: the census counties
with their regions and pilot status) sends each of the six departments' principal monthly item
(``etl.feeds.format.MAIN_ITEM``) for each month 2009-01 .. 2012-12: one row per submission, about
2,875 x 6 x 48 = 830 k rows for the whole country. The output is a function of the inputs and
the options (seed included): the same call writes the same file.

Model
-----
A county's *diligence* is ``region(c) + pilot(c) + county(c)``: the largest of the record
generator's region effects over the county's collaboration regions (``outside_regions_effect``
for none), ``pilot_effect`` for pilot counties, and Normal(0, ``county_sd``) fixed per county
and seed; each department adds its own effect (``DEPARTMENT_EFFECTS``). In month t (0 = 2009-01
.. 47 = 2012-12) the quality is ``q = diligence + department + improvement * t / 47`` and::

    P(missing)          = sigmoid(logit(base_missing) - q)
    P(late | sent)      = sigmoid(logit(base_late) - q)
    P(mismatch | sent)  = sigmoid(logit(base_mismatch) - q)    (items compared with records only)
    P(signed)           = sigmoid(logit(base_signed) + q)      (住建 letters: count_checked)

so rates differ by region, improve over the four years and pilots do better. A *count* is the
item's true number of events: for 公安 ``moves_in`` the records' arrivals of that county and
month when given (``arrivals``: from a store, ``record_arrivals``), else Poisson(census migrants
x ``fraction`` x ``EVENT_RATES``); a *mismatched* report differs from it by 1 + Poisson(5%) of
it, up or down (never below 0). A count of 0 is sent as a zero report. An on-time report is sent
on a uniform day from the 1st of the next month to the due date (``etl.feeds.due``), 08:00-18:00;
a late one Geometric(0.3) days (1 or more, mean 3.3) after the due date.

公安's submission also carries ``moves_out`` (迁出) where the records' departures of that county
and month are given (``departures``: ``record_departures``): the true count is the records' own,
mismatched (independently of ``moves_in``) with the same ``P(mismatch | sent)``, by the same rule;
``Mismatch`` injections add a fixed difference to named counties' ``moves_out`` (and make them
otherwise exact): an origin-destination disagreement whose size is known.

*Injections* (``Injection``) override the model for named submissions: sent ``days_late`` days
after the due date (0: on the due day, on time) or not at all (``None``): a feed whose lateness
is known, for tests and demonstrations.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from etl.dates import month_number, month_range
from etl.feeds.due import due_date
from etl.feeds.format import DEPARTMENTS, FEED_FIELDS, MAIN_ITEM
from etl.records import FIRST_PERIOD, LAST_PERIOD
from synthetic.generate import (
    DEFAULT_REGION_EFFECTS,
    ENCODINGS,
    SCOPE_COLUMNS,
    GeneratorError,
    GeneratorInputs,
)

EVENT_RATES = {
    "public_security": 1 / 48,  # moves in: the records' monthly arrival rate (stays of 48 months)
    "civil_affairs": 0.0008,  # marriage registrations
    "health": 0.0010,  # births
    "commerce": 0.0005,  # licences with certificate information
    "construction": 0.0002,  # construction units admitted (responsibility letters)
    "human_resources": 0.0004,  # labour registrations with certificate information
}
"""Events per census migrant per month of each department's principal item (assumed)."""
DEPARTMENT_EFFECTS = {
    "public_security": 0.4,
    "health": 0.3,
    "civil_affairs": 0.2,
    "commerce": 0.0,
    "construction": -0.2,
    "human_resources": -0.3,
}
"""Logit offsets of the departments' diligence (assumed: 公安 and 卫生 have the best systems)."""
_STREAMS = {
    "county": 1, "missing": 2, "late": 3, "mismatch": 4, "count": 5, "day": 6, "signed": 7,
    "delta": 8, "out_mismatch": 9, "out_delta": 10,
}  # fmt: skip
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class FeedModel:
    """Parameters of the feed model (see the module docstring)."""

    base_missing: float = 0.10
    base_late: float = 0.30
    base_mismatch: float = 0.20
    base_signed: float = 0.85
    improvement: float = 2.0
    region_effects: tuple[tuple[str, float], ...] = DEFAULT_REGION_EFFECTS
    outside_regions_effect: float = -0.2
    pilot_effect: float = 1.0
    county_sd: float = 0.4


@dataclass(frozen=True)
class Injection:
    """A submission sent ``days_late`` days after its due date (0: on it), or missing (None)."""

    department: str
    county_code: str
    period: str
    days_late: int | None


@dataclass(frozen=True)
class Mismatch:
    """公安's ``moves_out`` of ``county_code`` in ``period`` reported as the records' departures
    plus ``delta`` (never below 0)."""

    county_code: str
    period: str
    delta: int


@dataclass(frozen=True)
class FeedOptions:
    """What to generate: months ``first_period`` .. ``last_period`` (within 2009-01 .. 2012-12),
    ``fraction`` of the census migrants' events (1: the real scale), the model, injections."""

    seed: int = 0
    first_period: str = FIRST_PERIOD
    last_period: str = LAST_PERIOD
    fraction: float = 1.0
    model: FeedModel = field(default_factory=FeedModel)
    injections: tuple[Injection, ...] = ()
    mismatches: tuple[Mismatch, ...] = ()

    def __post_init__(self) -> None:
        try:
            first, last = month_number(self.first_period), month_number(self.last_period)
        except ValueError as exc:
            raise GeneratorError(f"invalid feed options: {exc}") from None
        if not month_number(FIRST_PERIOD) <= first <= last <= month_number(LAST_PERIOD):
            raise GeneratorError(
                f"feed months must lie in {FIRST_PERIOD}..{LAST_PERIOD} in order, got "
                f"{self.first_period}..{self.last_period}"
            )
        if not 0 < self.fraction <= 1:
            raise GeneratorError(f"fraction must be in (0, 1], got {self.fraction}")
        codes = {d.code for d in DEPARTMENTS}
        for one in self.injections:
            if one.department not in codes:
                raise GeneratorError(f"injection: unknown department {one.department!r}")
            if one.days_late is not None and one.days_late < 0:
                raise GeneratorError("injection: days_late must be >= 0 (or None: missing)")


@dataclass(frozen=True)
class FeedResult:
    """What was written: rows, and submissions missing, late, zero and mismatched."""

    path: Path
    rows: int
    missing: int
    late: int
    zero: int
    mismatched: int
    seconds: float


def every_county(inputs: GeneratorInputs, hierarchy: pd.DataFrame) -> GeneratorInputs:
    """``inputs`` with every county of ``hierarchy`` (``county_code, province_code,
    in_coverage``) inside the census coverage as a reporting unit (those a store expects): one without census figures reports no events (zero reports), with its
    province's regions and not a pilot, so that every county the store expects reports."""
    counties = inputs.counties
    known = set(counties["county_code"])
    wanted = hierarchy["in_coverage"].astype(bool) & ~hierarchy["county_code"].isin(known)
    extra = hierarchy.loc[wanted, ["county_code", "province_code"]]
    if extra.empty:
        return inputs
    regions = counties.groupby("province_code")["region_codes"].first()
    added = extra.assign(
        region_codes=[regions.get(p, ()) for p in extra["province_code"]],
        is_pilot=False,
        **{column: 0 for column in SCOPE_COLUMNS.values()},
    )
    both = pd.concat([counties, added], ignore_index=True).sort_values("county_code", ignore_index=True)
    return replace(inputs, counties=both)


def feed_table(
    inputs: GeneratorInputs,
    options: FeedOptions,
    arrivals: pd.DataFrame | None = None,
    departures: pd.DataFrame | None = None,
) -> tuple[pa.Table, dict[str, int]]:
    """The feed rows (canonical columns, typed) and counts of the faults drawn.

    ``arrivals``: ``period, county_code, persons`` of the records (``record_arrivals``): 公安's
    true ``moves_in`` where given; ``departures`` (``record_departures``): 公安's ``moves_out``
    rows, where given.
    """
    counties = inputs.counties
    codes = counties["county_code"].astype(str).to_numpy()
    periods = month_range(options.first_period, options.last_period)
    n, n_dept, n_t = len(codes), len(DEPARTMENTS), len(periods)
    shape = (n_t, n_dept, n)  # output order: period, department, county
    model, seed = options.model, options.seed

    def rng(stream: str) -> np.random.Generator:
        return np.random.default_rng([seed, _STREAMS[stream]])

    effects = dict(model.region_effects)
    region = np.array(
        [max((effects.get(r, 0.0) for r in rs), default=model.outside_regions_effect)
         for rs in counties["region_codes"]]
    )  # fmt: skip
    pilot = np.where(counties["is_pilot"].to_numpy(dtype=bool), model.pilot_effect, 0.0)
    own = rng("county").normal(0.0, model.county_sd, n)
    department = np.array([DEPARTMENT_EFFECTS[d.code] for d in DEPARTMENTS])
    t = (np.array([month_number(p) for p in periods]) - month_number(FIRST_PERIOD)) / 47
    q = (
        (region + pilot + own)[None, None, :]
        + department[None, :, None]
        + model.improvement * t[:, None, None]
    )

    def chance(base: float, sign: float = -1.0) -> np.ndarray:
        return 1 / (1 + np.exp(-(np.log(base / (1 - base)) + sign * q)))

    missing = rng("missing").random(shape) < chance(model.base_missing)
    late = rng("late").random(shape) < chance(model.base_late)
    migrants = sum(counties[c].to_numpy(dtype=np.float64) for c in SCOPE_COLUMNS.values())
    rates = np.array([EVENT_RATES[d.code] for d in DEPARTMENTS])
    mean = migrants[None, None, :] * options.fraction * rates[None, :, None]
    truth = rng("count").poisson(np.broadcast_to(mean, shape)).astype(np.int64)
    compared = np.zeros(shape, dtype=bool)
    police = [d.code for d in DEPARTMENTS].index("public_security")
    if arrivals is not None and len(arrivals):
        known = arrivals.pivot_table(
            index="period", columns="county_code", values="persons", aggfunc="sum"
        ).reindex(index=periods, columns=codes)
        values = known.to_numpy(dtype=np.float64)
        has = ~np.isnan(values)
        truth[:, police, :] = np.where(has, values, truth[:, police, :]).astype(np.int64)
        compared[:, police, :] = has
    compared[:, police, :] |= arrivals is None  # without records every 公安 count may differ
    mismatch = compared & (rng("mismatch").random(shape) < chance(model.base_mismatch))
    draw = rng("delta")
    size = 1 + draw.poisson(0.05 * truth)
    down = (draw.random(shape) < 0.5) & (truth >= size)
    reported = np.where(mismatch, np.where(down, truth - size, truth + size), truth)

    due = np.array([due_date(p) for p in periods], dtype="datetime64[D]")
    next_month = np.array(
        [np.datetime64(f"{p}-01", "D") + np.timedelta64(31, "D") for p in periods], dtype="datetime64[M]"
    ).astype("datetime64[D]")
    spread = (due - next_month).astype(np.int64) + 1
    day_rng = rng("day")
    on_time_day = next_month[:, None, None] + (day_rng.random(shape) * spread[:, None, None]).astype(np.int64) * _DAY
    late_day = due[:, None, None] + day_rng.geometric(0.3, shape) * _DAY
    day = np.where(late, late_day, on_time_day)
    seconds = day_rng.integers(8 * 3600, 18 * 3600, shape)

    for one in options.injections:
        where = np.flatnonzero(codes == one.county_code)
        if not len(where) or one.period not in periods:
            raise GeneratorError(
                f"injection: county {one.county_code} or period {one.period} is not generated"
            )
        k = (periods.index(one.period), [d.code for d in DEPARTMENTS].index(one.department), where[0])
        missing[k] = one.days_late is None
        if one.days_late is not None:
            late[k] = one.days_late > 0
            day[k] = due[k[0]] + one.days_late * _DAY

    sent = ~missing
    stamp = day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    checked_item = np.array([MAIN_ITEM[d.code].checked for d in DEPARTMENTS])
    signed = rng("signed").binomial(reported, chance(model.base_signed, +1.0))
    t_idx, d_idx, c_idx = np.nonzero(sent)
    count = reported[sent]
    has_rate = checked_item[d_idx]
    table = pa.table(
        {
            "department": pa.array(np.array([d.code for d in DEPARTMENTS])[d_idx]),
            "county_code": pa.array(codes[c_idx]),
            "period": pa.array(np.array(periods)[t_idx]),
            "submitted_at": pa.array(stamp[sent]),
            "item": pa.array(np.array([MAIN_ITEM[d.code].code for d in DEPARTMENTS])[d_idx]),
            "count": pa.array(count),
            "count_checked": pa.array(signed[sent], mask=~has_rate),
            "zero_report": pa.array(count == 0),
        }
    )
    faults = {
        "missing": int(missing.sum()),
        "late": int((late & sent).sum()),
        "zero": int((count == 0).sum()),
        "mismatched": int((mismatch & sent).sum()),
    }
    if departures is not None and len(departures):
        extra, out_faults = _moves_out(
            departures, options, codes, periods, sent[:, police, :], stamp[:, police, :],
            q[:, police, :], rng,
        )
        faults["mismatched"] += out_faults
        table = _with_moves_out(table, extra)
    elif options.mismatches:
        raise GeneratorError("mismatch injections need the records' departures (a records store)")
    return table, faults


def _moves_out(
    departures: pd.DataFrame,
    options: FeedOptions,
    codes: np.ndarray,
    periods: list[str],
    sent: np.ndarray,
    stamp: np.ndarray,
    q: np.ndarray,
    rng,  # noqa: ANN001
) -> tuple[pa.Table, int]:
    """公安's ``moves_out`` rows (submissions sent, departures known) and how many differ."""
    known = departures.pivot_table(
        index="period", columns="county_code", values="persons", aggfunc="sum"
    ).reindex(index=periods, columns=codes)
    values = known.to_numpy(dtype=np.float64)
    has = ~np.isnan(values)
    truth = np.where(has, values, 0).astype(np.int64)
    shape = truth.shape
    model = options.model
    p_mismatch = 1 / (1 + np.exp(-(np.log(model.base_mismatch / (1 - model.base_mismatch)) - q)))
    mismatch = has & (rng("out_mismatch").random(shape) < p_mismatch)
    draw = rng("out_delta")
    size = 1 + draw.poisson(0.05 * truth)
    down = (draw.random(shape) < 0.5) & (truth >= size)
    reported = np.where(mismatch, np.where(down, truth - size, truth + size), truth)
    for one in options.mismatches:
        where = np.flatnonzero(codes == one.county_code)
        if not len(where) or one.period not in periods:
            raise GeneratorError(
                f"mismatch injection: county {one.county_code} or period {one.period} is not generated"
            )
        k = (periods.index(one.period), where[0])
        if not has[k]:
            raise GeneratorError(
                f"mismatch injection: the records have no departures of {one.county_code} in {one.period}"
            )
        reported[k] = max(0, truth[k] + one.delta)
        mismatch[k] = reported[k] != truth[k]
    keep = has & sent
    t_idx, c_idx = np.nonzero(keep)
    count = reported[keep]
    table = pa.table(
        {
            "department": pa.array(["public_security"] * len(t_idx), pa.string()),
            "county_code": pa.array(codes[c_idx]),
            "period": pa.array(np.array(periods)[t_idx]),
            "submitted_at": pa.array(stamp[keep]),
            "item": pa.array(["moves_out"] * len(t_idx), pa.string()),
            "count": pa.array(count),
            "count_checked": pa.nulls(len(t_idx), pa.int64()),
            "zero_report": pa.array(count == 0),
        }
    )
    return table, int((mismatch & keep).sum())


def _with_moves_out(table: pa.Table, extra: pa.Table) -> pa.Table:
    """``table`` with ``extra`` rows, in the output order (period, department, county, item)."""
    extra = extra.cast(table.schema)
    both = pa.concat_tables([table, extra])
    order = {d.code: n for n, d in enumerate(DEPARTMENTS)}
    frame = pd.DataFrame(
        {
            "p": both["period"].to_numpy(zero_copy_only=False),
            "d": [order[d] for d in both["department"].to_pylist()],
            "c": both["county_code"].to_numpy(zero_copy_only=False),
            "i": both["item"].to_numpy(zero_copy_only=False),
        }
    )
    index = frame.sort_values(["p", "d", "c", "i"], kind="stable").index.to_numpy()
    return both.take(pa.array(index))


def write_feeds(
    inputs: GeneratorInputs,
    options: FeedOptions,
    path: Path,
    *,
    encoding: str = "utf-8",
    chinese: bool = False,
    arrivals: pd.DataFrame | None = None,
    departures: pd.DataFrame | None = None,
) -> FeedResult:
    """Write the feeds to ``path`` (``.csv`` in ``encoding``, Chinese headers and names with
    ``chinese``; or ``.parquet``)."""
    t0 = time.perf_counter()
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise GeneratorError(f"output {path} must end in .csv or .parquet")
    if encoding not in ENCODINGS:
        raise GeneratorError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    table, faults = feed_table(inputs, options, arrivals, departures)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        pq.write_table(table, path)
    else:
        _write_csv(table, path, encoding, chinese)
    return FeedResult(path, table.num_rows, seconds=time.perf_counter() - t0, **faults)


def _write_csv(table: pa.Table, path: Path, encoding: str, chinese: bool) -> None:
    text = {
        "submitted_at": pc.strftime(table["submitted_at"], "%Y-%m-%d %H:%M:%S"),
        "count": pc.cast(table["count"], pa.string()),
        "count_checked": pc.fill_null(pc.cast(table["count_checked"], pa.string()), ""),
        "zero_report": pc.if_else(table["zero_report"], "1", "0"),
    }
    if chinese:
        names = {d.code: d.name_zh for d in DEPARTMENTS}
        items = {MAIN_ITEM[d.code].code: MAIN_ITEM[d.code].name_zh for d in DEPARTMENTS}
        text["department"] = _mapped(table["department"], names)
        text["item"] = _mapped(table["item"], items)
        text["zero_report"] = pc.if_else(table["zero_report"], "是", "否")
    out = pa.table({f.name: text.get(f.name, table[f.name]) for f in FEED_FIELDS})
    sink = pa.BufferOutputStream()
    pacsv.write_csv(out, sink, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    header = ",".join(f.header_zh if chinese else f.name for f in FEED_FIELDS) + "\n"
    data = header.encode("utf-8") + sink.getvalue().to_pybytes()
    if encoding != "utf-8":
        data = data.decode("utf-8").encode(encoding)
    path.write_bytes(data)


def _mapped(column: pa.ChunkedArray, names: dict[str, str]) -> pa.Array:
    keys = list(names)
    index = pc.index_in(column, pa.array(keys))
    return pc.take(pa.array([names[k] for k in keys]), index)


def record_arrivals(engine: object) -> pd.DataFrame:
    """The records' arrivals per county and period (``period, county_code, persons``) from a
    store's ``record_events``, through the read contract (the nation's scope)."""
    from etl.marts.feeds import read_record_events
    from etl.scope import NATION

    events = read_record_events(engine, event="arrivals", scope=NATION)  # type: ignore[arg-type]
    return events[["period", "county_code", "persons"]]


def record_departures(engine: object) -> pd.DataFrame:
    """The records' departures per hukou county and period (``period, county_code, persons``)
    from a store's ``record_events``, through the read contract (the nation's scope)."""
    from etl.marts.feeds import read_record_events
    from etl.scope import NATION

    events = read_record_events(engine, event="departures", scope=NATION)  # type: ignore[arg-type]
    return events[["period", "county_code", "persons"]]


def parse_injections(rows: Sequence[dict[str, str]]) -> tuple[Injection, ...]:
    """Injections from CSV rows ``department,county_code,period,days_late`` (empty: missing)."""
    out = []
    for number, r in enumerate(rows, start=1):
        try:
            days = r.get("days_late", "").strip()
            out.append(
                Injection(
                    r["department"].strip(), r["county_code"].strip(), r["period"].strip(),
                    int(days) if days else None,
                )
            )  # fmt: skip
        except (KeyError, ValueError, AttributeError):
            raise GeneratorError(
                f"injections row {number}: needs department,county_code,period,days_late "
                "(days_late a whole number, or empty for a missing submission)"
            ) from None
    return tuple(out)


__all__ = [
    "EVENT_RATES", "FeedModel", "FeedOptions", "FeedResult", "Injection", "Mismatch", "feed_table",
    "parse_injections", "record_arrivals", "record_departures", "write_feeds",
]  # fmt: skip
