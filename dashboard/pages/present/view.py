"""The presentation's pieces: its strings, the slide's narrative and table, and what its map
figure depends on."""

from __future__ import annotations

from dash import html

from dashboard.story.slides import SlideParts


def map_key(parts: SlideParts) -> str:
    """What the map figure depends on (colours travel separately)."""
    return f"{parts.level}|{parts.scope}"


def narrative_lines(parts: SlideParts) -> list:
    return [html.P(line) for line in parts.narrative]


def slide_table(parts: SlideParts) -> html.Table:
    header, *rows = parts.table
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(c) for c in header])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        className="yp-slide-table",
    )
