"""Issue 22 on a phone in Chromium: a member writes the 个人自评 and the year's 党员汇报 with no network;
both are kept in the outbox and sync by themselves, once, when the network returns."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e import offline_app
from tests.e2e.offline_app import network_off, network_on, open_entry, poll
from tests.e2e.conftest import sign_in
from webapp.appraisal import workflow
from webapp.extensions import db
from webapp.models import MemberReport, Membership, Organization, SelfAssessment

FIELD_BRANCH = "长江中游水文测验项目临时党支部"
PLANNING = "规划计划处党支部"

pytestmark = pytest.mark.usefixtures("server_back")  # tests stop the server: no signal

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = offline_app.start(tmp_path_factory.mktemp("branch-year"))
    with server.app.app_context():
        planning = db.session.scalar(select(Organization).where(Organization.name == PLANNING))
        secretary = db.session.scalar(select(Membership).where(Membership.org_id == planning.id,
                                                               Membership.title == "secretary")).user
        workflow.open_appraisal(planning, date.today().year, secretary)
        db.session.commit()
    yield server
    server.stop()
    with server.app.app_context():
        db.engine.dispose()


def ids(server) -> tuple[int, int]:
    with server.app.app_context():
        return tuple(db.session.scalar(select(Organization.id).where(Organization.name == name))
                     for name in (FIELD_BRANCH, PLANNING))


def count(server, model, text: str) -> int:
    with server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(model.text == text))


def save(page):
    page.locator("form[data-offline-entity] button[type=submit]").last.dispatch_event("click")


def test_self_assessment_and_yearly_report_written_offline_sync_once(server, phone):
    base, (field_id, planning_id) = server.url, ids(server)
    year = date.today().year
    page = phone.new_page()
    sign_in(page, base, "dangyuan")
    open_entry(page, base, field_id)
    for path in (f"/appraisal/{planning_id}/{year}", f"/reports/{planning_id}/{year}"):
        poll(page, f"async () => !!(await caches.match('{path}', {{ ignoreVary: true }}))")

    network_off(phone, server)
    page.goto(f"{base}/appraisal/{planning_id}/{year}")  # from the phone's cache
    page.locator("#self-text").fill("离线写的个人自评：全年坚持学习，按时交纳党费")
    save(page)
    expect(page.locator(".outbox-flash")).to_contain_text("已离线保存")
    page.goto(f"{base}/reports/{planning_id}/{year}")
    page.locator("#report-text").fill("离线写的年度汇报：思想、工作、学习情况")
    save(page)
    expect(page.locator(".outbox-flash")).to_contain_text("待同步 2 项")
    assert count(server, SelfAssessment, "离线写的个人自评：全年坚持学习，按时交纳党费") == 0

    page.goto(base + "/offline/outbox")
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "2")
    network_on(phone, server)  # the page replays by itself
    expect(page.locator("[data-outbox-summary]")).to_have_attribute("data-waiting", "0", timeout=20000)
    expect(page.locator('[data-outbox-item][data-state="sent"]')).to_have_count(2)
    page.get_by_role("button", name="立即同步").click()  # nothing is sent twice
    page.wait_for_function("() => !window.ZhibuOutbox.state.syncing")
    assert count(server, SelfAssessment, "离线写的个人自评：全年坚持学习，按时交纳党费") == 1
    assert count(server, MemberReport, "离线写的年度汇报：思想、工作、学习情况") == 1

    page.goto(f"{base}/appraisal/{planning_id}/{year}")  # online: the page shows the synced text
    expect(page.locator("#self-text")).to_have_value("离线写的个人自评：全年坚持学习，按时交纳党费")
