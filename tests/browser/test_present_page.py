"""Presentation mode in a real headless Chromium at projector size (1366x768): keyboard only."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from dashboard.story import storage
from etl.scope import NATION
from etl.store import open_store
from tests.browser.conftest import recorded_page, screenshot
from tests.support import demo_store

pytestmark = pytest.mark.browser

NAME = "pan_yangtze"  # the default storyboard of 泛长三角
MAP = "#present-map .js-plotly-plot[data-painted]"


@pytest.fixture
def projector(browser, live_server):
    """A fresh page at projector size (1366x768) that records requests leaving the server."""
    page = recorded_page(browser, live_server, 1366, 768)
    yield page
    page.context.close()


def saved_titles() -> list[str]:
    engine = open_store(demo_store()[0])
    try:
        return [s.title for s in storage.load_storyboard(engine, NAME, scope=NATION).slides]
    finally:
        engine.dispose()


def counter(page) -> str:
    return page.inner_text("#present-counter")


def wait_for_slide(page, number: int, total: int) -> None:
    page.wait_for_function(
        f"document.getElementById('present-counter').textContent === '{number} / {total}'",
        timeout=15_000,
    )
    page.wait_for_selector(MAP, timeout=15_000)
    page.wait_for_function("document.fonts.status === 'loaded'")


def test_keyboard_steps_through_every_slide_and_esc_leaves(projector, live_server):
    page = projector
    page.goto(f"{live_server}/present/{NAME}")
    page.wait_for_selector(MAP, timeout=30_000)
    titles = saved_titles()
    total = len(titles)
    assert total >= 4
    assert not page.locator(".yp-header").is_visible()  # no editing chrome
    assert counter(page) == f"1 / {total}"
    assert page.inner_text("#present-title") == titles[0]
    narrative = page.inner_text("#present-narrative")
    assert narrative.startswith("泛长三角流入人口") and "婚育证明验证率" in narrative
    screenshot(page, "present-1366-slide1")

    keys = ["ArrowRight", " ", "PageDown"]
    for number in range(2, total + 1):
        page.keyboard.press(keys[number % len(keys)])
        wait_for_slide(page, number, total)
        page.wait_for_function(
            "t => document.getElementById('present-title').textContent === t",
            arg=titles[number - 1],
        )
        assert f"slide={number}" in page.url
        screenshot(page, f"present-1366-slide{number}")
    page.keyboard.press("ArrowRight")  # past the end: stays on the last slide
    page.wait_for_timeout(300)
    assert counter(page) == f"{total} / {total}"

    page.keyboard.press("PageUp")
    wait_for_slide(page, total - 1, total)
    page.keyboard.press("Home")
    wait_for_slide(page, 1, total)
    assert page.inner_text("#present-title") == titles[0]
    page.keyboard.press("End")
    wait_for_slide(page, total, total)
    page.keyboard.press("ArrowLeft")
    wait_for_slide(page, total - 1, total)

    # the text fits the projector: nothing of the deck spills out of the window
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    assert page.foreign_requests == []

    page.keyboard.press("Escape")
    page.wait_for_url(f"{live_server}/", timeout=10_000)
    page.wait_for_selector(".yp-header", state="visible")


def test_english_deck_opens_on_the_linked_slide(projector, live_server):
    page = projector
    page.goto(f"{live_server}/present/{NAME}?slide=2&lang=en")
    page.wait_for_selector(MAP, timeout=30_000)
    total = len(saved_titles())
    assert counter(page) == f"2 / {total}"
    assert page.inner_text("#present-narrative").startswith("Pan-Yangtze-Delta: inflow")
    assert "prefectures at target" in page.inner_text("#present-narrative")
    screenshot(page, "present-1366-en-slide2")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{live_server}/?lang=en", timeout=10_000)


def test_unknown_storyboard_lists_the_saved_ones(page, live_server):
    page.goto(f"{live_server}/present/nope")
    page.wait_for_selector("text=没有这个演示稿", timeout=15_000)
    assert page.locator(f"a[href='/present/{NAME}']").count() == 1


def test_editor_renames_reorders_deletes_and_adds_from_a_link(page, live_server):
    engine = open_store(demo_store()[0])
    try:
        page.goto(f"{live_server}/storyboards?name=northwest")
        page.wait_for_selector(".yp-story-slide", timeout=15_000)
        before = storage.load_storyboard(engine, "northwest", scope=NATION)
        n = len(before.slides)

        title = page.locator("input[id*='storyboards-title'][id*='\"index\":0']")
        title.fill("西北：开场")
        page.click("text=保存标题和要点")
        page.wait_for_selector("text=已保存。")
        assert storage.load_storyboard(engine, "northwest", scope=NATION).slides[0].title == "西北：开场"

        page.locator("button[id*='storyboards-up'][id*='\"index\":1']").click()
        page.wait_for_function(
            "() => document.querySelector(\"input[id*='\\\"index\\\":1']\").value === '西北：开场'"
        )
        moved = storage.load_storyboard(engine, "northwest", scope=NATION)
        assert [s.title for s in moved.slides[:2]] == [before.slides[1].title, "西北：开场"]

        page.locator("button[id*='storyboards-delete'][id*='\"index\":0']").click()
        page.wait_for_function(
            f"() => document.querySelectorAll('.yp-story-slide').length === {n - 1}"
        )
        assert storage.load_storyboard(engine, "northwest", scope=NATION).slides[0].title == "西北：开场"

        page.fill("#storyboards-new-name", "测试演示稿")
        page.fill(
            "#storyboards-new-url",
            f"{live_server}/?measure=health_check&level=county&period=2012-11",
        )
        page.fill("#storyboards-new-title", "康检率（县区）")
        page.click("#storyboards-add")
        # the page was on ?name=northwest already: wait for the new board's own URL (saved first)
        page.wait_for_url(lambda url: f"name={quote('测试演示稿')}" in url, timeout=10_000)
        page.wait_for_selector("input[value='康检率（县区）']", timeout=10_000)
        added = storage.load_storyboard(engine, "测试演示稿", scope=NATION)
        assert added.slides[0].view.measure == "health_check"
        assert (added.slides[0].view.level, added.slides[0].view.period) == ("county", "2012-11")
        screenshot(page, "storyboards-editor")
    finally:
        storage.save_storyboard(engine, before, scope=NATION)
        storage.delete_storyboard(engine, "测试演示稿", scope=NATION)
        engine.dispose()
