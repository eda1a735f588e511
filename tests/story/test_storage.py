"""Storyboards round-trip through the store on SQLite: save, load, reorder, edit, delete."""

from __future__ import annotations

import pytest

from dashboard.i18n import language
from dashboard.story import storage
from dashboard.story.model import (
    Slide,
    Storyboard,
    StoryboardError,
    View,
    add_slide,
    delete_slide,
    edit_slide,
    move_slide,
    view_from_url,
)
from etl.scope import NATION
from etl.store import open_store


@pytest.fixture
def engine(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", create=True)
    yield engine
    engine.dispose()


def board() -> Storyboard:
    return Storyboard(
        "泛长三角 2012",
        (
            Slide(View(region="pan_yangtze", measure="inflow", level="province"), "流入", "要点一"),
            Slide(View(region="pan_yangtze", measure="cert_verified"), "验证率", ""),
            Slide(
                View(page="area", area="320200", level="county", period="2012-12"), "无锡", "试点"
            ),
        ),
    )


def test_round_trip(engine):
    storage.save_storyboard(engine, board(), scope=NATION)
    assert storage.list_storyboards(engine, scope=NATION) == ["泛长三角 2012"]
    assert storage.load_storyboard(engine, "泛长三角 2012", scope=NATION) == board()


def test_reorder_edit_delete_are_saved(engine):
    storage.save_storyboard(engine, board(), scope=NATION)
    created, _ = storage.saved_times(engine, "泛长三角 2012")
    edited = move_slide(board(), 2, 0)
    edited = edit_slide(edited, 1, "新标题", "新要点")
    edited = delete_slide(edited, 2)
    storage.save_storyboard(engine, edited, scope=NATION)
    loaded = storage.load_storyboard(engine, "泛长三角 2012", scope=NATION)
    assert [s.title for s in loaded.slides] == ["无锡", "新标题"]
    assert loaded.slides[1].message == "新要点"
    assert loaded.slides[0].view.area == "320200"
    assert storage.saved_times(engine, "泛长三角 2012")[0] == created


def test_several_storyboards_and_delete(engine):
    storage.save_storyboard(engine, board(), scope=NATION)
    other = add_slide(Storyboard("northwest"), Slide(View(region="northwest"), "西北", ""))
    storage.save_storyboard(engine, other, scope=NATION)
    assert storage.list_storyboards(engine, scope=NATION) == ["泛长三角 2012", "northwest"]
    storage.delete_storyboard(engine, "泛长三角 2012", scope=NATION)
    assert storage.list_storyboards(engine, scope=NATION) == ["northwest"]
    with pytest.raises(StoryboardError, match="no storyboard named") as refused:
        storage.load_storyboard(engine, "泛长三角 2012", scope=NATION)
    # English on the command line, the reader's language on a page
    assert str(refused.value) == "There is no storyboard named “泛长三角 2012”; saved ones: northwest."
    with language("zh"):
        assert refused.value.text() == "没有名为“泛长三角 2012”的演示稿；已保存的有：northwest。"
    with language("en"):
        assert refused.value.text() == str(refused.value)


def test_bad_edits_are_errors():
    with pytest.raises(StoryboardError, match="no slide 4"):
        delete_slide(board(), 3)
    assert move_slide(board(), 0, 99).slides[-1].title == "流入"


def test_view_from_url():
    view = view_from_url(
        "http://host:8050/?measure=health_check&level=county&period=2012-11&lang=en"
    )
    assert view == View(page="overview", level="county", measure="health_check", period="2012-11")
    area = view_from_url("/area/320200?period=2012-12", region="pan_yangtze")
    assert (area.page, area.area, area.level, area.region) == (
        "area",
        "320200",
        "county",
        "pan_yangtze",
    )
    with pytest.raises(StoryboardError):
        view_from_url("/flows?level=province")
