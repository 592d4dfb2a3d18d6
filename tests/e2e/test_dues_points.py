"""The secretary records a dues payment on desktop and sees the arrears drop; a member sees their points."""
import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_secretary_records_a_payment_and_arrears_drop(live_server, desktop):
    page = desktop.new_page()
    sign_in(page, live_server.url, "shuji")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="党费").click()
    expect(page.get_by_role("heading", name=re.compile("党费台账"))).to_be_visible()
    row = page.locator("tbody tr").filter(has=page.locator("td .tag-warn", has_text="欠")).first
    user_id = row.locator("th a").get_attribute("href").rstrip("/").split("/")[-1]
    name = row.locator("th").inner_text()
    owed_before = row.locator("td .tag-warn", has_text="欠").count()
    arrears_before = row.locator("td").last.inner_text()
    months = [h.inner_text() for h in page.locator("thead th").all()][2:-2]
    cells = [c.inner_text() for c in row.locator("td").all()][1:-2]
    first_owed = months[next(i for i, text in enumerate(cells) if "欠" in text)]
    month = f"{page.locator('#year').input_value()}-{int(first_owed.rstrip('月')):02d}"

    page.get_by_role("link", name="登记缴纳").click()
    page.get_by_label("党员").select_option(user_id)
    page.get_by_label("所缴月份").fill(month)
    page.get_by_label("金额（元）").fill("50.00")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text(f"已登记 {name} {month} 党费 50.00 元")).to_be_visible()
    row = page.locator("tbody tr").filter(has=page.locator(f'th a[href$="/{user_id}"]'))
    expect(row.locator("td .tag-warn", has_text="欠")).to_have_count(owed_before - 1)
    assert row.locator("td").last.inner_text() != arrears_before


def test_member_sees_points_and_how_they_were_earned(live_server, phone):
    page = phone.new_page()
    sign_in(page, live_server.url, "dangyuan")
    page.get_by_role("navigation", name="底部导航").get_by_role("link", name="我的").click()
    page.get_by_role("link", name="我的积分").click()
    expect(page.get_by_role("heading", name=re.compile("我的积分"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"参加主题党日")).first).to_be_visible()
    expect(page.locator(".points-total").first).to_contain_text("分")
