"""积分: my points and how they were earned, the branch table (公示), applications and their review."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..input_numbers import row_id
from ..models import Membership, PointsApplication, PointsExemption
from ..rules import points as rules
from ..view_helpers import (
    act, managed_org_or_404, own_branch_or_404, row_or_404, save_or_errors, year_arg,
)
from . import bp, service, year_end


def _year() -> int:
    return year_arg(request.args.get("year"), china_today().year)


@bp.route("/")
@login_required
def index():
    branches = access.managed_orgs(current_user, kinds=("branch",))
    return render_template("points/index.html", branches=branches)


@bp.route("/mine")
@login_required
def mine():
    year = _year()
    branches = [m.org for m in access.active_memberships(current_user) if m.org.kind == "branch"]
    return render_template("points/mine.html", year=year, row=service.member_points(current_user, year),
                           branches=branches, buckets=rules.BUCKETS,
                           grade_labels=rules.GRADE_LABELS)


@bp.route("/<int:org_id>")
@login_required
def branch(org_id: int):
    """The branch table (公示): shown inside the branch, in name order, not as a ranking."""
    org = own_branch_or_404(org_id)
    year = _year()
    month = request.args.get("month", "")
    until = row_id(month)
    until = until if until is not None and until <= 12 else None
    rows = service.branch_table(org, year, until)
    manages = access.manages(current_user, org)
    exemptions = year_end.pending_exemptions(org) if manages else []
    return render_template("points/branch.html", org=org, year=year, month=until, rows=rows, manages=manages,
                           pending=service.pending_applications(org) if manages else [],
                           points_year=year_end.year_of(org, year), exemptions=exemptions,
                           decides_exemptions=access.manages_above_branch(current_user),
                           exemption_states=rules.EXEMPTION_STATES,
                           grade_labels=rules.GRADE_LABELS,
                           states=rules.APPLICATION_STATES, buckets=rules.BUCKETS)


@bp.route("/<int:org_id>/apply", methods=["GET", "POST"])
@login_required
def apply(org_id: int):
    org = own_branch_or_404(org_id)
    errors: dict[str, str] = {}
    values = MultiDict({"bucket": "task", "points": "1"})
    if request.method == "POST":
        values = request.form
        saved, errors = save_or_errors(lambda: service.apply(org, current_user, values),
                                       "积分申请已提交，等待支委会初评", lambda _: url_for("points.mine"), "note")
        if saved:
            return saved
    mine = list(db.session.scalars(select(PointsApplication).where(
        PointsApplication.org_id == org.id, PointsApplication.user_id == current_user.id)
        .order_by(PointsApplication.id.desc())))
    return render_template("points/apply.html", org=org, values=values, errors=errors, mine=mine,
                           states=rules.APPLICATION_STATES, buckets=rules.BUCKETS,
                           max_points=rules.APPLICATION_MAX_POINTS), (400 if errors else 200)


@bp.route("/applications/<application_uuid>", methods=["POST"])
@login_required
def review(application_uuid: str):
    application = row_or_404(PointsApplication, where=(PointsApplication.uuid == application_uuid,))
    org = managed_org_or_404(application.org_id)
    return act(lambda: service.review(application, current_user, accept=request.form.get("decision") == "accept",
                                      note=request.form.get("note", "")),
               "已处理积分申请", url_for("points.branch", org_id=org.id))


def _membership_or_404(org, user_id: int) -> Membership:
    """The person's membership of this branch, or 404 (a member id from another branch finds nothing)."""
    return row_or_404(Membership, where=(Membership.org_id == org.id, Membership.user_id == user_id))


@bp.route("/<int:org_id>/members/<int:user_id>/unqualified", methods=["POST"])
@login_required
def unqualified(org_id: int, user_id: int):
    org = managed_org_or_404(org_id)
    membership = _membership_or_404(org, user_id)
    return act(lambda: service.set_unqualified(org, membership.user, _year(), request.form.get("reason", ""),
                                               current_user),
               f"已将 {membership.user.name} 认定为不合格", url_for("points.branch", org_id=org.id))


@bp.route("/<int:org_id>/years/<int:year>/close", methods=["POST"])
@login_required
def close_year(org_id: int, year: int):
    """年度结算: the year's grades are given and frozen."""
    if not 2000 <= year <= 2100:
        abort(404)
    org = managed_org_or_404(org_id)

    def closed(result) -> str:
        message = f"{year} 年度已结算，评定 {result[1]} 名党员，结果已锁定"
        if year == china_today().year and china_today().month < 12:
            message += "（注意：年度尚未结束，结算后新增的积分不计入）"
        return message

    return act(lambda: year_end.close_year(org, year, current_user), closed,
               url_for("points.branch", org_id=org.id, year=year))


@bp.route("/<int:org_id>/years/<int:year>/reopen", methods=["POST"])
@login_required
def reopen_year(org_id: int, year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    org = managed_org_or_404(org_id)
    return act(lambda: year_end.reopen_year(org, year, current_user, request.form.get("reason", "")),
               f"已重新打开 {year} 年度（已记入操作日志）", url_for("points.branch", org_id=org.id, year=year))


@bp.route("/<int:org_id>/members/<int:user_id>/exemption", methods=["POST"])
@login_required
def request_exemption(org_id: int, user_id: int):
    org = managed_org_or_404(org_id)
    membership = _membership_or_404(org, user_id)
    return act(lambda: year_end.request_exemption(org, membership.user, _year(), request.form.get("reason", ""),
                                                  current_user),
               f"已提交 {membership.user.name} 免于积分的申请，等待上级党组织审批",
               url_for("points.branch", org_id=org.id, year=_year()))


@bp.route("/exemptions/<exemption_uuid>", methods=["POST"])
@login_required
def decide_exemption(exemption_uuid: str):
    exemption = row_or_404(PointsExemption, where=(PointsExemption.uuid == exemption_uuid,))
    org = managed_org_or_404(exemption.org_id)
    return act(lambda: year_end.decide_exemption(exemption, current_user,
                                                 approve=request.form.get("decision") == "approve",
                                                 note=request.form.get("note", "")),
               "已处理免于积分申请", url_for("points.branch", org_id=org.id, year=exemption.year))
