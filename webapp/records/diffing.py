"""What changed between two versions of a record, in words a secretary reads."""
from __future__ import annotations

from ..models import Record, User
from ..extensions import db
from ..rules.life import THEME_DAY_OPTIONAL_FORMS, THEME_DAY_REQUIRED_ITEMS

FIELD_LABELS = {
    "occurred_on": "日期", "start_time": "开始时间", "end_time": "结束时间", "place": "地点",
    "topic": "主题", "content": "内容/纪要", "host_id": "主持人", "recorder_id": "记录人",
    "attendee_ids": "出席人员", "absentees": "缺席人员", "invited": "列席人员",
    "theme_items": "必备内容", "theme_forms": "活动形式", "lecturer_id": "授课人",
    "lecturer_name": "授课人（外请）", "talk_with_ids": "谈话对象", "group_id": "党小组",
    "photos": "照片", "evaluation_steps": "评议步骤", "grades": "评定结果", "rectification": "整改清单",
}


def _names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.query(User).filter(User.id.in_(ids))}


def describe(key: str, value, names: dict[int, str]) -> str:
    if value in (None, "", [], {}):
        return "（空）"
    if key in ("host_id", "recorder_id", "lecturer_id"):
        return names.get(value, str(value))
    if key in ("attendee_ids", "talk_with_ids"):
        return "、".join(names.get(i, str(i)) for i in value)
    if key == "absentees":
        return "、".join(f"{names.get(a['user_id'], a['user_id'])}（{a['reason'] or '无故'}）" for a in value)
    if key == "invited":
        return "、".join(f"{i['name']}{'（' + i['note'] + '）' if i.get('note') else ''}" for i in value)
    if key == "theme_items":
        return "、".join(THEME_DAY_REQUIRED_ITEMS.get(i, i) for i in value)
    if key == "theme_forms":
        return "、".join(THEME_DAY_OPTIONAL_FORMS.get(i, i) for i in value)
    if key == "photos":
        return f"{len(value)} 张"
    if key == "grades":
        return "、".join(f"{names.get(int(k), k)}：{v}" for k, v in value.items())
    return str(value)


def changes(record: Record, old_number: int, new_number: int) -> list[tuple[str, str, str]]:
    """[(field label, before, after)] between two versions of ``record``."""
    old, new = record.version_number(old_number), record.version_number(new_number)
    if old is None or new is None:
        return []
    a, b = old.data, new.data
    ids = set()
    for data in (a, b):
        ids.update(data.get(k) for k in ("host_id", "recorder_id", "lecturer_id"))
        ids.update(data.get("attendee_ids", []))
        ids.update(data.get("talk_with_ids", []))
        ids.update(x["user_id"] for x in data.get("absentees", []))
        ids.update(int(k) for k in data.get("grades", {}))
    names = _names(ids)
    rows = []
    for key in list(FIELD_LABELS) + sorted(set(a) | set(b) - set(FIELD_LABELS)):
        if a.get(key) != b.get(key):
            rows.append((FIELD_LABELS.get(key, key), describe(key, a.get(key), names),
                         describe(key, b.get(key), names)))
    return rows
