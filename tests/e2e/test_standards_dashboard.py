"""The higher committee reads the dashboard on desktop and drills down to a branch checklist."""
import re
from datetime import date

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_dashboard_on_desktop_with_drill_down(live_server, desktop):
    page = desktop.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, "jiguan")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="对标").click()
    expect(page.get_by_role("heading", name=re.compile("对标自查总览"))).to_be_visible()
    expect(page.get_by_role("img", name="各月主题党日达标率")).to_be_visible()
    table = page.locator("#dashboard-table table")
    expect(table.get_by_role("link", name="办公室党支部")).to_be_visible()
    page.get_by_label("只看临时党支部").check()
    expect(table.get_by_role("link", name="办公室党支部")).to_have_count(0)
    expect(page.locator("#dashboard-table").get_by_role("link", name="长江中游水文测验项目临时党支部")).to_be_visible()
    page.locator("#dashboard-table").get_by_role("link", name="长江中游水文测验项目临时党支部").click()
    expect(page.get_by_role("heading", name="对标自查 · 长江中游水文测验项目临时党支部")).to_be_visible()
    expect(page.get_by_text("临时党支部只按运行期间")).to_be_visible()
    expect(page.locator("#checklist .tag-ok").first).to_be_visible()
    today = date.today()
    page.get_by_label("期间").select_option(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    expect(page.locator("#checklist h2")).to_contain_text(f"{today.year} 年第 {(today.month - 1) // 3 + 1} 季度")
    assert "period=" in page.url
    assert not [e for e in errors if "Content Security Policy" in e], errors


def _province_tree(live_server) -> None:
    """A separate tree (province → city → county → branches) with its own committee secretary, so the
    demo committee's dashboard stays as the test above reads it."""
    from webapp.extensions import db
    from webapp.models import Membership, User
    from webapp.orgs import tree
    from webapp.passwords import hash_password

    with live_server.app.app_context():
        if db.session.query(User).filter_by(username="shengwei").first():
            return
        province = tree.create_root("committee", "端到端省委")
        city = tree.create_child(province, "committee", None, name="端到端市委")
        county = tree.create_child(city, "committee", None, name="端到端县委")
        for name in ("端到端第一党支部", "端到端第二党支部"):
            tree.create_child(county, "branch", None, name=name)
        user = User(name="省委书记", username="shengwei", category="full", password_hash=hash_password("zhibu-demo"))
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user=user, org=province, relation="home", title="secretary"))
        db.session.commit()


def test_tree_dashboard_drills_down_and_back_on_a_phone(live_server, phone):
    _province_tree(live_server)
    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, "shengwei")
    page.goto(live_server.url + "/standards/")
    table = page.locator("#dashboard-table")
    table.get_by_role("link", name="端到端市委").click()
    expect(table.get_by_role("link", name="端到端县委")).to_be_visible()
    assert "org=" in page.url
    crumbs = page.get_by_role("navigation", name="组织层级")
    expect(crumbs.get_by_role("link", name="端到端省委")).to_be_visible()
    table.get_by_role("link", name="端到端县委").click()
    expect(table.get_by_role("link", name="端到端第一党支部")).to_be_visible()  # the leaf: the branch grid
    expect(page.get_by_role("img", name="各月主题党日达标率")).to_be_visible()
    page.go_back()  # htmx restores the city level from the server (its history cache is off)
    expect(page.locator("#dashboard-table").get_by_role("link", name="端到端县委")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("对标自查总览"))).to_be_visible()  # the page, not the partial
    page.get_by_role("navigation", name="组织层级").get_by_role("link", name="端到端省委").click()
    expect(page.locator("#dashboard-table").get_by_role("link", name="端到端市委")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
