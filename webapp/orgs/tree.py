"""Changing the organization tree: create, edit, close, appoint a temporary leader.

Every change writes the audit log in the same transaction. Callers commit.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..china_time import china_today
from .. import access, audit
from ..domain_errors import DomainError
from ..extensions import db
from ..models import Membership, Organization, StructuralException, User
from ..models.base import utcnow
from ..rules.organization import ALLOWED_CHILD_KINDS
from .events import organization_changed

EDITABLE_FIELDS = (
    "name", "description", "project_name", "site", "start_date", "end_date",
    "committee_term_start", "committee_term_end", "planned_people", "planned_members",
)


class TreeError(DomainError):
    """A change the tree rules do not allow; the message is Chinese, for people."""


def _snapshot(org: Organization) -> dict:
    data = {field: getattr(org, field) for field in EDITABLE_FIELDS}
    data["leader_id"] = org.leader_id
    return data


def validate_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise TreeError("结束日期不能早于开始日期")


def create_root(kind: str, name: str, actor: User | None = None) -> Organization:
    org = Organization(kind=kind, name=name)
    db.session.add(org)
    db.session.flush()
    org.path = f"/{org.id}/"
    audit.record(actor, "create", "organization", org.id, org_id=org.id, summary=f"新建 {name}")
    return org


def validate_child(parent: Organization, kind: str, is_temporary: bool, fields: dict) -> None:
    """The tree's own rules for a new child (raises TreeError); structural rules only warn elsewhere."""
    if kind not in ALLOWED_CHILD_KINDS.get(parent.kind, ()):
        raise TreeError("该组织下不能设立此类组织")
    if parent.is_closed:
        raise TreeError("上级组织已撤销，不能新建下级组织")
    validate_dates(fields.get("start_date"), fields.get("end_date"))
    if is_temporary and kind == "branch" and not (fields.get("project_name") and fields.get("start_date")):
        raise TreeError("临时党支部需填写项目名称和开始日期")


def create_child(parent: Organization, kind: str, actor: User, **fields) -> Organization:
    is_temporary = bool(fields.pop("is_temporary", False)) and kind == "branch"
    leader = fields.pop("leader", None)
    validate_child(parent, kind, is_temporary, fields)
    org = Organization(parent=parent, kind=kind, is_temporary=is_temporary, **fields)
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path}{org.id}/"
    audit.record(actor, "create", "organization", org.id, org_id=org.id,
                 summary=f"新建{org.kind_label} {org.name}", changes=_snapshot(org))
    if leader is not None:
        set_leader(org, leader, actor)
    organization_changed.send(org)
    return org


def update(org: Organization, actor: User, **fields) -> Organization:
    leader = fields.pop("leader", None)
    before = _snapshot(org)
    validate_dates(fields.get("start_date", org.start_date), fields.get("end_date", org.end_date))
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise TreeError(f"不能修改字段 {key}")
        setattr(org, key, value)
    if leader is not None and leader.id != org.leader_id:
        set_leader(org, leader, actor)
    changes = audit.diff(before, _snapshot(org))
    if changes:
        audit.record(actor, "update", "organization", org.id, org_id=org.id,
                     summary=f"修改 {org.name}", changes=changes)
        organization_changed.send(org)
    return org


def set_leader(org: Organization, leader: User, actor: User) -> None:
    """Appoint the leader: 临时负责人 of a temporary branch (who manages it), 组长 of a group."""
    previous = org.leader_id
    org.leader_id = leader.id
    if org.is_temporary:
        if previous and previous != leader.id:
            old = _membership(previous, org.id)
            if old is not None and old.title == "temporary_leader":
                old.title = None
        membership = _membership(leader.id, org.id)
        if membership is None:
            membership = Membership(user_id=leader.id, org_id=org.id, relation="temporary",
                                    joined_on=org.start_date)
            db.session.add(membership)
        membership.active = True
        membership.title = "temporary_leader"
        access.forget(leader)
    audit.record(actor, "appoint_leader", "organization", org.id, org_id=org.id,
                 summary=f"{org.name} 负责人：{leader.name}",
                 changes={"leader_id": [previous, leader.id]})


def close(org: Organization, actor: User, on: date | None = None) -> None:
    """Close an organization (a finished project's temporary branch). Records stay readable."""
    if org.is_closed:
        raise TreeError("该组织已撤销")
    open_children = [child for child in org.children if not child.is_closed and child.kind != "group"]
    if open_children:
        raise TreeError("请先撤销其下属组织")
    org.closed_at = utcnow()
    if org.is_temporary and org.end_date is None:
        org.end_date = on or china_today()
    audit.record(actor, "close", "organization", org.id, org_id=org.id, summary=f"撤销 {org.name}")
    organization_changed.send(org)


def reopen(org: Organization, actor: User) -> None:
    if not org.is_closed:
        raise TreeError("该组织未撤销")
    org.closed_at = None
    audit.record(actor, "reopen", "organization", org.id, org_id=org.id, summary=f"恢复 {org.name}")
    organization_changed.send(org)


def _membership(user_id: int, org_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.org_id == org_id)
    )


def leader_candidates(actor: User) -> list[User]:
    """People in the organizations the actor manages: who may be appointed a leader."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Organization, Membership.org_id == Organization.id)
            .where(access.managed_filter(actor), User.active.is_(True), Membership.active.is_(True))
            .distinct()
            .order_by(User.name)
        )
    )


def accept_exception(org: Organization, warnings: list, reason: str, actor: User) -> StructuralException:
    """Go ahead against structural rules (``orgs.structural`` warnings) with a reason: kept, shown, audited."""
    exception = StructuralException(org_id=org.id, warnings=[w.as_dict() for w in warnings], reason=reason[:500],
                                    created_by_id=getattr(actor, "id", None))
    db.session.add(exception)
    db.session.flush()
    audit.record(actor, "accept_structural_exception", "organization", org.id, org_id=org.id,
                 summary=f"{org.name} 例外：{reason}"[:255],
                 changes={"warnings": [w.message for w in warnings], "reason": reason})
    return exception


def assign_group_members(group: Organization, memberships: list[Membership], actor: User) -> None:
    """Put branch members into a new party group (their membership of the branch names the group)."""
    for membership in memberships:
        membership.group_id = group.id
    if memberships:
        audit.record(actor, "assign_group", "organization", group.id, org_id=group.id,
                     summary=f"{group.name} 成员 {len(memberships)} 人",
                     changes={"membership_ids": [m.id for m in memberships]})
