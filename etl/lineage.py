"""Lineage of a run: what it read (inputs, their sha256 and counts) and the code that ran.

An *input summary* is one input of an ingest run: its label (a path, or a database URL without
its password and the table), format, text encoding, sha256 of its bytes (or of its rows as Arrow
IPC for a SQL table), rows in, loaded and quarantined, the run that already loaded the same
content (then nothing of it is read again) and the extra columns it holds, which are not read.
A *run summary* is what ``etl.pipeline`` returns and records in the store's ``runs`` table.
"""

from __future__ import annotations

import subprocess  # nosec B404 # runs git only, fixed arguments, no shell
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa


@dataclass(frozen=True)
class InputSummary:
    source: str
    format: str
    encoding: str
    sha256: str
    n_in: int
    n_loaded: int
    n_quarantined: int
    skipped_as_run: int | None = None
    extra_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunSummary:
    """What a run did. ``rule_counts``: rows that broke each rule (a row can break several);
    ``remapped``: per code field, staged records whose older GB/T 2260 code was replaced by the
    current one (``etl.stage``; counted before de-duplication)."""

    run_id: int
    kind: str
    status: str
    inputs: tuple[InputSummary, ...]
    n_in: int
    n_loaded: int
    n_quarantined: int
    periods: tuple[str, ...]
    rule_counts: dict[str, int]
    started_at: datetime
    ended_at: datetime
    seconds: dict[str, float] = field(default_factory=dict)
    remapped: dict[str, int] = field(default_factory=dict)
    recovered: str = ""  # what the start cleaned up after earlier loads that died (etl.pipeline)


def inputs_table(run_id: int, summaries: Sequence[InputSummary]) -> pa.Table:
    """The rows of the store's ``run_inputs`` table for a run's inputs, in the order given."""
    return pa.Table.from_pylist(
        [
            {
                "run_id": run_id,
                "position": i,
                "source": s.source,
                "format": s.format,
                "encoding": s.encoding,
                "sha256": s.sha256,
                "n_in": s.n_in,
                "n_loaded": s.n_loaded,
                "n_quarantined": s.n_quarantined,
                "skipped_as_run": s.skipped_as_run,
                "extra_columns": ", ".join(s.extra_columns),
            }
            for i, s in enumerate(summaries)
        ]
    )


def run_notes(aggregated: bool, remapped: dict[str, int]) -> str:
    """The ``runs.message`` of a succeeded ingest: what a reader of the lineage should know."""
    notes = [] if aggregated else ["aggregates not refreshed (run `yipanqi aggregate`)"]
    if remapped:
        notes.append(
            "older GB/T 2260 codes mapped to current codes: "
            + ", ".join(f"{name} {n}" for name, n in sorted(remapped.items()))
        )
    return "; ".join(notes)


def code_version() -> str:
    """``yipanqi <version>`` plus the git commit of the checkout, when there is one."""
    try:
        from importlib.metadata import version

        ver = version("yipanqi")
    except Exception:  # noqa: BLE001 - not installed: read the checkout's pyproject
        ver = _pyproject_version()
    commit = ""
    repo = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(  # nosec B603 B607 # fixed git command for the lineage record
            ["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        if out.returncode == 0:
            commit = out.stdout.strip()
            dirty = subprocess.run(  # nosec B603 B607 # fixed git command
                ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            if dirty.returncode == 0 and dirty.stdout.strip():
                commit += "-dirty"
    except (OSError, subprocess.SubprocessError):
        pass
    return f"yipanqi {ver}" + (f" ({commit})" if commit else "")


def _pyproject_version() -> str:
    import tomllib

    path = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
