"""热点分析 Hot spots ``/hotspots``: smoothed rates and local clusters of any measure, for
research centres (what GeoDa does, on the product's own data and scope).

One measure at county or prefecture level in one period: its map classed by a scheme the legend
names (box map, natural breaks, equal interval, quantiles or typed breaks) of the raw rate or its
Empirical Bayes smoothing (global or spatial), the units with small denominators washed over; the
LISA cluster map and its significance map side by side; global Moran's I; a download menu
under each map (print map; the analysis as CSV, XLSX, GeoJSON or GeoPackage).
State lives in the URL like the overview's (``?measure=&level=&period=&variable=&scheme=&breaks=
&fdr=&shade=&lang=``).
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title

PATH = "/hotspots"


def register() -> None:
    from dashboard.pages.hotspots import layout

    dash.register_page(
        __name__, path=PATH, name="热点分析", title=page_title("nav_hotspots"), layout=layout.layout
    )
