"""发挥作用 pages: 承诺践诺 (members commit, the committee reviews at year end), 示范岗/责任区 with notes,
volunteering hours per activity and member."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access
from ..china_time import china_today
from ..input_numbers import row_id
from ..models import Commitment, Organization, RolePost
from ..rules.branch_year import COMMITMENT_KINDS, COMMITMENT_STATES
from ..view_helpers import act, managed_org_or_404, own_branch_or_404, row_or_404
from ..points.year_end import graded_by
from . import bp, commitments, posts, volunteering


def _back(org: Organization, year: int) -> str:
    return url_for("roles.page", org_id=org.id, year=year)


@bp.route("/<int:org_id>")
@login_required
def this_year(org_id: int):
    org = own_branch_or_404(org_id)
    return redirect(_back(org, china_today().year))


@bp.route("/<int:org_id>/<int:year>")
@login_required
def page(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    if not 2000 <= year <= china_today().year + 1:
        abort(404)
    manages = access.manages(current_user, org)
    return render_template("roles/page.html", org=org, year=year, manages=manages,
                           mine=commitments.of_member(org, current_user, year),
                           all_rows=commitments.of_branch(org, year) if manages else [],
                           kinds=COMMITMENT_KINDS, states=COMMITMENT_STATES,
                           posts=[p for p in posts.of_branch(org, year) if manages or p.user_id == current_user.id],
                           post_kinds=posts.POST_KINDS, members=graded_by(org, year) if manages else [],
                           minutes=volunteering.totals(org, year),
                           services=volunteering.activities(org, year) if manages else [])


@bp.route("/<int:org_id>/<int:year>/commit", methods=["POST"])
@login_required
def commit(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    # Only the branch's members graded that year commit: 403 for anyone else (before the service, as before).
    if current_user.id not in {u.id for u in graded_by(org, year)}:
        abort(403)
    return act(lambda: commitments.make(org, current_user, year, request.form.get("kind", ""),
                                        request.form.get("text", "")),
               "承诺已登记", _back(org, year))


@bp.route("/c/<commitment_uuid>/review", methods=["POST"])
@login_required
def review(commitment_uuid: str):
    commitment = row_or_404(Commitment, where=(Commitment.uuid == commitment_uuid,))
    org = managed_org_or_404(commitment.org_id)
    return act(lambda: commitments.review(commitment, current_user,
                                          fulfilled=request.form.get("decision") == "fulfilled",
                                          note=request.form.get("note", "")),
               "践诺情况已评议", _back(org, commitment.year))


@bp.route("/<int:org_id>/<int:year>/posts", methods=["POST"])
@login_required
def assign_post(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    return act(lambda: posts.assign(org, current_user, row_id(request.form.get("user_id")), year,
                                    request.form.get("kind", ""), request.form.get("name", "")),
               "已设岗定区", _back(org, year))


@bp.route("/p/<post_uuid>/notes", methods=["POST"])
@login_required
def post_note(post_uuid: str):
    post = row_or_404(RolePost, where=(RolePost.uuid == post_uuid,))
    org = own_branch_or_404(post.org_id)
    if post.user_id != current_user.id and not access.manages(current_user, org):
        abort(403)
    return act(lambda: posts.add_note(post, current_user, request.form.get("text", "")), "记录已保存",
               _back(org, post.year))


@bp.route("/<int:org_id>/<int:year>/volunteering", methods=["POST"])
@login_required
def volunteering_hours(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    try:
        served_on = date.fromisoformat(request.form.get("served_on") or "")
    except ValueError:
        flash("服务日期无效", "error")
        return redirect(_back(org, year))
    minutes = {}
    # The form's columns come from the client and may be ragged: the pairs end with the shorter column.
    for user_id, hours in zip(request.form.getlist("user_id"), request.form.getlist("hours"), strict=False):
        uid = row_id(user_id)
        try:
            value = round(float(hours) * 60) if hours.strip() else 0
        except ValueError:
            value = -1
        if uid is not None and value:
            minutes[uid] = value
    return act(lambda: volunteering.record(org, current_user, request.form.get("activity", ""), served_on, minutes),
               "志愿服务时长已登记", _back(org, year))
