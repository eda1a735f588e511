"""监测预警 Monitoring ``/monitoring``: the early-warning alerts of one period (``etl.alerts``).

Severity counts; a map of the alerts per prefecture or county (the filters applied; a click opens
the unit's area page; the download menu under it gives the files of ``yipanqi export map|layer
--measure alerts``); each department's reports for the period (due, on time, late, missing, on-time
rate against seed 002's target, red when under); a sortable grid of the alerts (reason in the
page's language, area linked to its page). Filters ``period``, ``region``, ``department`` and
``severity`` (and the map's ``level``) are kept in the URL (with ``lang``). The workbook (XLSX, Chinese and English
headers) is the one ``yipanqi alerts`` writes, audited.
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title


def register() -> None:
    from dashboard.pages.monitoring import layout

    dash.register_page(
        __name__,
        path="/monitoring",
        name="监测预警",
        title=page_title("nav_monitoring"),
        layout=layout.layout,
    )
