"""A field member signs in on a phone and sees their branches."""
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_member_signs_in_on_phone_and_sees_branches(live_server, phone):
    page = phone.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server.url, "dangyuan")
    expect(page.get_by_role("heading", name="我的支部")).to_be_visible()
    branches = page.locator("section[aria-labelledby=my-branches] .list-item")
    expect(branches).to_have_count(2)
    expect(branches.filter(has_text="规划计划处党支部")).to_contain_text("正式组织关系")
    expect(branches.filter(has_text="长江中游水文测验项目临时党支部")).to_contain_text("记录员")
    # Phones get the bottom navigation, not the sidebar.
    bottom = page.get_by_role("navigation", name="底部导航")
    expect(bottom).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_be_hidden()
    expect(bottom.get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")
    # Nothing overflows a phone's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_wrong_password_shows_chinese_error(live_server, phone):
    page = phone.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("手机号或用户名").fill("dangyuan")
    page.get_by_label("密码", exact=True).fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("账号或密码不正确")


def test_secretary_on_desktop_sees_sidebar_and_roster(live_server, desktop):
    page = desktop.new_page()
    sign_in(page, live_server.url, "shuji")
    sidebar = page.get_by_role("navigation", name="主导航")
    expect(sidebar).to_be_visible()
    page.get_by_role("link", name="办公室党支部").first.click()
    page.get_by_role("link", name="花名册").click()
    expect(page.get_by_role("table")).to_contain_text("王建平")
    page.get_by_label("人员类别").select_option("activist")
    expect(page.locator("#roster-table")).not_to_contain_text("王建平")
    assert "category=activist" in page.url  # htmx pushed the filtered address
