"""Dues: what each member owes per month, what was paid, arrears, and the branch's yearly ledger.

Callers commit. Every change writes the audit log.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..extensions import db
from ..input_numbers import is_month_text
from ..models import DuesPayment, DuesProfile, Membership, Organization, User
from ..records.errors import NotAllowed, RecordInvalid
from ..rules import dues as rules
from ..standards.rule_book import dues_amount_fen

PAYMENT_CHANNELS = {"cash": "现金（主题党日当场）", "transfer": "转账", "payroll": "工资代扣", "online": "线上缴纳"}


class PaymentConflict(RecordInvalid):
    """The same payment uuid arrived with different content."""


def profile_for(org: Organization, user_id: int) -> DuesProfile | None:
    return db.session.scalar(select(DuesProfile).where(DuesProfile.org_id == org.id,
                                                       DuesProfile.user_id == user_id))


def monthly_due(profile: DuesProfile | None) -> int | None:
    """The amount due each month in fen, or None when no base has been set yet."""
    if profile is None:
        return None
    if profile.override_fen is not None:
        return profile.override_fen
    if profile.category in ("salaried", "retired", "farmer") and not profile.base_fen:
        return None
    # The dues bands in force for the branch today (a higher committee may adjust them).
    return dues_amount_fen(profile.org_id, profile.category, profile.base_fen, china_today())


def set_profile(org: Organization, user: User, actor: User, *, category: str, base: str,
                override: str = "", override_reason: str = "") -> DuesProfile:
    if not access.manages(actor, org):
        raise NotAllowed("只有支委可以设置党费基数")
    errors = {}
    if category not in rules.DUES_CATEGORIES:
        errors["category"] = "请选择人员类别"
    base_fen = 0
    if category in ("salaried", "retired", "farmer"):
        try:
            base_fen = rules.parse_yuan(base)
        except ValueError:
            errors["base"] = "请填写金额，如 4800 或 4800.50" if category != "farmer" else "请填写每月党费（0.2–1 元）"
    override_fen = None
    if override.strip():
        try:
            override_fen = rules.parse_yuan(override)
        except ValueError:
            errors["override"] = "请填写金额，如 30 或 30.50"
        if not override_reason.strip():
            errors["override_reason"] = "调整党费金额时请写明原因"
    if errors:
        raise RecordInvalid(errors)
    profile = profile_for(org, user.id)
    before = {}
    if profile is None:
        profile = DuesProfile(org_id=org.id, user_id=user.id)
        db.session.add(profile)
    else:
        before = {"category": profile.category, "base_fen": profile.base_fen,
                  "override_fen": profile.override_fen, "override_reason": profile.override_reason}
    after = {"category": category, "base_fen": base_fen, "override_fen": override_fen,
             "override_reason": override_reason.strip() if override_fen is not None else ""}
    for key, value in after.items():
        setattr(profile, key, value)
    profile.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "set_dues_base", "dues_profile", profile.id, org_id=org.id,
                 summary=f"设置 {user.name} 的党费基数", changes=audit.diff(before, after))
    return profile


def _clean_payment(org: Organization, data: dict) -> dict:
    errors = {}
    members = {m.user_id for m in db.session.scalars(select(Membership).where(
        Membership.org_id == org.id, Membership.active.is_(True)))}
    try:
        user_id = int(data.get("user_id") or 0)
    except (TypeError, ValueError):
        user_id = 0
    if user_id not in members:
        errors["user_id"] = "请选择本支部的党员"
    month = str(data.get("month") or "").strip()
    if not is_month_text(month):
        errors["month"] = "请选择所缴党费的月份"
    try:
        amount_fen = rules.parse_yuan(str(data.get("amount") or ""))
        if amount_fen <= 0:
            raise ValueError
    except ValueError:
        amount_fen = 0
        errors["amount"] = "请填写缴纳金额，如 32.50"
    try:
        paid_on = date.fromisoformat(str(data.get("paid_on") or "")) if data.get("paid_on") else china_today()
    except ValueError:
        paid_on = china_today()
        errors["paid_on"] = "日期格式不正确"
    if paid_on > china_today():
        errors["paid_on"] = "缴纳日期不能晚于今天"
    channel = str(data.get("channel") or "cash")
    if channel not in PAYMENT_CHANNELS:
        errors["channel"] = "缴纳方式无效"
    if errors:
        raise RecordInvalid(errors)
    return {"user_id": user_id, "month": month, "amount_fen": amount_fen, "paid_on": paid_on,
            "channel": channel, "note": str(data.get("note") or "").strip()[:200]}


def record_payment(org: Organization, data: dict, actor: User, *, uuid: str | None = None) -> DuesPayment:
    """Idempotent on ``uuid``: the same payment sent twice is the first one; different content is a conflict."""
    if not access.manages(actor, org) and not any(
            m.org_id == org.id and m.is_recorder for m in access.active_memberships(actor)):
        raise NotAllowed("只有支委或记录员可以登记党费")
    fields = _clean_payment(org, data)
    if uuid:
        existing = db.session.scalar(select(DuesPayment).where(DuesPayment.uuid == uuid))
        if existing is not None:
            same = (existing.org_id == org.id and all(getattr(existing, k) == v for k, v in fields.items()
                                                      if k != "note"))
            if same:
                return existing
            raise PaymentConflict({"uuid": "这笔党费已登记过，但内容不同，请核对后重新登记"})
    duplicate = db.session.scalar(select(DuesPayment).where(
        DuesPayment.org_id == org.id, DuesPayment.user_id == fields["user_id"],
        DuesPayment.month == fields["month"]))
    if duplicate is not None:
        name = db.session.get(User, fields["user_id"]).name
        raise RecordInvalid({"month": f"{name} {fields['month']} 的党费已登记（{rules.yuan(duplicate.amount_fen)} 元）"})
    payment = DuesPayment(org_id=org.id, recorded_by_id=actor.id, **fields)
    if uuid:
        payment.uuid = uuid
    db.session.add(payment)
    db.session.flush()
    user = db.session.get(User, fields["user_id"])
    audit.record(actor, "record_payment", "dues_payment", payment.uuid, org_id=org.id,
                 summary=f"登记 {user.name} {payment.month} 党费 {rules.yuan(payment.amount_fen)} 元")
    return payment


@dataclass
class MemberYear:
    user: User
    profile: DuesProfile | None
    due_fen: int | None
    months: dict[str, DuesPayment | None] = field(default_factory=dict)
    owed_months: list[str] = field(default_factory=list)

    @property
    def paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.months.values() if p)

    @property
    def arrears_fen(self) -> int:
        return (self.due_fen or 0) * len(self.owed_months)


def months_of(year: int, until: date | None = None) -> list[str]:
    last = 12
    if until is not None and until.year == year:
        last = until.month
    elif until is not None and until.year < year:
        last = 0
    return [f"{year}-{m:02d}" for m in range(1, last + 1)]


def branch_year(org: Organization, year: int, today: date | None = None,
                user_id: int | None = None) -> list[MemberYear]:
    """Each active member's dues for the year (or one member's): payments per month and months owed."""
    today = today or china_today()
    query = select(Membership).where(Membership.org_id == org.id, Membership.active.is_(True))
    payments_query = select(DuesPayment).where(DuesPayment.org_id == org.id, DuesPayment.month.like(f"{year}-%"))
    if user_id is not None:
        query = query.where(Membership.user_id == user_id)
        payments_query = payments_query.where(DuesPayment.user_id == user_id)
    memberships = list(db.session.scalars(query))
    profiles = {p.user_id: p for p in db.session.scalars(select(DuesProfile).where(DuesProfile.org_id == org.id))}
    payments: dict[tuple[int, str], DuesPayment] = {
        (p.user_id, p.month): p for p in db.session.scalars(payments_query)}
    due_months = months_of(year, today)
    rows = []
    for membership in sorted(memberships, key=lambda m: m.user.name):
        profile = profiles.get(membership.user_id)
        joined = membership.joined_on.strftime("%Y-%m") if membership.joined_on else "0000-00"
        row = MemberYear(user=membership.user, profile=profile, due_fen=monthly_due(profile))
        for month in months_of(year):
            row.months[month] = payments.get((membership.user_id, month))
        if row.due_fen is not None:
            row.owed_months = [m for m in due_months if m >= joined and row.months.get(m) is None]
        rows.append(row)
    return rows


def member_arrears(user: User, today: date | None = None) -> list[tuple[Organization, MemberYear]]:
    """A member's own dues this year in each branch where dues are kept."""
    today = today or china_today()
    result = []
    for membership in access.active_memberships(user):
        if membership.org.kind != "branch" or profile_for(membership.org, user.id) is None:
            continue
        rows = branch_year(membership.org, today.year, today, user_id=user.id)
        if rows:
            result.append((membership.org, rows[0]))
    return result


def ledger_totals(rows: list[MemberYear]) -> dict[str, int]:
    collected = sum(r.paid_fen for r in rows)
    return {"collected": collected, "retained": rules.retained_fen(collected),
            "remitted": collected - rules.retained_fen(collected),
            "arrears": sum(r.arrears_fen for r in rows)}
