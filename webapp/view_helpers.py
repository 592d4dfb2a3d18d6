"""Small helpers views share: loading a row or an organization the current user may see or manage
(404 otherwise), and the one step of every button or form: call the service, then flash its refusal
or commit, and redirect."""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, redirect
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from . import access
from .domain_errors import DomainError
from .extensions import db
from .input_numbers import row_id
from .models import Organization


def row_or_404(model, ident: Any = None, *, where: tuple = (), visible: Callable[[Any], bool] | None = None):
    """The row of ``model`` with primary key ``ident`` (or the one row matching ``where``), or 404
    when there is none or ``visible(row)`` is false: a 404 never tells which."""
    row = db.session.scalar(select(model).where(*where)) if where else db.session.get(model, ident)
    if row is None or (visible is not None and not visible(row)):
        abort(404)
    return row


def act(action: Callable[[], Any], done: str | Callable[[Any], str] | None, target: str) -> Response:
    """Run ``action`` (a service call). Refused (a ``DomainError``): flash its message, nothing is
    committed. Done: commit and flash ``done`` (text, or made from the action's result; None flashes
    nothing). Either way, redirect to ``target``."""
    try:
        result = action()
    except DomainError as error:
        flash(error.message, "error")
        return redirect(target)
    db.session.commit()
    if done is not None:
        flash(done(result) if callable(done) else done, "success")
    return redirect(target)


def save_or_errors(save: Callable[[], Any], done: str | Callable[[Any], str],
                   target: Callable[[Any], str], field: str = "form") -> tuple[Response | None, dict[str, str]]:
    """A form's save: run ``save``; refused → what it wrote so far rolled back, (None, the messages by
    field, for the form to show; an error about the whole form at ``field``); done → commit, flash
    ``done``, (a redirect to ``target(result)``, {})."""
    try:
        result = save()
    except DomainError as error:
        db.session.rollback()  # a refusal half-way through leaves nothing for the page to flush
        return None, error.field_errors(field)
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect(target(result)), {}


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


def own_branch_or_404(org_id: int) -> Organization:
    """A branch the user belongs to or manages; 404 otherwise (nothing of another branch leaks). The
    points and yearly pages (民主评议, 组织生活会, 承诺践诺, 报告与汇报) open to the branch's own people."""
    org = visible_org_or_404(org_id)
    if org.kind != "branch" or not (access.manages(current_user, org) or any(
            m.org_id == org.id for m in access.active_memberships(current_user))):
        abort(404)
    return org


def org_editable_by_current_user(org: Organization) -> bool:
    """Creating, editing and closing an organization is for those above it (a higher committee)."""
    return org.parent is not None and access.manages(current_user, org.parent)
