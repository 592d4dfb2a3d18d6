"""经费保障档案: the year's activity funds (the retained share of the dues paid, computed by
webapp/welfare/funds.py from the dues ledger, never typed) and each spending with its receipts.
Branch money, nothing of one member: a home branch's view of a temporary branch holds none of it."""
from __future__ import annotations


from ...extensions import db
from ...models import FundSpending, Organization, Record
from ...records import photos
from ...welfare.funds import fund_year
from .common import Part, yuan
from .model import Archive, Entry, Photo, Photos, Table

KEY, TITLE = "funds", "经费保障档案"
SOURCE = ("机关党委将按留存党费的25作为党支部的活动经费使用,党费使用应严格按照《中央中央组织部办公室关于进一步规范"
          "党费工作的通知》的要求,执行机关财务管理有关制度,管理、使用规范,报销时同时提交活动情况书面报告。"
          "各支部应将活动报销票据复印留存,每年合订一次。")


def build(org: Organization, year: int, *, only: frozenset[int] | None = None) -> Archive:
    part = Part(org, year, only)
    if not part.whole:
        return Archive(KEY, TITLE, SOURCE, [])
    funds = fund_year(org, year)
    if not funds.dues_fen and not funds.spendings:
        return Archive(KEY, TITLE, SOURCE, [])
    summary = Table(("项目", "金额（元）"), [
        ("本年收缴党费", yuan(funds.dues_fen)), (f"按留存比例 {funds.percent}% 计活动经费", yuan(funds.retained_fen)),
        ("本年支出", yuan(funds.spent_fen)), ("结余", yuan(funds.balance_fen))], (3, 1))
    entries = [Entry(f"{year} 年活动经费收支", None, [summary], kind="funds")]
    entries += [_spending(s) for s in funds.spendings]
    return Archive(KEY, TITLE, SOURCE, entries)


def _spending(spending: FundSpending) -> Entry:
    record = db.session.get(Record, spending.record_id) if spending.record_id else None
    facts = Table(("项目", "内容"), [
        ("支出日期", spending.spent_on), ("用途", spending.purpose), ("金额（元）", yuan(spending.amount_fen)),
        ("对应活动", f"{record.occurred_on:%Y-%m-%d} {record.type_label}：{record.topic}" if record else ""),
        ("票据（张）", len(spending.receipts))], (1, 3))
    receipts = Photos([Photo(photos.key_for(r.sha256), f"{spending.purpose} 票据 {i}")
                       for i, r in enumerate(spending.receipts, start=1)])
    return Entry(f"{spending.spent_on:%Y-%m-%d} {spending.purpose}", spending.spent_on, [facts, receipts],
                 kind="spending")
