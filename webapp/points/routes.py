"""积分: my points and how they were earned, the branch table (公示), applications and their review."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..input_numbers import row_id
from ..models import Membership, PointsApplication
from ..records.errors import NotAllowed, RecordInvalid
from ..rules import points as rules
from ..view_helpers import managed_org_or_404, visible_org_or_404, year_arg
from . import events, service

bp = Blueprint("points", __name__, url_prefix="/points")
events.install()


def _year() -> int:
    return year_arg(request.args.get("year"), china_today().year)


def _member_branch_or_404(org_id: int):
    org = visible_org_or_404(org_id)
    if org.kind != "branch" or not (access.manages(current_user, org) or any(
            m.org_id == org.id for m in access.active_memberships(current_user))):
        abort(404)
    return org


@bp.route("/")
@login_required
def index():
    branches = access.managed_orgs(current_user, kinds=("branch",))
    return render_template("points/index.html", branches=branches)


@bp.route("/mine")
@login_required
def mine():
    year = _year()
    return render_template("points/mine.html", year=year, mine=service.member_points(current_user, year),
                           buckets=rules.BUCKETS)


@bp.route("/<int:org_id>")
@login_required
def branch(org_id: int):
    """The branch table (公示): shown inside the branch, in name order, not as a ranking."""
    org = _member_branch_or_404(org_id)
    year = _year()
    month = request.args.get("month", "")
    until = row_id(month)
    until = until if until is not None and until <= 12 else None
    rows = service.branch_table(org, year, until)
    manages = access.manages(current_user, org)
    return render_template("points/branch.html", org=org, year=year, month=until, rows=rows, manages=manages,
                           pending=service.pending_applications(org) if manages else [],
                           states=rules.APPLICATION_STATES, buckets=rules.BUCKETS)


@bp.route("/<int:org_id>/apply", methods=["GET", "POST"])
@login_required
def apply(org_id: int):
    org = _member_branch_or_404(org_id)
    errors: dict[str, str] = {}
    values = MultiDict({"bucket": "task", "points": "1"})
    if request.method == "POST":
        values = request.form
        try:
            service.apply(org, current_user, values)
        except (RecordInvalid, NotAllowed) as error:
            errors = error.field_errors("note")
        else:
            db.session.commit()
            flash("积分申请已提交，等待支委会初评", "success")
            return redirect(url_for("points.mine"))
    mine = list(db.session.scalars(select(PointsApplication).where(
        PointsApplication.org_id == org.id, PointsApplication.user_id == current_user.id)
        .order_by(PointsApplication.id.desc())))
    return render_template("points/apply.html", org=org, values=values, errors=errors, mine=mine,
                           states=rules.APPLICATION_STATES, buckets=rules.BUCKETS,
                           max_points=rules.APPLICATION_MAX_POINTS), (400 if errors else 200)


@bp.route("/applications/<application_uuid>", methods=["POST"])
@login_required
def review(application_uuid: str):
    application = db.session.scalar(select(PointsApplication).where(PointsApplication.uuid == application_uuid))
    if application is None:
        abort(404)
    org = managed_org_or_404(application.org_id)
    try:
        service.review(application, current_user, accept=request.form.get("decision") == "accept",
                       note=request.form.get("note", ""))
    except (RecordInvalid, NotAllowed) as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("已处理积分申请", "success")
    return redirect(url_for("points.branch", org_id=org.id))


@bp.route("/<int:org_id>/members/<int:user_id>/unqualified", methods=["POST"])
@login_required
def unqualified(org_id: int, user_id: int):
    org = managed_org_or_404(org_id)
    membership = db.session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                            Membership.user_id == user_id))
    if membership is None:
        abort(404)
    try:
        service.set_unqualified(org, membership.user, _year(), request.form.get("reason", ""), current_user)
    except (RecordInvalid, NotAllowed) as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"已将 {membership.user.name} 认定为不合格", "success")
    return redirect(url_for("points.branch", org_id=org.id))
