"""试点与地区 Pilots and areas ``/areas``: the menu of drill-downs.

The pilot areas of the region configuration (先行先试: 浦东新区, 无锡市, 嘉兴市 by default) with
their latest inflow and assessment, the four collaboration regions with their provinces, and a
search over every province, prefecture and county. Each leads to ``/area/<code>``.
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title


def register() -> None:
    from dashboard.pages.areas import layout

    dash.register_page(
        __name__,
        path="/areas",
        name="试点与地区",
        title=page_title("nav_areas"),
        layout=layout.layout,
    )
