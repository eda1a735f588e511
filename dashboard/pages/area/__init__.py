"""One area's drill-down (试点与地区): ``/area/<adcode>`` for a county, prefecture or province,
``/area/<region code>`` for a collaboration region.

The view: breadcrumb region -> province -> prefecture -> county; headline flows and two-way
assessment; the map of its sub-units; every indicator against its target (bullets and a table,
with the gap in people); monthly trends 2009-2012; top origins and destinations; the same figures
for its province and region for comparison. State lives in the URL (``?period=&measure=&sub=&lang=``):
``layout`` reads it, and a change of control writes it back without rebuilding the page.
"""

from __future__ import annotations

import dash

from dashboard import context
from dashboard.data import area as data
from dashboard.i18n import _, language, request_language, t


def _title(adcode: str | None = None, **_kw: str) -> str:
    """The browser tab's title: the area's name in the request's language."""
    area = data.find_area(adcode, context.current().regions_path)
    with language(request_language()) as lang:
        return f"{t('app_title')} · {area.name(lang) if area else _('Area not found')}"


def register() -> None:
    from dashboard.pages.area import layout

    dash.register_page(
        __name__, path_template="/area/<adcode>", name="地区", title=_title, layout=layout.layout
    )
