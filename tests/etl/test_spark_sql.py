"""The SQL subset DuckDB and Spark read alike (docs/spark-sql.md): each point run on both engines.

Each test runs the same SQL text over the same Arrow table, registered as the view ``t`` in a
DuckDB connection and in the test session's Spark, and compares values and Arrow types; where the
engines differ, the difference itself is asserted, so the document cannot go stale unnoticed.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from etl.spark.marts import numpy_sum

T = pa.table(
    {
        "x": pa.array([7, -7, 2, None, 5], pa.int32()),
        "d": pa.array([2, 2, 0, 1, 0], pa.int32()),
        "b": pa.array([True, False, True, None, True]),
    }
)


@pytest.fixture(scope="module")
def both(spark):
    """``run(sql)`` -> (DuckDB's Arrow table, Spark's Arrow table) over the view ``t``."""
    con = duckdb.connect()
    con.register("t", T)
    spark.createDataFrame(T.to_pandas(types_mapper=None).astype({"x": "Int32", "d": "Int32"}),
                          "x INT, d INT, b BOOLEAN").createOrReplaceTempView("t")  # fmt: skip

    def run(sql: str) -> tuple[pa.Table, pa.Table]:
        return con.sql(sql).to_arrow_table(), spark.sql(sql).toArrow()

    yield run
    con.close()


def _values(table: pa.Table) -> list[tuple]:
    return [tuple(r.values()) for r in table.to_pylist()]


def test_integer_division_is_floor_of_a_division_cast(both, spark):
    duck, spark_out = both(
        "SELECT CAST(floor(x / d) AS INT) AS q FROM t WHERE d > 0 AND x IS NOT NULL ORDER BY x"
    )
    assert _values(duck) == _values(spark_out) == [(-4,), (3,)]
    assert duck.schema.field("q").type == spark_out.schema.field("q").type == pa.int32()
    with pytest.raises(Exception, match="PARSE_SYNTAX_ERROR|Syntax error"):
        spark.sql("SELECT 7 // 2").collect()  # DuckDB's integer division does not parse on Spark
    with pytest.raises(duckdb.ParserException):
        duckdb.sql("SELECT 7 DIV 2")  # nor Spark's on DuckDB


def test_a_cast_to_int_rounds_on_duckdb_and_truncates_on_spark(both):
    duck, spark_out = both("SELECT CAST(7 / 2 AS INT) AS a, CAST(2.5 AS INT) AS b")
    assert _values(duck) == [(4, 3)] and _values(spark_out) == [(3, 2)]
    duck, spark_out = both("SELECT CAST(floor(7 / 2) AS INT) AS a, CAST(round(2.6) AS INT) AS b")
    assert _values(duck) == _values(spark_out) == [(3, 3)]


def test_sum_of_integers_needs_a_cast_to_bigint(both):
    duck, spark_out = both("SELECT sum(x) AS s FROM t")
    assert duck.schema.field("s").type != spark_out.schema.field("s").type  # HUGEINT vs BIGINT
    duck, spark_out = both(
        "SELECT CAST(sum(x) AS BIGINT) AS s, count(*) AS n, "
        "CAST(sum(CASE WHEN b THEN 1 ELSE 0 END) AS BIGINT) AS nb FROM t"
    )
    assert _values(duck) == _values(spark_out) == [(7, 5, 3)]
    assert duck.schema.types == spark_out.schema.types == [pa.int64()] * 3


def test_nulls_sort_last_only_when_said(both):
    duck, spark_out = both("SELECT x FROM t ORDER BY x")
    assert _values(duck)[-1] == (None,) and _values(spark_out)[0] == (None,)
    duck, spark_out = both("SELECT x FROM t ORDER BY x NULLS LAST")
    assert _values(duck) == _values(spark_out) == [(-7,), (2,), (5,), (7,), (None,)]


def test_division_by_zero_is_guarded(both, spark):
    with pytest.raises(Exception, match="DIVIDE_BY_ZERO"):
        spark.sql("SELECT x / d FROM t").collect()  # ANSI mode, the Spark 4 default
    answer = duckdb.sql("SELECT 10 / 0 AS q").fetchall()  # DuckDB answers, never raises
    assert answer[0][0] in (None, float("inf"))
    duck, spark_out = both(
        "SELECT CASE WHEN d > 0 THEN CAST(x AS DOUBLE) / d END AS q FROM t ORDER BY x NULLS LAST"
    )
    assert _values(duck) == _values(spark_out) == [(-3.5,), (None,), (None,), (3.5,), (None,)]


def test_double_quotes_are_a_name_on_duckdb_and_text_on_spark(both):
    duck, spark_out = both('SELECT "x" AS v FROM t ORDER BY x NULLS LAST LIMIT 1')
    assert _values(duck) == [(-7,)] and _values(spark_out) == [("x",)]
    duck, spark_out = both("SELECT `x` AS v FROM t ORDER BY x NULLS LAST LIMIT 1")
    assert _values(duck) == _values(spark_out) == [(-7,)]


@pytest.mark.parametrize("n", [1, 3, 8, 9])
def test_the_score_sum_adds_in_numpys_order(both, n):
    """``numpy_sum`` (the assessment's score) gives np.nansum's bits on both engines."""
    rng = np.random.default_rng(n)
    values = rng.random((1, n)) / 3
    terms = [f"CAST({v!r} AS DOUBLE)" for v in values[0].tolist()]
    duck, spark_out = both(f"SELECT {numpy_sum(terms)} AS s")
    expected = float(np.nansum(values, axis=1)[0])
    assert duck["s"][0].as_py() == spark_out["s"][0].as_py() == expected
