"""发展党员 offline in Chromium on a 390 px phone: a contact (张晓燕) writes an observation report of the
activist she is responsible for with no network; it waits in the outbox, syncs by itself when the network
returns, exactly once, and appears on the secretary's board."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e import offline_app
from tests.e2e.offline_app import network_off, network_on, poll, take_control
from tests.e2e.conftest import DESKTOP, sign_in
from webapp.extensions import db
from webapp.models import DevelopmentNote, Membership, Organization, User

PLANNING = "规划计划处党支部"
REPORT = "汛期值守中主动承担夜班测报，思想汇报按时"

pytestmark = pytest.mark.usefixtures("server_back")  # tests stop the server: no signal

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = offline_app.start(tmp_path_factory.mktemp("development-offline"))
    yield server
    server.stop()
    with server.app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def activist(server):
    """An activist of the planning branch whose named contact is 张晓燕 (dangyuan); the branch secretary."""
    from webapp.passwords import hash_password
    from webapp.development import pipeline
    from webapp.roster import joining

    with server.app.app_context():
        branch = db.session.scalar(select(Organization).where(Organization.name == PLANNING))
        secretary = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.org_id == branch.id, Membership.title == "secretary"))
        contact = db.session.scalar(select(User).where(User.username == "dangyuan"))
        person = User(name="韩思远", phone="13800003333", password_hash=hash_password("zhibu-demo"))
        db.session.add(person)
        db.session.flush()
        joining.join(branch, person, {"relation": "home"}, secretary)
        start = date.today() - timedelta(days=300)
        for key, days in (("application", 0), ("application_talk", 20), ("activist_decided", 60),
                          ("contacts_named", 61)):
            pipeline.record_step(branch, person, key, {"done_on": (start + timedelta(days=days)).isoformat(),
                                                       "people": [str(contact.id)]}, secretary)
        db.session.commit()
        return {"org_id": branch.id, "person": person.name, "person_id": person.id,
                "secretary_phone": secretary.phone}


def notes(server) -> int:
    with server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(DevelopmentNote).where(DevelopmentNote.text == REPORT))


def test_contact_writes_an_observation_offline_and_it_reaches_the_board(server, activist, phone, browser):
    base, oid = server.url, activist["org_id"]
    form_path = f"/development/{oid}/notes/new"
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    take_control(page, base + form_path)  # online once: the worker takes control, the phone registers for sync
    poll(page, f"async () => !!(await caches.match('{form_path}', {{ ignoreVary: true }}))")

    network_off(phone, server)
    page.goto(base + form_path)  # from the phone's cache
    page.get_by_label("对象").select_option(label=activist["person"])
    page.get_by_label("类型").select_option(label="考察报告")
    page.get_by_label("日期").fill(date.today().isoformat())
    page.get_by_label("内容").fill(REPORT)
    page.locator("form[data-offline-entity] button[type=submit]").last.dispatch_event("click")
    expect(page.locator(".outbox-flash")).to_contain_text("已离线保存")
    expect(page.locator("[data-outbox-badge]")).to_have_text("1")
    expect(page.get_by_label("内容")).to_have_value("")  # a second tap saves nothing twice
    assert notes(server) == 0

    page.goto(base + "/offline/outbox")
    expect(page.locator("[data-outbox-item]")).to_have_count(1)
    expect(page.locator("[data-outbox-item]")).to_contain_text("发展党员记录")
    network_on(phone, server)  # the page's online handler replays by itself
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
    page.get_by_role("button", name="立即同步").click()  # syncing again sends nothing new
    page.wait_for_function("() => !window.ZhibuOutbox.state.syncing")
    assert notes(server) == 1

    desktop = browser.new_context(**DESKTOP)
    try:
        board = desktop.new_page()
        sign_in(board, base, activist["secretary_phone"])
        board.goto(f"{base}/development/{oid}")
        row = board.locator(f'tr[data-person="{activist["person"]}"]')
        expect(row).to_contain_text("张晓燕")
        expect(row).to_contain_text(REPORT[:10])
    finally:
        desktop.close()
