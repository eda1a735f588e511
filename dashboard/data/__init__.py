"""Read-only data access for the pages: census, geography and store reads, cached.

One sub-module per subject; pages import these, never ``etl.store`` or SQL directly. Store reads are
cached per data version (the latest succeeded run), so a new load is picked up without a restart.
"""
