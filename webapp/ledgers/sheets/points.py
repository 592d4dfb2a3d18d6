"""积分台账: each member's base, task and bonus points, total and grade, and month by month."""
from __future__ import annotations

from ...points import service
from .common import header


def write(ws, org, year) -> None:
    header(ws, f"{org.name} {year} 年党员积分台账", [("姓名", 10), ("基础分", 8), ("任务分", 8), ("奖励分", 8),
                                                   ("合计", 8), ("等次", 10), ("认定说明", 24)] +
           [(f"{m}月", 6) for m in range(1, 13)])
    rows = service.branch_table(org, year)
    monthly = service.monthly_by_member(rows)
    for row in rows:
        ws.append([row.user.name, 20 + row.base, row.task, row.bonus, row.total, row.grade_label,
                   row.override.reason if row.override else ""] +
                  [monthly[row.user.id].get(m, 0) or None for m in range(1, 13)])
