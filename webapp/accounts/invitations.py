"""Invitations (邀请) for people who already have an account to join another organization.

A secretary who types the phone number of an existing account does not get that person: an
invitation waits until the person accepts it under 我的, or until a committee above both the inviting
organization and the person's home approves it. Callers commit.
"""
from __future__ import annotations

from sqlalchemy import select

from .. import access, audit
from ..domain_errors import DomainError
from ..extensions import db
from ..models import MembershipInvitation, Organization, User
from ..models.base import utcnow
from ..roster import joining
from . import notices, rights


class InvitationError(DomainError):
    """An invitation that cannot be decided (already decided, or not the person's to decide)."""


def invite(org: Organization, person: User, data: dict, actor: User) -> MembershipInvitation:
    """A pending invitation (an earlier pending one for the same organization is updated)."""
    invitation = db.session.scalar(select(MembershipInvitation).where(
        MembershipInvitation.user_id == person.id, MembershipInvitation.org_id == org.id,
        MembershipInvitation.state == "pending"))
    if invitation is None:
        invitation = MembershipInvitation(user_id=person.id, org_id=org.id)
        db.session.add(invitation)
    invitation.invited_by_id = actor.id
    # Moving someone's formal relation (组织关系转接) is for the committee above both; an invitation
    # from one organization offers a temporary relation to anyone who already has a home.
    has_home = any(m.relation == "home" for m in access.active_memberships(person))
    invitation.relation = "temporary" if has_home else (data.get("relation") or "temporary")
    invitation.title = data.get("title") or None
    invitation.is_recorder = bool(data.get("is_recorder"))
    invitation.group_id = data.get("group_id") or None
    db.session.flush()
    audit.record(actor, "invite_member", "membership_invitation", invitation.id, org_id=org.id,
                 summary=f"邀请 {person.name} 加入 {org.name}",
                 changes={"user_id": person.id, "relation": invitation.relation, "title": invitation.title})
    return invitation


def may_decide(actor: User, invitation: MembershipInvitation) -> bool:
    """The person, or a committee above both organizations (not the inviter's own branch alone)."""
    return actor.id == invitation.user_id or rights.above_both(actor, invitation.org, invitation.user)


def may_see(actor: User, invitation: MembershipInvitation) -> bool:
    return may_decide(actor, invitation) or access.manages(actor, invitation.org)


def _decide(invitation: MembershipInvitation, actor: User, state: str) -> None:
    if not invitation.is_pending:
        raise InvitationError("该邀请已处理")
    if not may_decide(actor, invitation):
        raise InvitationError("只有本人或上级党组织可以处理该邀请")
    invitation.state = state
    invitation.decided_at = utcnow()
    invitation.decided_by_id = actor.id


def accept(invitation: MembershipInvitation, actor: User):
    _decide(invitation, actor, "accepted")
    person, org = invitation.user, invitation.org
    how = "（本人接受邀请）" if actor.id == person.id else f"（{actor.name} 批准）"
    membership = joining.join(org, person, {f: getattr(invitation, f) for f in joining.MEMBERSHIP_FIELDS},
                              actor, how)
    audit.record(actor, "accept_invitation", "membership_invitation", invitation.id, org_id=org.id,
                 summary=f"{person.name} 加入 {org.name}{how}")
    notices.tell(person, actor, f"您已由 {actor.name} 于 {notices.when()} 批准加入 {org.name}")
    return membership


def decline(invitation: MembershipInvitation, actor: User) -> None:
    _decide(invitation, actor, "declined")
    audit.record(actor, "decline_invitation", "membership_invitation", invitation.id,
                 org_id=invitation.org_id, summary=f"{invitation.user.name} 未加入 {invitation.org.name}")


def withdraw(invitation: MembershipInvitation, actor: User) -> None:
    if not invitation.is_pending:
        raise InvitationError("该邀请已处理")
    if not access.manages(actor, invitation.org):
        raise InvitationError("只有发出邀请的组织可以撤回")
    invitation.state = "withdrawn"
    invitation.decided_at = utcnow()
    invitation.decided_by_id = actor.id
    audit.record(actor, "withdraw_invitation", "membership_invitation", invitation.id,
                 org_id=invitation.org_id, summary=f"撤回对 {invitation.user.name} 的邀请")


def pending_for(person: User) -> list[MembershipInvitation]:
    return list(db.session.scalars(select(MembershipInvitation).where(
        MembershipInvitation.user_id == person.id, MembershipInvitation.state == "pending")
        .order_by(MembershipInvitation.id)))


def pending_in(org: Organization) -> list[MembershipInvitation]:
    return list(db.session.scalars(select(MembershipInvitation).where(
        MembershipInvitation.org_id == org.id, MembershipInvitation.state == "pending")
        .order_by(MembershipInvitation.id)))


def approvable_by(actor: User) -> list[MembershipInvitation]:
    """Pending invitations of others that the actor, as a committee above both, may approve."""
    if not access.manages_any(actor):
        return []
    rows = db.session.scalars(select(MembershipInvitation)
                              .join(Organization, MembershipInvitation.org_id == Organization.id)
                              .where(MembershipInvitation.state == "pending",
                                     MembershipInvitation.user_id != actor.id,
                                     access.managed_filter(actor))
                              .order_by(MembershipInvitation.id))
    return [row for row in rows if rights.above_both(actor, row.org, row.user)]
