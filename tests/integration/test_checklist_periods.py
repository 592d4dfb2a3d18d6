"""Each standard judged over its own period, by the rule in force then: a scenario across months,
quarters and half years; the committee dashboard with every standard; rules adjusted mid-year from a
page; structural rules that warn and take a reason; 补录 shown wherever a record is counted."""
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import select

from webapp.china_time import china_today
from webapp.extensions import db
from webapp.models import AuditLog, Membership, Organization, PointsLine, RuleOverride, StructuralException, User
from webapp.orgs import structural, tree
from webapp.records import service
from webapp.standards import checklist, dashboard, periods, rule_changes
from webapp.standards.rule_book import attendance_points, dues_amount_fen, rule_in_force

YEAR = date.today().year - 1  # a finished year: every period of it is over
AFTER = date(YEAR + 1, 1, 15)


def committee_org() -> Organization:
    return db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))


def make_branch(name: str, members: int, *, parent=None, titles=()) -> tuple[Organization, list[User]]:
    org = tree.create_child(parent or committee_org(), "branch", None, name=name)
    users = []
    for i in range(members):
        user = User(name=f"{name[:2]}{i}", category="full", password_hash="x")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user=user, org=org, relation="home", title=titles[i] if i < len(titles) else None,
                                  joined_on=date(YEAR - 1, 1, 1), is_recorder=(i == 0)))
        users.append(user)
    db.session.flush()
    return org, users


def record(org, record_type, day: date, users, reviewer, approve=True, **extra):
    data = {"occurred_on": day.isoformat(), "start_time": "09:00", "end_time": "10:30", "place": "会议室",
            "topic": f"{record_type} {day}", "attendee_ids": [u.id for u in users], **extra}
    if record_type == "theme_day":
        data.setdefault("theme_items", ["recite_constitution", "collective_study", "pay_dues"])
    if record_type == "lecture":
        data.setdefault("lecturer_id", users[-1].id)
    made = service.create_record(org, record_type, data, users[0])
    if approve:
        service.approve(made, reviewer)
    db.session.flush()
    return made


def item(items, key):
    return next(i for i in items if i.spec["key"] == key)


def view(org, code: str, today: date = AFTER):
    return checklist.evaluate(org, periods.parse(code, today), today)


def adjust(org, key, value, effective_from, actor, reason="上级党委通知"):
    return rule_changes.adjust(org, {"key": key, "value": value, "effective_from": effective_from,
                                     "reason": reason}, actor)


def test_january_view_shows_the_quarters_general_meeting_held_on_february_20(demo, client, auth):
    org, users = make_branch("季度大会支部", 4)
    meeting = record(org, "general_meeting", date(YEAR, 2, 20), users, demo["jiguan"])
    january = item(view(org, f"{YEAR}-01"), "general_meeting")
    assert january.status == "met", january.note  # was "未达标 (0/1)": judged as if monthly
    assert january.note.startswith("本季度已完成")
    assert january.scope == periods.make("quarter", YEAR, 1)
    assert [r.id for r in january.records] == [meeting.id]
    assert item(view(org, f"{YEAR}-03"), "general_meeting").status == "met"
    # While the second quarter runs, a month of it says how many days the quarter has left.
    april = item(view(org, f"{YEAR}-04", today=date(YEAR, 5, 1)), "general_meeting")
    assert (april.status, april.days_left) == ("not_yet", 61)
    assert april.note.startswith("本季度尚缺，剩 61 天")
    over = item(view(org, f"{YEAR}-04"), "general_meeting")
    assert over.status == "missed" and over.note.startswith("本季度未完成")
    # Monthly standards stay monthly: a January theme day is not proven by a February one.
    record(org, "theme_day", date(YEAR, 2, 10), users, demo["jiguan"])
    assert item(view(org, f"{YEAR}-01"), "theme_day").status == "missed"
    assert item(view(org, f"{YEAR}-02"), "theme_day").status == "met"
    auth.login("jiguan")
    page = client.get(f"/standards/{org.id}?period={YEAR}-01").get_data(as_text=True)
    assert "本季度已完成" in page and f"{YEAR} 年第 1 季度" in page


def test_april_and_second_quarter_views_show_the_half_years_lecture_done(demo):
    org, users = make_branch("半年党课支部", 4)
    record(org, "lecture", date(YEAR, 3, 5), users, demo["jiguan"])
    for code in (f"{YEAR}-04", f"{YEAR}-Q2", f"{YEAR}-06", f"{YEAR}-H1"):
        lecture = item(view(org, code), "lecture")
        assert lecture.status == "met", (code, lecture.note)  # April and Q2 said "missed"
        assert lecture.label == "党课每半年至少 1 次"
    assert item(view(org, f"{YEAR}-04"), "lecture").note.startswith("本半年已完成")
    assert item(view(org, f"{YEAR}-Q3"), "lecture").status == "missed"
    year = item(view(org, str(YEAR)), "lecture")
    assert year.status == "missed" and year.note == "1/2 个半年达标"
    # The yearly standards read in a month view are the year's.
    assert item(view(org, f"{YEAR}-05"), "life_meeting").note.startswith("本年度未完成")


def test_lecture_made_quarterly_from_july_judges_h1_by_the_old_rule_and_q3_by_the_new(demo):
    jiguan = demo["jiguan"]
    org, users = make_branch("规则调整支部", 4)
    adjust(committee_org(), "standard.lecture.period", "季度", f"{YEAR}-07-01", jiguan)
    record(org, "lecture", date(YEAR, 3, 5), users, jiguan)
    record(org, "lecture", date(YEAR, 8, 10), users, jiguan)
    assert rule_in_force(org, "standard.lecture.period", date(YEAR, 6, 30)) == "half_year"
    assert rule_in_force(org, "standard.lecture.period", date(YEAR, 7, 1)) == "quarter"
    h1 = item(view(org, f"{YEAR}-H1"), "lecture")
    assert (h1.status, h1.label) == ("met", "党课每半年至少 1 次")
    q2 = item(view(org, f"{YEAR}-Q2"), "lecture")
    assert q2.status == "met" and q2.scope == periods.make("half_year", YEAR, 1)
    q3 = item(view(org, f"{YEAR}-Q3"), "lecture")
    assert (q3.status, q3.label) == ("met", "党课每季度至少 1 次")
    assert item(view(org, f"{YEAR}-10"), "lecture").note.startswith("本季度未完成")
    h2 = item(view(org, f"{YEAR}-H2"), "lecture")
    assert h2.status == "missed" and h2.note == "1/2 个季度达标"
    year = item(view(org, str(YEAR)), "lecture")
    assert year.units == [(f"{YEAR}-H1", "met"), (f"{YEAR}-Q3", "met"), (f"{YEAR}-Q4", "missed")]
    assert year.note == "2/3 个考核周期达标"
    # The dashboard reads the same periods: 党课 sits in H1 until June, then in each quarter.
    row = next(r for r in dashboard.build(jiguan, YEAR, AFTER).rows if r.org.id == org.id)
    cells = {code: (status, missing) for code, status, missing in row.period_cells}
    assert cells[f"{YEAR}-H1"] == ("met", ())
    assert "党课" not in cells[f"{YEAR}-Q1"][1] and "党课" not in cells[f"{YEAR}-Q3"][1]
    assert "党课" in cells[f"{YEAR}-Q4"][1]
    assert cells[f"{YEAR}-H2"] == ("na", ())  # nothing is judged half-yearly any more
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "adjust_rule"))
    assert entry.actor_id == jiguan.id and entry.changes["reason"] == "上级党委通知"


def test_nearest_committee_above_gives_the_rule_else_the_defaults_table(demo):
    jiguan = demo["jiguan"]
    root = committee_org()
    general = tree.create_child(root, "general_branch", None, name="测绘党总支")
    inner, _ = make_branch("总支下支部", 3, parent=general)
    outer, _ = make_branch("直属支部", 3)
    db.session.add(Membership(user=jiguan, org=general, relation="home", title="secretary", active=True))
    db.session.flush()
    adjust(root, "standard.general_meeting.minimum", "2", f"{YEAR}-01-01", jiguan)
    adjust(general, "standard.general_meeting.minimum", "3", f"{YEAR}-04-01", jiguan)
    key = "standard.general_meeting.minimum"
    assert rule_in_force(inner, key, date(YEAR, 3, 31)) == 2
    assert rule_in_force(inner, key, date(YEAR, 4, 1)) == 3
    assert rule_in_force(outer, key, date(YEAR, 4, 1)) == 2
    assert rule_in_force(outer, key, date(YEAR - 1, 12, 31)) == 1  # before any change: the table
    assert rule_in_force(outer, "standard.theme_day.period", date(YEAR, 5, 1)) == "month"
    q2 = item(view(inner, f"{YEAR}-Q2"), "general_meeting")
    assert (q2.required, q2.label) == (3, "支部党员大会每季度至少 3 次")


def test_committee_dashboard_shows_quarterly_half_yearly_and_yearly_items(demo, client, auth):
    jiguan = demo["jiguan"]
    org, users = make_branch("全标准支部", 4)
    record(org, "general_meeting", date(YEAR, 2, 20), users, jiguan)
    record(org, "lecture", date(YEAR, 5, 8), users, jiguan)
    row = next(r for r in dashboard.build(jiguan, YEAR, AFTER).rows if r.org.id == org.id)
    cells = {code: (status, missing) for code, status, missing in row.period_cells}
    assert cells[f"{YEAR}-Q1"] == ("met", ())
    assert cells[f"{YEAR}-Q2"] == ("missed", ("支部党员大会",))
    assert cells[f"{YEAR}-H1"] == ("met", ())
    assert cells[f"{YEAR}-H2"] == ("missed", ("党课",))
    status, missing = cells[str(YEAR)]
    assert status == "missed" and {"支部书记讲党课", "组织生活会", "民主评议党员"} <= set(missing)
    assert any("党员活动室" in m for m in missing)  # the ticks belong to the year as well
    assert cells["structure"][0] in ("met", "missed", "na")
    auth.login("jiguan")
    board = client.get(f"/standards/?year={YEAR}").get_data(as_text=True)
    assert all(name in board for name in ("一季度", "上半年", "全年", "组织建设"))
    assert "二季度未达标，尚缺：支部党员大会" in board and "下半年未达标，尚缺：党课" in board


def test_temporary_branch_against_the_founding_conditions_needs_a_reason(demo, client, auth):
    auth.login("jiguan")
    committee = committee_org()
    five_days = {"kind": "branch", "is_temporary": "1", "name": "五天临时党支部", "project_name": "应急测流",
                 "site": "宜昌", "start_date": f"{YEAR}-06-01", "end_date": f"{YEAR}-06-05"}
    response = auth.post(f"/orgs/{committee.id}/children/new", five_days)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "工期 5 天，未超过 15 天" in body and "未填写项目人员数" in body and "请写明理由" in body
    assert db.session.scalar(select(Organization).where(Organization.name == "五天临时党支部")) is None
    response = auth.post(f"/orgs/{committee.id}/children/new", {**five_days, "planned_people": "２０",
                                                                 "exception_reason": "x"})
    assert response.status_code == 400 and "请填写 0 至 100000 之间的整数" in response.get_data(as_text=True)
    response = auth.post(f"/orgs/{committee.id}/children/new",
                         {**five_days, "planned_people": "12", "planned_members": "3",
                          "exception_reason": "汛期应急，工期短但须组织党员突击队"})
    assert response.status_code == 302
    temp = db.session.scalar(select(Organization).where(Organization.name == "五天临时党支部"))
    exception = db.session.scalar(select(StructuralException).where(StructuralException.org_id == temp.id))
    assert exception.reason == "汛期应急，工期短但须组织党员突击队"
    assert {w["message"] for w in exception.warnings} == {"工期 5 天，未超过 15 天", "项目人员 12 人，不足 20 人",
                                                         "党员 3 人，未超过 5 人"}
    audit_entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "accept_structural_exception"))
    assert audit_entry.entity_id == str(temp.id) and audit_entry.actor_id == demo["jiguan"].id
    assert "汛期应急" in client.get(f"/orgs/{temp.id}").get_data(as_text=True)
    conditions = item(view(temp, f"{YEAR}-06"), "temporary_conditions")
    assert conditions.status == "waived" and "汛期应急" in conditions.note and "工期 5 天" in conditions.note
    assert "已说明例外" in client.get(f"/standards/{temp.id}?period={YEAR}-06").get_data(as_text=True)
    # A project meeting the conditions goes through without a reason and without an exception.
    response = auth.post(f"/orgs/{committee.id}/children/new", {
        **five_days, "name": "合规临时党支部", "end_date": f"{YEAR}-07-20", "planned_people": "25",
        "planned_members": "8"})
    assert response.status_code == 302
    ok = db.session.scalar(select(Organization).where(Organization.name == "合规临时党支部"))
    assert db.session.scalar(select(StructuralException).where(StructuralException.org_id == ok.id)) is None
    # A committee term of two years is warned too.
    response = auth.post(f"/orgs/{committee.id}/children/new", {
        "kind": "branch", "is_temporary": "0", "name": "两年任期支部", "committee_term_start": f"{YEAR}-01-01",
        "committee_term_end": f"{YEAR + 1}-12-31"})
    assert response.status_code == 400 and "不在 3 至 5 年之间" in response.get_data(as_text=True)


def test_checklist_warns_on_committee_size_group_size_and_term_length(demo):
    titles = ("secretary", "deputy_secretary", "organization", "propaganda")
    org, users = make_branch("四人支委支部", 9, titles=titles)
    org.committee_term_start, org.committee_term_end = date(YEAR - 1, 1, 1), date(YEAR + 6, 12, 31)
    group = tree.create_child(org, "group", None, name="二人党小组")
    for membership in db.session.scalars(select(Membership).where(Membership.org_id == org.id)).all()[:2]:
        membership.group_id = group.id
    db.session.flush()
    items = view(org, f"{YEAR}-05")
    composition = item(items, "committee_composition")
    assert composition.status == "missed" and "支委会委员 4 人" in composition.note
    assert "二人党小组：党员 2 人，不足 3 人" in item(items, "group_composition").note
    assert "不在 3 至 5 年之间" in item(items, "committee_term_length").note
    tree.accept_exception(org, structural.committee_composition(4), "换届前一名委员调离，待补选", demo["jiguan"])
    waived = item(view(org, f"{YEAR}-05"), "committee_composition")
    assert waived.status == "waived" and "待补选" in waived.note


def test_late_entries_show_as_bulu_with_the_gap_in_checklist_review_queue_and_exports(demo, client, auth):
    from webapp.ledgers.sheets import records_list

    jiguan = demo["jiguan"]
    org, users = make_branch("补录支部", 4)
    today = china_today()
    held = today - timedelta(days=40)
    late = record(org, "theme_day", held, users, jiguan)
    assert late.recorded_late_days == 40
    on_time = record(org, "lecture", today, users, jiguan, approve=False)
    waiting_late = record(org, "general_meeting", today - timedelta(days=12), users, jiguan, approve=False)
    auth.login("jiguan")
    page = client.get(f"/standards/{org.id}?period={held:%Y-%m}").get_data(as_text=True)
    assert "补录 · 隔 40 天" in page
    queue = client.get(f"/records/review?org_id={org.id}&state=submitted").get_data(as_text=True)
    assert on_time.uuid in queue and waiting_late.uuid in queue
    assert "补录 · 隔 12 天" in queue
    assert queue.count("补录 · 隔") == 1  # the record made on the day is not marked
    book = Workbook()
    records_list.write(book.active, org, held.year)
    cells = [c.value for row in book.active.iter_rows(min_row=3) for c in row]
    assert "补录（活动后 40 天录入）" in cells


def test_rules_page_access_validation_and_what_dues_and_points_read(demo, client, auth):
    office = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    root = committee_org()
    auth.login("shuji")  # a branch secretary reads the rules in force and adjusts nothing
    page = client.get(f"/standards/rules/{office.id}")
    assert page.status_code == 200 and "现行规则" in page.get_data(as_text=True)
    assert "保存调整" not in page.get_data(as_text=True)
    assert auth.post(f"/standards/rules/{office.id}", {"key": "standard.lecture.period", "value": "季度",
                                                      "effective_from": "2026-07-01", "reason": "x"}).status_code == 403
    auth.logout()
    auth.login("jiguan")
    url = f"/standards/rules/{root.id}"
    for form, message in (
            ({"key": "nope", "value": "1"}, "请选择要调整的规则"),
            ({"key": "standard.lecture.period", "value": "每周"}, "考核周期请填写：月、季度、半年或年"),
            ({"key": "standard.lecture.minimum", "value": "０"}, "请填写 1 至 31 之间的整数"),
            ({"key": "dues.salaried_bands", "value": "3000:0.5, 2000:1, 以上:2"}, "各档上限须从小到大排列"),
            ({"key": "dues.salaried_bands", "value": "3000=半"}, "请按“3000:0.5, 5000:1, 以上:2”的格式填写"),
            ({"key": "standard.lecture.period", "value": "季度", "effective_from": "2026-07-15"}, "生效日期须为某月 1 日"),
            ({"key": "standard.lecture.period", "value": "季度", "reason": " "}, "请写明调整原因")):
        data = {"effective_from": f"{YEAR}-07-01", "reason": "测试", **form}
        response = auth.post(url, data)
        assert response.status_code == 400, form
        assert message in response.get_data(as_text=True), (form, message)
    assert db.session.scalar(select(RuleOverride)) is None
    first = today_month = china_today().replace(day=1)  # dues are reckoned today
    response = auth.post(url, {"key": "dues.salaried_bands", "value": "3000:1, 以上:2",
                               "effective_from": first.isoformat(), "reason": "地方细则"})
    assert response.status_code == 302
    response = auth.post(url, {"key": "points.attendance.theme_day", "value": "4",
                               "effective_from": f"{YEAR}-07-01", "reason": "主题党日加分"})
    assert response.status_code == 302
    assert dues_amount_fen(office, "salaried", 400_000, today_month) == 8000  # 2% of 4000 yuan, not 1%
    assert dues_amount_fen(office, "salaried", 400_000, first - timedelta(days=1)) == 4000
    assert attendance_points(office, "theme_day", date(YEAR, 8, 1)).award == 4
    assert attendance_points(office, "theme_day", date(YEAR, 6, 30)).award == 2
    # The dues and points services read the rules in force.
    from webapp.dues import service as dues_service

    member = db.session.scalar(select(Membership).where(Membership.org_id == office.id)).user
    profile = dues_service.set_profile(office, member, demo["shuji"], category="salaried", base="4000")
    assert dues_service.monthly_due(profile) == 8000
    org, users = make_branch("积分规则支部", 3)
    made = record(org, "theme_day", date(YEAR, 8, 12), users, demo["jiguan"])
    awarded = set(db.session.scalars(select(PointsLine.delta).where(PointsLine.record_id == made.id)))
    assert awarded == {4}
    shown = client.get(f"/standards/rules/{office.id}").get_data(as_text=True)
    assert "地方细则" in shown and "3000：1%，以上：2%" in shown
