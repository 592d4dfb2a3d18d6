"""Invitations to join an organization: the person accepts or declines under 我的; a committee
above both organizations may approve; the inviting organization may withdraw."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from .. import access
from ..models import MembershipInvitation
from ..rules.organization import RELATIONS
from ..view_helpers import act, row_or_404
from . import bp, invitations


def _invitation_or_404(invitation_id: int) -> MembershipInvitation:
    return row_or_404(MembershipInvitation, invitation_id, visible=lambda i: invitations.may_see(current_user, i))


@bp.route("/")
@login_required
def index():
    return render_template("accounts/invitations.html", mine=invitations.pending_for(current_user),
                           approvable=invitations.approvable_by(current_user), relations=RELATIONS)


def _decide(invitation_id: int, action, done: str, *, may=None, back=None):
    """Check the right (``may``, default: the invited person or a committee above both), run the
    invitation ``action``, flash its error or commit and flash ``done``; back to ``back`` or 我的."""
    invitation = _invitation_or_404(invitation_id)
    if not (may or invitations.may_decide)(current_user, invitation):
        abort(403)
    target = back(invitation) if back else url_for("accounts.index")
    if not FlaskForm().validate_on_submit():
        return redirect(target)
    return act(lambda: action(invitation, current_user),
               done.format(name=invitation.user.name, org=invitation.org.name), target)


@bp.route("/<int:invitation_id>/accept", methods=["POST"])
@login_required
def accept_invitation(invitation_id: int):
    return _decide(invitation_id, invitations.accept, "{name} 已加入 {org}")


@bp.route("/<int:invitation_id>/decline", methods=["POST"])
@login_required
def decline_invitation(invitation_id: int):
    return _decide(invitation_id, invitations.decline, "已拒绝：{name} 不加入 {org}")


@bp.route("/<int:invitation_id>/withdraw", methods=["POST"])
@login_required
def withdraw_invitation(invitation_id: int):
    return _decide(invitation_id, invitations.withdraw, "已撤回对 {name} 的邀请",
                   may=lambda user, invitation: access.manages(user, invitation.org),
                   back=lambda invitation: url_for("roster.index", org_id=invitation.org_id))
