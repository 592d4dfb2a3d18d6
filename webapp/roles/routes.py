"""发挥作用 pages: 承诺践诺 — members make their commitments, the committee reviews them at year end."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import Commitment, Organization
from ..rules.branch_year import COMMITMENT_KINDS, COMMITMENT_STATES
from ..view_helpers import managed_org_or_404, visible_org_or_404
from . import commitments

bp = Blueprint("roles", __name__, url_prefix="/roles")


def _branch_or_404(org_id: int) -> Organization:
    org = visible_org_or_404(org_id)
    if org.kind != "branch" or not (access.manages(current_user, org) or any(
            m.org_id == org.id for m in access.active_memberships(current_user))):
        abort(404)
    return org


@bp.route("/<int:org_id>")
@login_required
def this_year(org_id: int):
    org = _branch_or_404(org_id)
    return redirect(url_for("roles.page", org_id=org.id, year=china_today().year))


@bp.route("/<int:org_id>/<int:year>")
@login_required
def page(org_id: int, year: int):
    org = _branch_or_404(org_id)
    if not 2000 <= year <= china_today().year + 1:
        abort(404)
    manages = access.manages(current_user, org)
    return render_template("roles/page.html", org=org, year=year, manages=manages,
                           mine=commitments.of_member(org, current_user, year),
                           all_rows=commitments.of_branch(org, year) if manages else [],
                           kinds=COMMITMENT_KINDS, states=COMMITMENT_STATES)


@bp.route("/<int:org_id>/<int:year>/commit", methods=["POST"])
@login_required
def commit(org_id: int, year: int):
    org = _branch_or_404(org_id)
    try:
        commitments.make(org, current_user, year, request.form.get("kind", ""), request.form.get("text", ""))
    except NotAllowed:
        abort(403)
    except Invalid as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("承诺已登记", "success")
    return redirect(url_for("roles.page", org_id=org.id, year=year))


@bp.route("/c/<commitment_uuid>/review", methods=["POST"])
@login_required
def review(commitment_uuid: str):
    commitment = db.session.scalar(select(Commitment).where(Commitment.uuid == commitment_uuid))
    if commitment is None:
        abort(404)
    org = managed_org_or_404(commitment.org_id)
    try:
        commitments.review(commitment, current_user, fulfilled=request.form.get("decision") == "fulfilled",
                           note=request.form.get("note", ""))
    except NotAllowed:
        abort(403)
    except Invalid as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("践诺情况已评议", "success")
    return redirect(url_for("roles.page", org_id=org.id, year=commitment.year))
