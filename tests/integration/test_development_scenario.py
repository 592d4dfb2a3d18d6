"""发展党员 over three years on both databases: 陈思远 applies in January of year 1 in the office branch, is
talked with late (the board warns, naming 细则第八条), becomes an activist observed by a contact at home and
by the leader of a temporary project branch, moves to the survey branch (her file moves with her and
continues where it was), becomes a 发展对象, is accepted by a vote shown with its arithmetic, has her
probation extended once, and becomes full in year 3. Bad input on the way is refused in Chinese naming the
rule, and nothing already recorded is lost."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from webapp.passwords import hash_password
from webapp.development import board, pipeline
from webapp.domain_errors import Invalid, NotAllowed
from webapp.extensions import db
from webapp.models import DevelopmentNote, DevelopmentStep, Membership, Organization, User
from webapp.roster import joining, members

Y1 = date.today().year - 2
Y2, Y3 = Y1 + 1, Y1 + 2
OFFICE, SURVEY, FIELD = "办公室党支部", "水文测验处党支部", "长江中游水文测验项目临时党支部"


def org(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def secretary(name: str) -> User:
    return db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org(name).id, Membership.title == "secretary"))


def full_members(name: str, exclude: set[int]) -> list[User]:
    return [m.user for m in db.session.scalars(select(Membership).where(
        Membership.org_id == org(name).id, Membership.active.is_(True)).order_by(Membership.id))
        if m.user.category == "full" and m.user_id not in exclude and m.title is None]


def step_count() -> int:
    return db.session.scalar(select(func.count()).select_from(DevelopmentStep))


@pytest.fixture
def person(demo):
    user = User(name="陈思远", phone="13800001111", birth_date=date(Y1 - 22, 5, 1), category=None,
                password_hash=hash_password("zhibu-demo"))
    db.session.add(user)
    db.session.flush()
    joining.join(org(OFFICE), user, {"relation": "home", "joined_on": date(Y1 - 1, 9, 1)}, demo["shuji"])
    db.session.commit()
    return user


def record(branch, who, key, actor, on, **form):
    result = pipeline.record_step(branch, who, key, {"done_on": on.isoformat(), **form}, actor)
    db.session.commit()
    return result


def test_three_years_from_application_to_full_member_across_two_branches(app, client, demo, person):
    office, survey, field = org(OFFICE), org(SURVEY), org(FIELD)
    shuji, jiguan, linshi = demo["shuji"], demo["jiguan"], demo["linshi"]
    survey_secretary = secretary(SURVEY)

    # --- Year 1, office branch: application in January, the talk six weeks later (late: warns, not blocked).
    record(office, person, "application", shuji, date(Y1, 1, 8))
    talk = record(office, person, "application_talk", shuji, date(Y1, 2, 20), note="谈话了解入党动机")
    assert [f.level for f in talk.warnings] == ["late"]
    assert "细则第八条" in talk.warnings[0].source and f"{Y1}-02-08" in talk.warnings[0].message
    record(office, person, "activist_decided", shuji, date(Y1, 3, 5))
    assert person.category == "activist"  # the roster's drop-down follows the pipeline
    record(office, person, "activist_filed", jiguan, date(Y1, 3, 12))
    contact = full_members(OFFICE, {shuji.id, person.id})[0]
    record(office, person, "contacts_named", shuji, date(Y1, 3, 12), people=[str(contact.id)])

    # The board shows the late talk with its rule, in the warning colour.
    auth = Auth(client)
    auth.login("shuji")
    html = client.get(f"/development/{office.id}").get_data(as_text=True)
    assert "陈思远" in html and 'class="row-warn"' in html and "细则第八条" in html and "逾期 12 天" in html

    # A contact writes a half-yearly observation; the board's next report is due half a year later.
    pipeline.add_note(contact, office, {"kind": "observation", "user_id": str(person.id),
                                        "written_on": f"{Y1}-08-01", "text": "工作积极，按时汇报思想"})
    db.session.commit()
    row = board.rows(office, today=date(Y1, 9, 1))[0]
    assert [f.due for f in row.findings if f.step == "activist_observed"] == [date(Y2, 2, 1)]

    # She works on the river project: the temporary branch records observations of her, nothing else.
    joining.join(field, person, {"relation": "temporary", "joined_on": date(Y1, 10, 1)}, linshi)
    db.session.commit()
    with pytest.raises(NotAllowed, match="临时党支部不接收党员"):
        pipeline.record_step(field, person, "candidate_filed", {"done_on": f"{Y1}-11-01"}, linshi)
    with pytest.raises(Invalid, match="只能记录对入党积极分子的考察"):
        pipeline.add_note(linshi, field, {"kind": "talk", "user_id": str(person.id), "written_on": f"{Y2}-01-15",
                                          "text": "谈话"})
    pipeline.add_note(linshi, field, {"kind": "observation", "user_id": str(person.id),
                                      "written_on": f"{Y2}-01-15", "text": "汛期测验中吃苦在前"})
    db.session.commit()
    notes = board.rows(office, today=date(Y2, 1, 20))[0].notes
    assert notes[0].org_id == field.id and "吃苦在前" in notes[0].text  # it reaches the home branch

    # --- Year 2: her home branch changes to the survey branch (the roster's own mechanism).
    old_home = joining.find_membership(person.id, office.id)
    members.deactivate(old_home, shuji, reason="调动")
    joining.join(survey, person, {"relation": "home", "joined_on": date(Y2, 2, 1)}, jiguan)
    db.session.commit()
    assert client.get(f"/development/{office.id}/people/{person.id}").status_code == 404
    with pytest.raises(NotAllowed, match="正式组织关系不在"):
        pipeline.record_step(office, person, "candidate_decided", {"done_on": f"{Y2}-03-10"}, shuji)

    # The pipeline continues where it was: stage 2, the earlier steps and notes kept, in the new branch.
    row = board.rows(survey, today=date(Y2, 3, 1))[0]
    assert row.person.id == person.id and row.stage == 2 and row.last_step == "contacts_named"
    assert "candidate_decided" in row.open_steps and "application" not in row.open_steps
    assert [f.due for f in row.findings if f.step == "candidate_decided"] == [date(Y2, 3, 5)]
    record(survey, person, "candidate_decided", survey_secretary, date(Y2, 3, 10))
    record(survey, person, "candidate_filed", jiguan, date(Y2, 3, 15))

    # Bad input: dates out of order, a sponsor who is not full, a wrong number of sponsors.
    before = step_count()
    sponsors = full_members(SURVEY, {survey_secretary.id, person.id})[:2]
    with pytest.raises(Invalid) as error:
        pipeline.record_step(survey, person, "sponsors_named",
                             {"done_on": f"{Y2}-03-01", "people": [str(s.id) for s in sponsors]}, survey_secretary)
    message = error.value.errors["done_on"]
    assert "早于「确定为发展对象" in message and "细则第十四条" in message
    not_full = next(m.user for m in db.session.scalars(select(Membership).where(
        Membership.org_id == survey.id, Membership.active.is_(True)))
        if m.user.category in ("probationary", "activist") and m.user_id != person.id)
    with pytest.raises(Invalid, match="不是正式党员，不能作入党介绍人"):
        pipeline.record_step(survey, person, "sponsors_named",
                             {"done_on": f"{Y2}-03-15", "people": [str(sponsors[0].id), str(not_full.id)]},
                             survey_secretary)
    with pytest.raises(Invalid, match="须指定 2 名入党介绍人"):
        pipeline.record_step(survey, person, "sponsors_named",
                             {"done_on": f"{Y2}-03-15", "people": [str(sponsors[0].id)]}, survey_secretary)
    db.session.rollback()
    assert step_count() == before
    record(survey, person, "sponsors_named", survey_secretary, date(Y2, 3, 15),
           people=[str(s.id) for s in sponsors])
    record(survey, person, "political_review", jiguan, date(Y2, 3, 20))
    assert record(survey, person, "training", jiguan, date(Y2, 3, 25), days="3", hours="24").warnings == []
    record(survey, person, "committee_review", survey_secretary, date(Y2, 3, 28))
    record(survey, person, "prereview", jiguan, date(Y2, 4, 1))
    record(survey, person, "application_form", survey_secretary, date(Y2, 4, 3))

    # The acceptance vote through the page, as the survey secretary: counts that do not add up first.
    secretary_client = app.test_client()
    assert Auth(secretary_client).login(survey_secretary.phone).status_code == 302
    path = f"/development/{survey.id}/people/{person.id}/steps/acceptance_vote"
    bad = Auth(secretary_client).post(path, {"done_on": f"{Y2}-04-08", "expected": "9", "present": "7",
                                             "in_favour": "6", "against": "0", "abstaining": "0"}, page=path)
    assert bad.status_code == 400
    assert "6 + 反对 0 + 弃权 0 = 6，应等于实到会有表决权党员 7 人" in bad.get_data(as_text=True)
    assert step_count() == before + 6
    good = Auth(secretary_client).post(path, {"done_on": f"{Y2}-04-08", "expected": "9", "present": "7",
                                              "in_favour": "6", "against": "1", "abstaining": "0"}, page=path,
                                       follow_redirects=True)
    page = good.get_data(as_text=True)
    assert "实到 7 人 &gt; 4.5" in page and "赞成 6 人 &gt; 4.5" in page and "结论：通过" in page

    record(survey, person, "committee_talk", jiguan, date(Y2, 4, 20))
    record(survey, person, "acceptance_approved", jiguan, date(Y2, 5, 10))
    assert person.category == "probationary" and person.join_date == date(Y2, 4, 8)
    for key, on in (("acceptance_filed", date(Y2, 5, 15)), ("placed", date(Y2, 5, 15)), ("oath", date(Y2, 5, 20))):
        record(survey, person, key, survey_secretary, on)
    with pytest.raises(Invalid, match="每个步骤只记录一次"):
        pipeline.record_step(survey, person, "oath", {"done_on": f"{Y2}-05-21"}, survey_secretary)
    db.session.rollback()
    for on in (date(Y2, 10, 1), date(Y3, 3, 20)):
        pipeline.add_note(survey_secretary, survey, {"kind": "observation", "user_id": str(person.id),
                                                     "written_on": on.isoformat(), "text": "预备期考察"})
    db.session.commit()

    # --- Year 3: the probation ends on the anniversary of the vote; extended once by six months.
    row = board.rows(survey, today=date(Y3, 3, 30))[0]
    assert [(f.level, f.due) for f in row.findings if f.step == "full_vote"] == [("due", date(Y3, 4, 8))]
    with pytest.raises(Invalid, match="6 至 12 个月"):
        pipeline.extend_probation(survey, person, {"months": "5", "done_on": f"{Y3}-04-01", "reason": "考察"},
                                  survey_secretary)
    pipeline.extend_probation(survey, person, {"months": "6", "done_on": f"{Y3}-04-01",
                                               "reason": "需要继续考察"}, survey_secretary)
    db.session.commit()
    with pytest.raises(Invalid, match="只能延长一次"):
        pipeline.extend_probation(survey, person, {"months": "6", "done_on": f"{Y3}-04-02", "reason": "再延"},
                                  survey_secretary)
    row = board.rows(survey, today=date(Y3, 4, 9))[0]
    assert [(f.level, f.due) for f in row.findings if f.step == "full_vote"] == [("due", date(Y3, 10, 8))]
    record(survey, person, "full_application", survey_secretary, date(Y3, 9, 20))
    record(survey, person, "full_vote", survey_secretary, date(Y3, 10, 10), expected="9", present="8",
           in_favour="8", against="0", abstaining="0")
    approved = record(survey, person, "full_approved", jiguan, date(Y3, 11, 5))
    assert approved.warnings == []
    record(survey, person, "archived", survey_secretary, date(Y3, 11, 10))
    file = pipeline.file_of(person)
    assert person.category == "full" and pipeline.full_on(file) == date(Y3, 10, 8)

    # The whole file, one row per step, recorded where each happened; nothing recorded was lost.
    where = {s.step: s.org_id for s in file.steps}
    assert len(where) == 23 and where["application_talk"] == office.id and where["oath"] == survey.id
    assert db.session.scalar(select(func.count()).select_from(DevelopmentNote)) == 4
    assert board.rows(survey) == [] and len(board.rows(survey, include_finished=True)) == 1
    html = secretary_client.get(f"/development/{survey.id}/people/{person.id}").get_data(as_text=True)
    assert OFFICE in html and FIELD in html and "汛期测验中吃苦在前" in html and f"{Y3}年10月8日" in html  # shown the Chinese way

    # --- Exports, in the order an inspection reads them.
    import io
    import re

    from openpyxl import load_workbook
    from pypdf import PdfReader

    base = f"/development/{survey.id}/people/{person.id}/file"
    sheet = load_workbook(io.BytesIO(secretary_client.get(base + ".xlsx").data)).active
    lines = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    headings = [line for line in lines if line.startswith("第") and "阶段" in line[:5]]
    assert headings == ["第一阶段 入党申请人", "第二阶段 入党积极分子的确定和培养教育", "第三阶段 发展对象的确定和考察",
                        "第四阶段 预备党员的接收", "第五阶段 预备党员的教育考察和转正"]
    numbered = [int(line.split(".")[0]) for line in lines if line[:1].isdigit() and ". " in line[:4]]
    assert numbered == list(range(1, 26))
    assert any(f"2. 党组织派人谈话：{Y1}-02-20（{OFFICE}）" in line for line in lines)
    assert any("逾期 12 天" in line and "细则第八条" in line for line in lines)
    assert any("结论：通过" in line for line in lines)
    pdf = secretary_client.get(base + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages))
    assert "发展党员档案" in text and text.index("递交入党申请书") < text.index("材料归档")

    ledger = load_workbook(io.BytesIO(secretary_client.get(f"/development/{survey.id}/ledger.xlsx").data)).active
    rows = [r for r in ledger.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == 1 and rows[0][1] == "陈思远" and rows[0][11].date() == date(Y3, 10, 8)
    # The office branch's ledger still lists the steps it recorded before she moved, naming where she went.
    office_ledger = load_workbook(io.BytesIO(client.get(f"/development/{office.id}/ledger.xlsx").data))
    [office_row] = [r for r in office_ledger.active.iter_rows(min_row=3, values_only=True)]
    assert office_row[1] == "陈思远" and f"已转至{SURVEY}" in office_row[12]
    assert secretary_client.get(f"/development/{survey.id}/ledger.pdf").status_code == 200
    assert client.get(f"/development/{survey.id}/ledger.xlsx").status_code in (403, 404)  # the office secretary
