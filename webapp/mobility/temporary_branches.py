"""A temporary branch's whole life (docs/domain.md "Organization", temporary branch; seed 004).

Founding: the higher committee founds it from a form that checks the conditions (rules in force for
that committee, ``rules/mobility.py``), warns, and goes ahead only with an override reason; it appoints
the 临时负责人 and records the approval document. Gathering: members of home branches in the committee's
subtree join by the consent rule (``accounts/invitations.py``); members from outside join as 流动党员
(``flowing_members.register_from_outside``); non-member workers are listed. The branch organizes study
and organizational life and observes activists, and nothing else (``may``). Closing: each member's
handover report goes to the home branch, the temporary memberships end that day, the records stay
readable by the home branches. Callers commit.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from .. import access, audit
from ..accounts import invitations, rights
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..members import participation
from ..models import (
    ActivistObservation, FieldWorker, FlowingMember, HandoverReport, Membership, Organization, PointsLine,
    StudyNote, TemporaryCharter, User,
)
from ..orgs import structural, tree
from ..roster import joining
from ..rules.mobility import TEMPORARY_BRANCH_MAY, TEMPORARY_BRANCH_MAY_NOT
from ..rules.organization import MEMBER_CATEGORIES
from ..standards.rule_book import book_for

FOUNDING_KINDS = ("committee", "general_branch")
SEARCH_LIMIT = 20


def may(org: Organization, action: str) -> bool:
    """What an organization may do: a temporary branch only what TEMPORARY_BRANCH_MAY lists."""
    if not org.is_temporary:
        return True
    if action in TEMPORARY_BRANCH_MAY_NOT:
        return False
    return action in TEMPORARY_BRANCH_MAY


def thresholds(parent: Organization, on: date) -> dict:
    book = book_for(parent)
    return {name: book.get(f"mobility.temporary.{name}", on)
            for name in ("min_days_exclusive", "min_people", "min_members_exclusive")}


def conditions(parent: Organization, fields: dict) -> list[structural.Warning]:
    """The founding conditions in force for ``parent`` on the start day, as warnings."""
    on = fields.get("start_date") or china_today()
    return structural.temporary_conditions(fields.get("start_date"), fields.get("end_date"),
                                           fields.get("planned_people"), fields.get("planned_members"),
                                           thresholds(parent, on))


def found(parent: Organization, actor: User, fields: dict, *, leader: User | None, approval_number: str,
          approval_date: date | None, reason: str = "", committee: list[User] | None = None) -> Organization:
    """Found a temporary branch under ``parent``. Unmet conditions need ``reason`` (kept and audited)."""
    if not access.manages(actor, parent) or parent.kind not in FOUNDING_KINDS:
        raise NotAllowed("只有上级党委（党总支）可以成立临时党支部")
    approval_number = str(approval_number or "").strip()
    if not approval_number or len(approval_number) > 80:
        raise Invalid({"approval_number": "请填写批复文号（最多 80 字）"})
    if leader is None:
        raise Invalid({"leader_id": "请指定临时负责人"})
    warnings = conditions(parent, fields)
    reason = str(reason or "").strip()
    if warnings and not reason:
        raise Invalid({"exception_reason": "成立条件不满足；如确需成立，请写明理由（将记录在案）"})
    try:
        org = tree.create_child(parent, "branch", actor, leader=leader, is_temporary=True, **fields)
    except tree.TreeError as error:
        raise Invalid({"name": str(error)}) from error
    if warnings:
        tree.accept_exception(org, warnings, reason, actor)
    db.session.add(TemporaryCharter(org_id=org.id, approval_number=approval_number, approval_date=approval_date,
                                    founded_by_id=actor.id))
    for person in committee or []:
        if person.id != leader.id:
            _appoint_committee_member(org, person, actor)
    audit.record(actor, "found_temporary_branch", "organization", org.id, org_id=org.id,
                 summary=f"成立临时党支部 {org.name}（{approval_number}）",
                 changes={"approval_number": approval_number, "approval_date": approval_date,
                          "leader_id": leader.id, "warnings": [w.message for w in warnings], "reason": reason})
    return org


def _appoint_committee_member(org: Organization, person: User, actor: User) -> None:
    """A member of the small temporary committee (委员): placed directly by a committee above both the
    branch and the person's home, else invited (the consent rule)."""
    data = {"relation": "temporary", "title": "member", "joined_on": org.start_date}
    if rights.above_both(actor, org, person):
        joining.join(org, person, data, actor, "（临时支委）")
    else:
        invitations.invite(org, person, data, actor)


def charter(org: Organization) -> TemporaryCharter | None:
    return db.session.scalar(select(TemporaryCharter).where(TemporaryCharter.org_id == org.id))


def group_alternatives(actor: User, parent: Organization) -> list[Organization]:
    """Home branches under ``parent`` where a 临时党小组 could be set up instead."""
    return list(db.session.scalars(select(Organization).where(
        Organization.path.startswith(parent.path, autoescape=True), Organization.kind == "branch",
        Organization.is_temporary.is_(False), Organization.closed_at.is_(None), access.managed_filter(actor))
        .order_by(Organization.path)))


def _check_running(org: Organization, actor: User) -> None:
    if not org.is_temporary or org.kind != "branch":
        raise NotAllowed("这不是临时党支部")
    if not access.manages(actor, org):
        raise NotAllowed("只有临时党支部负责人或上级党组织可以办理")
    if org.is_closed:
        raise Invalid({"org": "该临时党支部已撤销"})


def _candidates_query(org: Organization):
    """People with an active home relation somewhere in the founding committee's subtree."""
    root = org.parent or org
    here = select(Membership.user_id).where(Membership.org_id == org.id, Membership.active.is_(True))
    return (select(User, Organization).join(Membership, Membership.user_id == User.id)
            .join(Organization, Membership.org_id == Organization.id)
            .where(Membership.relation == "home", Membership.active.is_(True), User.active.is_(True),
                   Organization.path.startswith(root.path, autoescape=True), Organization.id != org.id,
                   User.id.not_in(here)))


def search(org: Organization, actor: User, query: str) -> list[tuple[User, Organization]]:
    """Members of home branches in the committee's subtree, by part of the name or the whole phone."""
    _check_running(org, actor)
    query = (query or "").strip()[:64]
    if not query:
        return []
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(db.session.execute(_candidates_query(org).where(
        or_(User.name.like(f"%{escaped}%", escape="\\"), User.phone == query))
        .order_by(User.name).limit(SEARCH_LIMIT)).all())


def masked_phone(phone: str | None) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 8 else ""


def gather(org: Organization, person_id: int, actor: User, on: date | None = None):
    """Add a member from a home branch: directly when the actor is a committee above both (the person's
    account is that committee's too), else by an invitation the person accepts (consent rule)."""
    _check_running(org, actor)
    row = db.session.execute(_candidates_query(org).where(User.id == person_id)).first()
    if row is None:
        raise Invalid({"user_id": "只能邀请本党委所属支部的党员，且此人尚未加入"})
    person = row[0]
    if rights.above_both(actor, org, person):
        on = max(on or china_today(), org.start_date or date.min)
        return joining.join(org, person, {"relation": "temporary", "joined_on": on}, actor, "（临时党支部集结）")
    return invitations.invite(org, person, {"relation": "temporary"}, actor)


def add_worker(org: Organization, actor: User, data: dict) -> FieldWorker:
    _check_running(org, actor)
    name = str(data.get("name") or "").strip()
    employer, note = str(data.get("employer") or "").strip(), str(data.get("note") or "").strip()
    if not name or len(name) > 64 or "\x00" in name + employer + note:
        raise Invalid({"name": "请填写姓名（最多 64 字）"})
    if len(employer) > 200 or len(note) > 200:
        raise Invalid({"employer": "单位或说明过长"})
    worker = FieldWorker(org_id=org.id, name=name, employer=employer, note=note, created_by_id=actor.id)
    db.session.add(worker)
    db.session.flush()
    audit.record(actor, "add_field_worker", "field_worker", worker.id, org_id=org.id,
                 summary=f"{org.name} 登记项目人员 {name}", changes={"employer": employer})
    return worker


def workers(org: Organization) -> list[FieldWorker]:
    return list(db.session.scalars(select(FieldWorker).where(FieldWorker.org_id == org.id)
                                   .order_by(FieldWorker.id)))


def observe(org: Organization, actor: User, person_id: int, text: str, on: date | None = None
            ) -> ActivistObservation:
    """Observation notes on an activist taking part in the temporary branch (考察入党积极分子)."""
    _check_running(org, actor)
    text = str(text or "").strip()
    if not text or len(text) > 2000 or "\x00" in text:
        raise Invalid({"text": "请填写考察意见（最多 2000 字）"})
    membership = joining.find_membership(person_id, org.id)
    if membership is None or not membership.active or membership.user.category != "activist":
        raise Invalid({"user_id": "只能考察本临时党支部的入党积极分子"})
    on = min(on or china_today(), china_today())
    note = ActivistObservation(org_id=org.id, user_id=person_id, observer_id=actor.id, observed_on=on, text=text)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "observe_activist", "activist_observation", note.id, org_id=org.id,
                 summary=f"考察 {membership.user.name}")
    return note


def _home_of(person: User) -> tuple[Organization | None, str]:
    home = db.session.scalar(select(Organization).join(Membership, Membership.org_id == Organization.id).where(
        Membership.user_id == person.id, Membership.relation == "home", Membership.active.is_(True)))
    if home is not None:
        return home, home.name
    outside = db.session.scalar(select(FlowingMember).where(FlowingMember.user_id == person.id,
                                                            FlowingMember.direction == "inflow")
                                .order_by(FlowingMember.id.desc()))
    return None, outside.home_org_name if outside else ""


def report_content(org: Organization, membership: Membership, on: date) -> dict:
    """What the home branch receives for one member: participation, points, study, observations."""
    person = membership.user
    took = [t for t in participation.history([person.id])[person.id] if t.org_id == org.id]
    lines = list(db.session.scalars(select(PointsLine).where(PointsLine.org_id == org.id,
                                                             PointsLine.user_id == person.id)
                                    .order_by(PointsLine.year, PointsLine.month, PointsLine.id)))
    notes = list(db.session.scalars(select(StudyNote).where(StudyNote.org_id == org.id,
                                                            StudyNote.user_id == person.id)
                                    .order_by(StudyNote.noted_on)))
    observations = list(db.session.scalars(select(ActivistObservation).where(
        ActivistObservation.org_id == org.id, ActivistObservation.user_id == person.id)
        .order_by(ActivistObservation.observed_on, ActivistObservation.id)))
    return {
        "name": person.name, "category": MEMBER_CATEGORIES.get(person.category or "", ""),
        "title": membership.title_label, "joined_on": (membership.joined_on or org.start_date or on).isoformat(),
        "left_on": on.isoformat(), "project": org.project_name or "", "site": org.site or "",
        "participation": [{"on": t.occurred_on.isoformat(), "type": t.type_label,
                           "status": "出席" if t.status == "present" else f"请假（{t.reason}）"} for t in took],
        "present": sum(1 for t in took if t.status == "present"),
        "excused": sum(1 for t in took if t.status != "present"),
        "points": sum(line.delta for line in lines),
        "points_lines": [{"year": line.year, "month": line.month, "delta": line.delta, "reason": line.reason}
                         for line in lines],
        "study": [{"on": n.noted_on.isoformat(), "topic": n.topic} for n in notes],
        "observations": [{"on": o.observed_on.isoformat(), "by": o.observer.name if o.observer else "",
                          "text": o.text} for o in observations],
    }


def close(org: Organization, actor: User, on: date | None = None) -> list[HandoverReport]:
    """Close at the project's end: a handover report per member to their home branch, every temporary
    membership ends on ``on``, the branch is closed (its records stay readable)."""
    _check_running(org, actor)
    on = on or china_today()
    if org.start_date and on < org.start_date:
        raise Invalid({"on": "撤销日期不能早于项目开始日期"})
    memberships = list(db.session.scalars(select(Membership).where(Membership.org_id == org.id,
                                                                   Membership.active.is_(True))))
    reports = []
    for membership in memberships:
        home, home_name = _home_of(membership.user)
        report = HandoverReport(org_id=org.id, user_id=membership.user_id, home_org_id=home.id if home else None,
                                home_org_name=home_name, closed_on=on,
                                content=report_content(org, membership, on))
        db.session.add(report)
        reports.append(report)
        membership.active, membership.left_on = False, on
        access.forget(membership.user)
    for entry in db.session.scalars(select(FlowingMember).where(FlowingMember.receiving_org_id == org.id,
                                                                 FlowingMember.direction == "inflow",
                                                                 FlowingMember.state.in_(("away", "lost")))):
        entry.state, entry.returned_on = "returned", on
    org.end_date = on
    try:
        tree.close(org, actor, on)
    except tree.TreeError as error:
        raise Invalid({"org": str(error)}) from error
    found_charter = charter(org)
    if found_charter is None:
        found_charter = TemporaryCharter(org_id=org.id)
        db.session.add(found_charter)
    found_charter.closed_on, found_charter.closed_by_id = on, actor.id
    db.session.flush()
    audit.record(actor, "close_temporary_branch", "organization", org.id, org_id=org.id,
                 summary=f"{org.name} 撤销，移交报告 {len(reports)} 份",
                 changes={"closed_on": on, "reports": [r.uuid for r in reports]})
    return reports


def reports_of(org: Organization) -> list[HandoverReport]:
    return list(db.session.scalars(select(HandoverReport).where(HandoverReport.org_id == org.id)
                                   .order_by(HandoverReport.id)))


def reports_for_home(org: Organization) -> list[HandoverReport]:
    return list(db.session.scalars(select(HandoverReport).where(HandoverReport.home_org_id == org.id)
                                   .order_by(HandoverReport.closed_on.desc(), HandoverReport.id)))


def may_see_report(actor: User, report: HandoverReport) -> bool:
    return (actor.id == report.user_id or access.manages(actor, report.org)
            or (report.home_org is not None and access.manages(actor, report.home_org)))


def members_by_home(org: Organization) -> list[tuple[str, list[Membership]]]:
    """The branch's active members grouped by where their formal relation is."""
    groups: dict[str, list[Membership]] = {}
    for membership in db.session.scalars(select(Membership).join(User, Membership.user_id == User.id)
                                         .where(Membership.org_id == org.id, Membership.active.is_(True))
                                         .order_by(User.name)):
        _home, name = _home_of(membership.user)
        groups.setdefault(name or "（未登记）", []).append(membership)
    return sorted(groups.items())


def counts(org: Organization) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.org_id == org.id, Membership.active.is_(True))) or 0
