"""Serves the cached boundary layers to the browser, once, gzip-compressed and cacheable forever
(by the signed-in browser only: ``private``; the gate lets only sessions through).

URLs carry the layer-cache version (``/geodata/<version>/<name>.geojson``), so a rebuilt cache gets
new URLs and a browser never mixes old geometry with new codes.
"""

from __future__ import annotations

from pathlib import Path

import flask

from geodata.layers import LayerSet

URL_PREFIX = "/geodata"


def geometry_url(layers: LayerSet, name: str) -> str:
    """Browser URL of a layer file, e.g. ``county_national`` or ``county_detail/320000``."""
    return f"{URL_PREFIX}/{layers.version}/{name}.geojson"


def register_geometry_route(server: flask.Flask, layers: LayerSet) -> None:
    """Add ``GET /geodata/<version>/<name>.geojson`` to the Flask server."""

    @server.get(f"{URL_PREFIX}/<version>/<path:name>.geojson")
    def serve_geometry(version: str, name: str) -> flask.Response:
        path = layers.geojson_path(name)
        if version != layers.version or not _inside(path, layers.root) or not path.is_file():
            flask.abort(404)
        gz = path.with_suffix(".geojson.gz")
        if "gzip" in flask.request.headers.get("Accept-Encoding", "") and gz.is_file():
            response = flask.send_file(gz, mimetype="application/geo+json", conditional=True)
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Vary"] = "Accept-Encoding"
        else:
            response = flask.send_file(path, mimetype="application/geo+json", conditional=True)
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())
