"""Checking against the standard: each standard at its boundaries, summaries kept on approval and
correction, temporary branches prorated, member alerts, the rectification ledger, the dashboard."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditLog, Membership, Organization, StandardMonthCount, User
from webapp.orgs import tree
from webapp.records import service
from webapp.standards import alerts, checklist, periods, problems, summaries

YEAR = date.today().year - 1  # a finished year: every month of it is in the past
AFTER = date(YEAR + 1, 1, 15)


def committee_org() -> Organization:
    return db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))


def make_branch(name: str, members: int, *, joined: date = date(YEAR - 1, 1, 1), temporary=None,
                titles=()) -> tuple[Organization, list[User]]:
    fields = {"name": name}
    if temporary:
        fields.update(is_temporary=True, project_name="测试项目", site="测试站", start_date=temporary[0],
                      end_date=temporary[1])
    org = tree.create_child(committee_org(), "branch", None, **fields)
    users = []
    for i in range(members):
        user = User(name=f"{name[:2]}{i}", category="full", password_hash="x")
        db.session.add(user)
        db.session.flush()
        title = titles[i] if i < len(titles) else None
        db.session.add(Membership(user=user, org=org, relation="temporary" if temporary else "home",
                                  title=title, joined_on=joined, is_recorder=(i == 0)))
        users.append(user)
    db.session.flush()
    return org, users


def record(org, record_type, day: date, users, actor, reviewer, start="09:00", end="10:30", **extra):
    data = {"occurred_on": day.isoformat(), "start_time": start, "end_time": end, "place": "会议室",
            "topic": f"{record_type} {day}", "attendee_ids": [u.id for u in users], **extra}
    if record_type == "theme_day":
        data.setdefault("theme_items", ["recite_constitution", "collective_study", "pay_dues"])
    made = service.create_record(org, record_type, data, actor)
    service.approve(made, reviewer)
    db.session.flush()
    return made


def item(items, key):
    return next(i for i in items if i.spec["key"] == key)


def test_theme_day_of_59_minutes_does_not_count_but_60_does(demo):
    org, users = make_branch("五九分钟支部", 4)
    jiguan = demo["jiguan"]
    record(org, "theme_day", date(YEAR, 3, 10), users, users[0], jiguan, "09:00", "09:59")
    march = periods.make("month", YEAR, 3)
    assert item(checklist.evaluate(org, march, AFTER), "theme_day").status == "missed"
    record(org, "theme_day", date(YEAR, 3, 20), users, users[0], jiguan, "09:00", "10:00")
    result = item(checklist.evaluate(org, march, AFTER), "theme_day")
    assert result.status == "met" and [r.occurred_on for r in result.records] == [date(YEAR, 3, 20)]


def test_general_meeting_on_the_last_day_of_a_quarter_counts_for_that_quarter(demo):
    org, users = make_branch("季末支部", 4)
    record(org, "general_meeting", date(YEAR, 3, 31), users, users[0], demo["jiguan"])
    q1, q2 = periods.make("quarter", YEAR, 1), periods.make("quarter", YEAR, 2)
    assert item(checklist.evaluate(org, q1, AFTER), "general_meeting").status == "met"
    assert item(checklist.evaluate(org, q2, AFTER), "general_meeting").status == "missed"
    record(org, "general_meeting", date(YEAR, 4, 1), users, users[0], demo["jiguan"])
    assert item(checklist.evaluate(org, q2, AFTER), "general_meeting").status == "met"
    year = item(checklist.evaluate(org, periods.make("year", YEAR), AFTER), "general_meeting")
    assert year.status == "missed" and year.note == "2/4 个季度达标"
    # The current period is "not yet", never "missed", while it runs.
    running = periods.containing("quarter", date.today())
    assert item(checklist.evaluate(org, running, date.today()), "general_meeting").status == "not_yet"


def test_branch_growing_past_seven_members_mid_year_needs_a_committee_from_then(demo):
    org, users = make_branch("成长支部", 7)
    newcomer = User(name="新同志", category="full", password_hash="x")
    db.session.add(newcomer)
    db.session.flush()
    db.session.add(Membership(user=newcomer, org=org, relation="home", joined_on=date(YEAR, 7, 1)))
    db.session.flush()
    june, july = periods.make("month", YEAR, 6), periods.make("month", YEAR, 7)
    assert item(checklist.evaluate(org, june, AFTER), "committee_size").status == "na"
    assert item(checklist.evaluate(org, july, AFTER), "committee_size").status == "missed"
    assert item(checklist.evaluate(org, july, AFTER), "committee_meeting").status == "na"  # no committee yet
    first_three = db.session.scalars(select(Membership).where(Membership.org_id == org.id)
                                     .order_by(Membership.id).limit(3))
    for membership, title in zip(first_three, ("secretary", "organization", "propaganda"), strict=True):
        membership.title = title
    org.committee_term_end = date(YEAR + 3, 1, 1)
    db.session.flush()
    assert item(checklist.evaluate(org, july, AFTER), "committee_size").status == "met"
    assert item(checklist.evaluate(org, july, AFTER), "committee_meeting").status == "missed"
    assert item(checklist.evaluate(org, july, AFTER), "committee_term").status == "met"


def test_temporary_branch_of_forty_days_owes_one_theme_day(demo):
    start = date(YEAR, 5, 10)
    org, users = make_branch("四十天临时党支部", 6, joined=start, temporary=(start, start + timedelta(days=39)),
                             titles=("temporary_leader",))
    year = periods.make("year", YEAR)
    items = checklist.evaluate(org, year, AFTER)
    theme = item(items, "theme_day")
    assert (theme.status, theme.required) == ("missed", 1)
    assert "40 天" in theme.note
    assert item(items, "general_meeting").status == "na"  # 40/91 of a quarter rounds to none
    assert item(items, "lecture").status == "na"
    record(org, "theme_day", date(YEAR, 6, 5), users, users[0], demo["jiguan"])
    assert item(checklist.evaluate(org, year, AFTER), "theme_day").status == "met"
    # Outside its active window the branch is not judged at all.
    march = periods.make("month", YEAR, 3)
    assert item(checklist.evaluate(org, march, AFTER), "theme_day").status == "na"


def test_secretary_lecture_and_group_meetings_per_group(demo):
    org, users = make_branch("党课支部", 5, titles=("secretary",))
    group = tree.create_child(org, "group", None, name="第一党小组")
    record(org, "lecture", date(YEAR, 2, 1), users, users[0], demo["jiguan"], lecturer_id=users[0].id)
    year = periods.make("year", YEAR)
    items = checklist.evaluate(org, year, AFTER)
    assert item(items, "secretary_lecture").status == "met"
    lecture = item(items, "lecture")
    assert lecture.status == "missed" and lecture.note == "1/2 个半年达标"
    feb = periods.make("month", YEAR, 2)
    assert item(checklist.evaluate(org, feb, AFTER), "group_meeting").status == "missed"
    with pytest.raises(service.Invalid) as error:  # an id beyond the integer column: a form error
        record(org, "group_meeting", date(YEAR, 2, 9), users[:3], users[0], demo["jiguan"], group_id=str(10**30))
    assert "group_id" in error.value.errors
    record(org, "group_meeting", date(YEAR, 2, 9), users[:3], users[0], demo["jiguan"], group_id=group.id)
    assert item(checklist.evaluate(org, feb, AFTER), "group_meeting").status == "met"


def test_summaries_follow_approval_and_corrections(demo):
    org, users = make_branch("统计支部", 4)
    made = record(org, "theme_day", date(YEAR, 8, 8), users, users[0], demo["jiguan"])

    def counts():
        return {(c.month, c.key): c.count for c in db.session.scalars(
            select(StandardMonthCount).where(StandardMonthCount.org_id == org.id))}

    assert counts() == {(f"{YEAR}-08", "theme_day"): 1, (f"{YEAR}-08", "theme_day_ok"): 1}
    # A correction moving it to September counts only once approved; until then August stands.
    data = dict(made.current.data, occurred_on=date(YEAR, 9, 3).isoformat())
    service.revise_record(made, data, users[0], base_version=made.version)
    db.session.flush()
    assert counts() == {(f"{YEAR}-08", "theme_day"): 1, (f"{YEAR}-08", "theme_day_ok"): 1}
    service.approve(made, demo["jiguan"])
    db.session.flush()
    assert counts() == {(f"{YEAR}-09", "theme_day"): 1, (f"{YEAR}-09", "theme_day_ok"): 1}
    before = counts()
    summaries.rebuild([org.id])
    assert counts() == before


def test_member_alerts_at_three_and_six_months_and_leave_with_reason(demo):
    org, users = make_branch("提醒支部", 5)
    today = date(YEAR, 12, 20)
    jiguan = demo["jiguan"]
    record(org, "theme_day", date(YEAR, 5, 10), users, users[0], jiguan)  # everyone present in May
    data = {"absentees": [{"user_id": users[2].id, "reason": "住院治疗"}, {"user_id": users[3].id, "reason": ""}]}
    record(org, "theme_day", date(YEAR, 8, 15), users[:2] + users[4:], users[0], jiguan, **data)
    record(org, "theme_day", date(YEAR, 11, 15), users[:2], users[0], jiguan)
    found = {a.user.id: a for a in alerts.member_alerts(org, today)}
    assert users[0].id not in found
    assert found[users[3].id].level == "serious" and found[users[3].id].months == 7  # absent without reason
    assert found[users[2].id].level == "warning"  # excused in August: four months
    assert found[users[4].id].level == "warning" and found[users[4].id].last_attended.occurred_on == date(YEAR, 8, 15)


def test_rectification_ledger_open_close_overdue_and_audit(demo, client, auth):
    org = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    with pytest.raises(problems.Invalid):
        problems.open_problem(org, {"description": ""}, demo["shuji"])
    with pytest.raises(problems.Invalid) as error:  # an id beyond the integer column: a form error
        problems.open_problem(org, {"description": "x", "responsible_id": str(10**30)}, demo["shuji"])
    assert error.value.errors["responsible_id"] == "责任人必须是本支部人员"
    problem = problems.open_problem(org, {"standard_key": "theme_day", "description": "9 月主题党日不足 1 小时",
                                          "measure": "补开并延长学习", "deadline": (date.today() - timedelta(days=1)).isoformat()},
                                    demo["shuji"])
    assert problem.is_overdue(date.today())
    with pytest.raises(problems.Invalid):
        problems.close_problem(problem, {"evidence": ""}, demo["shuji"])
    problems.close_problem(problem, {"evidence": "10 月 12 日补开主题党日 90 分钟"}, demo["shuji"])  # late is allowed
    db.session.commit()
    assert problem.state == "closed" and not problem.is_overdue(date.today())
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.entity_id == problem.uuid)))
    assert actions == {"open_problem", "close_problem"}
    auth.login("shuji")
    html = client.get(f"/standards/{org.id}/problems").get_data(as_text=True)
    assert "9 月主题党日不足 1 小时" in html and "已销号" in html
    from webapp.ledgers import workbook

    sheets = [title for _, title, _ in workbook.installed_sheets()]
    assert "整改台账" in sheets


def test_dashboard_cells_say_which_monthly_standard_is_missing(demo):
    from webapp.standards import dashboard

    org, users = make_branch("网格支部", 6, titles=("secretary", "organization", "propaganda"))
    group = tree.create_child(org, "group", None, name="勘测党小组")
    jiguan = demo["jiguan"]
    for month in (3, 4):
        record(org, "theme_day", date(YEAR, month, 10), users, users[0], jiguan)
        record(org, "committee_meeting", date(YEAR, month, 12), users[:3], users[0], jiguan)
    record(org, "group_meeting", date(YEAR, 4, 15), users[:3], users[0], jiguan, group_id=group.id)
    record(org, "theme_day", date(YEAR, 5, 10), users, users[0], jiguan, "09:00", "09:30")  # under an hour
    db.session.flush()
    board = dashboard.build(jiguan, YEAR, AFTER)
    row = next(r for r in board.rows if r.org.id == org.id)
    cells = {month: (status, missing) for month, status, missing in row.cells}
    assert cells[f"{YEAR}-03"] == ("missed", ("党小组会（勘测党小组）",))
    assert cells[f"{YEAR}-04"] == ("met", ())
    assert cells[f"{YEAR}-05"] == ("missed", ("主题党日", "支委会", "党小组会（勘测党小组）"))
    assert row.met == 1 and row.due == 12


def test_pages_permissions_and_dashboard_filters(demo, client, auth):
    office = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    auth.login("dangyuan")
    assert client.get(f"/standards/{office.id}").status_code == 404
    own = db.session.scalar(select(Organization).where(Organization.name == "规划计划处党支部"))
    assert client.get(f"/standards/{own.id}").status_code == 403
    auth.logout()
    auth.login("shuji")
    page = client.get(f"/standards/{office.id}?period={date.today().year}").get_data(as_text=True)
    assert "主题党日每月至少 1 次" in page and "党员活动室" in page and "已达标" in page
    board = client.get("/standards/").get_data(as_text=True)
    assert "办公室党支部" in board and "规划计划处党支部" not in board
    auth.logout()
    auth.login("jiguan")
    board = client.get("/standards/").get_data(as_text=True)
    assert all(name in board for name in ("办公室党支部", "规划计划处党支部", "长江中游水文测验项目临时党支部"))
    assert "月未达标，尚缺：" in board  # every missed cell says what the month lacks
    temp_only = client.get("/standards/?temporary=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert temp_only.startswith('<div id="dashboard-table">')
    assert "长江中游水文测验项目临时党支部" in temp_only and "办公室党支部" not in temp_only
    response = auth.post(f"/standards/{office.id}/ticks/notebooks", {"note": "已为全体党员发放学习笔记本",
                                                                     "year": date.today().year})
    assert response.status_code == 302
    assert "已为全体党员发放学习笔记本" in client.get(f"/standards/{office.id}").get_data(as_text=True)
    # An implausible year is not stored: the tick lands on this year.
    auth.post(f"/standards/{office.id}/ticks/notebooks", {"note": "补记", "year": "99999"})
    from webapp.models import StandardTick

    assert set(db.session.scalars(select(StandardTick.year).where(StandardTick.org_id == office.id))) == {
        date.today().year}


def test_weekly_digest_reads_the_checklist(demo):
    from webapp.models.base import utcnow
    from webapp.push.scheduler import branch_gaps

    office = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    gaps = branch_gaps(office, utcnow())
    # This month's committee meeting is recorded but not yet approved: the checklist still misses it.
    assert any(g.startswith("本月支委会每月至少 1 次") for g in gaps), gaps
    assert any("条记录待审核" in g for g in gaps)
