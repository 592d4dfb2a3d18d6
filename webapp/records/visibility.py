"""Who may see, record and review which records.

- Managers of a branch (its committee, or a higher committee above it) see all its records.
- Secretaries of a member's home branch read that member's temporary branch's records.
- A member sees the records of activities they attended, checked in to or recorded.
- 谈心谈话 (talks) are visible only to the branch committee and the higher committee.
- Recorders (记录员) and committee members record; managers review, never their own records.
"""
from __future__ import annotations

from sqlalchemy import and_, false, or_, select

from .. import access
from ..models import Attendance, CheckIn, Organization, Record, User
from ..rules.life import PRIVATE_RECORD_TYPES


def managed_org_ids_query(user: User):
    return select(Organization.id).where(access.managed_filter(user))


def visible_records_filter(user: User):
    managed = Record.org_id.in_(managed_org_ids_query(user))
    clauses = [managed]
    readable = access.home_reader_org_ids(user)
    if readable:
        clauses.append(and_(Record.org_id.in_(readable), Record.is_private.is_(False)))
    own = or_(
        Record.recorder_id == user.id,
        Record.created_by_id == user.id,
        Record.id.in_(select(Attendance.record_id).where(Attendance.user_id == user.id)),
        Record.id.in_(select(CheckIn.record_id).where(CheckIn.user_id == user.id)),
    )
    clauses.append(and_(own, Record.is_private.is_(False)))
    return or_(*clauses) if clauses else false()


def can_view(user: User, record: Record) -> bool:
    if access.manages(user, record.org):
        return True
    if record.is_private:
        return False
    if record.org_id in access.home_reader_org_ids(user):
        return True
    if user.id in (record.recorder_id, record.created_by_id):
        return True
    return any(a.user_id == user.id for a in record.attendances) or any(
        c.user_id == user.id for c in record.check_ins)


def can_record(user: User, org: Organization) -> bool:
    """Recorders and committee members of the branch, and managers above it."""
    if org.kind != "branch" or org.is_closed:
        return False
    if access.manages(user, org):
        return True
    return any(m.org_id == org.id and m.is_recorder for m in access.active_memberships(user))


def can_record_type(user: User, org: Organization, record_type: str) -> bool:
    """谈心谈话 are private to the committee: a recorder off the committee would write a record that
    then vanishes from them, so only those who will still see it may write one."""
    return can_record(user, org) and (record_type not in PRIVATE_RECORD_TYPES or access.manages(user, org))


PRIVATE_TYPE_REFUSED = "谈心谈话仅支委会可见，只有支委可以记录"


def recordable_branches(user: User) -> list[Organization]:
    seen = {}
    for membership in access.active_memberships(user):
        if membership.org.kind == "branch" and can_record(user, membership.org):
            seen[membership.org_id] = membership.org
    for org in access.managed_orgs(user, kinds=("branch",)):
        if not org.is_closed:
            seen.setdefault(org.id, org)
    return sorted(seen.values(), key=lambda o: (o.is_temporary is False, o.name))


def can_edit(user: User, record: Record) -> bool:
    return can_record(user, record.org) and (
        access.manages(user, record.org) or user.id in (record.recorder_id, record.created_by_id))


def is_own_record(user: User, record: Record) -> bool:
    """A person never approves a record they recorded or last edited themselves."""
    current = record.current
    return user.id in (record.recorder_id, record.created_by_id,
                       current.created_by_id if current else None)


def can_review(user: User, record: Record) -> bool:
    return access.manages(user, record.org) and not is_own_record(user, record)


def can_check_in(user: User, record: Record) -> bool:
    return may_check_in(user, record.org_id, record.is_private)


def may_check_in(user: User, org_id: int, is_private: bool) -> bool:
    """Members of the record's branch check in; never to a private talk (谈心谈话)."""
    return any(m.org_id == org_id for m in access.active_memberships(user)) and not is_private


def member_branch_ids(user: User) -> list[int]:
    return [m.org_id for m in access.active_memberships(user) if m.org.kind == "branch"]
