"""Sums over the hierarchy as dense unit indices: rollups of the county pairs to prefecture,
province and region, and each unit's in, out and within persons (``unit_flows``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.indicators import small_cell
from etl.records import COHORTS


@dataclass(frozen=True)
class Units:
    """The hierarchy as dense indices, for summing with numpy.

    ``county``: county code -> county index (-1 for none); ``prefecture``: county index ->
    prefecture index; ``province``: prefecture index -> province index; ``labels``: the codes of
    every county, then prefecture, then province, then region (``offset`` says where each level
    starts); ``regions``: (province index, region index) pairs, provinces in no region under ``other``.
    """

    county: np.ndarray
    prefecture: np.ndarray
    province: np.ndarray
    regions: np.ndarray
    labels: pa.Array
    offset: dict[str, int]

    @classmethod
    def build(cls, hierarchy: pd.DataFrame, membership: pd.DataFrame) -> Units:
        units = hierarchy[["county_code", "prefecture_code", "province_code"]].astype(str)
        prefecture_idx, prefectures = pd.factorize(units["prefecture_code"])
        province_idx, provinces = pd.factorize(units["province_code"])
        province_of_prefecture = np.zeros(len(prefectures), dtype=np.int32)
        province_of_prefecture[prefecture_idx] = province_idx
        members = membership[["region_code", "province_code"]].astype(str)
        region_names = list(dict.fromkeys(members["region_code"])) + ["other"]
        province_position = {code: i for i, code in enumerate(provinces)}
        pairs = [
            (province_position[p], region_names.index(r))
            for r, p in members.itertuples(index=False)
            if p in province_position
        ]
        in_region = {p for p, _ in pairs}
        pairs += [(i, len(region_names) - 1) for i in range(len(provinces)) if i not in in_region]
        county = np.full(1_000_000, -1, dtype=np.int32)
        county[units["county_code"].astype(int).to_numpy()] = np.arange(len(units), dtype=np.int32)
        levels = {
            "county": list(units["county_code"]),
            "prefecture": list(prefectures),
            "province": list(provinces),
            "region": region_names,
        }
        offset, start = {}, 0
        for level, codes in levels.items():
            offset[level] = start
            start += len(codes)
        return cls(
            county=county,
            prefecture=prefecture_idx.astype(np.int32),
            province=province_of_prefecture,
            regions=np.array(sorted(pairs), dtype=np.int32).reshape(-1, 2),
            labels=pa.array([c for codes in levels.values() for c in codes]),
            offset=offset,
        )

    def size(self, level: str) -> int:
        levels = list(self.offset)
        end = (
            self.offset[levels[levels.index(level) + 1]]
            if level != levels[-1]
            else len(self.labels)
        )
        return end - self.offset[level]

    def codes(self, level: str, index: np.ndarray) -> pa.DictionaryArray:
        """Unit codes of ``level`` at ``index``, dictionary-encoded (few codes, many rows)."""
        return pa.DictionaryArray.from_arrays(
            pa.array(index.astype(np.int32) + self.offset[level]), self.labels
        )

    def county_index(self, codes: np.ndarray) -> np.ndarray:
        index = self.county[codes]
        if (index < 0).any():
            unknown = sorted({int(c) for c in codes[index < 0]})[:5]
            raise ValueError(
                f"staged records name county codes missing from the hierarchy, e.g. {unknown}"
            )
        return index


def group_sums(
    keys: list[np.ndarray], sizes: list[int], weights: dict[str, np.ndarray]
) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """Sums of ``weights`` per distinct combination of ``keys`` (dense indices below ``sizes``).

    Returns the combinations present (a row with any weight, the first weight being a count of
    rows) and each weight's sums, by ``np.bincount`` over the combined index.
    """
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key, size in zip(keys, sizes, strict=True):
        combined = combined * size + key
    total = int(np.prod(sizes, dtype=np.int64))
    names = list(weights)
    first = np.bincount(combined, weights=weights[names[0]], minlength=total)
    present = np.flatnonzero(first)
    sums = {names[0]: first[present].astype(np.int64)}
    for name in names[1:]:
        sums[name] = np.bincount(combined, weights=weights[name], minlength=total)[present].astype(
            np.int64
        )
    out: list[np.ndarray] = []
    rest = present
    for size in reversed(sizes[1:]):
        rest, key = np.divmod(rest, size)
        out.insert(0, key)
    out.insert(0, rest)
    return out, sums


UNIT_LEVELS = pa.array(["county", "prefecture", "province"])
ROLLUP_LEVELS = pa.array(["prefecture", "province", "region"])
COHORT_LABELS = pa.array(list(COHORTS))
SIDE_LABELS = pa.array(["outflow", "inflow"])
ROLE_LABELS = pa.array(["origin", "destination"])
"""Dictionaries shared by every chunk's columns of these few values."""


def labelled(labels: pa.Array, value: str, n: int) -> pa.DictionaryArray:
    """``value`` (one of ``labels``) repeated ``n`` times, dictionary-encoded."""
    index = labels.to_pylist().index(value)
    return pa.DictionaryArray.from_arrays(pa.array(np.full(n, index, dtype=np.int32)), labels)


def rollups(
    p: np.ndarray,
    origin: np.ndarray,
    destination: np.ndarray,
    counts: dict[str, np.ndarray],
    units: Units,
    n_periods: int,
    period_codes,  # noqa: ANN001 - index -> period text
    threshold: int,
) -> tuple[pa.Table, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]]:
    """County pairs summed to prefecture, province and region pairs: one row per cohort with
    persons; and, per level, the pairs' (period, origin, destination, persons of cohort all)."""
    weights = {c: counts[f"n_{c}"] for c in COHORTS}
    levels = {}
    n = units.size("prefecture")
    (pp, po, pd_), sums = group_sums(
        [p, units.prefecture[origin], units.prefecture[destination]], [n_periods, n, n], weights
    )
    levels["prefecture"] = (pp, po, pd_, sums)
    n = units.size("province")
    (pp, po, pd_), sums = group_sums(
        [pp, units.province[po], units.province[pd_]], [n_periods, n, n], sums
    )
    levels["province"] = (pp, po, pd_, sums)
    # a province in two regions counts in both: each province pair once per pair of their regions
    member = np.zeros((n, units.size("region")), dtype=bool)
    member[units.regions[:, 0], units.regions[:, 1]] = True
    rows, ro = np.nonzero(member[po])
    picked, rd = np.nonzero(member[pd_[rows]])
    rows, ro = rows[picked], ro[picked]
    n = units.size("region")
    (rp, ro, rd), region_sums = group_sums(
        [pp[rows], ro, rd], [n_periods, n, n], {c: v[rows] for c, v in sums.items()}
    )
    levels["region"] = (rp, ro, rd, region_sums)

    parts = []
    for level, (lp, lo, ld, level_sums) in levels.items():
        for cohort in COHORTS:
            keep = np.flatnonzero(level_sums[cohort])
            persons = level_sums[cohort][keep]
            parts.append(
                pa.table(
                    {
                        "period": period_codes(lp[keep]),
                        "level": labelled(ROLLUP_LEVELS, level, len(keep)),
                        "origin_code": units.codes(level, lo[keep]),
                        "destination_code": units.codes(level, ld[keep]),
                        "cohort": labelled(COHORT_LABELS, cohort, len(keep)),
                        "persons": persons,
                        "is_within": lo[keep] == ld[keep],
                        "small_cell": small_cell(persons, threshold),
                    }
                )
            )
    return pa.concat_tables(parts), {
        level: (lp, lo, ld, sums["all"]) for level, (lp, lo, ld, sums) in levels.items()
    }


def unit_flows(
    levels: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    units: Units,
    n_periods: int,
    period_codes,  # noqa: ANN001 - index -> period text
) -> pa.Table:
    """Per period and county, prefecture or province: persons in from, out to and within (cohort all)."""
    parts = []
    for level in ("county", "prefecture", "province"):
        p, origin, destination, persons = levels[level]
        n = units.size(level)
        between = origin != destination
        weights = persons.astype(np.float64)
        sums = [
            np.bincount(p[mask] * n + unit[mask], weights=weights[mask], minlength=n_periods * n)
            for unit, mask in ((destination, between), (origin, between), (origin, ~between))
        ]
        present = np.flatnonzero(sums[0] + sums[1] + sums[2])
        period, unit = np.divmod(present, n)
        inflow, outflow, within = (s[present].astype(np.int64) for s in sums)
        parts.append(
            pa.table(
                {
                    "period": period_codes(period),
                    "level": labelled(UNIT_LEVELS, level, len(present)),
                    "code": units.codes(level, unit),
                    "inflow": inflow,
                    "outflow": outflow,
                    "within": within,
                }
            )
        )
    return pa.concat_tables(parts)
