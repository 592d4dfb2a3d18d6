"""花名册: the branch roster as of the export."""
from __future__ import annotations

from sqlalchemy import select

from ...extensions import db
from ...models import Membership, User
from .common import header

GENDERS = {"male": "男", "female": "女"}
CATEGORIES = {"full": "正式党员", "probationary": "预备党员", "activist": "入党积极分子"}


def write(ws, org, year) -> None:
    header(ws, f"{org.name} 党员花名册（{year} 年）", [
        ("序号", 6), ("姓名", 10), ("性别", 6), ("出生日期", 12), ("人员类别", 12), ("入党日期", 12),
        ("组织关系", 12), ("职务", 12), ("工作岗位", 24), ("手机号", 14), ("状态", 8)])
    rows = db.session.scalars(select(Membership).join(User, Membership.user_id == User.id)
                              .where(Membership.org_id == org.id).order_by(Membership.active.desc(), User.name))
    for index, m in enumerate(rows, start=1):
        u = m.user
        ws.append([index, u.name, GENDERS.get(u.gender or "", ""), u.birth_date, CATEGORIES.get(u.category or "", ""),
                   u.join_date, m.relation_label, m.title_label, u.post or "", u.phone or "",
                   "在册" if m.active else "已停用"])
    for row in ws.iter_rows(min_row=3, min_col=4, max_col=6):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
