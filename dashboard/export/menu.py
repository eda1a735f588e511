"""The download menu of a map page and the view's auto narrative under its map.

One component and one callback pattern for every map page (overview, area, flows, hot spots; a new
page adds the same two lines):

- in the layout, under the map: ``view_footer(PAGE, view)`` (``view``: the ``PageView`` on screen),
  a ``<details>`` menu *Download* with the print map (PNG 300 dpi, SVG, PDF) and the data (CSV,
  XLSX, GeoJSON, GeoPackage), and the view's narrative (``dashboard.story.narrative``);
- in the page's callbacks module: ``register(PAGE, controls, to_view)``, where ``controls`` are the
  (component id, property) pairs the view is made of and ``to_view(*values)`` turns their values
  into the ``PageView`` (checking them: they come from the request body).

``register`` adds three callbacks, told apart by the page in their pattern-matching IDs: the
narrative follows the controls (viewing); the print map and the data file are written by the
view's ``ViewFiles`` (``MapFiles``: ``dashboard.export.maps.export_map``, ``export_layer`` and
``export_flows``), the very functions ``yipanqi export map`` and ``yipanqi export layer`` run, so
a download holds the bytes the command line writes for the same view (suppressed by ``etl.disclosure`` / ``etl.marts.published``, audited as ``export.map`` and
``export.layer`` / ``export.flows``). The gate (``dashboard.security.policy``) authorizes them by
their output IDs' type: print maps need ``export.map``, data ``export.data``. A reader whose role
may not export data sees no data buttons; a forged request is refused by the gate all the same.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from access.principal import acting
from access.roles import Action
from dashboard import context, ids
from dashboard.data.store import periods
from dashboard.export.bundle import download_bytes, download_file_name
from dashboard.export.maps import (
    RENDERS,
    download_name,
    export_flows,
    export_layer,
    export_map,
    view_narrative,
)  # fmt: skip
from dashboard.export.render import RenderError
from dashboard.export.source import ExportError, MapView
from dashboard.export.tables import FLOW_FORMATS
from dashboard.i18n import _, use_language

MAP_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("csv", "xlsx", "geojson", "gpkg")
FORMAT_LABELS = {
    "png": "PNG 300 dpi",
    "svg": "SVG",
    "pdf": "PDF",
    "csv": "CSV",
    "xlsx": "XLSX",
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
}
KINDS = {"map": MAP_FORMATS, "data": DATA_FORMATS}
PASSIVE = ("search", "data")  # properties read by the narrative, not triggering it


class ViewFiles(Protocol):
    """The files of a view: ``write("map" | "data", out)`` writes the file ``out`` (its suffix
    the format) with the command line's function for the same view, in the request's store and
    scope, so a download is its file; ``name(fmt)`` the file name."""

    def write(self, kind: str, out: Path) -> None: ...

    def name(self, fmt: str) -> str: ...


def view_file(files: ViewFiles, kind: str, fmt: str) -> bytes:
    """The bytes a page sends for its ``kind`` file in ``fmt``: written by ``files`` in a
    temporary folder (a print map under ``RENDERS``, one Chromium render at a time); a CSV
    comes with its metadata file in a .zip (``dashboard.export.bundle``)."""
    with (
        RENDERS if kind == "map" else nullcontext(),
        tempfile.TemporaryDirectory(prefix=f"yipanqi-{kind}-") as folder,
    ):
        out = Path(folder) / files.name(fmt)
        files.write(kind, out)
        return download_bytes(out)


@dataclass(frozen=True)
class MapFiles:
    """The files of a map page's ``view``: the overview's layer (``yipanqi export map|layer``)
    and, with ``flows_cohort``, the cohort's OD flows as the CSV and XLSX."""

    view: MapView
    flows_cohort: str | None = None

    def write(self, kind: str, out: Path) -> None:
        current = context.current()
        if kind == "map":
            export_map(current.layers, current.store_url, out, self.view)
        elif self.flows_cohort is not None and out.suffix.lower() in FLOW_FORMATS:
            export_flows(current.layers, current.store_url, out, self.view, cohort=self.flows_cohort)
        else:
            export_layer(current.layers, current.store_url, out, self.view)

    def name(self, fmt: str) -> str:
        return download_name(self.view, fmt)


@dataclass(frozen=True)
class PageView:
    """What a page's downloads are of: the map ``view`` (measure, level, period, language,
    place) and, on the flows page, the cohort whose OD flows the CSV and XLSX hold.
    ``refusal``: why the screen shows what no file can hold, an ``N_`` message the menu answers
    instead of a file. ``files``: a view whose files are not ``map``'s layer (the scenarios
    page's map, ``dashboard.export.scenario.ScenarioFiles``); ``map`` still gives the period."""

    map: MapView
    flows_cohort: str | None = None
    refusal: str = ""
    files: ViewFiles | None = None
    narrative: Callable[[], list[str]] | None = None  # the page's own narrative of the view


    def exported(self) -> ViewFiles:
        """The files the menu sends for this view."""
        return self.files or MapFiles(self.map, self.flows_cohort)


def may_export_data() -> bool:
    principal = acting()
    return principal is not None and principal.may(Action.EXPORT_DATA)


def view_footer(page: str, view: PageView, *, narrative: bool = True) -> html.Div:
    """The download menu and the narrative of ``view``, to sit under the page's map (without
    ``narrative``: the menu alone, for a map the overview's narrative does not describe)."""
    groups = [_group(page, "map", _("Print map"))]
    if may_export_data():
        groups.append(_group(page, "data", _("Data")))
    menu = html.Details(
        [
            html.Summary(_("Download"), className="yp-export-summary"),
            html.Div(groups, className="yp-export-panel"),
        ],
        className="yp-export-menu",
    )
    downloads = [
        dcc.Loading(dcc.Download(id={"type": ids.EXPORT_MAP_DOWNLOAD, "page": page}), type="dot"),
        dcc.Loading(dcc.Download(id={"type": ids.EXPORT_DATA_DOWNLOAD, "page": page}), type="dot"),
        html.Span(id={"type": ids.EXPORT_MAP_NOTE, "page": page}, className="yp-export-note"),
        html.Span(id={"type": ids.EXPORT_DATA_NOTE, "page": page}, className="yp-export-note"),
    ]
    return html.Div(
        [
            html.Div(
                narrative_lines(view) if narrative else [],
                id={"type": ids.EXPORT_NARRATIVE, "page": page},
                className="yp-narrative",
            ),
            html.Div([menu, *downloads], className="yp-export"),
        ],
        className="yp-view-footer",
    )


def _group(page: str, kind: str, label: str) -> html.Div:
    return html.Div(
        [
            html.Span(label, className="yp-export-kind"),
            *[
                html.Button(
                    FORMAT_LABELS[fmt],
                    id={"type": ids.EXPORT_FORMAT, "page": page, "kind": kind, "format": fmt},
                    n_clicks=0,
                    className="yp-export-button",
                )
                for fmt in KINDS[kind]
            ],
        ],
        className="yp-export-group",
    )


def narrative_lines(view: PageView) -> list[html.P]:
    """The view's narrative as paragraphs (none when the store has no data)."""
    try:
        lines = view.narrative() if view.narrative else view_narrative(view.map)
        return [html.P(line) for line in lines]
    except ExportError:
        return []


def register(
    page: str,
    controls: Sequence[tuple[str | dict, str]],
    to_view: Callable[..., PageView],
    *,
    narrative: bool = True,
) -> None:
    """Add the narrative (unless not ``narrative``) and the two download callbacks of ``page``
    (see the module)."""
    values = [State(component, prop) for component, prop in controls]

    # the controls trigger the narrative; a URL's search or a store (the page's language, its
    # area) is read with them: it is set as the page mounts, which would fire the callback
    narrative_deps = [
        (State if prop in PASSIVE else Input)(component, prop) for component, prop in controls
    ]

    if narrative:

        @callback(
            Output({"type": ids.EXPORT_NARRATIVE, "page": page}, "children"),
            *narrative_deps,
            prevent_initial_call=True,
        )
        def narrate(*control_values):
            view = _view(to_view, control_values)
            return narrative_lines(view)

    for kind in KINDS:
        _register_download(page, kind, values, to_view)


DOWNLOAD_IDS = {
    "map": (ids.EXPORT_MAP_DOWNLOAD, ids.EXPORT_MAP_NOTE),
    "data": (ids.EXPORT_DATA_DOWNLOAD, ids.EXPORT_DATA_NOTE),
}


def _register_download(
    page: str, kind: str, values: Sequence[State], to_view: Callable[..., PageView]
) -> None:
    """The callback that sends ``page``'s ``kind`` file in the format pressed."""
    download_id, note_id = DOWNLOAD_IDS[kind]

    @callback(
        Output({"type": download_id, "page": page}, "data"),
        Output({"type": note_id, "page": page}, "children"),
        Input({"type": ids.EXPORT_FORMAT, "page": page, "kind": kind, "format": ALL}, "n_clicks"),
        *values,
        prevent_initial_call=True,
    )
    def download(clicks, *control_values):
        fmt = _pressed(clicks, KINDS[kind])
        view = _view(to_view, control_values)
        if view.refusal:
            return dash.no_update, _(view.refusal)
        files = view.exported()
        return _send(lambda: view_file(files, kind, fmt), download_file_name(files.name(fmt)))


def _view(to_view: Callable[..., PageView], control_values: Sequence) -> PageView:
    """The page's view with its period resolved, in the request's language."""
    view = to_view(*control_values)
    use_language(view.map.lang)
    try:
        checked = view.map.checked(periods())
    except ExportError:
        raise PreventUpdate from None  # no data in the store: nothing to download or tell
    return replace(view, map=checked)


def _pressed(clicks: list | None, formats: tuple[str, ...]) -> str:
    """The format of the button pressed (PreventUpdate for a page load or a forged format)."""
    pressed = ctx.triggered_id
    if (
        not isinstance(pressed, dict)
        or pressed.get("format") not in formats
        or not any(clicks or ())
    ):
        raise PreventUpdate
    return str(pressed["format"])


def _send(make: Callable[[], bytes], name: str):
    try:
        data = make()
    except (ExportError, RenderError) as error:
        return dash.no_update, _("The file could not be made: {reason}").format(reason=error)
    return dcc.send_bytes(data, name), ""


__all__ = ["MapFiles", "PageView", "ViewFiles", "register", "view_footer"]
