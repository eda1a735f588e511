"""ETL: individual records -> validated, pseudonymised staging -> flows and coverage -> the store.

Layers (raw inputs are never edited; staging is the only renamer and caster):

- ``etl.records``: the record format (the contract);
- ``etl.indicators``: the indicators, their targets and arithmetic (ratio, gap, at target, small
  cells);
- ``etl.sources``: raw inputs (CSV in UTF-8 or GB18030, Parquet, SQL tables) read in batches;
- ``etl.stage``: vectorised validation and typing; every broken rule becomes a quarantine reason;
- ``etl.pseudonymise``: national ID -> keyed hash (HMAC-SHA256);
- ``etl.staged``: pseudonymised records as Parquet under the data directory;
- ``etl.aggregate``: flows, rollups, coverage and assessment on DuckDB;
- ``etl.store``: the SQL store (SQLite or PostgreSQL): schema and upgrades, atomic loads, lineage;
- ``etl.marts``: the read contract of the marts (long shapes, a reader's scope, small cells);
- ``etl.scope``: the part of the country a reader may see;
- ``etl.disclosure``: suppression of small cells in every exported table;
- ``etl.export``: the CSV export contract;
- ``etl.pipeline``: ``ingest`` and ``aggregate``, the two entry points.
"""
