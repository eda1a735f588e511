"""Raw inputs: record files and tables read as they are, in batches, never edited.

An input is a CSV file (UTF-8 or GB18030, detected), a Parquet file, or a table in a SQL database
named by a SQLAlchemy URL. Its header may use the canonical field names or the Chinese headers of
``etl.records``; columns of neither kind are *extra*: they are not read and are reported.

Nothing here renames or casts values: a batch keeps the input's own column names and types
(CSV columns are all text). ``etl.stage`` is the only renamer and caster.

A *row number* is the 1-based position of a record in its input, the header excluded. In a CSV
file every record counts, well-formed or not, and blank lines do not: a record whose quoted value
holds line breaks is one row, so for a file without blank lines or line breaks inside values, row
number n is line n + 1; otherwise it is the n-th record, not a line number.

A CSV line that does not have the header's number of fields is skipped by the reader and noted in
``MalformedLines`` with its row number: pyarrow's ``InvalidRow.number`` (1-based, the header being
row 1, counted in records exactly as above) minus 1. pyarrow knows it only when it parses the file
serially, so ``csv_batches`` reads with ``use_threads=False`` (the staging threads run in parallel
anyway). Should pyarrow not give a number, the line is reported with row number 0 and the row numbers
after it count the other rows only. The batches themselves are numbered among well-formed rows;
``MalformedLines.renumber`` turns those numbers into row numbers.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from etl.errors import InputFormatError
from etl.records import CHINESE_HEADERS, FIELD_NAMES
from etl.redact import column_label, library_reason

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
_URL = re.compile(r"^[a-z][a-z0-9+]*://", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """One input: a file or a SQL table."""

    label: str  # what reports and the quarantine call it (a URL without its password)
    kind: str  # "csv", "parquet" or "sql"
    path: Path | None = None
    url: str | None = None
    table: str | None = None


@dataclass
class MalformedLines:
    """CSV lines the reader could not split into the header's fields (their text is not kept).

    ``expected``: the header's number of fields; ``found``: per line, in file order, its row number
    (0: unknown) and its number of fields.
    """

    expected: int = 0
    found: list[tuple[int, int]] = field(default_factory=list)

    def renumber(self, rows: np.ndarray) -> np.ndarray:
        """Row numbers counted among well-formed rows only (as the batches are) -> row numbers.

        A well-formed row comes after each malformed line of known row number m_j (j = 1, 2 ...
        in file order) if more than m_j - j well-formed rows come before it.
        """
        known = np.sort(np.array([row for row, _ in self.found if row > 0], dtype=np.int64))
        if not len(known):
            return rows
        before = known - np.arange(1, len(known) + 1)  # well-formed rows before each
        return rows + np.searchsorted(before, rows, side="left")


def open_source(spec: str, table: str | None = None) -> Source:
    """The input named by ``spec``: a file path, or a SQLAlchemy URL together with ``table``."""
    if _URL.match(spec):
        if not table:
            raise InputFormatError(
                f"{_mask_url(spec)} is a database URL: name the table with --table"
            )
        return Source(f"{_mask_url(spec)}#{table}", "sql", url=spec, table=table)
    path = Path(spec).expanduser()
    if not path.is_file():
        raise InputFormatError(
            f"input not found: {spec} (give a CSV or Parquet file, or a database URL with --table)"
        )
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return Source(str(path), "parquet", path=path)
    if suffix in CSV_SUFFIXES:
        return Source(str(path), "csv", path=path)
    with path.open("rb") as f:
        magic = f.read(4)
    return Source(str(path), "parquet" if magic == b"PAR1" else "csv", path=path)


def file_digest(path: Path, on_bytes: Callable[[int], None] | None = None) -> tuple[str, str]:
    """sha256 of a file and its text encoding: "utf-8", "utf-16", "utf-32" or "gb18030".

    UTF-8 when every byte decodes as UTF-8 (a BOM is allowed), UTF-16 or UTF-32 with its BOM, and
    GB18030 otherwise (GB18030 is a superset of GBK and GB2312). UTF-32 is recognised only to be
    refused with a clear message (``csv_header``).
    """
    sha = hashlib.sha256()
    encoding = ""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        while chunk := f.read(8 << 20):
            sha.update(chunk)
            encoding = _next_encoding(encoding, chunk, decoder)
            if on_bytes:
                on_bytes(len(chunk))
    return sha.hexdigest(), _final_encoding(encoding or "utf-8", decoder)


def sniff_encoding(path: Path, size: int = 8 << 20) -> str:
    """The encoding ``file_digest`` would find, judged from the first ``size`` bytes only.

    Right for nearly every file (Chinese text shows in the header or the first rows); a file whose
    first 8 MB are ASCII and the rest GB18030 is caught by the full check, and read again.
    """
    with path.open("rb") as f:
        chunk = f.read(size)
    return _next_encoding("", chunk, codecs.getincrementaldecoder("utf-8")()) or "utf-8"


def _next_encoding(encoding: str, chunk: bytes, decoder: codecs.IncrementalDecoder) -> str:
    """The encoding after ``chunk`` ("" until decided otherwise than UTF-8)."""
    if encoding in ("utf-16", "utf-32", "gb18030"):
        return encoding
    if not encoding and chunk.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # before UTF-16: the UTF-32 LE BOM starts with the UTF-16 LE one
    if not encoding and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # ASCII is valid UTF-8 and cheap to recognise; decode only chunks with other bytes
    if not (chunk.isascii() and decoder.getstate()[0] == b""):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _final_encoding(encoding: str, decoder: codecs.IncrementalDecoder) -> str:
    if encoding != "utf-8":
        return encoding
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return encoding


def map_columns(
    names: list[str],
    where: str,
    fields: Sequence[str] = FIELD_NAMES,
    headers: Mapping[str, str] = CHINESE_HEADERS,
    doc: str = "docs/record-format.md",
    optional: Sequence[str] = (),
) -> tuple[dict[str, str], list[str]]:
    """Canonical field name -> input column name, and the extra columns, for a header.

    ``fields`` and ``headers`` (Chinese header -> field) are the format's (default: the records';
    ``etl.feeds.format`` has the feeds'), ``doc`` the file describing it; ``optional`` fields may
    be absent.

    Extra columns are named as reports show them (``etl.redact.column_label``). Raises
    ``InputFormatError`` naming every missing field (and any field given twice); it never repeats
    the header, which is a row of values when the file has none.
    """
    mapping: dict[str, str] = {}
    extra: list[str] = []
    twice: list[str] = []
    for position, name in enumerate(names, start=1):
        clean = name.strip().lstrip("\ufeff")
        canonical = clean if clean in fields else headers.get(clean)
        if canonical is None:
            extra.append(column_label(name, position))
        elif canonical in mapping:
            twice.append(f"{canonical} (columns {names.index(mapping[canonical]) + 1} and {position})")
        else:
            mapping[canonical] = name
    missing = [f for f in fields if f not in mapping and f not in optional]
    problems = []
    if missing:
        problems.append("missing columns: " + ", ".join(missing))
    if twice:
        problems.append("fields given twice: " + "; ".join(twice))
    if problems:
        found = (
            f"the first line has {len(names)} columns and none is a field name: is the header "
            "line missing?"
            if not mapping
            else f"the first line has {len(names)} columns, {len(mapping)} of them field names"
        )
        raise InputFormatError(
            f"{where}: " + "; ".join(problems) + f" ({found}). The first line must name the "
            f"columns with the canonical names or the Chinese headers of {doc}"
        )
    return mapping, extra


def read_csv_header(path: Path, encoding: str, max_bytes: int = 1 << 20) -> list[str]:
    """The column names of a CSV file's first line (decoded alone: bytes after it do not matter)."""
    return csv_header(path, encoding, max_bytes)[0]


def csv_header(path: Path, encoding: str, max_bytes: int = 1 << 20) -> tuple[list[str], bool]:
    """The column names of a CSV file's first line, and whether a line break ends that line (a
    file of a header alone may have none: it has no rows).

    The first line ends at the first line break (LF, CR or CR LF) and is decoded alone, so a byte
    of another encoding in a later row is not reported as the header's. Raises
    ``InputFormatError`` for UTF-32 text and for UTF-16 or UTF-32 text without a byte-order mark
    (NUL bytes in the first line), neither of which is read: re-save as UTF-8 or GB18030.
    """
    resave = "re-save the file as UTF-8 or GB18030"
    if encoding == "utf-32":
        raise InputFormatError(f"{path}: UTF-32 text is not supported: {resave}")
    with path.open("rb") as f:
        head = f.read(max_bytes + 1)
    if encoding in _ASCII_COMPATIBLE:
        end = _line_end(head)
        if b"\0" in head[:end]:
            raise InputFormatError(
                f"{path}: NUL bytes in the first line: UTF-16 or UTF-32 text without a byte-order "
                f"mark (not supported) or not a text file: {resave}"
            )
        try:
            line = head[:end].decode(encoding)
        except UnicodeDecodeError:
            raise InputFormatError(
                f"{path}: cannot decode the header (line 1) as {encoding}: {resave}"
            ) from None
        ended = end < len(head)
    else:  # UTF-16 with its BOM
        text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(
            head, final=len(head) <= max_bytes
        )
        end = _line_end(text)
        line, ended = text[:end], end < len(text)
        if "\ufffd" in line:
            raise InputFormatError(f"{path}: cannot decode the header (line 1) as {encoding}")
    if not ended and len(head) > max_bytes:
        raise InputFormatError(
            f"{path}: the first line is longer than {max_bytes >> 20} MB: it is not a header "
            "(is this a CSV file of records?)"
        )
    line = line.lstrip("\ufeff")
    if not line.strip():
        raise InputFormatError(f"{path}: empty file or empty first line (expected a header)")
    try:
        return next(csv.reader([line])), ended
    except csv.Error as exc:
        raise InputFormatError(
            f"{path}: the first line is not a CSV header ({library_reason(exc)})"
        ) from None


_ASCII_COMPATIBLE = ("utf-8", "gb18030")
"""Encodings whose line breaks and commas are single bytes never part of another character."""
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")


def _line_end(text: str | bytes) -> int:
    """Where the first line of ``text`` ends (its first CR or LF), or its length."""
    pattern = _LINE_BREAK_BYTES if isinstance(text, bytes) else _LINE_BREAK
    match = pattern.search(text)  # type: ignore[arg-type]
    return match.start() if match else len(text)


def csv_batches(
    path: Path,
    encoding: str,
    columns: list[str],
    malformed: MalformedLines,
    block_bytes: int = 16 << 20,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[pa.Table]:
    """Blocks of a CSV file as all-text tables holding only ``columns``.

    Lines with the wrong number of fields are skipped and noted in ``malformed`` with their row
    number (see the module docstring). A file that cannot be read raises ``InputFormatError``
    saying where: the row that is not ``encoding`` text, or the row after which a line longer
    than ``block_bytes`` (no line breaks: binary data) stops the reader.
    """
    header, ended = csv_header(path, encoding)
    malformed.expected = len(header)
    if not ended:  # the header alone, without a line break: no rows (pyarrow would fail on it)
        return

    def on_invalid(row: pacsv.InvalidRow) -> str:
        number = row.number  # 1-based with the header as 1, or None when pyarrow cannot tell
        row_number = number - 1 if number is not None and number > 1 else 0
        malformed.found.append((row_number, row.actual_columns))
        return "skip"

    stream = pa.input_stream(str(path))
    done = 0
    rows = 0  # well-formed rows read so far
    try:
        reader = pacsv.open_csv(  # reads the first block
            stream,
            read_options=pacsv.ReadOptions(
                block_size=block_bytes,
                encoding="utf8" if encoding == "utf-8" else encoding,
                use_threads=False,  # serial parsing: pyarrow then gives the row number of invalid rows
            ),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                include_columns=columns,
                strings_can_be_null=False,
                check_utf8=False,  # the digest pass has checked the whole file already
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            if on_bytes:
                position = stream.tell()
                on_bytes(position - done)
                done = position
            rows += batch.num_rows
            yield pa.Table.from_batches([batch])
    except UnicodeDecodeError:
        where = undecodable_row(path, encoding, header)
        raise InputFormatError(
            f"{path}: {where or 'a row'}: not {encoding} text, though the file is read as "
            f"{encoding} (it is not all UTF-8): fix that value, or re-save the whole file in one "
            "encoding (UTF-8 or GB18030)"
        ) from None
    except (pa.ArrowException, UnicodeError) as exc:
        after = rows + len(malformed.found)
        if "straddling" in str(exc):
            binary = " (the file holds NUL bytes: binary data?)" if _holds_nul(path) else ""
            raise InputFormatError(
                f"{path}: row {after + 1} is longer than {block_bytes >> 20} MB, a line without line "
                f"breaks{binary}: no record is that long; remove that row or check the file"
            ) from None
        raise InputFormatError(
            f"{path}: not readable as {encoding} CSV after row {after}: {library_reason(exc)}"
        ) from None
    finally:
        stream.close()


def undecodable_row(path: Path, encoding: str, names: list[str]) -> str:
    """Where ``path`` first stops being ``encoding`` text: ``row R (line L), column C``, or ""
    when not found. Rows are counted as non-blank lines after the header (a value holding a line
    break makes the row number larger than the record's), columns by the commas before the bad
    byte (a quoted comma counts)."""
    if encoding not in _ASCII_COMPATIBLE:
        return ""
    row = 0
    with path.open("rb") as f:
        for line_number, line in enumerate(_byte_lines(f), start=1):
            if line_number > 1 and line.strip():
                row += 1
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                field = line[: exc.start].count(b",")
                column = column_label(names[field], field + 1) if field < len(names) else f"{field + 1}"
                return f"row {row} (line {line_number}), column {column}"
    return ""


def _byte_lines(f: BinaryIO, chunk_bytes: int = 1 << 20, max_line: int = 64 << 20) -> Iterator[bytes]:
    """The lines of a binary file without their breaks (LF, CR or CR LF); stops at a line longer
    than ``max_line`` bytes."""
    carry = b""
    while chunk := f.read(chunk_bytes):
        data = carry + chunk
        cut = len(data) - 1 if data.endswith(b"\r") else len(data)  # a CR LF may be cut in two
        *lines, carry = _LINE_BREAK_BYTES.split(data[:cut])
        carry += data[cut:]
        yield from lines
        if len(carry) > max_line:
            return
    tail = _LINE_BREAK_BYTES.split(carry)
    yield from tail[:-1] if tail[-1] == b"" else tail


def _holds_nul(path: Path, max_bytes: int = 64 << 20) -> bool:
    """Whether the first ``max_bytes`` of a file hold a NUL byte (text files do not)."""
    with path.open("rb") as f:
        while max_bytes > 0 and (chunk := f.read(min(8 << 20, max_bytes))):
            if b"\0" in chunk:
                return True
            max_bytes -= len(chunk)
    return False


def parquet_columns(path: Path) -> list[str]:
    try:
        return list(pq.ParquetFile(path).schema_arrow.names)
    except (pa.ArrowException, OSError) as exc:
        raise InputFormatError(
            f"{path}: not a readable Parquet file: {library_reason(exc)}"
        ) from None


def parquet_rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def parquet_batches(path: Path, columns: list[str], batch_rows: int) -> Iterator[pa.Table]:
    try:
        file = pq.ParquetFile(path)
        for batch in file.iter_batches(batch_size=batch_rows, columns=columns):
            yield pa.Table.from_batches([batch])
    except (pa.ArrowException, OSError) as exc:
        raise InputFormatError(f"{path}: not readable as Parquet: {library_reason(exc)}") from None


def sql_columns(source: Source) -> list[str]:
    engine, table = _sql_table(source)
    try:
        return [c.name for c in table.columns]
    finally:
        engine.dispose()


def sql_batches(source: Source, columns: list[str], batch_rows: int) -> Iterator[pa.Table]:
    """Rows of a SQL table in batches, in the database's order, typed as the driver returns them."""
    import sqlalchemy as sa

    engine, table = _sql_table(source)
    try:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch_rows).execute(
                sa.select(*[table.c[c] for c in columns])
            )
            while rows := result.fetchmany(batch_rows):
                values = list(zip(*rows, strict=True))
                arrays = {}
                for name, column in zip(columns, values, strict=True):
                    try:
                        arrays[name] = pa.array(column)
                    except (pa.ArrowInvalid, pa.ArrowTypeError):
                        arrays[name] = pa.array([None if v is None else str(v) for v in column])
                yield pa.table(arrays)
    except (sa.exc.SQLAlchemyError, ValueError, TypeError) as exc:
        # drivers and type processors quote the value they could not convert: never shown
        raise InputFormatError(
            f"{source.label}: cannot read the table: {library_reason(exc)}"
        ) from None
    finally:
        engine.dispose()


def table_digest(tables: Iterator[pa.Table], sha: hashlib._Hash) -> Iterator[pa.Table]:
    """Pass batches through, adding each one's Arrow IPC bytes to ``sha`` (a content hash)."""
    for t in tables:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema) as writer:
            writer.write_table(t)
        sha.update(sink.getvalue())
        yield t


def _sql_table(source: Source):  # noqa: ANN202 - sqlalchemy types imported lazily
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(source.url or "")
        schema, _, name = (source.table or "").rpartition(".")
        table = sa.Table(name, sa.MetaData(), schema=schema or None, autoload_with=engine)
    except sa.exc.NoSuchTableError:
        raise InputFormatError(f"{source.label}: no such table") from None
    except (sa.exc.SQLAlchemyError, ImportError) as exc:
        raise InputFormatError(
            f"{source.label}: cannot open the database: {library_reason(exc)}"
        ) from None
    return engine, table


def _mask_url(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
