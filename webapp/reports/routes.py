"""报告工作 and 党员汇报 pages: the committee edits the drafted reports; each member writes their own
report on the phone (offline too); the committee sees who has reported."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access
from ..china_time import china_today
from ..points.year_end import graded_by
from ..view_helpers import act, managed_org_or_404, own_branch_or_404
from . import bp, drafts, member_reports



def _year(year: int) -> int:
    if not 2000 <= year <= china_today().year:
        abort(404)
    return year


@bp.route("/<int:org_id>")
@login_required
def this_year(org_id: int):
    org = own_branch_or_404(org_id)
    return redirect(url_for("reports.page", org_id=org.id, year=china_today().year))


@bp.route("/<int:org_id>/<int:year>")
@login_required
def page(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    year = _year(year)
    manages = access.manages(current_user, org)
    context = {"org": org, "year": year, "manages": manages, "kinds": drafts.KINDS,
               "mine": member_reports.report_of(org, current_user, year),
               "reporting": any(u.id == current_user.id for u in graded_by(org, year))}
    if manages:
        context["reports"] = {kind: drafts.report_of(org, year, kind) for kind in drafts.KINDS}
        context["drafted"] = {kind: drafts.draft(org, year, kind) for kind in drafts.KINDS
                              if context["reports"][kind] is None}
        context["members"] = graded_by(org, year)
        context["member_reports"] = member_reports.of_branch(org, year, current_user)
    return render_template("reports/page.html", **context)


@bp.route("/<int:org_id>/<int:year>/branch/<report_kind>", methods=["POST"])
@login_required
def save(org_id: int, year: int, report_kind: str):
    org = managed_org_or_404(org_id)
    if report_kind not in drafts.KINDS:
        abort(404)
    return act(lambda: drafts.save(org, _year(year), report_kind, request.form.get("text", ""), current_user),
               f"{drafts.KINDS[report_kind]}已保存", url_for("reports.page", org_id=org.id, year=year))


@bp.route("/<int:org_id>/<int:year>/mine", methods=["POST"])
@login_required
def mine(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    year = _year(year)
    if not any(u.id == current_user.id for u in graded_by(org, year)):
        abort(403)  # not one of the branch's reporting members: refused before the service, as before
    uuid = (request.form.get("uuid") or "").lower() or None
    return act(lambda: member_reports.write(org, current_user, year, request.form.get("text", ""),
                                            uuid=uuid if uuid and len(uuid) == 36 else None),
               "年度汇报已保存", url_for("reports.page", org_id=org.id, year=year))
