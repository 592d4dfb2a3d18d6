"""Facts about a branch on a given day: who belonged, how many full members, whether a committee sat."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import Membership, Organization, User
from ..rules.life import COMMITTEE_MIN_SEATS, COMMITTEE_SEAT_TITLES


@dataclass
class BranchFacts:
    members: int
    full_members: int
    committee_seats: int
    groups: list[Organization]

    @property
    def has_committee(self) -> bool:
        return self.committee_seats >= COMMITTEE_MIN_SEATS


def members_on(org: Organization, day: date) -> list[Membership]:
    """Memberships in force on ``day``: joined by then and not yet left (inactive ones have left)."""
    return list(db.session.scalars(select(Membership).where(
        Membership.org_id == org.id,
        or_(Membership.joined_on.is_(None), Membership.joined_on <= day),
        or_(and_(Membership.active.is_(True), Membership.left_on.is_(None)), Membership.left_on > day))))


_memo: ContextVar[dict | None] = ContextVar("standards_facts_memo", default=None)


@contextmanager
def remembered():
    """Within the block, facts about a branch on a day are read once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def facts_on(org: Organization, day: date) -> BranchFacts:
    memo = _memo.get()
    if memo is not None and (org.id, day) in memo:
        return memo[(org.id, day)]
    facts = _read_facts(org, day)
    if memo is not None:
        memo[(org.id, day)] = facts
    return facts


def _read_facts(org: Organization, day: date) -> BranchFacts:
    members = members_on(org, day)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([m.user_id for m in members])))}
    return BranchFacts(
        members=sum(1 for m in members if users[m.user_id].category in ("full", "probationary")),
        full_members=sum(1 for m in members if users[m.user_id].category == "full"),
        committee_seats=sum(1 for m in members if m.title in COMMITTEE_SEAT_TITLES),
        groups=[g for g in org.children if g.kind == "group" and not g.is_closed],
    )


def active_window(org: Organization) -> tuple[date | None, date | None]:
    """When the branch existed: a temporary branch from its start to its end (or closing)."""
    start = org.start_date if org.is_temporary else None
    end = org.end_date if org.is_temporary else None
    if org.closed_at is not None:
        closed = org.closed_at.date()
        end = min(end, closed) if end else closed
    return start, end


def page_facts(org_ids: list[int], day: date) -> dict[int, tuple[bool, dict[int, str]]]:
    """For a page of branches at once: whether each has a committee on ``day``, and its party groups
    (id → name)."""
    seats = dict(db.session.execute(
        select(Membership.org_id, func.count()).where(
            Membership.org_id.in_(org_ids), Membership.title.in_(COMMITTEE_SEAT_TITLES),
            or_(Membership.joined_on.is_(None), Membership.joined_on <= day),
            or_(and_(Membership.active.is_(True), Membership.left_on.is_(None)), Membership.left_on > day))
        .group_by(Membership.org_id)).all())
    groups: dict[int, dict[int, str]] = {org_id: {} for org_id in org_ids}
    for group_id, name, parent_id in db.session.execute(
            select(Organization.id, Organization.name, Organization.parent_id).where(
                Organization.parent_id.in_(org_ids), Organization.kind == "group", Organization.closed_at.is_(None))
            .order_by(Organization.name)):
        groups[parent_id][group_id] = name
    return {org_id: (seats.get(org_id, 0) >= COMMITTEE_MIN_SEATS, groups[org_id]) for org_id in org_ids}


def group_sizes(group_ids: list[int], day: date) -> dict[int, tuple[int, int]]:
    """Party members (full and probationary) and full members assigned to each party group on ``day``."""
    out = {group_id: (0, 0) for group_id in group_ids}
    if not group_ids:
        return out
    rows = db.session.execute(
        select(Membership.group_id, User.category, func.count()).join(User, Membership.user_id == User.id).where(
            Membership.group_id.in_(group_ids), User.category.in_(("full", "probationary")),
            or_(Membership.joined_on.is_(None), Membership.joined_on <= day),
            or_(and_(Membership.active.is_(True), Membership.left_on.is_(None)), Membership.left_on > day))
        .group_by(Membership.group_id, User.category))
    for group_id, category, count in rows:
        members, full = out[group_id]
        out[group_id] = (members + count, full + (count if category == "full" else 0))
    return out


def member_counts(org_ids: list[int], day: date) -> dict[int, tuple[int, int, int]]:
    """For a page of branches: (party members, full members, committee seats) on ``day``."""
    out = {org_id: (0, 0, 0) for org_id in org_ids}
    if not org_ids:
        return out
    rows = db.session.execute(
        select(Membership.org_id, User.category, Membership.title, func.count())
        .join(User, Membership.user_id == User.id).where(
            Membership.org_id.in_(org_ids),
            or_(Membership.joined_on.is_(None), Membership.joined_on <= day),
            or_(and_(Membership.active.is_(True), Membership.left_on.is_(None)), Membership.left_on > day))
        .group_by(Membership.org_id, User.category, Membership.title))
    for org_id, category, title, count in rows:
        seated = title in COMMITTEE_SEAT_TITLES
        members, full, seats = out[org_id]
        out[org_id] = (members + (count if category in ("full", "probationary") else 0),
                       full + (count if category == "full" else 0), seats + (count if seated else 0))
    return out
