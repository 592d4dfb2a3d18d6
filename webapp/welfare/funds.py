"""经费保障档案 (seed 003 "7.经费保障档案": "按留存党费的25作为党支部的活动经费使用 … 报销时同时提交活动情况书面
报告。各支部应将活动报销票据复印留存"): the year's activity funds are the retained share of the dues paid to
the branch (the rule in force, "dues.retained_share_percent"), computed from the dues ledger; spending is
entered per activity with its receipts as photos (content-addressed, like every photo)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import DuesPayment, FundReceipt, FundSpending, Organization, Record, User
from ..nul_text import without_nul
from ..records import photo_access
from ..records.validation import SHA256
from ..standards.rule_book import retained_share_percent

RECEIPTS_MAX = 20


@dataclass
class FundYear:
    year: int
    dues_fen: int
    percent: int
    retained_fen: int
    spent_fen: int
    spendings: list[FundSpending]

    @property
    def balance_fen(self) -> int:
        return self.retained_fen - self.spent_fen


def fund_year(org: Organization, year: int) -> FundYear:
    start, end = date(year, 1, 1), date(year, 12, 31)
    dues = db.session.scalar(select(func.coalesce(func.sum(DuesPayment.amount_fen), 0)).where(
        DuesPayment.org_id == org.id, DuesPayment.paid_on.between(start, end))) or 0
    percent = retained_share_percent(org, end)
    spendings = list(db.session.scalars(select(FundSpending).where(
        FundSpending.org_id == org.id, FundSpending.spent_on.between(start, end)).order_by(FundSpending.spent_on)))
    return FundYear(year=year, dues_fen=dues, percent=percent, retained_fen=(dues * percent + 50) // 100,
                    spent_fen=sum(s.amount_fen for s in spendings), spendings=spendings)


def spend(org: Organization, actor: User, spent_on: date, purpose: str, amount_fen: int, receipts: list[str],
          record: Record | None = None) -> FundSpending:
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以登记经费支出")
    errors = {}
    purpose = without_nul(str(purpose or "")).strip()
    if not purpose or len(purpose) > 200:
        errors["purpose"] = "请填写用途（200 字以内）"
    if spent_on > china_today():
        errors["spent_on"] = "支出日期不能晚于今天"
    if not 0 < amount_fen <= 100_000_000:
        errors["amount"] = "金额无效"
    hashes = list(dict.fromkeys(str(h).lower() for h in receipts if h))
    if not hashes:
        errors["receipts"] = "请上传报销票据照片"
    elif len(hashes) > RECEIPTS_MAX or any(not SHA256.match(h) for h in hashes) \
            or photo_access.refused(actor, hashes):
        errors["receipts"] = "票据照片无效或无权使用"
    if record is not None and (record.org_id != org.id or record.approved_version is None):
        errors["record_uuid"] = "请选择本支部已审核通过的活动记录"
    if errors:
        raise Invalid(errors)
    spending = FundSpending(org_id=org.id, spent_on=spent_on, purpose=purpose, amount_fen=amount_fen,
                            record_id=record.id if record else None, created_by_id=actor.id,
                            receipts=[FundReceipt(sha256=h) for h in hashes])
    db.session.add(spending)
    db.session.flush()
    audit.record(actor, "record_fund_spending", "fund_spending", spending.uuid, org_id=org.id,
                 summary=f"登记活动经费支出：{purpose} {amount_fen / 100:.2f} 元")
    return spending
