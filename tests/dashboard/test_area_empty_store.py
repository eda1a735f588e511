"""The drill-down pages over an empty store: a clear message, no traceback."""

from __future__ import annotations

from dashboard import ids
from dashboard.data.store import reading_as
from dashboard.factory import create_app
from etl import store
from etl.scope import NATION
from tests.support import layer_cache


def test_an_empty_store_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    store.open_store(url, create=True).dispose()  # a brand-new store, as the first start makes it
    app = create_app(layer_cache(), url)
    from dashboard.pages.area import layout as area
    from dashboard.pages.areas import layout as areas

    with app.server.test_request_context("/area/310115"), reading_as(NATION):
        layout = area.layout(adcode="310115", lang="zh")
        assert "库中尚无汇总数据" in str(layout.to_plotly_json())
        menu = areas.layout().to_plotly_json()
        assert ids.AREAS_PILOTS in str(menu) and "浦东新区" in str(menu)
