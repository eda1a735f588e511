"""Read-only data access for the pages: census, geography and store reads, cached.

One sub-module per subject; pages import these, never ``etl.store``, ``etl.marts`` or SQL directly.
Store reads go through the read contract (``etl.marts``) and are cached per data version (the
latest succeeded run) and reader scope (``store.current_scope``), so a new load is picked up
without a restart and no two scopes share a result.
"""
