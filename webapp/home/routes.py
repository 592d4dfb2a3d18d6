"""首页 and 我的: what a signed-in person sees first, and their own account."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from .. import access
from ..ledgers import jobs as ledger_jobs
from ..records import queries
from . import bp


@bp.route("/")
@login_required
def index():
    memberships = access.active_memberships(current_user)
    branches = [m for m in memberships if m.org.kind in ("branch", "general_branch", "committee")]
    return render_template(
        "home/index.html",
        memberships=branches,
        managed=access.managed_roots(current_user),
        pending_review=queries.waiting_for_review_count(current_user) if access.manages_any(current_user) else 0,
        pending_returned=queries.my_returned(current_user),
        exports_ready=ledger_jobs.ready_for(current_user),
    )


@bp.route("/me")
@login_required
def me():
    from ..dues import service as dues

    from ..accounts import invitations

    return render_template("home/me.html", memberships=access.active_memberships(current_user),
                           mine=dues.member_arrears(current_user),
                           pending_invitations=invitations.pending_for(current_user))
