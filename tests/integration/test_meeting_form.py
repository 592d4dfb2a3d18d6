"""The meeting form groups 应到 by 党小组 and starts its live count from what was sent back: a form
returned with errors keeps who was ticked, the reasons beside the names not ticked, and the figures."""
import re

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.records_helpers import org_named
from webapp.extensions import db
from webapp.models import Organization


def test_attendance_is_grouped_by_party_group_with_its_count(client, auth, demo):
    org = org_named("办公室党支部")
    auth.login("shuji")
    page = client.get(f"/records/new/{org.id}/theme_day").get_data(as_text=True)
    groups = re.findall(r'<h3 class="attend-group-name">([^<（]+)（(\d+) 人）</h3>', page)
    assert [g[0] for g in groups][:2] == ["第一党小组", "第二党小组"]
    from webapp.china_time import china_today
    from webapp.records.expected import expected_for

    expected = expected_for(org, "theme_day", china_today()).expected
    first = db.session.scalar(select(Organization.id).where(Organization.name == "第一党小组"))
    assert int(groups[0][1]) == sum(1 for m in expected if m.group_id == first) > 0
    # Each group's names sit in its own block, each reason input in its own person's row.
    rows = re.findall(r'<div class="attend-row" data-attend-row>(.*?)</div>', page, re.S)
    assert rows and all(len(re.findall(r'name="leave_reason_(\d+)"', r)) == 1 for r in rows)
    for row in rows:
        box = re.search(r'name="attendee_ids" value="(\d+)"', row).group(1)
        assert re.search(r'name="leave_reason_(\d+)"', row).group(1) == box


def test_a_form_sent_back_keeps_ticks_reasons_and_counts(client, auth, demo):
    org = org_named("办公室党支部")
    auth.login("shuji")
    page = client.get(f"/records/new/{org.id}/theme_day").get_data(as_text=True)
    ids = re.findall(r'name="roster_ids" value="(\d+)"', page)
    data = {"csrf_token": csrf_token(client, f"/records/new/{org.id}/theme_day"), "topic": "",  # missing: sent back
            "occurred_on": "2026-11-02", "start_time": "09:00", "end_time": "10:30", "place": "会议室",
            "roster_ids": ids, "attendee_ids": ids[:-2], f"leave_reason_{ids[-1]}": "出差"}
    again = client.post(f"/records/new/{org.id}/theme_day", data=data).get_data(as_text=True)
    count = lambda name: re.search(rf"data-count-{name}>(\d+)<", again).group(1)  # noqa: E731
    assert (count("expected"), count("present"), count("leave"), count("absent")) == (str(len(ids)), str(len(ids) - 2), "1", "1")
    assert re.search(rf'<span class="attend-reason" data-attend-reason hidden>\s*<label class="sr-only" for="leave_reason_{ids[0]}"', again)
    assert re.search(rf'<span class="attend-reason" data-attend-reason >\s*<label class="sr-only" for="leave_reason_{ids[-1]}"', again)
