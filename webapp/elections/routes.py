"""换届 pages: the branch's term and reminders, elections recorded by the branch and approved by the higher
committee, term extensions."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..models import Election, Membership, TermExtension, User
from ..rules.branch_year import ELECTION_KINDS, ELECTION_STATES, EXTENSION_MONTHS_MAX
from ..rules.organization import COMMITTEE_TITLES
from ..rules.life import COMMITTEE_SEAT_TITLES
from ..view_helpers import act, managed_org_or_404, row_or_404
from . import bp, service, terms


def _back(org) -> str:
    return url_for("elections.page", org_id=org.id)


def _branch_managed_or_403(org_id: int):
    """The branch the current user manages: 404 when invisible, 403 when not managed or not a branch
    (the service's own refusal, answered before it as before)."""
    org = managed_org_or_404(org_id)
    if org.kind != "branch":
        abort(403)
    return org


def _decides(org) -> bool:
    return any(root.kind in ("committee", "general_branch") and org.is_within(root) and root.id != org.id
               for root in access.managed_roots(current_user))


def _to_decide(model, uuid: str):
    """The election or extension with this uuid and its branch: 404 when unknown or invisible, 403 unless
    the current user is the higher committee deciding it."""
    row = row_or_404(model, where=(model.uuid == uuid,))
    org = managed_org_or_404(row.org_id)
    if not _decides(org):
        abort(403)
    return row, org


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
    org = _branch_managed_or_403(org_id)
    form = request.form
    # The form's columns come from the client and may be ragged: rows end with the shortest column.
    rows = [{"user_id": uid, "votes": votes, "title": title}
            for uid, votes, title in zip(form.getlist("candidate_id"), form.getlist("votes"), form.getlist("title"),
                                         strict=False)
            if uid]
    data = {key: form.get(key) for key in ("kind", "held_on", "seats", "electors", "ballots_issued",
                                           "ballots_returned", "term_years")}
    data["candidates"] = rows
    return act(lambda: service.record_election(org, current_user, data), "选举结果已登记，报上级党组织审批", _back(org))


@bp.route("/e/<election_uuid>/decide", methods=["POST"])
@login_required
def decide(election_uuid: str):
    election, org = _to_decide(Election, election_uuid)
    return act(lambda: service.decide_election(election, current_user,
                                               approve=request.form.get("decision") == "approve",
                                               note=request.form.get("note", "")),
               "已审批选举结果", _back(org))


@bp.route("/<int:org_id>/extension", methods=["POST"])
@login_required
def extension(org_id: int):
    org = _branch_managed_or_403(org_id)
    return act(lambda: service.request_extension(org, current_user, request.form.get("months"),
                                                 request.form.get("reason", "")),
               "延期换届申请已提交上级党组织审批", _back(org))


@bp.route("/x/<extension_uuid>/decide", methods=["POST"])
@login_required
def decide_extension(extension_uuid: str):
    extension, org = _to_decide(TermExtension, extension_uuid)
    return act(lambda: service.decide_extension(extension, current_user,
                                                approve=request.form.get("decision") == "approve"),
               "已审批延期换届申请", _back(org))
