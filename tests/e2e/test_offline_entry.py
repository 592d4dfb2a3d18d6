"""Offline entry in Chromium with the real entry forms: a theme day, a check-in and a study note
saved with no network show 已离线保存 and the outbox count, survive a reload, and sync by themselves
exactly once when the network returns; a save lost in a dead zone is kept; queued items survive a
service-worker upgrade."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e import offline_app
from tests.e2e.offline_app import network_off, network_on, open_entry, poll
from tests.e2e.conftest import DESKTOP, sign_in
from webapp.extensions import db
from webapp.models import CheckIn, Organization, Record, StudyNote, User

FIELD_BRANCH = "长江中游水文测验项目临时党支部"

pytestmark = pytest.mark.usefixtures("server_back")  # tests stop the server: no signal

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = offline_app.start(tmp_path_factory.mktemp("offline"))
    yield server
    server.stop()
    with server.app.app_context():
        db.engine.dispose()


def org_id(server) -> int:
    with server.app.app_context():
        return db.session.scalar(select(Organization.id).where(Organization.name == FIELD_BRANCH))


def count(server, model, **where) -> int:
    with server.app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def fill_theme_day(page, topic: str, place: str = "城南水文站院内"):
    page.get_by_label("主题", exact=True).fill(topic)
    page.get_by_label("开始").fill("09:00")
    page.get_by_label("结束").fill("10:30")
    page.get_by_label("地点").fill(place)
    for item in ("集体诵读党章", "组织集中学习", "交纳当月党费"):
        page.get_by_label(item).check()


def save(page):
    # The form's own submit button (dispatched: on a 390 px viewport Playwright reports the
    # record form's fieldset as covering the button while it scrolls).
    page.locator("form[data-offline-entity] button[type=submit]").last.dispatch_event("click")


def test_offline_theme_day_check_in_and_note_sync_once_when_back_online(server, phone, browser):
    base, oid = server.url, org_id(server)
    with server.app.app_context():
        latest = db.session.scalar(select(Record.uuid).where(Record.topic == "汛后总结 重温入党誓词"))
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    open_entry(page, base, oid)
    page.goto(f"{base}/records/{latest}")  # the activity to check in to, opened once online

    network_off(phone, server)
    page.goto(f"{base}/records/new/{oid}/theme_day")  # opens from the phone's cache
    fill_theme_day(page, "离线主题党日：学习党章")
    save(page)
    expect(page.locator(".outbox-flash")).to_contain_text("已离线保存")
    expect(page.locator("[data-outbox-badge]")).to_have_text("1")
    expect(page.get_by_label("主题", exact=True)).to_have_value("")  # a second tap saves nothing twice

    page.goto(f"{base}/records/{latest}")
    page.get_by_role("button", name="签到").click()
    expect(page.locator(".outbox-flash")).to_contain_text("待同步 2 项")
    expect(page.get_by_text("已离线签到，联网后自动同步")).to_be_visible()

    page.goto(f"{base}/study/notes/new/{oid}")
    page.get_by_label("学习日期").fill(page.evaluate("() => new Date().toISOString().slice(0, 10)"))
    page.get_by_label("学习主题").fill("离线学习笔记")
    page.get_by_label("笔记内容").fill("第一章 总纲")
    save(page)
    expect(page.locator(".outbox-flash")).to_contain_text("待同步 3 项")
    expect(page.locator("[data-outbox-badge]")).to_have_text("3")

    page.goto(base + "/offline/outbox")
    page.reload()  # still offline: the page and the queue survive a reload
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "3")
    expect(page.locator("[data-outbox-item]")).to_have_count(3)
    assert count(server, Record, topic="离线主题党日：学习党章") == 0

    network_on(phone, server)  # the page's online handler replays by itself
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
    expect(page.locator('[data-outbox-item][data-state="sent"]')).to_have_count(3)
    page.get_by_role("button", name="立即同步").click()  # syncing again sends nothing new
    page.wait_for_function("() => !window.ZhibuOutbox.state.syncing")
    assert count(server, Record, topic="离线主题党日：学习党章") == 1
    assert count(server, StudyNote, topic="离线学习笔记") == 1
    with server.app.app_context():
        record = db.session.scalar(select(Record).where(Record.topic == "离线主题党日：学习党章"))
        assert record.meets_standard is True and record.versions[0].source == "sync"
        new_uuid = record.uuid
        dangyuan = db.session.scalar(select(User.id).where(User.username == "dangyuan"))
        target = db.session.scalar(select(Record.id).where(Record.uuid == latest))
    assert count(server, CheckIn, record_id=target, user_id=dangyuan) == 1

    # The temporary branch's leader sees the record on the desktop.
    desktop = browser.new_context(**DESKTOP)
    try:
        leader = desktop.new_page()
        sign_in(leader, base, "linshi")
        leader.goto(f"{base}/records/{new_uuid}")
        expect(leader.get_by_role("heading", level=1)).to_contain_text("离线主题党日：学习党章")
    finally:
        desktop.close()


def test_save_lost_in_a_dead_zone_is_kept_offline(server, phone):
    """Online by the browser's account, but the post never reaches the server."""
    base, oid = server.url, org_id(server)
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    open_entry(page, base, oid)
    dead_zone = re.compile(r".*/records/new/\d+/theme_day$")
    phone.route(dead_zone, lambda route: route.abort("internetdisconnected")
                if route.request.method == "POST" else route.continue_())
    fill_theme_day(page, "信号不好时保存的记录", "江边测流断面")
    save(page)
    expect(page.locator(".flash")).to_contain_text("已离线保存", timeout=10000)
    phone.unroute(dead_zone)
    page.goto(base + "/offline/outbox")
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
    assert count(server, Record, topic="信号不好时保存的记录") == 1


def test_service_worker_upgrade_keeps_queued_items(server, phone):
    base, oid = server.url, org_id(server)
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    open_entry(page, base, oid)

    network_off(phone, server)
    fill_theme_day(page, "升级前排队的记录", "野外站")
    save(page)
    expect(page.locator(".outbox-flash")).to_contain_text("已离线保存")

    # The network returns for everything but the sync API and one kept entry page (so the new worker
    # cannot fetch that page afresh); a new worker version is deployed.
    sync_api = re.compile(r".*/api/sync/.*")
    phone.route(sync_api, lambda route: route.abort())
    notes_page = f"/study/notes/new/{oid}"
    phone.route(re.compile(".*" + re.escape(notes_page) + "$"), lambda route: route.abort())
    network_on(phone, server)
    server.sw_version = "e2e-upgrade"
    try:
        page.evaluate("""() => new Promise((resolve) => {
            navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true), { once: true });
            navigator.serviceWorker.getRegistration().then((reg) => reg.update());
        })""")
        poll(page, """async () => { const names = await caches.keys();
            return names.includes('zhibu-shell-ve2e-upgrade')
                && !names.some((n) => n.startsWith('zhibu-') && !n.endsWith('-ve2e-upgrade')); }""")
        # The page the old worker kept is still there for offline use.
        assert page.evaluate("""async (path) => !!(await (await caches.open('zhibu-pages-ve2e-upgrade'))
            .match(path))""", notes_page)
        page.goto(base + "/offline/outbox")
        expect(page.locator('[data-outbox-item][data-state="waiting"]')).to_have_count(1)
        assert count(server, Record, topic="升级前排队的记录") == 0

        phone.unroute(sync_api)
        page.get_by_role("button", name="立即同步").click()
        expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
        assert count(server, Record, topic="升级前排队的记录") == 1
    finally:
        server.sw_version = None


def test_photo_taken_offline_arrives_with_its_record(server, phone, tmp_path):
    import io

    from PIL import Image

    from webapp.models import Photo

    base, oid = server.url, org_id(server)
    picture = tmp_path / "site.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (30, 90, 160)).save(buffer, "JPEG")
    picture.write_bytes(buffer.getvalue())
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    open_entry(page, base, oid)

    network_off(phone, server)
    fill_theme_day(page, "带照片的离线主题党日")
    page.locator("#photo-input").set_input_files(str(picture))
    hidden = page.locator("form[data-offline-entity] input[type=hidden][name=photos]")
    expect(hidden).to_have_count(1, timeout=15000)
    sha = hidden.get_attribute("value")
    poll(page, f"async () => (await window.ZhibuOutbox.photos()).some((p) => p.sha256 === '{sha}')")
    save(page)
    expect(page.locator(".outbox-flash")).to_contain_text("已离线保存")
    expect(hidden).to_have_count(0)  # the next record starts without this photo
    assert count(server, Photo, sha256=sha) == 0

    network_on(phone, server)
    page.goto(base + "/offline/outbox")
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
    poll(page, "async () => (await window.ZhibuOutbox.photos()).length === 0")
    assert count(server, Photo, sha256=sha) == 1
    with server.app.app_context():
        record = db.session.scalar(select(Record).where(Record.topic == "带照片的离线主题党日"))
        assert [p.sha256 for p in record.photos] == [sha] and record.photos_missing == 0


def test_expired_session_does_not_block_sync(server, phone):
    """Signed out while offline (cookies gone): the device's own credential still syncs the queue."""
    base, oid = server.url, org_id(server)
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    open_entry(page, base, oid)
    network_off(phone, server)
    fill_theme_day(page, "会话过期后同步的记录")
    save(page)
    expect(page.locator(".outbox-flash")).to_contain_text("已离线保存")
    phone.clear_cookies()
    page.goto(base + "/offline/outbox")  # from the cache: the server would ask to sign in
    network_on(phone, server)
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
    assert count(server, Record, topic="会话过期后同步的记录") == 1
    assert page.request.get(base + "/me", max_redirects=0).status == 302  # really signed out


def test_revoked_device_keeps_its_queue_asks_to_sign_in_and_then_drains(server, phone):
    """A password changed or reset revokes the person's device tokens and ends the session: the
    phone keeps everything queued, asks to sign in, and after signing in sends each item once."""
    from sqlalchemy import update

    from webapp.models import Device
    from webapp.models.base import utcnow

    base, oid = server.url, org_id(server)
    topics = ["凭据停用前排队的第一条", "凭据停用前排队的第二条"]
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    open_entry(page, base, oid)
    # The server process stopped: offline for the worker's own fetches (Background Sync) too.
    server.stop()
    try:
        for number, topic in enumerate(topics, start=1):
            page.goto(f"{base}/records/new/{oid}/theme_day")  # from the cache
            fill_theme_day(page, topic)
            save(page)  # the worker keeps the post it could not deliver and shows the outbox
            page.wait_for_url(base + "/offline/outbox")
            expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", str(number))
        expect(page.locator(".outbox-flash")).to_contain_text("已离线保存")

        with server.app.app_context():
            me = db.session.scalar(select(User.id).where(User.username == "dangyuan"))
            db.session.execute(update(Device).where(Device.user_id == me).values(revoked_at=utcnow()))
            db.session.commit()
        phone.clear_cookies()
    finally:
        server.start()  # back: the page's own retry finds the credential revoked

    prompt = page.locator("[data-outbox-signin]")
    expect(prompt).to_contain_text("重新登录", timeout=30000)
    expect(prompt).to_contain_text("待同步的 2 项仍保存在手机上")
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "2")
    assert all(count(server, Record, topic=topic) == 0 for topic in topics)

    prompt.get_by_role("link", name="重新登录").click()
    page.get_by_label("手机号或用户名").fill("dangyuan")
    page.get_by_label("密码", exact=True).fill("zhibu-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/offline/outbox")
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
    expect(page.locator('[data-outbox-item][data-state="sent"]')).to_have_count(2)
    expect(page.locator("[data-outbox-signin]")).to_have_count(0)
    assert all(count(server, Record, topic=topic) == 1 for topic in topics)
    with server.app.app_context():
        active = db.session.scalar(select(func.count()).select_from(Device).where(
            Device.user_id == me, Device.revoked_at.is_(None)))
    assert active == 1  # registered anew after signing in
