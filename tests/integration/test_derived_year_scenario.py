"""Issue 15's proof: one year of two branches, every derived ledger asserted together.

A home branch (家园支部: a committee of three, two party groups, an activist) and a temporary project
branch (外业临时支部, March to October) sharing two members who take part only in the field while it
runs. Records in every month through the services the pages use (records, dues, points year end, rule
changes): a committee meeting first entered the old way (the whole branch listed), a group meeting that
lists the other group, a general meeting listing the field members, the same theme day recorded on two
phones and merged, 党课 made quarterly from July by the higher committee, a dues gap across the year
end, dues collected in the field (代收). Asserted: the checklist for each month, quarter and half year,
the participation and dues alerts, each person's points and year result after the branch closes the
year, and the dues ledger across the year end.

The app (and its database) is built per test by conftest, so the year is built once and asserted in
one test, section by section."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from webapp.passwords import hash_password
from webapp.dues import alerts as dues_alerts
from webapp.dues import service as dues
from webapp.extensions import db
from webapp.models import Membership, Organization, PointsLine, Record, User, YearResult
from webapp.orgs import tree
from webapp.points import service as points
from webapp.points import year_end
from webapp.records import duplicates
from webapp.records import service as records
from webapp.standards import alerts, checklist, periods, rule_changes

YEAR = date.today().year - 1  # a finished year: every period of it is over
AFTER = date(YEAR + 1, 1, 15)
FIELD_START, FIELD_END = date(YEAR, 3, 1), date(YEAR, 10, 31)
FIELD_MONTHS = range(3, 11)
HOME_MONTHS = (1, 2, 11, 12)  # when the two field members are at home
TITLES = ["secretary", "deputy_secretary", "organization"]


def _person(name: str, category: str = "full") -> User:
    user = User(name=name, username=f"s{name}", category=category, password_hash=hash_password("zhibu-demo"))
    db.session.add(user)
    db.session.flush()
    return user


def _record(org, record_type, day, present, absent=(), recorder=None, reviewer=None, approve=True, **extra):
    """As the form posts it: the ticked present, the others listed as absentees without a reason."""
    data = {"occurred_on": day.isoformat(), "start_time": "09:00", "end_time": "10:30", "place": "会议室",
            "topic": f"{record_type} {day}", "content": "会议内容",
            "attendee_ids": [u.id for u in present],
            "absentees": [{"user_id": u.id, "reason": ""} for u in absent], **extra}
    if record_type == "theme_day":
        data.setdefault("theme_items", ["recite_constitution", "collective_study", "pay_dues"])
    made = records.create_record(org, record_type, data, recorder)
    if approve:
        records.approve(made, reviewer)
    db.session.flush()
    return made


@pytest.fixture
def scenario(demo):
    jiguan = demo["jiguan"]
    committee = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    home = tree.create_child(committee, "branch", None, name="家园支部")
    group_a = tree.create_child(home, "group", None, name="第一党小组")
    group_b = tree.create_child(home, "group", None, name="第二党小组")
    field = tree.create_child(committee, "branch", None, name="外业临时支部", is_temporary=True,
                              project_name="外业项目", site="测站", start_date=FIELD_START, end_date=FIELD_END)
    p, locals_ = _people(home, group_a, group_b, field)

    # The higher committee makes 党课 quarterly from July (a rule changed mid-year).
    rule_changes.adjust(committee, {"key": "standard.lecture.period", "value": "季度",
                                    "effective_from": f"{YEAR}-07-01", "reason": "上级党委通知"}, jiguan)

    made = {}
    for month in range(1, 13):
        made.update(_home_month(home, month, p, group_a, group_b, jiguan))
    _home_year(home, p, jiguan)
    # The field branch: a theme day each month it runs, the two home members and the local colleagues.
    for month in FIELD_MONTHS:
        _record(field, "theme_day", date(YEAR, month, 20), [p[5], p[6]] + locals_, (), p[5], jiguan)
    db.session.flush()
    return {"home": home, "field": field, "a": group_a, "b": group_b, "p": p, "locals": locals_,
            "jiguan": jiguan, "committee": committee, "made": made}


def _people(home, group_a, group_b, field) -> tuple[list[User], list[User]]:
    """0–2 the committee; group A 0–4, group B 5–8; 8 an activist; 5 and 6 in the field March–October;
    and three local colleagues of the field branch."""
    p = [_person(f"年{i}", "activist" if i == 8 else "full") for i in range(9)]
    for i, user in enumerate(p):
        db.session.add(Membership(user=user, org=home, relation="home", joined_on=date(YEAR - 3, 1, 1),
                                  title=TITLES[i] if i < 3 else None, is_recorder=(i == 0),
                                  group_id=(group_a if i < 5 else group_b).id))
    for i in (5, 6):
        db.session.add(Membership(user=p[i], org=field, relation="temporary", joined_on=FIELD_START,
                                  title="temporary_leader" if i == 6 else None, is_recorder=(i == 5)))
    locals_ = [_person(f"外{i}") for i in range(3)]
    for user in locals_:
        db.session.add(Membership(user=user, org=field, relation="temporary", joined_on=FIELD_START))
    db.session.flush()
    return p, locals_


def _home_month(home, month: int, p: list[User], group_a, group_b, jiguan) -> dict:
    """One month of the home branch's meetings; returns the January records later steps look at."""
    secretary, made = p[0], {}
    at_home = [p[i] for i in (0, 1, 2, 3, 4, 7)]
    away = [p[5], p[6]] if month in HOME_MONTHS else []
    # Theme day on the 10th (the activist sits in once); April's is recorded on two phones below.
    if month != 4:
        _record(home, "theme_day", date(YEAR, month, 10), at_home + away + ([p[8]] if month == 1 else []),
                recorder=secretary, reviewer=jiguan)
    # Committee meeting on the 8th, none in July; January's lists the whole branch (the old form),
    # in February member 2 of the committee is absent without a reason.
    if month == 1:
        made["committee_jan"] = _record(home, "committee_meeting", date(YEAR, 1, 8), p[:3], p[3:],
                                        secretary, jiguan)
    elif month == 2:
        _record(home, "committee_meeting", date(YEAR, 2, 8), p[:2], [p[2]], secretary, jiguan)
    elif month != 7:
        _record(home, "committee_meeting", date(YEAR, month, 8), p[:3], (), secretary, jiguan)
    # Group A every month (January lists group B and the absent member 4); group B only when home.
    if month == 1:
        made["group_jan"] = _record(home, "group_meeting", date(YEAR, 1, 15), p[:4], p[4:], secretary, jiguan,
                                    group_id=group_a.id)
    else:
        _record(home, "group_meeting", date(YEAR, month, 15), p[:5], (), secretary, jiguan, group_id=group_a.id)
    if month in HOME_MONTHS:
        _record(home, "group_meeting", date(YEAR, month, 16), [p[5], p[6], p[7], p[8]], (), secretary, jiguan,
                group_id=group_b.id)
    return made


def _home_year(home, p: list[User], jiguan) -> None:
    """The home branch's general meetings, 党课 and 民主评议 of the year."""
    secretary = p[0]
    at_home = [p[i] for i in (0, 1, 2, 3, 4, 7)]
    # General meetings in Q1, Q2 and Q4 (none in Q3); May's lists the field members as absent.
    for month in (2, 5, 11):
        away = [p[5], p[6]]
        _record(home, "general_meeting", date(YEAR, month, 20), at_home + (away if month != 5 else []),
                away if month == 5 else (), secretary, jiguan)
    # 党课: March by the secretary (H1, half-yearly), August (Q3, quarterly from July), none in Q4.
    _record(home, "lecture", date(YEAR, 3, 5), at_home, (), secretary, jiguan, lecturer_id=secretary.id)
    _record(home, "lecture", date(YEAR, 8, 12), at_home, (), secretary, jiguan, lecturer_id=p[1].id)
    # 民主评议 in December: member 1 excellent, member 2 basic. No 组织生活会 this year.
    _record(home, "evaluation", date(YEAR, 12, 15), p[:8], (), secretary, jiguan,
            evaluation_steps=["self", "mutual", "democratic", "organizational"],
            grades={str(p[1].id): "excellent", str(p[2].id): "basic"})


def _april_theme_day_on_two_phones(s):
    """The same April theme day from two phones, both approved before anyone noticed, then merged."""
    p, home, jiguan = s["p"], s["home"], s["jiguan"]
    first = _record(home, "theme_day", date(YEAR, 4, 10), [p[0], p[1], p[2], p[3]], (), p[0], jiguan,
                    topic="主题党日（手机甲）")
    second = _record(home, "theme_day", date(YEAR, 4, 10), [p[3], p[4], p[7]], (), p[1], jiguan,
                     topic="主题党日（手机乙）")
    twice = db.session.scalar(select(PointsLine.delta).where(PointsLine.user_id == p[3].id,
                                                             PointsLine.record_id == second.id))
    assert twice == 2  # counted on both before the merge
    assert (first.id, second.id) in {(a.id, b.id) for a, b in duplicates.pairs_for_review(jiguan)} or \
        (second.id, first.id) in {(a.id, b.id) for a, b in duplicates.pairs_for_review(jiguan)}
    duplicates.merge(first, second, p[0])
    db.session.flush()
    db.session.expire_all()
    kept = db.session.get(Record, first.id)
    assert {a.user_id for a in kept.attendances if a.status == "present"} == {p[i].id for i in (0, 1, 2, 3, 4, 7)}
    assert not db.session.scalars(select(PointsLine).where(PointsLine.record_id == second.id)).all()
    return kept


def _item(items, key, group=None):
    found = [i for i in items if i.spec["key"] == key and (group is None or i.note.startswith(group))]
    assert len(found) == 1, (key, group, [(i.spec["key"], i.note) for i in found])
    return found[0]


def _statuses(org, code, keys):
    items = checklist.evaluate(org, periods.parse(code, AFTER), AFTER)
    out = {}
    for key in keys:
        if key == "group_meeting":
            out["group_a"] = _item(items, key, "第一党小组").status
            out["group_b"] = _item(items, key, "第二党小组").status
        else:
            out[key] = _item(items, key).status
    return out, items


KEYS = ("theme_day", "committee_meeting", "group_meeting", "general_meeting", "lecture", "secretary_lecture",
        "life_meeting", "evaluation")


def _expected_month(month: int) -> dict:
    quarter = (month - 1) // 3 + 1
    return {
        "theme_day": "met",
        "committee_meeting": "missed" if month == 7 else "met",
        "group_a": "met",
        "group_b": "met" if month in HOME_MONTHS else "missed",
        "general_meeting": "missed" if quarter == 3 else "met",
        "lecture": "missed" if quarter == 4 else "met",  # H1 by the half-yearly rule, then each quarter
        "secretary_lecture": "met", "life_meeting": "missed", "evaluation": "met",
    }


def _assert_checklist(s):
    home, field = s["home"], s["field"]
    for month in range(1, 13):
        got, _ = _statuses(home, f"{YEAR}-{month:02d}", KEYS)
        assert got == _expected_month(month), month
    # The month view of a longer standard names the period it was judged over, by the rule in force then.
    _, march = _statuses(home, f"{YEAR}-03", KEYS)
    assert _item(march, "lecture").label == "党课每半年至少 1 次"
    assert _item(march, "lecture").note.startswith("本半年已完成")
    _, august = _statuses(home, f"{YEAR}-08", KEYS)
    assert _item(august, "lecture").label == "党课每季度至少 1 次"
    assert _item(august, "general_meeting").note.startswith("本季度未完成")
    _, november = _statuses(home, f"{YEAR}-11", KEYS)
    assert _item(november, "lecture").note.startswith("本季度未完成")
    january_committee = _item(checklist.evaluate(home, periods.parse(f"{YEAR}-01", AFTER), AFTER),
                              "committee_meeting")
    assert january_committee.records and january_committee.records[0].id == s["made"]["committee_jan"].id
    # April: one theme day after the merge, counted once.
    _, april = _statuses(home, f"{YEAR}-04", KEYS)
    assert _item(april, "theme_day").done == 1

    quarters = {
        1: {"theme_day": "met", "committee_meeting": "met", "group_a": "met", "group_b": "missed",
            "general_meeting": "met", "lecture": "met"},
        2: {"theme_day": "met", "committee_meeting": "met", "group_a": "met", "group_b": "missed",
            "general_meeting": "met", "lecture": "met"},
        3: {"theme_day": "met", "committee_meeting": "missed", "group_a": "met", "group_b": "missed",
            "general_meeting": "missed", "lecture": "met"},
        4: {"theme_day": "met", "committee_meeting": "met", "group_a": "met", "group_b": "missed",
            "general_meeting": "met", "lecture": "missed"},
    }
    for quarter, expected in quarters.items():
        got, _ = _statuses(home, f"{YEAR}-Q{quarter}", KEYS)
        assert {k: got[k] for k in expected} == expected, quarter
        assert (got["secretary_lecture"], got["life_meeting"], got["evaluation"]) == ("met", "missed", "met")
    _, q2 = _statuses(home, f"{YEAR}-Q2", KEYS)
    assert _item(q2, "lecture").scope == periods.make("half_year", YEAR, 1)  # the half year holds Q2
    _, q3 = _statuses(home, f"{YEAR}-Q3", KEYS)
    assert _item(q3, "committee_meeting").note == "2/3 个月达标"

    h1, _ = _statuses(home, f"{YEAR}-H1", KEYS)
    assert {k: h1[k] for k in ("theme_day", "committee_meeting", "group_a", "group_b", "general_meeting",
                                "lecture")} == {"theme_day": "met", "committee_meeting": "met", "group_a": "met",
                                                "group_b": "missed", "general_meeting": "met", "lecture": "met"}
    h2, h2_items = _statuses(home, f"{YEAR}-H2", KEYS)
    assert {k: h2[k] for k in ("theme_day", "committee_meeting", "group_a", "group_b", "general_meeting",
                                "lecture")} == {"theme_day": "met", "committee_meeting": "missed",
                                                "group_a": "met", "group_b": "missed",
                                                "general_meeting": "missed", "lecture": "missed"}
    assert _item(h2_items, "lecture").note == "1/2 个季度达标"
    assert _item(h2_items, "general_meeting").note == "1/2 个季度达标"
    year, year_items = _statuses(home, str(YEAR), KEYS)
    assert year == {"theme_day": "met", "committee_meeting": "missed", "group_a": "met", "group_b": "missed",
                    "general_meeting": "missed", "lecture": "missed", "secretary_lecture": "met",
                    "life_meeting": "missed", "evaluation": "met"}
    assert _item(year_items, "lecture").units == [(f"{YEAR}-H1", "met"), (f"{YEAR}-Q3", "met"),
                                                  (f"{YEAR}-Q4", "missed")]
    # The temporary branch owes its theme days for the months it ran.
    for month in FIELD_MONTHS:
        got, _ = _statuses(field, f"{YEAR}-{month:02d}", ("theme_day",))
        assert got == {"theme_day": "met"}, month


# Task points per month (attendance, capped at 6 a month) and base deductions, from the records above.
TASK = {
    0: [4, 6, 5, 4, 6, 4, 3, 5, 4, 4, 6, 5],
    1: [4, 6, 5, 4, 6, 4, 3, 5, 4, 4, 6, 5],
    2: [4, 5, 5, 4, 6, 4, 3, 5, 4, 4, 6, 5],
    3: [3, 5, 4, 3, 5, 3, 3, 4, 3, 3, 5, 4],
    4: [2, 5, 4, 3, 5, 3, 3, 4, 3, 3, 5, 4],
    5: [3, 5, 2, 2, 2, 2, 2, 2, 2, 2, 5, 4],
    6: [3, 5, 2, 2, 2, 2, 2, 2, 2, 2, 5, 4],
    7: [3, 5, 3, 2, 4, 2, 2, 3, 2, 2, 5, 4],
}
DEDUCTED = {2: 1, 4: 1}  # member 2 missed February's committee meeting, member 4 January's group A
GRADES = {0: "basic", 1: "basic", 2: "basic", 3: "basic", 4: "basic", 5: "unqualified", 6: "unqualified",
          7: "unqualified"}


def _assert_points(s):
    p, home, field = s["p"], s["home"], s["field"]
    # Expected attendance: only the committee at a committee meeting, only group A at its meeting.
    jan = {a.user_id: a.status for a in s["made"]["committee_jan"].attendances}
    assert set(jan.values()) == {"present"} and set(jan) == {u.id for u in p[:3]}
    group = {a.user_id: a.status for a in s["made"]["group_jan"].attendances}
    assert group[p[4].id] == "absent" and not {u.id for u in p[5:]} & set(group)
    rows = {r.user.id: r for r in points.branch_table(home, YEAR)}
    for i, months in TASK.items():
        row = rows[p[i].id]
        monthly = [0] * 12
        for line in row.lines:
            if line.bucket == "task":
                monthly[line.month - 1] += line.delta
        assert monthly == months, i
        assert row.base == -DEDUCTED.get(i, 0), i
        assert row.grade is None and row.grade_label == "本年累计", i  # not graded before the year closes
    activist = rows[p[8].id]
    assert activist.base == 0  # never absent: sits in
    # One total per person wherever it is looked at.
    assert points.branch_table(field, YEAR, user_id=p[5].id)[0].total == rows[p[5].id].total == 20 + 33

    _, graded = year_end.close_year(home, YEAR, p[0])
    assert graded == 8  # the party members; the activist is not graded
    rows = {r.user.id: r for r in points.branch_table(home, YEAR)}
    for i, months in TASK.items():
        row = rows[p[i].id]
        total = 20 - DEDUCTED.get(i, 0) + sum(months)
        assert row.frozen and row.total == total, i
        assert row.result.points_grade == GRADES[i], (i, total)
    assert [rows[p[i].id].total for i in range(8)] == [76, 76, 74, 65, 63, 53, 53, 57]
    # 民主评议 decides the grade of those it graded; the points grade stays as its basis.
    assert (rows[p[1].id].grade, rows[p[1].id].source_label) == ("excellent", "民主评议组织评定")
    assert (rows[p[2].id].grade, rows[p[2].id].result.source) == ("basic", "evaluation")
    for i in (0, 3, 4, 5, 6, 7):
        assert (rows[p[i].id].grade, rows[p[i].id].result.source) == (GRADES[i], "points"), i
    # The field branch sees the same frozen result for its members.
    assert points.branch_table(field, YEAR, user_id=p[6].id)[0].grade == "unqualified"
    assert db.session.scalar(select(YearResult).where(YearResult.user_id == p[8].id, YearResult.year == YEAR)) \
        is None


def _assert_participation_alerts(s):
    p, home = s["p"], s["home"]
    # October: the field members were last at a home activity in February, in the field every month since.
    assert alerts.member_alerts(home, date(YEAR, 10, 25)) == []
    # Three months after December with nothing recorded: every party member warned, never the activist.
    flagged = {a.user.id: a for a in alerts.member_alerts(home, date(YEAR + 1, 3, 20))}
    assert set(flagged) == {u.id for u in p[:8]}
    assert {a.level for a in flagged.values()} == {"warning"}


def _assert_dues(s):
    p, home, field, secretary = s["p"], s["home"], s["field"], s["p"][0]
    member, worker = p[7], p[5]
    for user in (member, worker):
        dues.set_profile(home, user, secretary, category="salaried", base="4000", since_month=f"{YEAR}-01")
    for month in range(1, 10):  # the member pays January to September, then nothing
        dues.record_payment(home, {"user_id": member.id, "month": f"{YEAR}-{month:02d}", "amount": "40",
                                   "paid_on": f"{YEAR}-{month:02d}-10"}, secretary)
    for month in range(1, 13):  # the field worker pays all year, in the field while there (代收)
        where, by = (field, p[6]) if month in FIELD_MONTHS else (home, secretary)
        dues.record_payment(where, {"user_id": worker.id, "month": f"{YEAR}-{month:02d}", "amount": "40",
                                    "paid_on": f"{YEAR}-{month:02d}-20"}, by)
    # An activist owes nothing.
    with pytest.raises(Exception) as refused:
        dues.set_profile(home, p[8], secretary, category="salaried", base="4000")
    assert "入党积极分子" in str(refused.value.errors)

    year_end_rows = {r.user.id: r for r in dues.branch_year(home, YEAR, date(YEAR, 12, 31))}
    assert p[8].id not in year_end_rows
    assert year_end_rows[worker.id].arrears == []
    assert all(year_end_rows[worker.id].months.values())
    collected = [m for m, pay in year_end_rows[worker.id].months.items() if pay.collected_by_org_id == field.id]
    assert collected == [f"{YEAR}-{m:02d}" for m in FIELD_MONTHS]
    assert {pay.org_id for pay in year_end_rows[worker.id].months.values()} == {home.id}
    assert [x.month for x in dues.collected_for_others(field, YEAR)] == collected
    assert worker.id not in {r.user.id for r in dues.branch_year(field, YEAR, date(YEAR, 12, 31))}
    assert year_end_rows[member.id].owed_months == [f"{YEAR}-10", f"{YEAR}-11", f"{YEAR}-12"]

    def alert_for(user, today):
        return next((a for a in dues_alerts.member_dues_alerts(home, today) if a.user.id == user.id), None)

    assert alert_for(member, date(YEAR, 12, 10)) is None  # October and November: two months
    warning = alert_for(member, date(YEAR + 1, 1, 10))
    assert warning.level == "warning" and warning.months == [f"{YEAR}-10", f"{YEAR}-11", f"{YEAR}-12"]
    assert alert_for(worker, date(YEAR + 1, 1, 10)) is None
    april = date(YEAR + 1, 4, 10)
    serious = alert_for(member, april)
    assert serious.level == "serious" and serious.months == [f"{YEAR}-{m}" for m in ("10", "11", "12")] + [
        f"{YEAR + 1}-{m:02d}" for m in (1, 2, 3)]
    assert alert_for(worker, april).level == "warning"
    assert p[8].id not in {a.user.id for a in dues_alerts.member_dues_alerts(home, april)}
    # The new year's ledger still shows last year's unpaid months: arrears do not restart in January.
    next_year = {r.user.id: r for r in dues.branch_year(home, YEAR + 1, april)}
    assert next_year[member.id].earlier_arrears == [f"{YEAR}-10", f"{YEAR}-11", f"{YEAR}-12"]
    assert next_year[member.id].arrears_fen == 40_00 * 7  # October to April
    assert next_year[worker.id].earlier_arrears == [] and next_year[worker.id].arrears_fen == 40_00 * 4


def test_a_year_of_two_branches_derives_every_ledger_once(scenario):
    _april_theme_day_on_two_phones(scenario)
    _assert_checklist(scenario)
    _assert_participation_alerts(scenario)
    _assert_points(scenario)
    _assert_dues(scenario)
    _assert_dashboard_agrees(scenario)


def _assert_dashboard_agrees(s):
    """The committee dashboard reads the same periods as the checklist."""
    from webapp.standards import dashboard

    row = next(r for r in dashboard.build(s["jiguan"], YEAR, AFTER).rows if r.org.id == s["home"].id)
    group_b = "党小组会（第二党小组）"
    assert row.cells == [(f"{YEAR}-{m:02d}", "met" if m in HOME_MONTHS else "missed",
                          (("支委会",) if m == 7 else ()) + (() if m in HOME_MONTHS else (group_b,)))
                         for m in range(1, 13)]
    cells = {code: (status, missing) for code, status, missing in row.period_cells}
    assert cells[f"{YEAR}-Q1"] == cells[f"{YEAR}-Q2"] == ("met", ())
    assert cells[f"{YEAR}-Q3"] == ("missed", ("支部党员大会",))
    assert cells[f"{YEAR}-Q4"] == ("missed", ("党课",))  # quarterly from July
    assert cells[f"{YEAR}-H1"] == ("met", ())  # the half-yearly 党课 of March
    assert cells[f"{YEAR}-H2"] == ("na", ())  # nothing is judged half-yearly after June
    assert cells[str(YEAR)][0] == "missed" and "组织生活会" in cells[str(YEAR)][1]
    assert not {"民主评议党员", "支部书记讲党课"} & set(cells[str(YEAR)][1])
