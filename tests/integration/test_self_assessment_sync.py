"""个人自评 through the sync API (issue 22): written offline, pushed once, resends are no-ops, bad items
are rejected in their batch without blocking the rest; only members of the branch write one."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from tests.conftest import Auth
from tests.integration.test_sync_push import Phone, register
from tests.records_helpers import org_named
from webapp.appraisal import workflow
from webapp.extensions import db
from webapp.models import QuarantinedMutation, SelfAssessment, User

OFFICE, PLANNING = "办公室党支部", "规划计划处党支部"


def _fields(org, year, text, sid=None):
    return {"fields": [["uuid", sid or str(uuid.uuid4())], ["org_id", str(org.id)], ["year", str(year)],
                       ["text", text]]}


def test_self_assessment_written_offline_syncs_once(client, auth, demo):
    year = date.today().year
    planning = org_named(PLANNING)
    workflow.open_appraisal(planning, year, db.session.scalar(select(User).join(User.memberships).where(
        User.memberships.any(org_id=planning.id, title="secretary"))))
    db.session.commit()
    phone = Phone(client, register(client, auth, "dangyuan"))
    sid = str(uuid.uuid4())
    first = phone.mutation("self_assessment", _fields(planning, year, "一年来坚持学习", sid), target=sid)
    assert phone.push(first)["results"][0]["status"] == "applied"
    assert phone.push(first)["results"][0]["status"] == "duplicate"  # the same mutation resent
    again = phone.mutation("self_assessment", _fields(planning, year, "改写：一年来坚持学习，按时交纳党费", sid),
                           target=sid)
    not_started = phone.mutation("self_assessment", _fields(planning, year - 1, "去年的"))
    other_branch = phone.mutation("self_assessment", _fields(org_named(OFFICE), year, "别的支部"))
    empty = phone.mutation("self_assessment", _fields(planning, year, "   "))
    garbage = phone.mutation("self_assessment", {"fields": {"not": "pairs"}})
    results = phone.push(again, not_started, other_branch, empty, garbage)["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected", "rejected"]
    assert results[1]["code"] == "not_found" and results[2]["code"] == "org_not_found"
    assert "text" in results[3]["fields"]
    rows = list(db.session.scalars(select(SelfAssessment)))
    assert len(rows) == 1 and rows[0].uuid == sid and rows[0].text.startswith("改写")
    assert rows[0].user_id == demo["dangyuan"].id and rows[0].client_recorded_at is not None
    assert db.session.scalar(select(func.count()).select_from(QuarantinedMutation)) == 4


def test_an_activist_cannot_write_one(client, auth, demo, app):
    year = date.today().year
    office = org_named(OFFICE)
    workflow.open_appraisal(office, year, demo["shuji"])
    activist = next(m.user for m in office_memberships(office) if m.user.category == "activist")
    activist.username = "jijifenzi"
    activist.password_hash = demo["shuji"].password_hash
    db.session.commit()
    phone = Phone(client, register(client, Auth(client), "jijifenzi"))
    out = phone.push(phone.mutation("self_assessment", _fields(office, year, "积极分子")))["results"][0]
    assert out["status"] == "rejected" and out["code"] == "forbidden"


def office_memberships(office):
    from webapp.models import Membership

    return list(db.session.scalars(select(Membership).where(Membership.org_id == office.id,
                                                            Membership.active.is_(True))))


def test_member_report_written_offline_syncs_once(client, auth, demo):
    from webapp.models import MemberReport

    year = date.today().year
    planning = org_named(PLANNING)
    phone = Phone(client, register(client, auth, "dangyuan"))
    rid = str(uuid.uuid4())
    first = phone.mutation("member_report", _fields(planning, year, "本年度思想工作汇报", rid), target=rid)
    assert phone.push(first)["results"][0]["status"] == "applied"
    assert phone.push(first)["results"][0]["status"] == "duplicate"
    future = phone.mutation("member_report", _fields(planning, year + 1, "明年的"))
    elsewhere = phone.mutation("member_report", _fields(org_named(OFFICE), year, "别的支部"))
    results = phone.push(future, elsewhere)["results"]
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "invalid"), ("rejected", "org_not_found")]
    rows = list(db.session.scalars(select(MemberReport)))
    assert [(r.uuid, r.user_id, r.text) for r in rows] == [(rid, demo["dangyuan"].id, "本年度思想工作汇报")]
