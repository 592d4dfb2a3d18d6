"""Signing in and out, changing the password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import or_, select

from .. import audit
from ..accounts import invitations, notices
from ..errors import error_response
from ..extensions import db
from ..models import User
from ..offline import devices
from ..passwords import app_passwords, password_problem
from . import bp, login_limits, sessions
from .forms import ChangePasswordForm, LoginForm
from .login_limits import normalized_login


BAD_CREDENTIALS = "账号或密码不正确"


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect off this site after sign-in."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


def find_user_by_login(login: str) -> User | None:
    key = normalized_login(login)
    if not key:
        return None
    return db.session.scalar(
        select(User).where(or_(User.username == key, User.phone == key))
    )


def _refused(retry_after: int):
    response, status = error_response(429)
    response = current_app.make_response((response, status))
    response.headers["Retry-After"] = str(retry_after)
    return response


def _sign_in(user: User, remember: bool) -> None:
    sessions.start(user)
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = find_user_by_login(form.login.data)
        account, address = login_limits.account_key(user, form.login.data), login_limits.client_address()
        wait = login_limits.retry_after(account, address)
        if wait is not None:
            return _refused(wait)
        hasher = app_passwords()
        ok = hasher.verify(user.password_hash if user else None, form.password.data)
        if ok and user is not None and user.active:
            if hasher.needs_rehash(user.password_hash):
                user.password_hash = hasher.hash(form.password.data)
            _sign_in(user, form.remember.data)
            audit.record(user, "login", "user", user.id, summary="登录")
            for message in notices.deliver(user):
                flash(message, "info")
            waiting = len(invitations.pending_for(user))
            if waiting:
                flash(f"您有 {waiting} 个组织邀请待处理，请在“我的 › 组织邀请”中接受或拒绝", "info")
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        login_limits.failed(account, address)
        # Unknown account, wrong password and deactivated account read the same.
        form.password.errors.append(BAD_CREDENTIALS)
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # End this session on the server: a copy of its cookies no longer signs anyone in.
        sessions.end(current_user)
        audit.record(current_user, "logout", "user", current_user.id, summary="退出登录")
        db.session.commit()
    logout_user()
    flash("您已退出登录", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """退出所有设备: every browser session and every sync device of the person, this one too."""
    user = current_user._get_current_object()
    user.session_version += 1
    ended = sessions.end_all(user)
    revoked = devices.revoke_all(user, user)
    audit.record(user, "sign_out_everywhere", "user", user.id, summary="退出所有设备",
                 changes={"sessions_ended": ended, "devices_revoked": revoked})
    db.session.commit()
    logout_user()
    flash("已退出所有设备上的登录，离线设备需重新登录后才能同步", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        hasher = app_passwords()
        problem = password_problem(form.new.data)
        if not hasher.verify(current_user.password_hash, form.current.data):
            form.current.errors.append("当前密码不正确")
        elif problem:
            form.new.errors.append(problem)
        else:
            user = current_user._get_current_object()
            user.password_hash = hasher.hash(form.new.data)
            user.session_version += 1
            # Other browsers and every sync device are signed out; this browser gets a new session.
            sessions.end_all(user)
            revoked = devices.revoke_all(user, user)
            audit.record(user, "change_password", "user", user.id, summary="修改密码",
                         changes={"devices_revoked": revoked})
            _sign_in(user, remember=True)
            db.session.commit()
            flash("密码已修改，其他设备上的登录已失效" + ("；离线设备需重新登录后才能同步" if revoked else ""),
                  "success")
            return redirect(url_for("home.me"))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/change_password.html", form=form), status
