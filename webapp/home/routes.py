"""首页 and 我的: what a signed-in person sees first, and their own account."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from .. import access
from ..china_time import china_today
from ..elections.terms import term_reminder
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
        term_reminders=_term_reminders(),
    )


def _term_reminders() -> list:
    """换届提醒 for the branches whose committee the user sits on (issue 22; pushed too)."""
    today = china_today()
    branches = [m.org for m in access.active_memberships(current_user) if m.title and m.org.kind == "branch"]
    return [(org, reminder) for org in branches if (reminder := term_reminder(org, today)) is not None]


@bp.route("/me")
@login_required
def me():
    from ..dues import service as dues

    from ..accounts import invitations

    return render_template("home/me.html", memberships=access.active_memberships(current_user),
                           mine=dues.member_arrears(current_user),
                           pending_invitations=invitations.pending_for(current_user))
