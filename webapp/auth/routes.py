"""Signing in and out, changing the password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import or_, select

from .. import audit
from ..extensions import db
from ..models import User
from ..passwords import from_config, password_problem
from .forms import ChangePasswordForm, LoginForm
from .login_limits import account_limit, address_limit, normalized_login

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "账号或密码不正确"


def _passwords():
    hasher = current_app.extensions.get("zhibu_passwords")
    if hasher is None:
        hasher = current_app.extensions["zhibu_passwords"] = from_config(current_app.config)
    return hasher


def hash_password(password: str) -> str:
    return _passwords().hash(password)


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


@bp.route("/login", methods=["GET", "POST"])
@account_limit()
@address_limit()
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = find_user_by_login(form.login.data)
        hasher = _passwords()
        ok = hasher.verify(user.password_hash if user else None, form.password.data)
        if ok and user is not None and user.active:
            if hasher.needs_rehash(user.password_hash):
                user.password_hash = hasher.hash(form.password.data)
            login_user(user, remember=form.remember.data)
            audit.record(user, "login", "user", user.id, summary="登录")
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        # Unknown account, wrong password and deactivated account read the same.
        form.password.errors.append(BAD_CREDENTIALS)
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("您已退出登录", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        hasher = _passwords()
        problem = password_problem(form.new.data)
        if not hasher.verify(current_user.password_hash, form.current.data):
            form.current.errors.append("当前密码不正确")
        elif problem:
            form.new.errors.append(problem)
        else:
            current_user.password_hash = hasher.hash(form.new.data)
            current_user.session_version += 1
            audit.record(current_user, "change_password", "user", current_user.id, summary="修改密码")
            db.session.commit()
            # Stay signed in here with the new session version; other devices are signed out.
            login_user(current_user, remember=True)
            flash("密码已修改，其他设备上的登录已失效", "success")
            return redirect(url_for("home.me"))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/change_password.html", form=form), status
