"""演示 Presentation mode ``/present``: a storyboard shown slide by slide, full screen, for a projector.

``/present/<name>?slide=N&lang=en`` shows slide N (1 first) of the saved storyboard ``name``;
``/present`` lists the storyboards. The shell's header is hidden while a deck is on screen
(``assets/yipanqi.css``: ``body:has(.yp-present)``). Keys (``assets/yipanqi-present.js``): ArrowRight,
Space, PageDown next; ArrowLeft, PageUp previous (what presentation clickers send); Home / End first
and last; F full screen; Esc leaves to the overview. The key handler sets ``PRESENT_INDEX``; one
callback renders that slide. The map figure is rebuilt only when the level changes; colours travel
as a payload painted by ``assets/yipanqi-map.js``.
"""

from __future__ import annotations

import dash

from dashboard.shell import page_title


def register() -> None:
    from dashboard.pages.present import layout

    dash.register_page(
        __name__,
        path_template="/present/<name>",
        title=page_title("nav_present"),
        layout=layout.layout,
    )
    dash.register_page(
        f"{__name__}_index",
        path="/present",
        title=page_title("nav_present"),
        layout=layout.index_layout,
    )
