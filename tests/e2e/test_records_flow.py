"""A theme day recorded on a phone with a photo by the field branch's recorder, approved on desktop by
the branch's temporary leader; the recorder can never approve it herself."""

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from webapp.extensions import db
from webapp.models import Photo, Record

FIELD_BRANCH = "长江中游水文测验项目临时党支部"
TOPIC = "端到端：学习新修订的党章"


def _big_jpeg(path):
    Image.new("RGB", (2400, 1800), (200, 40, 40)).save(path, "JPEG", quality=90)
    return path


def test_theme_day_recorded_on_phone_and_approved_on_desktop(live_server, phone, desktop, tmp_path):
    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, "dangyuan")
    page.get_by_role("navigation", name="底部导航").get_by_role("link", name="记录").click()
    page.get_by_role("region", name="新建记录").get_by_role("link", name=FIELD_BRANCH).click()
    page.get_by_role("link", name="主题党日", exact=True).click()
    expect(page.get_by_role("heading", name="记录主题党日")).to_be_visible()
    expect(page.get_by_label("本月主题")).to_be_visible()

    page.get_by_label("主题", exact=True).fill(TOPIC)
    page.get_by_label("开始").fill("08:00")
    page.get_by_label("结束").fill("09:30")
    expect(page.locator("[data-duration-output]")).to_have_text("时长 90 分钟")
    page.get_by_label("地点").fill("城南水文站会议室")
    chips = page.locator("[data-attend-row] label.chip")
    page.get_by_role("button", name="全部出席").click()  # then untick those not there
    expected = chips.count()
    for index in range(3, expected):
        chips.nth(index).click()
    expect(page.locator("[data-count-present]")).to_have_text("3")
    expect(page.locator("[data-count-absent]")).to_have_text(str(expected - 3))
    reason = page.locator("[data-attend-row]").nth(expected - 1).locator("input[name^=leave_reason_]")
    expect(reason).to_be_visible()  # asked beside the name, only for those not ticked
    expect(page.locator("[data-attend-row]").nth(0).locator("input[name^=leave_reason_]")).to_be_hidden()
    for item in ("集体诵读党章", "组织集中学习", "交纳当月党费"):
        page.get_by_label(item).check()

    page.locator("#photo-input").set_input_files(str(_big_jpeg(tmp_path / "site.jpg")))
    photo_input = page.locator("[data-photo-list] input[name=photos]")
    expect(photo_input).to_have_count(1, timeout=15000)
    sha = photo_input.get_attribute("value")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name=f"主题党日 · {TOPIC}")).to_be_visible()
    expect(page.get_by_text("待审核").first).to_be_visible()
    expect(page.get_by_role("img", name="活动照片 1")).to_be_visible()
    # The recorder sees no approve button on her own record.
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with live_server.app.app_context():
        photo = db.session.get(Photo, sha)
        assert photo is not None and max(photo.width, photo.height) == 1600, (photo.width, photo.height)
        record = db.session.query(Record).filter_by(topic=TOPIC).one()
        assert record.state == "submitted" and record.meets_standard is True
        uuid = record.uuid

    # The leader approves on desktop.
    desk = desktop.new_page()
    sign_in(desk, live_server.url, "linshi")
    desk.get_by_role("navigation", name="主导航").get_by_role("link", name="审核").click()
    desk.get_by_role("link", name=TOPIC).click()
    desk.get_by_label("审核意见（可选）").fill("记录完整，照片清晰")
    desk.get_by_role("button", name="审核通过").click()
    expect(desk.get_by_text("已审核通过").first).to_be_visible()
    with live_server.app.app_context():
        record = db.session.query(Record).filter_by(uuid=uuid).one()
        assert record.state == "approved" and record.approved_by.username == "linshi"
    assert not [e for e in errors if "Content Security Policy" in e], errors
