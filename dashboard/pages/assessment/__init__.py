"""考核排名 Assessment ``/assessment``: the ranked two-way assessment (双向考核) of one period.

Every county, prefecture or province of the reader's scope scored as an origin and as a
destination against the targets in force for the period, ranked within its province and its
collaboration region, with the change since the previous period; and who owes whom between
provinces (``etl.assessment``). The grid sorts by any column; the workbook (XLSX, Chinese and
English headers) is the one ``yipanqi assessment`` writes, audited. URL parameters: ``period``,
``level``, ``role``, ``region``, ``lang``.
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title


def register() -> None:
    from dashboard.pages.assessment import layout

    dash.register_page(
        __name__,
        path="/assessment",
        name="考核排名",
        title=page_title("nav_assessment"),
        layout=layout.layout,
    )
