"""演示稿 Storyboard editor ``/storyboards``: rename slides, write key messages, reorder, delete, add from a link.

``/storyboards?name=<name>`` edits one saved storyboard. A slide is added from a page link (the
overview ``/?measure=&level=&period=`` or a drill-down ``/area/<code>``: copy it from the address
bar), into the named storyboard (created if new). Every change is saved at once; ``Present``
opens ``/present/<name>``.
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title


def register() -> None:
    from dashboard.pages.storyboards import layout

    dash.register_page(
        __name__, path="/storyboards", title=page_title("nav_present"), layout=layout.layout
    )
