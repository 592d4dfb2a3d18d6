"""党费: the secretary's dues ledger, setting bases, recording payments (also offline), my arrears."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..models import Membership, Record, User
from ..rules import dues as rules
from ..view_helpers import managed_org_or_404, row_or_404, save_or_errors, visible_org_or_404, year_arg
from . import bp, service, theme_day
from .payment_form import payment_form_to_data


def _year() -> int:
    return year_arg(request.args.get("year"), china_today().year)


@bp.app_template_filter("yuan")
def yuan_filter(fen):
    return rules.yuan(fen)


@bp.route("/")
@login_required
def index():
    branches = access.managed_orgs(current_user, kinds=("branch",))
    if len(branches) == 1:
        return redirect(url_for("dues.branch", org_id=branches[0].id))
    return render_template("dues/index.html", branches=branches, mine=service.member_arrears(current_user))


@bp.route("/mine")
@login_required
def mine():
    return render_template("dues/mine.html", mine=service.member_arrears(current_user), year=china_today().year)


@bp.route("/<int:org_id>")
@login_required
def branch(org_id: int):
    org = managed_org_or_404(org_id)
    year = _year()
    rows = service.branch_year(org, year)
    return render_template("dues/branch.html", org=org, year=year, rows=rows,
                           collected=service.collected_for_others(org, year),
                           months=service.months_of(year), totals=service.ledger_totals(rows),
                           retained_percent=rules.RETAINED_SHARE_PERCENT)


def _member_of(org, user_id: int) -> User:
    membership = db.session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                            Membership.user_id == user_id))
    if membership is None:
        abort(404)
    return membership.user


@bp.route("/<int:org_id>/members/<int:user_id>", methods=["GET", "POST"])
@login_required
def profile(org_id: int, user_id: int):
    org = managed_org_or_404(org_id)
    user = _member_of(org, user_id)
    current = service.profile_for(org, user.id)
    errors: dict[str, str] = {}
    values = MultiDict({
        "category": current.category if current else "salaried",
        "base": rules.yuan(current.base_fen) if current and current.base_fen else "",
        "override": rules.yuan(current.override_fen) if current and current.override_fen is not None else "",
        "override_reason": current.override_reason if current else "",
        "since_month": (current.since_month or "") if current else "",
    })
    if request.method == "POST":
        values = request.form
        saved, errors = save_or_errors(
            lambda: service.set_profile(org, user, current_user, category=values.get("category", ""),
                                        base=values.get("base", ""), override=values.get("override", ""),
                                        override_reason=values.get("override_reason", ""),
                                        since_month=values.get("since_month", "")),
            f"已保存 {user.name} 的党费基数", lambda _: url_for("dues.branch", org_id=org.id), "category")
        if saved:
            return saved
    return render_template("dues/profile.html", org=org, user=user, values=values, errors=errors,
                           categories=rules.DUES_CATEGORIES), (400 if errors else 200)


def _can_record_payments(org) -> bool:
    return service.can_record_payments(current_user, org)


@bp.route("/<int:org_id>/pay", methods=["GET", "POST"])
@login_required
def pay(org_id: int):
    org = visible_org_or_404(org_id)
    if org.kind != "branch" or not _can_record_payments(org):
        abort(403)
    errors: dict[str, str] = {}
    today = china_today()
    values = MultiDict({"month": today.strftime("%Y-%m"), "paid_on": today.isoformat(), "channel": "cash",
                        "user_id": request.args.get("user_id", "")})
    if request.method == "POST":
        values = request.form
        uuid = (values.get("uuid") or "").strip() or None
        saved, errors = save_or_errors(
            lambda: service.record_payment(org, payment_form_to_data(values), current_user, uuid=uuid),
            lambda payment: f"已登记 {payment.user.name} {payment.month} 党费 {rules.yuan(payment.amount_fen)} 元",
            lambda payment: url_for("dues.branch", org_id=org.id, year=payment.month[:4])
            if access.manages(current_user, org) else url_for("dues.pay", org_id=org.id), "user_id")
        if saved:
            return saved
    rows = theme_day.payers(org, today.strftime("%Y-%m"), today)
    return render_template("dues/pay.html", org=org, values=values, errors=errors, rows=rows,
                           channels=service.PAYMENT_CHANNELS, today=today.isoformat()), (400 if errors else 200)


@bp.route("/theme-day/<record_uuid>", methods=["GET", "POST"])
@login_required
def theme_day_payments(record_uuid: str):
    """交纳当月党费: every attendee's payment for the theme day's month on one screen, into the ledger."""
    record = row_or_404(Record, where=(Record.uuid == record_uuid,),
                        visible=lambda record: record.type == "theme_day" and record.merged_into_id is None)
    org = visible_org_or_404(record.org_id)
    if not _can_record_payments(org):
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        saved, errors = theme_day.record_payments(record, request.form, current_user)
        db.session.commit()
        if saved:
            flash(f"已登记 {len(saved)} 人 {theme_day.theme_day_month(record)} 党费，已记入党费台账", "success")
        if not errors:
            return redirect(url_for("records.detail", uuid=record.uuid))
    payers = theme_day.attendee_payers(record, china_today())
    return render_template("dues/theme_day.html", org=org, record=record, payers=payers, errors=errors,
                           month=theme_day.theme_day_month(record)), (400 if errors else 200)
