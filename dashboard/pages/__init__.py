"""The dashboard's pages, one package each: ``layout`` (the layout function, the page's URL
parameters as keyword arguments), ``callbacks`` (thin callbacks), ``view`` (the builders the layout
and callbacks call) and ``register()`` in its ``__init__`` (path and title).

Dash's ``pages_folder`` discovery imports plain modules only (it skips ``__init__.py``), so the
app registers the packages explicitly with :func:`register_pages` once it exists. Dash gives the
callbacks declared with ``dash.callback`` to the next app that starts serving, so every app runs
the callback modules afresh (as Dash's own discovery re-executes page files): a second app in one
process (the tests) gets its own callbacks.
"""

from __future__ import annotations

import importlib
import sys

PAGES = ("overview", "flows", "areas", "area", "hotspots", "assessment", "monitoring", "scenarios", "present",
         "storyboards")  # fmt: skip


def register_pages() -> None:
    """Register every page and its callbacks (and the shell's) with the Dash app just created."""
    _execute("dashboard.shell_callbacks")
    for name in PAGES:
        package = importlib.import_module(f"{__name__}.{name}")
        package.register()
        _execute(f"{package.__name__}.callbacks")


def _execute(module: str) -> None:
    """Import ``module``, or run it again if an earlier app imported it."""
    if module in sys.modules:
        importlib.reload(sys.modules[module])
    else:
        importlib.import_module(module)
