"""The flows page's top-flows table and its CSV download (small cells as ``< threshold``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html
from dash_ag_grid import AgGrid

from dashboard import ids
from dashboard.components import loading
from dashboard.data import flows as data
from dashboard.data import geo
from dashboard.data.store import current_scope, engine
from dashboard.export.audit import record_export
from dashboard.formatting import count
from dashboard.i18n import N_, _, current_language, t
from etl.disclosure import flow_margins, suppress
from etl.spreadsheet import neutralise_frame

TABLE_PAGE_SIZE = 10
HEADERS = {
    "rank": N_("#"),
    "origin": N_("From (registration)"),
    "origin_code": N_("Code"),
    "destination": N_("To (residence)"),
    "destination_code": N_("Code"),
    "group": N_("For the focus"),
}
GROUPS = {"in": N_("in"), "out": N_("out")}
COLUMN_STYLE: dict[str, dict] = {  # by column (``code``: both code columns)
    "rank": {"type": "rightAligned", "maxWidth": 70},
    "code": {"maxWidth": 110},
    "persons": {"type": "rightAligned", "maxWidth": 150},
    "group": {"maxWidth": 150},
}
GRID_WORDS = {  # AG Grid's own words (pagination panel, empty grid), its English defaults
    "page": N_("Page"),
    "of": N_("of"),
    "to": N_("to"),
    "firstPage": N_("First Page"),
    "previousPage": N_("Previous Page"),
    "nextPage": N_("Next Page"),
    "lastPage": N_("Last Page"),
    "noRowsToShow": N_("No Rows To Show"),
}


def grid_locale() -> dict[str, str]:
    """AG Grid's ``localeText`` in the current language."""
    return {key: _(word) for key, word in GRID_WORDS.items()}


def table_rows(view: data.FlowView) -> tuple[list[dict], Any]:
    """(rows, column definitions) of the top-flows grid, in rank order; small cells read
    ``< threshold``."""
    q = view.query
    if q.target:
        from dashboard.pages.flows import compare

        return compare.table_rows(view)
    flows = view.flows
    value = [
        f"< {view.threshold}" if s else count(p)
        for p, s in zip(flows["persons"], flows["small_cell"].astype(bool), strict=True)
    ]
    frame = pd.DataFrame(
        {
            "rank": range(1, len(flows) + 1),
            "origin": _names(flows, "origin"),
            "origin_code": flows["origin_code"],
            "destination": _names(flows, "destination"),
            "destination_code": flows["destination_code"],
            "persons": value,
        }
    )
    keys = ["rank", "origin", "origin_code", "destination", "destination_code", "persons"]
    if q.focus and q.direction in ("both", "net"):
        frame["group"] = [_(GROUPS[g]) for g in flows["group"]]
        keys.append("group")
    headers = {k: _(HEADERS[k]) for k in keys if k != "persons"}
    headers["persons"] = _("Net persons") if q.direction == "net" else _("Persons")
    columns = [
        {
            "field": k,
            "headerName": headers[k],
            **COLUMN_STYLE.get(k.removeprefix("origin_").removeprefix("destination_"), {}),
        }
        for k in keys
    ]
    return frame[keys].to_dict("records"), columns


def _names(flows: pd.DataFrame, end: str) -> pd.Series:
    """Names of the flows' ``end`` (origin or destination) units in the current language; a
    county with its prefecture beside it (several counties are called 城关区)."""
    lang = current_language()
    codes = flows[f"{end}_code"]
    named = codes.map(geo.county_names_with_prefecture(lang)).fillna(
        codes.map(geo.unit_names(lang))
    )
    return named.fillna(codes.map(geo.unit_names())).fillna(codes)


def csv_text(view: data.FlowView) -> str:
    """Every flow of the selection (not only the top N on screen) as CSV, in the table's order
    (codes, names in the current language, persons, the query), small cells suppressed as in
    every export (``etl.disclosure``: blank, ``suppressed`` = True)."""
    q = view.query
    flows = view.flows if view.selected is None else view.selected
    if q.target:
        return _change_csv(view, flows)
    persons = "net_persons" if q.direction == "net" else "persons"
    frame = pd.DataFrame(
        {
            "rank": range(1, len(flows) + 1),
            "origin_code": flows["origin_code"],
            "origin_name": _names(flows, "origin"),
            "destination_code": flows["destination_code"],
            "destination_name": _names(flows, "destination"),
            persons: flows["persons"].astype("int64"),
            "period": f"{q.start}/{q.period}" if q.start else q.period,  # a range: start/end
            "cohort": q.cohort,
            "level": q.level,
            "direction": q.direction,
            "focus_code": q.focus or "",
            "regions": "" if q.focus else ",".join(q.regions),
        }
    )
    margins = flow_margins((), count=persons, within=None)  # the pairs shown, by origin and end
    frame = suppress(frame, [persons], flows["small_cell"], margins)
    # with a BOM, so Excel reads the names as UTF-8; names that could run as formulas neutralised
    return "\ufeff" + neutralise_frame(frame).to_csv(index=False)


def _change_csv(view: data.FlowView, flows: pd.DataFrame) -> str:
    """The comparison's selection as CSV, by absolute change: base and target persons, the change
    and percent; a change involving a withheld cell blank on every side (``etl.disclosure``)."""
    q = view.query
    small = flows["small_cell"].astype(bool).to_numpy()

    def persons(values: pd.Series) -> pd.array:
        return pd.array(
            [None if pd.isna(v) else int(v) for v in values], dtype="Int64"
        )

    frame = pd.DataFrame(
        {
            "rank": range(1, len(flows) + 1),
            "origin_code": flows["origin_code"],
            "origin_name": _names(flows, "origin"),
            "destination_code": flows["destination_code"],
            "destination_name": _names(flows, "destination"),
            "before": persons(flows["before"]),
            "after": persons(flows["after"]),
            "change": persons(flows["change"].where(~small)),
            "percent": pd.array(flows["percent"].round(1).to_numpy(float), dtype="Float64"),
            "base": q.compare,
            "target": q.target,
            "cohort": q.cohort,
            "level": q.level,
            "direction": q.direction,
            "focus_code": q.focus or "",
            "regions": "" if q.focus else ",".join(q.regions),
        }
    )
    margins = [flow_margins((), count=c, within=None) for c in ("before", "after")]
    frame = suppress(frame, ["before", "after", "change", "percent"], small, margins)
    return "\ufeff" + neutralise_frame(frame).to_csv(index=False)


def csv_download(view: data.FlowView) -> dict[str, str]:
    """The CSV download of ``view`` for ``dcc.Download``, its audit row written (the principal
    of the server session, ``dashboard.export.audit``)."""
    q = view.query
    content = csv_text(view)
    params = {
        "period": q.period, "level": q.level, "direction": q.direction, "cohort": q.cohort,
        "focus": q.focus, "regions": ",".join(q.regions), "scope": current_scope(),
    }  # fmt: skip
    if q.start:
        params["start"] = q.start
    if q.target:
        params["compare"], params["target"] = q.compare, q.target
    filename = csv_filename(q)
    record_export(engine(), "flows_csv", params, rows=view.n_selected, out=filename)
    return {"content": content, "filename": filename, "type": "text/csv"}


def csv_filename(query: data.FlowQuery) -> str:
    period = f"{query.start}_{query.period}" if query.start else query.period
    if query.target:
        period = f"{query.compare}_vs_{query.target}"
    parts = ["flows", period, query.level, query.direction, query.cohort]
    if query.focus:
        parts.append(query.focus)
    return "-".join(parts) + ".csv"


def table_card(view: data.FlowView) -> html.Div:
    rows, columns = table_rows(view)
    return html.Div(
        [
            html.Div(
                [
                    html.Span(_("Top flows"), className="yp-flows-subtitle"),
                    html.Span(
                        _table_note(view), id=ids.FLOWS_TABLE_NOTE, className="yp-flows-note"
                    ),
                    html.Button(
                        t("download_csv"),
                        id=ids.FLOWS_CSV,
                        n_clicks=0,
                        className="yp-flows-button",
                    ),
                ],
                className="yp-flows-table-head",
            ),
            loading(
                AgGrid(
                    id=ids.FLOWS_TABLE,
                    rowData=rows,
                    columnDefs=columns,
                    defaultColDef={"sortable": False, "resizable": True, "suppressMovable": True},
                    columnSize="responsiveSizeToFit",
                    dashGridOptions={
                        "pagination": True,
                        "paginationPageSize": TABLE_PAGE_SIZE,
                        "paginationPageSizeSelector": False,
                        "domLayout": "autoHeight",
                        "rowHeight": 32,
                        "headerHeight": 36,
                        "suppressCellFocus": True,
                        "localeText": grid_locale(),
                    },
                    className="yp-grid",
                ),
            ),
        ],
        className="yp-card yp-flows-table",
    )


def _table_note(view: data.FlowView) -> str:
    return _(
        "“< {threshold}”: fewer persons than the threshold, not shown. Net = the difference of the two opposite flows."
    ).format(threshold=view.threshold)
