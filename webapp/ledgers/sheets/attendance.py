"""出勤统计: the attendance matrix, member × approved activity of the year, with totals."""
from __future__ import annotations

from openpyxl.utils import get_column_letter
from sqlalchemy import select

from ...extensions import db
from ...models import Membership, User
from ..archives.common import approved_records
from .common import header

MARKS = {"present": "出席", "leave": "请假", "absent": "缺席"}


def write(ws, org, year) -> None:
    records = [r for r in approved_records(org, year) if r.type != "talk"]
    columns = [("姓名", 10)] + [(f"{r.occurred_on:%m-%d}\n{r.type_label}", 11) for r in records] + [
        ("出席", 7), ("请假", 7), ("缺席", 7)]
    header(ws, f"{org.name} {year} 年组织生活出勤统计", columns)
    ws.row_dimensions[2].height = 32
    members = list(db.session.scalars(select(Membership).join(User, Membership.user_id == User.id)
                                      .where(Membership.org_id == org.id).order_by(User.name)))
    status = {(a.record_id, a.user_id): a for r in records for a in r.attendances}
    for m in members:
        row = [m.user.name]
        totals = {"present": 0, "leave": 0, "absent": 0}
        for record in records:
            a = status.get((record.id, m.user_id))
            if a is None:
                row.append("")
                continue
            totals[a.status] += 1
            row.append(MARKS[a.status] + (f"（{a.reason}）" if a.status == "leave" and a.reason else ""))
        ws.append(row + [totals["present"], totals["leave"], totals["absent"]])
    ws.freeze_panes = "B3"
    ws.column_dimensions[get_column_letter(1)].width = 10
