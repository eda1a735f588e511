"""Every fault of a store gets one line with what to do, and exit status 2: a URL that points
nowhere (nothing is created), an empty, foreign, truncated or damaged file; ``store check``,
``store backup`` and ``store restore`` are the way back."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import store
from etl.pipeline import ingest
from tests.etl.helpers import TINY, random_records, write_csv
from yipanqi.cli import app

KEY = "test-key-0123456789abcdef"
READERS = (
    ["runs"],
    ["export", "quarantine", "--out", "{tmp}/q.csv"],
    ["export", "flows", "--out", "{tmp}/f.csv"],
    ["export", "coverage", "--out", "{tmp}/c.csv"],
    ["store", "check", "--data-dir", "{tmp}/data"],
)


def _run(args: list[str], url: str, tmp: Path):
    result = CliRunner().invoke(app, [a.format(tmp=tmp) for a in args] + ["--store", url])
    return result, [line for line in result.output.splitlines() if line.strip()]


def _one_line_error(result, lines: list[str], *words: str) -> str:
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, Path]:
    """A SQLite store with two months of records (and its data directory)."""
    root = tmp_path_factory.mktemp("good")
    rows = TINY + random_records(2000, ["310115", "310104", "320211", "440106"], ["2010-01", "2010-02"])
    ingest([write_csv(root / "in.csv", rows)], f"sqlite:///{root / 's.sqlite'}", root / "data", KEY, workers=0)
    return root / "s.sqlite", root / "data"


def _copy(good: tuple[Path, Path], tmp_path: Path) -> tuple[str, Path]:
    shutil.copy(good[0], tmp_path / "s.sqlite")
    shutil.copytree(good[1], tmp_path / "data")
    return f"sqlite:///{tmp_path / 's.sqlite'}", tmp_path / "s.sqlite"


@pytest.mark.parametrize("args", READERS + (["aggregate", "--data-dir", "{tmp}/data"],))
def test_a_url_that_points_nowhere_creates_nothing(args, tmp_path):
    url = f"sqlite:///{tmp_path / 'nonexistdir' / 'typo.sqlite'}"
    result, lines = _run(args, url, tmp_path)
    _one_line_error(result, lines, "no store at", "a read never creates a store")
    assert not (tmp_path / "nonexistdir").exists()


@pytest.mark.parametrize("args", [*READERS, ["ingest", "{tmp}/in.csv", "--data-dir", "{tmp}/data"]])
def test_an_empty_file_is_never_initialised(args, tmp_path):
    write_csv(tmp_path / "in.csv", TINY)
    (tmp_path / "s.sqlite").write_bytes(b"")
    os.environ["YIPANQI_HASH_KEY"] = KEY
    try:
        result, lines = _run(args, f"sqlite:///{tmp_path / 's.sqlite'}", tmp_path)
    finally:
        del os.environ["YIPANQI_HASH_KEY"]
    _one_line_error(result, lines, "is an empty file (0 bytes)", "yipanqi store restore")
    assert (tmp_path / "s.sqlite").stat().st_size == 0


def test_foreign_and_truncated_files(good, tmp_path):
    url, path = _copy(good, tmp_path)
    path.write_bytes(b"period,hukou_code\n" * 500)  # a CSV given as the store
    for args in READERS:
        _one_line_error(*_run(list(args), url, tmp_path), "is not a SQLite database")
    (tmp_path / "t").mkdir()
    url, path = _copy(good, tmp_path / "t")
    size = path.stat().st_size
    for cut in (size // 2, size // 2 + 123):  # on a page boundary, or not
        shutil.copy(good[0], path)
        os.truncate(path, cut)
        for args in READERS:
            _one_line_error(*_run(list(args), url, tmp_path / "t"), "is truncated", "yipanqi store restore")


def _damage(path: Path) -> None:
    """Random bytes over two pages in the middle of the file (the header left intact)."""
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2 // 4096 * 4096)
        handle.write(os.urandom(8192))


def test_random_bytes_inside_are_found_and_a_backup_is_the_way_back(good, tmp_path):
    url, path = _copy(good, tmp_path)
    lost = CliRunner().invoke(app, ["store", "backup", str(tmp_path / "no" / "b.sqlite"), "--store", url])
    assert lost.exit_code == 2 and "no folder" in lost.output  # a backup never makes folders
    (tmp_path / "backups").mkdir()
    backup = CliRunner().invoke(app, ["store", "backup", str(tmp_path / "backups"), "--store", url])
    assert backup.exit_code == 0, backup.output
    made = next((tmp_path / "backups").iterdir())
    assert f"yipanqi store restore {made}" in " ".join(backup.output.split())
    assert oct(made.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(made) as copy:  # one self-contained file, every page sound
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    _damage(path)
    checked = _run(["store", "check", "--data-dir", "{tmp}/data"], url, tmp_path)
    _one_line_error(*checked, "is damaged (", "yipanqi store restore")
    write_csv(tmp_path / "more.csv", random_records(50, ["310115", "440106"], ["2010-03"], seed=2))
    os.environ["YIPANQI_HASH_KEY"] = KEY
    try:
        refused = _run(["ingest", "{tmp}/more.csv", "--data-dir", "{tmp}/data"], url, tmp_path)
    finally:
        del os.environ["YIPANQI_HASH_KEY"]
    _one_line_error(*refused, "is damaged")  # nothing is loaded into a damaged store
    again = CliRunner().invoke(app, ["store", "backup", str(tmp_path / "b2.sqlite"), "--store", url])
    assert again.exit_code == 2 and "is damaged" in again.output  # never a damaged backup
    assert not (tmp_path / "b2.sqlite").exists()

    restored = CliRunner().invoke(app, ["store", "restore", str(made), "--store", url, "--yes"])
    assert restored.exit_code == 0, restored.output
    assert [p.name for p in tmp_path.glob("s.sqlite.damaged-*")]  # the damaged file is kept aside
    sound = _run(["store", "check", "--data-dir", "{tmp}/data"], url, tmp_path)[0]
    assert sound.exit_code == 0 and "the store is sound" in sound.output
    engine = store.open_store(url)
    assert [r.status for r in store.list_runs(engine)] == ["succeeded"]
    engine.dispose()


def test_a_reader_of_a_damaged_table_says_so(good, tmp_path):
    """The exports check the pages of what they read (random bytes over the flows table's root
    page), and a command that reads only sound tables still answers."""
    url, path = _copy(good, tmp_path)
    with sqlite3.connect(path) as con:
        pages = dict(con.execute("SELECT name, rootpage FROM sqlite_master WHERE type='table'").fetchall())
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as handle:  # the root page of the flows table
        handle.seek((pages["flows"] - 1) * page_size)
        handle.write(os.urandom(page_size))
    _one_line_error(*_run(["export", "flows", "--out", "{tmp}/f.csv"], url, tmp_path), "is damaged")
    assert not (tmp_path / "f.csv").exists()
    result, _ = _run(["runs"], url, tmp_path)  # the lineage is whole: it is shown
    assert result.exit_code == 0
