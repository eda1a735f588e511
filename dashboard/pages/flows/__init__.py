"""流向 Flows ``/flows``: origin-destination flows within and among the four collaboration regions.

The page state lives in the URL (``regions, level, direction, cohort, period, top, focus, lang``):
``layout`` reads it and renders the whole view; each change updates the view by callbacks and
writes the state back into the address bar without re-rendering the page.

The map is two stacked graphs (see ``dashboard.figures.flow_map``): region-coloured polygons that
take the clicks (focus a place), and transparent flow lines redrawn on every change.
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title

PATH = "/flows"


def register() -> None:
    from dashboard.pages.flows import layout

    dash.register_page(
        __name__, path=PATH, name="流向", title=page_title("nav_flows"), layout=layout.layout
    )
