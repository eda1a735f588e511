"""The baseline a scenario applies to, and the spatial interaction model fitted on its flows.

Terms
-----
*Baseline*: one period of the store, as the reader's scope sees it (``etl.marts``): the county
flow matrix (cohort ``all``, the diagonal of intra-county movers included and flagged as
``is_within``), the county coverage table, the hierarchy and the region membership, and the id of
the store's latest succeeded run. Columns keep the marts' names (``origin_code`` is the county of
household registration, ``destination_code`` that of residence).

*Between-county flows*: flows with ``origin_code != destination_code``. Only they are re-allocated by
the attractiveness lever; the diagonal is never moved by the model (growth levers do scale it).

*Fitted model*: PySAL ``spint.gravity.Production`` (origin-constrained Poisson gravity model),
``log T_ij = k + mu_i + gamma * log W_j - beta * log d_ij``, fitted on the observed nonzero
between-county flows of the period, with ``W_j`` the destination's observed between-county inflow
(its attractiveness proxy) and ``d_ij`` the floored great-circle distance between county points
(km, at least 15 km; ``geodata.points``). ``gamma`` is the elasticity of a destination's flows to
its attractiveness; the attractiveness lever uses it. Zero pairs are left out of the fit (8 M
county pairs do not fit in a GLM here): the fit describes the pairs that exist.

Re-allocation is *pivoted* on the observed flows (the incremental form of the model): a lever
multiplies the model's attraction term of destination j by ``g_j = factor ** gamma``; as the model's
distance and origin terms are unchanged, the model's flows change by ``g_j`` times the origin's
balancing factor, and that change is applied to the observed flows, so a lever of factor 1 changes
nothing and the unexplained part of the observed flows is kept:

- origin-constrained: ``T'_ij = O_i * T_ij g_j / sum_k T_ik g_k`` (origin totals ``O_i`` kept);
- doubly constrained: ``T'_ij = a_i b_j T_ij`` with balancing factors found by Furness iteration so
  that origin totals are kept and destination totals are ``D_j g_j``, rescaled to keep the national
  total. Odds ratios ``T_ij T_kl / (T_il T_kj)`` are kept, as in any doubly constrained model.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from etl import marts, store
from etl.scope import Scope
from geodata.points import MIN_DISTANCE_KM, great_circle_km
from planning.errors import ScenarioError


@dataclass(frozen=True)
class Baseline:
    """One period of the store, as the scenario engine reads it (see the module docstring).

    ``flows``: ``origin_code, destination_code, persons, is_within`` (persons as float);
    ``coverage``: ``unit_code, side, indicator, numerator, denominator`` (county codes; floats);
    ``units``: ``county_code, prefecture_code, province_code``;
    ``region_members``: ``region_code, province_code``;
    ``threshold``: the store's small-cell threshold (what the scenario's exports suppress).
    """

    period: str
    flows: pd.DataFrame
    coverage: pd.DataFrame
    units: pd.DataFrame
    region_members: pd.DataFrame
    run_id: int | None = None
    region_codes: frozenset[str] = field(default_factory=frozenset)
    threshold: int = 0

    @classmethod
    def from_frames(
        cls,
        period: str,
        flows: pd.DataFrame,
        coverage: pd.DataFrame,
        units: pd.DataFrame,
        region_members: pd.DataFrame | None = None,
        run_id: int | None = None,
        threshold: int = 0,
    ) -> Baseline:
        """A baseline from plain tables (the store's, or hand-made ones in tests)."""
        flows = flows[["origin_code", "destination_code", "persons"]].copy()
        flows["persons"] = flows["persons"].astype(np.float64)
        flows["is_within"] = flows["origin_code"] == flows["destination_code"]
        flows = flows.sort_values(["origin_code", "destination_code"], ignore_index=True)
        coverage = coverage[["unit_code", "side", "indicator", "numerator", "denominator"]].copy()
        coverage[["numerator", "denominator"]] = coverage[["numerator", "denominator"]].astype(np.float64)
        coverage = coverage.sort_values(["unit_code", "side", "indicator"], ignore_index=True)
        members = (
            region_members[["region_code", "province_code"]].copy()
            if region_members is not None
            else pd.DataFrame({"region_code": pd.Series(dtype=str), "province_code": pd.Series(dtype=str)})
        )
        units = units[["county_code", "prefecture_code", "province_code"]].drop_duplicates("county_code")
        return cls(
            period, flows, coverage, units.reset_index(drop=True), members, run_id,
            frozenset(members["region_code"]), threshold,
        )


def load_baseline(engine: Engine, period: str | None = None, *, scope: Scope) -> Baseline:
    """The baseline of ``period`` (default: the latest period) read from the store's marts, as
    ``scope`` sees them (county flows with both ends inside it, its counties' coverage)."""
    known = marts.periods(engine, scope=scope)
    if not known:
        raise ScenarioError.of(
            "no_aggregates", "the store has no aggregates: ingest records first (yipanqi ingest)"
        )
    period = period or known[-1]
    if period not in known:
        raise ScenarioError.of(
            "unknown_period",
            f"period {period!r} is not in the store; it has {known[0]}..{known[-1]}",
            value=period, first=known[0], last=known[-1],
        )  # fmt: skip
    run = store.latest_run(engine)
    return Baseline.from_frames(
        period,
        marts.read_pairs(engine, period, "all", "county", scope=scope),
        marts.read_coverage(engine, period, scope=scope),
        marts.read_units(engine, scope=scope),
        marts.read_region_members(engine, scope=scope),
        run.run_id if run else None,
        marts.small_cell_threshold(engine, scope=scope),
    )


@dataclass(frozen=True)
class FittedModel:
    """An origin-constrained gravity model fitted on a baseline's between-county flows.

    ``gamma``: elasticity of flows to destination attractiveness; ``beta``: distance decay (power);
    ``pseudo_r2``: spint's pseudo-R^2 (1 - log-likelihood ratio to the null model);
    ``share_within_10pct``: share of observed flows whose fitted value is within +/-10% of them;
    ``n_pairs``: flows fitted; ``fit_seconds``: wall time of the fit.
    """

    gamma: float
    beta: float
    pseudo_r2: float = float("nan")
    share_within_10pct: float = float("nan")
    n_pairs: int = 0
    fit_seconds: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "gamma": self.gamma,
            "beta": self.beta,
            "pseudo_r2": self.pseudo_r2,
            "share_within_10pct": self.share_within_10pct,
            "n_pairs": self.n_pairs,
            "fit_seconds": self.fit_seconds,
        }


FIT_GOOD = 0.75
"""A fit is *good* when at least this share of the fitted county pairs is within +/-10%."""

FIT_FAIR = 0.5
"""A fit is *fair* from this share up (and below :data:`FIT_GOOD`), *weak* below it."""

FIT_QUALITIES = ("good", "fair", "weak")


def fit_quality(model: FittedModel) -> str:
    """``good``, ``fair`` or ``weak``: how well the model reproduces the observed flows, judged by
    ``share_within_10pct`` (the share of the fitted county pairs whose fitted flow is within +/-10%
    of the observed one) against :data:`FIT_GOOD` and :data:`FIT_FAIR`.

    The share is the measure because a planner can read it ("the model gets 3 in 4 pairs within
    10%"); the pseudo-R^2 of a Poisson GLM on sparse counts is small even for useful fits. Below
    half the pairs the fitted elasticity says little about how flows answer attractiveness, so an
    attractiveness lever that uses it deserves a warning (``docs/scenarios.md``). A fit without a
    share (NaN) is weak.
    """
    share = model.share_within_10pct
    if share >= FIT_GOOD:
        return "good"
    if share >= FIT_FAIR:
        return "fair"
    return "weak"


def fit_model(baseline: Baseline, points: pd.DataFrame) -> FittedModel:
    """Fit the origin-constrained model (spint ``Production``) on the baseline's flows.

    ``points``: ``county_code, lon, lat`` (degrees), e.g. ``geodata.points.cached_county_points``.
    Flows are rounded to whole persons (the GLM is Poisson); counties without a point are an error.
    """
    from spint.gravity import Production

    flows = baseline.flows[~baseline.flows["is_within"] & (baseline.flows["persons"] > 0)]
    if flows["origin_code"].nunique() < 2 or flows["destination_code"].nunique() < 2:
        raise ScenarioError.of(
            "too_few_flows",
            "too few between-county flows to fit the model (need 2+ origins and destinations)",
        )
    located = points.drop_duplicates("county_code").set_index("county_code")
    missing = sorted(set(flows["origin_code"]).union(flows["destination_code"]) - set(located.index))
    if missing:
        raise ScenarioError.of(
            "no_points",
            f"{len(missing)} counties have no point for distances, e.g. {missing[:5]}",
            n=len(missing), codes=missing[:5],
        )  # fmt: skip
    o = located.loc[flows["origin_code"], ["lon", "lat"]].to_numpy()
    d = located.loc[flows["destination_code"], ["lon", "lat"]].to_numpy()
    distance = great_circle_km(o[:, 0], o[:, 1], d[:, 0], d[:, 1], floor_km=MIN_DISTANCE_KM)
    inflow = flows.groupby("destination_code")["persons"].sum()
    mass = inflow.loc[flows["destination_code"]].to_numpy()
    observed = np.rint(flows["persons"].to_numpy()).astype(np.int64)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fitted = Production(
            observed.reshape(-1, 1),
            pd.factorize(flows["origin_code"])[0].reshape(-1, 1),
            mass.reshape(-1, 1),
            distance.reshape(-1, 1),
            "pow",
        )
    seconds = time.perf_counter() - started
    params = np.asarray(fitted.params).ravel()
    yhat = np.asarray(fitted.yhat).ravel()
    within = float(np.mean(np.abs(yhat - observed) <= 0.1 * observed))
    return FittedModel(
        gamma=float(params[-2]),
        beta=float(-params[-1]),
        pseudo_r2=float(fitted.pseudoR2),
        share_within_10pct=within,
        n_pairs=len(observed),
        fit_seconds=seconds,
    )


def reallocate_origin_constrained(
    persons: np.ndarray, origin: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """``O_i * T_ij w_ij / sum_k T_ik w_ik`` for flows given as parallel arrays.

    ``origin``: integer origin index per flow; ``weight``: ``g_j`` of each flow's destination.
    Origins whose weighted total is 0 keep their flows.
    """
    n = int(origin.max()) + 1 if len(origin) else 0
    totals = np.bincount(origin, weights=persons, minlength=n)
    weighted = persons * weight
    weighted_totals = np.bincount(origin, weights=weighted, minlength=n)
    scale = np.divide(totals, weighted_totals, out=np.ones(n), where=weighted_totals > 0)
    out = weighted * scale[origin]
    return np.where(weighted_totals[origin] > 0, out, persons)


def balance_doubly(
    persons: np.ndarray,
    origin: np.ndarray,
    destination: np.ndarray,
    origin_totals: np.ndarray,
    destination_totals: np.ndarray,
    tolerance: float = 1e-9,
    max_iterations: int = 500,
) -> tuple[np.ndarray, float]:
    """Furness balancing ``a_i b_j T_ij`` to the given totals; returns (flows, max relative error).

    The error is the largest relative gap of a total after the last iteration; the caller reports
    it when it is above ``tolerance`` (totals that the flows' zero pattern cannot reach).
    """
    a = np.ones(len(origin_totals))
    b = np.ones(len(destination_totals))
    error = np.inf
    for _ in range(max_iterations):
        row = np.bincount(origin, weights=persons * b[destination], minlength=len(a))
        a = np.divide(origin_totals, row, out=np.zeros_like(a), where=row > 0)
        col = np.bincount(destination, weights=persons * a[origin], minlength=len(b))
        b = np.divide(destination_totals, col, out=np.zeros_like(b), where=col > 0)
        flows = persons * a[origin] * b[destination]
        got = np.bincount(origin, weights=flows, minlength=len(a))
        reachable = origin_totals > 0
        error = float(np.max(np.abs(got - origin_totals)[reachable] / origin_totals[reachable], initial=0.0))
        if error <= tolerance:
            break
    return persons * a[origin] * b[destination], error
