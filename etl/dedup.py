"""De-duplication of person-periods: a person appearing twice in one period is one person.

A *person-period key* is the first 8 bytes of a person hash (``etl.pseudonymise``) as an int64,
within one period (months since year 0). The first valid row of a person-period is kept: rows of
earlier runs first (read lazily, per period, from the staging area), then rows of this run in input
order. Later rows with the same key are quarantined with ``DUPLICATE_IN_RUN`` or
``DUPLICATE_LOADED``. 64 bits of a keyed hash: two people sharing a key is a one-in-10^19 event
per pair.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from etl import dates, staged
from etl.pseudonymise import HASH_BYTES, PendingHashes
from etl.stage import StagedBatch

DUPLICATE_IN_RUN = (
    "duplicate person-period: same person_id and period as an earlier row (that one is kept)"
)
DUPLICATE_LOADED = "duplicate person-period: already loaded by an earlier run"


def keep_new(
    batch: StagedBatch,
    job: PendingHashes,
    seen: SeenKeys,
    writer: staged.RunWriter,
    quarantine: list[pa.Table],
    rule_counts: dict[str, int],
) -> int:
    """Write the batch's records that are not duplicates; quarantine the others. Returns rows kept."""
    hashes = job.result()
    n = batch.records.num_rows
    if n == 0:
        return 0
    hash_array = pa.Array.from_buffers(pa.binary(HASH_BYTES), n, [None, pa.py_buffer(hashes)])
    keys = staged.hash_keys(hash_array)
    dup_run, dup_loaded = seen.claim(batch.period_months, keys)
    dup = dup_run | dup_loaded
    records = batch.records.add_column(0, "person_hash", hash_array)
    if dup.any():
        idx = np.flatnonzero(dup)
        reasons = np.where(dup_loaded[idx], DUPLICATE_LOADED, DUPLICATE_IN_RUN)
        quarantine.append(
            pa.table(
                {
                    "row_number": pa.array(batch.row_numbers[idx]),
                    "reason": pa.array(reasons.tolist()),
                }
            )
        )
        for rule, mask in (
            (DUPLICATE_IN_RUN, dup_run & ~dup_loaded),
            (DUPLICATE_LOADED, dup_loaded),
        ):
            if mask.any():
                rule_counts[rule] = rule_counts.get(rule, 0) + int(mask.sum())
        records = records.filter(pa.array(~dup))
    period = records.column("period").combine_chunks()
    labels = period.dictionary.to_pylist()
    if len(labels) == 1:
        writer.write(labels[0], records)
    else:  # sort by period once, then write contiguous slices
        indices = np.asarray(period.indices)
        order = np.argsort(indices, kind="stable")
        records = records.take(pa.array(order))
        bounds = np.searchsorted(indices[order], np.arange(len(labels) + 1))
        for i, label in enumerate(labels):
            if bounds[i + 1] > bounds[i]:
                writer.write(label, records.slice(bounds[i], bounds[i + 1] - bounds[i]))
    return records.num_rows


class SeenKeys:
    """Person-period keys already claimed: by earlier runs (read lazily per period) and by this run."""

    def __init__(self, load_period: Callable[[str], np.ndarray]) -> None:
        self._load_period = load_period
        self._loaded: dict[int, np.ndarray] = {}
        self._run: dict[int, np.ndarray] = {}

    def claim(self, months: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(duplicate of a row of this run, duplicate of a loaded record) per row; claims the rest."""
        n = len(keys)
        dup_run = np.zeros(n, dtype=bool)
        dup_loaded = np.zeros(n, dtype=bool)
        if len(months) and months.min() != months.max():
            order = np.argsort(months, kind="stable")
            sorted_months = months[order]
            unique_months = np.unique(sorted_months)
            bounds = np.searchsorted(sorted_months, np.append(unique_months, unique_months[-1] + 1))
            groups: list[tuple[int, np.ndarray | None]] = [
                (int(m), order[bounds[i] : bounds[i + 1]]) for i, m in enumerate(unique_months)
            ]
        else:
            groups = [(int(months[0]), None)] if len(months) else []
        for month, idx in groups:
            k = keys if idx is None else keys[idx]
            if month not in self._loaded:
                self._loaded[month] = self._load_period(dates.period_label(month))
            # look up the sorted distinct keys (cache-friendly), then map back to rows
            unique, first, inverse = np.unique(k, return_index=True, return_inverse=True)
            u_loaded = _in_sorted(unique, self._loaded[month])
            current = self._run.get(month, np.zeros(0, np.int64))
            u_run = _in_sorted(unique, current)
            later = np.ones(len(k), dtype=bool)
            later[first] = False
            loaded = u_loaded[inverse]
            d_run = (u_run[inverse] | later) & ~loaded
            if idx is None:
                dup_run |= d_run
                dup_loaded |= loaded
            else:
                dup_run[idx] = d_run
                dup_loaded[idx] = loaded
            new = unique[~u_loaded & ~u_run]
            # both sorted: the stable sort (timsort) merges the two runs in linear time
            self._run[month] = (
                np.sort(np.concatenate([current, new]), kind="stable") if len(current) else new
            )
        return dup_run, dup_loaded


def _in_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_keys, values)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == values
