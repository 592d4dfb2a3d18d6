"""Members on the move, over a season and three home branches (docs/domain.md "Members on the move").

A higher committee founds a temporary branch against its conditions (a warning, then an override
reason); members of three home branches join it (directly by the committee, by invitation through the
leader), one member from outside Zhibu joins as a 流动党员; a season of theme days; the leader closes it
and each home branch receives a handover report, in the app and as a PDF. A member transferred between
two branches keeps one continuous history; an expired letter puts its member on the 口袋党员 list; a
流动党员 who takes part in another branch is not alerted at home, one who is not heard of is. A member
sends their whereabouts from the phone through the sync API.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth, csrf_token
from tests.records_helpers import org_named
from webapp.accounts import invitations
from webapp.passwords import hash_password
from webapp.china_time import china_today
from webapp.extensions import db
from webapp.members import participation
from webapp.mobility import flowing_members, temporary_branches, transfers
from webapp.models import (
    AuditLog, DuesPayment, DuesProfile, FlowingMember, HandoverReport, Membership, MembershipInvitation,
    MembershipTransfer, Organization, PointsLine, Record, StructuralException, TemporaryCharter, User,
)
from webapp.records import service
from webapp.study import notes as study_notes
from webapp.roster import members as roster_members

TODAY = china_today()
START = TODAY - timedelta(days=100)
OFFICE, SURVEY, PLANNING = "办公室党支部", "水文测验处党支部", "规划计划处党支部"


def _secretary(org: Organization) -> User:
    return db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org.id, Membership.title == "secretary", Membership.active.is_(True)))


def _plain_members(org: Organization, category: str | None = None, alone: bool = True) -> list[User]:
    """Home members with no title and (``alone``) no other active membership (not in a demo field branch)."""
    out = []
    for m in db.session.scalars(select(Membership).where(Membership.org_id == org.id, Membership.relation == "home",
                                                         Membership.active.is_(True)).order_by(Membership.id)):
        user = m.user
        if m.title or user.username or (alone and len([x for x in user.memberships if x.active]) != 1):
            continue
        if category is None and user.category in ("full", "probationary") or user.category == category:
            out.append(user)
    return out


def _new_member(org: Organization, name: str, phone: str, category: str = "full") -> User:
    added = roster_members.add_member(org, {"name": name, "phone": phone, "category": category,
                                            "join_date": date(2010, 7, 1), "relation": "home"},
                                      _secretary(org), hash_password)
    added.membership.joined_on = date(2015, 1, 1)
    added.membership.user.password_hash = hash_password("zhibu-demo")
    return added.membership.user


def _theme_day(org, day, present, recorder, reviewer, leave=None):
    leave = leave or {}
    data = {"occurred_on": day.isoformat(), "start_time": "09:00", "end_time": "10:30", "place": "项目部会议室",
            "topic": f"主题党日 {day}", "content": "集体诵读党章；集中学习；交纳党费。",
            "attendee_ids": [u.id for u in present],
            "absentees": [{"user_id": u.id, "reason": why} for u, why in leave.items()],
            "theme_items": ["recite_constitution", "collective_study", "pay_dues"]}
    made = service.create_record(org, "theme_day", data, recorder)
    service.approve(made, reviewer)
    db.session.flush()
    return made


def _login(app, login: str) -> Auth:
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(login).status_code == 302
    return auth


def _found_form(leader: User, **extra) -> dict:
    return {"name": "引江补汉水文监测临时党支部", "project_name": "引江补汉工程水文监测", "site": "湖北丹江口",
            "start_date": START.isoformat(), "end_date": (TODAY + timedelta(days=60)).isoformat(),
            "planned_people": "36", "planned_members": "4", "leader_id": str(leader.id),
            "approval_number": "水机党〔2026〕12号", "approval_date": START.isoformat(), **extra}


def test_temporary_branch_life_from_founding_to_handover(app, demo):
    committee = org_named("水文局机关党委")
    office, survey, planning = org_named(OFFICE), org_named(SURVEY), org_named(PLANNING)
    leader = _plain_members(survey)[0]
    jiguan = _login(app, "jiguan")

    # Founding: five members planned, not more than five — a warning, the 临时党小组 offered instead.
    page = f"/mobility/orgs/{committee.id}/temporary/new"
    warned = jiguan.post(page, _found_form(leader), page=page)
    assert warned.status_code == 400
    html = warned.get_data(as_text=True)
    assert "党员 4 人，未超过 5 人" in html and "临时党小组" in html
    assert db.session.scalar(select(func.count()).select_from(TemporaryCharter)) == 0
    deputy = _plain_members(office)[2]
    founded = jiguan.post(page, _found_form(leader, exception_reason="党员将随二期进场增加",
                                            committee_ids=str(deputy.id)), page=page)
    assert founded.status_code == 302, founded.get_data(as_text=True)
    temp = db.session.scalar(select(Organization).where(Organization.name == "引江补汉水文监测临时党支部"))
    assert temp.is_temporary and temp.leader_id == leader.id and temp.parent_id == committee.id
    charter = temporary_branches.charter(temp)
    assert charter.approval_number == "水机党〔2026〕12号" and charter.approval_date == START
    committee_seat = db.session.scalar(select(Membership).where(Membership.org_id == temp.id,
                                                                Membership.user_id == deputy.id))
    assert committee_seat.title == "member" and committee_seat.relation == "temporary"  # the small committee
    exception = db.session.scalar(select(StructuralException).where(StructuralException.org_id == temp.id))
    assert exception.reason == "党员将随二期进场增加"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "found_temporary_branch",
                                                    AuditLog.org_id == temp.id)) is not None

    # Gathering: the committee (above both) places members directly; the leader's search finds people
    # in the committee's subtree, and adding one is an invitation the person accepts.
    from_office = _plain_members(office)[:2]
    from_survey = [u for u in _plain_members(survey, alone=False) if u.id != leader.id][:2]
    from_planning = _plain_members(planning, alone=False)[:1]
    activist = (_plain_members(office, "activist", alone=False) + _plain_members(survey, "activist", alone=False))[0]
    for person in from_office + from_survey + [activist]:
        temporary_branches.gather(temp, person.id, demo["jiguan"], on=START)
    db.session.commit()
    lead = _login(app, leader.phone)
    found = lead.client.get(f"/mobility/temporary/{temp.id}/gather?q={from_planning[0].name}")
    assert found.status_code == 200 and from_planning[0].name in found.get_data(as_text=True)
    assert from_planning[0].phone not in found.get_data(as_text=True)  # masked
    invited = lead.post(f"/mobility/temporary/{temp.id}/gather", {"user_id": str(from_planning[0].id)})
    assert invited.status_code == 302
    invitation = db.session.scalar(select(MembershipInvitation).where(MembershipInvitation.org_id == temp.id))
    assert invitation.state == "pending" and invitation.relation == "temporary"
    invitations.accept(invitation, from_planning[0])
    joining_row = db.session.scalar(select(Membership).where(Membership.org_id == temp.id,
                                                             Membership.user_id == from_planning[0].id))
    joining_row.joined_on = START + timedelta(days=5)  # accepted in the project's first week
    db.session.commit()

    # A member from outside Zhibu joins as a 流动党员; a non-member worker is listed.
    outside = lead.post(f"/mobility/temporary/{temp.id}/outside",
                        {"name": "钱立新", "home_org_name": "中铁十一局三公司第二党支部", "category": "full",
                         "contact_name": "孙书记", "contact_phone": "027-88886666", "card_number": "LD-2026-0317"})
    assert outside.status_code == 302
    entry = db.session.scalar(select(FlowingMember).where(FlowingMember.card_number == "LD-2026-0317"))
    assert entry.direction == "inflow" and entry.receiving_org_id == temp.id
    outsider = entry.user
    db.session.scalar(select(Membership).where(Membership.user_id == outsider.id)).joined_on = START
    assert lead.post(f"/mobility/temporary/{temp.id}/workers", {"name": "周师傅", "employer": "劳务分包"}
                     ).status_code == 302
    db.session.commit()
    page = lead.client.get(f"/mobility/temporary/{temp.id}").get_data(as_text=True)
    for home in (OFFICE, SURVEY, PLANNING, "中铁十一局三公司第二党支部"):
        assert home in page
    assert "周师傅" in page and "处分党员" in page  # what it may not do, said on the page

    # A season: a theme day each month; the activist observed; a study note.
    everyone = [leader, deputy] + from_office + from_survey + from_planning + [activist, outsider]
    days = [START + timedelta(days=20), START + timedelta(days=50), START + timedelta(days=80)]
    on_duty = from_survey[0]
    records = [_theme_day(temp, days[0], [u for u in everyone if u is not on_duty], leader, demo["jiguan"],
                          leave={on_duty: "测流值班"}),
               _theme_day(temp, days[1], everyone, leader, demo["jiguan"]),
               _theme_day(temp, days[2], everyone, leader, demo["jiguan"])]
    study_notes.create_note(from_office[0], temp, {"noted_on": days[1].isoformat(), "topic": "学习新党章",
                                                   "text": "笔记"})
    db.session.commit()
    assert lead.post(f"/mobility/temporary/{temp.id}/observations",
                     {"user_id": str(activist.id), "text": "吃苦在前，主动承担夜间测流"}).status_code == 302

    # Closing: a report per member to the home branch; temporary memberships end that day.
    closed = lead.post(f"/mobility/temporary/{temp.id}/close", {"on": TODAY.isoformat()},
                       page=f"/mobility/temporary/{temp.id}")
    assert closed.status_code == 302
    db.session.expire_all()
    assert temp.is_closed and temporary_branches.charter(temp).closed_on == TODAY
    reports = {r.user_id: r for r in db.session.scalars(select(HandoverReport).where(HandoverReport.org_id == temp.id))}
    assert set(reports) == {u.id for u in everyone}
    assert reports[from_office[0].id].home_org_id == office.id
    assert reports[from_planning[0].id].home_org_id == planning.id
    assert reports[outsider.id].home_org_id is None
    assert reports[outsider.id].home_org_name == "中铁十一局三公司第二党支部"
    first = reports[from_office[0].id].content
    assert first["present"] == 3 and first["study"][0]["topic"] == "学习新党章"
    points_there = db.session.scalar(select(func.sum(PointsLine.delta)).where(
        PointsLine.org_id == temp.id, PointsLine.user_id == from_office[0].id)) or 0
    assert first["points"] == points_there
    assert reports[activist.id].content["observations"][0]["text"] == "吃苦在前，主动承担夜间测流"
    assert reports[on_duty.id].content["excused"] == 1 and reports[on_duty.id].content["present"] == 2
    assert reports[outsider.id].content["present"] == 3
    for membership in db.session.scalars(select(Membership).where(Membership.org_id == temp.id)):
        assert not membership.active and membership.left_on == TODAY

    # The home secretary reads the report (and its PDF) and still reads the branch's records.
    shuji = _login(app, "shuji")
    listing = shuji.client.get(f"/mobility/orgs/{office.id}/handovers").get_data(as_text=True)
    assert from_office[0].name in listing and from_survey[0].name not in listing
    report = reports[from_office[0].id]
    assert shuji.client.get(f"/mobility/handover/{report.uuid}").status_code == 200
    pdf = shuji.client.get(f"/mobility/handover/{report.uuid}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert shuji.client.get(f"/mobility/handover/{reports[from_planning[0].id].uuid}").status_code == 404
    assert shuji.client.get(f"/records/{records[0].uuid}").status_code == 200
    assert shuji.client.get(f"/orgs/{temp.id}").status_code == 200


def test_transfer_within_keeps_one_history_and_a_return_changes_nothing(app, demo):
    office, planning = org_named(OFFICE), org_named(PLANNING)
    mover = _plain_members(office)[0]
    staying = _plain_members(office)[1]
    before = _theme_day(office, TODAY - timedelta(days=40), [mover], _secretary(office), demo["jiguan"])
    db.session.commit()
    paid = db.session.scalar(select(func.max(DuesPayment.month)).where(DuesPayment.user_id == mover.id))
    assert paid is not None, "demo data has dues paid"

    shuji = _login(app, "shuji")
    issued = shuji.post(f"/mobility/orgs/{office.id}/transfers/new",
                        {"kind": "within", "user_id": str(mover.id), "to_org_id": str(planning.id), "note": "工作调动"},
                        page=f"/mobility/orgs/{office.id}/transfers/new")
    assert issued.status_code == 302, issued.get_data(as_text=True)
    transfer = db.session.scalar(select(MembershipTransfer).where(MembershipTransfer.user_id == mover.id))
    assert transfer.state == "issued"
    assert transfer.file["dues_paid_through"] == paid
    # Only the receiving branch accepts.
    assert shuji.post(f"/mobility/transfers/{transfer.uuid}/accept").status_code == 403
    planning_secretary = _login(app, _secretary(planning).phone)
    assert planning_secretary.post(f"/mobility/transfers/{transfer.uuid}/accept").status_code == 302
    db.session.expire_all()
    assert transfer.state == "accepted"
    old = db.session.scalar(select(Membership).where(Membership.user_id == mover.id, Membership.org_id == office.id))
    new = db.session.scalar(select(Membership).where(Membership.user_id == mover.id, Membership.org_id == planning.id))
    assert not old.active and old.left_on == TODAY and new.active and new.relation == "home"
    profile = db.session.scalar(select(DuesProfile).where(DuesProfile.org_id == planning.id,
                                                          DuesProfile.user_id == mover.id))
    year, month = int(paid[:4]), int(paid[5:])
    assert profile.since_month == f"{year + month // 12}-{month % 12 + 1:02d}"  # the ledger goes on from there
    # Past records stay where they happened; the history is one.
    assert db.session.get(Record, before.id).org_id == office.id
    after = _theme_day(planning, TODAY, [mover], _secretary(planning), demo["jiguan"])
    db.session.commit()
    took = participation.history([mover.id])[mover.id]
    assert [t.record_id for t in took if t.record_id in (before.id, after.id)] == [before.id, after.id]
    page = planning_secretary.client.get(f"/mobility/people/{mover.id}/file")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert OFFICE in html and PLANNING in html and transfer.file["dues_paid_through"] in html
    # The old branch no longer answers for the person's file.
    assert shuji.client.get(f"/mobility/people/{mover.id}/file").status_code == 404
    for action in ("transfer_out", "transfer_in"):
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == action,
                                                        AuditLog.entity_id == transfer.uuid)) is not None

    # Returned with a reason: the member stays where they were.
    second = transfers.issue_within(staying, office, planning, demo["shuji"])
    db.session.commit()
    assert planning_secretary.post(f"/mobility/transfers/{second.uuid}/return", {"reason": "接收单位信息有误"}
                                   ).status_code == 302
    db.session.expire_all()
    assert second.state == "returned" and second.reason == "接收单位信息有误"
    assert transfers.home_membership(staying, office) is not None


def test_expired_letter_puts_the_member_on_the_pocket_list_until_resolved(app, demo):
    office = org_named(OFFICE)
    leaving = _plain_members(office)[2]
    letter = transfers.issue_letter(leaving, office, demo["shuji"], destination="长江水利委员会水文局机关党委",
                                    letter_number="办〔2026〕07", issued_on=TODAY - timedelta(days=40),
                                    valid_until=TODAY - timedelta(days=10))
    transfers.mark_in_transit(letter, demo["shuji"])
    db.session.commit()
    assert letter.is_expired(TODAY)
    shuji = _login(app, "shuji")
    page = shuji.client.get(f"/mobility/orgs/{office.id}/transfers").get_data(as_text=True)
    assert "口袋党员" in page and leaving.name in page and "已过期" in page
    # Deadlines warn: the member stays on the roster meanwhile.
    assert transfers.home_membership(leaving, office) is not None
    resolved = shuji.post(f"/mobility/transfers/{letter.uuid}/resolve",
                          {"resolution": "reissued", "note": "原信逾期未报到", "letter_number": "办〔2026〕09",
                           "valid_until": (TODAY + timedelta(days=30)).isoformat()},
                          page=f"/mobility/orgs/{office.id}/transfers")
    assert resolved.status_code == 302
    db.session.expire_all()
    assert transfers.pocket_members(office) == []
    new = db.session.scalar(select(MembershipTransfer).where(MembershipTransfer.letter_number == "办〔2026〕09"))
    assert letter.replaced_by_id == new.id and new.state == "letter_issued"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "resolve_pocket_member")) is not None
    # The receipt ends the relation here.
    transfers.receipt(new, demo["shuji"])
    db.session.commit()
    assert transfers.home_membership(leaving, office) is None


def test_flowing_member_taking_part_elsewhere_is_not_alerted_at_home(app, demo, client):
    survey, planning = org_named(SURVEY), org_named(PLANNING)
    away_in_zhibu = _new_member(survey, "流动甲", "13711110001")
    away_silent = _new_member(survey, "流动乙", "13711110002")
    db.session.commit()
    secretary = _login(app, _secretary(survey).phone)
    for person, receiving in ((away_in_zhibu, str(planning.id)), (away_silent, "")):
        response = secretary.post(f"/mobility/orgs/{survey.id}/flowing/new",
                                  {"user_id": str(person.id), "destination": "江苏南京", "receiving_org_id": receiving,
                                   "receiving_org_name": "" if receiving else "南京某公司党委",
                                   "from_date": (TODAY - timedelta(days=200)).isoformat(), "card_number": "LD-9"},
                                  page=f"/mobility/orgs/{survey.id}/flowing/new")
        assert response.status_code == 302, response.get_data(as_text=True)
    entry = flowing_members.open_entry(away_in_zhibu)
    planning_secretary = _login(app, _secretary(planning).phone)
    inflow = planning_secretary.client.get(f"/mobility/orgs/{planning.id}/flowing").get_data(as_text=True)
    assert "流动甲" in inflow and "流动乙" not in inflow
    assert planning_secretary.post(f"/mobility/flowing/{entry.uuid}/accept").status_code == 302
    _theme_day(planning, TODAY - timedelta(days=20), [away_in_zhibu], _secretary(planning), demo["jiguan"])
    db.session.commit()

    rows = {row.entry.user_id: row for row in flowing_members.away_from(survey)}
    assert rows[away_in_zhibu.id].level is None
    assert rows[away_in_zhibu.id].last_took.org_id == planning.id
    assert rows[away_silent.id].level == "alert" and rows[away_silent.id].months_silent >= 6
    page = secretary.client.get(f"/mobility/orgs/{survey.id}/flowing").get_data(as_text=True)
    assert "个月未联系" in page and PLANNING in page

    # The silent member sends their whereabouts from the phone (sync API): heard of today, resend harmless.
    auth = Auth(client)
    auth.login("13711110002")
    device = client.post("/api/sync/devices", json={"name": "手机"}, headers={"X-CSRFToken": csrf_token(client, "/")})
    token = device.get_json()["token"]
    mutation = {"id": str(uuid.uuid4()), "seq": 1, "entity": "whereabouts",
                "payload": {"fields": [["whereabouts", "江苏南京江北新区工地"], ["contact_phone", "13711110002"]]},
                "target": None, "base_version": None, "client_at": "2026-11-20T09:00:00+08:00"}
    for expected in ("applied", "duplicate"):
        [result] = client.post("/api/sync/push", json={"mutations": [mutation]},
                               headers={"Authorization": f"Bearer {token}"}).get_json()["results"]
        assert result["status"] == expected, result
    silent = flowing_members.open_entry(away_silent)
    assert silent.whereabouts == "江苏南京江北新区工地" and silent.whereabouts_on == TODAY
    rows = {row.entry.user_id: row for row in flowing_members.away_from(survey)}
    assert rows[away_silent.id].level is None

    # Lost contact and return, each audited.
    secretary.post(f"/mobility/flowing/{silent.uuid}/lost")
    db.session.expire_all()
    assert silent.state == "lost" and silent.lost_on == TODAY
    secretary.post(f"/mobility/flowing/{entry.uuid}/returned")
    db.session.expire_all()
    assert entry.state == "returned"
    assert not db.session.scalar(select(Membership).where(Membership.user_id == away_in_zhibu.id,
                                                          Membership.org_id == planning.id)).active
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.entity_type == "flowing_member")))
    assert {"register_outflow", "accept_inflow", "update_whereabouts", "flowing_lost", "flowing_returned"} <= actions


def test_incoming_from_outside_registered_with_letter_and_file(app, demo):
    planning = org_named(PLANNING)
    secretary = _login(app, _secretary(planning).phone)
    page = f"/mobility/orgs/{planning.id}/transfers/incoming"
    response = secretary.post(page, {"name": "转入丙", "phone": "13722220003", "category": "full",
                                     "join_date": "2012-07-01", "origin": "湖北省水利厅机关党委",
                                     "letter_number": "鄂水党〔2026〕33", "dues_paid_through": "2026-08"}, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(select(User).where(User.phone == "13722220003"))
    assert transfers.home_membership(person, planning) is not None
    transfer = db.session.scalar(select(MembershipTransfer).where(MembershipTransfer.user_id == person.id))
    assert transfer.kind == "incoming" and transfer.outside_name == "湖北省水利厅机关党委"
    assert transfer.file["dues_paid_through"] == "2026-08" and transfer.file["party_age_years"] >= 13
    profile = db.session.scalar(select(DuesProfile).where(DuesProfile.user_id == person.id))
    assert profile.since_month == "2026-09"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "register_incoming")) is not None


def test_transfer_ledger_is_a_sheet_of_the_workbook(app, demo, tmp_path):
    from openpyxl import load_workbook

    from webapp.ledgers import workbook

    office, planning = org_named(OFFICE), org_named(PLANNING)
    mover = _plain_members(office)[0]
    transfers.issue_within(mover, office, planning, demo["shuji"])
    db.session.commit()
    path = workbook.build(office, TODAY.year, tmp_path / "book.xlsx")
    book = load_workbook(path)
    assert "组织关系转接" in book.sheetnames
    names = [row[1] for row in book["组织关系转接"].iter_rows(min_row=3, values_only=True)]
    assert mover.name in names


def test_a_committee_adjusts_the_conditions_and_the_alert_months(app, demo):
    """The conditions and alert months are rules the committee adjusts on the 规则调整 page."""
    committee, survey = org_named("水文局机关党委"), org_named(SURVEY)
    jiguan = _login(app, "jiguan")
    rules_page = f"/standards/rules/{committee.id}"
    first_of_month = START.replace(day=1).isoformat()
    for key, value in (("mobility.temporary.min_members_exclusive", "3"), ("mobility.flowing.alert_months", "12")):
        response = jiguan.post(rules_page, {"key": key, "value": value, "effective_from": first_of_month,
                                            "reason": "本委野外项目规定"}, page=rules_page)
        assert response.status_code in (200, 302), response.get_data(as_text=True)
    fields = {"start_date": START, "end_date": TODAY + timedelta(days=60), "planned_people": 36, "planned_members": 4}
    assert temporary_branches.conditions(committee, fields) == []
    silent = _new_member(survey, "流动丁", "13711110004")
    flowing_members.register_outflow(survey, silent, _secretary(survey),
                                     {"destination": "外地", "from_date": TODAY - timedelta(days=200)})
    db.session.commit()
    [row] = [r for r in flowing_members.away_from(survey) if r.entry.user_id == silent.id]
    assert row.months_silent >= 6 and row.level == "warning"  # the alert now comes at twelve months


def test_leader_adds_an_outside_member_to_attendance_through_sync(app, demo, client):
    """On site the leader adds a 流动党员 from outside Zhibu to an activity; resends add nobody twice."""
    from webapp.models import Attendance
    from tests.records_helpers import FIELD_BRANCH, theme_day_data

    field = org_named(FIELD_BRANCH)
    record = service.create_record(field, "theme_day", theme_day_data(field, topic="现场主题党日"), demo["linshi"])
    db.session.commit()
    auth = Auth(client)
    auth.login("linshi")
    token = client.post("/api/sync/devices", json={"name": "手机"},
                        headers={"X-CSRFToken": csrf_token(client, "/")}).get_json()["token"]
    entry_uuid = str(uuid.uuid4())
    fields = [["uuid", entry_uuid], ["activity_uuid", record.uuid], ["name", "吴建国"],
              ["home_org_name", "中交二航局第三党支部"], ["category", "full"], ["card_number", "LD-77"]]

    def push(mutation_id, seq):
        body = {"mutations": [{"id": mutation_id, "seq": seq, "entity": "outside_attendance",
                               "payload": {"fields": fields}, "target": entry_uuid, "base_version": None,
                               "client_at": "2026-11-20T09:00:00+08:00"}]}
        return client.post("/api/sync/push", json=body, headers={"Authorization": f"Bearer {token}"}
                           ).get_json()["results"][0]

    first = str(uuid.uuid4())
    assert push(first, 1)["status"] == "applied"
    assert push(first, 1)["status"] == "duplicate"
    assert push(str(uuid.uuid4()), 2)["status"] == "applied"  # the same entry sent again from another tap
    entry = db.session.scalar(select(FlowingMember).where(FlowingMember.uuid == entry_uuid))
    assert entry.direction == "inflow" and entry.home_org_name == "中交二航局第三党支部"
    assert db.session.scalar(select(func.count()).select_from(User).where(User.name == "吴建国")) == 1
    db.session.expire_all()
    present = {a.user_id for a in db.session.scalars(select(Attendance).where(Attendance.record_id == record.id,
                                                                              Attendance.status == "present"))}
    assert entry.user_id in present and record.version == 2
    # A plain member of the branch may not.
    other = Auth(app.test_client())
    other.login("dangyuan")
    token2 = other.client.post("/api/sync/devices", json={"name": "手机"},
                               headers={"X-CSRFToken": csrf_token(other.client, "/")}).get_json()["token"]
    body = {"mutations": [{"id": str(uuid.uuid4()), "seq": 1, "entity": "outside_attendance",
                           "payload": {"fields": [["uuid", str(uuid.uuid4())], *fields[1:]]}, "target": None,
                           "base_version": None, "client_at": "2026-11-20T09:00:00+08:00"}]}
    [refused] = other.client.post("/api/sync/push", json=body, headers={"Authorization": f"Bearer {token2}"}
                                  ).get_json()["results"]
    assert refused["status"] == "rejected" and refused["code"] == "forbidden"


def test_a_temporary_branch_is_not_offered_anyones_formal_relation(app, demo):
    """It may not transfer anyone's formal relation: its roster offers, and takes, temporary relations only."""
    from tests.records_helpers import FIELD_BRANCH

    field = org_named(FIELD_BRANCH)
    leader = _login(app, "linshi")
    page = f"/orgs/{field.id}/roster/new"
    form = leader.client.get(page).get_data(as_text=True)
    assert 'value="temporary"' in form and 'value="home"' not in form
    person = {"name": "新来的党员", "phone": "13733330001", "gender": "male", "category": "full",
              "join_date": "2015-07-01"}
    assert leader.post(page, {**person, "relation": "home"}, page=page).status_code == 400
    assert db.session.scalar(select(User).where(User.phone == "13733330001")) is None
    with pytest.raises(roster_members.RosterError) as refused:  # the service refuses it too (sheet imports)
        roster_members.add_member(field, {**person, "join_date": date(2015, 7, 1), "relation": "home"},
                                  demo["linshi"], hash_password)
    assert "临时党支部只建立临时组织关系" in refused.value.errors["relation"]
    db.session.rollback()
    assert leader.post(page, {**person, "relation": "temporary"}, page=page).status_code == 302
    assert db.session.scalar(select(Membership).join(User).where(User.phone == "13733330001")).relation == "temporary"


def test_a_member_away_sits_in_at_home_and_is_never_counted_absent(app, demo):
    """Like members in the field, a registered 流动党员 is 列席 at home while away, not absent."""
    from webapp.records.expected import expected_at

    survey = org_named(SURVEY)
    away = _new_member(survey, "流动戊", "13711110005")
    stays = _new_member(survey, "留守己", "13711110006")
    flowing_members.register_outflow(survey, away, _secretary(survey),
                                     {"destination": "新疆哈密", "from_date": TODAY - timedelta(days=60)})
    db.session.commit()
    meeting = _theme_day(survey, TODAY - timedelta(days=10), [], _secretary(survey), demo["jiguan"],
                         leave={})
    expected = expected_at(meeting)
    assert away.id not in expected.expected_ids and away.id in expected.sitting_in_ids
    assert stays.id in expected.expected_ids
    before = _theme_day(survey, TODAY - timedelta(days=90), [], _secretary(survey), demo["jiguan"])
    assert away.id in expected_at(before).expected_ids  # before leaving, expected as everyone


def test_a_member_away_keeps_the_whereabouts_page_for_offline_use(app, demo, client):
    survey = org_named(SURVEY)
    away = _new_member(survey, "流动庚", "13711110007")
    flowing_members.register_outflow(survey, away, _secretary(survey),
                                     {"destination": "西藏林芝", "from_date": TODAY - timedelta(days=5)})
    db.session.commit()
    Auth(client).login("13711110007")
    token = client.post("/api/sync/devices", json={"name": "手机"},
                        headers={"X-CSRFToken": csrf_token(client, "/")}).get_json()["token"]
    pulled = client.get("/api/sync/pull", headers={"Authorization": f"Bearer {token}"}).get_json()
    pages = [p for b in pulled["branches"] for p in b["entry_pages"]]
    assert "/mobility/me/whereabouts" in pages
    form = client.get("/mobility/me/whereabouts").get_data(as_text=True)
    assert 'data-offline-entity="whereabouts"' in form and "西藏林芝" in form
