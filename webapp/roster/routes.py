"""The roster (花名册) of a branch: list, add, edit, deactivate, import from .xlsx."""
from __future__ import annotations

import io
from datetime import date

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from .. import access
from ..accounts import invitations, rights
from ..passwords import hash_password
from ..china_time import china_today
from ..errors import error_response
from ..extensions import db
from ..htmx import render
from ..models import Membership, User
from ..members import participation
from ..view_helpers import act, managed_org_or_404, row_or_404, save_or_errors, visible_org_or_404, year_arg
from . import bp, members, xlsx_import
from .forms import ConfirmForm, ImportForm, MemberForm


FORM_FIELDS = members.PERSON_FIELDS + members.MEMBERSHIP_FIELDS


def _membership_or_404(org, membership_id: int) -> Membership:
    membership = row_or_404(Membership, membership_id, visible=lambda m: m.org_id == org.id)
    return membership


def _member_form(org, obj=None) -> MemberForm:
    form = MemberForm(obj=obj)
    if org.is_temporary:  # only the relation a temporary branch may hold (docs/domain.md)
        form.relation.choices = [c for c in form.relation.choices if c[0] == "temporary"]
        form.relation.validate_choice = False  # a forged "home" gets the service's own message (members.py)
    form.group_id.choices = [("", "不分组")] + [
        (str(g.id), g.name) for g in org.children if g.kind == "group" and not g.is_closed
    ]
    return form


def _form_data(form) -> dict:
    return {name: getattr(form, name).data for name in FORM_FIELDS if name in form}


def _lock_person_fields(form) -> None:
    """The person's own fields are not this roster's to change (accounts/rights.py): drop them."""
    for name in members.PERSON_FIELDS:
        delattr(form, name)


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        target = getattr(form, name, None) or form.name
        target.errors = list(target.errors) + [message]


@bp.route("/")
@login_required
def index(org_id: int):
    org = visible_org_or_404(org_id)
    show_inactive = request.args.get("inactive") == "1"
    # A party group's roster is the branch members assigned to it.
    in_org = Membership.group_id == org.id if org.kind == "group" else Membership.org_id == org.id
    query = (select(Membership).join(User, Membership.user_id == User.id)
             .where(in_org).order_by(User.name))
    if not show_inactive:
        query = query.where(Membership.active.is_(True))
    category = request.args.get("category")
    if category:
        query = query.where(User.category == category)
    rows = list(db.session.scalars(query))
    can_manage = access.manages(current_user, org)
    return render(
        "roster/index.html", "roster/_table.html", org=org, rows=rows, show_inactive=show_inactive, category=category,
        can_manage=can_manage, confirm_form=ConfirmForm(),
        may_reset=rights.may_reset_passwords(current_user, {m.user_id for m in rows}) if can_manage else set(),
        pending=invitations.pending_in(org) if can_manage else [],
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(org_id: int):
    org = managed_org_or_404(org_id)
    form = _member_form(org)
    if request.method == "GET" and org.is_temporary:
        form.relation.data = "temporary"
    status = 200
    if form.validate_on_submit():
        try:
            added = members.add_member(org, _form_data(form), current_user, hash_password)
        except members.RosterError as error:
            _show_errors(form, error.errors)
        else:
            db.session.commit()
            if added.invitation is not None:
                relation = "（以临时组织关系邀请；正式组织关系转接须由上级党组织办理）" if (
                    added.invitation.relation == "temporary" and form.relation.data == "home") else ""
                flash("该手机号已有账号：已向本人发出邀请" + relation + "。本人在“我的”中接受（或上级党组织批准）后，"
                      "才会出现在本组织花名册中", "success")
                return redirect(url_for("roster.index", org_id=org.id))
            name = added.membership.user.name
            if added.initial_password:
                flash(f"已添加 {name}。初始密码：{added.initial_password}（请告知本人并提醒其修改，此密码只显示一次）", "success")
            else:
                flash(f"{name} 已有账号，已加入本组织", "success")
            return redirect(url_for("roster.index", org_id=org.id))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("roster/form.html", org=org, form=form, membership=None, owns_account=True), status


@bp.route("/<int:membership_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int, membership_id: int):
    org = managed_org_or_404(org_id)
    membership = _membership_or_404(org, membership_id)
    form = _member_form(org, obj=membership.user)
    owns_account = rights.manages_account(current_user, membership.user)
    if not owns_account:
        _lock_person_fields(form)
    if request.method == "GET":
        for name in members.MEMBERSHIP_FIELDS:
            getattr(form, name).data = getattr(membership, name)
        form.group_id.data = str(membership.group_id or "")
    status = 200
    if form.validate_on_submit():
        saved, errors = save_or_errors(lambda: members.update_member(membership, _form_data(form), current_user),
                                       "已保存", lambda _: url_for("roster.index", org_id=org.id))
        if saved:
            return saved
        _show_errors(form, errors)
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("roster/form.html", org=org, form=form, membership=membership,
                           owns_account=owns_account), status


@bp.route("/<int:membership_id>/participation")
@login_required
def participation_page(org_id: int, membership_id: int):
    """What the member took part in this year, in this branch and elsewhere (type, date, branch only)."""
    org = managed_org_or_404(org_id)
    membership = _membership_or_404(org, membership_id)
    year = year_arg(request.args.get("year"), china_today().year)
    took = participation.history([membership.user_id], since=date(year, 1, 1), until=date(year, 12, 31))
    return render_template("roster/participation.html", org=org, membership=membership, year=year,
                           took=took[membership.user_id], branches=participation.branches_of(membership.user_id))


@bp.route("/<int:membership_id>/deactivate", methods=["POST"])
@login_required
def deactivate(org_id: int, membership_id: int):
    org = managed_org_or_404(org_id)
    membership = _membership_or_404(org, membership_id)
    form = ConfirmForm()
    back = url_for("roster.index", org_id=org.id)
    if not form.validate_on_submit():
        return redirect(back)
    return act(lambda: members.deactivate(membership, current_user, form.reason.data or ""),
               f"已停用 {membership.user.name}", back)


@bp.route("/<int:membership_id>/reactivate", methods=["POST"])
@login_required
def reactivate(org_id: int, membership_id: int):
    org = managed_org_or_404(org_id)
    membership = _membership_or_404(org, membership_id)
    back = url_for("roster.index", org_id=org.id, inactive=1)
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    return act(lambda: members.reactivate(membership, current_user), f"已恢复 {membership.user.name}", back)


@bp.route("/<int:membership_id>/reset-password", methods=["POST"])
@login_required
def reset_password(org_id: int, membership_id: int):
    org = managed_org_or_404(org_id)
    membership = _membership_or_404(org, membership_id)
    if not rights.may_reset_password(current_user, membership.user):
        return error_response(403, "只有本人正式组织关系所在党组织或其上级党组织可以重置密码，"
                                   "且不能重置同级或上级职务人员的密码")
    if ConfirmForm().validate_on_submit():
        password = members.reset_password(membership, current_user, hash_password)
        db.session.commit()
        flash(f"{membership.user.name} 的新初始密码：{password}（只显示一次，请告知本人并提醒其修改）", "success")
    return redirect(url_for("roster.index", org_id=org.id))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_sheet(org_id: int):
    org = managed_org_or_404(org_id)
    form = ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        report = xlsx_import.import_roster(org, form.sheet.data.read(), current_user, hash_password)
        db.session.commit()
        status = 200 if report.file_error is None else 400
    elif request.method == "POST":
        status = 400
    return render_template("roster/import.html", org=org, form=form, report=report,
                           columns=xlsx_import.COLUMNS,
                           required=xlsx_import.REQUIRED_COLUMNS), status


@bp.route("/template.xlsx")
@login_required
def import_template(org_id: int):
    managed_org_or_404(org_id)
    return send_file(
        io.BytesIO(xlsx_import.template_workbook()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True, download_name="花名册导入模板.xlsx",
    )
