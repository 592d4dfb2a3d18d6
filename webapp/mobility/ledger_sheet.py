"""组织关系转接台账 and 流动党员台账: part of the 党员管理档案 in the yearly workbook."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from ..china_time import china_today
from ..extensions import db
from ..ledgers.sheets.common import header
from ..models import FlowingMember, MembershipTransfer


def write(ws, org, year) -> None:
    header(ws, f"{org.name} 组织关系转接台账（{year} 年）", [
        ("序号", 6), ("姓名", 10), ("类型", 18), ("转出单位", 24), ("转入单位", 24), ("介绍信编号", 16),
        ("开具日期", 12), ("有效期至", 12), ("状态", 12), ("办结日期", 12), ("党龄", 6), ("党费交至", 10),
        ("说明", 30)])
    first, last = date(year, 1, 1), date(year, 12, 31)
    today = min(china_today(), last)
    rows = db.session.scalars(select(MembershipTransfer).where(
        or_(MembershipTransfer.from_org_id == org.id, MembershipTransfer.to_org_id == org.id),
        MembershipTransfer.issued_on <= last,
        or_(MembershipTransfer.decided_on.is_(None), MembershipTransfer.decided_on >= first))
        .order_by(MembershipTransfer.issued_on, MembershipTransfer.id))
    for index, t in enumerate(rows, start=1):
        file = t.file or {}
        ws.append([index, t.user.name, t.kind_label,
                   t.from_org.name if t.from_org else t.outside_name,
                   t.to_org.name if t.to_org else t.outside_name, t.letter_number, t.issued_on, t.valid_until,
                   t.state_label_on(today), t.decided_on, file.get("party_age_years"),
                   file.get("dues_paid_through") or "", t.reason or t.resolution_note])
    for row in ws.iter_rows(min_row=3, min_col=7, max_col=10):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    write_flowing(ws, org, year)


def write_flowing(ws, org, year) -> None:
    """流动党员 of the branch (out and in) below the transfers, on the same sheet."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    ws.append([])
    ws.append([f"{org.name} 流动党员登记（{year} 年）"])
    ws.append(["序号", "姓名", "流向", "原所在党组织", "接收党组织", "去向", "外出日期", "预计返回", "状态",
               "活动证号", "联系人", "联系电话"])
    rows = db.session.scalars(select(FlowingMember).where(
        or_(FlowingMember.home_org_id == org.id, FlowingMember.receiving_org_id == org.id),
        FlowingMember.from_date <= last,
        or_(FlowingMember.returned_on.is_(None), FlowingMember.returned_on >= first))
        .order_by(FlowingMember.from_date, FlowingMember.id))
    for index, f in enumerate(rows, start=1):
        ws.append([index, f.user.name, "流出" if f.home_org_id == org.id else "流入", f.home_label,
                   f.receiving_label, f.destination, f.from_date, f.until_date, f.state_label, f.card_number,
                   f.contact_name, f.contact_phone])
