"""What did this person take part in, where, when: one query for alerts, points and member pages.

A person belongs to a home branch and, for the time of a project, to a temporary branch (membership
start and end dates). Their record of participation is the union of every branch's approved records,
so a member who takes part only in the field is active at home too. Each branch sees what it may see:
the type, the date and the branch's name of an activity elsewhere — never its minutes or topic.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Attendance, FlowingMember, Membership, Organization, Record
from ..rules.life import RECORD_TYPE_LABELS


def in_force_on(day: date):
    """SQL condition on Membership: joined by ``day`` and not yet left (inactive ones have left)."""
    return and_(
        or_(Membership.joined_on.is_(None), Membership.joined_on <= day),
        or_(and_(Membership.active.is_(True), Membership.left_on.is_(None)), Membership.left_on > day))


def in_force_during(start: date, end: date):
    """SQL condition on Membership: in force on at least one day of [start, end]."""
    return and_(
        or_(Membership.joined_on.is_(None), Membership.joined_on <= end),
        or_(and_(Membership.active.is_(True), Membership.left_on.is_(None)), Membership.left_on > start))


def field_branch_running_on(day: date):
    """SQL condition on Organization: a temporary branch running on ``day`` (started, not ended or
    closed)."""
    next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=timezone.utc)
    return and_(Organization.is_temporary.is_(True),
                or_(Organization.start_date.is_(None), Organization.start_date <= day),
                or_(Organization.end_date.is_(None), Organization.end_date >= day),
                or_(Organization.closed_at.is_(None), Organization.closed_at >= next_midnight))


def in_field_on(user_ids: Iterable[int], day: date, *, except_org_id: int | None = None) -> set[int]:
    """Who, of ``user_ids``, belongs on ``day`` to a temporary branch that was running that day."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    query = (select(Membership.user_id).join(Organization, Membership.org_id == Organization.id)
             .where(Membership.user_id.in_(ids), Membership.relation == "temporary",
                    field_branch_running_on(day), in_force_on(day)))
    if except_org_id is not None:
        query = query.where(Membership.org_id != except_org_id)
    return set(db.session.scalars(query))


def away_on(user_ids: Iterable[int], day: date) -> set[int]:
    """Who, of ``user_ids``, is registered as working away from their home branch on ``day`` (流动党员,
    webapp/mobility/flowing_members.py): like members in the field, they sit in (列席) and are never
    counted absent, while their participation anywhere counts at home."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    return set(db.session.scalars(select(FlowingMember.user_id).where(
        FlowingMember.user_id.in_(ids), FlowingMember.direction == "outflow", FlowingMember.from_date <= day,
        or_(FlowingMember.returned_on.is_(None), FlowingMember.returned_on > day))))


@dataclass(frozen=True)
class Took:
    """One approved activity a person took part in (present) or was excused from with a reason."""
    user_id: int
    record_id: int
    record_uuid: str
    org_id: int
    org_name: str
    org_is_temporary: bool
    type: str
    occurred_on: date
    status: str   # present / leave
    reason: str

    @property
    def type_label(self) -> str:
        return RECORD_TYPE_LABELS.get(self.type, self.type)


def history(user_ids: Iterable[int], *, since: date | None = None, until: date | None = None,
            present_only: bool = False) -> dict[int, list[Took]]:
    """Every approved activity, in any branch, that each person attended or was excused from with a
    reason, oldest first."""
    ids = list(set(user_ids))
    result: dict[int, list[Took]] = {i: [] for i in ids}
    if not ids:
        return result
    status = Attendance.status == "present"
    if not present_only:
        status = status | ((Attendance.status == "leave") & (Attendance.reason != ""))
    query = (select(Attendance.user_id, Attendance.status, Attendance.reason, Record.id, Record.uuid, Record.type,
                    Record.occurred_on, Organization.id, Organization.name, Organization.is_temporary)
             .join(Record, Attendance.record_id == Record.id)
             .join(Organization, Record.org_id == Organization.id)
             .where(Attendance.user_id.in_(ids), Record.approved_version.is_not(None), status)
             .order_by(Record.occurred_on, Record.id))
    if since is not None:
        query = query.where(Record.occurred_on >= since)
    if until is not None:
        query = query.where(Record.occurred_on <= until)
    for user_id, state, reason, rid, ruuid, rtype, occurred, oid, oname, otemp in db.session.execute(query):
        result[user_id].append(Took(user_id, rid, ruuid, oid, oname, bool(otemp), rtype, occurred, state,
                                    reason or ""))
    return result


def last_in_touch(user_ids: Iterable[int]) -> dict[int, Took]:
    """Each person's latest approved activity anywhere that they attended or were excused from."""
    return {user_id: items[-1] for user_id, items in history(user_ids).items() if items}


def last_present(user_ids: Iterable[int]) -> dict[int, Took]:
    return {user_id: items[-1] for user_id, items in history(user_ids, present_only=True).items() if items}


def branches_of(user_id: int) -> list[Membership]:
    """Every membership the person has or had (home first), for the member page."""
    return list(db.session.scalars(
        select(Membership).join(Organization, Membership.org_id == Organization.id)
        .where(Membership.user_id == user_id, Organization.kind == "branch")
        .order_by(Membership.relation, Membership.joined_on)))
