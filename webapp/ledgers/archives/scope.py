"""Who may bind which archives (issue 23 "Scope and privacy"): a branch its own; a higher committee any
branch below it, and a summary across them; a temporary branch once closed stays bindable by the
committee above it and, for their own members' parts only, by the members' home branches."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ... import access
from ...domain_errors import NotAllowed
from ...extensions import db
from ...models import Membership, Organization, User

REFUSED = "只有本支部支委和上级党组织可以导出台账"
SUMMARY_REFUSED = "只有上级党组织可以导出所属党支部的台账汇总"


@dataclass(frozen=True)
class View:
    """What the user may bind of ``org``: the whole branch-year (``home`` None) or, of a closed
    temporary branch, the part of the members whose home branch is ``home``."""
    org: Organization
    home: Organization | None = None


def export_view(user: User, org: Organization, home_id: int | None = None) -> View:
    """Raises NotAllowed when the user may bind nothing of ``org``. ``home_id`` chooses among several
    home branches the user manages (the first by name otherwise)."""
    if org.kind != "branch":
        raise NotAllowed(REFUSED)
    if access.manages(user, org):
        return View(org)
    homes = home_branches(user, org) if org.is_temporary and org.is_closed else []
    if home_id is not None:
        homes = [h for h in homes if h.id == home_id]
    if not homes:
        raise NotAllowed(REFUSED)
    return View(org, homes[0])


def home_branches(user: User, temporary: Organization) -> list[Organization]:
    """Branches the user manages that are the home of someone who was in ``temporary``."""
    people = select(Membership.user_id).where(Membership.org_id == temporary.id)
    candidates = db.session.scalars(
        select(Organization).join(Membership, Membership.org_id == Organization.id)
        .where(Membership.relation == "home", Membership.user_id.in_(people), Organization.kind == "branch",
               Organization.id != temporary.id).distinct().order_by(Organization.name))
    return [org for org in candidates if access.manages(user, org)]


def summary_allowed(user: User, committee: Organization) -> None:
    """A summary is for a committee (or 党总支) the user manages."""
    if committee.kind not in ("committee", "general_branch") or not access.manages(user, committee):
        raise NotAllowed(SUMMARY_REFUSED)
