"""On site with no signal, the temporary branch's leader adds a member from outside Zhibu (a 流动党员) to
an activity's attendance on the phone; it is kept in the outbox and reconciles once the server is
reachable again. The server process really stops: its port refuses every connection meanwhile."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e import offline_app
from tests.e2e.offline_app import poll, take_control
from tests.e2e.conftest import LiveServer, sign_in
from tests.records_helpers import FIELD_BRANCH, theme_day_data
from webapp.extensions import db
from webapp.models import Attendance, FlowingMember, Organization, Record, User
from webapp.records import service


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = offline_app.start(tmp_path_factory.mktemp("mobility-offline"))
    holder = {"server": server}
    yield holder
    holder["server"].stop()
    with server.app.app_context():
        db.engine.dispose()


def _activity(app) -> str:
    with app.app_context():
        field = db.session.scalar(select(Organization).where(Organization.name == FIELD_BRANCH))
        leader = db.session.scalar(select(User).where(User.username == "linshi"))
        record = service.create_record(field, "theme_day", theme_day_data(field, topic="工地主题党日"), leader)
        db.session.commit()
        return record.uuid


def test_leader_offline_adds_outside_member_to_attendance_and_it_reconciles(server, phone):
    live = server["server"]
    app, base, port = live.app, live.url, int(live.url.rsplit(":", 1)[1])
    record_uuid = _activity(app)
    page = phone.new_page()
    sign_in(page, base, "linshi")
    take_control(page, f"{base}/records/{record_uuid}")
    page.goto(f"{base}/offline/outbox")
    page.goto(f"{base}/records/{record_uuid}")
    poll(page, f"async () => !!(await caches.match('/records/{record_uuid}', {{ ignoreVary: true }}))")

    live.stop()  # no signal on site: nothing answers on the server's port
    page.goto(f"{base}/records/{record_uuid}")  # from the phone's cache
    page.get_by_text("登记系统外流动党员出席").click()
    page.get_by_label("姓名", exact=True).fill("冯志强")
    page.get_by_label("原所在党组织").fill("中交二航局第三项目部党支部")
    page.get_by_label("流动党员活动证号").fill("LD-2026-0888")
    page.get_by_role("button", name="登记出席").dispatch_event("click")
    expect(page.locator(".outbox-flash")).to_contain_text("已离线保存")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.name == "冯志强")) == 0

    restarted = LiveServer(app, port)  # the signal returns
    restarted.start()
    server["server"] = restarted
    page.goto(f"{base}/offline/outbox")
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
    with app.app_context():
        entry = db.session.scalar(select(FlowingMember).where(FlowingMember.card_number == "LD-2026-0888"))
        assert entry is not None and entry.direction == "inflow"
        assert entry.home_org_name == "中交二航局第三项目部党支部"
        record = db.session.scalar(select(Record).where(Record.uuid == record_uuid))
        present = set(db.session.scalars(select(Attendance.user_id).where(Attendance.record_id == record.id,
                                                                           Attendance.status == "present")))
        assert entry.user_id in present
        assert db.session.scalar(select(func.count()).select_from(User).where(User.name == "冯志强")) == 1
    page.goto(f"{base}/records/{record_uuid}")
    expect(page.locator("#attendance-h + p + p")).to_contain_text("冯志强")
