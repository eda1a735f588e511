"""The Spark engine: the same ingest and marts as the default (DuckDB) engine, on a Spark cluster.

Chosen per run (``yipanqi ingest --engine spark [--master URL]``, ``yipanqi aggregate --engine
spark``). ``etl.pipeline`` still orchestrates: the lock on the staging area, the run's start and
end in the store, lineage, and what a failed run leaves behind. This package does the two heavy
parts on Spark:

- ``load``: reading the inputs, staging each Arrow batch with ``etl.stage.stage_batch`` and hashing
  its IDs with ``etl.pseudonymise.person_hashes`` inside ``mapInArrow`` (every validation rule is
  written once, for both engines), the whole-input de-duplication of ``etl.dedup`` as a shuffle,
  and the staged records as Parquet in the staging area's ``period=YYYY-MM`` folders (readable by
  both engines);
- ``marts``: every mart from Spark SQL over the staged records, as the Arrow tables the store
  takes (``etl.aggregate.Marts``).

PySpark is an optional dependency (``pip install 'yipanqi[spark]'``, Java 17+): nothing outside
this package imports it, and this package imports it only inside functions, so the app and the
default engine never load it.
"""
