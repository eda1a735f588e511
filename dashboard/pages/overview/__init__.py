"""总览 Overview ``/``: headline numbers against targets and a national choropleth of any measure.

State lives in the URL (``?measure=&level=&period=&lang=``): ``layout`` reads it, and changes are
written back with ``history.replaceState`` so the page is not rebuilt. The map figure (geometry by
URL) is built once per level; measure and period changes send only a colour-and-text payload that
``assets/yipanqi-map.js`` paints onto the existing paths.
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title


def register() -> None:
    from dashboard.pages.overview import layout

    dash.register_page(
        __name__, path="/", name="总览", title=page_title("nav_overview"), layout=layout.layout
    )
