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
