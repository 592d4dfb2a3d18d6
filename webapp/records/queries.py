"""Read-side queries for record lists: what a person may see, review, and has attended."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, selectinload

from ..china_time import china_today, month_bounds
from ..extensions import db
from ..input_numbers import is_month_text, row_id
from ..models import Attendance, Membership, Organization, Record, RecordVersion, User
from .visibility import managed_org_ids_query, visible_records_filter

LIST_LIMIT = 200
# The records page lists at most this many open activities and returned records, newest first: a
# branch that received a phone's backlog of hundreds of unreviewed records must not make the page
# (and the worker's memory) grow with it.
OPEN_LIMIT = 20


@dataclass
class ReviewFilters:
    org_id: int | None = None
    type: str = ""
    month: str = ""      # YYYY-MM
    state: str = ""
    recorder_id: int | None = None
    conflicts: bool = False

    @classmethod
    def from_args(cls, args) -> "ReviewFilters":
        month = (args.get("month") or "").strip()
        if not is_month_text(month):
            month = ""
        return cls(org_id=row_id(args.get("org_id")), type=(args.get("type") or "").strip(), month=month,
                   state=(args.get("state") or "").strip(), recorder_id=row_id(args.get("recorder_id")),
                   conflicts=args.get("conflicts") == "1")


def review_query(user: User, filters: ReviewFilters):
    query = (select(Record).where(Record.org_id.in_(managed_org_ids_query(user)))
             .options(selectinload(Record.org), selectinload(Record.recorder))
             .order_by(Record.occurred_on.desc(), Record.id.desc()))
    if filters.org_id:
        query = query.where(Record.org_id == filters.org_id)
    if filters.type:
        query = query.where(Record.type == filters.type)
    if filters.state:
        query = query.where(Record.state == filters.state)
    if filters.recorder_id:
        query = query.where(Record.recorder_id == filters.recorder_id)
    if filters.conflicts:
        query = query.where(Record.has_conflict.is_(True))
    if filters.month:
        start, end = month_bounds(filters.month)
        query = query.where(Record.occurred_on >= start, Record.occurred_on < end)
    return query.limit(LIST_LIMIT)


def recorders_in(user: User) -> list[User]:
    ids = select(Record.recorder_id).where(Record.org_id.in_(managed_org_ids_query(user))).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


def visible_records(user: User, org_id: int | None = None, limit: int = 50) -> list[Record]:
    query = (select(Record).where(visible_records_filter(user))
             .options(selectinload(Record.org)).order_by(Record.occurred_on.desc(), Record.id.desc()))
    if org_id:
        query = query.where(Record.org_id == org_id)
    return list(db.session.scalars(query.limit(limit)))


def attendance_history(user: User, limit: int = 200) -> list[Attendance]:
    """The person's own attendance over records they may see (their own rows, never others')."""
    query = (select(Attendance).join(Record, Attendance.record_id == Record.id)
             .where(Attendance.user_id == user.id, visible_records_filter(user))
             .options(selectinload(Attendance.record).selectinload(Record.org))
             .order_by(Record.occurred_on.desc()).limit(limit))
    return list(db.session.scalars(query))


def attendance_summary(rows: list[Attendance]) -> dict[str, int]:
    summary = {"present": 0, "leave": 0, "absent": 0}
    for row in rows:
        if row.record.state == "approved":
            summary[row.status] = summary.get(row.status, 0) + 1
    return summary


def open_for_check_in(user: User, days: int = 2) -> list[Record]:
    """Recent activities of the person's branches still open for 签到 (recorded, not yet approved)."""
    from .visibility import member_branch_ids

    branch_ids = member_branch_ids(user)
    if not branch_ids:
        return []
    return list(db.session.scalars(select(Record).where(
        Record.org_id.in_(branch_ids), Record.is_private.is_(False), Record.state.not_in(("approved", "merged")),
        Record.occurred_on >= china_today() - timedelta(days=days))
        .options(selectinload(Record.org)).order_by(Record.occurred_on.desc(), Record.id.desc()).limit(OPEN_LIMIT)))


def waiting_for_review_count(user: User) -> int:
    """Submitted records of the branches the user manages that they may review: not recorded,
    created or last edited by themselves (the rule of ``visibility.is_own_record``), counted in SQL."""
    current = aliased(RecordVersion)
    return db.session.scalar(
        select(func.count()).select_from(Record)
        .outerjoin(current, and_(current.record_id == Record.id, current.number == Record.version))
        .where(Record.org_id.in_(managed_org_ids_query(user)), Record.state == "submitted",
               Record.recorder_id.is_distinct_from(user.id), Record.created_by_id.is_distinct_from(user.id),
               current.created_by_id.is_distinct_from(user.id))) or 0


def my_returned(user: User) -> list[Record]:
    return list(db.session.scalars(select(Record).where(
        Record.state == "returned",
        (Record.recorder_id == user.id) | (Record.created_by_id == user.id))
        .options(selectinload(Record.org)).order_by(Record.updated_at.desc()).limit(OPEN_LIMIT)))


def branch_roster(org: Organization) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.org_id == org.id, Membership.active.is_(True))
        .options(selectinload(Membership.user)).order_by(User.name)))


def user_names(ids) -> dict[int, str]:
    ids = {int(i) for i in ids if i not in (None, "")}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def notes_this_month(org: Organization, month_start: date, month_end: date) -> list[tuple[Membership, int]]:
    from ..models import StudyNote

    counts = dict(db.session.execute(
        select(StudyNote.user_id, func.count()).where(
            StudyNote.org_id == org.id, StudyNote.noted_on >= month_start, StudyNote.noted_on < month_end)
        .group_by(StudyNote.user_id)).all())
    return [(m, counts.get(m.user_id, 0)) for m in branch_roster(org)]



def offered_record_types(user: User, org: Organization) -> list[str]:
    """The record types this person is offered for a branch: the type chooser and the pages a phone
    keeps (webapp/pwa/offline_pages.py) use this one rule (支委会 only where there is a committee)."""
    from ..rules.life import RECORD_TYPES
    from .validation import has_committee
    from .visibility import can_record_type

    committee = has_committee({m.user_id: m for m in branch_roster(org)})
    return [key for key, spec in RECORD_TYPES.items()
            if (committee or not spec.get("needs_committee")) and can_record_type(user, org, key)]
