"""A page's CSV download: the command line's two files in one .zip.

``yipanqi export layer --out NAME.csv`` writes ``NAME.csv`` and its metadata beside it,
``NAME.metadata.csv`` (``dashboard.export.tables``); a browser download is one file, so the page
sends both in ``NAME.csv.zip``, each entry the command line's bytes (stored, not compressed; the
entries' dates fixed, so the archive is the same bytes for the same files). The other data formats
hold their metadata inside and are sent as they are.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from dashboard.export.tables import metadata_path

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The entries' date: the files' own "made" minute is in their metadata."""


def download_bytes(out: Path) -> bytes:
    """The bytes a page sends for the file ``out`` the export wrote: a CSV with its metadata file
    as a .zip, any other file as it is."""
    if out.suffix.lower() != ".csv":
        return out.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path in (out, metadata_path(out)):
            if path.exists():
                entry = zipfile.ZipInfo(path.name, ZIP_DATE)
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()


def download_file_name(name: str) -> str:
    """The name a page gives its download of the file ``name`` (``.csv.zip`` for a CSV)."""
    return f"{name}.zip" if name.lower().endswith(".csv") else name


__all__ = ["ZIP_DATE", "download_bytes", "download_file_name"]
