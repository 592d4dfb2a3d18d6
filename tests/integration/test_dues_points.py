"""Dues and points through the service and the web: arrears, ledger totals, idempotent payments,
attendance points on approval without double counting, applications, disciplinary grade."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.records_helpers import org_named, theme_day_data
from webapp.china_time import china_today
from webapp.dues import payment_form as dues_offline
from webapp.dues import service as dues
from webapp.extensions import db
from webapp.models import AuditLog, DuesPayment, Membership, PointsLine, User
from webapp.points import service as points
from webapp.records import service as records
from webapp.domain_errors import Invalid, NotAllowed

OFFICE = "办公室党支部"


def member_of(org, title=None) -> User:
    query = select(Membership).where(Membership.org_id == org.id).order_by(Membership.id)
    query = query.where(Membership.title == title) if title else query.where(Membership.title.is_(None))
    return db.session.scalar(query).user


def test_secretary_sets_a_base_and_sees_arrears_drop_after_a_payment(client, auth, demo):
    org = org_named(OFFICE)
    member = member_of(org)
    dues.set_profile(org, member, demo["shuji"], category="salaried", base="5000.01")
    db.session.commit()
    row = next(r for r in dues.branch_year(org, china_today().year) if r.user.id == member.id)
    assert row.due_fen == 7500
    owed = list(row.owed_months)
    auth.login("shuji")
    page = client.get(f"/dues/{org.id}").get_data(as_text=True)
    assert member.name in page and "留存（25%" in page
    # A new ledger starts this month (起缴月份), which is owed until paid.
    assert owed == [china_today().strftime("%Y-%m")]
    response = auth.post(f"/dues/{org.id}/pay", {"org_id": org.id, "user_id": member.id, "month": owed[0],
                                                 "amount": "75.00", "paid_on": china_today().isoformat(),
                                                 "channel": "cash", "uuid": "7c1f8e3a-1d2b-4c5d-8e9f-0a1b2c3d4e5f"})
    assert response.status_code == 302
    row = next(r for r in dues.branch_year(org, china_today().year) if r.user.id == member.id)
    assert row.owed_months == []


def test_override_needs_a_reason_and_payment_errors_are_chinese(client, auth, demo):
    org = org_named(OFFICE)
    member = member_of(org)
    with pytest.raises(Invalid) as error:
        dues.set_profile(org, member, demo["shuji"], category="salaried", base="6000", override="10")
    assert error.value.errors == {"override_reason": "调整党费金额时请写明原因"}
    auth.login("shuji")
    response = auth.post(f"/dues/{org.id}/pay", {"org_id": org.id, "user_id": "", "month": "2026-13",
                                                 "amount": "-5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请选择本支部的党员" in html and "请选择所缴党费的月份" in html and "请填写缴纳金额" in html


def test_offline_payment_is_idempotent_and_a_changed_resend_is_a_conflict(demo):
    org = org_named(OFFICE)
    member = member_of(org)
    month = f"{china_today().year - 1}-12"
    fields = [["org_id", str(org.id)], ["user_id", str(member.id)], ["month", month], ["amount", "30"],
              ["paid_on", china_today().isoformat()], ["channel", "cash"]]
    uuid = "11111111-2222-4333-8444-555555555555"
    first = dues_offline.apply_payment(demo["shuji"], uuid, {"fields": fields})
    again = dues_offline.apply_payment(demo["shuji"], uuid, {"fields": fields})
    assert first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(DuesPayment).where(DuesPayment.uuid == uuid)) == 1
    changed = [f if f[0] != "amount" else ["amount", "31"] for f in fields]
    with pytest.raises(dues.PaymentConflict):
        dues_offline.apply_payment(demo["shuji"], uuid, {"fields": changed})
    with pytest.raises(NotAllowed):
        dues_offline.apply_payment(demo["dangyuan"], "22222222-2222-4333-8444-555555555555", {"fields": fields})


def test_ledger_totals_and_retained_share(demo):
    org = org_named(OFFICE)
    rows = dues.branch_year(org, china_today().year)
    totals = dues.ledger_totals(rows)
    collected = db.session.scalar(select(func.coalesce(func.sum(DuesPayment.amount_fen), 0)).where(
        DuesPayment.org_id == org.id, DuesPayment.month.like(f"{china_today().year}-%")))
    assert totals["collected"] == collected
    assert totals["retained"] == (collected * 25 + 50) // 100
    assert totals["retained"] + totals["remitted"] == collected
    assert totals["arrears"] == sum(r.arrears_fen for r in rows) > 0  # demo members owe two months


def test_member_sees_own_arrears_under_me(client, auth, demo):
    auth.login("shuji")
    html = client.get("/me").get_data(as_text=True)
    assert "我的党费" in html and "每月应缴" in html


def _approved_theme_day(org, actor, reviewer, **overrides):
    record = records.create_record(org, "theme_day", theme_day_data(org, **overrides), actor)
    records.approve(record, reviewer)
    db.session.flush()
    return record


def test_attendance_points_on_approval_without_double_counting(demo):
    org = org_named("长江中游水文测验项目临时党支部")
    record = _approved_theme_day(org, demo["dangyuan"], demo["linshi"],
                                 occurred_on=(china_today() - timedelta(days=1)).isoformat())
    present = [a.user_id for a in record.attendances if a.status == "present"]
    lines = list(db.session.scalars(select(PointsLine).where(PointsLine.record_id == record.id)))
    assert {l.user_id for l in lines if l.bucket == "task"} == set(present)
    # A correction that removes someone, approved again, reverses their line; nobody counts twice.
    data = theme_day_data(org, occurred_on=record.occurred_on.isoformat(), attendee_ids=present[1:])
    records.revise_record(record, data, demo["dangyuan"], base_version=record.version)
    records.approve(record, demo["linshi"])
    db.session.flush()
    lines = list(db.session.scalars(select(PointsLine).where(PointsLine.record_id == record.id,
                                                             PointsLine.bucket == "task")))
    assert sorted(l.user_id for l in lines) == sorted(present[1:])
    assert db.session.scalar(select(func.count()).select_from(PointsLine).where(
        PointsLine.record_id == record.id, PointsLine.user_id == present[0])) <= 1


def test_monthly_task_cap(demo):
    org = org_named("长江中游水文测验项目临时党支部")
    day = china_today() - timedelta(days=1)
    for _ in range(5):
        _approved_theme_day(org, demo["dangyuan"], demo["linshi"], occurred_on=day.isoformat())
    member = demo["linshi"]
    gained = db.session.scalar(select(func.sum(PointsLine.delta)).where(
        PointsLine.user_id == member.id, PointsLine.org_id == org.id, PointsLine.year == day.year,
        PointsLine.month == day.month, PointsLine.bucket == "task"))
    assert gained == 6


def test_application_is_reviewed_then_decided_and_published(client, auth, demo):
    org = org_named(OFFICE)
    member = member_of(org)
    application = points.apply(org, member, {"bucket": "bonus", "points": "4", "note": "获评局优秀共产党员"})
    with pytest.raises(Invalid):
        points.review(application, demo["shuji"], accept=False)  # a rejection needs a reason
    points.review(application, demo["shuji"], accept=True, note="事实清楚")
    assert application.state == "reviewed"
    assert not db.session.scalar(select(PointsLine).where(PointsLine.application_id == application.id))
    points.review(application, demo["jiguan"], accept=True, note="党员大会评定通过")
    db.session.commit()
    assert application.state == "approved"
    row = next(r for r in points.branch_table(org, application.year) if r.user.id == member.id)
    assert row.bonus >= 4
    auth.login("shuji")
    assert member.name in client.get(f"/points/{org.id}").get_data(as_text=True)


def test_disciplinary_case_is_graded_unqualified_with_a_reason(client, auth, demo):
    org = org_named(OFFICE)
    member = member_of(org)
    auth.login("shuji")
    year = china_today().year
    assert auth.post(f"/points/{org.id}/members/{member.id}/unqualified?year={year}", {"reason": ""}).status_code == 302
    row = next(r for r in points.branch_table(org, year) if r.user.id == member.id)
    assert row.override is None
    auth.post(f"/points/{org.id}/members/{member.id}/unqualified?year={year}", {"reason": "违反工作纪律受到警告处分"})
    row = next(r for r in points.branch_table(org, year) if r.user.id == member.id)
    assert row.grade == "unqualified" and row.override.reason == "违反工作纪律受到警告处分"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "set_grade"))


def test_member_sees_own_points_and_how_they_were_earned(client, auth, demo):
    auth.login("dangyuan")
    html = client.get("/points/mine").get_data(as_text=True)
    assert "我的积分" in html and "参加主题党日" in html
    # Members may apply; only the committee reviews.
    org = org_named("规划计划处党支部")
    response = auth.post(f"/points/{org.id}/apply", {"bucket": "task", "points": "2", "note": "完成规划编制攻坚任务"})
    assert response.status_code == 302
    application = db.session.scalar(select(points.PointsApplication).where(
        points.PointsApplication.user_id == demo["dangyuan"].id))
    assert auth.post(f"/points/applications/{application.uuid}", {"decision": "accept"}).status_code == 403
