"""A corpus of hostile inputs for the whole command line: ``CASES``, their files written by
``write_corpus``.

Each ``Case`` is a ``yipanqi`` command line over files made here (no ETL code makes them) and what
a user must see: the exit status, a fragment of the one-line answer on stderr (naming the file,
row, column or setting), and for an input that is loaded the counts in, loaded and quarantined,
worked out here from how each file was made. ``tests/yipanqi/test_hostile.py`` runs them;
``python -m tests.yipanqi.hostile DIR`` writes the files to look at, and
``python -m tests.yipanqi.hostile DIR --run CHECKOUT`` runs the cases as processes of the code in
CHECKOUT (the figures of the README's "Reliability" section).

Arguments may hold ``{dir}`` (the corpus folder) and ``{store}`` (the URL of a store holding
``good.csv``, for the commands that read one).
"""

from __future__ import annotations

import codecs
import csv
import io
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.etl.feeds.helpers import BAD as FEEDS_BAD
from tests.etl.feeds.helpers import CHINESE as FEED_CHINESE
from tests.etl.feeds.helpers import FIELDS as FEED_FIELDS
from tests.etl.feeds.helpers import GOOD as FEEDS_GOOD
from tests.etl.helpers import FIELDS, MESSY, MESSY_LOADED, TINY, write_csv

FORMULA_NAME = "=cmd|' -C calc'!A0.csv"
"""A file name that a spreadsheet would run as a formula (OWASP CSV injection)."""

BLOCK = 16 << 20
"""The CSV reader's block (``etl.sources.csv_batches``): a longer line stops it."""
ANY_FAILURE = -1
Content = bytes | str | Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    status: int  # the exit status; ANY_FAILURE: any but 0 (a store fault another part answers)
    says: str = ""  # a fragment of the one line on stderr (status != 0)
    counts: tuple[int, int, int] | None = None  # in, loaded, quarantined (status 0, an ingest)
    env: dict[str, str] = field(default_factory=dict)


def _text(rows: list[dict[str, str]], header: list[str] | None = None, newline: str = "\r\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header or FIELDS)
    for row in rows:
        writer.writerow([row[f] for f in FIELDS])
    return out.getvalue()


def _lines(rows: list[dict[str, str]]) -> list[bytes]:
    return _text(rows, newline="\n").encode().splitlines(keepends=True)


def write_corpus(folder: Path) -> None:
    """Write the files of ``CASES`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if callable(data):
            data(folder / name)
        else:
            (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)


def _corpus() -> tuple[list[Case], dict[str, Content]]:
    """The cases, and the content of each file (bytes, text, or a function writing the file)."""
    files: dict[str, Content] = {}
    cases: list[Case] = []
    tiny = _text(TINY)
    header = _lines([])[0]
    rows = _lines(TINY)[1:]
    folder = Path("{dir}")

    def put(name: str, data: Content) -> str:
        files[name] = data
        return f"{{dir}}/{name}"

    def loaded(name: str, data: bytes | str, counts: tuple[int, int, int], *extra: str) -> None:
        cases.append(Case(name, ("ingest", put(name, data), "--demo", *extra), 0, counts=counts))

    def refused(name: str, data: bytes | str, says: str, status: int = 2) -> None:
        cases.append(Case(name, ("ingest", put(name, data), "--demo"), status, says))

    # --- files that load: every row counted, loaded or quarantined ---------------------------
    loaded("good.csv", tiny, (12, 12, 0))
    loaded("messy.csv", _text(TINY + MESSY), (32, 12 + MESSY_LOADED, 16))
    loaded("header-only.csv", header, (0, 0, 0))
    loaded("header-only-no-newline.csv", header.rstrip(b"\n"), (0, 0, 0))
    loaded("no-final-newline.csv", tiny.rstrip("\r\n"), (12, 12, 0))
    loaded("lf.csv", _text(TINY, newline="\n"), (12, 12, 0))
    loaded("cr-only.csv", _text(TINY, newline="\r"), (12, 12, 0))
    loaded("utf8-bom.csv", codecs.BOM_UTF8 + tiny.encode(), (12, 12, 0))
    loaded("utf16-bom.csv", tiny.encode("utf-16"), (12, 12, 0))
    chinese = [dict(r, sex="男" if r["sex"] == "1" else "女") for r in TINY]
    loaded("gb18030-chinese.csv", lambda p: write_csv(p, chinese, chinese=True, encoding="gb18030") and None, (12, 12, 0))
    loaded("blank-lines.csv", header + b"\n" + b"\n\n".join(r.rstrip(b"\n") for r in rows) + b"\n\n", (12, 12, 0))
    loaded("nul-after-header.csv", header + b"\0" * (1 << 20), (1, 0, 1))  # one row of 1 field
    nul_rows = [r.replace(b",2,", b",\x00\x00,", 1) if i in (1, 4, 7) else r for i, r in enumerate(rows)]
    loaded("nul-in-rows.csv", header + b"".join(nul_rows), (12, 9, 3))
    rng = random.Random(15)
    alphabet = "abcXYZ019,;:.-_ \t=+@'#%&*()[]{}|<>?!"  # no quote, no line break
    garbage = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))) for _ in range(40)]
    garbage = [g for g in garbage if g.strip()]
    loaded("garbage-lines.csv", header + "\n".join(garbage).encode() + b"\n", (len(garbage), 0, len(garbage)))
    huge = dict(TINY[0], person_id="1" * (1 << 20))
    loaded("one-mb-field.csv", _text(TINY[1:] + [huge]), (12, 11, 1))
    loaded(
        "wrong-field-counts.csv",
        header + b"".join(rows[:6]) + b"a,b,c\n" + rows[6].rstrip(b"\n") + b",x,y,z\n" + b"".join(rows[7:]),
        (13, 11, 2),
    )
    loaded("unterminated-quote.csv", tiny + '"unterminated,1,2\r\n', (13, 12, 1))
    loaded("duplicates.csv", _text(TINY + TINY), (24, 12, 12))
    periods = ["2031-06", "2099-01", "2008-12"]
    loaded("future-periods.csv", _text([dict(r, period=periods[i]) if i < 3 else r for i, r in enumerate(TINY)]), (12, 9, 3))
    extra = {"备注": ["x"] * 12, "410102198005100125": ["y"] * 12}
    loaded("extra-columns.csv", lambda p: write_csv(p, TINY, extra=extra) and None, (12, 12, 0))
    loaded(FORMULA_NAME, tiny + _text(MESSY[1:3]).split("\r\n", 1)[1], (14, 12, 2))
    loaded("[/bold]markup[red].csv", tiny, (12, 12, 0))  # in a folder named "[": rich markup
    loaded("name\nwith a line break.csv", tiny, (12, 12, 0))
    table = pa.table({f: [r[f] for r in TINY] for f in FIELDS})
    loaded("good.parquet", lambda p: pq.write_table(table, p), (12, 12, 0))
    typed = table.set_column(FIELDS.index("sex"), "sex", pa.array([int(r["sex"]) for r in TINY]))
    loaded("typed.parquet", lambda p: pq.write_table(typed, p), (12, 12, 0))

    # --- files refused whole: one line naming the file and where ------------------------------
    refused("empty.csv", b"", "empty file or empty first line")
    # a line over two block boundaries stops the reader; one over a single boundary is a row
    refused(
        "nul-after-rows.csv",
        lambda p: p.write_bytes(header + b"".join(rows[:3]) + b"\0" * (2 * BLOCK + 4096)),
        "row 4 is longer than 16 MB",
    )
    bad_gb = header + b"".join(rows[:3]) + rows[3].replace(b",2,", ",女".encode("gb18030") + b"\xff,", 1) + b"".join(rows[4:])
    refused("gb18030-bad-row.csv", bad_gb, "row 4 (line 5), column sex: not gb18030 text")
    def mixed(gb: int, utf8: int, word: str) -> bytes:
        """Rows 1-2, then row ``gb`` with its sex as ``word`` in GB18030, then row ``utf8`` in UTF-8."""
        line = {i: _text(TINY[i : i + 1]).split("\r\n", 1)[1] for i in (gb, utf8)}
        code = "1" if word == "男" else "2"
        return (
            _text(TINY[:2]).encode()
            + line[gb].replace(f",{code},", f",{word},", 1).encode("gb18030")
            + line[utf8].replace(",2,", ",女,", 1).encode("utf-8")
        )

    # 男 in GB18030 is not UTF-8: the file is read as GB18030, and the UTF-8 row is not GB18030
    refused("mixed-encodings.csv", mixed(2, 3, "男"), "row 4 (line 5), column sex: not gb18030 text")
    # 女 in GB18030 (C5 AE) happens to be UTF-8 (Ů): read as UTF-8, that row's sex is wrong
    loaded("mixed-encodings-valid-utf8.csv", mixed(3, 4, "女"), (4, 3, 1))
    refused("utf32-le.csv", tiny.encode("utf-32"), "UTF-32 text is not supported")
    refused("utf32-be.csv", codecs.BOM_UTF32_BE + tiny.encode("utf-32-be"), "UTF-32 text is not supported")
    refused("utf16-le-no-bom.csv", tiny.encode("utf-16-le"), "UTF-16 or UTF-32 text without a byte-order mark")
    refused("utf16-be-no-bom.csv", tiny.encode("utf-16-be"), "UTF-16 or UTF-32 text without a byte-order mark")
    refused("random-bytes.csv", random.Random(7).randbytes(200_000), "random-bytes.csv: ")
    refused("no-header.csv", tiny.split("\r\n", 1)[1], "is the header line missing?")
    refused("missing-columns.csv", _text(TINY).replace("policy_aware", "awareness", 1), "missing columns: policy_aware")
    refused("twice.csv", _text(TINY).replace("policy_aware", "sex", 1), "fields given twice")
    refused("semicolons.csv", tiny.replace(",", ";"), "missing columns")
    refused("long-first-line.csv", b"x" * (2 << 20) + b"\n" + b"".join(rows), "the first line is longer than 1 MB")
    refused("only-newlines.csv", b"\n\n\n", "empty file or empty first line")
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    parquet = sink.getvalue().to_pybytes()
    refused("truncated.parquet", parquet[: len(parquet) // 2], "not a readable Parquet file")
    refused("text-named.parquet", tiny, "not a readable Parquet file")
    nested = table.set_column(FIELDS.index("sex"), "sex", pa.array([[1]] * len(TINY)))
    refused("nested.parquet", lambda p: pq.write_table(nested, p), "column sex (sex): cannot be read")
    cases.append(Case("not-found.csv", ("ingest", str(folder / "not-found.csv"), "--demo"), 2, "input not found"))
    refused("a-directory", lambda p: p.mkdir(exist_ok=True), "input not found")

    # --- departmental feeds (docs/feeds.md): the same answers from `ingest-feeds` -------------
    def feeds_text(rows: list[dict[str, str]], chinese: bool = False) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([FEED_CHINESE[f] if chinese else f for f in FEED_FIELDS])
        writer.writerows([[r[f] for f in FEED_FIELDS] for r in rows])
        return out.getvalue()

    def feeds_loaded(name: str, data: bytes | str, counts: tuple[int, int, int]) -> None:
        cases.append(Case(name, ("ingest-feeds", put(name, data)), 0, counts=counts))

    def feeds_refused(name: str, data: bytes | str, says: str) -> None:
        cases.append(Case(name, ("ingest-feeds", put(name, data)), 2, says))

    good_feeds = feeds_text(FEEDS_GOOD)
    feeds_loaded("feeds-good.csv", good_feeds, (6, 6, 0))
    feeds_loaded("feeds-messy.csv", feeds_text(FEEDS_GOOD[:1] + FEEDS_BAD), (13, 1, 12))
    feeds_loaded("feeds-gb18030.csv", feeds_text(FEEDS_GOOD, chinese=True).encode("gb18030"), (6, 6, 0))
    feeds_loaded("feeds-header-only.csv", good_feeds.split("\n", 1)[0] + "\n", (0, 0, 0))
    feeds_loaded("feeds-duplicates.csv", feeds_text(FEEDS_GOOD + FEEDS_GOOD), (12, 6, 6))
    lines = good_feeds.splitlines(keepends=True)
    feeds_loaded("feeds-wrong-field-counts.csv", "".join(lines[:3]) + "a,b,c\n" + "".join(lines[3:]), (7, 6, 1))
    feeds_loaded("feeds-garbage-lines.csv", lines[0] + "\n".join(garbage) + "\n", (len(garbage), 0, len(garbage)))
    feeds_loaded("=HYPERLINK(0)feeds.csv", feeds_text(FEEDS_GOOD[:1] + FEEDS_BAD[:2]), (3, 1, 2))
    feeds_refused("feeds-empty.csv", b"", "empty file or empty first line")
    feeds_refused("feeds-records-file.csv", tiny, "missing columns: department")
    feeds_refused("feeds-utf32.csv", good_feeds.encode("utf-32"), "UTF-32 text is not supported")
    feeds_refused("feeds-random-bytes.csv", random.Random(8).randbytes(50_000), "feeds-random-bytes.csv: ")
    cases.append(Case("feeds-sql", ("ingest-feeds", "sqlite:///{dir}/x.sqlite"), 2, "feeds are read from CSV or Parquet files"))

    # --- settings, stores and command lines ---------------------------------------------------
    good = str(folder / "good.csv")
    put("foreign.sqlite", "this is not a database\n" * 100)
    cases += [
        Case("no-key", ("ingest", good), 2, "YIPANQI_HASH_KEY"),
        Case("short-key", ("ingest", good), 2, "YIPANQI_HASH_KEY", env={"YIPANQI_HASH_KEY": "short"}),
        Case("bad-setting", ("ingest", good, "--demo"), 2, "YIPANQI_PROXIES", env={"YIPANQI_PROXIES": "many"}),
        Case("bad-window", ("ingest", good, "--demo"), 2, "YIPANQI_LAST_PERIOD", env={"YIPANQI_LAST_PERIOD": "2031"}),
        Case("unknown-dialect", ("ingest", good, "--demo", "--store", "nosuchdb://x/y"), 2, "nosuchdb://x/y"),
        Case("postgres-down", ("ingest", good, "--demo", "--store", "postgresql+psycopg://u@127.0.0.1:9/x"), ANY_FAILURE, "127.0.0.1"),
        Case("foreign-store", ("ingest", good, "--demo", "--store", "sqlite:///{dir}/foreign.sqlite"), ANY_FAILURE, "foreign.sqlite"),
        Case("foreign-store-runs", ("runs", "--store", "sqlite:///{dir}/foreign.sqlite"), ANY_FAILURE, "foreign.sqlite"),
        Case("sql-without-table", ("ingest", "sqlite:///{dir}/x.sqlite", "--demo"), 2, "name the table with --table"),
        Case("sql-no-such-table", ("ingest", "sqlite:///{dir}/foreign.sqlite", "--table", "t", "--demo"), 2, "#t"),
        Case("export-into-a-file", ("export", "quarantine", "--store", "{store}", "--out", good + "/q.csv"), 1, "good.csv"),
        Case("markup-out", ("export", "quarantine", "--store", "{store}", "--out", "{dir}/[/bold]q.csv"), 0),
        Case("missing-argument", ("ingest",), 2, "Missing argument"),
        Case("missing-option", ("export", "flows"), 2, "Missing option '--out'"),
        Case("bad-option", ("ingest", good, "--workers", "many"), 2, "--workers"),
        Case("no-such-command", ("ingst", good), 2, "No such command"),
        Case("bad-since", ("audit", "--since", "last week", "--store", "{store}"), 2, "--since"),
    ]
    return cases, files


CASES, FILES = _corpus()


def run_processes(folder: Path, checkout: Path) -> dict[str, int]:
    """Run ``CASES`` as processes of the code in ``checkout`` (the way a user runs ``yipanqi``),
    over the files written into ``folder``; print one line per case and return the totals."""
    import json
    import os
    import re
    import subprocess
    import tempfile

    write_corpus(folder)
    work = Path(tempfile.mkdtemp(prefix="hostile-run-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIPANQI_")}
    env["PYTHONPATH"] = str(checkout)

    def run(args: list[str], extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "from yipanqi.cli import main; main()", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env | extra, cwd=work, timeout=600, check=False)

    store = f"sqlite:///{work / 'read' / 'store.sqlite'}"
    run(["ingest", f"{folder}/good.csv", "--demo", "--store", store], {"YIPANQI_DATA_DIR": str(work / "read")})
    totals = {"cases": 0, "as_expected": 0, "tracebacks": 0, "answers_over_one_line": 0}
    for i, case in enumerate(CASES):
        args = [a.replace("{dir}", str(folder)).replace("{store}", store) for a in case.args]
        done = run(args, {"YIPANQI_DATA_DIR": str(work / f"data-{i}"), **case.env})
        lines = done.stderr.splitlines()
        if case.status == 0:
            found = re.search(r"in ([\d,]+) = loaded ([\d,]+) \+ quarantined ([\d,]+)", " ".join(done.stdout.split()))
            counts = tuple(int(g.replace(",", "")) for g in found.groups()) if found else None
            good = done.returncode == 0 and not lines and counts == case.counts
        else:
            status = done.returncode != 0 if case.status == ANY_FAILURE else done.returncode == case.status
            good = status and len(lines) == 1 and case.says in lines[0] and "Traceback" not in done.stderr
            totals["answers_over_one_line"] += len(lines) > 1
        totals["cases"] += 1
        totals["as_expected"] += good
        totals["tracebacks"] += "Traceback" in done.stderr
        print("ok " if good else "BAD", repr(case.name), done.returncode, (lines[-1] if lines else "")[:150])
    print(json.dumps(totals))
    return totals


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    if len(sys.argv) > 3 and sys.argv[2] == "--run":  # DIR --run CHECKOUT: run them as processes
        run_processes(target.resolve(), Path(sys.argv[3]).resolve())
    else:
        write_corpus(target)
        for case in CASES:
            print(case.status, case.name, " ".join(case.args).replace("{dir}", str(target)))
