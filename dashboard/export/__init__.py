"""Exports for research centres: print maps (PNG, SVG, PDF) and data (CSV, XLSX, GeoJSON, GeoPackage).

A *view* is one measure at one level in one period (``MapView``). Every export reads the same
numbers as the dashboard (``dashboard.data.overview``), suppresses small cells the same way (value
blank plus a ``suppressed`` flag; on maps, a grey class of its own) and carries its lineage: the ETL
run that produced the data, its code version, the boundary cache and the date it was made.

Modules: ``source`` (store access outside a request, lineage), ``tables`` (layer and flow tables,
metadata rows, file writers), ``map_figure`` (the print layout, a pure plotly dict), ``render``
(headless Chromium: PNG, SVG, PDF with the bundled CJK font), ``maps`` (view -> file).
"""

from dashboard.export.source import MapView

__all__ = ["MapView"]
