"""The page packages: every page registered at its URL, unique page-prefixed component IDs, and
each app (even a second one in the same process) gets every page's callbacks."""

from __future__ import annotations

import dash

from dashboard import ids
from dashboard.factory import create_app
from dashboard.pages import PAGES
from etl.store import open_store
from tests.support import layer_cache

URLS = {
    "dashboard.pages.overview": "/",
    "dashboard.pages.flows": "/flows",
    "dashboard.pages.areas": "/areas",
    "dashboard.pages.area": "/area/<adcode>",
    "dashboard.pages.hotspots": "/hotspots",
    "dashboard.pages.assessment": "/assessment",
    "dashboard.pages.monitoring": "/monitoring",
    "dashboard.pages.scenarios": "/scenarios",
    "dashboard.pages.present": "/present/<name>",
    "dashboard.pages.present_index": "/present",
    "dashboard.pages.storyboards": "/storyboards",
}


def _app(path) -> dash.Dash:
    url = f"sqlite:///{path}"
    open_store(url, create=True).dispose()  # a brand-new store, as the first start makes it
    return create_app(layer_cache(), url)


def _outputs(app: dash.Dash) -> set[str]:
    """The component IDs the app's callbacks write to."""
    app._setup_server()  # what Dash does before the first request: take the declared callbacks
    return {key for key in app.callback_map}


def test_every_page_is_registered_at_its_url(tmp_path):
    _app(tmp_path / "empty.sqlite")
    registered = {
        module: page["path_template"] or page["path"]
        for module, page in dash.page_registry.items()
        if module.startswith("dashboard.pages")
    }
    assert registered == URLS
    assert all(callable(dash.page_registry[m]["layout"]) for m in URLS)
    assert {m.split(".")[2].removesuffix("_index") for m in URLS} == set(PAGES)


def test_a_second_app_gets_every_callback(tmp_path):
    first = _outputs(_app(tmp_path / "one.sqlite"))
    second = _outputs(_app(tmp_path / "two.sqlite"))
    assert second == first
    for component in (ids.OVERVIEW_VALUES, ids.FLOWS_LINES, ids.AREA_MAP, ids.SCENARIOS_MAP,
                      ids.PRESENT_TITLE, ids.STORYBOARDS_SLIDES, ids.AREAS_PICKER):  # fmt: skip
        assert any(component in output for output in second), component


def test_component_ids_are_unique_and_page_prefixed():
    names = {k: v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}
    assert len(set(names.values())) == len(names)
    prefixes = ("shell", "export", *PAGES)  # export: the download menu under every map
    for constant, value in names.items():
        page = value.split("-")[0]
        assert page in prefixes or page.rstrip("s") in prefixes, value
        assert constant.lower().replace("_", "-") == value, (constant, value)
