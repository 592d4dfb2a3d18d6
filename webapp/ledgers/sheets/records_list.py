"""组织生活记录: every approved record of the year, one line each."""
from __future__ import annotations

from ...standards.late_entry import late_text
from ..archives.common import approved_data, approved_records
from .common import header


def write(ws, org, year) -> None:
    header(ws, f"{org.name} {year} 年组织生活记录", [
        ("日期", 12), ("类型", 12), ("主题", 36), ("地点", 20), ("时长（分钟）", 10), ("出席", 8), ("请假", 8),
        ("缺席", 8), ("是否达标", 10), ("说明", 30), ("录入", 22)])
    for record in approved_records(org, year):
        counts = {"present": 0, "leave": 0, "absent": 0}
        for a in record.attendances:
            counts[a.status] = counts.get(a.status, 0) + 1
        data = approved_data(record)
        ws.append([record.occurred_on, record.type_label, data.get("topic", record.topic), data.get("place", ""),
                   record.duration_minutes, counts["present"], counts["leave"], counts["absent"],
                   "" if record.meets_standard is None else ("达标" if record.meets_standard else "未达标"),
                   "；".join(record.standard_problems or []), late_text(record)])
    for row in ws.iter_rows(min_row=3, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
