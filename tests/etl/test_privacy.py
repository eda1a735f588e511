"""No personal data leaves the input: not in messages, logs, the store or the staged records.

Messy inputs (a file without a header, bad IDs and dates, values in the wrong column, extra
columns with names and phone numbers, a wrong encoding, a database column the driver cannot
convert, a Parquet column of undecodable bytes) are loaded through the ``yipanqi`` commands as a
user would; every raw ID, birth date, name and phone number written into them is then looked for
in what the commands printed, the log records, every table of the store and the staged records.
"""

from __future__ import annotations

import logging
import sqlite3
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from rich.console import Console
from typer.testing import CliRunner

from etl.redact import column_label, failure_message, library_reason
from etl.staged import STAGED_SCHEMA, staged_files
from tests.etl.helpers import CHINESE, FIELDS, P, Z, national_id, record, write_csv
from yipanqi import etl_cli
from yipanqi.cli import app

KEY = "test-key-0123456789abcdef"
NAMES = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄丽",
    "周杰",
    "吴霞",
    "徐强",
    "孙燕",
    "马超",
]


def _rows() -> list[dict[str, str]]:
    """One valid row and one row per fault, each a different person born on a different day."""

    def person(i: int, **changes: str) -> dict[str, str]:
        row = record(
            2, f"19{60 + i}-0{1 + i % 9}-1{i % 10}", 20, Z, P, "111111111", sequence=20 + 2 * i
        )
        row.update(changes)
        return row

    rows = [person(0)]
    wrong = rows[0]["person_id"][:17] + ("1" if rows[0]["person_id"][17] == "0" else "0")
    rows.append(person(1, person_id=wrong[:6] + "1961" + wrong[10:]))  # check digit wrong
    p2 = person(2)
    rows.append(dict(p2, person_id=p2["person_id"][:6] + p2["person_id"][8:17]))  # 15 digits
    p3 = person(3)
    rows.append(dict(p3, person_id=p3["person_id"][:14] + "AB12"))  # letters
    rows.append(person(4, birth_date="1964-02-30"))  # impossible date
    p5 = person(5)
    rows.append(dict(p5, birth_date=p5["birth_date"].replace("-", "")))  # YYYYMMDD
    p6 = person(6)
    rows.append(dict(p6, birth_date=p6["birth_date"].replace("-", "/")))  # YYYY/MM/DD
    p7 = person(7)
    rows.append(dict(p7, person_id=p7["birth_date"], birth_date=p7["person_id"]))  # swapped
    p8 = person(8)
    rows.append(dict(p8, hukou_code=p8["birth_date"][2:].replace("-", "")))  # YYMMDD as a code
    rows.append(person(9, sex=NAMES[9]))  # a name in the sex column
    p10 = person(10)
    rows.append(dict(p10, residence_code=p10["person_id"]))  # an ID as a code
    p11 = person(11)
    rows.append(dict(p11, arrival_date=p11["birth_date"].replace("-", "")))
    rows.append(dict(rows[0]))  # a duplicate person-period
    return rows


ROWS = _rows()
PHONES = [f"1391234{5000 + i:04d}" for i in range(len(ROWS))]
SECRETS = sorted(
    {r["person_id"] for r in ROWS}
    | {r["person_id"].upper() for r in ROWS}
    | {r["birth_date"] for r in ROWS}
    | {r["birth_date"].replace("-", "") for r in ROWS}
    | {r["person_id"][6:14] for r in ROWS if len(r["person_id"]) == 18}
    | set(NAMES)
    | set(PHONES)
)


def _inputs(tmp_path: Path) -> list[list[str]]:
    """The command-line arguments of each messy input."""
    headerless = tmp_path / "headerless.csv"
    headerless.write_text(
        "\n".join(",".join(r[f] for f in FIELDS) for r in ROWS[:3]) + "\n", encoding="utf-8"
    )
    messy = write_csv(
        tmp_path / "messy.csv",
        ROWS,
        chinese=True,
        encoding="gb18030",
        extra={
            "姓名": NAMES[: len(ROWS)],
            "联系电话": PHONES,
            ROWS[0]["person_id"]: ["x"] * len(ROWS),
        },
    )
    broken = write_csv(
        tmp_path / "broken.csv", ROWS[:3], encoding="gb18030", extra={"姓名": NAMES[:3]}
    )
    broken.write_bytes(
        broken.read_bytes().replace(
            NAMES[1].encode("gb18030"), NAMES[1].encode("gb18030") + b"\xff"
        )
    )

    database = tmp_path / "source.sqlite"
    with sqlite3.connect(database) as con:  # a DATE column the driver cannot convert
        columns = ", ".join(f'"{f}" {"DATE" if f == "birth_date" else "TEXT"}' for f in FIELDS)
        con.execute(f"CREATE TABLE padis ({columns})")
        for i, row in enumerate(ROWS[:2]):
            values = dict(row, birth_date=row["birth_date"] + (" 12:00" if i else ""))
            con.execute(
                f"INSERT INTO padis VALUES ({', '.join('?' * len(FIELDS))})",
                [values[f] for f in FIELDS],
            )

    parquet = tmp_path / "bytes.parquet"
    table = pa.table({f: [r[f] for r in ROWS[:2]] for f in FIELDS})
    sex = pa.array([NAMES[0].encode("gbk"), b"2"], pa.binary())  # not UTF-8: cannot be read as text
    pq.write_table(table.set_column(FIELDS.index("sex"), "sex", sex), parquet)
    return [
        [str(headerless)],
        [str(messy)],
        [str(broken)],
        [f"sqlite:///{database}", "--table", "padis"],
        [str(parquet)],
    ]


def _store_dump(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            return "\n".join(
                str(row) for t in tables for row in conn.execute(sa.text(f'SELECT * FROM "{t}"'))
            )
    finally:
        engine.dispose()


def test_no_personal_data_in_messages_logs_store_or_staged_records(tmp_path, monkeypatch, caplog):
    data = tmp_path / "data"
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(data))
    monkeypatch.setenv("YIPANQI_STORE_URL", url)
    monkeypatch.setenv("YIPANQI_HASH_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(etl_cli, "console", Console(width=250))
    monkeypatch.setattr(etl_cli, "err", Console(width=250, stderr=True))
    runner = CliRunner()

    results = {
        Path(args[0]).name.split("#")[0]: runner.invoke(app, ["ingest", *args])
        for args in _inputs(tmp_path)
    }
    printed = "\n".join(r.stdout + r.stderr for r in results.values())
    runs_listing = runner.invoke(app, ["runs", "--inputs"])
    printed += runs_listing.stdout + runs_listing.stderr

    # the faults were met: one input loaded (with its quarantine), four refused with one line each
    assert [r.exit_code for r in results.values()] == [2, 0, 2, 2, 2], printed
    for name, result in results.items():
        assert result.exception is None or isinstance(result.exception, SystemExit), name
        assert "Traceback" not in result.stderr
        if result.exit_code:
            assert (
                len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1
            )
    assert "is the header line missing?" in results["headerless.csv"].stderr
    assert "column 20 (its name looks like a value)" in results["messy.csv"].stdout
    assert "not gb18030 text" in results["broken.csv"].stderr
    assert (
        "cannot read the table: ValueError: Invalid isoformat string"
        in results["source.sqlite"].stderr
    )
    assert "column sex (sex): cannot be read" in results["bytes.parquet"].stderr
    assert "in 13 = loaded 1 + quarantined 12" in results["messy.csv"].stdout

    dump = _store_dump(url)
    assert dump.count("failed") >= 4 and "person_id: check digit wrong" in dump  # runs, quarantine
    files = [path for _, _, path in staged_files(next((data / "staged").iterdir()))]
    assert files
    staged = ""
    for path in files:
        table = pq.read_table(path)
        assert table.schema.names == STAGED_SCHEMA.names
        staged += str(table.drop_columns(["person_hash"]).to_pydict())

    for where, text in (
        ("printed", printed),
        ("logs", caplog.text),
        ("store", dump),
        ("staged", staged),
    ):
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, f"{where} holds {len(leaked)} raw values"


def test_library_reasons_keep_the_kind_only():
    pid = national_id("110105", "1949-12-31", 2)
    texts = [
        ValueError(f"Invalid isoformat string: '{pid}'"),
        ValueError(f"{pid} is not a date"),
        ValueError("bad name 张伟 here"),
        KeyError("张伟"),
        pa.ArrowInvalid("Casting from date64 to timestamp[s] would lose data: 1980-05-10 12:00:00"),
        ValueError("1949-12-31"),
    ]
    for exc in texts:
        reason = library_reason(exc)
        assert reason.startswith(type(exc).__name__)
        for secret in (pid, "1949-12-31", "19491231", "张伟"):
            assert secret not in reason
    assert library_reason(ValueError("Invalid isoformat string: '1980-05-10'")) == (
        "ValueError: Invalid isoformat string"
    )
    with pytest.raises(UnicodeDecodeError) as decoding:
        (NAMES[0].encode("gb18030") + b"\xff" + pid.encode()).decode("gb18030")
    assert library_reason(decoding.value) == (
        f"UnicodeDecodeError: not gb18030 text ({decoding.value.reason})"
    )
    with pytest.raises(ValueError) as parsing:
        int(pid + "x")
    message = failure_message(parsing.value)
    assert pid not in message and "test_privacy.py:" in message


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("备注", "备注"),
        ("联系电话", "联系电话"),
        ("remark 2", "remark 2"),
        ("110105194912310021", "column 3 (its name looks like a value)"),
        ("1949-12-31", "column 3 (its name looks like a value)"),
    ],
)
def test_extra_column_names_that_look_like_values_are_withheld(name, shown):
    assert column_label(name, 3) == shown


def test_staging_area_is_private(tmp_path, sqlite_url):
    from etl.pipeline import ingest

    ingest([write_csv(tmp_path / "r.csv", ROWS[:1])], sqlite_url, tmp_path / "data", KEY)
    area = tmp_path / "data" / "staged"
    for path in [area, *area.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_header_of_chinese_columns_still_names_missing_fields(tmp_path, sqlite_url):
    from etl.errors import InputFormatError
    from etl.pipeline import ingest

    path = tmp_path / "short.csv"
    path.write_text(
        ",".join(CHINESE[f] for f in FIELDS[:3])
        + "\n"
        + ",".join(ROWS[0][f] for f in FIELDS[:3])
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(
        InputFormatError, match="the first line has 3 columns, 3 of them field names"
    ) as info:
        ingest([path], sqlite_url, tmp_path / "data", KEY)
    assert ROWS[0]["person_id"] not in str(info.value)
