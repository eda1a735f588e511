"""情景推演 Scenarios ``/scenarios``: edit a scenario (JSON levers), run it, map it against the baseline, save it.

URL state: ``name`` (a saved scenario: a link reproduces it), ``measure`` (inflow, outflow or an
indicator flag), ``layer`` (difference, scenario, baseline), ``lang``. The map is the national
county layer; the table sums the scenario by collaboration region. See ``docs/scenarios.md``.
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title


def register() -> None:
    from dashboard.pages.scenarios import layout

    dash.register_page(
        __name__,
        path="/scenarios",
        name="情景推演",
        title=page_title("nav_scenarios"),
        layout=layout.layout,
    )
