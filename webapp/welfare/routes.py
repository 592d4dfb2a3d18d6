"""关怀帮扶 and 经费保障 pages (the branch committee's): the 困难党员台账 with visits, and the activity
funds of a year — the retained share of dues, spending per activity with receipt photos."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..china_time import china_today
from ..extensions import db
from ..input_numbers import row_id
from ..models import HardshipCase, Membership, Record, User
from ..view_helpers import act, managed_org_or_404, row_or_404
from . import bp, funds, hardship



def _date(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _fen(value) -> int | None:
    try:
        amount = Decimal((value or "0").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        return None
    return int(amount * 100)


@bp.route("/<int:org_id>")
@login_required
def page(org_id: int):
    org = managed_org_or_404(org_id)
    if org.kind != "branch":
        abort(404)
    year = china_today().year
    members = list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org.id, Membership.active.is_(True), Membership.relation == "home").order_by(User.name)))
    records = list(db.session.scalars(select(Record).where(
        Record.org_id == org.id, Record.approved_version.is_not(None), Record.is_private.is_(False),
        Record.occurred_on >= date(year, 1, 1)).order_by(Record.occurred_on.desc()).limit(50)))
    return render_template("welfare/page.html", org=org, cases=hardship.cases(org, current_user), members=members,
                           fund=funds.fund_year(org, year), records=records, today=china_today())


@bp.route("/<int:org_id>/cases", methods=["POST"])
@login_required
def open_case(org_id: int):
    org = managed_org_or_404(org_id)
    since = _date(request.form.get("since"))
    if since is None:
        flash("请填写日期", "error")
        return redirect(url_for("welfare.page", org_id=org.id))
    return act(lambda: hardship.open_case(org, current_user, row_id(request.form.get("user_id")),
                                            request.form.get("situation", ""), since),
                 "已列入困难党员台账", url_for("welfare.page", org_id=org.id))


def _case_or_404(case_uuid: str) -> HardshipCase:
    case = row_or_404(HardshipCase, where=(HardshipCase.uuid == case_uuid,))
    managed_org_or_404(case.org_id)
    return case


@bp.route("/cases/<case_uuid>/visits", methods=["POST"])
@login_required
def visit(case_uuid: str):
    case = _case_or_404(case_uuid)
    visited_on, amount = _date(request.form.get("visited_on")), _fen(request.form.get("amount"))
    target = url_for("welfare.page", org_id=case.org_id)
    if visited_on is None or amount is None:
        flash("请填写走访日期和金额（元）", "error")
        return redirect(target)
    return act(lambda: hardship.add_visit(case, current_user, visited_on, request.form.get("visitors", ""),
                                            request.form.get("help_given", ""), amount), "走访慰问已记录", target)


@bp.route("/cases/<case_uuid>/close", methods=["POST"])
@login_required
def close_case(case_uuid: str):
    case = _case_or_404(case_uuid)
    return act(lambda: hardship.close_case(case, current_user), "已移出困难党员台账",
                 url_for("welfare.page", org_id=case.org_id))


@bp.route("/<int:org_id>/spending", methods=["POST"])
@login_required
def spend(org_id: int):
    org = managed_org_or_404(org_id)
    target = url_for("welfare.page", org_id=org.id)
    spent_on, amount = _date(request.form.get("spent_on")), _fen(request.form.get("amount"))
    if spent_on is None or amount is None:
        flash("请填写支出日期和金额（元）", "error")
        return redirect(target)
    uuid = request.form.get("record_uuid") or ""
    record = db.session.scalar(select(Record).where(Record.uuid == uuid)) if uuid else None
    return act(lambda: funds.spend(org, current_user, spent_on, request.form.get("purpose", ""), amount,
                                     request.form.getlist("receipts"), record), "经费支出已登记", target)
