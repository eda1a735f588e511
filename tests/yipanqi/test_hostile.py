"""Every fault a one-line answer: the whole command line over the hostile corpus
(``tests/yipanqi/hostile.py``) and over faults of the machine (a full disk, an interrupt, a bug).

For each case: the exit status; on failure, stderr is exactly one line, ``error: ...`` naming the
file, row or setting, never a traceback; on success, nothing on stderr and counts in = loaded +
quarantined as the file was made; and no ID of the files in any output.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from etl import staged
from tests.etl.helpers import MESSY, TINY, write_csv
from tests.yipanqi.hostile import ANY_FAILURE, CASES, write_corpus
from yipanqi import cli

ROOT = Path(__file__).resolve().parents[2]
_COUNTS = re.compile(r"counts: in ([\d,]+) = loaded ([\d,]+) \+ quarantined ([\d,]+)")
_IDS = {r["person_id"] for r in TINY + MESSY if len(r["person_id"]) >= 15}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    write_corpus(folder)
    return folder


@pytest.fixture(scope="module")
def read_store(corpus, tmp_path_factory) -> str:
    """A store holding ``good.csv``, for the commands that read one."""
    data = tmp_path_factory.mktemp("read-store")
    url = f"sqlite:///{data / 'store.sqlite'}"
    result = CliRunner().invoke(
        cli.app, ["ingest", str(corpus / "good.csv"), "--demo", "--store", url, "--data-dir", str(data)]
    )
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def clean_env(tmp_path, monkeypatch) -> Path:
    for name in [n for n in os.environ if n.startswith("YIPANQI_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def one_line_answer(result, status: int) -> str:
    """The single stderr line of a failed command (checked: one line, ``error:``, no traceback)."""
    assert result.exit_code != 0 if status == ANY_FAILURE else result.exit_code == status, (
        result.exit_code,
        result.stderr,
        result.stdout[-2000:],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_case_gets_its_answer(case, corpus, read_store, clean_env, monkeypatch):
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    args = [a.replace("{dir}", str(corpus)).replace("{store}", read_store) for a in case.args]
    result = CliRunner().invoke(cli.app, args)
    printed = result.stdout + result.stderr
    assert not any(i in printed for i in _IDS), "an ID was printed"
    if case.status == 0:
        assert result.exit_code == 0, (result.stderr, result.stdout[-2000:])
        assert result.stderr == ""
        if case.counts is None:  # not an ingest
            return
        found = _COUNTS.search(result.stdout)
        assert found, result.stdout
        n_in, n_loaded, n_quarantined = (int(g.replace(",", "")) for g in found.groups())
        assert n_in == n_loaded + n_quarantined
        assert (n_in, n_loaded, n_quarantined) == case.counts
        return
    line = one_line_answer(result, case.status)
    assert case.says in line, line


def test_a_full_disk_is_one_line_naming_the_data_directory_and_store(clean_env, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(staged.RunWriter, "write", full)
    store = f"sqlite:///{clean_env / 's.sqlite'}"
    path = write_csv(clean_env / "r.csv", TINY)
    result = CliRunner().invoke(cli.app, ["ingest", str(path), "--demo", "--store", store])
    line = one_line_answer(result, 1)
    assert "the disk is full" in line and str(clean_env / "data") in line and "s.sqlite" in line
    assert "run the command again" in line


def test_a_library_fault_is_named_by_kind_and_place_and_debug_shows_the_traceback(clean_env, monkeypatch):
    def broken(*args, **kwargs):
        raise pa.ArrowInvalid("Couldn't parse value: '410102198005100125'")

    monkeypatch.setattr("etl.pipeline.aggregate_chunks", broken)
    path = str(write_csv(clean_env / "r.csv", TINY))
    line = one_line_answer(CliRunner().invoke(cli.app, ["ingest", path, "--demo"]), 1)
    assert line.startswith("error: unexpected ArrowInvalid: Couldn't parse value (at test_hostile.py:")
    assert "--debug" in line and "410102" not in line

    debug = CliRunner().invoke(cli.app, ["--debug", "ingest", path, "--demo"])
    assert debug.exit_code == 1
    assert debug.stderr.startswith("Traceback") and debug.stderr.splitlines()[-1] == line


def test_an_interrupt_stops_with_status_130(clean_env, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("etl.reading.stage_batch", interrupted)
    path = str(write_csv(clean_env / "r.csv", TINY))
    assert "interrupted" in one_line_answer(CliRunner().invoke(cli.app, ["ingest", path, "--demo"]), 130)


def test_answers_are_one_line_whatever_the_message():
    assert cli.one_line("a:\n  b\n  c\n") == "a: b; c"
    assert cli.one_line("name\nwith\x1b[31m escapes") == "name; with?[31m escapes"
    status, line = cli.answer(OSError(errno.EACCES, "Permission denied", "/x/y.csv"), {})
    assert status == 1 and line.startswith("/x/y.csv: permission denied")


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yipanqi", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_the_installed_command_answers_in_one_line(corpus, tmp_path):
    """``python -m yipanqi`` as a user runs it: real stderr (no terminal: no progress bars)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIPANQI_")}
    env |= {"YIPANQI_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), "COLUMNS": "60"}
    good = _run("ingest", str(corpus / "good.csv"), "--demo", env=env)
    assert good.returncode == 0 and good.stderr == "", good.stderr
    assert "in 12 = loaded 12 + quarantined 0" in " ".join(good.stdout.split())

    for name, says in (
        ("nul-after-rows.csv", "row 4 is longer than 16 MB"),
        ("gb18030-bad-row.csv", "row 4 (line 5), column sex: not gb18030 text"),
        ("utf32-le.csv", "UTF-32 text is not supported: re-save the file as UTF-8 or GB18030"),
    ):
        refused = _run("ingest", str(corpus / name), "--demo", env=env)
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1 and says in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr

    debug = _run("ingest", str(corpus / "utf32-le.csv"), "--demo", env=env | {"YIPANQI_DEBUG": "1"})
    assert debug.returncode == 2 and "Traceback" in debug.stderr
    assert debug.stderr.splitlines()[-1] == refused.stderr.strip()
