"""首页 and 我的: what a signed-in person sees first, and their own account."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from .. import access

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    memberships = access.active_memberships(current_user)
    branches = [m for m in memberships if m.org.kind in ("branch", "general_branch", "committee")]
    return render_template(
        "home/index.html",
        memberships=branches,
        managed=access.managed_roots(current_user),
    )


@bp.route("/me")
@login_required
def me():
    return render_template("home/me.html", memberships=access.active_memberships(current_user))
