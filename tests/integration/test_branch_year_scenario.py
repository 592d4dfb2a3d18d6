"""Issue 22's proof: a branch's year as workflows, on both databases.

Two branches under the demo committee: 年度支部 (a committee of three, three full members, a
probationary member and an activist) and 邻支部 (three full members). Through the services the pages
use: 民主评议 from self-assessments through anonymous peer ballots and vote counts to the committee's
grades under an excellent cap the higher committee raises from a date; a 组织生活会 prepared (opinions,
talks, 对照检查材料) whose problems enter the 整改台账 and are closed there; an election approved by the
higher committee that changes the committee and the checklist's committee facts, an extension; and
commitments whose fulfilment feeds task points — all ending in the points year end."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select
from werkzeug.datastructures import MultiDict

from tests.conftest import Auth
from webapp.appraisal import workflow as appraisal
from webapp.passwords import hash_password
from webapp.domain_errors import Invalid, NotAllowed
from webapp.elections import service as elections
from webapp.elections.terms import term_reminder
from webapp.extensions import db
from webapp.life_meeting import preparation
from webapp.models import (
    AppraisalBallot, AppraisalBallotReceipt, Membership, Organization, Problem, User, YearResult,
)
from webapp.orgs import tree
from webapp.points import service as points
from webapp.points import year_end
from webapp.records import service as records
from webapp.roles import commitments
from webapp.standards import checklist, periods, problems, rule_changes

YEAR = date.today().year - 1  # a finished year
TITLES = ["secretary", "deputy_secretary", "organization"]


def _person(name: str, category: str = "full") -> User:
    user = User(name=name, username=f"y{name}", category=category, password_hash=hash_password("zhibu-demo"))
    db.session.add(user)
    db.session.flush()
    return user


def _approved(org, record_type, day, present, actor, reviewer, **extra):
    data = {"occurred_on": day.isoformat(), "start_time": "09:00", "end_time": "10:30", "place": "会议室",
            "topic": f"{record_type} {day}", "content": "内容", "attendee_ids": [u.id for u in present], **extra}
    made = records.create_record(org, record_type, data, actor)
    records.approve(made, reviewer)
    db.session.flush()
    return made


@pytest.fixture
def year(demo):
    jiguan = demo["jiguan"]
    committee = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    home = tree.create_child(committee, "branch", None, name="年度支部")
    home.committee_term_start, home.committee_term_end = date(YEAR - 5, 3, 1), date(YEAR, 2, 28)
    neighbour = tree.create_child(committee, "branch", None, name="邻支部")
    p = [_person(f"年{i}", {6: "probationary", 7: "activist"}.get(i, "full")) for i in range(8)]
    for i, user in enumerate(p):
        db.session.add(Membership(user=user, org=home, relation="home", joined_on=date(YEAR - 3, 1, 1),
                                  title=TITLES[i] if i < 3 else None, is_recorder=(i == 0)))
    n = [_person(f"邻{i}") for i in range(3)]
    for i, user in enumerate(n):
        db.session.add(Membership(user=user, org=neighbour, relation="home", joined_on=date(YEAR - 3, 1, 1),
                                  title="secretary" if i == 0 else None))
    db.session.commit()
    return {"jiguan": jiguan, "committee": committee, "home": home, "neighbour": neighbour, "p": p, "n": n}


def _item(org, key, day, year=None):
    period = periods.make("year", year or day.year)
    return next(i for i in checklist.evaluate(org, period, day) if i.spec["key"] == key)


def test_branch_year(year, app):
    home, neighbour, p, n, jiguan = year["home"], year["neighbour"], year["p"], year["n"], year["jiguan"]
    secretary = p[0]
    members = p[:7]  # 正式 and 预备; p[7] is an activist

    # --- 民主评议: 个人自评 ------------------------------------------------------------------------
    with pytest.raises(NotAllowed):
        appraisal.open_appraisal(home, YEAR, p[3])  # a plain member cannot start it
    sheet = appraisal.open_appraisal(home, YEAR, secretary)
    other = appraisal.open_appraisal(neighbour, YEAR, n[0])
    assert {u.id for u in appraisal.participants(sheet)} == {u.id for u in members}
    with pytest.raises(NotAllowed):
        appraisal.write_self_assessment(sheet, p[7], "积极分子不参加")
    with pytest.raises(NotAllowed):
        appraisal.write_self_assessment(sheet, n[1], "别的支部")
    with pytest.raises(Invalid):
        appraisal.write_self_assessment(sheet, p[1], "   ")
    for user in p[:6]:
        appraisal.write_self_assessment(sheet, user, f"{user.name}一年来认真学习，履行党员义务。")
    appraisal.write_self_assessment(sheet, p[1], "改写后的自评")  # writing again replaces
    progress = appraisal.progress(sheet)
    assert (progress.total, progress.written) == (7, 6)
    assert [u.id for u in progress.not_written] == [p[6].id]

    # --- 党员互评: a sheet per member, stored without the voter ----------------------------------
    with pytest.raises(Invalid):  # a sheet must grade every other member
        appraisal.cast_ballot(sheet, p[1], {p[2].id: ("qualified", "")})
    with pytest.raises(NotAllowed):
        appraisal.cast_ballot(sheet, p[7], {u.id: ("qualified", "") for u in members})
    for voter in members:
        grades = {u.id: ("excellent" if u.id in (p[3].id, p[4].id) else "qualified", "表现好")
                  for u in members if u.id != voter.id}
        assert appraisal.cast_ballot(sheet, voter, grades) == 6
    with pytest.raises(Invalid):
        appraisal.cast_ballot(sheet, p[1], {u.id: ("qualified", "") for u in members if u.id != p[1].id})
    ballot_columns = {c["name"] for c in inspect(db.engine).get_columns(AppraisalBallot.__tablename__)}
    assert ballot_columns == {"key", "appraisal_id", "subject_id", "grade", "remark"}  # no voter, no time
    assert db.session.scalar(select(AppraisalBallotReceipt).where(
        AppraisalBallotReceipt.voter_id == p[2].id)) is not None
    tallies = {t.user.id: t for t in appraisal.tallies(sheet)}
    assert tallies[p[3].id].peer["excellent"] == 6 and tallies[p[5].id].peer["qualified"] == 6

    # --- 民主测评: counts per member and grade -----------------------------------------------------
    with pytest.raises(Invalid):  # more votes than ballots returned
        appraisal.record_vote_counts(sheet, secretary, 7, {p[3].id: {"excellent": 5, "qualified": 3}})
    with pytest.raises(Invalid):  # not a participant
        appraisal.record_vote_counts(sheet, secretary, 7, {p[7].id: {"qualified": 7}})
    appraisal.record_vote_counts(sheet, secretary, 7, {p[3].id: {"excellent": 6, "qualified": 1},
                                                        p[4].id: {"excellent": 5, "qualified": 2},
                                                        p[6].id: {"qualified": 4, "basic": 3}})
    assert appraisal.tallies(sheet)[0].vote  # counts kept per grade

    # --- 组织评定: the excellent cap, raised by the higher committee from 1 December --------------
    grades = {u.id: "qualified" for u in members}
    grades[p[3].id] = grades[p[4].id] = "excellent"
    grades[p[6].id] = "basic"
    with pytest.raises(Invalid, match="20%"):  # 7 members × 20 % → at most 1
        appraisal.decide(sheet, secretary, grades, today=date(YEAR, 11, 30))
    with pytest.raises(NotAllowed):
        rule_changes.adjust(home, MultiDict({"key": "appraisal.excellent_share_max_percent", "value": "30",
                                             "effective_from": f"{YEAR}-12-01", "reason": "x"}), secretary)
    rule_changes.adjust(year["committee"], MultiDict({
        "key": "appraisal.excellent_share_max_percent", "value": "30", "effective_from": f"{YEAR}-12-01",
        "reason": "党委关于民主评议的通知"}), jiguan)
    with pytest.raises(Invalid):  # still 20 % before the date
        appraisal.decide(sheet, secretary, grades, today=date(YEAR, 11, 30))
    with pytest.raises(Invalid):  # every participant needs a grade; the activist none
        appraisal.decide(sheet, secretary, {**grades, p[7].id: "qualified"}, today=date(YEAR, 12, 15))
    assert appraisal.decide(sheet, secretary, grades, today=date(YEAR, 12, 15)) == 7
    with pytest.raises(Invalid):  # decided: nothing changes any more
        appraisal.write_self_assessment(sheet, p[6], "晚交的自评")
    db.session.commit()

    # --- 承诺践诺 feeding task points ---------------------------------------------------------------
    made = commitments.make(home, p[5], YEAR, "deed", "为社区老人义务维修电器", today=date(YEAR, 1, 10))
    missed = commitments.make(home, p[5], YEAR, "discipline", "全年无迟到", today=date(YEAR, 1, 10))
    with pytest.raises(NotAllowed):
        commitments.make(home, p[7], YEAR, "common", "积极分子", today=date(YEAR, 1, 10))
    with pytest.raises(NotAllowed):
        commitments.review(made, p[5], fulfilled=True)
    before = points.member_points(p[5], YEAR).task
    line = commitments.review(made, secretary, fulfilled=True, note="已完成", today=date(YEAR, 12, 20))
    assert commitments.review(missed, secretary, fulfilled=False, today=date(YEAR, 12, 20)) is None
    with pytest.raises(Invalid):
        commitments.review(made, secretary, fulfilled=True)
    assert (line.bucket, line.delta, line.commitment_id) == ("task", 2, made.id)
    assert points.member_points(p[5], YEAR).task == before + 2
    db.session.commit()

    # --- a typed grade on an evaluation record no longer replaces the workflow's -----------------
    _approved(home, "evaluation", date(YEAR, 12, 16), members, secretary, p[1],
              evaluation_steps=["self", "mutual", "democratic", "organizational"],
              grades={str(p[5].id): "unqualified"})
    result = db.session.scalar(select(YearResult).where(YearResult.user_id == p[5].id, YearResult.year == YEAR))
    assert (result.evaluation_grade, result.evaluation_appraisal_id) == ("qualified", sheet.id)

    # --- the points year end uses the one grade --------------------------------------------------
    year_end.close_year(home, YEAR, secretary)
    db.session.commit()
    results = {r.user_id: r for r in db.session.scalars(select(YearResult).where(YearResult.year == YEAR))}
    assert {results[p[3].id].grade, results[p[4].id].grade} == {"excellent"}
    assert results[p[6].id].grade == "basic" and results[p[6].id].source == "evaluation"
    assert p[7].id not in results
    assert other.state == "open" and not [r for r in results.values() if r.evaluation_appraisal_id == other.id]
    with pytest.raises(Invalid):  # the year is closed
        commitments.review(missed, secretary, fulfilled=True)


def test_life_meeting_prep_and_rectification(year, app):
    home, p = year["home"], year["p"]
    secretary, members = p[0], p[:7]
    after = date(YEAR + 1, 1, 10)
    assert _item(home, "life_meeting_prep", after, YEAR).status == "missed"
    with pytest.raises(NotAllowed):
        preparation.open_prep(home, YEAR, p[4])
    prep = preparation.open_prep(home, YEAR, secretary, "对照党章找差距")
    # Talks owed: the three committee members with each other, the secretary with every member.
    assert len(preparation.required_pairs(prep)) == 3 + 4
    _approved(home, "talk", date(YEAR, 11, 3), [], secretary, p[2], host_id=secretary.id,
              talk_with_ids=[u.id for u in members[1:]])
    missing = preparation.talks(prep).missing
    assert [(a.id, b.id) for a, b in missing] in ([(p[1].id, p[2].id)], [(p[2].id, p[1].id)])
    _approved(home, "talk", date(YEAR, 11, 4), [], secretary, p[2], host_id=p[1].id, talk_with_ids=[p[2].id])
    assert preparation.talks(prep).missing == []
    preparation.add_opinion(prep, secretary, "群众", "希望党员多到一线")
    with pytest.raises(NotAllowed):
        preparation.add_opinion(prep, p[4], "", "普通党员不登记")
    with pytest.raises(NotAllowed):
        preparation.write_material(prep, p[7], "积极分子")
    for user in members[:-1]:
        preparation.write_material(prep, user, f"{user.name}的对照检查材料")
    assert _item(home, "life_meeting_prep", after, YEAR).status == "missed"  # one material missing
    assert _item(home, "life_meeting_prep", date(YEAR, 11, 30)).status == "not_yet"
    preparation.write_material(prep, p[6], "预备党员的对照检查")
    item = _item(home, "life_meeting_prep", after, YEAR)
    assert item.status == "met", item.note

    # The meeting: its 整改清单 becomes 整改台账 items directly, closed there.
    deadline = (date(YEAR, 12, 31)).isoformat()
    meeting = _approved(home, "life_meeting", date(YEAR, 12, 10), members, secretary, p[1],
                        rectification_items=[
                            {"description": "理论学习不够系统", "measure": "制定学习计划",
                             "responsible_id": p[1].id, "deadline": deadline},
                            {"description": "联系群众不够", "measure": "每月走访", "responsible_id": p[2].id,
                             "deadline": deadline}])
    preparation.link_record(prep, secretary, meeting)
    preparation.note_criticism(prep, secretary, p[3].id, "学习不深入", "工作方法简单")
    with pytest.raises(Invalid):
        preparation.note_criticism(prep, secretary, p[7].id, "积极分子", "")
    ledger = preparation.problems(prep)
    assert [(x.description, x.responsible_id) for x in ledger] == [("理论学习不够系统", p[1].id),
                                                                   ("联系群众不够", p[2].id)]
    assert {x.id for x in ledger} <= {x.id for x in problems.problems_of(home)}
    problems.close_problem(ledger[0], {"evidence": "学习计划已执行"}, secretary)
    db.session.commit()
    states = {x.description: x.state for x in preparation.problems(prep)}
    assert states == {"理论学习不够系统": "closed", "联系群众不够": "open"}
    assert db.session.scalar(select(Problem).where(Problem.record_id == meeting.id,
                                                   Problem.state == "closed")).evidence == "学习计划已执行"


def test_election_changes_the_committee_and_the_checklist(year, app):
    home, p, n, jiguan = year["home"], year["p"], year["n"], year["jiguan"]
    secretary = p[0]
    day = date.today()
    assert _item(home, "committee_term", day).status == "missed"  # the term ended in February last year
    assert term_reminder(home, day).overdue
    data = {"kind": "general", "held_on": (day - timedelta(days=3)).isoformat(), "seats": "3", "electors": "7",
            "ballots_issued": "7", "ballots_returned": "7", "term_years": "5",
            "candidates": [{"user_id": p[3].id, "votes": 7, "title": "secretary"},
                           {"user_id": p[4].id, "votes": 6, "title": "deputy_secretary"},
                           {"user_id": p[5].id, "votes": 5, "title": "organization"},
                           {"user_id": p[0].id, "votes": 3, "title": "member"}]}
    with pytest.raises(Invalid):  # a probationary member cannot be elected
        elections.record_election(home, secretary, {**data, "candidates": [
            {"user_id": p[6].id, "votes": 7, "title": "secretary"}]})
    with pytest.raises(Invalid):  # more returned than issued
        elections.record_election(home, secretary, {**data, "ballots_returned": "8"})
    with pytest.raises(NotAllowed):
        elections.record_election(home, n[0], data)
    election = elections.record_election(home, secretary, data)
    assert [c.elected for c in election.candidates] == [True, True, True, False]
    with pytest.raises(NotAllowed):  # the branch does not approve its own election
        elections.decide_election(election, secretary, approve=True)
    with pytest.raises(NotAllowed):  # nor does a neighbouring secretary
        elections.decide_election(election, n[0], approve=True)
    elections.decide_election(election, jiguan, approve=True, today=day)
    db.session.commit()
    titles = dict(db.session.execute(select(Membership.user_id, Membership.title).where(
        Membership.org_id == home.id)).all())
    assert titles[p[3].id] == "secretary" and titles[p[0].id] is None and titles[p[1].id] is None
    assert home.committee_term_start == day
    assert home.committee_term_end == day.replace(year=day.year + 5) - timedelta(days=1)
    assert _item(home, "committee_term", day).status == "met"
    assert _item(home, "committee_composition", day).status == "met"
    assert term_reminder(home, day) is None

    # Extension: at most one year in all, approved above.
    with pytest.raises(Invalid):
        elections.request_extension(home, p[3], "13", "工程收尾")
    extension = elections.request_extension(home, p[3], "12", "工程收尾")
    end_before = home.committee_term_end
    with pytest.raises(NotAllowed):
        elections.decide_extension(extension, p[3], approve=True)
    elections.decide_extension(extension, jiguan, approve=True)
    assert home.committee_term_end == end_before.replace(year=end_before.year + 1)
    with pytest.raises(Invalid):
        elections.request_extension(home, p[3], "1", "再延")

    # By-election (补选): fills a seat, the term stays.
    by = elections.record_election(home, p[3], {
        "kind": "by_election", "held_on": day.isoformat(), "seats": "2", "electors": "7", "ballots_issued": "7",
        "ballots_returned": "6", "candidates": [{"user_id": p[1].id, "votes": 6, "title": "propaganda"},
                                               {"user_id": p[2].id, "votes": 5, "title": "discipline"}]})
    elections.decide_election(by, jiguan, approve=True, today=day)
    db.session.commit()
    assert db.session.scalar(select(Membership.title).where(Membership.org_id == home.id,
                                                            Membership.user_id == p[1].id)) == "propaganda"
    assert _item(home, "committee_composition", day).note == "支委会委员 5 人"


def test_term_reminders_before_and_after_the_end(year, app):
    home = year["home"]
    home.committee_term_end = date(2030, 6, 30)
    assert term_reminder(home, date(2029, 12, 29)) is None
    assert term_reminder(home, date(2029, 12, 30)).stage == "6m"
    assert term_reminder(home, date(2030, 3, 30)).stage == "3m"
    assert term_reminder(home, date(2030, 7, 1)).stage == "overdue-0"
    assert term_reminder(home, date(2030, 7, 30)).stage == "overdue-0"
    assert term_reminder(home, date(2030, 7, 31)).stage == "overdue-1"


def test_pages_show_progress_without_ranking(year, app, client):
    home, p = year["home"], year["p"]
    appraisal.open_appraisal(home, YEAR, p[0])
    appraisal.write_self_assessment(appraisal.appraisal_of(home, YEAR), p[1], "我的自评")
    db.session.commit()
    auth = Auth(client)
    auth.login(p[3].username)
    assert "支委会任期已于" not in client.get("/").get_data(as_text=True)  # not on the committee
    html = client.get(f"/appraisal/{home.id}/{YEAR}").get_data(as_text=True)
    assert "个人自评已提交 1 / 7 人" in html and "仅支委可见" not in html
    response = auth.post(f"/appraisal/{home.id}/{YEAR}/self", {"text": "网页上写的自评"},
                         page=f"/appraisal/{home.id}/{YEAR}")
    assert response.status_code == 302
    assert appraisal.self_assessment_of(appraisal.appraisal_of(home, YEAR), p[3]).text == "网页上写的自评"
    auth.logout()
    auth.login(p[0].username)
    html = client.get(f"/appraisal/{home.id}/{YEAR}").get_data(as_text=True)
    assert "尚未提交自评（仅支委可见）" in html and p[6].name in html
    assert "支委会任期已于" in client.get("/").get_data(as_text=True)  # the term ended: the home page says so
    assert client.get(f"/life-meeting/{home.id}/{YEAR}").status_code == 200
    assert client.get(f"/elections/{home.id}").status_code == 200
    roles_page = client.get(f"/roles/{home.id}/{YEAR}")
    assert roles_page.status_code == 200
    html = roles_page.get_data(as_text=True)
    # The page's sections are in its body, once each: the <title> is plain text.
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and html.count('id="posts"') == 1 and html.count('id="volunteering"') == 1


def test_reports_drafted_from_the_year_and_members_reports(year, app):
    from webapp.reports import drafts, member_reports

    home, p = year["home"], year["p"]
    secretary, members = p[0], p[:7]
    after = date(YEAR + 1, 1, 10)
    for month in (3, 6, 9):
        _approved(home, "general_meeting", date(YEAR, month, 10), members[:-1], secretary, p[1],
                  absentees=[{"user_id": p[6].id, "reason": ""}])
    problems.open_problem(home, {"description": "台账不全"}, secretary)
    assert _item(home, "report_work", after, YEAR).status == "missed"
    text = drafts.draft(home, YEAR, "secretary")
    assert "支部党员大会 3 次" in text and "出席率 86%" in text and "党员 7 名" in text
    with pytest.raises(NotAllowed):
        drafts.save(home, YEAR, "branch", "普通党员不能写", p[4])
    drafts.save(home, YEAR, "branch", drafts.draft(home, YEAR, "branch") + "\n修改后的内容", secretary)
    assert _item(home, "report_work", after, YEAR).status == "missed"  # the 述职 is still missing
    drafts.save(home, YEAR, "secretary", text + "\n书记补充", secretary)
    assert _item(home, "report_work", after, YEAR).status == "met"

    with pytest.raises(NotAllowed):
        member_reports.write(home, p[7], YEAR, "积极分子")
    for user in members[:-1]:
        member_reports.write(home, user, YEAR, f"{user.name}的年度汇报")
    item = _item(home, "member_reports", after, YEAR)
    assert (item.status, item.done, item.required) == ("missed", 6, 7)
    member_reports.write(home, p[6], YEAR, "预备党员的汇报")
    assert _item(home, "member_reports", after, YEAR).status == "met"
    with pytest.raises(NotAllowed):
        member_reports.of_branch(home, YEAR, p[3])  # members' reports: the committee only


def test_roles_volunteering_hardship_and_funds(year, app):
    import io

    from PIL import Image

    from webapp.models import DuesPayment, HardshipVisit
    from webapp.records import photos
    from webapp.roles import posts, volunteering
    from webapp.welfare import funds, hardship

    home, neighbour, p, n = year["home"], year["neighbour"], year["p"], year["n"]
    secretary = p[0]
    this_year = date.today().year
    post = posts.assign(home, secretary, p[3].id, this_year, "model_post", "水情测报示范岗")
    with pytest.raises(Invalid):  # an activist holds no post
        posts.assign(home, secretary, p[7].id, this_year, "duty_area", "资料室")
    with pytest.raises(NotAllowed):
        posts.assign(home, p[3], p[4].id, this_year, "duty_area", "资料室")
    posts.add_note(post, p[3], "完成汛期测报 30 次")
    posts.add_note(post, secretary, "支部检查：台账齐全")
    with pytest.raises(NotAllowed):
        posts.add_note(post, p[4], "别人的岗位")
    assert [x.text for x in post.notes] == ["完成汛期测报 30 次", "支部检查：台账齐全"]

    day = date.today()
    assert volunteering.record(home, secretary, "义务植树", day, {p[3].id: 120, p[4].id: 90}) == 2
    volunteering.record(home, secretary, "社区服务", day, {p[3].id: 60})
    with pytest.raises(Invalid):  # someone of another branch
        volunteering.record(home, secretary, "社区服务", day, {n[1].id: 60})
    with pytest.raises(Invalid):
        volunteering.record(home, secretary, "社区服务", day, {p[4].id: 0})
    assert volunteering.totals(home, this_year) == {p[3].id: 180, p[4].id: 90}

    case = hardship.open_case(home, secretary, p[5].id, "家属重病，经济困难", date(this_year, 1, 1))
    with pytest.raises(NotAllowed):
        hardship.cases(home, p[5])  # the ledger is the committee's
    with pytest.raises(Invalid):
        hardship.open_case(home, secretary, n[1].id, "别的支部", date(this_year, 1, 1))
    hardship.add_visit(case, secretary, day, "王书记、组织委员", "送去慰问金和米面油", 50000)
    with pytest.raises(Invalid):
        hardship.add_visit(case, secretary, date(this_year - 1, 12, 1), "书记", "早于列入台账", 0)
    hardship.close_case(case, secretary)
    assert [v.amount_fen for v in db.session.scalars(select(HardshipVisit))] == [50000]

    # Activity funds: the retained share of the dues paid (the rule in force), spending with receipts.
    for user in p[:4]:
        db.session.add(DuesPayment(org_id=home.id, user_id=user.id, month=f"{this_year}-01", amount_fen=10000,
                                   paid_on=date(this_year, 1, 20)))
    db.session.add(DuesPayment(org_id=neighbour.id, user_id=n[1].id, month=f"{this_year}-01", amount_fen=10000,
                               paid_on=date(this_year, 1, 20)))

    def png(color) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), color).save(buffer, "PNG")
        return buffer.getvalue()

    receipt, _ = photos.store(png((10, 20, 30)), secretary)
    other, _ = photos.store(png((30, 20, 10)), n[0])
    with pytest.raises(Invalid):  # receipts are required
        funds.spend(home, secretary, day, "主题党日用品", 8000, [])
    with pytest.raises(Invalid):  # a photo the spender may not use
        funds.spend(home, secretary, day, "主题党日用品", 8000, [other.sha256])
    with pytest.raises(NotAllowed):
        funds.spend(home, p[4], day, "主题党日用品", 8000, [receipt.sha256])
    funds.spend(home, secretary, day, "主题党日用品", 8000, [receipt.sha256])
    fund = funds.fund_year(home, this_year)
    assert (fund.dues_fen, fund.percent, fund.retained_fen, fund.spent_fen, fund.balance_fen) == (
        40000, 25, 10000, 8000, 2000)
    # The committee sees the receipt; a plain member does not.
    from webapp.records import photo_access

    assert photo_access.may_see(p[1], receipt.sha256) and not photo_access.may_see(p[4], receipt.sha256)
