"""Progress of a long ETL task, as reported to a caller (the CLI draws bars from it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    """``done`` of ``total`` (None: unknown) ``unit`` of a named task."""

    task: str
    done: int
    total: int | None
    unit: str  # "bytes", "rows" or "periods"


ProgressCallback = Callable[[ProgressEvent], None]


def byte_counter(report: ProgressCallback, task: str, total: int) -> Callable[[int], None]:
    """A callback that adds each ``n`` bytes read to a running count and reports it as ``task``."""
    done = 0

    def count(n: int) -> None:
        nonlocal done
        done += n
        report(ProgressEvent(task, done, total, "bytes"))

    return count


def no_progress(event: ProgressEvent) -> None:
    """A ``ProgressCallback`` that ignores every event."""
