"""Writing marts and reference tables, inside the caller's transaction.

``bulk_insert`` moves an Arrow table into a store table (COPY on PostgreSQL, multi-row INSERTs on
SQLite); ``replace_periods`` swaps the mart rows of some periods, so a load replaces exactly the
periods it touched. Nothing here commits: the load's single transaction does (``etl.pipeline``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from etl.errors import StoreError
from etl.store.schema import MART_TABLES, region_members, regions, units


def bulk_insert(conn: sa.Connection, table: sa.Table, data: pa.Table) -> None:
    """Insert an Arrow table whose columns are ``table``'s, in order (COPY on PostgreSQL)."""
    if data.num_rows == 0:
        return
    names = [c.name for c in table.columns]
    data = data.select(names)
    dialect = conn.dialect.name
    if dialect == "postgresql" and conn.dialect.driver == "psycopg":
        if any(len(chunk) == 0 for column in data.columns for chunk in column.chunks):
            # pyarrow's CSV writer writes NUL bytes for a column whose chunks include an empty
            # one (a concatenation with an empty table): write whole columns instead
            data = data.combine_chunks()
        buf = io.BytesIO()
        pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False))
        dbapi = conn.connection.dbapi_connection
        if dbapi is None:  # pragma: no cover - a live connection always has one
            raise StoreError("lost the database connection during a load")
        cursor = dbapi.cursor()
        columns = ", ".join(f'"{n}"' for n in names)
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
            copy.write(buf.getvalue())
        return
    columns_py = [_python_values(data.column(i)) for i in range(data.num_columns)]
    if dialect == "sqlite":
        _sqlite_insert(conn, table.name, columns_py)
    else:
        rows = zip(*columns_py, strict=True)
        conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in rows])


def _sqlite_insert(conn: sa.Connection, name: str, columns: list[list]) -> None:
    """Multi-row ``INSERT ... VALUES (...), (...)``: about 1.5x faster than one row per statement.

    Rows go in groups that stay under SQLite's oldest limit of 999 parameters per statement.
    """
    n, width = len(columns[0]), len(columns)
    per = max(1, 999 // width)
    values = np.empty((n, width), dtype=object)
    for j, column in enumerate(columns):
        values[:, j] = column
    full = n // per * per
    row = "(" + ", ".join("?" for _ in range(width)) + ")"
    dbapi = conn.connection.dbapi_connection  # the same connection, inside the same transaction
    if dbapi is None:  # pragma: no cover - a live connection always has one
        raise StoreError("lost the database connection during a load")
    cursor = dbapi.cursor()
    try:
        if full:
            statement = f'INSERT INTO "{name}" VALUES ' + ", ".join([row] * per)  # nosec B608 # table name from the store's metadata, values bound
            cursor.executemany(statement, values[:full].reshape(-1, per * width).tolist())
        if full < n:
            cursor.executemany(f'INSERT INTO "{name}" VALUES {row}', values[full:].tolist())  # nosec B608 # as above
    finally:
        cursor.close()


def _python_values(column: pa.ChunkedArray) -> list:
    """A column as Python values, through numpy (pyarrow's ``to_pylist`` is several times slower)."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(array.type):
        labels = np.array(array.dictionary.to_pylist(), dtype=object)
        values = labels[np.asarray(array.indices.fill_null(0))]
        if array.null_count:
            values[np.asarray(array.is_null())] = None
        return values.tolist()
    return array.to_numpy(zero_copy_only=False).tolist()


def replace_periods(
    conn: sa.Connection, marts: dict[str, pa.Table], periods: Sequence[str]
) -> None:
    """Delete the mart rows of ``periods`` and insert ``marts`` (table name -> rows) instead."""
    delete_periods(conn, periods)
    insert_marts(conn, marts)


def delete_periods(conn: sa.Connection, periods: Sequence[str]) -> None:
    """Delete the mart rows of ``periods`` (inside the caller's transaction)."""
    for table in MART_TABLES:
        for chunk in _chunks(list(periods), 500):
            conn.execute(table.delete().where(table.c.period.in_(chunk)))


def insert_marts(conn: sa.Connection, marts: dict[str, pa.Table]) -> None:
    """Insert mart rows (table name -> Arrow table) inside the caller's transaction."""
    for table in MART_TABLES:
        if table.name in marts:
            bulk_insert(conn, table, marts[table.name])


def replace_reference(conn: sa.Connection, reference: dict[str, pa.Table]) -> None:
    """Replace the hierarchy and region tables."""
    for table in (units, regions, region_members):
        if table.name in reference:
            conn.execute(table.delete())
            bulk_insert(conn, table, reference[table.name])


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
