"""Taps and seconds to record a 9-person theme day with two photos on a 360 px phone (issue 16).

Runs against the code of the current directory (so the same script measures another checkout:
`cd /tmp/main-checkout && /work/main/.venv/bin/python /work/wt/phone/bench/phone_meeting.py`).
A live server with the demo data; the field branch filled up to 9 expected members; the recorder
signs in, opens the theme-day form and records: topic, times, place, attendance with 2 of 9 not
there (one on leave with a reason, one absent), the three required items, two photos, save.
Attendance is done the quickest way the form offers: "全部出席" then untick, where it exists;
else one tap per person present, and the leave reason in the folded list. Typing a field counts
as one tap (focus) plus the text; a time field as one tap. Prints taps and seconds."""
from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())

from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402

from tests.conftest import _config_dict, migrate_to_head  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, LiveServer, _free_port  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402

FIELD_BRANCH = "长江中游水文测验项目临时党支部"
PEOPLE = 9
RUNS = 3
names_seen = [0]


def serve(folder: Path):
    from webapp.passwords import hash_password
    from webapp.demo import loader
    from webapp.models import Membership, Organization, User
    from webapp.records.expected import expected_for
    from webapp.china_time import china_today

    url = "sqlite:///" + str(folder / "bench.db")
    migrate_to_head(url)
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url, "TESTING": False,
                      "WTF_CSRF_SSL_STRICT": False, "INSTANCE_UPLOADS": str(folder / "uploads")})
    with app.app_context():
        loader.load(hash_password)
        org = db.session.scalar(select(Organization).where(Organization.name == FIELD_BRANCH))
        have = len(expected_for(org, "theme_day", china_today()).expected)
        for n in range(PEOPLE - have):
            user = User(name=f"测验队员{n + 1}", username=f"bench{n}", password_hash=hash_password("zhibu-demo"))
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, org_id=org.id, relation="temporary"))
        db.session.commit()
        expected = len(expected_for(org, "theme_day", china_today()).expected)
        oid = org.id
    server = LiveServer(app, _free_port())
    server.start()
    return server, oid, expected


def pictures(folder: Path) -> list[str]:
    from PIL import Image

    out = []
    for n, colour in enumerate([(30, 90, 160), (160, 60, 30)]):
        path = folder / f"photo{n}.jpg"
        buffer = io.BytesIO()
        Image.new("RGB", (3000, 2000), colour).save(buffer, "JPEG", quality=92)
        path.write_bytes(buffer.getvalue())
        out.append(str(path))
    return out


class Taps:
    def __init__(self, page):
        self.page, self.n = page, 0

    def tap(self, locator):
        locator.click()
        self.n += 1

    def type(self, locator, text):
        locator.click()
        self.n += 1
        locator.fill(text)


def record(page, base, oid, photos) -> tuple[int, float]:
    page.goto(f"{base}/records/new/{oid}/theme_day")
    page.wait_for_load_state("networkidle")
    t = Taps(page)
    start = time.perf_counter()
    t.type(page.get_by_label("主题", exact=True), "学习党章 重温入党誓词")
    t.type(page.get_by_label("开始"), "09:00")
    t.type(page.get_by_label("结束"), "10:30")
    t.type(page.get_by_label("地点"), "城南水文站院内")
    # 应到 only (not the 列席 chips): the old form's chips, or the new form's rows.
    boxes = page.locator("[data-attendance] input[name=attendee_ids], [data-attend-row] input[name=attendee_ids]")
    everyone = page.locator("[data-attendance-all]")
    names = boxes.count()
    names_seen[:] = [names]
    if everyone.count():
        t.tap(everyone)
        t.tap(boxes.nth(names - 1).locator("xpath=.."))
        t.tap(boxes.nth(names - 2).locator("xpath=.."))
    else:
        for i in range(names - 2):
            t.tap(boxes.nth(i).locator("xpath=.."))
        t.tap(page.locator("details.absence summary"))
    reason = page.locator(f"input[name=leave_reason_{boxes.nth(names - 2).get_attribute('value')}]")
    t.type(reason, "外出测流")
    for item in ("集体诵读党章", "组织集中学习", "交纳当月党费"):
        t.tap(page.get_by_label(item))
    with page.expect_file_chooser() as chooser:
        page.locator("label[for=photo-input]").click()
    t.n += 1
    chooser.value.set_files(photos)
    t.n += 1  # choosing the two photos in the picker
    page.locator("form[data-offline-entity] input[type=hidden][name=photos]").nth(1).wait_for(state="attached", timeout=30000)
    t.tap(page.locator("form[data-offline-entity] button[type=submit]"))
    page.wait_for_url(lambda url: "/records/new/" not in url, timeout=30000)
    return t.n, time.perf_counter() - start


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="phone-meeting-"))
    server, oid, expected = serve(folder)
    photos = pictures(folder)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=2,
                                          is_mobile=True, has_touch=True, locale="zh-CN")
            page = context.new_page()
            page.goto(server.url + "/login")
            page.get_by_label("手机号或用户名").fill("dangyuan")
            page.get_by_label("密码", exact=True).fill("zhibu-demo")
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(server.url + "/")
            runs = [record(page, server.url, oid, photos) for _ in range(RUNS)]
            browser.close()
    finally:
        server.stop()
    taps = runs[0][0]
    seconds = sorted(r[1] for r in runs)[len(runs) // 2]
    print(f"phone_meeting: code at {os.getcwd()}")
    print(f"  theme day, {expected} expected ({names_seen[0]} on the form) (2 not there, 1 with a leave reason), 2 photos, 360 px phone")
    print(f"  taps: {taps}")
    print(f"  seconds (median of {RUNS}, automated, from first tap to saved): {seconds:.2f}")


if __name__ == "__main__":
    main()
