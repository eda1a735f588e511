"""The SparkSession a run uses: local mode by default, a cluster by ``--master``.

Defaults suit one machine and CI (``local[2]``, a 1 GB driver, few shuffle partitions, no UI);
on a cluster ``spark-submit`` or ``spark-defaults.conf`` set memory, executors and partitions
(docs/scale.md), and settings given there win over these defaults. The hash key is never put in
the Spark configuration (which the UI and event logs show): it travels inside the staging
function's closure (``etl.spark.load``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import TYPE_CHECKING

from etl.errors import EtlError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL_MASTER = "local[2]"
DEFAULTS = {
    "spark.driver.memory": "1g",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "65536",
}


def spark_session(master: str | None = None) -> SparkSession:
    """The active SparkSession, or a new one on ``master`` (default: ``local[2]``, or what
    ``spark-submit`` set). Raises ``EtlError`` in one line when PySpark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EtlError(
            "the Spark engine needs PySpark: pip install 'yipanqi[spark]' (and Java 17, e.g. "
            "Debian's openjdk-17-jre-headless)"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None and (master is None or active.sparkContext.master == master):
        return active
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this interpreter
    builder = SparkSession.builder.appName("yipanqi")
    if master:
        builder = builder.master(master)
    if not _under_spark_submit():
        if not master:
            builder = builder.master(LOCAL_MASTER)
        for key, value in DEFAULTS.items():
            builder = builder.config(key, value)
        # else an empty spark-warehouse/ in the working directory
        builder = builder.config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="yipanqi-wh-"))
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: no Java, or a master that is not there
        from etl.redact import library_reason

        raise EtlError(
            f"Spark did not start ({library_reason(exc)}): it needs Java 17 or later "
            "(Debian: apt-get install openjdk-17-jre-headless) and, with --master, a reachable master"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")  # Spark 4 logs each SQL error as a long JSON record
    return spark


def _under_spark_submit() -> bool:
    """Whether ``spark-submit`` started this process (its JVM holds the cluster's settings)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ
