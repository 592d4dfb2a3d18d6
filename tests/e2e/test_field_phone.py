"""The field phone with the server process really stopped (issue 16), on a 360 px phone: after a
fresh sign-in and no other navigation, every entry form and the member's returned record (and its
edit page) are reached by tapping only; a page the phone does not hold says so in place; an outbox
exported on one phone is imported on a second browser profile and applied once."""
from __future__ import annotations

import json
from collections import deque

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e import offline_app
from tests.e2e.conftest import PHONE, sign_in
from tests.records_helpers import theme_day_data
from webapp.extensions import db
from webapp.models import Organization, Record, User

FIELD_BRANCH = "长江中游水文测验项目临时党支部"
PHONE_360 = {**PHONE, "viewport": {"width": 360, "height": 780}}

pytestmark = pytest.mark.usefixtures("server_back")  # tests stop the server: no signal

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = offline_app.start(tmp_path_factory.mktemp("field-phone"))
    yield server
    server.stop()
    with server.app.app_context():
        db.engine.dispose()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE_360, service_workers="allow")
    yield context
    context.close()


def poll(page, check: str, timeout_ms: int = 30000):
    assert page.evaluate("""async ([check, limit]) => {
        const ok = new Function("return (" + check + ")()");
        const end = Date.now() + limit;
        while (Date.now() < end) {
            try { if (await ok()) return true; } catch (e) { /* not ready yet */ }
            await new Promise((r) => setTimeout(r, 150));
        }
        return false;
    }""", [check, timeout_ms]), check


def held_everything(page):
    """Wait (without navigating) until the worker controls the page and keeps every listed page."""
    poll(page, "() => navigator.serviceWorker.controller !== null")
    poll(page, """async () => {
        const snap = await window.ZhibuOutbox.snapshot();
        if (!snap || !snap.offline_pages || !snap.offline_pages.length) return false;
        for (const p of snap.offline_pages) {
            let found = false;
            for (const name of await caches.keys()) {
                if (name.startsWith('zhibu-pages-v') && await (await caches.open(name)).match(p.url)) found = true;
            }
            if (!found) return false;
        }
        return true; }""", 60000)
    return page.evaluate("async () => (await window.ZhibuOutbox.snapshot()).offline_pages")


def returned_record(server) -> str:
    from webapp.records import service

    with server.app.app_context():
        org = db.session.scalar(select(Organization).where(Organization.name == FIELD_BRANCH))
        me = db.session.scalar(select(User).where(User.username == "dangyuan"))
        leader = db.session.scalar(select(User).where(User.username == "linshi"))
        record = service.create_record(org, "theme_day", theme_day_data(org, topic="被退回待补充的主题党日"), me)
        db.session.flush()
        service.return_for_correction(record, leader, "请补充会议地点")
        db.session.commit()
        return record.uuid


def tap_path(page, base, path):
    """Reopen the app at its start page, then reach a page by tapping links only."""
    page.goto(base + "/")
    for href in path:
        page.locator(f'a[href="{href}"]:visible').first.click()
        page.wait_for_url(base + href)
        expect(page.locator("main h1").first).to_be_visible()


def test_after_a_fresh_sign_in_every_entry_form_and_the_returned_record_are_reached_by_tapping(server, phone):
    uuid = returned_record(server)
    with server.app.app_context():
        oid = db.session.scalar(select(Organization.id).where(Organization.name == FIELD_BRANCH))
    base = server.url
    page = phone.new_page()
    sign_in(page, base, "dangyuan")  # and no other navigation
    pages = held_everything(page)
    held = {p["url"] for p in pages}
    targets = {u for u in held if u.startswith(("/records/new/", "/study/notes/new/")) or u.endswith("/pay")}
    targets |= {f"/records/{uuid}", f"/records/{uuid}/edit"}
    assert {f"/records/new/{oid}/theme_day", f"/dues/{oid}/pay"} <= targets <= held

    server.stop()  # the server process is gone: every fetch, the worker's too, is refused
    page.close()
    page = phone.new_page()
    page.goto(base + "/")  # reopen the app
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")

    # Breadth first over links, by tapping only, through the pages the phone holds.
    reached, queue = {"/": []}, deque(["/"])
    while queue and not targets <= set(reached):
        url = queue.popleft()
        tap_path(page, base, reached[url])
        hrefs = page.eval_on_selector_all("main a[href]:visible, nav.bottom-nav a[href]",
                                          "els => els.map(a => new URL(a.href).pathname)")
        for href in hrefs:
            if href in held and href not in reached:
                reached[href] = reached[url] + [href]
                queue.append(href)
    assert targets <= set(reached), sorted(targets - set(reached))
    tap_path(page, base, reached[f"/records/{uuid}/edit"])
    expect(page.get_by_label("主题", exact=True)).to_have_value("被退回待补充的主题党日")

    # A link to a page the phone does not hold says so at once, in place, and offers what it holds.
    tap_path(page, base, reached["/me"] if "/me" in reached else [])
    missing = page.eval_on_selector_all("main a[href]:visible", f"""els => els.map(a => new URL(a.href).pathname)
        .filter(p => !{json.dumps(sorted(held))}.includes(p) && p !== '/logout')""")
    assert missing
    link = page.locator(f'main a[href="{missing[0]}"]:visible').first
    link.click()
    notice = page.locator("[data-offline-missing]")
    expect(notice).to_contain_text("没有保存在手机上", timeout=5000)
    expect(notice.locator("a", has_text="记录").first).to_be_visible()
    assert page.url.endswith("/me")  # still in place

    # With the phone's network off too (the browser knows): answered before any request is tried.
    phone.set_offline(True)
    tap_path(page, base, reached["/me"])
    page.locator(f'main a[href="{missing[0]}"]:visible').first.click()
    expect(page.locator("[data-offline-missing]")).to_contain_text("没有保存在手机上", timeout=5000)
    page.locator("[data-offline-missing] a", has_text="记录").first.click()  # what it holds opens
    page.wait_for_url(base + "/records/")
    phone.set_offline(False)


def count(server, model, **where) -> int:
    with server.app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def test_an_outbox_exported_on_one_phone_is_imported_on_another_and_applied_once(server, browser, phone, tmp_path):
    with server.app.app_context():
        oid = db.session.scalar(select(Organization.id).where(Organization.name == FIELD_BRANCH))
    base = server.url
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    held_everything(page)
    topics = ["导出导入的第一条", "导出导入的第二条"]

    server.stop()
    for topic in topics:
        page.goto(f"{base}/records/new/{oid}/theme_day")
        page.get_by_label("主题", exact=True).fill(topic)
        page.get_by_label("开始").fill("09:00")
        page.get_by_label("结束").fill("10:30")
        page.get_by_label("地点").fill("测流断面")
        page.locator("form[data-offline-entity] button[type=submit]").dispatch_event("click")
        page.wait_for_url(base + "/offline/outbox")
    expect(page.locator("[data-outbox-item]")).to_have_count(2)
    item = page.locator("[data-outbox-item]").first
    expect(item).to_contain_text("主题党日：导出导入的第二条")  # type and topic, not the branch twice
    expect(item).to_contain_text("年")  # the date, the Chinese way
    expect(page.locator("[data-outbox-storage]")).to_contain_text("待同步内容")  # space used, shown
    with page.expect_download() as download:
        page.get_by_role("button", name="导出为文件").click()
    exported = tmp_path / "outbox.json"
    download.value.save_as(exported)
    assert len(json.loads(exported.read_text())["items"]) == 2

    server.start()
    # A second browser profile (another phone), after sign-in: import the file twice.
    other = browser.new_context(**PHONE_360, service_workers="allow")
    try:
        second = other.new_page()
        sign_in(second, base, "dangyuan")
        second.goto(base + "/offline/outbox")
        second.locator("input[data-outbox-import]").set_input_files(str(exported))
        expect(second.locator(".outbox-flash")).to_contain_text("已导入 2 项")
        expect(second.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=30000)
        second.locator("input[data-outbox-import]").set_input_files(str(exported))
        expect(second.locator(".outbox-flash")).to_contain_text("已导入 0 项")
        assert all(count(server, Record, topic=t) == 1 for t in topics)
    finally:
        other.close()

    # The first phone gets its network back and sends its own copies: still once each.
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=30000)
    expect(page.locator('[data-outbox-item][data-state="sent"]')).to_have_count(2)
    assert all(count(server, Record, topic=t) == 1 for t in topics)


def test_theme_day_form_on_a_360_px_phone(server, phone):
    """全部出席 then untick with a live count; each leave reason beside its own name, only for those
    not ticked; every control at least 44×44 px; the date the Chinese way; a meeting ending later
    today is warned about, not blocked."""
    with server.app.app_context():
        oid = db.session.scalar(select(Organization.id).where(Organization.name == FIELD_BRANCH))
    base = server.url
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    page.goto(f"{base}/records/new/{oid}/theme_day")
    rows = page.locator("[data-attend-row]")
    expected = rows.count()
    assert expected >= 3
    expect(page.locator("[data-count-expected]")).to_have_text(str(expected))
    page.get_by_role("button", name="全部出席").click()
    expect(page.locator("[data-count-present]")).to_have_text(str(expected))
    expect(page.locator("[data-attend-reason]:visible")).to_have_count(0)  # no reasons asked of attendees
    rows.nth(0).locator("label.chip").click()
    rows.nth(1).locator("label.chip").click()
    expect(page.locator("[data-count-present]")).to_have_text(str(expected - 2))
    expect(page.locator("[data-count-absent]")).to_have_text("2")
    expect(page.locator("[data-attend-reason]:visible")).to_have_count(2)
    reason = rows.nth(0).locator("input[name^=leave_reason_]")
    reason.fill("外出测流")
    expect(page.locator("[data-count-leave]")).to_have_text("1")
    expect(page.locator("[data-count-absent]")).to_have_text("1")

    # Beside its own name: on the same line, nearer its own name than the next person's.
    for i in (0, 1):
        name = rows.nth(i).locator("label.chip").bounding_box()
        box = rows.nth(i).locator("input[name^=leave_reason_]").bounding_box()
        nxt = rows.nth(i + 1).locator("label.chip").bounding_box()
        assert abs((box["y"] + box["height"] / 2) - (name["y"] + name["height"] / 2)) < 8, (name, box)
        assert box["x"] > name["x"] + name["width"] - 1 and box["x"] - (name["x"] + name["width"]) < 24
        assert nxt["y"] > box["y"] + box["height"] - 1
        assert box["x"] + box["width"] <= 360

    # Every control a finger can hit is at least 44×44 px.
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
        'main button, main select, main textarea, main input:not([type=hidden]):not([type=checkbox]):not(.sr-only), '
        + 'main label.chip, main label.check, main label.btn, nav.bottom-nav a'))
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
        .filter(([, r]) => r.width < 44 || r.height < 44).map(([h, r]) => h + ' ' + r.width + 'x' + r.height)""")
    assert small == []

    # Dates the Chinese way, and a warning for a meeting that ends in the future (still saved).
    page.get_by_label("主题", exact=True).fill("还没开完的主题党日")
    expect(page.locator("[data-when-output]")).to_contain_text("年")
    expect(page.locator("[data-when-output]")).to_contain_text("日（周")
    page.get_by_label("开始").fill("00:00")
    page.get_by_label("结束").fill("23:59")
    expect(page.locator("[data-future-warning]")).to_be_visible()
    expect(page.locator("[data-future-warning]")).to_contain_text("结束时间还没到")
    page.get_by_label("结束").fill("00:01")
    expect(page.locator("[data-future-warning]")).to_be_hidden()


def test_quiet_when_there_is_nothing_to_do(server, browser, phone):
    """Desktop pages of a secretary call no sync API; on a phone with nothing queued and a fresh
    pull, page loads call none either and the badge stays hidden (no "同步中" flash)."""
    from tests.e2e.conftest import DESKTOP

    base = server.url
    desk = browser.new_context(**DESKTOP, service_workers="allow")
    try:
        calls: list[str] = []
        desk.on("request", lambda r: calls.append(r.url) if "/api/sync/" in r.url else None)
        page = desk.new_page()
        sign_in(page, base, "shuji")
        for path in ("/", "/records/", "/offline/outbox", "/"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)
        assert calls == []
        expect(page.locator("[data-outbox-badge]:visible")).to_have_count(0)
    finally:
        desk.close()

    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    held_everything(page)  # the first sign-in on a phone syncs once: device, pull, pages kept
    calls = []
    badge_seen = []
    phone.on("request", lambda r: calls.append(r.url) if "/api/sync/" in r.url else None)
    for path in ("/records/", "/study/", "/me", "/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        badge_seen.append(page.locator("[data-outbox-badge]:visible").count())
    page.wait_for_timeout(1000)
    assert calls == [] and badge_seen == [0, 0, 0, 0]
