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
from dashboard.i18n import t, text
from dashboard.pages.flows.strings import STRINGS

TABLE_PAGE_SIZE = 10
COLUMN_STYLE: dict[str, dict] = {  # by column (``code``: both code columns)
    "rank": {"type": "rightAligned", "maxWidth": 70},
    "code": {"maxWidth": 110},
    "persons": {"type": "rightAligned", "maxWidth": 150},
    "group": {"maxWidth": 150},
}
GRID_LOCALE = {  # AG Grid's own words (pagination panel, empty grid), Chinese
    "page": "页码",
    "of": "/",
    "to": "–",
    "firstPage": "首页",
    "previousPage": "上一页",
    "nextPage": "下一页",
    "lastPage": "末页",
    "noRowsToShow": "无数据",
}


def grid_locale(lang: str) -> dict[str, str]:
    """AG Grid's ``localeText`` in ``lang`` (its English defaults for English)."""
    return GRID_LOCALE if lang == "zh" else {}


def table_rows(view: data.FlowView, lang: str) -> tuple[list[dict], Any]:
    """(rows, column definitions) of the top-flows grid, in rank order; small cells read
    ``< threshold``."""
    q = view.query
    flows = view.flows
    value = [
        f"< {view.threshold}" if s else f"{p:,}"
        for p, s in zip(flows["persons"], flows["small_cell"].astype(bool), strict=True)
    ]
    frame = pd.DataFrame(
        {
            "rank": range(1, len(flows) + 1),
            "origin": _names(flows, "origin", lang),
            "origin_code": flows["origin_code"],
            "destination": _names(flows, "destination", lang),
            "destination_code": flows["destination_code"],
            "persons": value,
        }
    )
    keys = ["rank", "origin", "origin_code", "destination", "destination_code", "persons"]
    if q.focus and q.direction in ("both", "net"):
        frame["group"] = [text(STRINGS, f"group_{g}", lang) for g in flows["group"]]
        keys.append("group")
    headers = {k: text(STRINGS, f"col_{k}", lang) for k in keys if k != "persons"}
    headers["persons"] = text(STRINGS, "col_net" if q.direction == "net" else "col_persons", lang)
    columns = [
        {
            "field": k,
            "headerName": headers[k],
            **COLUMN_STYLE.get(k.removeprefix("origin_").removeprefix("destination_"), {}),
        }
        for k in keys
    ]
    return frame[keys].to_dict("records"), columns


def _names(flows: pd.DataFrame, end: str, lang: str) -> pd.Series:
    """Names of the flows' ``end`` (origin or destination) units in ``lang``."""
    return flows[f"{end}_code"].map(geo.unit_names(lang)).fillna(flows[f"{end}_name"])


def csv_text(view: data.FlowView, lang: str = "zh") -> str:
    """The thinned flows as CSV (codes, names in ``lang``, persons or ``< threshold``, and the
    query)."""
    q = view.query
    flows = view.flows
    frame = pd.DataFrame(
        {
            "rank": range(1, len(flows) + 1),
            "origin_code": flows["origin_code"],
            "origin_name": _names(flows, "origin", lang),
            "destination_code": flows["destination_code"],
            "destination_name": _names(flows, "destination", lang),
            "net_persons" if q.direction == "net" else "persons": [
                f"<{view.threshold}" if s else str(p)
                for p, s in zip(flows["persons"], flows["small_cell"].astype(bool), strict=True)
            ],
            "period": q.period,
            "cohort": q.cohort,
            "level": q.level,
            "direction": q.direction,
            "focus_code": q.focus or "",
            "regions": "" if q.focus else ",".join(q.regions),
        }
    )
    return "\ufeff" + frame.to_csv(index=False)  # with a BOM, so Excel reads the names as UTF-8


def csv_filename(query: data.FlowQuery) -> str:
    parts = ["flows", query.period, query.level, query.direction, query.cohort, f"top{query.top}"]
    if query.focus:
        parts.append(query.focus)
    return "-".join(parts) + ".csv"


def table_card(view: data.FlowView, lang: str) -> html.Div:
    rows, columns = table_rows(view, lang)
    return html.Div(
        [
            html.Div(
                [
                    html.Span(text(STRINGS, "table_title", lang), className="yp-flows-subtitle"),
                    html.Span(
                        _table_note(view, lang), id=ids.FLOWS_TABLE_NOTE, className="yp-flows-note"
                    ),
                    html.Button(
                        t("download_csv", lang),
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
                        "localeText": grid_locale(lang),
                    },
                    className="yp-grid",
                ),
            ),
        ],
        className="yp-card yp-flows-table",
    )


def _table_note(view: data.FlowView, lang: str) -> str:
    return text(STRINGS, "table_note", lang).format(threshold=view.threshold)
