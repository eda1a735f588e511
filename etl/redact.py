"""Messages without personal data: what the ETL may say about an input, a row or a failure.

The ETL never puts a value read from an input into a message, a log line, an exception it raises
or a table: a row that fails is described by its source, row number, column and the rule it
breaks. Libraries are less careful: pyarrow, DuckDB, SQLAlchemy, the codecs and Python itself
quote the offending value in their exception texts (``Casting from date64 to timestamp[s] would
lose data: 324000000000``, ``Couldn't parse datetime string: '1980-05-10 12:00'``). So a library
exception is never shown as it is; ``library_reason`` keeps only its *kind*:

- the text before the first colon (values follow the colon in the messages of these libraries);
- without quoted text, without any word holding a non-ASCII character (names are written in
  Chinese) and without any word holding three or more digits (IDs, dates, codes);

and ``failure_message`` is what a failed run records: the message of an ``EtlError`` (written by
the ETL, without values) or the kind of any other exception and where it was raised.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

from etl.errors import EtlError

_QUOTED = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"")
_MAX_DIGITS = 2
_MAX_NAME_DIGITS = 5
_MAX_NAME_LENGTH = 40


def library_reason(exc: BaseException) -> str:
    """The kind of a library exception, without the values its text may quote.

    ``ArrowInvalid: straddling object straddles two block boundaries (try to increase block
    size?)`` stays whole; ``ValueError: Couldn't parse datetime string: '1980-05-10'`` becomes
    ``ValueError: Couldn't parse datetime string``.
    """
    if isinstance(exc, UnicodeDecodeError):  # its text shows the bytes around the bad one
        return f"{type(exc).__name__}: not {exc.encoding} text ({exc.reason})"
    lines = str(exc).strip().splitlines()
    head = _QUOTED.sub(" ", lines[0].split(":", 1)[0]) if lines else ""
    words = [
        w
        for w in head.split()
        if w.isascii()
        and sum(c.isdigit() for c in w) <= _MAX_DIGITS
        and not w.startswith(("'", '"'))
        and not w.endswith(("'", '"'))
    ]
    kind = " ".join(words)[:100].strip(" ,;(")
    return f"{type(exc).__name__}: {kind}" if kind else type(exc).__name__


def failure_message(exc: BaseException) -> str:
    """What ``runs.message`` says of a run that failed with ``exc``."""
    if isinstance(exc, EtlError):
        return str(exc)
    return f"{library_reason(exc)} (at {raised_at(exc)}; details withheld: they may quote input values)"


def raised_at(exc: BaseException) -> str:
    """``module.py:line`` of the innermost frame of ``exc`` (a place in the code, not data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown place"
    frame = frames[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"


def column_label(name: str, position: int) -> str:
    """How reports name an input column (an extra column): its name, unless it looks like a value.

    A name with six or more digits (an ID, a date) or longer than 40 characters is shown as
    ``column <position>`` (1-based): it is likely a value of a file without a header, and the
    reports never repeat values.
    """
    if sum(c.isdigit() for c in name) <= _MAX_NAME_DIGITS and len(name) <= _MAX_NAME_LENGTH:
        return name
    return f"column {position} (its name looks like a value)"
