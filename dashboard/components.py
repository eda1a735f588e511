"""Small layout pieces shared by the pages."""

from __future__ import annotations

from dash import dcc, html


def control(label: str, component, grow: bool = False) -> html.Div:  # noqa: ANN001 - any Dash component
    """A labelled control for a page's control bar (``grow``: takes the remaining width)."""
    return html.Div(
        [html.Label(label), component], className="yp-control" + (" yp-grow" if grow else "")
    )


def loading(child) -> dcc.Loading:  # noqa: ANN001 - any Dash component
    """A spinner over ``child`` only when an update takes longer than a blink."""
    return dcc.Loading(
        child, delay_show=400, overlay_style={"visibility": "visible", "opacity": 0.6}
    )
