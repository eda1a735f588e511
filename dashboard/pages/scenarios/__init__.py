"""情景推演 Scenarios ``/scenarios``: build a scenario with a form (or its JSON), run it, map it
against the baseline, save it.

URL state, kept current at every step (``history.replaceState``): ``name``, ``scenario`` (the
scenario as compact JSON, left out when it is the one saved under ``name``: a link reproduces
it), ``measure`` (inflow, outflow or an indicator flag), ``layer`` (difference, scenario,
baseline), ``compare`` (a saved scenario), ``lang``. The map is the national county layer; the
table sums the scenario by collaboration region. See ``docs/scenarios.md``.
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
