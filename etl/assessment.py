"""Ranked two-way assessment (双向考核) and "who owes whom", read through the marts with a scope.

Terms:

- *role*: a unit is assessed as an **origin** on the outflow indicators (grouped by household
  registration: how it serves its out-migrants, 婚育证明办证率) and as a **destination** on the
  inflow indicators (grouped by residence: how it serves the migrants it hosts);
- *score* of a unit and role in a period: the weighted mean, over the role's indicators with a
  denominator, of min(1, rate / target), each against the target in force for the period and
  with the weights of the target file (``etl.targets``, ``etl.indicators.score``). 1.0: every
  indicator at target; a prefecture or province is scored on its counties' summed coverage;
- *withheld*: a score whose smallest denominator above 0 is a small cell (``etl.indicators.
  withheld``) is not published (``suppressed``): blank score and counts, and no rank; it takes no
  place in anyone's ranking either, so ranks give nothing away;
- *rank*: 1 for the best published score among the units of the same level and role in the
  same province (``rank_in_province``; blank at province level) or collaboration region
  (``rank_in_region``; a unit of a province in two regions has one row per region; provinces of
  no region rank in ``other``); ties share the best place (1, 1, 3). Only units inside the
  reader's scope take part: a province-scoped reader's ranks are within what it may see, and
  region ranks are left blank below a region scope;
- *change*: the score minus the previous period's (in the store's periods), and ``rank_change``
  the places moved up in the region (previous rank minus this rank), blank where either is not
  published;
- *who owes whom* (``owed_table``): per pair of provinces (origin = household registration,
  destination = residence) in one period, the women 15-49 of the origin living in the
  destination, and an **estimate** of how many of them the origin's certificate service
  (婚育证明办证率) and the destination's verification (婚育证明验证率) reached: the coverage marts
  hold these rates per county and side, not per pair, so each county pair's women are taken at
  their hukou county's issuance rate and their residence county's verification rate, then summed
  to the province pair. ``origin_owed`` / ``destination_owed``: persons short of the target in
  force (``etl.indicators.shortfall``), rounded to whole persons. Pairs with both provinces
  inside the reader's scope; small cells suppressed with the flow margins (``etl.disclosure``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from etl import indicators as rules
from etl import marts, targets
from etl.disclosure import SUPPRESSED, flow_margins, suppress
from etl.indicators import INDICATORS
from etl.scope import Scope

ROLES = {"origin": "outflow", "destination": "inflow"}
"""Each role and the side of the indicators it is assessed on."""
ASSESSMENT_LEVELS = ("county", "prefecture", "province")
TABLE_COLUMNS = (
    "period", "level", "unit_code", "province_code", "region_code", "role", "n_indicators",
    "n_at_target", "score", "rank_in_province", "n_in_province", "rank_in_region", "n_in_region",
    "previous_score", "score_change", "previous_rank_in_region", "rank_change", SUPPRESSED,
)  # fmt: skip
"""The long shape of ``assessment_table``: one row per unit, role and region."""
OWED_COLUMNS = (
    "period", "origin_code", "destination_code", "women_15_49", "origin_target", "origin_reached",
    "origin_owed", "destination_target", "destination_reached", "destination_owed", SUPPRESSED,
)  # fmt: skip
_PUBLISHED = ("n_indicators", "n_at_target", "score")


def unit_scores(coverage: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Per ``period, unit_code`` and role: ``n_indicators`` (with a denominator), ``n_at_target``,
    ``score`` (NaN with none) and ``withheld`` (its smallest denominator above 0 is a small cell),
    from long coverage rows (``period, unit_code, side, indicator, numerator, denominator``)."""
    out = []
    for role, side in ROLES.items():
        flags = [i.flag for i in INDICATORS if i.side == side]
        part = coverage[(coverage["side"] == side) & coverage["indicator"].isin(flags)]
        keys = ["period", "unit_code"]
        num = part.pivot_table(index=keys, columns="indicator", values="numerator", aggfunc="sum")
        den = part.pivot_table(index=keys, columns="indicator", values="denominator", aggfunc="sum")
        num, den = num.reindex(columns=flags).fillna(0), den.reindex(columns=flags).fillna(0)
        if not len(den):
            continue
        periods = den.index.get_level_values("period")
        goals = {p: [targets.target_bp(f, p) for f in flags] for p in set(periods)}
        bp = np.array([goals[p] for p in periods], dtype=np.int64).reshape(len(den), len(flags))
        n, d = num.to_numpy(np.int64), den.to_numpy(np.int64)
        smallest = np.where(d > 0, d, np.iinfo(np.int64).max).min(axis=1)
        smallest = np.where((d > 0).any(axis=1), smallest, 0)
        out.append(
            pd.DataFrame(
                {
                    "period": periods,
                    "unit_code": den.index.get_level_values("unit_code"),
                    "role": role,
                    "n_indicators": (d > 0).sum(axis=1),
                    "n_at_target": np.asarray(rules.at_target(n, d, bp)).sum(axis=1),
                    "score": rules.score(n, d, bp, targets.weights(flags)),
                    "withheld": np.asarray(rules.withheld(smallest, threshold)),
                }
            )
        )
    columns = ["period", "unit_code", "role", *_PUBLISHED, "withheld"]
    return pd.concat(out, ignore_index=True)[columns] if out else pd.DataFrame(columns=columns)


def ranked(scores: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """``scores`` (of ``unit_scores``) joined to ``places`` (``unit_code, province_code,
    region_code``: one row per region of the unit; ``province_code`` None at province level,
    ``region_code`` "" where regions are not ranked) and ranked within each period, role and
    province, and region: published scores only, best first, ties sharing the best place."""
    shown = scores[~scores["withheld"].astype(bool) & scores["score"].notna()]
    keys = ["period", "role", "unit_code"]
    data = scores.merge(places, on="unit_code", how="left")
    data["region_code"] = data["region_code"].fillna("")
    for name, group in (("province", "province_code"), ("region", "region_code")):
        mine = places[["unit_code", group]].drop_duplicates()
        part = shown.merge(mine[mine[group].notna() & (mine[group] != "")], on="unit_code")
        by = part.groupby(["period", "role", group])["score"]
        part[f"rank_in_{name}"] = by.rank(method="min", ascending=False).astype("int64")
        part[f"n_in_{name}"] = by.transform("size").astype("int64")
        data = data.merge(
            part[[*keys, group, f"rank_in_{name}", f"n_in_{name}"]], on=[*keys, group], how="left"
        )
        for column in (f"rank_in_{name}", f"n_in_{name}"):
            data[column] = data[column].astype("Int64")
    return data


def assessment_table(
    engine: sa.Engine | sa.Connection, period: str, level: str, *, scope: Scope
) -> pd.DataFrame:
    """The ranked assessment of every unit of ``level`` inside ``scope`` in ``period`` with its
    change since the previous period, in ``TABLE_COLUMNS`` (withheld scores blank and
    ``suppressed`` true), best origin scores first."""
    if level not in ASSESSMENT_LEVELS:
        raise ValueError(f"unknown level {level!r}; one of {', '.join(ASSESSMENT_LEVELS)}")
    available = marts.periods(engine, scope=scope)
    if period not in available:
        raise ValueError(
            f"no period {period!r} in the store; one of {available[0]}..{available[-1]}"
            if available
            else "the store has no periods"
        )
    previous = available[available.index(period) - 1] if available.index(period) else None
    threshold = marts.small_cell_threshold(engine, scope=scope)
    places = _places(engine, level, scope)
    now = ranked(_scores(engine, period, level, threshold, scope), places)
    if previous is not None:
        before = ranked(_scores(engine, previous, level, threshold, scope), places)
        before = before[~before["withheld"]]
        keys = ["role", "unit_code", "region_code"]
        before = before.set_index(keys)[["score", "rank_in_region"]].add_prefix("previous_")
        now = now.join(before, on=keys)
    else:
        now["previous_score"] = np.nan
        now["previous_rank_in_region"] = pd.NA
    now["previous_score"] = now["previous_score"].astype("Float64")
    now["previous_rank_in_region"] = now["previous_rank_in_region"].astype("Int64")
    now["score_change"] = now["score"].astype("Float64") - now["previous_score"]
    now["rank_change"] = now["previous_rank_in_region"] - now["rank_in_region"]
    now["level"] = level
    hidden = now["withheld"].to_numpy(bool)
    out = suppress(now, [*_PUBLISHED, "previous_score", "score_change", "rank_change",
                         "previous_rank_in_region"], hidden)  # fmt: skip
    out = out.sort_values(["role", "score", "unit_code"], ascending=[False, False, True],
                          na_position="last", kind="stable", ignore_index=True)  # fmt: skip
    return out[list(TABLE_COLUMNS)]


def _scores(engine: sa.Engine | sa.Connection, period: str, level: str, threshold: int,
            scope: Scope) -> pd.DataFrame:  # fmt: skip
    coverage = marts.read_coverage(engine, period, level=level, scope=scope)
    return unit_scores(coverage, threshold)


def _places(engine: sa.Engine | sa.Connection, level: str, scope: Scope) -> pd.DataFrame:
    """``unit_code, province_code, region_code`` of the units of ``level`` inside ``scope``:
    one row per region of the unit's province (``other`` for none); region blank below a region
    scope (its other provinces are not the reader's to rank against)."""
    units = marts.read_units(engine, scope=scope)
    code = f"{level}_code"
    places = pd.DataFrame(
        {"unit_code": units[code], "province_code": units["province_code"]}
    ).drop_duplicates("unit_code")
    if scope.level in ("province", "prefecture"):
        places["region_code"] = ""
    else:
        members = marts.read_region_members(engine, scope=scope)
        places = places.merge(members, on="province_code", how="left")
        places["region_code"] = places["region_code"].fillna(marts.OTHER_REGION)
        if scope.level == "region":
            places = places[places["region_code"] == scope.code]
    if level == "province":
        places["province_code"] = None
    return places.reset_index(drop=True)


def owed_table(engine: sa.Engine | sa.Connection, period: str, *, scope: Scope) -> pd.DataFrame:
    """Who owes whom between provinces in ``period`` (see the module docstring), in
    ``OWED_COLUMNS``, largest origin debt first; small cells suppressed."""
    flows = marts.read_flows(engine, period, "women_15_49", "county", scope=scope)
    flows = flows[~flows["is_within"].astype(bool)]
    coverage = marts.read_coverage(engine, period, level="county", scope=scope)
    rate = {
        flag: coverage[coverage["indicator"] == flag].set_index("unit_code")
        for flag in ("cert_issued", "cert_verified")
    }
    province = marts.read_units(engine, scope=scope).set_index("county_code")["province_code"]
    persons = flows["persons"].to_numpy(np.float64)
    data = pd.DataFrame(
        {
            "origin_code": flows["origin_code"].map(province).to_numpy(),
            "destination_code": flows["destination_code"].map(province).to_numpy(),
            "women_15_49": persons,
            "origin_reached": persons * _rates(rate["cert_issued"], flows["origin_code"]),
            "destination_reached": persons
            * _rates(rate["cert_verified"], flows["destination_code"]),
        }
    )
    data = data[data["origin_code"] != data["destination_code"]].dropna(
        subset=["origin_code", "destination_code"]
    )
    sums = data.groupby(["origin_code", "destination_code"], as_index=False).sum()
    women = sums["women_15_49"].to_numpy()
    for role, flag in (("origin", "cert_issued"), ("destination", "cert_verified")):
        bp = targets.target_bp(flag, period)
        sums[f"{role}_target"] = bp / rules.BASIS
        reached = sums[f"{role}_reached"].to_numpy()
        sums[f"{role}_owed"] = np.floor(
            np.asarray(rules.shortfall(reached, women, bp)) + 0.5
        ).astype("int64")
        sums[f"{role}_reached"] = np.floor(reached + 0.5).astype("int64")
    sums["women_15_49"] = sums["women_15_49"].round().astype("int64")
    sums.insert(0, "period", period)
    threshold = marts.small_cell_threshold(engine, scope=scope)
    small = np.asarray(rules.withheld(sums["women_15_49"], threshold))
    margins = flow_margins(("period",), count="women_15_49", within=None)
    counts = [
        "women_15_49",
        "origin_reached",
        "origin_owed",
        "destination_reached",
        "destination_owed",
    ]
    out = suppress(sums, counts, small, margins)
    out = out.sort_values(["origin_owed", "origin_code", "destination_code"],
                          ascending=[False, True, True], na_position="last", ignore_index=True)  # fmt: skip
    return out[list(OWED_COLUMNS)]


def _rates(rows: pd.DataFrame, counties: pd.Series) -> np.ndarray:
    """The rate of each county of ``counties`` on ``rows`` (0 where it has no denominator)."""
    share = rules.ratio(rows["numerator"], rows["denominator"]).fillna(0.0)
    return counties.map(share).fillna(0.0).to_numpy(np.float64)
