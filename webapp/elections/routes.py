"""换届 pages: the branch's term and reminders, elections recorded by the branch and approved by the higher
committee, term extensions."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import Election, Membership, TermExtension, User
from ..rules.branch_year import ELECTION_KINDS, ELECTION_STATES, EXTENSION_MONTHS_MAX
from ..rules.organization import COMMITTEE_TITLES
from ..rules.life import COMMITTEE_SEAT_TITLES
from ..view_helpers import managed_org_or_404
from . import bp, service, terms



def _decides(org) -> bool:
    return any(root.kind in ("committee", "general_branch") and org.is_within(root) and root.id != org.id
               for root in access.managed_roots(current_user))


@bp.route("/<int:org_id>")
@login_required
def page(org_id: int):
    org = managed_org_or_404(org_id)
    if org.kind != "branch":
        abort(404)
    candidates = list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org.id, Membership.active.is_(True), User.category == "full").order_by(User.name)))
    return render_template("elections/page.html", org=org, elections=service.elections_of(org),
                           extensions=service.pending_extensions(org), candidates=candidates,
                           reminder=terms.term_reminder(org, china_today()), decides=_decides(org),
                           kinds=ELECTION_KINDS, states=ELECTION_STATES,
                           titles={k: v for k, v in COMMITTEE_TITLES.items() if k in COMMITTEE_SEAT_TITLES},
                           extension_max=EXTENSION_MONTHS_MAX, today=china_today())


@bp.route("/<int:org_id>/new", methods=["POST"])
@login_required
def new(org_id: int):
    org = managed_org_or_404(org_id)
    form = request.form
    # The form's columns come from the client and may be ragged: rows end with the shortest column.
    rows = [{"user_id": uid, "votes": votes, "title": title}
            for uid, votes, title in zip(form.getlist("candidate_id"), form.getlist("votes"), form.getlist("title"),
                                         strict=False)
            if uid]
    data = {key: form.get(key) for key in ("kind", "held_on", "seats", "electors", "ballots_issued",
                                           "ballots_returned", "term_years")}
    data["candidates"] = rows
    try:
        service.record_election(org, current_user, data)
    except NotAllowed:
        abort(403)
    except Invalid as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("选举结果已登记，报上级党组织审批", "success")
    return redirect(url_for("elections.page", org_id=org.id))


@bp.route("/e/<election_uuid>/decide", methods=["POST"])
@login_required
def decide(election_uuid: str):
    election = db.session.scalar(select(Election).where(Election.uuid == election_uuid))
    if election is None:
        abort(404)
    org = managed_org_or_404(election.org_id)
    if not _decides(org):
        abort(403)
    try:
        service.decide_election(election, current_user, approve=request.form.get("decision") == "approve",
                                note=request.form.get("note", ""))
    except NotAllowed:
        abort(403)
    except Invalid as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("已审批选举结果", "success")
    return redirect(url_for("elections.page", org_id=org.id))


@bp.route("/<int:org_id>/extension", methods=["POST"])
@login_required
def extension(org_id: int):
    org = managed_org_or_404(org_id)
    try:
        service.request_extension(org, current_user, request.form.get("months"), request.form.get("reason", ""))
    except NotAllowed:
        abort(403)
    except Invalid as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("延期换届申请已提交上级党组织审批", "success")
    return redirect(url_for("elections.page", org_id=org.id))


@bp.route("/x/<extension_uuid>/decide", methods=["POST"])
@login_required
def decide_extension(extension_uuid: str):
    extension = db.session.scalar(select(TermExtension).where(TermExtension.uuid == extension_uuid))
    if extension is None:
        abort(404)
    org = managed_org_or_404(extension.org_id)
    if not _decides(org):
        abort(403)
    try:
        service.decide_extension(extension, current_user, approve=request.form.get("decision") == "approve")
    except NotAllowed:
        abort(403)
    except Invalid as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("已审批延期换届申请", "success")
    return redirect(url_for("elections.page", org_id=org.id))
