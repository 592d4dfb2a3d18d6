"""Small helpers views share: loading an organization the current user may see or manage."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from . import access
from .extensions import db
from .input_numbers import row_id
from .models import Organization


def year_arg(value: str | None, default: int) -> int:
    """A year from a query string, or ``default`` when it is missing or not a plausible year."""
    year = row_id(value)
    return year if year is not None and 2000 <= year <= 2100 else default


def visible_org_or_404(org_id: int) -> Organization:
    """The organization, or 404 when it does not exist or the user may not see it (no leak)."""
    org = db.session.get(Organization, org_id)
    if org is None or not access.can_view(current_user, org):
        abort(404)
    return org


def managed_org_or_404(org_id: int) -> Organization:
    """404 when invisible, 403 when visible but not managed by the current user."""
    org = visible_org_or_404(org_id)
    if not access.manages(current_user, org):
        abort(403)
    return org


def org_editable_by_current_user(org: Organization) -> bool:
    """Creating, editing and closing an organization is for those above it (a higher committee)."""
    return org.parent is not None and access.manages(current_user, org.parent)
