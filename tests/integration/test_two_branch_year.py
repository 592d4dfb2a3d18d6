"""A year of two branches sharing members: a home branch with a committee and two party groups, and a
temporary project branch (March to October) that two of its members join. Who is expected comes from
the meeting type; participation, alerts and points are per person across both branches; the year is
本年累计 until the home branch closes it; an exemption, an award beyond the bonus cap and 民主评议 feed
one year result per person."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from webapp.passwords import hash_password
from webapp.china_time import china_today
from webapp.extensions import db
from webapp.models import AuditLog, Membership, Organization, PointsLine, User, YearResult
from webapp.orgs import tree
from webapp.points import service as points
from webapp.points import year_end
from webapp.records import service
from webapp.domain_errors import Invalid, NotAllowed
from webapp.records.expected import expected_at
from webapp.standards import alerts

YEAR = date.today().year - 1  # a finished year
FIELD_START, FIELD_END = date(YEAR, 3, 1), date(YEAR, 10, 31)
HOME_TITLES = ["secretary", "deputy_secretary", "organization"]


def _person(name: str, category: str = "full") -> User:
    user = User(name=name, username=f"u{name}", category=category, password_hash=hash_password("zhibu-demo"))
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def year(demo):
    """Home branch 家园支部: 9 people — a committee of three (0–2), group A (0–4), group B (5–8), an
    activist (8). People 5 and 6 work on the project and join 外业临时支部 from March to October."""
    committee = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    home = tree.create_child(committee, "branch", None, name="家园支部")
    group_a = tree.create_child(home, "group", None, name="第一党小组")
    group_b = tree.create_child(home, "group", None, name="第二党小组")
    field = tree.create_child(committee, "branch", None, name="外业临时支部", is_temporary=True,
                              project_name="外业项目", site="测站", start_date=FIELD_START, end_date=FIELD_END)
    people = [_person(f"家{i}", "activist" if i == 8 else "full") for i in range(9)]
    for i, user in enumerate(people):
        db.session.add(Membership(user=user, org=home, relation="home", joined_on=date(YEAR - 3, 1, 1),
                                  title=HOME_TITLES[i] if i < 3 else None, is_recorder=(i == 0),
                                  group_id=(group_a if i < 5 else group_b).id))
    for i in (5, 6):
        # Still on the roster (the branch's end date bounds the field time), so the year can be recorded.
        db.session.add(Membership(user=people[i], org=field, relation="temporary", joined_on=FIELD_START,
                                  title="temporary_leader" if i == 6 else None, is_recorder=(i == 5)))
    # Field colleagues with no home branch in this committee (non-staff members on the project).
    locals_ = [_person(f"外{i}") for i in range(3)]
    for user in locals_:
        db.session.add(Membership(user=user, org=field, relation="temporary", joined_on=FIELD_START))
    db.session.flush()
    return {"home": home, "field": field, "a": group_a, "b": group_b, "people": people, "locals": locals_,
            "jiguan": demo["jiguan"]}


def _record(org, record_type, day, present, absent=(), recorder=None, reviewer=None, leave=None, **extra):
    """As the form posts it: everyone listed, the ticked present, the rest absentees (with any reason)."""
    leave = leave or {}
    data = {"occurred_on": day.isoformat(), "start_time": "09:00", "end_time": "10:30", "place": "会议室",
            "topic": f"{record_type} {day}", "content": "内部讨论内容",
            "attendee_ids": [u.id for u in present],
            "absentees": [{"user_id": u.id, "reason": leave.get(u.id, "")} for u in absent], **extra}
    if record_type == "theme_day":
        data.setdefault("theme_items", ["recite_constitution", "collective_study", "pay_dues"])
    made = service.create_record(org, record_type, data, recorder)
    service.approve(made, reviewer)
    db.session.flush()
    return made


def _statuses(record) -> dict[int, str]:
    return {a.user_id: a.status for a in record.attendances}


def _absence_lines(user) -> int:
    return db.session.scalar(select(func.count()).select_from(PointsLine).where(
        PointsLine.user_id == user.id, PointsLine.bucket == "base", PointsLine.delta < 0)) or 0


def test_committee_meeting_expects_only_the_committee(year):
    home, people, jiguan = year["home"], year["people"], year["jiguan"]
    # The old form listed the whole branch: everyone not ticked became an absentee.
    meeting = _record(home, "committee_meeting", date(YEAR, 1, 8), people[:3], people[3:], people[0], jiguan)
    assert expected_at(meeting).expected_ids == {p.id for p in people[:3]}
    assert set(_statuses(meeting).values()) == {"present"}
    assert all(_absence_lines(p) == 0 for p in people[3:])
    # A committee member missing without reason is absent and loses a base point.
    meeting = _record(home, "committee_meeting", date(YEAR, 2, 8), people[:2], people[2:], people[0], jiguan)
    assert _statuses(meeting) == {people[0].id: "present", people[1].id: "present", people[2].id: "absent"}
    assert _absence_lines(people[2]) == 1 and _absence_lines(people[3]) == 0


def test_group_meeting_expects_only_its_group(year):
    home, people, jiguan = year["home"], year["people"], year["jiguan"]
    meeting = _record(home, "group_meeting", date(YEAR, 1, 15), people[:4], [people[4]] + people[5:], people[0],
                      jiguan, group_id=year["a"].id)
    assert expected_at(meeting).expected_ids == {p.id for p in people[:5]}
    assert _statuses(meeting)[people[4].id] == "absent" and _absence_lines(people[4]) == 1
    assert all(p.id not in _statuses(meeting) for p in people[5:])  # group B is not marked absent
    assert all(_absence_lines(p) == 0 for p in people[5:])


def test_activist_sits_in_and_is_never_absent(year, client, auth):
    home, people, jiguan = year["home"], year["people"], year["jiguan"]
    activist = people[8]
    missed = _record(home, "theme_day", date(YEAR, 1, 20), people[:5], [activist], people[0], jiguan)
    assert activist.id not in _statuses(missed) and _absence_lines(activist) == 0
    came = _record(home, "theme_day", date(YEAR, 2, 20), people[:5] + [activist], [], people[0], jiguan)
    assert _statuses(came)[activist.id] == "present" and activist.id not in expected_at(came).expected_ids
    db.session.commit()
    auth.login(people[0].username)
    html = client.get(f"/records/{came.uuid}").get_data(as_text=True)
    assert "列席 1 人" in html and "缺席 0 人" in html
    form = client.get(f"/records/new/{home.id}/committee_meeting").get_data(as_text=True)
    assert "应到 3 人" in form and "（积极分子）" in form


def _field_year(year):
    """Home theme days every month (field members not listed), field theme days March–October."""
    home, field, people, jiguan = year["home"], year["field"], year["people"], year["jiguan"]
    at_home = [p for i, p in enumerate(people) if i not in (5, 6, 8)]
    for month in range(1, 13):
        day = date(YEAR, month, 10)
        away = [] if FIELD_START <= day <= FIELD_END else [people[5], people[6]]
        _record(home, "theme_day", day, at_home + away, [], people[0], jiguan)
    for month in range(3, 11):
        _record(field, "theme_day", date(YEAR, month, 20), [people[5], people[6]] + year["locals"], [],
                people[5], jiguan)


def test_field_member_is_in_touch_at_home_and_points_are_whole(year, client, auth):
    home, field, people, jiguan = year["home"], year["field"], year["people"], year["jiguan"]
    _field_year(year)
    worker = people[5]
    # Recorded with the old form (the whole branch listed): the field member is not absent at home.
    listed = _record(home, "general_meeting", date(YEAR, 6, 25), people[:5], people[5:], people[0], jiguan)
    assert worker.id not in _statuses(listed)
    assert worker.id in expected_at(listed).sitting_in_ids and worker.id in expected_at(listed).in_field
    # Alerts at home in October: last at a home activity in February, in the field every month since.
    flagged = {a.user.id: a for a in alerts.member_alerts(home, date(YEAR, 10, 25))}
    assert worker.id not in flagged
    assert _absence_lines(worker) == 0
    # One total across both branches, the same wherever it is looked at.
    at_home = points.branch_table(home, YEAR, user_id=worker.id)[0]
    in_field = points.branch_table(field, YEAR, user_id=worker.id)[0]
    assert at_home.total == in_field.total == points.member_points(worker, YEAR).total
    assert {line.org_id for line in at_home.lines} == {home.id, field.id}
    # Task points: 2 a month at home in Jan, Feb, Nov, Dec, 2 a month in the field March–October.
    assert at_home.task == 24
    # The home secretary sees the field branch's theme days (type, date, branch), not their minutes,
    # and an application decided there only as such, not its note.
    application = points.apply(field, worker, {"bucket": "task", "points": "2", "note": "测站夜间值守内部说明"})
    application.year = YEAR
    points.review(application, people[6], accept=True)
    points.review(application, jiguan, accept=True)
    db.session.commit()
    auth.login(people[0].username)
    html = client.get(f"/points/{home.id}?year={YEAR}").get_data(as_text=True)
    assert "外业临时支部：参加主题党日" in html and "内部讨论内容" not in html
    assert "外业临时支部：申请认定任务分 +2" in html and "测站夜间值守内部说明" not in html
    # The member page: what the person took part in, where and when, from one query.
    membership = db.session.scalar(select(Membership).where(Membership.org_id == home.id,
                                                            Membership.user_id == worker.id))
    html = client.get(f"/orgs/{home.id}/roster/{membership.id}/participation?year={YEAR}").get_data(as_text=True)
    assert html.count("外业临时支部") >= 8 and f"{YEAR}年10月20日" in html and "theme_day" not in html


def test_grade_is_so_far_until_the_branch_closes_the_year_then_frozen(year, client, auth):
    home, people, jiguan = year["home"], year["people"], year["jiguan"]
    _field_year(year)
    secretary, worker = people[0], people[5]
    row = points.branch_table(home, YEAR, user_id=worker.id)[0]
    assert row.grade is None and row.grade_label == "本年累计"
    with pytest.raises(NotAllowed):
        year_end.close_year(home, YEAR, people[3])  # not on the committee
    points_year, graded = year_end.close_year(home, YEAR, secretary)
    assert graded == 8  # every party member of the home branch; the activist is not graded
    row = points.branch_table(home, YEAR, user_id=worker.id)[0]
    frozen_total = row.total
    assert row.frozen and row.grade == "unqualified" and row.source_label == "按积分评定"
    assert points.branch_table(year["field"], YEAR, user_id=worker.id)[0].grade == "unqualified"
    # Frozen: a record approved afterwards changes neither the total nor the grade.
    _record(home, "lecture", date(YEAR, 12, 28), people[:8], [], secretary, jiguan, lecturer_id=secretary.id)
    assert points.branch_table(home, YEAR, user_id=worker.id)[0].total == frozen_total
    with pytest.raises(Invalid):
        year_end.close_year(home, YEAR, secretary)  # already closed
    # Reopening needs a reason and is audited; closing again counts the late lecture.
    with pytest.raises(Invalid):
        year_end.reopen_year(home, YEAR, secretary, " ")
    year_end.reopen_year(home, YEAR, secretary, "补录 12 月党课")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "reopen_points_year"))
    assert entry.changes["reason"] == "补录 12 月党课"
    assert points.branch_table(home, YEAR, user_id=worker.id)[0].grade_label == "本年累计"
    year_end.close_year(home, YEAR, secretary)
    assert points.branch_table(home, YEAR, user_id=worker.id)[0].total == frozen_total + 1
    # Through the pages: the secretary closes and sees the grade.
    db.session.commit()
    auth.login(secretary.username)
    html = client.get(f"/points/{home.id}?year={YEAR}").get_data(as_text=True)
    assert "年度已于" in html and "按积分评定" in html


def test_exemption_needs_the_higher_committee(year):
    home, people, jiguan = year["home"], year["people"], year["jiguan"]
    secretary, ill = people[0], people[4]
    with pytest.raises(Invalid):
        year_end.request_exemption(home, ill, YEAR, "", secretary)
    exemption = year_end.request_exemption(home, ill, YEAR, "长期病休，本人申请不参与积分", secretary)
    with pytest.raises(NotAllowed):
        year_end.decide_exemption(exemption, people[1], approve=True)  # the branch cannot approve it
    year_end.decide_exemption(exemption, jiguan, approve=True, note="同意")
    row = points.branch_table(home, YEAR, user_id=ill.id)[0]
    assert row.exempt and row.grade is None and row.grade_label == "免于积分"
    year_end.close_year(home, YEAR, secretary)
    result = db.session.scalar(select(YearResult).where(YearResult.user_id == ill.id, YearResult.year == YEAR))
    assert result.grade is None and result.source == "exempt"


def test_award_at_county_level_counts_beyond_the_bonus_cap(year):
    home, people, jiguan = year["home"], year["people"], year["jiguan"]
    member, secretary = people[3], people[0]

    def decided(bucket, amount, note):
        application = points.apply(home, member, {"bucket": bucket, "points": str(amount), "note": note})
        points.review(application, secretary, accept=True)
        points.review(application, jiguan, accept=True)

    decided("bonus", 8, "局优秀共产党员")
    decided("bonus", 6, "见义勇为")
    decided("award", 5, "获县级表彰：防汛先进个人")
    row = points.branch_table(home, china_today().year, user_id=member.id)[0]
    assert (row.bonus, row.award) == (14, 5)
    assert row.total == 20 + row.task + 10 + 5  # bonus capped at 10, the award on top


def test_one_year_result_fed_by_points_and_evaluation(year, client, auth):
    home, people, jiguan = year["home"], year["people"], year["jiguan"]
    _field_year(year)
    secretary = people[0]
    evaluation = _record(home, "evaluation", date(YEAR, 12, 15), people[:8], [], secretary, jiguan,
                         evaluation_steps=["self", "mutual", "democratic", "organizational"],
                         grades={str(people[1].id): "excellent", str(people[2].id): "basic"})
    result = db.session.scalar(select(YearResult).where(YearResult.user_id == people[1].id,
                                                        YearResult.year == YEAR))
    assert result.evaluation_grade == "excellent" and result.evaluation_record_id == evaluation.id
    fed = result.id
    assert points.branch_table(home, YEAR, user_id=people[1].id)[0].grade is None  # not before the year end
    year_end.close_year(home, YEAR, secretary)
    rows = {r.user.id: r for r in points.branch_table(home, YEAR)}
    assert rows[people[1].id].grade == "excellent" and rows[people[1].id].source_label == "民主评议组织评定"
    assert rows[people[1].id].result.points_grade == "unqualified"  # the points were its basis, kept
    assert rows[people[3].id].grade == rows[people[3].id].result.points_grade
    assert rows[people[3].id].source_label == "按积分评定"
    # The row the evaluation fed is the one the year end graded: one result per person and year.
    assert rows[people[1].id].result.id == fed and rows[people[1].id].result.is_frozen
    # The evaluation form shows each member's points of the year as the basis of the assessment.
    db.session.commit()
    auth.login(secretary.username)
    form = client.get(f"/records/new/{home.id}/evaluation").get_data(as_text=True)
    assert "（本年累计 20 分，按积分为不合格）" in form


def test_demo_field_members_take_part_in_the_field_only_and_are_active_at_home(demo):
    """No "外业出差" leave typed at home for people in the field; the home branch shows them active."""
    from webapp.models import Attendance, Record

    today = china_today()
    # Members who took part in a temporary branch's approved activities within the last three months.
    field_ids = set(db.session.scalars(
        select(Attendance.user_id).join(Record, Attendance.record_id == Record.id)
        .join(Organization, Record.org_id == Organization.id)
        .where(Organization.is_temporary.is_(True), Record.state == "approved", Attendance.status == "present",
               Record.occurred_on >= today - timedelta(days=80))))
    assert field_ids
    home_rows = db.session.execute(
        select(Attendance.user_id, Attendance.reason, Record.occurred_on, Record.org_id)
        .join(Record, Attendance.record_id == Record.id).join(Organization, Record.org_id == Organization.id)
        .where(Organization.is_temporary.is_(False))).all()
    assert not [r for r in home_rows if "外业" in r.reason]
    for home in db.session.scalars(select(Organization).where(Organization.kind == "branch",
                                                              Organization.is_temporary.is_(False))):
        flagged = {a.user.id for a in alerts.member_alerts(home, today)}
        assert not flagged & field_ids, home.name


def test_points_deduct_only_for_those_expected_even_on_old_attendance(year):
    """A record saved before expectations existed may hold an absence for someone not expected: the
    points still deduct only for those expected."""
    from webapp.models import Attendance

    home, people, jiguan = year["home"], year["people"], year["jiguan"]
    meeting = _record(home, "committee_meeting", date(YEAR, 3, 8), people[:3], [], people[0], jiguan)
    meeting.attendances.append(Attendance(user_id=people[4].id, status="absent", reason=""))
    db.session.flush()
    points.apply_attendance(meeting)
    assert _absence_lines(people[4]) == 0
