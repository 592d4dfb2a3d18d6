"""Issue 23 (data): the six archives of seed 003 built from what a branch-year already holds, on both
databases. One home branch whose year touches every archive, a temporary branch some of its members
work in (closed at the project's end), a neighbour branch, an empty branch; then who may bind what.

The scenario enters things through the services where the form matters (records, their attendance
and the 组织生活会's 整改清单) and as rows elsewhere (the archives only read them)."""
from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from webapp.extensions import db
from webapp.ledgers import archives
from webapp.ledgers.archives import scope
from webapp.ledgers.archives.model import MeetingPage, Paragraphs, Photos, Table
from webapp.life_meeting import preparation
from webapp.mobility import temporary_branches
from webapp.models import (
    Appraisal, AppraisalVoteCount, BranchReport, Commitment, DevelopmentFile, DevelopmentStep, DuesPayment,
    Election, ElectionCandidate, FlowingMember, FundReceipt, FundSpending, HardshipCase, HardshipVisit,
    Membership, MembershipTransfer, Organization, PlannedActivity, PointsLine, RolePost, RolePostNote,
    SelfAssessment, StudyNote, StudyTask, StudyTaskDone, User, VolunteerHours, YearResult,
)
from webapp.orgs import tree
from webapp.passwords import hash_password
from webapp.records import service as records

YEAR = date.today().year - 1  # a finished year
TALK_SECRET = "谈话中说到的家庭困难细节"
CONTACT_PHONE = "13722223333"
SHA = "ab" * 32


def _person(name: str, phone: str, password: str | None = None) -> User:
    user = User(name=name, username=f"gd{phone[-6:]}", phone=phone, category="full", password_hash=password)
    db.session.add(user)
    db.session.flush()
    return user


def _join(user, org, relation="home", title=None, joined=date(YEAR - 2, 1, 1), **extra):
    db.session.add(Membership(user=user, org=org, relation=relation, title=title, joined_on=joined, **extra))


def _approved(org, record_type, day, present, actor, reviewer, **extra):
    data = {"occurred_on": day.isoformat(), "start_time": "09:00", "end_time": "10:30", "place": "会议室",
            "topic": f"{record_type} {day}", "content": "会议内容", "attendee_ids": [u.id for u in present],
            **extra}
    made = records.create_record(org, record_type, data, actor)
    records.approve(made, reviewer)
    db.session.flush()
    return made


@pytest.fixture
def world(demo):
    password = hash_password("zhibu-demo")
    committee = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    home = tree.create_child(committee, "branch", None, name="归档支部")
    other = tree.create_child(committee, "branch", None, name="邻近支部")
    empty = tree.create_child(committee, "branch", None, name="空白支部")
    field = tree.create_child(committee, "branch", None, name="归档临时党支部", is_temporary=True,
                              project_name="堤防加固", site="江堤", start_date=date(YEAR, 3, 1),
                              end_date=date(YEAR, 10, 31))
    p = [_person(f"档{i}", f"1381111000{i}", password if i < 2 else None) for i in range(5)]
    for i, user in enumerate(p):
        _join(user, home, title="secretary" if i == 0 else None, is_recorder=(i == 0))
    for user in p[3:]:
        _join(user, field, relation="temporary", joined=date(YEAR, 3, 1))
    leader, worker = _person("邻甲", "13822220001", password), _person("邻乙", "13822220002")
    neighbour_secretary = _person("邻书记", "13822220009", password)
    _join(neighbour_secretary, other, title="secretary")
    for user in (leader, worker):
        _join(user, other)
        _join(user, field, relation="temporary", joined=date(YEAR, 3, 1),
              title="temporary_leader" if user is leader else None, is_recorder=user is leader)
    db.session.commit()
    return {"committee": committee, "home": home, "other": other, "empty": empty, "field": field, "p": p,
            "leader": leader, "worker": worker, "jiguan": demo["jiguan"], "neighbour_secretary": neighbour_secretary}


def _fill_the_year(w) -> dict:
    """A year in 归档支部 touching every archive, and the temporary branch's own meetings."""
    home, field, p, jiguan = w["home"], w["field"], w["p"], w["jiguan"]
    secretary = p[0]
    made = {"theme_day": _approved(home, "theme_day", date(YEAR, 2, 20), p[:3], secretary, jiguan,
                                   host_id=secretary.id, theme_items=["recite_constitution", "pay_dues"]),
            "lecture": _approved(home, "lecture", date(YEAR, 4, 8), p[:3], secretary, jiguan, lecturer_id=secretary.id),
            "talk": _approved(home, "talk", date(YEAR, 11, 3), [], secretary, jiguan, host_id=secretary.id,
                              talk_with_ids=[p[1].id], content=TALK_SECRET),
            "field_day": _approved(field, "theme_day", date(YEAR, 6, 18), [p[3], w["leader"], w["worker"]],
                                   w["leader"], jiguan, topic="工地主题党日：防汛誓师", host_id=w["leader"].id)}
    prep = preparation.open_prep(home, YEAR, secretary, "对照党章找差距", today=date(YEAR, 11, 1))
    preparation.write_material(prep, p[1], "档1的对照检查材料")
    made["life_meeting"] = _approved(
        home, "life_meeting", date(YEAR, 12, 10), p[:3], secretary, jiguan, rectification_items=[
            {"description": "理论学习不够系统", "measure": "制定学习计划", "responsible_id": p[1].id,
             "deadline": date(YEAR, 12, 31).isoformat()},
            {"description": "联系群众不够", "measure": "每月走访", "responsible_id": p[2].id,
             "deadline": date(YEAR, 12, 31).isoformat()}])
    preparation.link_record(prep, secretary, made["life_meeting"])
    _rows(w)
    temporary_branches.close(field, jiguan, on=date(YEAR, 10, 31))
    db.session.commit()
    return made


def _rows(w) -> None:
    home, p, committee = w["home"], w["p"], w["committee"]
    election = Election(org_id=home.id, kind="by_election", held_on=date(YEAR, 5, 20), seats=1, electors=5,
                        ballots_issued=5, ballots_returned=5, state="approved", approved_on=date(YEAR, 5, 30))
    election.candidates.append(ElectionCandidate(user_id=p[1].id, votes=5, elected=True, title="organization"))
    appraisal = Appraisal(org_id=home.id, year=YEAR, state="decided", vote_ballots_returned=5,
                          decided_at=datetime(YEAR, 12, 20, 2, tzinfo=timezone.utc))
    db.session.add_all([election, appraisal])
    db.session.flush()
    dev = DevelopmentFile(user_id=p[2].id)
    case = HardshipCase(org_id=home.id, user_id=p[2].id, situation="家人重病", since=date(YEAR, 7, 1))
    case.visits.append(HardshipVisit(visited_on=date(YEAR, 8, 1), visitors="档0", help_given="慰问金", amount_fen=50000))
    post = RolePost(org_id=home.id, user_id=p[1].id, year=YEAR, kind="model_post", name="水情测报示范岗")
    post.notes.append(RolePostNote(noted_on=date(YEAR, 6, 1), text="汛期值守"))
    spending = FundSpending(org_id=home.id, spent_on=date(YEAR, 7, 1), purpose="主题党日参观", amount_fen=12000)
    spending.receipts.append(FundReceipt(sha256=SHA))
    task = StudyTask(org_id=w["committee"].id, topic="学习党章", due_on=date(YEAR, 6, 30))
    db.session.add_all([dev, case, post, spending, task])
    db.session.flush()
    db.session.add_all([
        PlannedActivity(org_id=home.id, type="theme_day", title="三月主题党日", on_date=date(YEAR, 3, 15),
                        start_time=datetime(2000, 1, 1, 9).time(), place="会议室"),
        BranchReport(org_id=home.id, year=YEAR, kind="branch", text="一年来支部工作。\n存在的不足。"),
        BranchReport(org_id=home.id, year=YEAR, kind="secretary", text="书记述职。"),
        MembershipTransfer(user_id=p[4].id, kind="within", from_org_id=home.id, to_org_id=w["other"].id,
                           issued_on=date(YEAR, 11, 20), state="issued"),
        FlowingMember(user_id=p[3].id, home_org_id=home.id, destination="深圳", reason="务工", from_date=date(YEAR, 1, 5),
                      contact_name="联系人", contact_phone=CONTACT_PHONE),
        *[DuesPayment(org_id=home.id, user_id=u.id, month=f"{YEAR}-{m:02d}", amount_fen=1050, paid_on=date(YEAR, m, 5))
          for u in p[:3] for m in (1, 2)],
        DevelopmentStep(file_id=dev.id, step="application", done_on=date(YEAR, 3, 1), org_id=home.id),
        YearResult(user_id=p[1].id, year=YEAR, org_id=home.id, total=95, evaluation_grade="excellent",
                   grade="excellent", source="evaluation", evaluation_appraisal_id=appraisal.id),
        AppraisalVoteCount(appraisal_id=appraisal.id, subject_id=p[1].id, excellent=4, qualified=1),
        SelfAssessment(appraisal_id=appraisal.id, user_id=p[1].id, text="档1的自评"),
        StudyNote(user_id=p[1].id, org_id=home.id, noted_on=date(YEAR, 5, 1), topic="学习笔记一", text="心得"),
        StudyNote(user_id=p[3].id, org_id=w["field"].id, noted_on=date(YEAR, 5, 2), topic="工地学习", text="x"),
        StudyTaskDone(task_id=task.id, user_id=p[1].id),
        PointsLine(org_id=home.id, user_id=p[1].id, year=YEAR, month=9, bucket="award", delta=5,
                   reason="获县级防汛先进个人"),
        Commitment(org_id=home.id, user_id=p[1].id, year=YEAR, kind="post", text="全年无差错", state="fulfilled"),
        VolunteerHours(org_id=home.id, user_id=p[2].id, activity="社区防汛宣传", served_on=date(YEAR, 6, 5), minutes=120),
    ])
    db.session.flush()
    _ = committee


def _cells(binder, skip_kind: str = ""):
    """Every printed value of the binder (tables, paragraphs, meeting pages), but the entries of
    ``skip_kind``."""
    for archive in binder.archives:
        for entry in archive.entries:
            if entry.kind == skip_kind:
                continue
            yield entry.title
            for block in entry.blocks:
                yield from _block_values(block)


def _block_values(block):
    if isinstance(block, Table):
        yield from block.headers
        for row in block.rows:
            yield from row
    elif isinstance(block, Paragraphs):
        yield from block.texts
    elif isinstance(block, Photos):
        yield from (p.caption for p in block.photos)
    elif is_dataclass(block):
        for f in fields(block):
            value = getattr(block, f.name)
            yield from (value if isinstance(value, list) else [value])


def _text(binder, skip_kind: str = "") -> str:
    return "\n".join(str(v) for v in _cells(binder, skip_kind))


def _archive(binder, key):
    return next(a for a in binder.archives if a.key == key)


def _titles(binder, key):
    return [e.title for e in _archive(binder, key).entries]


def test_every_archive_lists_what_the_year_holds(world):
    made = _fill_the_year(world)
    home, p = world["home"], world["p"]
    bound = archives.binder(home, YEAR)
    assert [a.key for a in bound.archives] == ["organization", "members", "org_life", "education", "excellence", "funds"]
    assert all("建立目录" in a.source or "留存" in a.source or "组织管理" in a.source for a in bound.archives)

    assert _titles(bound, "organization") == [f"补选（{YEAR}-05-20）", f"{YEAR} 年活动安排（计划）",
                                              f"{YEAR} 年度向上级党组织报告工作（总结）"]
    assert _titles(bound, "members") == ["党员花名册", "党员组织关系转接", "流动党员台账", f"{YEAR} 年党费收缴台账（元）",
                                         "发展党员工作记录", f"{YEAR} 年度党员评定结果（评先推优）", "困难党员台账",
                                         "临时党支部党员表现移交报告"]
    roster = _archive(bound, "members").entries[0].blocks[0]
    assert sorted(r[1] for r in roster.rows) == sorted(u.name for u in p)
    dues = _archive(bound, "members").entries[3].blocks[0]
    assert dues.rows[-1][0] == "合计" and dues.rows[-1][1] == 31.5 and dues.rows[-1][-1] == 63.0
    handover = _archive(bound, "members").entries[-1].blocks[0]
    assert [(r[0], r[1], r[4]) for r in handover.rows] == [(p[3].name, "归档临时党支部", 1), (p[4].name, "归档临时党支部", 0)]

    life = _archive(bound, "org_life")
    meetings = [e for e in life.entries if e.kind == "meeting"]
    assert [e.when for e in meetings] == [date(YEAR, 2, 20), date(YEAR, 4, 8), date(YEAR, 12, 10)]
    assert all(e.new_page and isinstance(e.blocks[0], MeetingPage) for e in meetings)
    theme_page = meetings[0].blocks[0]
    assert theme_page.expected == 4 and sorted(theme_page.present) == sorted(u.name for u in p[:3])
    assert p[3].name in theme_page.sitting_in or p[3].name not in theme_page.absent  # in the field: never absent
    assert theme_page.required_items == [("集体诵读党章", True), ("组织集中学习", False), ("交纳当月党费", True)]
    assert theme_page.approver == world["jiguan"].name
    assert [e.kind for e in life.entries if e.kind != "meeting"] == [
        "talks", "secretary_report", "life_meeting_prep", "life_meeting_materials", "rectification", "appraisal",
        "elsewhere"]
    # 整改落实 is filed under 组织生活档案, and nowhere else.
    rectification = next(e for e in life.entries if e.kind == "rectification").blocks[0]
    assert [r[0] for r in rectification.rows] == ["理论学习不够系统", "联系群众不够"]
    assert [e.kind for a in bound.archives if a.key != "org_life" for e in a.entries if e.kind == "rectification"] == []
    # 民主评议: the four steps, the votes and the grade.
    appraisal = next(e for e in life.entries if e.kind == "appraisal")
    assert [r[0] for r in appraisal.blocks[0].rows] == ["个人自评", "党员互评", "民主测评", "组织评定"]
    graded = {r[0]: r for r in appraisal.blocks[1].rows}
    assert graded[p[1].name][2:] == (4, 1, 0, 0, "优秀")
    # The temporary branch's meeting is bound once, there: at home only the fact that p3 took part.
    elsewhere = next(e for e in life.entries if e.kind == "elsewhere").blocks[0]
    assert [(r[0], r[1], r[2]) for r in elsewhere.rows] == [(date(YEAR, 6, 18), p[3].name, "归档临时党支部")]
    assert "工地主题党日：防汛誓师" not in _text(bound)
    assert "工地主题党日：防汛誓师" in _text(archives.binder(world["field"], YEAR))

    assert _titles(bound, "education") == ["学习任务", "党员学习笔记", "党员集中学习时长"]
    task = _archive(bound, "education").entries[0].blocks[0].rows[0]
    assert task[0] == "学习党章" and task[3:5] == (1, 5)
    hours = {r[0]: r for r in _archive(bound, "education").entries[2].blocks[0].rows}
    assert hours[p[1].name][1:] == (1, 1, 180)  # a lecture and a theme day, 90 minutes each
    assert hours[p[3].name][1:] == (0, 1, 90)   # the theme day in the field counts at home

    assert _titles(bound, "excellence") == ["先进典型（县级以上表彰、通报表扬）", "党员示范岗、党员责任区", "党员承诺践诺",
                                            "志愿服务"]
    funds = _archive(bound, "funds").entries
    assert [e.title for e in funds] == [f"{YEAR} 年活动经费收支", f"{YEAR}-07-01 主题党日参观"]
    assert funds[0].blocks[0].rows[0] == ("本年收缴党费", 63.0)
    assert len(funds[1].blocks[1].photos) == 1 and funds[1].blocks[1].photos[0].key.endswith(SHA)
    assert made["talk"].id


def test_cells_are_typed_dates_and_numbers(world):
    _fill_the_year(world)
    bound = archives.binder(world["home"], YEAR)
    for value in _cells(bound):
        assert not (isinstance(value, str) and value[:4] == str(YEAR) and value[4:5] == "-" and len(value) == 10), value
    dues = _archive(bound, "members").entries[3].blocks[0]
    assert all(isinstance(v, (float, type(None))) for row in dues.rows for v in row[1:])
    roster = _archive(bound, "members").entries[0].blocks[0]
    assert all(isinstance(r[0], int) and (r[10] is None or isinstance(r[10], date)) for r in roster.rows)


def test_empty_archives_are_present_and_empty(world):
    _fill_the_year(world)
    bound = archives.binder(world["empty"], YEAR)
    assert [a.key for a in bound.archives] == ["organization", "members", "org_life", "education", "excellence", "funds"]
    assert [a.key for a in bound.archives if not a.empty] == ["education"]  # the committee's study task
    field = archives.binder(world["field"], YEAR)
    assert _archive(field, "funds").empty and _archive(field, "excellence").empty


def test_talks_carry_no_content_and_phones_only_in_the_roster(world):
    _fill_the_year(world)
    p = world["p"]
    for org in (world["home"], world["field"]):
        bound = archives.binder(org, YEAR)
        text = _text(bound)
        assert TALK_SECRET not in text and CONTACT_PHONE not in text
        outside_roster = _text(bound, skip_kind="roster")
        assert not [u.phone for u in [*p, world["leader"], world["worker"]] if u.phone in outside_roster]
    home = archives.binder(world["home"], YEAR)
    talks = next(e for e in _archive(home, "org_life").entries if e.kind == "talks")
    assert "仅限支委会和上级党组织查阅" in talks.blocks[0].texts[0]
    assert talks.blocks[1].rows == [(date(YEAR, 11, 3), p[0].name, p[1].name, "会议室")]
    assert p[1].phone in _text(home)  # the roster carries the phone


def test_home_branch_sees_only_its_members_part_of_a_closed_temporary_branch(world):
    _fill_the_year(world)
    field, home, p = world["field"], world["home"], world["p"]
    part = archives.binder(field, YEAR, viewer=home)
    assert "仅含归档支部党员" in part.scope_note and "已撤销" in part.scope_note
    text = _text(part)
    assert world["leader"].name not in text and world["worker"].name not in text
    assert _archive(part, "organization").empty and _archive(part, "funds").empty
    assert sorted(r[1] for r in _archive(part, "members").entries[0].blocks[0].rows) == [p[3].name, p[4].name]
    life = _archive(part, "org_life").entries
    assert [e.kind for e in life] == ["elsewhere"] and not any(isinstance(b, MeetingPage) for e in life for b in e.blocks)
    assert [(r[0], r[1]) for r in life[0].blocks[0].rows] == [(date(YEAR, 6, 18), p[3].name)]
    assert [r[1] for r in _archive(part, "education").entries[0].blocks[0].rows] == [p[3].name]  # study notes
    whole = archives.binder(field, YEAR)
    assert whole.scope_note == "" and world["leader"].name in _text(whole)


def test_summary_counts_each_branch_per_archive(world):
    _fill_the_year(world)
    summary = archives.summary(world["committee"], YEAR)
    assert [a.key for a in summary.archives] == [m.KEY for m in archives.ARCHIVES]
    rows = {r[0]: r for r in _archive(summary, "org_life").entries[0].blocks[0].rows}
    assert rows["归档支部"][1] == 10 and rows["归档支部"][2].startswith("会议记录 3 篇")
    assert rows["空白支部"][1] == 0 and rows["归档临时党支部"][1] == 1
    assert all(isinstance(r[1], int) for r in rows.values())


def test_scope_rules(world):
    _fill_the_year(world)
    field, home, p = world["field"], world["home"], world["p"]
    assert scope.export_view(p[0], home).home is None
    assert scope.export_view(p[0], field).home.id == home.id
    assert scope.export_view(world["neighbour_secretary"], field).home.id == world["other"].id
    assert scope.export_view(world["jiguan"], field).home is None
    for user, org in ((p[1], home), (p[0], world["other"]), (world["leader"], field)):
        with pytest.raises(scope.NotAllowed):
            scope.export_view(user, org)


def test_export_routes_refuse_the_wrong_person(world, client):
    _fill_the_year(world)
    field, home, other, p = world["field"], world["home"], world["other"], world["p"]
    auth = Auth(client)
    auth.login(p[0].username)
    page = client.get(f"/ledgers/archives/{home.id}/{YEAR}")
    assert page.status_code == 200 and "组织生活档案" in page.get_data(as_text=True)
    part = client.get(f"/ledgers/archives/{field.id}/{YEAR}").get_data(as_text=True)
    assert "仅含归档支部党员" in part and "本年度无归档资料" in part
    assert client.get(f"/ledgers/archives/{other.id}/{YEAR}").status_code == 404
    assert client.get(f"/ledgers/archives/{world['committee'].id}/{YEAR}/summary").status_code in (403, 404)
    assert client.get(f"/ledgers/archives/{home.id}/1900").status_code == 404
    auth.logout()
    auth.login(p[1].username)  # a plain member of the branch
    assert client.get(f"/ledgers/archives/{home.id}/{YEAR}").status_code == 403
    assert client.get(f"/ledgers/archives/{field.id}/{YEAR}").status_code in (403, 404)
    auth.logout()
    auth.login(world["leader"].username)  # the temporary leader, once the branch is closed
    assert client.get(f"/ledgers/archives/{field.id}/{YEAR}").status_code in (403, 404)
    auth.logout()
    auth.login("jiguan")
    whole = client.get(f"/ledgers/archives/{field.id}/{YEAR}").get_data(as_text=True)
    assert "工地主题党日：防汛誓师" in whole and "仅含" not in whole
    summary = client.get(f"/ledgers/archives/{world['committee'].id}/{YEAR}/summary")
    assert summary.status_code == 200 and "各党支部归档情况" in summary.get_data(as_text=True)


def test_running_temporary_branch_is_not_bound_by_a_home_branch(world, client):
    field, home, p = world["field"], world["home"], world["p"]
    assert not field.is_closed
    with pytest.raises(scope.NotAllowed):
        scope.export_view(p[0], field)
    auth = Auth(client)
    auth.login(p[0].username)
    assert client.get(f"/ledgers/archives/{field.id}/{YEAR}").status_code == 403
    assert client.get(f"/ledgers/archives/{home.id}/{YEAR}").status_code == 200


def test_a_correction_awaiting_review_binds_the_approved_version(world):
    made = _fill_the_year(world)
    lecture = made["lecture"]
    data = {**lecture.current.data, "topic": "改过的党课题目（待审核）"}
    records.revise_record(lecture, data, world["p"][0], base_version=lecture.version)
    db.session.commit()
    assert lecture.state != "approved" and lecture.approved_version == 1
    meetings = [e for e in _archive(archives.binder(world["home"], YEAR), "org_life").entries if e.kind == "meeting"]
    assert [e.title for e in meetings][1] == f"党课：lecture {YEAR}-04-08（书记讲党课）"
    assert meetings[1].blocks[0].topic == f"lecture {YEAR}-04-08"
