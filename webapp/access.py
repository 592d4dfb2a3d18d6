"""Who may see and who may manage which organization. Every view and every query goes through here.

Rules (issue "Foundation"): a member sees the branches they belong to; a committee title (书记, 委员,
临时负责人, …) in an organization manages it and everything below it, so a higher committee's staff
manage the whole subtree. Secretaries of a member's home branch may read the temporary branch that
member joined for a project (docs/domain.md: "its records stay, readable by the home branches").
"""
from __future__ import annotations

from sqlalchemy import false, or_, select

from .extensions import db
from .models import Membership, Organization, User

_CACHE_ATTR = "_zhibu_access_cache"


def _cache(user: User) -> dict:
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    return cache


def forget(user: User) -> None:
    """Drop cached scopes after the user's memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def active_memberships(user: User) -> list[Membership]:
    cache = _cache(user)
    if "memberships" not in cache:
        cache["memberships"] = list(
            db.session.scalars(
                select(Membership)
                .join(Organization, Membership.org_id == Organization.id)
                .where(Membership.user_id == user.id, Membership.active.is_(True))
                .order_by(Membership.relation, Organization.name)
            )
        )
    return cache["memberships"]


def managed_roots(user: User) -> list[Organization]:
    """Organizations in which the user holds a managing title (each manages its subtree)."""
    cache = _cache(user)
    if "roots" not in cache:
        cache["roots"] = [m.org for m in active_memberships(user) if m.manages]
    return cache["roots"]


def member_org_ids(user: User) -> set[int]:
    return {m.org_id for m in active_memberships(user)}


def _subtree_clause(roots: list[Organization]):
    if not roots:
        return false()
    return or_(*[Organization.path.startswith(root.path, autoescape=True) for root in roots])


def managed_filter(user: User):
    """SQL condition on Organization: rows the user manages."""
    return _subtree_clause(managed_roots(user))


def manages(user: User, org: Organization) -> bool:
    return any(org.is_within(root) for root in managed_roots(user))


def manages_any(user: User) -> bool:
    return bool(managed_roots(user))


def manages_above_branch(user: User) -> bool:
    """True for higher-committee staff (a managing title above branch level)."""
    return any(root.kind in ("committee", "general_branch") for root in managed_roots(user))


def home_reader_org_ids(user: User) -> set[int]:
    """Temporary branches readable because one of their members has a home branch the user manages."""
    cache = _cache(user)
    if "home_reader" not in cache:
        roots = managed_roots(user)
        ids: set[int] = set()
        if roots:
            home = select(Membership.user_id).join(
                Organization, Membership.org_id == Organization.id
            ).where(Membership.relation == "home", _subtree_clause(roots))
            ids = set(
                db.session.scalars(
                    select(Membership.org_id)
                    .join(Organization, Membership.org_id == Organization.id)
                    .where(Organization.is_temporary.is_(True), Membership.user_id.in_(home))
                )
            )
        cache["home_reader"] = ids
    return cache["home_reader"]


def visible_filter(user: User):
    """SQL condition on Organization: rows the user may read."""
    ids = member_org_ids(user) | home_reader_org_ids(user)
    clauses = [managed_filter(user)]
    if ids:
        clauses.append(Organization.id.in_(ids))
        # A member also sees the party groups of their branches.
        clauses.append(Organization.parent_id.in_(ids) & (Organization.kind == "group"))
    return or_(*clauses)


def can_view(user: User, org: Organization) -> bool:
    if manages(user, org):
        return True
    ids = member_org_ids(user) | home_reader_org_ids(user)
    return org.id in ids or (org.kind == "group" and org.parent_id in ids)


def visible_orgs(user: User, kinds: tuple[str, ...] | None = None) -> list[Organization]:
    query = select(Organization).where(visible_filter(user)).order_by(Organization.path)
    if kinds:
        query = query.where(Organization.kind.in_(kinds))
    return list(db.session.scalars(query))


def managed_orgs(user: User, kinds: tuple[str, ...] | None = None) -> list[Organization]:
    query = select(Organization).where(managed_filter(user)).order_by(Organization.path)
    if kinds:
        query = query.where(Organization.kind.in_(kinds))
    return list(db.session.scalars(query))
