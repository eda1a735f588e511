"""Kill benchmark (issue 15): ``yipanqi ingest`` SIGKILLed at random moments, the store checked after.

The test suite kills a load at each named point (``etl.crashpoints``, tests/etl/test_crash.py);
this script kills it by the clock instead, anywhere, on a sizeable generated input, as ``kill -9``
or a power cut would. Each trial starts from a copy of the same base (a SQLite store with one
earlier load and its data directory), runs ``yipanqi ingest INPUT`` in a subprocess, sends it
SIGKILL after a random delay between 0.8 x the time a command takes to start (Python and its
imports) and the time a whole ingest takes, then runs the next command
(``yipanqi store check``) and classifies the trial:

- *killed*: the process died before its commit; the store's marts, quarantine and lineage equal
  the base's, the run is marked failed by the check, no staged file of it is left, and
  ``store check`` exits 0 (every page sound);
- *finished*: the load committed before the signal; the store check exits 0;
- *broken*: anything else (the figure that must stay 0).

Usage: ``.venv/bin/python bench/bench_kill.py INPUT.csv [--trials 12] [--seed 1]``; results on
stdout and in ``bench/results/kill.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.etl.helpers import TINY, write_csv  # noqa: E402
from tests.etl.test_store import _snapshot  # noqa: E402

KEY = "bench-kill-key-0123456789abcdef"
CLI = "import sys; from yipanqi.cli import main; sys.argv[0] = 'yipanqi'; main()"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", CLI, *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "YIPANQI_HASH_KEY": KEY}


def _same(a: dict, b: dict) -> bool:
    return all(a[name].equals(b[name]) for name in a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from etl import staged, store
    from etl.pipeline import ingest

    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="yipanqi-bench-kill-"))
    base = work / "base"
    base.mkdir()
    base_url = f"sqlite:///{base / 'store.sqlite'}"
    ingest([write_csv(work / "tiny.csv", TINY)], base_url, base / "data", KEY, workers=0)
    expected = _snapshot(base_url)

    timing = work / "timing"
    shutil.copytree(base, timing)
    started = time.perf_counter()
    subprocess.run(
        _command("ingest", str(args.input), "--store", f"sqlite:///{timing / 'store.sqlite'}",
                 "--data-dir", str(timing / "data")),
        env=_env(), check=True, capture_output=True,
    )  # fmt: skip
    whole = time.perf_counter() - started
    started = time.perf_counter()  # the part of it spent starting Python and importing
    subprocess.run(_command("runs", "--store", base_url), env=_env(), check=True, capture_output=True)
    startup = time.perf_counter() - started
    print(f"a whole ingest of {args.input.name} takes {whole:.1f} s, {startup:.1f} s of it starting")

    results = {"killed": 0, "finished": 0, "broken": 0}
    trials = []
    for trial in range(args.trials):
        folder = work / f"trial-{trial}"
        shutil.copytree(base, folder)
        url, data = f"sqlite:///{folder / 'store.sqlite'}", folder / "data"
        delay = rng.uniform(startup * 0.8, whole)
        process = subprocess.Popen(
            _command("ingest", str(args.input), "--store", url, "--data-dir", str(data)),
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        check = subprocess.run(
            _command("store", "check", "--store", url, "--data-dir", str(data)),
            env=_env(), capture_output=True, text=True,
        )  # fmt: skip
        engine = store.open_store(url)
        runs = {r.run_id: r for r in store.list_runs(engine)}
        root = staged.staging_root(data, store.meta(engine, "store_id") or "")
        engine.dispose()
        leftovers = [r for _, r, _ in staged.staged_files(root) if r not in {
            i for i, r_ in runs.items() if r_.status == "succeeded"}]  # fmt: skip
        new_run = runs[max(runs)] if len(runs) == 2 else None  # None: killed before it started
        sound = check.returncode == 0 and not leftovers
        if new_run is not None and new_run.status == "succeeded" and sound:
            outcome = "finished"
        elif (new_run is None or new_run.status == "failed") and sound and _same(expected, _snapshot(url)):
            outcome = "killed"
        else:
            outcome = "broken"
        results[outcome] += 1
        trials.append({"delay_s": round(delay, 2), "exit": code, "outcome": outcome,
                       "run_status": new_run.status if new_run else "not started", "check_exit": check.returncode})  # fmt: skip
        print(f"trial {trial}: killed after {delay:5.2f} s -> {outcome}", trials[-1]["run_status"])
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(results))
    out = REPO / "bench" / "results" / "kill.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"input": args.input.name, "whole_ingest_s": round(whole, 1),
                               "startup_s": round(startup, 1),
                               "results": results, "trials": trials}, indent=2) + "\n")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
