"""ETL: individual records -> validated, pseudonymised staging -> flows and coverage -> the store.

Layers (raw inputs are never edited; staging is the only renamer and caster):

- ``etl.records``: the record format and indicator definitions (the contract);
- ``etl.sources``: raw inputs (CSV in UTF-8 or GB18030, Parquet, SQL tables) read in batches;
- ``etl.stage``: vectorised validation and typing; every broken rule becomes a quarantine reason;
- ``etl.pseudonymise``: national ID -> keyed hash (HMAC-SHA256);
- ``etl.staged``: pseudonymised records as Parquet under the data directory;
- ``etl.aggregate``: flows, rollups, coverage and assessment on DuckDB;
- ``etl.store``: the SQL store (SQLite or PostgreSQL), atomic loads, lineage, read helpers;
- ``etl.export``: the CSV export contract;
- ``etl.pipeline``: ``ingest`` and ``aggregate``, the two entry points.
"""
