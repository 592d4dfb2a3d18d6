"""Each page loads only its own scripts (issue 16): a member who signs in lands on the home page
without the form scripts, taps through to the theme-day form by boosted navigation, and the form
still works offline because the scripts it names are loaded then, once. The scripts with work only
offline (links.js) or only while something is kept (storage.js) come when that happens."""
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

FIELD_BRANCH = "长江中游水文测验项目临时党支部"


def script_count(page, name: str) -> int:
    return page.evaluate("(name) => Array.from(document.scripts).filter((s) => s.src.includes(name)).length", name)


def test_boosted_navigation_loads_the_scripts_a_page_needs_once(live_server, phone):
    page = phone.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/login")
    assert script_count(page, "/offline/") == 0 and script_count(page, "htmx") == 0
    sign_in(page, live_server.url, "dangyuan")
    assert script_count(page, "/offline/sync.js") == 1
    assert script_count(page, "/offline/capture.js") == 0 and script_count(page, "/photos.js") == 0

    for _ in range(2):  # there and back twice: loaded the first time, never again
        page.get_by_role("navigation", name="底部导航").get_by_role("link", name="记录").click()
        page.wait_for_url(live_server.url + "/records/")
        page.locator("main a.list-link[href^='/records/new/']", has_text=FIELD_BRANCH).click()
        page.wait_for_url("**/records/new/*")
        page.locator("main a.list-link[href$='/theme_day']").click()
        page.wait_for_url("**/theme_day")
        expect(page.locator("form[data-offline-entity=record]")).to_be_visible()
        page.wait_for_function("() => window.Zhibu && window.Zhibu.capture && window.ZhibuOutbox")
        assert script_count(page, "/offline/capture.js") == 1
        assert script_count(page, "/photos.js") == 1
        assert script_count(page, "/offline/sync.js") == 1
        page.get_by_role("navigation", name="底部导航").get_by_role("link", name="首页").click()
        page.wait_for_url(live_server.url + "/")
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1  # all boosted

    # Online with nothing kept, on any page (the form included): neither links.js nor storage.js ...
    assert script_count(page, "/offline/links.js") == 0 and script_count(page, "/offline/storage.js") == 0
    # ... and the network gone, links.js comes (from the worker's shell), once.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.set_offline(True)
    try:
        page.wait_for_function("() => window.Zhibu.links && window.Zhibu.links.failed")
        assert script_count(page, "/offline/links.js") == 1 and script_count(page, "/offline/storage.js") == 0
    finally:
        phone.set_offline(False)
    assert not errors, errors
