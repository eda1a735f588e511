"""Storyboard values: a view, a slide, a storyboard, and pure edits of them.

A *view* is what a slide shows: the page (``overview`` or ``area``), the collaboration region it
speaks of (region code, may be empty: national), the map level, the measure (a flow measure or an
indicator flag), the period (``YYYY-MM``; empty: the latest), an area code for drill-down views
(a pilot county or prefecture) and an optional scenario name (kept, not yet used by any page).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from dashboard.i18n import N_, gettext

PAGES = ("overview", "area")


NEEDS_NAME = N_("A storyboard needs a name.")
NAME_TAKEN = N_("The name “{name}” is taken by a storyboard outside your scope: pick another name.")


class StoryboardError(ValueError):
    """A storyboard or slide edit that cannot be made (unknown name, index out of range).

    ``message``: an English template marked for translation (``N_``), with ``params`` its values;
    ``str()`` is the English text (the command line), ``text()`` the reader's language (pages).
    """

    def __init__(self, message: str, **params: object) -> None:
        self.template, self.params = message, params
        super().__init__(message.format(**params))

    def text(self) -> str:
        return gettext(self.template).format(**self.params)


@dataclass(frozen=True)
class View:
    page: str = "overview"
    region: str = ""
    level: str = "prefecture"
    measure: str = "cert_verified"
    period: str = ""
    area: str = ""
    scenario: str = ""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> View:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: str(v) for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Slide:
    view: View
    title: str
    message: str = ""


@dataclass(frozen=True)
class Storyboard:
    name: str
    slides: tuple[Slide, ...] = field(default_factory=tuple)


def view_from_url(url: str, region: str = "") -> View:
    """The view of an overview (``/?measure=&level=&period=``) or drill-down (``/area/<code>``) URL."""
    parts = urlsplit(url.strip())
    query = dict(parse_qsl(parts.query))
    path = parts.path or "/"
    common = {k: query[k] for k in ("measure", "level", "period") if query.get(k)}
    if path.startswith("/area/"):
        code = path.removeprefix("/area/").strip("/")
        return View(**{"level": "county", **common, "page": "area", "region": region, "area": code})
    if path not in ("/", ""):
        raise StoryboardError(
            N_("“{url}” is not an overview (/) or drill-down (/area/<code>) link"), url=url
        )
    return View(page="overview", region=region, **common)


def _check(board: Storyboard, index: int) -> None:
    if not 0 <= index < len(board.slides):
        raise StoryboardError(
            N_("Storyboard “{name}” has {count} slides: there is no slide {number}."),
            name=board.name, count=len(board.slides), number=index + 1,
        )


def move_slide(board: Storyboard, index: int, to: int) -> Storyboard:
    """The storyboard with slide ``index`` moved to position ``to`` (clamped to the ends)."""
    _check(board, index)
    slides = list(board.slides)
    slide = slides.pop(index)
    slides.insert(max(0, min(to, len(slides))), slide)
    return dataclasses.replace(board, slides=tuple(slides))


def delete_slide(board: Storyboard, index: int) -> Storyboard:
    _check(board, index)
    return dataclasses.replace(board, slides=board.slides[:index] + board.slides[index + 1 :])


def edit_slide(board: Storyboard, index: int, title: str, message: str) -> Storyboard:
    _check(board, index)
    slide = dataclasses.replace(board.slides[index], title=title, message=message)
    return dataclasses.replace(
        board, slides=board.slides[:index] + (slide,) + board.slides[index + 1 :]
    )


def add_slide(board: Storyboard, slide: Slide) -> Storyboard:
    return dataclasses.replace(board, slides=(*board.slides, slide))
