"""Who may bind which archives (issue 23 "Scope and privacy"): a branch its own; a higher committee any
branch below it, and a summary across them; a temporary branch once closed stays bindable by the
committee above it and, for their own members' parts only, by the members' home branches."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ... import access
from ...domain_errors import NotAllowed
from ...china_time import china_today
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


@dataclass(frozen=True)
class Part:
    """A closed temporary branch some of whose members had ``home`` as their home branch, and the
    years it ran: what the home branch's managers may bind of it."""
    temporary: Organization
    home: Organization
    years: tuple[int, ...]


def closed_parts(user: User, branches: list[Organization]) -> list[Part]:
    """Of the ``branches`` the user manages, each one's members' parts of closed temporary branches the
    user does not manage itself (those it binds whole)."""
    ids = [b.id for b in branches]
    if not ids:
        return []
    home, there = aliased(Membership), aliased(Membership)
    pairs = db.session.execute(
        select(there.org_id, home.org_id).join(home, home.user_id == there.user_id)
        .join(Organization, Organization.id == there.org_id)
        .where(Organization.is_temporary.is_(True), Organization.kind == "branch",
               Organization.closed_at.is_not(None), home.relation == "home", home.org_id.in_(ids),
               home.org_id != there.org_id).distinct()).all()
    by_id = {b.id: b for b in branches}
    parts = []
    for temporary_id, home_id in pairs:
        temporary = db.session.get(Organization, temporary_id)
        if access.manages(user, temporary):
            continue
        parts.append(Part(temporary, by_id[home_id], _years(temporary)))
    return sorted(parts, key=lambda p: (p.temporary.name, p.home.name))


def _years(org: Organization) -> tuple[int, ...]:
    last = china_today(org.closed_at).year
    first = org.start_date.year if org.start_date else last
    return tuple(range(last, min(first, last) - 1, -1))
