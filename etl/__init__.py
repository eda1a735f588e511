"""ETL: individual records -> validated, pseudonymised staging -> flows and coverage -> the store.

Layers (raw inputs are never edited; staging is the only renamer and caster):

- ``etl.records``: the record format (the contract);
- ``etl.indicators``: the indicators, their targets and arithmetic (ratio, gap, at target, small
  cells);
- ``etl.sources``: raw inputs (CSV in UTF-8 or GB18030, Parquet, SQL tables) read in batches;
- ``etl.stage``: vectorised validation and typing; every broken rule becomes a quarantine reason
  (``etl.casting`` parses text columns, ``etl.codebook`` checks county codes, ``etl.national_id``
  reads IDs);
- ``etl.pseudonymise``: national ID -> keyed hash (HMAC-SHA256);
- ``etl.dedup``: one record per person-period;
- ``etl.staged``: pseudonymised records as Parquet under the data directory;
- ``etl.aggregate``: flows, rollups, coverage and assessment on DuckDB;
- ``etl.store``: the SQL store (SQLite or PostgreSQL): schema and upgrades, atomic loads, lineage;
- ``etl.marts``: the read contract of the marts (long shapes, a reader's scope, small cells);
- ``etl.scope``: the part of the country a reader may see;
- ``etl.disclosure``: suppression of small cells in every exported table;
- ``etl.export``: the CSV export contract;
- ``etl.reading``: one input of an ingest run, from batches to the staging area;
- ``etl.lineage``: what a run read and which code ran; ``etl.progress``: progress events;
- ``etl.redact``: messages without personal data; ``etl.store_guard``: what a store may receive
  (its own hash key; never demo and real records mixed);
- ``etl.pipeline``: ``ingest`` and ``aggregate``, the two entry points.
"""
