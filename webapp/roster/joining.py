"""Putting a person on an organization's roster (a membership), once it is theirs to join."""
from __future__ import annotations


from sqlalchemy import select

from ..china_time import china_today
from .. import access, audit
from ..extensions import db
from ..models import Membership, Organization, User

MEMBERSHIP_FIELDS = ("relation", "title", "is_recorder", "group_id")


def find_membership(user_id: int, org_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.org_id == org_id)
    )


def apply_fields(membership: Membership, data: dict) -> None:
    membership.relation = data.get("relation") or "home"
    membership.title = data.get("title") or None
    membership.is_recorder = bool(data.get("is_recorder"))
    membership.group_id = data.get("group_id") or None


def join(org: Organization, user: User, data: dict, actor: User, how: str = "") -> Membership:
    membership = find_membership(user.id, org.id)
    if membership is None:
        membership = Membership(user_id=user.id, org_id=org.id)
        db.session.add(membership)
    membership.active = True
    membership.left_on = None
    membership.joined_on = data.get("joined_on") or china_today()
    apply_fields(membership, data)
    db.session.flush()
    audit.record(actor, "add_member", "membership", membership.id, org_id=org.id,
                 summary=f"{user.name} 加入 {org.name}{how}",
                 changes={f: getattr(membership, f) for f in MEMBERSHIP_FIELDS})
    access.forget(user)
    return membership
