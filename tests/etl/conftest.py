"""The one SparkSession of a test session (local mode), for the Spark engine's tests.

Without PySpark or Java the Spark tests are skipped on a developer's machine and *fail* in CI
(``CI`` set): the test command installs both (scripts/test.sh), so CI always proves parity.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install -e '.[spark]'; `make test` does it)"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.path.exists(f"{java_home}/bin/java")):
        return "Java 17+ is not installed (apt-get install openjdk-17-jre-headless; `make test` does it)"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """A local SparkSession (``local[2]``, 1 GB, 2 shuffle partitions, the JVM's C1 compiler
    only: a third less CPU for a short-lived JVM), stopped at the end."""
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    from etl.spark.session import spark_session

    os.environ.setdefault(
        "PYSPARK_SUBMIT_ARGS", "--driver-java-options -XX:TieredStopAtLevel=1 pyspark-shell"
    )
    session = spark_session()
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()
