"""积分台账: each member's base, task and bonus points, total and grade (本年累计 until the year is
closed), where the grade came from, and month by month."""
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
                   _note(row)] +
                  [monthly[row.user.id].get(m, 0) or None for m in range(1, 13)])


def _note(row) -> str:
    """Where the grade came from, a direct determination's reason, awards beyond the bonus cap."""
    parts = [row.source_label, row.override.reason if row.override else "",
             f"县级以上表彰加分 {row.award}" if row.award else ""]
    return "；".join(p for p in parts if p)
