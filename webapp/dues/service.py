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
from ..domain_errors import Invalid, NotAllowed
from ..rules import dues as rules
from ..standards.rule_book import dues_amount_fen

PAYMENT_CHANNELS = {"cash": "现金（主题党日当场）", "transfer": "转账", "payroll": "工资代扣", "online": "线上缴纳"}


class PaymentConflict(Invalid):
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
                override: str = "", override_reason: str = "", since_month: str | None = None) -> DuesProfile:
    """``since_month`` (起缴月份, YYYY-MM): the first month this ledger tracks; blank leaves it unchanged
    (a new profile starts this month)."""
    if not access.manages(actor, org):
        raise NotAllowed("只有支委可以设置党费基数")
    if not rules.owes_dues(user.category):
        raise Invalid({"category": f"{user.name}是入党积极分子，不交纳党费"})
    base_fen, override_fen, since = _profile_input(category, base, override, override_reason, since_month)
    after = {"category": category, "base_fen": base_fen, "override_fen": override_fen,
             "override_reason": override_reason.strip() if override_fen is not None else ""}
    profile, before = _profile_to_change(org, user, after, since)
    for key, value in after.items():
        setattr(profile, key, value)
    profile.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "set_dues_base", "dues_profile", profile.id, org_id=org.id,
                 summary=f"设置 {user.name} 的党费基数", changes=audit.diff(before, after))
    return profile


def _profile_input(category: str, base: str, override: str, override_reason: str,
                   since_month: str | None) -> tuple[int, int | None, str]:
    """(base in fen, override in fen or None, 起缴月份 or ""), or raises Invalid naming every bad field."""
    errors = {}
    if category not in rules.DUES_CATEGORIES:
        errors["category"] = "请选择人员类别"
    base_fen = 0
    if category in ("salaried", "retired", "farmer"):
        base_fen = _fen(base, errors, "base",
                        "请填写金额，如 4800 或 4800.50" if category != "farmer" else "请填写每月党费（0.2–1 元）")
    override_fen = None
    if override.strip():
        override_fen = _fen(override, errors, "override", "请填写金额，如 30 或 30.50")
        if not override_reason.strip():
            errors["override_reason"] = "调整党费金额时请写明原因"
    since = (since_month or "").strip()
    if since and not is_month_text(since):
        errors["since_month"] = "起缴月份格式不正确，如 2026-01"
    if errors:
        raise Invalid(errors)
    return base_fen, override_fen, since


def _fen(text: str, errors: dict, field: str, message: str) -> int | None:
    try:
        return rules.parse_yuan(text)
    except ValueError:
        errors[field] = message
        return None


def _profile_to_change(org: Organization, user: User, after: dict, since: str) -> tuple[DuesProfile, dict]:
    """The member's profile (a new one added to the session) and its values before the change."""
    profile = profile_for(org, user.id)
    if profile is None:
        profile = DuesProfile(org_id=org.id, user_id=user.id)
        db.session.add(profile)
        # A new ledger starts this month unless the secretary names an earlier 起缴月份: months before
        # were kept on paper, and setting a base must not show years of arrears at once.
        after["since_month"] = since or china_today().strftime("%Y-%m")
        return profile, {}
    before = {"category": profile.category, "base_fen": profile.base_fen,
              "override_fen": profile.override_fen, "override_reason": profile.override_reason}
    if since:
        before["since_month"], after["since_month"] = profile.since_month, since
    return profile, before


def ledger_for(org: Organization, user_id: int) -> tuple[Organization | None, str]:
    """Where a payment entered in ``org`` for ``user_id`` lands: the member's home branch ledger.
    Returns (ledger branch or None, reason in Chinese when None). Entered in a temporary branch for a
    member whose home is elsewhere, it is 代收 (collected on the home branch's behalf)."""
    memberships = [m for m in db.session.scalars(select(Membership).where(
        Membership.user_id == user_id, Membership.active.is_(True)))]
    here = next((m for m in memberships if m.org_id == org.id), None)
    if here is None:
        return None, "请选择本支部的党员"
    if not rules.owes_dues(here.user.category):
        return None, f"{here.user.name}是入党积极分子，不交纳党费"
    if here.relation == "home":
        return org, ""
    home = next((m for m in memberships if m.relation == "home" and m.org.kind == "branch"), None)
    if home is None:
        return None, f"{here.user.name}的正式组织关系不在本系统中，无法代收党费"
    return home.org, ""


def _clean_payment(org: Organization, data: dict) -> tuple[dict, Organization | None]:
    errors = {}
    try:
        user_id = int(data.get("user_id") or 0)
    except (TypeError, ValueError):
        user_id = 0
    ledger, reason = ledger_for(org, user_id) if 0 < user_id <= 2**31 - 1 else (None, "请选择本支部的党员")
    if ledger is None:
        errors["user_id"] = reason
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
        raise Invalid(errors)
    return ({"user_id": user_id, "month": month, "amount_fen": amount_fen, "paid_on": paid_on,
             "channel": channel, "note": str(data.get("note") or "").strip()[:200]}, ledger)


def can_record_payments(actor: User, org: Organization) -> bool:
    return access.manages(actor, org) or any(
        m.org_id == org.id and m.is_recorder for m in access.active_memberships(actor))


def record_payment(org: Organization, data: dict, actor: User, *, uuid: str | None = None,
                   record_id: int | None = None) -> DuesPayment:
    """A payment entered in ``org``; it lands in the member's home ledger (代收 when ``org`` is a
    temporary branch collecting for it). ``record_id``: the theme day it was paid at.

    Idempotent on ``uuid``: the same payment sent twice is the first one; different content is a conflict."""
    if not can_record_payments(actor, org):
        raise NotAllowed("只有支委或记录员可以登记党费")
    fields, ledger = _clean_payment(org, data)
    collected_by = org.id if ledger.id != org.id else None
    if uuid:
        existing = db.session.scalar(select(DuesPayment).where(DuesPayment.uuid == uuid))
        if existing is not None:
            same = (existing.org_id == ledger.id and all(getattr(existing, k) == v for k, v in fields.items()
                                                         if k != "note"))
            if same:
                return existing
            raise PaymentConflict({"uuid": "这笔党费已登记过，但内容不同，请核对后重新登记"})
    duplicate = db.session.scalar(select(DuesPayment).where(
        DuesPayment.org_id == ledger.id, DuesPayment.user_id == fields["user_id"],
        DuesPayment.month == fields["month"]))
    if duplicate is not None:
        name = db.session.get(User, fields["user_id"]).name
        raise Invalid({"month": f"{name} {fields['month']} 的党费已登记（{rules.yuan(duplicate.amount_fen)} 元）"})
    payment = DuesPayment(org_id=ledger.id, recorded_by_id=actor.id, collected_by_org_id=collected_by,
                          record_id=record_id, **fields)
    if uuid:
        payment.uuid = uuid
    db.session.add(payment)
    db.session.flush()
    user = db.session.get(User, fields["user_id"])
    summary = f"登记 {user.name} {payment.month} 党费 {rules.yuan(payment.amount_fen)} 元"
    if collected_by:
        summary += f"（{org.name}代收，记入{ledger.name}）"
    audit.record(actor, "record_payment", "dues_payment", payment.uuid, org_id=ledger.id, summary=summary)
    return payment


def month_text(day: date) -> str:
    return day.strftime("%Y-%m")


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty when first > last), across years."""
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def ledger_start(membership: Membership, profile: DuesProfile | None, today: date) -> str:
    """The first month a member owes in this ledger: not before joining the branch, not before becoming
    a party member (预备党员 from the join date), not before the ledger's 起缴月份."""
    candidates = [month_text(membership.joined_on)] if membership.joined_on else []
    if membership.user.join_date:
        candidates.append(month_text(membership.user.join_date))
    if profile is not None and profile.since_month:
        candidates.append(profile.since_month)
    return max(candidates) if candidates else f"{today.year}-01"


def last_ended_month(today: date) -> str:
    """The last month that has ended: its dues were due and are missed if unpaid."""
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


def unpaid_streak(paid: set[str], start: str, last: str) -> list[str]:
    """The months ending with ``last`` (going back, not before ``start``) with nothing paid."""
    streak: list[str] = []
    for month in reversed(months_between(start, last)):
        if month in paid:
            break
        streak.append(month)
    return list(reversed(streak))


def home_memberships(org: Organization, user_id: int | None = None) -> list[Membership]:
    """Who owes dues to this branch: members whose home branch (正式组织关系) it is. A temporary
    branch keeps no dues of its own; it may collect for the home branch (代收)."""
    query = select(Membership).where(Membership.org_id == org.id, Membership.active.is_(True),
                                     Membership.relation == "home")
    if user_id is not None:
        query = query.where(Membership.user_id == user_id)
    return [m for m in db.session.scalars(query) if rules.owes_dues(m.user.category)]


@dataclass
class MemberYear:
    user: User
    profile: DuesProfile | None
    due_fen: int | None
    months: dict[str, DuesPayment | None] = field(default_factory=dict)
    owed_months: list[str] = field(default_factory=list)  # unpaid months of the year shown
    start_month: str = ""
    arrears: list[str] = field(default_factory=list)  # every unpaid month since the start, across years
    unpaid_run: list[str] = field(default_factory=list)  # the unpaid months just before this one, unbroken

    @property
    def paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.months.values() if p)

    @property
    def arrears_fen(self) -> int:
        return (self.due_fen or 0) * len(self.arrears)

    @property
    def earlier_arrears(self) -> list[str]:
        """Unpaid months from years before the one shown: arrears do not restart in January."""
        year_start = next(iter(self.months), "")
        return [m for m in self.arrears if m < year_start]


def months_of(year: int, until: date | None = None) -> list[str]:
    last = 12
    if until is not None and until.year == year:
        last = until.month
    elif until is not None and until.year < year:
        last = 0
    return [f"{year}-{m:02d}" for m in range(1, last + 1)]


def branch_year(org: Organization, year: int, today: date | None = None,
                user_id: int | None = None) -> list[MemberYear]:
    """Each member's dues for the year (or one member's): payments per month, the year's unpaid months,
    and every unpaid month since the member's start (a continuous sequence, not per calendar year).
    Only party members (正式、预备) whose home branch this is owe anything here."""
    today = today or china_today()
    memberships = home_memberships(org, user_id)
    profiles = {p.user_id: p for p in db.session.scalars(select(DuesProfile).where(DuesProfile.org_id == org.id))}
    payments_query = select(DuesPayment).where(DuesPayment.org_id == org.id)
    if user_id is not None:
        payments_query = payments_query.where(DuesPayment.user_id == user_id)
    paid: dict[int, dict[str, DuesPayment]] = {}
    for payment in db.session.scalars(payments_query):
        paid.setdefault(payment.user_id, {})[payment.month] = payment
    this_month = month_text(today)
    due_months = set(months_of(year, today))
    rows = []
    for membership in sorted(memberships, key=lambda m: m.user.name):
        profile = profiles.get(membership.user_id)
        own = paid.get(membership.user_id, {})
        row = MemberYear(user=membership.user, profile=profile, due_fen=monthly_due(profile),
                         start_month=ledger_start(membership, profile, today))
        for month in months_of(year):
            row.months[month] = own.get(month)
        if row.due_fen is not None:
            row.arrears = [m for m in months_between(row.start_month, this_month) if m not in own]
            row.unpaid_run = unpaid_streak(set(own), row.start_month, last_ended_month(today))
            row.owed_months = [m for m in row.arrears if m in due_months]
        rows.append(row)
    return rows


def member_arrears(user: User, today: date | None = None) -> list[tuple[Organization, MemberYear]]:
    """A member's own dues in their home branch (where dues are owed), with arrears across years."""
    today = today or china_today()
    result = []
    for membership in access.active_memberships(user):
        if membership.org.kind != "branch" or membership.relation != "home" \
                or profile_for(membership.org, user.id) is None:
            continue
        rows = branch_year(membership.org, today.year, today, user_id=user.id)
        if rows:
            result.append((membership.org, rows[0]))
    return result


def collected_for_others(org: Organization, year: int) -> list[DuesPayment]:
    """Payments this (temporary) branch collected for members' home branches in a year (代收)."""
    return list(db.session.scalars(select(DuesPayment).where(
        DuesPayment.collected_by_org_id == org.id, DuesPayment.month.like(f"{year}-%"))
        .order_by(DuesPayment.month, DuesPayment.id)))


def ledger_totals(rows: list[MemberYear]) -> dict[str, int]:
    collected = sum(r.paid_fen for r in rows)
    return {"collected": collected, "retained": rules.retained_fen(collected),
            "remitted": collected - rules.retained_fen(collected),
            "arrears": sum(r.arrears_fen for r in rows)}
