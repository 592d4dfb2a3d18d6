"""Dates and times that people read are written the Chinese way (2026年11月30日（星期一）), on the
pages of the field phone and of the secretary's review (issue 16); only form inputs keep ISO, which
<input type=date> needs."""
import re

from sqlalchemy import select

from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import Record, User
from webapp.records import service

ISO_DAY_OR_MONTH = re.compile(r"\b20\d\d-\d\d(?:-\d\d)?\b")
TAG = re.compile(r"<[^>]*>")  # attributes (input values, links, data-) are not read by people


def shown_text(html: str) -> str:
    return TAG.sub(" ", html)


def isos(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return ISO_DAY_OR_MONTH.findall(shown_text(response.get_data(as_text=True)))


def test_record_pages_show_dates_the_chinese_way(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    recorder = db.session.scalar(select(User).where(User.username == "dangyuan"))
    data = theme_day_data(org, occurred_on="2026-11-23")
    data["rectification_items"] = []
    record = service.create_record(org, "theme_day", data, recorder)
    db.session.commit()

    auth.login("dangyuan")
    detail = shown_text(client.get(f"/records/{record.uuid}").get_data(as_text=True))
    assert "2026年11月23日（星期一） 09:00–10:30" in detail
    for path in ("/", "/records/", f"/records/{record.uuid}", "/study/", "/me", "/offline/outbox"):
        assert not isos(client, path), path

    auth.logout()
    auth.login("linshi")  # the field branch's secretary: the review list and the record with its history
    for path in ("/records/review", f"/records/{record.uuid}"):
        assert not isos(client, path), path
    assert db.session.get(Record, record.id).current.data["occurred_on"] == "2026-11-23"  # stored as ISO
