"""Who may change a person's account (password, phone, name and the other personal fields).

Rule (docs/access-rules.md, "Accounts and consent"): the person; the committee of their home branch
(正式组织关系) and any committee above it. A password is reset only by someone whose own role lies
above every role the person holds: nobody resets the password of a peer or of someone above. A
temporary branch or a party group that the person joined never gets their account: joining is by
invitation, and the account stays with the home branch.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import access
from ..extensions import db
from ..models import Membership, Organization, User


def _memberships(person: User) -> list[Membership]:
    return list(db.session.scalars(select(Membership).options(joinedload(Membership.org))
                                   .where(Membership.user_id == person.id).order_by(Membership.id.desc())))


def _responsible(memberships: list[Membership]) -> list[Organization]:
    """From a person's memberships (newest first): the active home; else the last home (the
    formal relation stays where it was until transferred); else, for someone with no home relation
    anywhere, the organization where the account was first made (their oldest membership). Never
    every branch they are active in: a branch one joined later by invitation gets a member, not the
    account."""
    active = [m for m in memberships if m.active]
    for chosen in ([m for m in active if m.relation == "home"],
                   [m for m in memberships if m.relation == "home"][:1], memberships[-1:]):
        if chosen:
            return [m.org for m in chosen]
    return []


def responsible_orgs(person: User) -> list[Organization]:
    """The organizations whose committees answer for the person's account."""
    return _responsible(_memberships(person))


def _strictly_below(org: Organization, root: Organization) -> bool:
    return org.id != root.id and org.is_within(root)


def _outranks(actor: User, held_roles: list[Organization]) -> bool:
    roots = access.managed_roots(actor)
    return all(any(_strictly_below(held, root) for root in roots) for held in held_roles)


def outranks(actor: User, person: User) -> bool:
    """Every managing role of the person lies strictly below one of the actor's."""
    return _outranks(actor, access.managed_roots(person))


def manages_account(actor: User, person: User) -> bool:
    """May change the person's own fields (name, phone, …)."""
    if actor.id == person.id:
        return True
    orgs = responsible_orgs(person)
    return bool(orgs) and any(access.manages(actor, org) for org in orgs)


def may_reset_password(actor: User, person: User) -> bool:
    return actor.id != person.id and manages_account(actor, person) and outranks(actor, person)


def may_reset_passwords(actor: User, user_ids: set[int]) -> set[int]:
    """``may_reset_password`` for many people at once (a roster page): one query."""
    if not user_ids or not access.manages_any(actor):
        return set()
    by_user: dict[int, list[Membership]] = {}
    for m in db.session.scalars(select(Membership).options(joinedload(Membership.org))
                                .where(Membership.user_id.in_(user_ids)).order_by(Membership.id.desc())):
        by_user.setdefault(m.user_id, []).append(m)
    allowed = set()
    for user_id, memberships in by_user.items():
        orgs = _responsible(memberships)
        if (user_id != actor.id and any(access.manages(actor, org) for org in orgs)
                and _outranks(actor, [m.org for m in memberships if m.manages])):
            allowed.add(user_id)
    return allowed


def above_both(actor: User, org: Organization, person: User) -> bool:
    """The actor manages the organization and every organization answering for the person: an
    organization department above both may place the person without asking."""
    orgs = responsible_orgs(person)
    return access.manages(actor, org) and bool(orgs) and all(access.manages(actor, o) for o in orgs)
