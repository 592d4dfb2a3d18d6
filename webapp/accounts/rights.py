"""Who may change a person's account (password, phone, name and the other personal fields).

Rule (docs/access-rules.md, "Accounts and consent"): the person; the committee of their home branch
(正式组织关系) and any committee above it. A password is reset only by someone whose own role lies
above every role the person holds: nobody resets the password of a peer or of someone above. A temporary branch or a party group that the person joined never gets their
account: joining is by invitation, and the account stays with the home branch.
"""
from __future__ import annotations

from sqlalchemy import select

from .. import access
from ..extensions import db
from ..models import Membership, Organization, User


def responsible_orgs(person: User) -> list[Organization]:
    """The organizations whose committees answer for the person's account: the home branch; for
    someone with no active home relation, the organizations they are active in; for someone
    active nowhere, those they were last in."""
    active = access.active_memberships(person)
    home = [m.org for m in active if m.relation == "home"]
    if home:
        return home
    if active:
        return [m.org for m in active]
    return [m.org for m in db.session.scalars(select(Membership).where(Membership.user_id == person.id))]


def _strictly_below(org: Organization, root: Organization) -> bool:
    return org.id != root.id and org.is_within(root)


def outranks(actor: User, person: User) -> bool:
    """Every managing role of the person lies strictly below one of the actor's."""
    roots = access.managed_roots(actor)
    return all(any(_strictly_below(held, root) for root in roots) for held in access.managed_roots(person))


def manages_account(actor: User, person: User) -> bool:
    """May change the person's own fields (name, phone, …)."""
    if actor.id == person.id:
        return True
    orgs = responsible_orgs(person)
    return bool(orgs) and any(access.manages(actor, org) for org in orgs)


def may_reset_password(actor: User, person: User) -> bool:
    return actor.id != person.id and manages_account(actor, person) and outranks(actor, person)


def above_both(actor: User, org: Organization, person: User) -> bool:
    """The actor manages the organization and every organization answering for the person: an
    organization department above both may place the person without asking."""
    orgs = responsible_orgs(person)
    return access.manages(actor, org) and bool(orgs) and all(access.manages(actor, o) for o in orgs)
