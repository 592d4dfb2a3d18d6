"""组织生活会 pages: preparation (opinions, talks still missing — committee only —, 对照检查材料), the
meeting's criticism per member, and its problems as they stand in the 整改台账."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..input_numbers import row_id
from ..models import Organization, Record
from ..view_helpers import act, managed_org_or_404, own_branch_or_404
from . import bp, preparation



def _prep_or_404(org: Organization, year: int):
    prep = preparation.prep_of(org, year) if 2000 <= year <= china_today().year else None
    if prep is None:
        abort(404)
    return prep


def _done(action, org: Organization, year: int, message: str):
    return act(action, message, url_for("life_meeting.page", org_id=org.id, year=year))


@bp.route("/<int:org_id>")
@login_required
def this_year(org_id: int):
    org = own_branch_or_404(org_id)
    return redirect(url_for("life_meeting.page", org_id=org.id, year=china_today().year))


@bp.route("/<int:org_id>/<int:year>")
@login_required
def page(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    if not 2000 <= year <= china_today().year:
        abort(404)
    prep = preparation.prep_of(org, year)
    manages = access.manages(current_user, org)
    context = {"org": org, "year": year, "prep": prep, "manages": manages}
    if prep is not None:
        members = preparation.members(prep)
        materials = preparation.materials(prep)
        context.update(
            members=members, materials=materials, mine=materials.get(current_user.id),
            taking_part=any(u.id == current_user.id for u in members),
            opinions=preparation.opinions(prep) if manages else [],
            talks=preparation.talks(prep) if manages else None,
            readiness=preparation.readiness(prep),
            criticisms=preparation.criticisms(prep) if manages else {},
            problems=preparation.problems(prep),
            meeting_records=list(db.session.scalars(select(Record).where(
                Record.org_id == org.id, Record.type == "life_meeting", Record.approved_version.is_not(None)))
                .all()) if manages else [],
        )
    return render_template("life_meeting/page.html", **context)


@bp.route("/<int:org_id>/<int:year>/open", methods=["POST"])
@login_required
def open_prep(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    return _done(lambda: preparation.open_prep(org, year, current_user, request.form.get("theme", "")), org, year,
                 "已开始筹备组织生活会")


@bp.route("/<int:org_id>/<int:year>/opinion", methods=["POST"])
@login_required
def opinion(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    prep = _prep_or_404(org, year)
    return _done(lambda: preparation.add_opinion(prep, current_user, request.form.get("source", ""),
                                                 request.form.get("text", "")), org, year, "意见已登记")


@bp.route("/<int:org_id>/<int:year>/material", methods=["POST"])
@login_required
def material(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    prep = _prep_or_404(org, year)
    if not any(u.id == current_user.id for u in preparation.members(prep)):
        abort(403)  # not one of the branch's members taking part: refused before the service, as before
    return _done(lambda: preparation.write_material(prep, current_user, request.form.get("text", ""),
                                                    request.form.get("photo_sha256")), org, year,
                 "对照检查材料已保存")


@bp.route("/<int:org_id>/<int:year>/record", methods=["POST"])
@login_required
def link_record(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    prep = _prep_or_404(org, year)
    record = db.session.scalar(select(Record).where(Record.uuid == (request.form.get("record_uuid") or "")))
    if record is None:
        flash("请选择组织生活会记录", "error")
        return redirect(url_for("life_meeting.page", org_id=org.id, year=year))
    return _done(lambda: preparation.link_record(prep, current_user, record), org, year, "已关联组织生活会记录")


@bp.route("/<int:org_id>/<int:year>/criticism", methods=["POST"])
@login_required
def criticism(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    prep = _prep_or_404(org, year)
    user_id = row_id(request.form.get("user_id")) or 0
    return _done(lambda: preparation.note_criticism(prep, current_user, user_id,
                                                    request.form.get("self_criticism", ""),
                                                    request.form.get("criticism", "")), org, year,
                 "批评与自我批评已记录")
